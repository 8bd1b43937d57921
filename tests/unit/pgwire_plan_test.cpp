// The pgwire planner without a server (catalogs from SQL text through the
// offline loader): the matrix drives every choice - a verified override drops
// the dialect-unverified hazard, a missing entry or an unsupported one stops
// the plan naming the change, product, version and notes - and the products'
// type rules (CockroachDB's INT4, Spanner's missing integer widths, which
// type change is which op). The golden cases (dialect_golden_test) show whole
// plans; these pin the rules behind them.
#include <algorithm>

#include <gtest/gtest.h>

#include "compat-matrix/matrix.hpp"
#include "compat-matrix/override.hpp"
#include "dialects/pgwire/plan.hpp"
#include "dialects/pgwire/product.hpp"
#include "differ/diff.hpp"
#include "planner/plan_yaml.hpp"
#include "schema/errors.hpp"
#include "schema/load.hpp"

namespace {

using namespace seam;

schema::Catalog cat(const std::string& sql) {
  return schema::load_sql(sql).catalog;
}

struct Planned {
  planner::Plan plan;
  std::string error;  // the UnsupportedError's message, "" when planned
};

Planned plan(const std::string& dialect, const std::string& version, const std::string& from,
             const std::string& to, const compat::Matrix* matrix = nullptr) {
  schema::Catalog a = cat(from), b = cat(to);
  pgwire::PlanInput in;
  in.dialect = dialect;
  in.version = version == "all" ? compat::Version{1, -1} : compat::Version::parse(version);
  in.matrix = matrix ? matrix : &compat::builtin(dialect);
  Planned p;
  try {
    p.plan = pgwire::make_plan(differ::diff(a, b), a, b, in);
  } catch (const UnsupportedError& e) {
    p.error = e.what();
  }
  return p;
}

bool has_hazard(const planner::Step& s, planner::HazardType t) {
  return std::any_of(s.hazards.begin(), s.hazards.end(),
                     [&](const planner::Hazard& h) { return h.type == t; });
}

const char* kAccounts = "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);";
const char* kAccountsIndexed =
    "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);"
    "CREATE INDEX accounts_email_idx ON accounts (email);";

TEST(PgwirePlan, IndexIsOnePlainOnlineJobStepFlaggedUnverified) {
  auto p = plan("cockroachdb", "24.3", kAccounts, kAccountsIndexed);
  ASSERT_EQ(p.error, "");
  ASSERT_EQ(p.plan.steps.size(), 1u);
  const auto& s = p.plan.steps[0];
  EXPECT_EQ(s.op, "create_index");
  EXPECT_EQ(s.sql, "CREATE INDEX accounts_email_idx ON public.accounts (email);\n");
  EXPECT_FALSE(s.transactional);
  EXPECT_TRUE(s.locks.empty());
  EXPECT_TRUE(has_hazard(s, planner::HazardType::DialectUnverified));
  EXPECT_TRUE(has_hazard(s, planner::HazardType::LongRunning));
  EXPECT_NE(s.message.find("PAUSE JOB"), std::string::npos) << s.message;
  EXPECT_EQ(p.plan.dialect, "cockroachdb");
  EXPECT_EQ(p.plan.server_version, "24.3");
}

TEST(PgwirePlan, AVerifiedOverrideDropsTheDialectUnverifiedHazard) {
  compat::Matrix over = compat::parse(R"(dialect: cockroachdb
product: CockroachDB
entries:
  - op: create_index
    versions: "24.3"
    lock: none
    rewrite: false
    scan: true
    transactional: false
    strategy: online_job
    notes: "Measured on our cluster."
    source: "https://example.invalid/our-runbook"
)",
                                      "override.yaml");
  compat::Matrix m = compat::layer(compat::builtin("cockroachdb"), over);
  auto p = plan("cockroachdb", "24.3", kAccounts, kAccountsIndexed, &m);
  ASSERT_EQ(p.error, "");
  ASSERT_EQ(p.plan.steps.size(), 1u);
  EXPECT_FALSE(has_hazard(p.plan.steps[0], planner::HazardType::DialectUnverified));
  EXPECT_NE(p.plan.steps[0].message.find("Measured on our cluster."), std::string::npos);
  // Outside the override's range the built-in, unverified entry applies.
  auto q = plan("cockroachdb", "25.1", kAccounts, kAccountsIndexed, &m);
  ASSERT_EQ(q.error, "");
  EXPECT_TRUE(has_hazard(q.plan.steps[0], planner::HazardType::DialectUnverified));
}

