// examples/ci (read from SEAM_SOURCE_DIR): the GitHub Actions workflow and
// seam.yaml are valid YAML, the workflow has the flow examples/ci/README.md
// describes (plan + sticky comment + lint + artifact on pull requests; one
// apply at a time through backfill on merge; contract behind an approval),
// its shell steps parse, secrets reach scripts only through env, every
// seam flag it uses exists in the built binary (SEAM_BINARY), and seam.yaml
// loads with seam's own config parser.
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "planner/config.hpp"

namespace {

namespace fs = std::filesystem;
using namespace seam::planner;

const fs::path kDir = fs::path(SEAM_SOURCE_DIR) / "examples" / "ci";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  EXPECT_TRUE(in) << p;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// stdout+stderr and exit status of a shell command.
std::pair<int, std::string> shell(const std::string& cmd) {
  std::string out;
  FILE* f = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!f) return {-1, ""};
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
  int rc = ::pclose(f);
  return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, out};
}

YAML::Node workflow() {
  return YAML::Load(slurp(kDir / "github-actions.yml"));
}

// All `run:` scripts of a job, in order.
std::vector<std::string> runs(const YAML::Node& job) {
  std::vector<std::string> out;
  for (const auto& st : job["steps"])
    if (st["run"]) out.push_back(st["run"].as<std::string>());
  return out;
}

std::string all_runs(const YAML::Node& job) {
  std::string s;
  for (const auto& r : runs(job)) s += r + "\n";
  return s;
}

const YAML::Node* step_using(const YAML::Node& job, const std::string& action,
                             std::vector<YAML::Node>& keep) {
  for (const auto& st : job["steps"])
    if (st["uses"] && st["uses"].as<std::string>().rfind(action, 0) == 0) {
      keep.push_back(st);
      return &keep.back();
    }
  return nullptr;
}

