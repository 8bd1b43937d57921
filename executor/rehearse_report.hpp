// The report of `seam rehearse`: the fault schedule, what each fault did,
// the checks and the verdict, rendered as text (stdout), JSON or Markdown
// (--report FILE). Timings vary from run to run; everything else is a
// function of the plan, the seed and what happened.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "executor/rehearse_schedule.hpp"
#include "executor/rehearse_verify.hpp"

namespace seam::executor {

struct FaultRecord {
  Fault fault;
  std::string status = "not reached";  // "injected", "not reached", "not supported"
  std::string at;                      // where it fired: "backfill-003-... at 63,500 rows"
  std::string outcome;                 // what the applier (or the cluster) did
  double lost_s = -1;  // from the fault until the job made progress again; -1: unknown
  bool ok = true;      // false: the fault showed a defect (e.g. a fenced applier wrote)
};

struct Report {
  std::string plan_path, plan_fingerprint, database;
  int steps = 0;
  int64_t rows_to_backfill = 0;
  uint64_t seed = 0;
  int faults_requested = 0;
  std::vector<std::string> kinds;
  bool approve_checkpoints = false;
  std::string cluster;  // staging state directory, "" without --cluster
  std::vector<Fault> schedule;
  std::vector<FaultRecord> faults;
  int applier_runs = 0, resumes = 0, busy_retries = 0;
  double wall_s = 0, lost_s = 0;
  int64_t job = 0;
  std::string job_state;
  std::vector<Check> checks;
  std::string verdict;               // PASS, FAIL or INCOMPLETE
  std::vector<std::string> reasons;  // why FAIL / INCOMPLETE
  std::vector<std::string> notes;    // what else the reader should know
};

// One line per fault: "  3  kill        while backfill-003-... is at 63,412 rows".
std::string schedule_text(const std::vector<Fault>& schedule);
std::string render_text(const Report& r);
std::string render_json(const Report& r);
std::string render_markdown(const Report& r);

}  // namespace seam::executor