TEST(PgwirePlan, AMissingEntryIsRefusedNotGuessed) {
  compat::Matrix m = compat::builtin("cockroachdb");
  m.entries.erase(std::remove_if(m.entries.begin(), m.entries.end(),
                                 [](const compat::Entry& e) { return e.op == "create_index"; }),
                  m.entries.end());
  auto p = plan("cockroachdb", "24.3", kAccounts, kAccountsIndexed, &m);
  EXPECT_NE(p.error.find("add index public.accounts_email_idx"), std::string::npos) << p.error;
  EXPECT_NE(p.error.find("no operation create_index"), std::string::npos) << p.error;
  EXPECT_NE(p.error.find("CockroachDB 24.3"), std::string::npos) << p.error;
  // A version the matrix does not cover at all.
  auto old = plan("cockroachdb", "22.2", kAccounts, kAccountsIndexed);
  EXPECT_NE(old.error.find("22.2"), std::string::npos) << old.error;
}

TEST(PgwirePlan, AnUnsupportedEntryStopsWithItsNotes) {
  auto p = plan("spanner-pg", "all",
                "CREATE TYPE mood AS ENUM ('ok'); CREATE TABLE d (id bigint PRIMARY KEY, m mood);",
                "CREATE TYPE mood AS ENUM ('ok', 'sad'); CREATE TABLE d (id bigint PRIMARY KEY, m "
                "mood);");
  EXPECT_NE(p.error.find("add_enum_value is not supported on Spanner (PostgreSQL interface)"),
            std::string::npos)
      << p.error;
  EXPECT_NE(p.error.find("No user-defined types"), std::string::npos) << p.error;
}

TEST(PgwirePlan, ChangesNoMatrixOpCoversAreRefused) {
  auto p = plan("yugabytedb", "2024.2", kAccounts,
                std::string(kAccounts) + "CREATE SEQUENCE invoice_no;");
  EXPECT_NE(p.error.find("add sequence public.invoice_no"), std::string::npos) << p.error;
  EXPECT_NE(p.error.find("no compat-matrix operation covers it"), std::string::npos) << p.error;
}

// A new view is create_view in expand after the table it reads; Spanner's
// CREATE VIEW says SQL SECURITY INVOKER, the others' do not.
TEST(PgwirePlan, AnAddedViewIsCreatedAfterWhatItReads) {
  const char* to =
      "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);"
      "CREATE TABLE notes (id bigint PRIMARY KEY, body text);"
      "CREATE VIEW note_bodies AS SELECT notes.id, notes.body FROM notes;";
  for (const char* d : {"cockroachdb", "yugabytedb", "spanner-pg"}) {
    SCOPED_TRACE(d);
    auto p = plan(d,
                  d == std::string("cockroachdb")  ? "24.3"
                  : d == std::string("yugabytedb") ? "2.20"
                                                   : "all",
                  kAccounts, to);
    ASSERT_EQ(p.error, "");
    ASSERT_EQ(p.plan.steps.size(), 2u);
    // The view's dependency keys need public.notes: the table comes first.
    EXPECT_EQ(p.plan.steps[0].op, "create_table");
    const auto& v = p.plan.steps[1];
    EXPECT_EQ(v.op, "create_view");
    EXPECT_EQ(v.phase, planner::Phase::Expand);
    EXPECT_FALSE(v.transactional);
    EXPECT_TRUE(v.locks.empty());
    EXPECT_TRUE(has_hazard(v, planner::HazardType::DialectUnverified));
    std::string head = d == std::string("spanner-pg")
                           ? "CREATE VIEW public.note_bodies SQL SECURITY INVOKER AS\n"
                           : "CREATE VIEW public.note_bodies AS\n";
    EXPECT_EQ(v.sql.substr(0, head.size()), head) << v.sql;
  }
}

