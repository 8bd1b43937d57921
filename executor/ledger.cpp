// The job ledger's layout, its migrations and its readers (see ledger.hpp).
#include "executor/ledger.hpp"

#include <stdexcept>

#include <pqxx/pqxx>
#include <pqxx/transaction>

#include "planner/plan_render.hpp"
#include "schema/canon.hpp"

namespace seam::executor {

namespace {

// Migration n takes the ledger from version n-1 to n. Appended to, never
// edited: a released seam may have run any prefix of them. "@" stands for the
// quoted schema name.
const char* const kMigrations[] = {
    // 1: the first layout. The schema's comment keeps it out of inspection
    // (dialects/postgres/inspect.hpp kLedgerSchemaComment).
    R"sql(
COMMENT ON SCHEMA @ IS 'seam job ledger';
CREATE TABLE @.lease (
  id integer PRIMARY KEY CHECK (id = 1),
  epoch bigint NOT NULL DEFAULT 0,
  holder_host text,
  holder_pid integer,
  lease_backend integer,
  work_backend integer,
  job_id bigint,
  ttl_ms bigint NOT NULL DEFAULT 30000,
  acquired_at timestamptz,
  heartbeat timestamptz,
  released boolean NOT NULL DEFAULT true
);
INSERT INTO @.lease (id) VALUES (1);
CREATE TABLE @.jobs (
  id bigserial PRIMARY KEY,
  plan_fingerprint text NOT NULL,
  plan_text text NOT NULL,
  state text NOT NULL CHECK (state IN ('running', 'awaiting-approval', 'paused', 'failed', 'cancelled', 'done',
                                        'rolled-back')),
  phase text NOT NULL DEFAULT '',
  step text NOT NULL DEFAULT '',
  holder_host text,
  holder_pid integer,
  lease_epoch bigint,
  pause_requested boolean NOT NULL DEFAULT false,
  cancel_requested boolean NOT NULL DEFAULT false,
  last_error text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX ON @.jobs (plan_fingerprint);
CREATE TABLE @.steps (
  job_id bigint NOT NULL REFERENCES @.jobs ON DELETE CASCADE,
  step_id text NOT NULL,
  position integer NOT NULL,
  kind text NOT NULL,
  phase text NOT NULL,
  state text NOT NULL DEFAULT 'pending',
  attempts integer NOT NULL DEFAULT 0,
  started_at timestamptz,
  finished_at timestamptz,
  last_error text NOT NULL DEFAULT '',
  blockers jsonb,
  PRIMARY KEY (job_id, step_id)
);
CREATE TABLE @.backfill_progress (
  job_id bigint NOT NULL,
  step_id text NOT NULL,
  table_name text NOT NULL,
  last_key jsonb,
  rows_done bigint NOT NULL DEFAULT 0,
  batches bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (job_id, step_id),
  FOREIGN KEY (job_id, step_id) REFERENCES @.steps ON DELETE CASCADE
);
CREATE TABLE @.events (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  job_id bigint,
  step_id text NOT NULL DEFAULT '',
  kind text NOT NULL,
  detail jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX ON @.events (job_id, id);
)sql",
};
constexpr int kMigrationCount = sizeof(kMigrations) / sizeof(kMigrations[0]);
static_assert(kMigrationCount == kLedgerVersion, "one migration per ledger version");

std::string with_schema(const std::string& sql, const std::string& qschema) {
  std::string out;
  for (char ch : sql) {
    if (ch == '@')
      out += qschema;
    else
      out += ch;
  }
  return out;
}

std::string text(const pqxx::field& f) {
  return f.is_null() ? std::string() : f.as<std::string>();
}

int current_version(pqxx::transaction_base& tx, const Ledger& l) {
  auto r = tx.exec_params1("SELECT to_regclass($1) IS NOT NULL",
                           schema::quote_ident(l.schema) + ".version");
  if (!r[0].as<bool>()) return 0;
  auto v = tx.exec("SELECT max(version) FROM " + l.q("version"));
  return v[0][0].is_null() ? 0 : v[0][0].as<int>();
}

}  // namespace

std::string Ledger::q(const char* table) const {
  return schema::quote_ident(schema) + "." + table;
}

bool ledger_exists(pqxx::connection& c, const Ledger& l) {
  pqxx::nontransaction tx(c);
  return tx
      .exec_params1("SELECT to_regclass($1) IS NOT NULL",
                    schema::quote_ident(l.schema) + ".version")[0]
      .as<bool>();
}

void ensure_ledger(pqxx::connection& c, const Ledger& l) {
  {
    pqxx::nontransaction probe(c);
    if (current_version(probe, l) == kLedgerVersion) return;
  }
  pqxx::work tx(c);
  // Serialises first uses: the loser waits, then sees the finished ledger.
  tx.exec_params("SELECT pg_advisory_xact_lock($1, hashtext($2))", kCreateLockClass, l.schema);
  std::string qs = schema::quote_ident(l.schema);
  tx.exec("CREATE SCHEMA IF NOT EXISTS " + qs);
  tx.exec(
      "CREATE TABLE IF NOT EXISTS " + l.q("version") +
      " (version integer NOT NULL, migrated_at timestamptz NOT NULL DEFAULT clock_timestamp())");
  int v = current_version(tx, l);
  if (v > kLedgerVersion)
    throw std::runtime_error("the job ledger in schema " + qs + " has version " +
                             std::to_string(v) +
                             ", written by a newer seam (this one knows version " +
                             std::to_string(kLedgerVersion) + "); use that seam version or newer");
  for (int m = v; m < kLedgerVersion; ++m) {
    tx.exec(with_schema(kMigrations[m], qs));
    tx.exec_params("INSERT INTO " + l.q("version") + " (version) VALUES ($1)", m + 1);
  }
  tx.commit();
}

namespace {

const char* kJobCols =
    "id, plan_fingerprint, state, phase, step, last_error, coalesce(holder_host, ''), "
    "coalesce(holder_pid, 0), "
    "coalesce(lease_epoch, 0), pause_requested, cancel_requested, "
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    "to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";

JobRow job_from(const pqxx::row& r) {
  JobRow j;
  j.id = r[0].as<int64_t>();
  j.plan_fingerprint = text(r[1]);
  j.state = text(r[2]);
  j.phase = text(r[3]);
  j.step = text(r[4]);
  j.last_error = text(r[5]);
  j.holder_host = text(r[6]);
  j.holder_pid = r[7].as<int>();
  j.lease_epoch = r[8].as<int64_t>();
  j.pause_requested = r[9].as<bool>();
  j.cancel_requested = r[10].as<bool>();
  j.created_at = text(r[11]);
  j.updated_at = text(r[12]);
  return j;
}

const char* ts(const char* col) {
  // Stable, timezone-independent timestamps in output.
  static thread_local std::string s;
  s = std::string("to_char(") + col + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";
  return s.c_str();
}

}  // namespace

std::optional<JobRow> read_job(pqxx::transaction_base& tx, const Ledger& l, int64_t id) {
  auto r = tx.exec_params(
      std::string("SELECT ") + kJobCols + " FROM " + l.q("jobs") + " WHERE id = $1", id);
  if (r.empty()) return std::nullopt;
  return job_from(r[0]);
}

std::vector<JobRow> read_jobs(pqxx::transaction_base& tx, const Ledger& l) {
  std::vector<JobRow> out;
  for (const auto& r :
       tx.exec(std::string("SELECT ") + kJobCols + " FROM " + l.q("jobs") + " ORDER BY id"))
    out.push_back(job_from(r));
  return out;
}

std::vector<StepRow> read_steps(pqxx::transaction_base& tx, const Ledger& l, int64_t job) {
  std::vector<StepRow> out;
  std::string started = ts("started_at"), finished = ts("finished_at");
  for (const auto& r :
       tx.exec_params("SELECT step_id, kind, phase, state, last_error, " + started + ", " +
                          finished + ", coalesce(blockers::text, ''), position, attempts FROM " +
                          l.q("steps") + " WHERE job_id = $1 ORDER BY position",
                      job)) {
    StepRow s;
    s.step_id = text(r[0]);
    s.kind = text(r[1]);
    s.phase = text(r[2]);
    s.state = text(r[3]);
    s.last_error = text(r[4]);
    s.started_at = text(r[5]);
    s.finished_at = text(r[6]);
    s.blockers = text(r[7]);
    s.position = r[8].as<int>();
    s.attempts = r[9].as<int>();
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<ProgressRow> read_progress(pqxx::transaction_base& tx, const Ledger& l, int64_t job) {
  std::vector<ProgressRow> out;
  std::string updated = ts("p.updated_at");
  for (const auto& r : tx.exec_params(
           "SELECT p.step_id, p.table_name, coalesce(p.last_key::text, ''), p.rows_done, "
           "p.batches, " +
               updated + " FROM " + l.q("backfill_progress") + " p JOIN " + l.q("steps") +
               " s USING (job_id, step_id) WHERE p.job_id = $1 ORDER BY s.position",
           job)) {
    ProgressRow p;
    p.step_id = text(r[0]);
    p.table_name = text(r[1]);
    p.last_key = text(r[2]);
    p.rows_done = r[3].as<int64_t>();
    p.batches = r[4].as<int64_t>();
    p.updated_at = text(r[5]);
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<EventRow> read_events(pqxx::transaction_base& tx, const Ledger& l, int64_t job,
                                  int limit) {
  std::vector<EventRow> out;
  std::string at = ts("at");
  for (const auto& r : tx.exec_params(
           "SELECT * FROM (SELECT id, " + at + ", step_id, kind, detail::text FROM " +
               l.q("events") + " WHERE job_id = $1 ORDER BY id DESC LIMIT $2) e ORDER BY id",
           job, limit)) {
    EventRow e;
    e.id = r[0].as<int64_t>();
    e.at = text(r[1]);
    e.step_id = text(r[2]);
    e.kind = text(r[3]);
    e.detail = text(r[4]);
    out.push_back(std::move(e));
  }
  return out;
}

std::string read_plan_text(pqxx::transaction_base& tx, const Ledger& l, int64_t job) {
  auto r = tx.exec_params("SELECT plan_text FROM " + l.q("jobs") + " WHERE id = $1", job);
  if (r.empty()) throw std::runtime_error("no job " + std::to_string(job) + " in the ledger");
  return text(r[0][0]);
}

void add_event(pqxx::transaction_base& tx, const Ledger& l, int64_t job, const std::string& step,
               const std::string& kind, const std::string& detail_json) {
  tx.exec_params("INSERT INTO " + l.q("events") +
                     " (job_id, step_id, kind, detail) VALUES ($1, $2, $3, $4::jsonb)",
                 job, step, kind, detail_json.empty() ? std::string("{}") : detail_json);
}

std::string json_str(const std::string& s) { return planner::json_quote(s); }

}  // namespace seam::executor
