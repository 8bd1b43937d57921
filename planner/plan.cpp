// Names of the plan's enums (the spellings plan files use) and the small
// helpers of planner/plan.hpp.
#include "planner/plan.hpp"

#include <stdexcept>

namespace seam::planner {

const char* to_string(Phase p) {
  switch (p) {
    case Phase::Expand:
      return "expand";
    case Phase::DualWrite:
      return "dual-write";
    case Phase::Backfill:
      return "backfill";
    case Phase::Contract:
      return "contract";
  }
  return "?";
}

Phase phase_from_string(const std::string& s) {
  for (Phase p : {Phase::Expand, Phase::DualWrite, Phase::Backfill, Phase::Contract})
    if (s == to_string(p)) return p;
  throw std::invalid_argument("unknown phase '" + s +
                              "' (expected expand, dual-write, backfill or contract)");
}

const char* to_string(HazardType h) {
  switch (h) {
    case HazardType::DataLoss:
      return "data-loss";
    case HazardType::BlockingLock:
      return "blocking-lock";
    case HazardType::TableRewrite:
      return "table-rewrite";
    case HazardType::FullScan:
      return "full-scan";
    case HazardType::LongRunning:
      return "long-running";
    case HazardType::AppCompat:
      return "app-compat";
    case HazardType::NotTransactional:
      return "not-transactional";
    case HazardType::DialectUnverified:
      return "dialect-unverified";
    case HazardType::MaybeRename:
      return "maybe-rename";
  }
  return "?";
}

HazardType hazard_from_string(const std::string& s) {
  for (HazardType h :
       {HazardType::DataLoss, HazardType::BlockingLock, HazardType::TableRewrite,
        HazardType::FullScan, HazardType::LongRunning, HazardType::AppCompat,
        HazardType::NotTransactional, HazardType::DialectUnverified, HazardType::MaybeRename})
    if (s == to_string(h)) return h;
  throw std::invalid_argument("unknown hazard type '" + s + "'");
}

const char* to_string(StepKind k) {
  switch (k) {
    case StepKind::Sql:
      return "sql";
    case StepKind::Backfill:
      return "backfill";
    case StepKind::Checkpoint:
      return "checkpoint";
  }
  return "?";
}

std::vector<const Step*> Plan::phase_steps(Phase p) const {
  std::vector<const Step*> out;
  for (const auto& s : steps)
    if (s.phase == p) out.push_back(&s);
  return out;
}

}  // namespace seam::planner
