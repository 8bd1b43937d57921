// The fault schedule of `seam rehearse`: which faults it injects, and where
// in the plan's progress, decided before the rehearsal starts from the plan
// and a seed alone, so the same seed gives the same schedule on any machine
// (std::mt19937_64 is fully specified; no std:: distributions, whose output
// differs between standard libraries).
//
// A fault fires when the applier's progress reaches its trigger: a step (the
// applier is about to run it, or runs it) or, for a backfill, a row count
// (the first batch whose ledger total reaches it). Progress is what the
// applier reports, so the points are the same from run to run even though
// the timing is not.
//
//   ScheduleOptions so; so.faults = 12; so.seed = 42;
//   so.kinds = default_fault_kinds(false);
//   for (const Fault& f : build_schedule(plan, so)) std::cout << f.describe() << "\n";
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "planner/plan.hpp"

namespace seam::executor {

enum class FaultKind {
  Kill,        // SIGKILL of the applier process; the rehearsal resumes it (runs apply again)
  Disconnect,  // pg_terminate_backend of the applier's working session
  Stall,       // SIGSTOP past the lease TTL, a second applier takes over, SIGCONT: fencing
  KillLeader,  // --cluster: the staging harness SIGKILLs the Patroni leader
  Partition,   // --cluster: the staging harness cuts the leader's network link, then heals it
};
const char* to_string(FaultKind k);  // "kill", "disconnect", "stall", "kill-leader", "partition"
// Throws seam::InputError naming the known kinds.
FaultKind fault_kind_from_string(const std::string& s);
// The kinds a rehearsal injects unless told otherwise: the client-side three,
// plus the cluster's two when it has a staging cluster.
std::vector<FaultKind> default_fault_kinds(bool cluster);
bool is_cluster_fault(FaultKind k);

struct Fault {
  int number = 0;  // 1-based, in firing order
  FaultKind kind = FaultKind::Kill;
  std::string step;    // the plan step the trigger is in
  int step_index = 0;  // its position in Plan::steps
  int64_t rows =
      -1;  // backfill: fire at this many rows done in the step; -1: when the step is next
  // "kill while backfill-003-... is at 63,412 rows", "stall when expand-001-... runs"
  std::string describe() const;
};

struct ScheduleOptions {
  int faults = 10;
  uint64_t seed = 1;
  std::vector<FaultKind> kinds;  // empty: default_fault_kinds(false)
  // False: only steps before the first checkpoint are reachable (the
  // rehearsal stops there without --approve-checkpoints).
  bool through_checkpoints = false;
};

// Deterministic for (plan, options). Faults land on reachable sql and
// backfill steps: about a quarter on sql steps (uniformly), the rest on
// backfills, uniformly over their estimated rows. Every requested kind
// appears at least once when there are at least as many faults as kinds.
// Sorted by (step, rows). Empty when the plan has no reachable step.
std::vector<Fault> build_schedule(const planner::Plan& plan, const ScheduleOptions& o);

}  // namespace seam::executor
