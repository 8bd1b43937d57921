// Building the rehearsal's fault schedule (see rehearse_schedule.hpp).
#include "executor/rehearse_schedule.hpp"

#include <algorithm>
#include <random>

#include "schema/errors.hpp"

namespace seam::executor {

namespace {

// Thousands separators: 63412 -> "63,412" (reports read better).
std::string grouped(int64_t n) {
  std::string s = std::to_string(n < 0 ? -n : n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return n < 0 ? "-" + s : s;
}

// A value in [0, n) from the generator; the modulo bias is irrelevant here
// and, unlike std::uniform_int_distribution, the result is the same everywhere.
uint64_t below(std::mt19937_64& rng, uint64_t n) {
  return n == 0 ? 0 : rng() % n;
}

int weight(FaultKind k) {
  switch (k) {
    case FaultKind::Kill:
      return 4;
    case FaultKind::Disconnect:
      return 3;
    case FaultKind::Stall:
      return 2;
    case FaultKind::KillLeader:
      return 1;
    case FaultKind::Partition:
      return 1;
  }
  return 1;
}

}  // namespace

const char* to_string(FaultKind k) {
  switch (k) {
    case FaultKind::Kill:
      return "kill";
    case FaultKind::Disconnect:
      return "disconnect";
    case FaultKind::Stall:
      return "stall";
    case FaultKind::KillLeader:
      return "kill-leader";
    case FaultKind::Partition:
      return "partition";
  }
  return "?";
}

FaultKind fault_kind_from_string(const std::string& s) {
  for (auto k : {FaultKind::Kill, FaultKind::Disconnect, FaultKind::Stall, FaultKind::KillLeader,
                 FaultKind::Partition})
    if (s == to_string(k)) return k;
  throw InputError("unknown fault kind '" + s +
                   "'; the kinds are kill, disconnect, stall, kill-leader and partition (the last "
                   "two need --cluster)");
}

std::vector<FaultKind> default_fault_kinds(bool cluster) {
  std::vector<FaultKind> k{FaultKind::Kill, FaultKind::Disconnect, FaultKind::Stall};
  if (cluster) {
    k.push_back(FaultKind::KillLeader);
    k.push_back(FaultKind::Partition);
  }
  return k;
}

bool is_cluster_fault(FaultKind k) {
  return k == FaultKind::KillLeader || k == FaultKind::Partition;
}

std::string Fault::describe() const {
  std::string s = std::string(to_string(kind)) + " ";
  if (rows >= 0) return s + "while " + step + " is at " + grouped(rows) + " rows";
  return s + "when " + step + " runs";
}

std::vector<Fault> build_schedule(const planner::Plan& plan, const ScheduleOptions& o) {
  std::vector<FaultKind> kinds = o.kinds.empty() ? default_fault_kinds(false) : o.kinds;
  // Reachable steps: sql and backfill steps, up to the first checkpoint
  // unless the rehearsal approves checkpoints.
  std::vector<int> sql, backfill;
  std::vector<int64_t> rows_before;  // per backfill: rows of the backfills before it
  int64_t total_rows = 0;
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const auto& s = plan.steps[i];
    if (s.kind == planner::StepKind::Checkpoint) {
      if (!o.through_checkpoints) break;
      continue;
    }
    if (s.kind == planner::StepKind::Sql) sql.push_back(static_cast<int>(i));
    if (s.kind == planner::StepKind::Backfill) {
      backfill.push_back(static_cast<int>(i));
      rows_before.push_back(total_rows);
      total_rows += std::max<int64_t>(s.backfill ? s.backfill->est_rows : 0, 1);
    }
  }
  std::vector<Fault> out;
  if (o.faults <= 0 || kinds.empty() || (sql.empty() && backfill.empty())) return out;

  std::mt19937_64 rng(o.seed);
  // Kinds: each requested one once (in a shuffled order), the rest weighted.
  std::vector<FaultKind> chosen;
  std::vector<FaultKind> first = kinds;
  for (size_t i = first.size(); i > 1; --i) std::swap(first[i - 1], first[below(rng, i)]);
  int total_weight = 0;
  for (auto k : kinds) total_weight += weight(k);
  for (int n = 0; n < o.faults; ++n) {
    if (static_cast<size_t>(n) < first.size()) {
      chosen.push_back(first[static_cast<size_t>(n)]);
      continue;
    }
    int r = static_cast<int>(below(rng, static_cast<uint64_t>(total_weight)));
    for (auto k : kinds) {
      r -= weight(k);
      if (r < 0) {
        chosen.push_back(k);
        break;
      }
    }
  }
  // Places.
  for (int n = 0; n < o.faults; ++n) {
    Fault f;
    f.kind = chosen[static_cast<size_t>(n)];
    bool on_sql = backfill.empty() || (!sql.empty() && below(rng, 4) == 0);
    if (on_sql) {
      f.step_index = sql[below(rng, sql.size())];
    } else {
      auto at = static_cast<int64_t>(below(rng, static_cast<uint64_t>(total_rows)));
      size_t b = 0;
      while (b + 1 < backfill.size() && rows_before[b + 1] <= at) ++b;
      f.step_index = backfill[b];
      const auto& s = plan.steps[static_cast<size_t>(f.step_index)];
      f.rows = s.backfill && s.backfill->est_rows > 0 ? at - rows_before[b] : -1;
    }
    f.step = plan.steps[static_cast<size_t>(f.step_index)].id;
    out.push_back(f);
  }
  std::stable_sort(out.begin(), out.end(), [](const Fault& a, const Fault& b) {
    return a.step_index != b.step_index ? a.step_index < b.step_index : a.rows < b.rows;
  });
  for (size_t i = 0; i < out.size(); ++i) out[i].number = static_cast<int>(i) + 1;
  return out;
}

}  // namespace seam::executor
