// Applying a plan: `seam apply` without the command line.
//
//   executor::ApplyOptions o;
//   o.url = url; o.plan_text = yaml; o.plan_fingerprint = planner::plan_fingerprint(plan);
//   executor::ApplyResult r = executor::apply(plan, o);   // r.state: done, awaiting-approval, ...
//
// What it does, in order:
//  1. connects, creates/migrates the job ledger, takes the lease
//     (executor/lease.hpp: a live holder makes it throw LeaseHeldError);
//  2. finds the plan's job by fingerprint: an unfinished one (running after a
//     crash, paused, failed, awaiting-approval) is resumed as it is; otherwise
//     the live catalog's fingerprint must equal the plan's source fingerprint
//     (DriftError) and a new job is created with one ledger row per step;
//  3. runs the steps in plan order, skipping those the ledger has done:
//     - sql, transactional: one transaction holding the step's SQL and the
//       ledger's step-done record (a crash leaves both or neither), under
//       SET LOCAL lock_timeout / statement_timeout;
//     - sql, non-transactional (CONCURRENTLY, ADD VALUE): recorded running,
//       run alone, recorded done; on failure the step's on_failure SQL runs
//       (e.g. drops the INVALID index), and a step found running on resume is
//       reconciled the same way before it runs again;
//     - a lock timeout (SQLSTATE 55P03) is retried after exponential backoff
//       with jitter, up to max_retries; the sessions blocking the step
//       (pg_blocking_pids, pg_stat_activity) and the number queued behind it
//       are sampled while it waits and recorded in the ledger (steps.blockers,
//       events). Past the budget the job is `failed`, naming the blocker;
//     - backfill: keyset pagination over the step's key; each batch's UPDATE
//       and the cursor advance are one statement in one transaction, so a
//       batch is applied exactly once across crashes. Throttles: batch size,
//       rows per second, sleep between batches, adaptive batch size toward
//       target_batch_ms, replica lag, and the job's pause/cancel flags,
//       checked before every batch;
//     - checkpoint: unless approved (`seam jobs approve`), the job becomes
//       awaiting-approval and apply returns.
//  4. `through` stops after a phase (job state paused; apply again continues).
//
// Every ledger write checks the lease epoch in its transaction; a fenced
// applier throws FencedError having written nothing more. A broken work
// session (pqxx::broken_connection anywhere in the loop) throws
// ConnectionLostError naming the step; the lease is given back so the same
// `seam apply` resumes from the ledger at once.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "executor/ledger.hpp"
#include "executor/metrics.hpp"
#include "planner/plan.hpp"

namespace seam::executor {

// The live catalog is not the one the plan was made from.
struct DriftError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The applier's own session to the database broke (terminated, failover,
// network): the ledger holds what was done; applying again resumes.
struct ConnectionLostError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One progress report: also written to the ledger's events table.
struct Event {
  std::string kind;     // "step-start", "step-done", "lock-timeout", "batch", ...
  std::string step;     // step id, "" for job-level events
  std::string message;  // one line for people
  std::string detail;   // JSON object
  // Backfill batches ("batch"): for progress displays.
  std::string phase;
  int64_t rows_done = -1;      // in this step so far (ledger total)
  int64_t est_rows = 0;        // the plan's estimate for the step (0 = unknown)
  double rows_per_second = 0;  // average since this applier started the step
};

struct ApplyOptions {
  std::string url;
  Ledger ledger;
  std::string plan_text;         // kept in the ledger with the job
  std::string plan_fingerprint;  // identifies the plan's job
  std::optional<planner::Phase> through;
  // Overrides of the plan's throttle; unset = the plan's value.
  std::optional<int64_t> lock_timeout_ms, statement_timeout_ms, batch_size, target_batch_ms,
      max_replica_lag_ms;
  std::optional<int> max_retries;
  std::optional<double> rows_per_second;
  int64_t sleep_ms = 0;  // between backfill batches
  // Policy, off (0) by default: after a lock timeout, terminate the sessions
  // that blocked the step if their transaction is older than this.
  int64_t terminate_blockers_after_ms = 0;
  int64_t lease_ttl_ms = 30000;
  int64_t backoff_base_ms = 250;  // first lock-timeout retry waits about this long
  int64_t backoff_max_ms = 15000;
  std::function<void(const Event&)> on_event;  // progress output (may be empty)
  Metrics* metrics = nullptr;  // updated while applying (executor/metrics.hpp), may be null
};

struct ApplyResult {
  int64_t job = 0;
  std::string state;    // the job's state when apply returned
  std::string message;  // what happened and what to do next
};

ApplyResult apply(const planner::Plan& plan, const ApplyOptions& o);

// The plan's shape rules the executor relies on (unique step ids, backfills
// with a key, sql steps with SQL, a checkpoint before the first contract
// step). Throws seam::InputError naming the step.
void validate_plan(const planner::Plan& plan);

}  // namespace seam::executor
