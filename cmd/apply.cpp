// `seam apply PLAN --db URL`: runs a plan file through the executor
// (executor/apply.hpp) with the job ledger in the target database.
//
// Exit codes: 0 the job is done, waits at a checkpoint (the message says how
// to approve) or stopped after --through; 1 a step failed (the job can be
// resumed: run the same command again), the lease was lost, or another error;
// 2 the database drifted since the plan was made; 74 the applier's connection
// broke (run the same command again to resume); 75 another applier holds
// the lease (the message names it).
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>

#include <unistd.h>

#include "cmd/commands.hpp"
#include "cmd/desired.hpp"
#include "dialects/postgres/conn.hpp"
#include "dialects/postgres/fingerprint.hpp"
#include "dialects/postgres/inspect.hpp"
#include "executor/apply.hpp"
#include "executor/drift.hpp"
#include "executor/lease.hpp"
#include "planner/plan_yaml.hpp"
#include "schema/errors.hpp"

namespace seam::cmd {

namespace {

struct ApplyArgs {
  std::string metrics_addr;
  std::string plan_path, db, schema_path, dev_url, ledger_schema = executor::kDefaultLedgerSchema,
                                                   through, log_format = "text";
  std::optional<int64_t> lock_timeout, statement_timeout, batch_size, target_batch_ms,
      max_replica_lag_ms;
  std::optional<int> max_retries;
  std::optional<double> rows_per_second;
  int64_t sleep_ms = 0, lease_ttl_ms = 30000, terminate_blockers_after_ms = 0;
};

std::string utc_now() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];  // room for any int the format can print (no -Wformat-truncation)
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

// "[backfill] backfill-003-t-v2  [#######.....]  58%  116000/200000 rows  950 rows/s  ETA 1m28s"
std::string progress_line(const executor::Event& e) {
  std::string s = "[" + e.phase + "] " + e.step + "  ";
  double frac =
      e.est_rows > 0
          ? std::min(1.0, static_cast<double>(e.rows_done) / static_cast<double>(e.est_rows))
          : -1;
  if (frac >= 0) {
    int filled = static_cast<int>(frac * 20);
    s += "[" + std::string(filled, '#') + std::string(20 - filled, '.') + "] " +
         std::to_string(static_cast<int>(frac * 100)) + "%  " + std::to_string(e.rows_done) + "/" +
         std::to_string(e.est_rows) + " rows";
  } else {
    s += std::to_string(e.rows_done) + " rows";
  }
  char buf[96];
  std::snprintf(buf, sizeof buf, "  %.0f rows/s", e.rows_per_second);
  s += buf;
  if (frac >= 0 && e.rows_per_second > 0 && e.est_rows > e.rows_done) {
    auto eta =
        static_cast<int64_t>(static_cast<double>(e.est_rows - e.rows_done) / e.rows_per_second);
    std::snprintf(buf, sizeof buf, "  ETA %lldm%02llds", static_cast<long long>(eta / 60),
                  static_cast<long long>(eta % 60));
    s += buf;
  }
  return s;
}

// With --schema, what the drift is (executor/drift.hpp); otherwise how to see it.
void explain_drift(const ApplyArgs& a, const planner::Plan& plan) {
  if (a.schema_path.empty()) {
    std::cerr << "seam: give --schema PATH (the desired state the plan was made for) to list what "
                 "differs\n";
    return;
  }
  schema::Catalog desired = load_desired(a.schema_path, a.dev_url, true);
  if (!plan.desired_fingerprint.empty() &&
      pg::catalog_fingerprint(desired) != plan.desired_fingerprint)
    std::cerr << "seam: note: " << a.schema_path
              << " is not the desired state the plan was made for (its fingerprint differs too)\n";
  auto conn = pg::connect(a.db);
  pg::InspectOptions io;
  io.exclude_schemas = {a.ledger_schema};
  auto lines = executor::explain_drift(plan, pg::inspect(*conn, io), desired);
  if (lines.empty())
    std::cerr << "seam: the changes needed are the plan's, but objects differ in detail; run `seam "
                 "plan` again\n";
  for (const auto& l : lines) std::cerr << "seam:   " << l << "\n";
}

// The executor (ledger, lease, lock_timeout retries, CONCURRENTLY cleanup,
// backfill batches) speaks PostgreSQL only; a plan for another product is
// stopped before anything connects.
void refuse_other_dialects(const planner::Plan& plan, const std::string& path) {
  if (plan.dialect == "postgres") return;
  throw UnsupportedError(
      path + " is a plan for " + plan.dialect + " " + plan.server_version +
      ": seam's executor runs PostgreSQL plans only today, so `seam apply` does not run it. Review "
      "it (`seam plan --format md|sql`), then run its steps in order with the product's own "
      "client, one statement at a time outside a transaction, waiting for each background job, "
      "and stop at the checkpoint until its conditions hold (docs/dialects.md)");
}

int run_apply(const ApplyArgs& a) {
  std::ifstream in(a.plan_path, std::ios::binary);
  if (!in) throw InputError(a.plan_path + ": cannot read the plan file");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  planner::Plan plan = planner::plan_from_yaml(text, a.plan_path);
  refuse_other_dialects(plan, a.plan_path);

  executor::ApplyOptions o;
  o.url = a.db;
  o.ledger.schema = a.ledger_schema;
  o.plan_text = text;
  o.plan_fingerprint = planner::plan_fingerprint(plan);
  if (!a.through.empty()) {
    try {
      o.through = planner::phase_from_string(a.through);
    } catch (const std::invalid_argument& e) {
      throw InputError(std::string("--through: ") + e.what());
    }
  }
  o.lock_timeout_ms = a.lock_timeout;
  o.statement_timeout_ms = a.statement_timeout;
  o.batch_size = a.batch_size;
  o.target_batch_ms = a.target_batch_ms;
  o.max_replica_lag_ms = a.max_replica_lag_ms;
  o.max_retries = a.max_retries;
  o.rows_per_second = a.rows_per_second;
  o.sleep_ms = a.sleep_ms;
  o.lease_ttl_ms = a.lease_ttl_ms;
  o.terminate_blockers_after_ms = a.terminate_blockers_after_ms;
  bool json = a.log_format == "json";
  // On a terminal, backfill batches redraw one progress line instead of
  // printing a line each.
  auto bar_shown = std::make_shared<bool>(false);
  auto last_line = std::make_shared<std::string>();
  bool tty = !json && ::isatty(STDOUT_FILENO);
  // A closed stdout (`| head`) must not kill the applier mid-step.
  std::signal(SIGPIPE, SIG_IGN);
  o.on_event = [json, tty, bar_shown, last_line](const executor::Event& e) {
    if (json) {
      std::cout << "{\"ts\": " << executor::json_str(utc_now())
                << ", \"kind\": " << executor::json_str(e.kind)
                << ", \"step\": " << executor::json_str(e.step)
                << ", \"message\": " << executor::json_str(e.message)
                << ", \"detail\": " << (e.detail.empty() ? "{}" : e.detail) << "}" << std::endl;
      return;
    }
    if (e.kind == "batch") {
      if (tty) {
        std::cout << "\r\033[K" << progress_line(e) << std::flush;
        *bar_shown = true;
      }
      return;  // not a line per batch in logs
    }
    if (*bar_shown) std::cout << "\r\033[K";
    *bar_shown = false;
    std::cout << "seam: " << e.message << std::endl;
    *last_line = e.message;
  };
  executor::Metrics metrics;
  std::unique_ptr<executor::MetricsServer> server;
  if (!a.metrics_addr.empty()) {
    server = std::make_unique<executor::MetricsServer>(a.metrics_addr, metrics);
    o.metrics = &metrics;
    std::cerr << "seam: serving Prometheus metrics on http://"
              << a.metrics_addr.substr(0, a.metrics_addr.rfind(':')) << ":" << server->port()
              << "/metrics\n";
  }
  try {
    auto r = executor::apply(plan, o);
    if (json)
      std::cout << "{\"ts\": " << executor::json_str(utc_now())
                << ", \"kind\": \"result\", \"job\": " << r.job
                << ", \"state\": " << executor::json_str(r.state)
                << ", \"message\": " << executor::json_str(r.message) << "}" << std::endl;
    else if (r.message != *last_line)
      std::cout << "seam: " << r.message << std::endl;
    if (r.state == "failed" || r.state == "cancelled") {
      std::cerr << "seam: " << r.message << "\n";
      return kError;
    }
    return kOk;
  } catch (const executor::LeaseHeldError& e) {
    std::cerr << "seam: " << e.what() << "\n";
    return kBusy;
  } catch (const executor::DriftError& e) {
    std::cerr << "seam: " << e.what() << "\n";
    explain_drift(a, plan);
    return kDifferences;
  } catch (const executor::FencedError& e) {
    std::cerr << "seam: " << e.what() << "\n";
    return kError;
  } catch (const executor::ConnectionLostError& e) {
    std::cerr << "seam: " << e.what() << "\n";
    return kConnectionLost;
  }
}

}  // namespace

