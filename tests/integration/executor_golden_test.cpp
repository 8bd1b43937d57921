// Every golden plan case (tests/cases with from.sql / to.sql) applied by the
// real executor - plan written to YAML and read back as `seam apply` does,
// checkpoints approved as an operator would - reaches the desired state
// (inspected catalog equals model(to.sql), column order aside: shadow-column
// strategies append columns), and the ledger ends with the job done and
// every step done exactly once.
#include <algorithm>
#include <filesystem>

#include <gtest/gtest.h>

#include "dialects/postgres/conn.hpp"
#include "dialects/postgres/inspect.hpp"
#include "dialects/postgres/plan.hpp"
#include "dialects/postgres/render_change.hpp"
#include "differ/diff.hpp"
#include "executor/apply.hpp"
#include "executor/control.hpp"
#include "planner/plan_yaml.hpp"
#include "schema/compare.hpp"
#include "schema/load.hpp"
#include "tests/support/cases.hpp"
#include "tests/support/pg_fixture.hpp"
#include "tests/support/plan_input.hpp"

namespace fs = std::filesystem;
using namespace seam;

namespace {

using seam::test::case_names;
using seam::test::columns_by_name;


class ExecutorGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(ExecutorGolden, ApplyReachesTheDesiredState) {
  fs::path dir = fs::path(SEAM_TEST_CASES_DIR) / GetParam();
  std::string url = test::fresh_database();
  test::run_psql_file(url, dir / "from.sql");
  auto conn = pg::connect(url);
  schema::Catalog desired = schema::load_path((dir / "to.sql").string()).catalog;
  schema::Catalog live = pg::inspect(*conn);
  planner::Plan made = pg::make_plan(differ::diff(live, desired), live, desired,
                                     test::plan_input(*conn, live, desired));
  ASSERT_FALSE(made.empty());
  std::string yaml = planner::to_yaml(made);
  planner::Plan plan = planner::plan_from_yaml(yaml, GetParam() + "/plan.yaml");

  executor::ApplyOptions o;
  o.url = url;
  o.plan_text = yaml;
  o.plan_fingerprint = planner::plan_fingerprint(plan);
  o.batch_size = 50;  // several batches even on small tables
  std::string log;
  o.on_event = [&](const executor::Event& e) { log += e.kind + " " + e.step + "\n"; };
  executor::ApplyResult r;
  int approvals = 0;
  for (int round = 0; round < 10; ++round) {
    r = executor::apply(plan, o);
    if (r.state != "awaiting-approval") break;
    executor::approve_job(*conn, {}, r.job, "");
    ++approvals;
  }
  ASSERT_EQ(r.state, "done") << r.message << "\n" << log;
  int checkpoints = 0;
  for (const auto& s : plan.steps) checkpoints += s.kind == planner::StepKind::Checkpoint;
  EXPECT_EQ(approvals, checkpoints);
  EXPECT_EQ(test::query_value(url, "SELECT count(*) FROM seam.steps WHERE state <> 'done'"), "0");
  EXPECT_EQ(test::query_value(url, "SELECT count(*) FROM seam.steps"),
            std::to_string(plan.steps.size()));
  // Every step done once: one step-done event each.
  EXPECT_EQ(test::query_value(url, "SELECT count(*) FROM seam.events WHERE kind = 'step-done'"),
            std::to_string(plan.steps.size() - checkpoints));

  schema::Catalog after = pg::inspect(*conn);
  auto d = schema::compare(columns_by_name(desired), columns_by_name(after));
  EXPECT_TRUE(d.empty()) << schema::format_differences(d) << log;
  EXPECT_EQ("", pg::migration_script(differ::diff(after, desired)));
}

INSTANTIATE_TEST_SUITE_P(Cases, ExecutorGolden, ::testing::ValuesIn(case_names()),
                         [](const auto& info) { return info.param; });

}  // namespace
