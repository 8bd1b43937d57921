// The wire probe and the per-product observers; see wire_probe.hpp.
#include "dialects/pgwire/wire_probe.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <stdexcept>

#include <pqxx/pqxx>

#include "dialects/postgres/conn.hpp"
#include "schema/canon.hpp"
#include "schema/errors.hpp"

namespace seam::pgwire {

namespace {

// PostgreSQL's catalog, shared by PostgreSQL and YugabyteDB (a PostgreSQL
// fork). YSQL up to 2024.x is based on PostgreSQL 11, which has no
// pg_attribute.attgenerated, so that column is left out there.
std::string pg_catalog_shape(bool has_attgenerated) {
  const std::string in_schema =
      " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1";
  return "SELECT 'relation ' || c.relname || ' ' || c.relkind::text || ' partition ' || "
         "c.relispartition::text || ' ' || coalesce(array_to_string(c.reloptions, ','), '') "
         "FROM pg_catalog.pg_class c" +
         in_schema +
         " UNION ALL "
         "SELECT 'column ' || c.relname || '.' || a.attname || ' ' || "
         "pg_catalog.format_type(a.atttypid, a.atttypmod) || ' not null ' || "
         "a.attnotnull::text || ' identity ' || a.attidentity::text || " +
         (has_attgenerated ? std::string("' generated ' || a.attgenerated::text || ") : "") +
         "' default ' || coalesce(pg_catalog.pg_get_expr(d.adbin, d.adrelid), '') "
         "FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
         "LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum" +
         in_schema +
         " AND a.attnum > 0 AND NOT a.attisdropped"
         " UNION ALL "
         "SELECT 'constraint ' || coalesce(c.relname, '') || '.' || k.conname || ' ' || "
         "k.contype::text || ' valid ' || k.convalidated::text "
         "FROM pg_catalog.pg_constraint k LEFT JOIN pg_catalog.pg_class c ON c.oid = k.conrelid "
         "JOIN pg_catalog.pg_namespace n ON n.oid = k.connamespace WHERE n.nspname = $1"
         " UNION ALL "
         "SELECT 'trigger ' || c.relname || '.' || t.tgname "
         "FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid" +
         in_schema +
         " AND NOT t.tgisinternal"
         " UNION ALL "
         "SELECT 'enum ' || ty.typname || '.' || e.enumlabel "
         "FROM pg_catalog.pg_enum e JOIN pg_catalog.pg_type ty ON ty.oid = e.enumtypid "
         "JOIN pg_catalog.pg_namespace n ON n.oid = ty.typnamespace WHERE n.nspname = $1"
         " UNION ALL "
         "SELECT 'view ' || c.relname || ' ' || pg_catalog.pg_get_viewdef(c.oid) "
         "FROM pg_catalog.pg_class c" +
         in_schema +
         " AND c.relkind IN ('v', 'm')"
         " UNION ALL "
         "SELECT 'inherits ' || c.relname || ' ' || p.relname "
         "FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid "
         "JOIN pg_catalog.pg_class p ON p.oid = i.inhparent" +
         in_schema;
}

// information_schema only: what CockroachDB and Spanner's PostgreSQL interface
// document. Less detail than the PostgreSQL catalog (no validation state), so
// a VALIDATE CONSTRAINT shows no change and its atomicity stays unobserved.
std::string information_schema_shape(bool with_pg_indexes) {
  std::string q =
      "SELECT 'relation ' || table_name || ' ' || table_type FROM information_schema.tables "
      "WHERE table_schema = $1"
      " UNION ALL "
      "SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' nullable ' "
      "|| is_nullable || ' default ' || coalesce(column_default, '') "
      "FROM information_schema.columns WHERE table_schema = $1"
      " UNION ALL "
      "SELECT 'constraint ' || table_name || '.' || constraint_name || ' ' || constraint_type "
      "FROM information_schema.table_constraints WHERE table_schema = $1";
  if (with_pg_indexes)
    q += " UNION ALL SELECT 'index ' || tablename || '.' || indexname || ' ' || indexdef "
         "FROM pg_catalog.pg_indexes WHERE schemaname = $1";
  return q;
}

const std::string kPgRelationKey =
    "SELECT c.oid::text FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = "
    "c.relnamespace WHERE n.nspname = $1 AND c.relname = $2";
const std::string kPgRelfilenode =
    "SELECT relfilenode::text FROM pg_catalog.pg_class WHERE oid = $1::oid";

const std::map<std::string, Observer>& observers() {
  static const std::map<std::string, Observer> m{
      {"postgres",
       {"postgres", "PostgreSQL", pg_catalog_shape(true), kPgRelationKey, kPgRelfilenode,
        "pg_class.relfilenode", "", "", "PostgreSQL runs DDL in the session, without jobs"}},
      // Not run against YugabyteDB: relfilenode as the DocDB table behind a
      // rewrite is what the YugabyteDB docs describe for 2024.1+.
      {"yugabytedb",
       {"yugabytedb", "YugabyteDB", pg_catalog_shape(false), kPgRelationKey, kPgRelfilenode,
        "pg_class.relfilenode", "", "",
        "YugabyteDB exposes no SQL-visible schema-change jobs (index backfill progress only, in "
        "pg_stat_progress_create_index)"}},
      // Not run against CockroachDB: a column add/drop or a primary key change
      // builds a new primary index (new index id); every schema change runs
      // as a job whose description is the statement with qualified names.
      {"cockroachdb",
       {"cockroachdb", "CockroachDB", information_schema_shape(true),
        "SELECT table_id::STRING FROM crdb_internal.tables WHERE database_name = "
        "current_database() AND schema_name = $1 AND name = $2",
        "SELECT index_id::STRING FROM crdb_internal.table_indexes WHERE descriptor_id = $1::INT8 "
        "AND index_type = 'primary'",
        "primary index id (crdb_internal.table_indexes)",
        "SELECT count(*) FROM [SHOW JOBS] WHERE job_type IN ('SCHEMA CHANGE', 'NEW SCHEMA "
        "CHANGE') AND strpos(description, $1) > 0",
        "SHOW JOBS", ""}},
      // Not run against Spanner: schema changes are long-running operations
      // seen only through the admin API (gcloud spanner operations list), and
      // storage ids are not exposed.
      {"spanner-pg",
       {"spanner-pg", "Spanner (PostgreSQL interface)", information_schema_shape(false), "", "", "",
        "", "",
        "Spanner's schema changes are long-running operations of the admin API, not visible in "
        "SQL"}},
  };
  return m;
}

std::string first_line(const std::string& s) {
  std::string l = s.substr(0, s.find('\n'));
  if (l.rfind("ERROR:", 0) == 0) l = l.substr(6);
  size_t b = l.find_first_not_of(' ');
  return b == std::string::npos ? l : l.substr(b);
}

std::unique_ptr<pqxx::connection> session(const std::string& url, const std::string& schema) {
  auto c = pg::connect(url);
  pqxx::nontransaction n(*c);
  n.exec("SET search_path TO " + schema::quote_ident(schema));
  return c;
}

// The shape rows, sorted and joined: equal strings = nothing visible changed.
std::string shape(pqxx::connection& c, const Observer& o, const std::string& schema) {
  pqxx::nontransaction n(c);
  std::vector<std::string> rows;
  for (const auto& r : n.exec_params(o.shape, schema))
    rows.push_back(r[0].is_null() ? "" : r[0].c_str());
  std::sort(rows.begin(), rows.end());
  std::string out;
  for (const auto& r : rows) out += r + "\n";
  return out;
}

std::string relation_key(pqxx::connection& c, const Observer& o, const std::string& schema,
                         const std::string& table) {
  if (o.relation_key.empty() || table.empty()) return "";
  pqxx::nontransaction n(c);
  auto r = n.exec_params(o.relation_key, schema, table);
  return r.empty() || r[0][0].is_null() ? "" : r[0][0].c_str();
}

std::string storage_id(pqxx::connection& c, const Observer& o, const std::string& key) {
  if (o.storage_id.empty() || key.empty()) return "";
  pqxx::nontransaction n(c);
  auto r = n.exec_params(o.storage_id, key);
  return r.empty() || r[0][0].is_null() ? "" : r[0][0].c_str();
}

long job_count(pqxx::connection& c, const Observer& o, const std::string& schema) {
  if (o.job_count.empty()) return 0;
  pqxx::nontransaction n(c);
  return n.exec_params(o.job_count, schema)[0][0].as<long>();
}

struct Snapshot {
  std::string shape, table_storage, other_storage;
  long jobs = 0;
};

struct Keys {
  std::string table, other;
};

Snapshot snapshot(pqxx::connection& c, const Observer& o, const std::string& schema,
                  const Keys& k) {
  return {shape(c, o, schema), storage_id(c, o, k.table), storage_id(c, o, k.other),
          job_count(c, o, schema)};
}

// A storage id that changed; a relation missing on either side (created or
// dropped by the statement) and PostgreSQL's 0 (a partitioned table has no
// storage) count as not rewritten, as in the PostgreSQL probe.
bool changed(const std::string& before, const std::string& after) {
  return !before.empty() && !after.empty() && before != "0" && before != after;
}

}  // namespace

const Observer& observer(const std::string& dialect) {
  const auto& m = observers();
  auto it = m.find(dialect);
  if (it == m.end())
    throw UnsupportedError("seam compat verify has no wire probe for dialect \"" + dialect +
                           "\" (PostgreSQL-wire dialects: postgres, cockroachdb, yugabytedb, "
                           "spanner-pg); check its matrix by hand (docs/dialects.md)");
  return it->second;
}

std::vector<std::string> observer_dialects() {
  std::vector<std::string> out;
  for (const auto& [d, o] : observers()) out.push_back(d);
  return out;
}

std::optional<bool> WireObservation::transactional() const {
  if (!accepted_in_transaction) return false;
  if (!atomic) return std::nullopt;
  return *atomic;
}

WireObservation run_wire_probe(const std::string& url, const std::string& schema,
                               const compat::Probe& p, const Observer& o) {
  if (p.statement.empty()) throw std::runtime_error("the probe has no statement");
  WireObservation w;
  auto c = session(url, schema);
  if (!p.setup.empty()) {
    try {
      pqxx::nontransaction n(*c);
      n.exec(p.setup);
    } catch (const std::exception& e) {
      throw std::runtime_error("setup failed: " + first_line(e.what()));
    }
  }
  Keys keys{relation_key(*c, o, schema, p.table), relation_key(*c, o, schema, p.other_table)};
  const Snapshot s0 = snapshot(*c, o, schema, keys);

  // (a) Inside BEGIN, then ROLLBACK.
  {
    pqxx::work tx(*c);
    try {
      tx.exec(p.statement);
      w.accepted_in_transaction = true;
    } catch (const pqxx::sql_error& e) {
      w.rejection = first_line(e.what());
    }
    tx.abort();
  }
  const Snapshot s1 = snapshot(*c, o, schema, keys);
  Snapshot before = s1, after = s1;
  if (w.accepted_in_transaction && s1.shape != s0.shape) {
    w.atomic = false;  // its effect outlived the ROLLBACK: committed on its own
    before = s0;
  } else {
    // Undone (or never run): run it on its own to see what it does.
    try {
      pqxx::nontransaction n(*c);
      n.exec(p.statement);
    } catch (const std::exception& e) {
      throw std::runtime_error(
          std::string("the statement fails on its own: ") + first_line(e.what()) +
          (w.accepted_in_transaction ? "" : " (inside BEGIN: " + w.rejection + ")"));
    }
    after = snapshot(*c, o, schema, keys);
    if (w.accepted_in_transaction) {
      if (after.shape != s0.shape)
        w.atomic = true;
      else
        w.not_observed.push_back("whether ROLLBACK undoes it: the statement changes nothing the " +
                                 o.product + " catalog query shows");
    }
  }
  if (o.storage_id.empty()) {
    w.not_observed.push_back("rewrite: " + o.product + " exposes no storage id");
  } else {
    w.storage_before = before.table_storage;
    w.storage_after = after.table_storage;
    w.rewritten = changed(before.table_storage, after.table_storage) ||
                  changed(before.other_storage, after.other_storage);
  }
  if (o.job_count.empty())
    w.not_observed.push_back("schema-change job: " + o.jobs_absent);
  else
    w.jobs = after.jobs - before.jobs;
  return w;
}

WireVerdict compare(const compat::Entry& e, const WireObservation& w, const Observer& o) {
  WireVerdict v;
  auto yn = [](bool b) { return b ? std::string("true") : std::string("false"); };
  if (auto t = w.transactional()) {
    v.measured.push_back("transactional");
    if (*t != e.transactional) {
      std::string seen = !w.accepted_in_transaction
                             ? "the server rejected it inside BEGIN (" + w.rejection + ")"
                         : *w.atomic ? "the server ran it inside BEGIN and ROLLBACK undid it"
                                     : "the server accepted it inside BEGIN but ROLLBACK did not "
                                       "undo it (not atomic)";
      v.differences.push_back("transactional: the matrix says " + yn(e.transactional) + ", but " +
                              seen);
    }
  } else {
    v.unmeasured.push_back(
        "transactional: accepted inside BEGIN, but whether ROLLBACK undoes it is not visible");
  }
  if (w.rewritten) {
    v.measured.push_back("rewrite (" + o.storage_id_name + ")");
    if (*w.rewritten != e.rewrite)
      v.differences.push_back("rewrite: the matrix says " + yn(e.rewrite) + ", observed " +
                              yn(*w.rewritten) + " (" + o.storage_id_name + " " + w.storage_before +
                              " -> " + w.storage_after + ")");
  } else {
    v.unmeasured.push_back("rewrite: " + o.product + " exposes no storage id");
  }
  if (w.jobs) {
    v.measured.push_back("schema-change job (" + o.jobs_name + ")");
    bool expected = e.strategy == "online_job", created = *w.jobs > 0;
    if (expected != created)
      v.differences.push_back("schema-change job: the matrix says strategy " + e.strategy +
                              (expected ? " (a job)" : " (no job)") + ", observed " +
                              std::to_string(*w.jobs) + " job(s) in " + o.jobs_name);
  } else {
    v.unmeasured.push_back("schema-change job: " + o.jobs_absent);
  }
  v.unmeasured.push_back("lock and scan: not observable through the wire probe");
  return v;
}

const compat::Probe* postgres_probe(const std::string& op) {
  const compat::Probe* found = nullptr;
  for (const auto& e : compat::builtin("postgres").entries)
    if (e.op == op && !e.probe.statement.empty()) found = &e.probe;
  return found;
}

}  // namespace seam::pgwire
