// The rehearsal's fault schedule (executor/rehearse_schedule.hpp) and the
// reading of an applier's JSON log lines (executor/rehearse_events.hpp),
// without a server.
#include <set>

#include <gtest/gtest.h>

#include "executor/rehearse_events.hpp"
#include "executor/rehearse_schedule.hpp"

namespace {

using seam::executor::build_schedule;
using seam::executor::Fault;
using seam::executor::FaultKind;
using seam::executor::ScheduleOptions;
using seam::planner::Phase;
using seam::planner::StepKind;

seam::planner::Plan plan() {
  seam::planner::Plan p;
  auto sql = [&](const std::string& id, Phase ph) {
    seam::planner::Step s;
    s.id = id;
    s.kind = StepKind::Sql;
    s.phase = ph;
    s.sql = "SELECT 1;";
    p.steps.push_back(s);
  };
  sql("expand-001", Phase::Expand);
  sql("dual-write-001", Phase::DualWrite);
  seam::planner::Step b;
  b.id = "backfill-001";
  b.kind = StepKind::Backfill;
  b.phase = Phase::Backfill;
  b.backfill = seam::planner::Backfill{"public.t", {"id"}, {{"v2", "v * 2"}}, "", 0, 100000};
  p.steps.push_back(b);
  seam::planner::Step c;
  c.id = "contract-001-checkpoint";
  c.kind = StepKind::Checkpoint;
  c.phase = Phase::Contract;
  p.steps.push_back(c);
  sql("contract-002", Phase::Contract);
  return p;
}

std::vector<std::string> lines(const std::vector<Fault>& s) {
  std::vector<std::string> out;
  for (const auto& f : s) out.push_back(std::to_string(f.number) + " " + f.describe());
  return out;
}

TEST(RehearseSchedule, SameSeedSameScheduleOtherSeedOther) {
  ScheduleOptions o;
  o.faults = 15;
  o.seed = 42;
  o.through_checkpoints = true;
  auto a = build_schedule(plan(), o);
  EXPECT_EQ(lines(a), lines(build_schedule(plan(), o)));
  o.seed = 43;
  EXPECT_NE(lines(a), lines(build_schedule(plan(), o)));
}

TEST(RehearseSchedule, EveryKindOnceSortedAndInsideTheReachableSteps) {
  ScheduleOptions o;
  o.faults = 12;
  o.seed = 7;
  auto s = build_schedule(plan(), o);
  ASSERT_EQ(s.size(), 12u);
  std::set<FaultKind> kinds;
  for (size_t i = 0; i < s.size(); ++i) {
    kinds.insert(s[i].kind);
    EXPECT_EQ(s[i].number, static_cast<int>(i) + 1);
    // Without approvals the contract steps cannot be reached.
    EXPECT_LT(s[i].step_index, 3) << s[i].describe();
    if (s[i].step == "backfill-001") {
      EXPECT_GE(s[i].rows, 0);
      EXPECT_LT(s[i].rows, 100000);
    } else {
      EXPECT_EQ(s[i].rows, -1);
    }
    if (i > 0)
      EXPECT_TRUE(s[i - 1].step_index < s[i].step_index ||
                  (s[i - 1].step_index == s[i].step_index && s[i - 1].rows <= s[i].rows));
  }
  EXPECT_EQ(kinds, (std::set<FaultKind>{FaultKind::Kill, FaultKind::Disconnect, FaultKind::Stall}));
}

TEST(RehearseSchedule, KindsAreTheOnesAskedForAndClusterKindsAreNamed) {
  ScheduleOptions o;
  o.faults = 6;
  o.seed = 1;
  o.kinds = {FaultKind::Kill};
  for (const auto& f : build_schedule(plan(), o)) EXPECT_EQ(f.kind, FaultKind::Kill);
  EXPECT_EQ(seam::executor::fault_kind_from_string("kill-leader"), FaultKind::KillLeader);
  EXPECT_THROW(seam::executor::fault_kind_from_string("meteor"), std::runtime_error);
  EXPECT_TRUE(seam::executor::is_cluster_fault(FaultKind::Partition));
  EXPECT_EQ(seam::executor::default_fault_kinds(true).size(), 5u);
  o.faults = 0;
  EXPECT_TRUE(build_schedule(plan(), o).empty());
}

TEST(RehearseEvents, ReadsTheFieldsOfApplyJsonLines) {
  auto b = seam::executor::parse_app_event(
      R"({"ts": "2026-01-01T00:00:00.000Z", "kind": "batch", "step": "backfill-001", "message": "backfill \"t\": 3000 rows done", "detail": {"rows": 1000, "rows_done": 3000, "batch_ms": 12.5}})");
  EXPECT_TRUE(b.json);
  EXPECT_EQ(b.kind, "batch");
  EXPECT_EQ(b.step, "backfill-001");
  EXPECT_EQ(b.message, "backfill \"t\": 3000 rows done");
  EXPECT_EQ(b.rows_done, 3000);
  auto r = seam::executor::parse_app_event(
      R"({"ts": "x", "kind": "result", "job": 4, "state": "awaiting-approval", "message": "caf\u00e9"})");
  EXPECT_EQ(r.kind, "result");
  EXPECT_EQ(r.job, 4);
  EXPECT_EQ(r.state, "awaiting-approval");
  EXPECT_EQ(r.message, "caf\xc3\xa9");
  EXPECT_EQ(r.rows_done, -1);
  auto t = seam::executor::parse_app_event("seam: the lease was lost (...)");
  EXPECT_FALSE(t.json);
  EXPECT_EQ(t.message, "seam: the lease was lost (...)");
  auto broken = seam::executor::parse_app_event(R"({"kind": "batch", "step": )");
  EXPECT_FALSE(broken.json);
}

}  // namespace
