// `seam rehearse`: apply a plan to a staging database while injecting the
// faults a client can cause, then prove the result: the catalog the plan
// promised and backfilled data that is right and was written exactly once.
//
//   RehearseOptions o;
//   o.url = staging_url; o.plan_path = "plan.yaml";
//   o.applier = {"/usr/bin/seam", "apply"};  // how to run `seam apply` as a child
//   o.faults = 12; o.seed = 42; o.approve_checkpoints = true;
//   Report r = rehearse(plan, o);           // r.verdict: PASS, FAIL or INCOMPLETE
//
// How it runs:
//  1. Refuses a database that is not the plan's source (DriftError, as
//     `seam apply` does), one where the plan already has an unfinished job,
//     and one where a live applier holds the lease (LeaseHeldError).
//  2. Draws the fault schedule (rehearse_schedule.hpp) and records checksums
//     of the backfilled tables' existing columns (rehearse_verify.hpp).
//  3. Runs `seam apply PLAN --db URL --log-format json` as child processes,
//     following their progress line by line, in three legs: through the
//     dual-write phase; then, once the columns the backfill expressions use
//     exist, it records what every backfilled row must end with, and runs
//     through the backfill phase; it checks the backfills before contract
//     renames anything; then contract. Checkpoints are approved only with
//     approve_checkpoints; otherwise the rehearsal stops at the first one.
//  4. When a fault's trigger is reached it injects it:
//       kill        SIGKILL the applier; run apply again (resume)
//       disconnect  pg_terminate_backend of the applier's working session
//                   (the ledger's lease row names it); run apply again when
//                   the applier stops
//       stall       SIGSTOP the applier past its lease TTL; start a second
//                   applier, which takes the lease over; stop it for a
//                   moment, SIGCONT the first and wait for it to exit: the
//                   ledger must be unchanged (fencing), then the second goes on
//       kill-leader, partition   with a staging cluster (scripts/staging):
//                   the harness kills or cuts off the Patroni leader; the
//                   rehearsal waits until the cluster takes writes again,
//                   brings the node back and resumes the applier
//  5. Verifies: backfills (above), the final catalog's fingerprint equals the
//     plan's desired fingerprint, and fills the report.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "executor/ledger.hpp"
#include "executor/rehearse_report.hpp"
#include "executor/rehearse_schedule.hpp"
#include "planner/plan.hpp"

namespace seam::executor {

struct RehearseOptions {
  std::string url;
  std::string plan_path;             // given to every applier run
  std::vector<std::string> applier;  // argv prefix running `seam apply`: {"/path/seam", "apply"}
  std::vector<std::string> apply_flags;  // more flags for every applier run (throttles)
  Ledger ledger;
  int faults = 10;
  uint64_t seed = 1;
  std::vector<FaultKind> kinds;  // empty: default_fault_kinds(!cluster_dir.empty())
  bool approve_checkpoints = false;
  int64_t lease_ttl_ms = 3000;  // the appliers' --lease-ttl-ms: a stall lasts about this long
  int64_t chunk_rows = 10000;   // keys per checksum chunk
  int64_t batch_size = 0;       // for naming a failed batch's keys; 0: the plan's
  std::string cluster_dir;      // the staging harness's state directory ("" = no cluster faults)
  std::string staging_script;   // scripts/staging
  std::function<void(const std::string&)> on_progress;  // one line per applier run and fault
};

Report rehearse(const planner::Plan& plan, const RehearseOptions& o);

}  // namespace seam::executor