void register_apply(CLI::App& app) {
  auto a = std::make_shared<ApplyArgs>();
  CLI::App* sub = app.add_subcommand(
      "apply", "Apply a plan file, resumably, with a job ledger in the database");
  sub->add_option("plan", a->plan_path, "Plan file written by `seam plan` (YAML)")->required();
  sub->add_option("--db", a->db, "Connection URL of the target database (default: $DATABASE_URL)")
      ->envname("DATABASE_URL")
      ->required();
  sub->add_option(
      "--schema", a->schema_path,
      "Desired-state .sql file or directory the plan was made for: on drift, lists what differs");
  sub->add_option("--dev-url", a->dev_url,
                  "Load --schema through a scratch database on this server");
  sub->add_option("--ledger-schema", a->ledger_schema, "Schema of the job ledger (default seam)");
  sub->add_option("--through", a->through, "Stop after this phase: expand, dual-write or backfill")
      ->check(CLI::IsMember({"expand", "dual-write", "backfill"}));
  sub->add_option("--lock-timeout", a->lock_timeout,
                  "lock_timeout of every step, ms (default: the plan's)");
  sub->add_option("--statement-timeout", a->statement_timeout,
                  "statement_timeout of every step, ms (0 = none)");
  sub->add_option("--max-retries", a->max_retries,
                  "Lock-timeout retries per step before the job stops");
  sub->add_option("--batch-size", a->batch_size, "Backfill rows per batch");
  sub->add_option("--max-rows-per-second", a->rows_per_second, "Backfill rate limit (0 = none)");
  sub->add_option("--target-batch-ms", a->target_batch_ms,
                  "Adapt the batch size toward this duration (0 = fixed)");
  sub->add_option("--sleep-ms", a->sleep_ms, "Pause between backfill batches, ms");
  sub->add_option("--max-replica-lag-ms", a->max_replica_lag_ms,
                  "Pause the backfill while replica lag is above this");
  sub->add_option(
      "--lease-ttl-ms", a->lease_ttl_ms,
      "A heartbeat older than this lets another applier take the lease over (default 30000)");
  sub->add_option("--terminate-blockers-after-ms", a->terminate_blockers_after_ms,
                  "Policy (off by default): after a lock timeout, terminate blocking sessions "
                  "whose transaction is "
                  "older than this");
  sub->add_option(
      "--metrics-addr", a->metrics_addr,
      "Serve Prometheus metrics on HOST:PORT (GET /metrics) while applying; port 0 picks one");
  sub->add_option("--log-format", a->log_format, "text or json (one JSON object per line)")
      ->check(CLI::IsMember({"text", "json"}));
  sub->callback([a] {
    int rc = run_apply(*a);
    if (rc != kOk) std::exit(rc);
  });
}

}  // namespace seam::cmd