bool has(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

TEST(ExamplesCi, WorkflowTriggersAndJobs) {
  YAML::Node w = workflow();
  ASSERT_TRUE(w.IsMap());
  ASSERT_TRUE(w["on"]["pull_request"]);
  EXPECT_EQ(w["on"]["push"]["branches"][0].as<std::string>(), "main");
  EXPECT_EQ(w["permissions"]["contents"].as<std::string>(), "read");
  for (const char* j : {"plan", "apply", "contract"}) EXPECT_TRUE(w["jobs"][j]) << j;
}

TEST(ExamplesCi, PullRequestsPlanCommentLintAndUpload) {
  YAML::Node plan = workflow()["jobs"]["plan"];
  EXPECT_EQ(plan["if"].as<std::string>(), "github.event_name == 'pull_request'");
  EXPECT_EQ(plan["permissions"]["pull-requests"].as<std::string>(), "write");
  std::string r = all_runs(plan);
  EXPECT_TRUE(has(r,
                  "seam plan --db \"$STAGING_URL\" --schema schema/ --config seam.yaml --format "
                  "yaml --out plan.yaml"))
      << r;
  EXPECT_TRUE(has(r,
                  "seam plan --db \"$STAGING_URL\" --schema schema/ --config seam.yaml --format md "
                  "--out plan.md"))
      << r;
  EXPECT_TRUE(has(r, "seam lint plan.yaml --policy seam.yaml")) << r;
  std::vector<YAML::Node> keep;
  const YAML::Node* comment = step_using(plan, "actions/github-script@", keep);
  ASSERT_NE(comment, nullptr);
  std::string script = (*comment)["with"]["script"].as<std::string>();
  // One sticky comment: found by its marker, updated, created only when absent.
  EXPECT_TRUE(has(script, "<!-- seam-plan -->"));
  EXPECT_TRUE(has(script, "updateComment"));
  EXPECT_TRUE(has(script, "createComment"));
  EXPECT_TRUE(has(script, "plan.md"));
  const YAML::Node* upload = step_using(plan, "actions/upload-artifact@", keep);
  ASSERT_NE(upload, nullptr);
  EXPECT_TRUE(has((*upload)["with"]["path"].as<std::string>(), "plan.yaml"));
  EXPECT_EQ((*upload)["with"]["name"].as<std::string>(), "seam-plan");
  // The job fails on a forbidden hazard, after the comment was posted.
  const YAML::Node& last = plan["steps"][plan["steps"].size() - 1];
  EXPECT_EQ(last["if"].as<std::string>(), "steps.lint.outputs.rc != '0'");
}

TEST(ExamplesCi, MergeAppliesOneAtATimeAndContractWaitsForApproval) {
  YAML::Node w = workflow();
  YAML::Node apply = w["jobs"]["apply"], contract = w["jobs"]["contract"];
  EXPECT_EQ(apply["if"].as<std::string>(), "github.event_name == 'push'");
  EXPECT_EQ(apply["environment"].as<std::string>(), "production");
  EXPECT_EQ(contract["environment"].as<std::string>(), "production-contract");
  EXPECT_EQ(contract["needs"].as<std::string>(), "apply");
  for (const YAML::Node& j : {apply, contract}) {
    EXPECT_EQ(j["concurrency"]["group"].as<std::string>(), "seam-production");
    EXPECT_FALSE(j["concurrency"]["cancel-in-progress"].as<bool>());
  }
  std::string a = all_runs(apply), c = all_runs(contract);
  EXPECT_TRUE(has(a, "seam lint plan.yaml --policy seam.yaml")) << a;
  EXPECT_TRUE(
      has(a, "seam apply plan.yaml --db \"$PROD_URL\" --through backfill --log-format json"))
      << a;
  EXPECT_TRUE(has(a, "gh run download")) << a;  // the reviewed plan, not a new one
  EXPECT_FALSE(has(a, "seam plan --")) << a;
  EXPECT_TRUE(has(c, "seam jobs approve --db \"$PROD_URL\" \"$JOB\"")) << c;
  EXPECT_LT(c.find("seam jobs approve"),
            c.rfind("seam apply plan.yaml --db \"$PROD_URL\" --log-format json"));
}

TEST(ExamplesCi, ShellStepsParseAndSecretsGoThroughEnv) {
  YAML::Node w = workflow();
  int n = 0;
  for (const auto& job : w["jobs"]) {
    for (const auto& st : job.second["steps"]) {
      if (!st["run"]) continue;
      std::string script = st["run"].as<std::string>();
      ++n;
      // No ${{ }} expression inside a script (injection); they go through env.
      EXPECT_FALSE(has(script, "${{")) << job.first.as<std::string>() << ": " << script;
      fs::path f =
          fs::temp_directory_path() / ("seam_ci_step_" + std::to_string(::getpid()) + ".sh");
      std::ofstream(f) << script;
      auto [rc, out] = shell("bash -n '" + f.string() + "'");
      fs::remove(f);
      EXPECT_EQ(rc, 0) << script << out;
    }
    // Database URLs come from secrets, never written out.
    for (const auto& st : job.second["steps"])
      if (st["env"])
        for (const auto& kv : st["env"]) {
          std::string k = kv.first.as<std::string>(), v = kv.second.as<std::string>();
          if (has(k, "URL") && k != "SEAM_DOWNLOAD_URL")
            EXPECT_EQ(v.rfind("${{ secrets.", 0), 0u) << k << ": " << v;
        }
  }
  EXPECT_GE(n, 8);
}

// Every `seam <command> --flag` in the workflow exists in the built seam.
TEST(ExamplesCi, EverySeamFlagExists) {
  YAML::Node w = workflow();
  std::map<std::string, std::set<std::string>> used;  // "plan" / "jobs approve" -> flags
  std::regex call(R"((?:^|[\s;|&(])seam ((?:jobs )?[a-z]+)([^|;&>)\n]*))");
  for (const auto& job : w["jobs"])
    for (const auto& r : runs(job.second)) {
      std::string joined = std::regex_replace(r, std::regex("\\\\\n"), " ");
      for (std::sregex_iterator it(joined.begin(), joined.end(), call), end; it != end; ++it) {
        std::string args = (*it)[2];
        auto& flags = used[(*it)[1]];
        std::regex flag(R"(--[a-z][a-z-]*)");
        for (std::sregex_iterator f(args.begin(), args.end(), flag); f != std::sregex_iterator();
             ++f)
          flags.insert(f->str());
      }
    }
  for (const char* c : {"plan", "lint", "apply", "jobs approve"}) EXPECT_TRUE(used.count(c)) << c;
  for (const auto& [cmd, flags] : used) {
    auto [rc, help] = shell(std::string("'") + SEAM_BINARY + "' " + cmd + " --help");
    EXPECT_EQ(rc, 0) << "seam " << cmd << " --help:\n" << help;
    for (const auto& f : flags)
      EXPECT_TRUE(has(help, f + " ")) << "seam " << cmd << " has no " << f << ":\n" << help;
  }
}

TEST(ExamplesCi, SeamYamlLoadsWithTheConfigParser) {
  Config c = load_config((kDir / "seam.yaml").string());
  EXPECT_EQ(c.policy.rules.at(HazardType::DataLoss).level, Level::Error);
  EXPECT_EQ(c.policy.rules.at(HazardType::BlockingLock),
            (HazardRule{Level::Error, true, 200, Level::Warn}));
  ASSERT_FALSE(c.policy.allow.empty());
  for (const auto& a : c.policy.allow) EXPECT_FALSE(a.reason.empty());
  EXPECT_GT(c.throttle.batch_size, 0);
  EXPECT_GT(c.throttle.lock_timeout_ms, 0);
  const Environment* prod = c.environment("production");
  const Environment* staging = c.environment("staging");
  ASSERT_NE(prod, nullptr);
  ASSERT_NE(staging, nullptr);
  EXPECT_EQ(prod->db, "${PROD_DATABASE_URL}");
  EXPECT_LT(prod->throttle.rows_per_second, c.throttle.rows_per_second);  // overridden
  EXPECT_EQ(prod->throttle.batch_size, c.throttle.batch_size);            // inherited
  auto env = [](const char* n) -> const char* {
    return std::string(n) == "PROD_DATABASE_URL" ? "postgresql://app@db/shop" : nullptr;
  };
  EXPECT_EQ(resolve_db_url(*prod, env), "postgresql://app@db/shop");
  // The workflow's secrets are the variables seam.yaml refers to.
  std::string wf = slurp(kDir / "github-actions.yml");
  EXPECT_TRUE(has(wf, "secrets.PROD_DATABASE_URL"));
  EXPECT_TRUE(has(wf, "secrets.STAGING_DATABASE_URL"));
  EXPECT_EQ(staging->db, "${STAGING_DATABASE_URL}");
}

}  // namespace