// What the products' CREATE VIEW does not take is refused, never rendered
// half-right: WITH options, a materialized view. A column list is loaded as
// aliases in the query, which Spanner's CREATE VIEW (no column list) takes.
TEST(PgwirePlan, ViewsThePlannerCannotRenderAreRefused) {
  auto cols =
      plan("spanner-pg", "all", kAccounts,
           std::string(kAccounts) + "CREATE VIEW v (k) AS SELECT accounts.id FROM accounts;");
  ASSERT_EQ(cols.error, "");
  ASSERT_EQ(cols.plan.steps.size(), 1u);
  EXPECT_EQ(
      cols.plan.steps[0].sql,
      "CREATE VIEW public.v SQL SECURITY INVOKER AS\nSELECT accounts.id AS k FROM accounts;\n");
  auto opts = plan("yugabytedb", "2024.2", kAccounts,
                   std::string(kAccounts) +
                       "CREATE VIEW v WITH (security_barrier = true) AS SELECT accounts.id FROM "
                       "accounts;");
  EXPECT_NE(opts.error.find("has options WITH"), std::string::npos) << opts.error;
  auto mat = plan(
      "cockroachdb", "24.3", kAccounts,
      std::string(kAccounts) + "CREATE MATERIALIZED VIEW v AS SELECT accounts.id FROM accounts;");
  EXPECT_NE(mat.error.find("materialized"), std::string::npos) << mat.error;
}

// A changed view is replace_view: DROP VIEW, then the product's CREATE VIEW.
TEST(PgwirePlan, AChangedViewIsRecreatedInTheProductsSpelling) {
  std::string from = std::string(kAccounts) + "CREATE VIEW v AS SELECT accounts.id FROM accounts;";
  std::string to =
      std::string(kAccounts) + "CREATE VIEW v AS SELECT accounts.id, accounts.email FROM accounts;";
  auto p = plan("spanner-pg", "all", from, to);
  ASSERT_EQ(p.error, "");
  ASSERT_EQ(p.plan.steps.size(), 2u);
  EXPECT_EQ(p.plan.steps[0].sql, "DROP VIEW public.v;\n");
  EXPECT_EQ(p.plan.steps[1].sql,
            "CREATE VIEW public.v SQL SECURITY INVOKER AS\nSELECT accounts.id, accounts.email FROM "
            "accounts;\n");
  for (const auto& s : p.plan.steps) EXPECT_EQ(s.op, "replace_view");
  auto c = plan("cockroachdb", "24.3", from, to);
  ASSERT_EQ(c.error, "");
  ASSERT_EQ(c.plan.steps.size(), 2u);
  EXPECT_EQ(c.plan.steps[1].sql.rfind("CREATE VIEW public.v AS\n", 0), 0u) << c.plan.steps[1].sql;
}

// Spanner refuses DROP TABLE while the table has secondary indexes: each is
// dropped in its own contract step first. CockroachDB drops them with the table.
TEST(PgwirePlan, SpannerDropsATablesIndexesBeforeTheTable) {
  std::string from = std::string(kAccountsIndexed) +
                     "CREATE INDEX accounts_id_email_idx ON accounts (id, email);"
                     "CREATE TABLE keep (id bigint PRIMARY KEY);";
  const char* to = "CREATE TABLE keep (id bigint PRIMARY KEY);";
  auto p = plan("spanner-pg", "all", from, to);
  ASSERT_EQ(p.error, "");
  std::vector<const planner::Step*> sql;
  for (const auto& s : p.plan.steps)
    if (s.kind == planner::StepKind::Sql) sql.push_back(&s);
  ASSERT_EQ(sql.size(), 3u);
  EXPECT_EQ(sql[0]->sql, "DROP INDEX public.accounts_email_idx;\n");
  EXPECT_EQ(sql[1]->sql, "DROP INDEX public.accounts_id_email_idx;\n");
  EXPECT_EQ(sql[2]->sql, "DROP TABLE public.accounts;\n");
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(sql[i]->op, "drop_index");
    EXPECT_EQ(sql[i]->phase, planner::Phase::Contract);
    EXPECT_NE(std::find(sql[2]->depends_on.begin(), sql[2]->depends_on.end(), sql[i]->id),
              sql[2]->depends_on.end());
  }
  auto c = plan("cockroachdb", "24.3", from, to);
  ASSERT_EQ(c.error, "");
  int sql_steps = 0;
  for (const auto& s : c.plan.steps)
    if (s.kind == planner::StepKind::Sql) {
      ++sql_steps;
      EXPECT_EQ(s.op, "drop_table");
    }
  EXPECT_EQ(sql_steps, 1);
}

