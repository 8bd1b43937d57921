// `seam plan` end to end (the binary from SEAM_BINARY): formats, --out,
// --server-version, the empty plan when in sync, exit codes, and that the
// YAML it writes is the plan make_plan computes (it parses back, and
// applying it reaches the desired state).
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "dialects/postgres/conn.hpp"
#include "dialects/postgres/inspect.hpp"
#include "dialects/postgres/spawn.hpp"
#include "planner/plan_yaml.hpp"
#include "schema/compare.hpp"
#include "schema/load.hpp"
#include "tests/support/files.hpp"
#include "tests/support/pg_fixture.hpp"
#include "tests/support/plan_runner.hpp"

namespace {

namespace fs = std::filesystem;
using namespace seam;

struct SeamRun {
  int status = -1;
  std::string out, err;
};

fs::path temp(const std::string& name) {
  static int n = 0;
  return fs::temp_directory_path() /
         ("seam_plan_cli_" + std::to_string(::getpid()) + "_" + std::to_string(++n) + "_" + name);
}

using seam::test::slurp;

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
  r.out = slurp(out);
  r.err = slurp(err);
  fs::remove(out);
  fs::remove(err);
  return r;
}

fs::path write(const std::string& name, const std::string& text) {
  fs::path p = temp(name);
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

const char* kFrom =
    "CREATE TABLE public.t (id bigint PRIMARY KEY, c text, gone text);"
    "INSERT INTO public.t SELECT g, 'x', 'y' FROM generate_series(1, 200) g;";
const char* kTo =
    "CREATE TABLE public.t (id bigint PRIMARY KEY, c text NOT NULL);\nCREATE INDEX t_c_idx ON "
    "public.t (c);\n";

TEST(PlanCli, WritesAPlanThatParsesAndReachesTheDesiredState) {
  std::string url = test::fresh_database("plancli");
  test::run_sql(url, kFrom);
  fs::path schema = write("to.sql", kTo);
  fs::path out = temp("plan.yaml");
  SeamRun r = seam_run({"plan", "--db", url, "--schema", schema.string(), "--out", out.string()});
  ASSERT_EQ(0, r.status) << r.err;
  EXPECT_EQ("", r.out) << "--out writes the file, not stdout";
  EXPECT_NE(std::string::npos, r.err.find("data-loss")) << r.err;
  std::string yaml = slurp(out);
  planner::Plan plan = planner::plan_from_yaml(yaml, out.string());
  EXPECT_EQ("postgres", plan.dialect);
  EXPECT_EQ(std::to_string(test::test_pg_major()),
            plan.server_version.substr(0, plan.server_version.find('.')));
  EXPECT_EQ(yaml, seam_run({"plan", "--db", url, "--schema", schema.string()}).out)
      << "byte-identical across runs";

  auto conn = pg::connect(url);
  test::run_plan_sequentially(*conn, plan);
  schema::Catalog desired = schema::load_path(schema.string()).catalog;
  auto d = schema::compare(desired, pg::inspect(*conn));
  EXPECT_TRUE(d.empty()) << schema::format_differences(d);

  // In sync: an empty plan document, exit 0 even with --exit-code.
  SeamRun again = seam_run({"plan", "--db", url, "--schema", schema.string(), "--exit-code"});
  EXPECT_EQ(0, again.status) << again.err;
  EXPECT_TRUE(planner::plan_from_yaml(again.out, "stdout").empty()) << again.out;
  fs::remove(out);
  fs::remove(schema);
}

TEST(PlanCli, FormatsVersionsAndExitCodes) {
  std::string url = test::fresh_database("planfmt");
  test::run_sql(url, kFrom);
  fs::path schema = write("to.sql", kTo);
  auto plan_as = [&](std::vector<std::string> extra) {
    std::vector<std::string> args{"plan", "--db", url, "--schema", schema.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return seam_run(args);
  };
  SeamRun sql = plan_as({"--format", "sql"});
  EXPECT_EQ(0, sql.status);
  EXPECT_NE(std::string::npos, sql.out.find("CREATE INDEX CONCURRENTLY t_c_idx")) << sql.out;
  SeamRun md = plan_as({"--format", "md"});
  EXPECT_NE(std::string::npos, md.out.find("DROP COLUMN gone")) << md.out;
  SeamRun json = plan_as({"--format", "json"});
  EXPECT_EQ('{', json.out.at(0)) << json.out;
  // The NOT NULL strategy follows the version asked for.
  EXPECT_NE(std::string::npos, plan_as({"--format", "sql", "--server-version", "17"})
                                   .out.find("CHECK (c IS NOT NULL) NOT VALID"));
  EXPECT_NE(
      std::string::npos,
      plan_as({"--format", "sql", "--server-version", "18.1"}).out.find("NOT NULL c NOT VALID"));
  EXPECT_EQ(2, plan_as({"--exit-code"}).status);
  EXPECT_EQ(64, plan_as({"--format", "toml"}).status);
  // CREATE INDEX CONCURRENTLY on 14.0-14.3 is refused per the matrix.
  SeamRun refused = plan_as({"--server-version", "14.2"});
  EXPECT_EQ(69, refused.status) << refused.err;
  EXPECT_NE(std::string::npos, refused.err.find("14.4")) << refused.err;
  fs::path bad = write("bad.sql", "CREATE TABLE (;\n");
  EXPECT_EQ(65, seam_run({"plan", "--db", url, "--schema", bad.string()}).status);
  fs::remove(bad);
  fs::remove(schema);
}

}  // namespace
