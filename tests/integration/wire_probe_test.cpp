// The wire probe of `seam compat verify` (dialects/pgwire/wire_probe.hpp)
// against real PostgreSQL with the PostgreSQL observer: every postgres.yaml
// entry covering the server agrees on what the wire probe can see
// (transactional, rewrite by relfilenode), falsified entries are caught, a
// statement whose effect outlives ROLLBACK (what YugabyteDB does with DDL) is
// reported as not atomic, and the other products' catalog queries are valid
// SQL. CockroachDB, YugabyteDB and Spanner themselves cannot run here: their
// jobs and storage-id queries (crdb_internal, SHOW JOBS) are NOT exercised.
#include <algorithm>
#include <string>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "compat-matrix/matrix.hpp"
#include "dialects/pgwire/scratch_schema.hpp"
#include "dialects/pgwire/wire_probe.hpp"
#include "schema/canon.hpp"
#include "schema/errors.hpp"
#include "tests/support/pg_fixture.hpp"

namespace {

using seam::compat::Entry;
using seam::compat::Version;
namespace pgwire = seam::pgwire;

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + "\n";
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

struct ProbeRun {
  pgwire::WireObservation w;
  pgwire::WireVerdict v;
};

ProbeRun probe(const std::string& url, const Entry& e, const pgwire::Observer& o,
               const seam::compat::Probe* p = nullptr) {
  pgwire::ScratchSchema s(url, e.op);
  ProbeRun r;
  r.w = pgwire::run_wire_probe(url, s.name(), p ? *p : e.probe, o);
  r.v = pgwire::compare(e, r.w, o);
  s.drop();
  return r;
}

TEST(WireProbe, EveryPostgresEntryAgreesOnWhatTheWireProbeSees) {
  const std::string url = seam::test::fresh_database("wire");
  const Version v = Version::parse(seam::test::query_value(url, "SHOW server_version_num"));
  const auto& obs = pgwire::observer("postgres");
  int probed = 0, rewrites = 0, non_transactional = 0;
  for (const auto& e : seam::compat::builtin("postgres").entries) {
    if (!e.covers(v) || e.probe.statement.empty()) continue;
    ProbeRun r;
    try {
      r = probe(url, e, obs);
    } catch (const std::exception& ex) {
      ADD_FAILURE() << e.op << ": " << ex.what();
      continue;
    }
    ++probed;
    EXPECT_TRUE(r.v.differences.empty()) << e.op << " (" << e.versions() << "):\n"
                                         << joined(r.v.differences);
    EXPECT_TRUE(contains(r.v.measured, "transactional")) << e.op << "\n" << joined(r.v.unmeasured);
    EXPECT_TRUE(contains(r.v.measured, "rewrite (pg_class.relfilenode)")) << e.op;
    EXPECT_FALSE(r.w.jobs.has_value()) << "PostgreSQL has no schema-change jobs";
    rewrites += e.rewrite;
    non_transactional += !e.transactional;
  }
  EXPECT_GE(probed, 40);
  EXPECT_GE(rewrites, 4) << "the rewrite comparison was exercised both ways";
  EXPECT_GE(non_transactional, 3) << "CONCURRENTLY statements: rejected inside BEGIN";
  EXPECT_EQ(seam::test::query_value(
                url, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'seam\\_verify\\_%'"),
            "0")
      << "every scratch schema was dropped";
}

TEST(WireProbe, FalsifiedEntriesAreReported) {
  const std::string url = seam::test::fresh_database("wire_false");
  const Version v = Version::parse(seam::test::query_value(url, "SHOW server_version_num"));
  const auto& m = seam::compat::builtin("postgres");
  const auto& obs = pgwire::observer("postgres");

  Entry rewrite = m.at("add_column_volatile_default", v);
  rewrite.rewrite = false;
  ProbeRun r = probe(url, rewrite, obs);
  ASSERT_EQ(r.v.differences.size(), 1u) << joined(r.v.differences);
  EXPECT_EQ(r.v.differences[0].rfind("rewrite: the matrix says false, observed true "
                                     "(pg_class.relfilenode ",
                                     0),
            0u)
      << r.v.differences[0];
  EXPECT_NE(r.w.storage_before, r.w.storage_after);

  Entry txn = m.at("create_index", v);
  txn.transactional = false;
  r = probe(url, txn, obs);
  ASSERT_EQ(r.v.differences.size(), 1u) << joined(r.v.differences);
  EXPECT_EQ(r.v.differences[0],
            "transactional: the matrix says false, but the server ran it inside BEGIN and "
            "ROLLBACK undid it");

  Entry cic = m.at("create_index_concurrently", v);
  cic.transactional = true;
  r = probe(url, cic, obs);
  ASSERT_EQ(r.v.differences.size(), 1u) << joined(r.v.differences);
  EXPECT_EQ(
      r.v.differences[0].rfind(
          "transactional: the matrix says true, but the server rejected it inside BEGIN (", 0),
      0u)
      << r.v.differences[0];
  EXPECT_FALSE(r.w.accepted_in_transaction);
  EXPECT_NE(r.w.rejection.find("CREATE INDEX CONCURRENTLY cannot run inside a transaction block"),
            std::string::npos)
      << r.w.rejection;

  // Jobs are not observable on PostgreSQL: said, never counted as agreeing.
  Entry job = m.at("create_index", v);
  job.strategy = "online_job";
  r = probe(url, job, obs);
  EXPECT_TRUE(r.v.differences.empty()) << joined(r.v.differences);
  EXPECT_TRUE(contains(r.v.unmeasured,
                       "schema-change job: PostgreSQL runs DDL in the session, without jobs"))
      << joined(r.v.unmeasured);
}

// What YugabyteDB does with DDL inside BEGIN (commits it on its own), made
// real on PostgreSQL: dblink runs the ALTER on another connection, so the
// ROLLBACK cannot undo it.
TEST(WireProbe, AnEffectThatOutlivesRollbackIsNotAtomic) {
  const std::string url = seam::test::fresh_database("wire_dblink");
  seam::test::run_sql(url, "CREATE EXTENSION dblink SCHEMA public");
  const auto& obs = pgwire::observer("postgres");
  Entry e = seam::compat::builtin("postgres").at("add_column_nullable", Version{15, -1});
  pgwire::ScratchSchema s(url, "dblink");
  seam::compat::Probe p = e.probe;
  p.statement = "SELECT public.dblink_exec(" + seam::schema::quote_literal(url) + ", " +
                seam::schema::quote_literal("ALTER TABLE " + seam::schema::quote_ident(s.name()) +
                                            ".t ADD COLUMN d int") +
                ")";
  pgwire::WireObservation w = pgwire::run_wire_probe(url, s.name(), p, obs);
  s.drop();
  EXPECT_TRUE(w.accepted_in_transaction);
  ASSERT_TRUE(w.atomic.has_value());
  EXPECT_FALSE(*w.atomic);
  EXPECT_EQ(w.transactional(), false);
  auto v = pgwire::compare(e, w, obs);  // the entry says transactional: true
  ASSERT_EQ(v.differences.size(), 1u) << joined(v.differences);
  EXPECT_EQ(v.differences[0],
            "transactional: the matrix says true, but the server accepted it inside BEGIN but "
            "ROLLBACK did not undo it (not atomic)");
  e.transactional = false;
  EXPECT_TRUE(pgwire::compare(e, w, obs).differences.empty());
}

// The job comparison, exercised with a stand-in job query that runs on
// PostgreSQL (the real one is CockroachDB's SHOW JOBS): here "jobs" are the
// indexes of the scratch schema, so CREATE INDEX "creates one".
TEST(WireProbe, JobCountsAreComparedWithOnlineJob) {
  const std::string url = seam::test::fresh_database("wire_jobs");
  const Version v = Version::parse(seam::test::query_value(url, "SHOW server_version_num"));
  pgwire::Observer o = pgwire::observer("postgres");
  o.job_count =
      "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = "
      "c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'i'";
  o.jobs_name = "stand-in job query";
  Entry e = seam::compat::builtin("postgres").at("create_index", v);
  ProbeRun r = probe(url, e, o);  // strategy concurrently: no job expected, one "created"
  ASSERT_TRUE(r.w.jobs.has_value());
  EXPECT_EQ(*r.w.jobs, 1);
  ASSERT_EQ(r.v.differences.size(), 1u) << joined(r.v.differences);
  EXPECT_EQ(r.v.differences[0],
            "schema-change job: the matrix says strategy concurrently (no job), observed 1 "
            "job(s) in stand-in job query");
  e.strategy = "online_job";
  EXPECT_TRUE(pgwire::compare(e, r.w, o).differences.empty());
  e = seam::compat::builtin("postgres").at("add_column_nullable", v);
  e.strategy = "online_job";
  r = probe(url, e, o);
  ASSERT_EQ(r.v.differences.size(), 1u) << joined(r.v.differences);
  EXPECT_EQ(r.v.differences[0],
            "schema-change job: the matrix says strategy online_job (a job), observed 0 job(s) "
            "in stand-in job query");
}

// The other products' catalog queries that are plain SQL run on PostgreSQL
// too; the YugabyteDB observer's queries all do, so a whole probe runs.
TEST(WireProbe, OtherObserversCatalogQueriesAreValidSql) {
  const std::string url = seam::test::fresh_database("wire_shapes");
  pgwire::ScratchSchema s(url, "shapes");
  seam::test::run_sql(url, "CREATE TABLE " + seam::schema::quote_ident(s.name()) +
                               ".t (id int PRIMARY KEY, a int NOT NULL DEFAULT 1)");
  for (const auto& d : pgwire::observer_dialects()) {
    const auto& o = pgwire::observer(d);
    pqxx::connection c{url};
    pqxx::nontransaction n{c};
    std::string rows;
    for (const auto& r : n.exec_params(o.shape, s.name())) rows += std::string(r[0].c_str()) + "\n";
    EXPECT_NE(rows.find("relation t "), std::string::npos) << d << ":\n" << rows;
    EXPECT_NE(rows.find("column t.a integer"), std::string::npos) << d << ":\n" << rows;
    EXPECT_NE(rows.find("column t.id"), std::string::npos) << d << ":\n" << rows;
  }
  s.drop();
  EXPECT_EQ(pgwire::observer("spanner-pg").storage_id, "") << "Spanner exposes no storage id";
  EXPECT_THROW(pgwire::observer("tidb"), seam::UnsupportedError);

  const std::string url2 = seam::test::fresh_database("wire_yb");
  const Version v = Version::parse(seam::test::query_value(url2, "SHOW server_version_num"));
  Entry e = seam::compat::builtin("postgres").at("alter_type_rewrite", v);
  ProbeRun r = probe(url2, e, pgwire::observer("yugabytedb"));
  EXPECT_TRUE(r.v.differences.empty()) << joined(r.v.differences);
  EXPECT_TRUE(contains(r.v.measured, "transactional"));
  EXPECT_TRUE(r.w.rewritten.value_or(false));
}

TEST(WireProbe, PostgresProbeIsBorrowedByOp) {
  ASSERT_NE(pgwire::postgres_probe("add_column_nullable"), nullptr);
  EXPECT_EQ(pgwire::postgres_probe("add_column_nullable")->statement,
            "ALTER TABLE t ADD COLUMN d int");
  // create_index_concurrently's last entry (14.4+) has the probe; 14.0-14.3 has none.
  ASSERT_NE(pgwire::postgres_probe("create_index_concurrently"), nullptr);
  EXPECT_EQ(pgwire::postgres_probe("pause_schema_job"), nullptr);
  EXPECT_EQ(pgwire::postgres_probe("ddl_in_transaction"), nullptr);
}

TEST(WireProbe, ScratchSchemaIsDroppedEvenWhenTheProbeFails) {
  const std::string url = seam::test::fresh_database("wire_fail");
  std::string name;
  try {
    pgwire::ScratchSchema s(url, "Bad Hint!");
    name = s.name();
    seam::compat::Probe p;
    p.setup = "CREATE TABLE t (id int)";
    p.statement = "ALTER TABLE t ADD COLUMN nope no_such_type";
    p.table = "t";
    pgwire::run_wire_probe(url, s.name(), p, pgwire::observer("postgres"));
    FAIL() << "a failing statement was not reported";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("the statement fails on its own: type \"no_such_type\" "
                                         "does not exist"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(name.rfind("seam_verify_bad_hint__", 0), 0u) << name;
  EXPECT_EQ(seam::test::query_value(
                url, "SELECT count(*) FROM pg_namespace WHERE nspname = '" + name + "'"),
            "0");
}

}  // namespace