// DROP CONSTRAINT is one op per kind: the products differ exactly there.
TEST(PgwirePlan, DroppingAUniqueConstraintOrPrimaryKeyIsTheProducts) {
  const char* unique =
      "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL, "
      "CONSTRAINT accounts_email_key UNIQUE (email));";
  auto c = plan("cockroachdb", "24.3", unique, kAccounts);
  ASSERT_EQ(c.error, "");
  ASSERT_EQ(c.plan.steps.size(), 2u);  // the contract checkpoint, then the drop
  const auto& s = c.plan.steps.back();
  EXPECT_EQ(s.op, "drop_unique_constraint");
  EXPECT_EQ(s.phase, planner::Phase::Contract);
  // CockroachDB's DROP CONSTRAINT does not drop a UNIQUE constraint (cockroach#42840).
  EXPECT_EQ(s.sql, "DROP INDEX public.accounts@accounts_email_key CASCADE;\n");
  EXPECT_NE(s.message.find("CASCADE also drops an inbound foreign key"), std::string::npos)
      << s.message;
  EXPECT_TRUE(has_hazard(s, planner::HazardType::DialectUnverified));

  auto y = plan("yugabytedb", "2024.2", unique, kAccounts);
  ASSERT_EQ(y.error, "");
  EXPECT_EQ(y.plan.steps.back().op, "drop_unique_constraint");
  EXPECT_EQ(y.plan.steps.back().sql,
            "ALTER TABLE public.accounts DROP CONSTRAINT accounts_email_key;\n");
  EXPECT_FALSE(has_hazard(y.plan.steps.back(), planner::HazardType::BlockingLock));

  const char* keyed = "CREATE TABLE events (id bigint CONSTRAINT events_pkey PRIMARY KEY);";
  const char* keyless = "CREATE TABLE events (id bigint NOT NULL);";
  // CockroachDB drops a primary key only together with a new one: refused.
  auto cp = plan("cockroachdb", "25.1", keyed, keyless);
  EXPECT_NE(cp.error.find("drop_primary_key is not supported on CockroachDB 25.1"),
            std::string::npos)
      << cp.error;
  EXPECT_NE(cp.error.find("ALTER PRIMARY KEY"), std::string::npos) << cp.error;
  // YugabyteDB rewrites the table: planned, but as a blocking step.
  auto yp = plan("yugabytedb", "2.20", keyed, keyless);
  ASSERT_EQ(yp.error, "");
  const auto& ys = yp.plan.steps.back();
  EXPECT_EQ(ys.op, "drop_primary_key");
  EXPECT_TRUE(has_hazard(ys, planner::HazardType::BlockingLock));
  EXPECT_TRUE(has_hazard(ys, planner::HazardType::TableRewrite));
  // Spanner's matrix has no such operation: refused, not guessed.
  auto sp = plan("spanner-pg", "all", keyed, keyless);
  EXPECT_NE(sp.error.find("no operation drop_primary_key"), std::string::npos) << sp.error;
  // A CHECK is still drop_constraint, in DROP CONSTRAINT form.
  auto ck =
      plan("cockroachdb", "24.3", "CREATE TABLE t (n int4, CONSTRAINT t_n_check CHECK (n > 0));",
           "CREATE TABLE t (n int4);");
  ASSERT_EQ(ck.error, "");
  EXPECT_EQ(ck.plan.steps.back().op, "drop_constraint");
  EXPECT_EQ(ck.plan.steps.back().sql, "ALTER TABLE public.t DROP CONSTRAINT t_n_check;\n");
}

TEST(PgwirePlan, CockroachDBRendersIntegerAsInt4) {
  auto p = plan("cockroachdb", "25.1", kAccounts,
                "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL, n integer);");
  ASSERT_EQ(p.error, "");
  ASSERT_EQ(p.plan.steps.size(), 1u);
  EXPECT_EQ(p.plan.steps[0].sql, "ALTER TABLE public.accounts ADD COLUMN n int4;\n");
}

