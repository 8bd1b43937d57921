// The `seam` binary end to end (path from SEAM_BINARY, set by
// tests/CMakeLists.txt): exit codes (cmd/commands.hpp), what goes to stdout
// and stderr, and that no password from a connection string is ever printed.
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dialects/postgres/conn.hpp"
#include "dialects/postgres/inspect.hpp"
#include "dialects/postgres/spawn.hpp"
#include "schema/compare.hpp"
#include "schema/sql_file.hpp"
#include "tests/support/files.hpp"
#include "tests/support/pg_fixture.hpp"

namespace {

namespace fs = std::filesystem;

const fs::path kShop = fs::path(SEAM_SOURCE_DIR) / "examples" / "shop";

struct SeamRun {
  int status = -1;
  std::string out, err;
  std::string all() const { return out + err; }
};

fs::path temp_path(const std::string& name) {
  static int n = 0;
  return fs::temp_directory_path() /
         ("seam_cli_" + std::to_string(::getpid()) + "_" + std::to_string(++n) + "_" + name);
}

using seam::test::slurp;

// Runs seam with `args`, stdout and stderr captured separately.
SeamRun seam_run(const std::vector<std::string>& args) {
  fs::path out = temp_path("stdout"), err = temp_path("stderr");
  int ofd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  int efd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (ofd < 0 || efd < 0) throw std::runtime_error("cannot create capture files");
  std::vector<std::string> argv{SEAM_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  seam::pg::SpawnOptions o;
  o.stdout_fd = ofd;
  o.stderr_fd = efd;
  o.unset_env = {"DATABASE_URL", "PGPASSWORD", "PGHOST", "PGPORT", "PGDATABASE", "PGUSER"};
  SeamRun r;
  try {
    pid_t pid = seam::pg::spawn(argv, o);
    r.status = seam::pg::wait_exit(pid);
  } catch (...) {
    ::close(ofd);
    ::close(efd);
    throw;
  }
  ::close(ofd);
  ::close(efd);
  r.out = slurp(out);
  r.err = slurp(err);
  fs::remove(out);
  fs::remove(err);
  return r;
}

// A fresh database holding the shop example, loaded with psql.
std::string shop_database(const std::string& hint) {
  std::string url = seam::test::fresh_database(hint);
  for (const auto& p : seam::schema::list_sql_files(kShop.string())) seam::test::run_psql_file(url, p);
  return url;
}

seam::schema::Catalog inspect_url(const std::string& url) {
  auto conn = seam::pg::connect(url);
  return seam::pg::inspect(*conn);
}

#define EXPECT_HAS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << "missing \"" << (needle) << "\" in:\n" << (haystack)
#define EXPECT_LACKS(haystack, needle) \
  EXPECT_EQ(std::string(haystack).find(needle), std::string::npos) << "unexpected \"" << (needle) << "\" in:\n" << (haystack)

TEST(Cli, DiffOfMatchingDatabaseIsSilentAndSucceeds) {
  std::string url = shop_database("cli_same");
  SeamRun r = seam_run({"diff", "--db", url, "--schema", kShop.string()});
  EXPECT_EQ(r.status, 0) << r.all();
  EXPECT_EQ(r.out, "");
}

TEST(Cli, DiffOfDriftedDatabaseNamesTheDifference) {
  std::string url = shop_database("cli_drift");
  seam::test::run_sql(url, "ALTER TABLE customers ADD COLUMN loyalty_tier text");
  // The difference is printed as DDL on stdout (docs: cmd/diff.cpp), with the
  // data-loss hazard on stderr; --exit-code turns it into exit 2 for CI.
  SeamRun r = seam_run({"diff", "--db", url, "--schema", kShop.string()});
  EXPECT_EQ(r.status, 0) << r.all();
  EXPECT_HAS(r.out, "loyalty_tier");
  EXPECT_HAS(r.out, "customers");
  EXPECT_HAS(r.err, "loyalty_tier");
  SeamRun c = seam_run({"diff", "--exit-code", "--db", url, "--schema", kShop.string()});
  EXPECT_EQ(c.status, 2) << c.all();
  EXPECT_EQ(c.out, r.out);

  // The script converges: applied with psql, the next diff is empty.
  fs::path script = temp_path("drift.sql");
  std::ofstream(script, std::ios::binary) << r.out;
  fs::permissions(script, fs::perms::others_read, fs::perm_options::add);
  seam::test::run_psql_file(url, script);
  fs::remove(script);
  SeamRun again = seam_run({"diff", "--exit-code", "--db", url, "--schema", kShop.string()});
  EXPECT_EQ(again.status, 0) << again.all();
  EXPECT_EQ(again.out, "");
}

TEST(Cli, DiffExitCodeIsZeroWhenInSync) {
  std::string url = shop_database("cli_exitcode");
  SeamRun r = seam_run({"diff", "--exit-code", "--db", url, "--schema", kShop.string()});
  EXPECT_EQ(r.status, 0) << r.all();
  EXPECT_EQ(r.out, "");
}

TEST(Cli, InspectOutputLoadsIntoAFreshDatabase) {
  std::string src = shop_database("cli_inspect");
  SeamRun r = seam_run({"inspect", "--db", src});
  ASSERT_EQ(r.status, 0) << r.all();
  EXPECT_HAS(r.out, "CREATE TABLE public.orders");
  EXPECT_LACKS(r.out, "seam:");  // nothing of seam's own leaks into the script as an annotation

  fs::path script = temp_path("inspect.sql");
  std::ofstream(script, std::ios::binary) << r.out;
  fs::permissions(script, fs::perms::others_read, fs::perm_options::add);
  std::string copy = seam::test::fresh_database("cli_inspect_copy");
  seam::test::run_psql_file(copy, script);
  fs::remove(script);
  auto diffs = seam::schema::compare(inspect_url(src), inspect_url(copy));
  EXPECT_TRUE(diffs.empty()) << seam::schema::format_differences(diffs);

  // --out writes the same script to a file and nothing to stdout.
  fs::path out = temp_path("out.sql");
  SeamRun w = seam_run({"inspect", "--db", src, "--out", out.string()});
  EXPECT_EQ(w.status, 0) << w.all();
  EXPECT_EQ(w.out, "");
  EXPECT_EQ(slurp(out), r.out);
  fs::remove(out);

  // And the copy's `seam diff` against the inspected script is a no-op.
  fs::path as_schema = temp_path("schema.sql");
  std::ofstream(as_schema, std::ios::binary) << r.out;
  SeamRun d = seam_run({"diff", "--db", copy, "--schema", as_schema.string()});
  EXPECT_EQ(d.status, 0) << d.all();
  EXPECT_EQ(d.out, "");
  fs::remove(as_schema);
}

TEST(Cli, PasswordIsNeverPrinted) {
  const std::string pw = "secretpw";
  const std::vector<std::vector<std::string>> invocations = {
      {"inspect", "--db", "postgresql://postgres:" + pw + "@127.0.0.1:1/x"},
      {"inspect", "--db", "host=127.0.0.1 port=1 dbname=x user=postgres password=" + pw},
      {"diff", "--db", "postgresql://postgres:" + pw + "@127.0.0.1:1/x", "--schema", kShop.string()},
      {"diff", "--db", "postgresql://postgres:" + pw + "@127.0.0.1:1/x", "--schema", kShop.string(), "--dev-url",
       "postgresql://postgres:" + pw + "@127.0.0.1:1/postgres"},
  };
  for (const auto& args : invocations) {
    SCOPED_TRACE(::testing::PrintToString(args));
    SeamRun r = seam_run(args);
    EXPECT_NE(r.status, 0) << r.all();
    EXPECT_NE(r.err, "") << "a failure must say why";
    EXPECT_LACKS(r.all(), pw);
    EXPECT_HAS(r.all(), "127.0.0.1");  // the target is named, just without its password
  }
}

TEST(Cli, DiffWithSyntaxErrorExits65WithPosition) {
  fs::path dir = temp_path("badschema");
  fs::create_directories(dir);
  std::ofstream(dir / "01_ok.sql") << "CREATE TABLE ok (id int);\n";
  std::ofstream(dir / "02_bad.sql") << "CREATE TABLE bad (\n  id int,\n  name txt,,\n);\n";
  // The database is never reached: the input is refused first.
  SeamRun r = seam_run({"diff", "--db", "postgresql://postgres@127.0.0.1:1/x", "--schema", dir.string()});
  fs::remove_all(dir);
  EXPECT_EQ(r.status, 65) << r.all();
  EXPECT_HAS(r.err, "02_bad.sql:3:12:");
  EXPECT_EQ(r.out, "");
}

TEST(Cli, DiffWithDmlExits65) {
  fs::path file = temp_path("dml.sql");
  std::ofstream(file) << "CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);\n";
  SeamRun r = seam_run({"diff", "--db", "postgresql://postgres@127.0.0.1:1/x", "--schema", file.string()});
  fs::remove(file);
  EXPECT_EQ(r.status, 65) << r.all();
  EXPECT_HAS(r.err, "dml.sql:2:1:");
  EXPECT_HAS(r.err, "DML");
}

TEST(Cli, UnknownFlagIsAUsageError) {
  SeamRun r = seam_run({"diff", "--no-such-flag"});
  EXPECT_EQ(r.status, 64) << r.all();
}

}  // namespace
