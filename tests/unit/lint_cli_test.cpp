// `seam lint` end to end (the built binary, path from SEAM_BINARY): exit
// codes 0 / 2 / 64 / 65 (docs/exit-codes.md), text and JSON findings, a
// policy from seam.yaml, and errors that name the file, line and column.
// No server: lint reads files only.
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "planner/plan_yaml.hpp"
#include "tests/support/files.hpp"
#include "tests/support/sample_plans.hpp"

namespace {

namespace fs = std::filesystem;

struct SeamRun {
  int status = -1;
  std::string out, err;
};

using seam::test::slurp;

class LintCli : public testing::Test {
 protected:
  fs::path dir;
  void SetUp() override {
    dir =
        fs::temp_directory_path() / ("seam_lint_cli_" + std::to_string(::getpid()) + "_" +
                                     testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }

  fs::path write(const std::string& name, const std::string& text) {
    fs::path p = dir / name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }

  // Runs seam with `args` (single-quoted for the shell; test paths have no quotes).
  SeamRun seam(const std::string& args, const std::string& stdin_file = "") {
    std::string cmd = std::string("'") + SEAM_BINARY + "' " + args + " >'" +
                      (dir / "out").string() + "' 2>'" + (dir / "err").string() + "'";
    if (!stdin_file.empty()) cmd += " <'" + stdin_file + "'";
    int rc = std::system(cmd.c_str());
    SeamRun r;
    r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    r.out = slurp(dir / "out");
    r.err = slurp(dir / "err");
    return r;
  }
};

TEST_F(LintCli, DefaultPolicyFailsOnDataLossAndBlockingLocks) {
  fs::path plan = write("plan.yaml", seam::planner::to_yaml(seam::test::sample_plan()));
  SeamRun r = seam("lint '" + plan.string() + "'");
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  EXPECT_NE(
      r.out.find(
          "error  contract-002-drop-column-users-legacy  data-loss: Dropping public.users.legacy "
          "deletes its data.\n"),
      std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("warn   contract-003-set-type-audit-payload  dialect-unverified: "),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(": 4 errors, 1 warning, 0 allowed by exception (8 steps)\n"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.err, "");
}

TEST_F(LintCli, AnEmptyTableOnlyWarnsButDataLossStillFails) {
  seam::planner::Plan p = seam::test::sample_plan(0);
  p.steps[5].locks[0].est_seconds = 0;
  fs::path plan = write("plan.yaml", seam::planner::to_yaml(p));
  SeamRun r = seam("lint '" + plan.string() + "'");
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  EXPECT_NE(r.out.find(": 1 error, 4 warnings,"), std::string::npos) << r.out;
  // Without the drop, only warnings remain: exit 0.
  p.steps.erase(p.steps.begin() + 6);
  plan = write("plan2.yaml", seam::planner::to_yaml(p));
  r = seam("lint '" + plan.string() + "'");
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(": 0 errors, 3 warnings,"), std::string::npos) << r.out;
}

TEST_F(LintCli, PolicyFileWithReviewedExceptionsPasses) {
  fs::path plan = write("plan.yaml", seam::planner::to_yaml(seam::test::sample_plan()));
  fs::path policy = write("seam.yaml", R"(policy:
  hazards:
    blocking-lock: {level: error, when: non-empty, min_lock_ms: 100, otherwise: warn}
  allow:
    - step: contract-002-drop-column-users-legacy
      hazard: data-loss
      reason: "legacy has been unused since release 41"
    - object: public.audit
      hazard: table-rewrite
      reason: audit holds a few hundred rows
)");
  SeamRun r = seam("lint '" + plan.string() + "' --policy '" + policy.string() + "'");
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(
      r.out.find(
          "allow  contract-002-drop-column-users-legacy  data-loss: Dropping public.users.legacy "
          "deletes its data. (error by policy, allowed: legacy has been unused since release "
          "41)\n"),
      std::string::npos)
      << r.out;
  // The swap's lock is estimated at 2 ms: under 100 ms, a warning.
  EXPECT_NE(r.out.find("warn   contract-001-swap-orders-id  blocking-lock:"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(": 0 errors, 3 warnings, 2 allowed by exception"), std::string::npos)
      << r.out;
}

TEST_F(LintCli, JsonFindings) {
  seam::planner::Plan p = seam::test::sample_plan();
  fs::path plan = write("plan.yaml", seam::planner::to_yaml(p));
  SeamRun r = seam("lint '" + plan.string() + "' --format json");
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  YAML::Node n = YAML::Load(r.out);  // JSON is YAML
  EXPECT_EQ(n["errors"].as<int>(), 4);
  EXPECT_EQ(n["warnings"].as<int>(), 1);
  EXPECT_EQ(n["plan_fingerprint"].as<std::string>(), seam::planner::plan_fingerprint(p));
  ASSERT_EQ(n["findings"].size(), 5u);
  EXPECT_EQ(n["findings"][1]["level"].as<std::string>(), "error");
  EXPECT_EQ(n["findings"][1]["hazard"].as<std::string>(), "data-loss");
  EXPECT_EQ(n["findings"][1]["step"].as<std::string>(), "contract-002-drop-column-users-legacy");
}

TEST_F(LintCli, PlanFromStdin) {
  fs::path plan = write("plan.yaml", seam::planner::to_yaml(seam::test::sample_plan()));
  SeamRun r = seam("lint -", plan.string());
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  EXPECT_NE(r.out.find("seam lint: <stdin>: 4 errors"), std::string::npos) << r.out;
}

TEST_F(LintCli, MalformedPlanIs65WithPosition) {
  std::string y = seam::planner::to_yaml(seam::test::sample_plan());
  y.replace(y.find("kind: backfill"), 14, "kind: bulk");
  fs::path plan = write("plan.yaml", y);
  SeamRun r = seam("lint '" + plan.string() + "'");
  EXPECT_EQ(r.status, 65) << r.out << r.err;
  EXPECT_NE(r.err.find(plan.string() + ":"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(": phases[2].steps[0].kind: unknown step kind 'bulk'"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.out, "");

  y = seam::planner::to_yaml(seam::test::sample_plan());
  y.replace(y.find("format_version: 1"), 17, "format_version: 3");
  plan = write("newer.yaml", y);
  r = seam("lint '" + plan.string() + "'");
  EXPECT_EQ(r.status, 65) << r.out << r.err;
  EXPECT_NE(r.err.find("this seam reads plan formats up to 1"), std::string::npos) << r.err;

  r = seam("lint '" + (dir / "missing.yaml").string() + "'");
  EXPECT_EQ(r.status, 65) << r.out << r.err;
  EXPECT_NE(r.err.find("missing.yaml: cannot read the plan file"), std::string::npos) << r.err;
}

TEST_F(LintCli, UnsoundPlanIs65) {
  seam::planner::Plan p = seam::test::sample_plan();
  p.steps[2].depends_on = {"nowhere"};
  fs::path plan = write("plan.yaml", seam::planner::to_yaml(p));
  SeamRun r = seam("lint '" + plan.string() + "'");
  EXPECT_EQ(r.status, 65) << r.out << r.err;
  EXPECT_NE(
      r.err.find(
          "plan.yaml: the plan cannot be applied as written:\n  step dual-write-001-sync-orders-id "
          "depends on nowhere, which is not in the plan."),
      std::string::npos)
      << r.err;
}

TEST_F(LintCli, MalformedPolicyIs65WithPosition) {
  fs::path plan = write("plan.yaml", seam::planner::to_yaml(seam::test::sample_plan()));
  fs::path policy = write("seam.yaml", "policy:\n  hazards:\n    data-loss: maybe\n");
  SeamRun r = seam("lint '" + plan.string() + "' --policy '" + policy.string() + "'");
  EXPECT_EQ(r.status, 65) << r.out << r.err;
  EXPECT_NE(r.err.find(policy.string() + ":3:16: policy.hazards.data-loss: unknown level 'maybe'"),
            std::string::npos)
      << r.err;
}

TEST_F(LintCli, UsageErrorsAre64) {
  EXPECT_EQ(seam("lint").status, 64);
  fs::path plan = write("plan.yaml", seam::planner::to_yaml(seam::test::sample_plan()));
  SeamRun r = seam("lint '" + plan.string() + "' --format xml");
  EXPECT_EQ(r.status, 64) << r.out << r.err;
}

}  // namespace
