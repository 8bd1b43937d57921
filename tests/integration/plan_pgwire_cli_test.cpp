// `seam plan` for CockroachDB / YugabyteDB / Spanner end to end (the binary
// from SEAM_BINARY), without those servers: the offline mode (--from PATH)
// gives the reviewed golden plan of tests/cases/cockroachdb/bigint_to_numeric,
// `seam lint` with the default policy warns (never errors) on its
// dialect-unverified hazards, `seam apply` refuses it before connecting,
// and the live path stops when --dialect names another product than the
// server's (a PostgreSQL server here).
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "dialects/postgres/spawn.hpp"
#include "planner/plan_yaml.hpp"
#include "tests/support/files.hpp"
#include "tests/support/pg_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using namespace seam;

struct SeamRun {
  int status = -1;
  std::string out, err;
};

fs::path temp(const std::string& name) {
  static int n = 0;
  return fs::temp_directory_path() / ("seam_plan_pgwire_cli_" + std::to_string(::getpid()) + "_" +
                                      std::to_string(++n) + "_" + name);
}

SeamRun seam_run(const std::vector<std::string>& args) {
  fs::path out = temp("stdout"), err = temp("stderr");
  int ofd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  int efd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<std::string> argv{SEAM_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  pg::SpawnOptions o;
  o.stdout_fd = ofd;
  o.stderr_fd = efd;
  o.unset_env = {"DATABASE_URL", "PGPASSWORD"};
  SeamRun r;
  r.status = pg::wait_exit(pg::spawn(argv, o));
  ::close(ofd);
  ::close(efd);
  r.out = test::slurp(out);
  r.err = test::slurp(err);
  fs::remove(out);
  fs::remove(err);
  return r;
}

const fs::path kCase = fs::path(SEAM_TEST_CASES_DIR) / "cockroachdb" / "bigint_to_numeric";

std::vector<std::string> offline(const std::string& version) {
  return {"plan",
          "--dialect",
          "cockroachdb",
          "--server-version",
          version,
          "--from",
          (kCase / "from.sql").string(),
          "--schema",
          (kCase / "to.sql").string()};
}

TEST(PlanPgwireCli, OfflinePlanIsTheReviewedGoldenPlan) {
  SeamRun r = seam_run(offline("23.2"));
  ASSERT_EQ(r.status, 0) << r.err;
  planner::Plan got = planner::plan_from_yaml(r.out, "stdout");
  planner::Plan golden =
      planner::plan_from_yaml(test::slurp(kCase / "plan.23.2.expected"), "plan.23.2.expected");
  EXPECT_EQ(got.dialect, "cockroachdb");
  EXPECT_EQ(got.server_version, "23.2");
  // The same steps as the golden plan made from from.sql read back from a
  // PostgreSQL stand-in: loading the files gives the same model.
  EXPECT_TRUE(got.steps == golden.steps) << r.out;
  EXPECT_NE(r.err.find("step hazards of type dialect-unverified"), std::string::npos) << r.err;

  // Another version of the same change: the product's own job from 25.1.
  SeamRun r25 = seam_run(offline("25.1"));
  ASSERT_EQ(r25.status, 0) << r25.err;
  planner::Plan p25 = planner::plan_from_yaml(r25.out, "stdout");
  ASSERT_EQ(p25.steps.size(), 1u) << r25.out;
  EXPECT_EQ(p25.steps[0].op, "alter_type_rewrite");
}

TEST(PlanPgwireCli, LintWarnsOnDialectUnverifiedAndApplyRefuses) {
  fs::path plan = temp("plan.yaml");
  auto args = offline("23.2");
  args.insert(args.end(), {"--out", plan.string(), "--no-warnings"});
  SeamRun r = seam_run(args);
  ASSERT_EQ(r.status, 0) << r.err;

  SeamRun lint = seam_run({"lint", plan.string()});
  EXPECT_EQ(lint.status, 0) << lint.out << lint.err;  // warnings only: the default policy
  EXPECT_NE(lint.out.find("warn"), std::string::npos) << lint.out;
  EXPECT_NE(lint.out.find("dialect-unverified"), std::string::npos) << lint.out;
  std::istringstream lines(lint.out);
  for (std::string line; std::getline(lines, line);)
    EXPECT_NE(line.rfind("error", 0), 0u) << "the default policy errs on nothing here: " << line;
  EXPECT_NE(lint.out.find("0 errors"), std::string::npos) << lint.out;

  // Refused before connecting: the host does not exist, and the message is
  // about the dialect, not a connection failure.
  SeamRun apply =
      seam_run({"apply", plan.string(), "--db", "postgresql://seam@seam-no-such-host.invalid/x"});
  EXPECT_EQ(apply.status, 69) << apply.out << apply.err;
  EXPECT_NE(apply.err.find("plan for cockroachdb 23.2"), std::string::npos) << apply.err;
  EXPECT_NE(apply.err.find("runs PostgreSQL plans only"), std::string::npos) << apply.err;
  EXPECT_NE(apply.err.find("docs/dialects.md"), std::string::npos) << apply.err;
  fs::remove(plan);
}

TEST(PlanPgwireCli, OfflineArguments) {
  // A versioned product needs the version the plan is for.
  auto args = offline("23.2");
  args.erase(args.begin() + 3, args.begin() + 5);
  SeamRun r = seam_run(args);
  EXPECT_EQ(r.status, 64) << r.err;
  EXPECT_NE(r.err.find("--server-version"), std::string::npos) << r.err;

  // Spanner has none: "all" is assumed, and a version is a mistake.
  fs::path sp = fs::path(SEAM_TEST_CASES_DIR) / "spanner-pg" / "new_index";
  SeamRun s = seam_run({"plan", "--dialect", "spanner-pg", "--from", (sp / "from.sql").string(),
                        "--schema", (sp / "to.sql").string()});
  ASSERT_EQ(s.status, 0) << s.err;
  EXPECT_EQ(planner::plan_from_yaml(s.out, "stdout").server_version, "all");
  SeamRun bad = seam_run({"plan", "--dialect", "spanner-pg", "--server-version", "24.1", "--from",
                          (sp / "from.sql").string(), "--schema", (sp / "to.sql").string()});
  EXPECT_EQ(bad.status, 64) << bad.err;

  // A refusal of the planner is exit 69 with its message.
  fs::path su = fs::path(SEAM_TEST_CASES_DIR) / "spanner-pg" / "new_unique";
  SeamRun refused = seam_run({"plan", "--dialect", "spanner-pg", "--from",
                              (su / "from.sql").string(), "--schema", (su / "to.sql").string()});
  EXPECT_EQ(refused.status, 69) << refused.err;
  EXPECT_NE(refused.err.find("CREATE UNIQUE INDEX"), std::string::npos) << refused.err;

  // Either a live database or files, not both.
  SeamRun both = seam_run({"plan", "--dialect", "yugabytedb", "--server-version", "2024.2", "--db",
                           "postgresql://x@localhost/x", "--from", (sp / "from.sql").string(),
                           "--schema", (sp / "to.sql").string()});
  EXPECT_EQ(both.status, 64) << both.err;
}

TEST(PlanPgwireCli, LiveDialectMustMatchTheServer) {
  std::string url = test::fresh_database("pgwirecli");
  test::run_sql(url, "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL)");
  fs::path to = fs::path(SEAM_TEST_CASES_DIR) / "cockroachdb" / "new_index" / "to.sql";
  SeamRun r = seam_run({"plan", "--dialect", "cockroachdb", "--db", url, "--schema", to.string()});
  EXPECT_EQ(r.status, 69) << r.err;
  EXPECT_NE(r.err.find("PostgreSQL"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not cockroachdb"), std::string::npos) << r.err;
  // Without --dialect the server is detected as PostgreSQL and planned as such.
  SeamRun pg = seam_run({"plan", "--db", url, "--schema", to.string()});
  ASSERT_EQ(pg.status, 0) << pg.err;
  planner::Plan p = planner::plan_from_yaml(pg.out, "stdout");
  EXPECT_EQ(p.dialect, "postgres");
  ASSERT_EQ(p.steps.size(), 1u);
  EXPECT_NE(p.steps[0].sql.find("CONCURRENTLY"), std::string::npos);
}

}  // namespace