TEST(PgwirePlan, TypeChangeOpIsTheProducts) {
  const char* from = "CREATE TABLE t (id bigint PRIMARY KEY, a integer NOT NULL, s varchar(10));";
  const char* wider = "CREATE TABLE t (id bigint PRIMARY KEY, a bigint NOT NULL, s varchar(10));";
  const char* longer = "CREATE TABLE t (id bigint PRIMARY KEY, a integer NOT NULL, s varchar(20));";
  // CockroachDB stores every integer alike: INT4 -> INT8 is no rewrite.
  auto c = plan("cockroachdb", "23.2", from, wider);
  ASSERT_EQ(c.error, "");
  ASSERT_EQ(c.plan.steps.size(), 1u);
  EXPECT_EQ(c.plan.steps[0].op, "alter_type_binary_coercible");
  // YugabyteDB rewrites it, as PostgreSQL does: a shadow column with a trigger.
  auto y = plan("yugabytedb", "2024.2", from, wider);
  ASSERT_EQ(y.error, "");
  ASSERT_GT(y.plan.steps.size(), 5u);
  EXPECT_EQ(y.plan.steps[0].op, "add_column_nullable");
  EXPECT_TRUE(std::any_of(y.plan.steps.begin(), y.plan.steps.end(),
                          [](const planner::Step& s) { return s.op == "create_trigger"; }));
  // A longer varchar is metadata only on YugabyteDB 2024+, and has no entry on 2.20.
  auto y2 = plan("yugabytedb", "2024.2", from, longer);
  ASSERT_EQ(y2.error, "");
  EXPECT_EQ(y2.plan.steps[0].op, "alter_type_binary_coercible");
  auto y20 = plan("yugabytedb", "2.20", from, longer);
  EXPECT_NE(y20.error.find("alter_type_binary_coercible"), std::string::npos) << y20.error;
  // Spanner has no 4-byte integer at all.
  auto s = plan("spanner-pg", "all", from, wider);
  EXPECT_NE(s.error.find("type integer does not exist"), std::string::npos) << s.error;
}

TEST(PgwirePlan, AppDualWriteCheckpointAddressesTheApplication) {
  const char* from = "CREATE TABLE t (id bigint PRIMARY KEY, a bigint NOT NULL);";
  const char* to = "CREATE TABLE t (id bigint PRIMARY KEY, a numeric NOT NULL);";
  auto p = plan("cockroachdb", "24.1", from, to);
  ASSERT_EQ(p.error, "");
  auto cp = std::find_if(p.plan.steps.begin(), p.plan.steps.end(), [](const planner::Step& s) {
    return s.kind == planner::StepKind::Checkpoint;
  });
  ASSERT_NE(cp, p.plan.steps.end());
  EXPECT_EQ(cp->message.rfind("CockroachDB 24.1 has no triggers", 0), 0u) << cp->message;
  EXPECT_NE(cp->message.find("APPLICATION must write both columns"), std::string::npos);
  // No trigger before 24.3; on 24.3 the trigger keeps the copy and the
  // checkpoint is the standard one.
  EXPECT_FALSE(std::any_of(p.plan.steps.begin(), p.plan.steps.end(),
                           [](const planner::Step& s) { return s.op == "create_trigger"; }));
  auto t = plan("cockroachdb", "24.3", from, to);
  ASSERT_EQ(t.error, "");
  for (const auto& s : t.plan.steps) {
    if (s.kind == planner::StepKind::Checkpoint) {
      EXPECT_EQ(s.message.find("APPLICATION"), std::string::npos) << s.message;
    }
  }
}

TEST(PgwirePlan, Deterministic) {
  const char* from =
      "CREATE TABLE t (id bigint PRIMARY KEY, a integer NOT NULL, b text);"
      "CREATE TABLE u (id bigint PRIMARY KEY, b text);";
  const char* to =
      "CREATE TABLE t (id bigint PRIMARY KEY, a bigint NOT NULL, b text);"
      "CREATE TABLE u (id bigint PRIMARY KEY, c text NOT NULL DEFAULT 'x');"
      "CREATE INDEX u_c_idx ON u (c);";
  auto a = plan("yugabytedb", "2024.2", from, to);
  auto b = plan("yugabytedb", "2024.2", from, to);
  ASSERT_EQ(a.error, "");
  EXPECT_GT(a.plan.steps.size(), 8u);
  EXPECT_EQ(planner::to_yaml(a.plan), planner::to_yaml(b.plan));
}

TEST(PgwirePlan, ProductsAreTheThreeDialects) {
  EXPECT_EQ(pgwire::product_dialects(),
            (std::vector<std::string>{"cockroachdb", "spanner-pg", "yugabytedb"}));
  EXPECT_THROW(pgwire::product("postgres"), UnsupportedError);
  EXPECT_EQ(pgwire::version_text("spanner-pg", compat::Version{1, -1}), "all");
  EXPECT_EQ(pgwire::version_text("cockroachdb", compat::Version::parse("v24.3.1")), "24.3");
}

}  // namespace
