// `seam plan --dialect tidb` and `seam jobs` against mysql:// URLs, end to end
// (the binary from SEAM_BINARY, a MariaDB dev server for the live cases):
//  * offline (--from DIR --schema DIR --server-version V): the plan file is a
//    TiDB plan, `seam lint`'s default policy warns on its dialect-unverified
//    hazards (exit 0) and fails on a drop's data loss (exit 2);
//  * live against MariaDB: without --server-version the plan is refused
//    (the server is not TiDB), with it the plan is made and a warning says
//    the server is not TiDB; the URL's password never appears in any output;
//  * `seam jobs` verbs against MariaDB refuse, naming the server they found.
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "dialects/mysql/dev_server.hpp"
#include "dialects/postgres/spawn.hpp"
#include "planner/plan_yaml.hpp"
#include "tests/support/files.hpp"

namespace {

namespace fs = std::filesystem;
using namespace seam;

const std::string kPassword = "S3cret-pw_never-printed";

struct SeamRun {
  int status = -1;
  std::string out, err;
};

fs::path temp(const std::string& name) {
  static int n = 0;
  return fs::temp_directory_path() /
         ("seam_tidb_cli_" + std::to_string(::getpid()) + "_" + std::to_string(++n) + "_" + name);
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

fs::path write_dir(const std::string& name, const std::string& sql) {
  fs::path d = temp(name);
  fs::create_directories(d);
  std::ofstream(d / "schema.sql") << sql;
  return d;
}

const std::string kFrom =
    "CREATE TABLE customers (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,\n"
    "  email VARCHAR(255) NOT NULL, legacy CHAR(4) NULL);\n";
const std::string kTo =
    "CREATE TABLE customers (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,\n"
    "  email VARCHAR(255) NOT NULL, legacy CHAR(4) NULL, phone VARCHAR(30) NULL,\n"
    "  UNIQUE KEY customers_email_key (email));\n";
const std::string kToWithDrop =
    "CREATE TABLE customers (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,\n"
    "  email VARCHAR(255) NOT NULL);\n";

TEST(TidbCli, OfflinePlanAndLint) {
  fs::path from = write_dir("from", kFrom), to = write_dir("to", kTo);
  fs::path plan = temp("plan.yaml");
  SeamRun r = seam_run({"plan", "--dialect", "tidb", "--from", from, "--schema", to,
                        "--server-version", "8.5.1", "--out", plan});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("step hazards of type dialect-unverified"), std::string::npos) << r.err;
  planner::Plan p = planner::load_plan_file(plan);
  EXPECT_EQ(p.dialect, "tidb");
  EXPECT_EQ(p.server_version, "8.5.1");
  ASSERT_EQ(p.steps.size(), 2u);
  EXPECT_EQ(p.steps[0].op, "add_column_nullable");
  EXPECT_EQ(p.steps[0].sql,
            "ALTER TABLE `customers` ADD COLUMN `phone` varchar(30) COLLATE "
            "`utf8mb4_bin` NULL;\n");
  EXPECT_EQ(p.steps[1].op, "add_unique");

  // The default policy warns on the unverified steps and passes.
  SeamRun lint = seam_run({"lint", plan});
  EXPECT_EQ(lint.status, 0) << lint.out << lint.err;
  EXPECT_NE(lint.out.find("dialect-unverified"), std::string::npos) << lint.out;
  EXPECT_NE(lint.out.find("warn"), std::string::npos) << lint.out;

  // A dropped column is data loss: the default policy fails it.
  fs::path drop = temp("drop.yaml");
  r = seam_run({"plan", "--dialect", "tidb", "--from", from, "--schema",
                write_dir("to_drop", kToWithDrop), "--server-version", "8.5", "--out", drop,
                "--no-warnings"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  lint = seam_run({"lint", drop});
  EXPECT_EQ(lint.status, 2) << lint.out << lint.err;
  EXPECT_NE(lint.out.find("data-loss"), std::string::npos) << lint.out;

  // The Markdown rendering carries the TiDB SQL as it is.
  r = seam_run({"plan", "--dialect", "tidb", "--from", from, "--schema", to, "--server-version",
                "7.5", "--format", "md", "--no-warnings"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("ALTER TABLE `customers` ADD CONSTRAINT `customers_email_key` UNIQUE"),
            std::string::npos)
      << r.out;

  // --from needs the version; --db and --from exclude each other.
  r = seam_run({"plan", "--dialect", "tidb", "--from", from, "--schema", to});
  EXPECT_EQ(r.status, 64) << r.err;
  EXPECT_NE(r.err.find("--server-version"), std::string::npos) << r.err;
  r = seam_run({"plan", "--dialect", "tidb", "--schema", to, "--server-version", "8.5"});
  EXPECT_EQ(r.status, 64) << r.err;
  // A version the matrix does not cover is not guessed.
  r = seam_run(
      {"plan", "--dialect", "tidb", "--from", from, "--schema", to, "--server-version", "6.5"});
  EXPECT_EQ(r.status, 69) << r.err;
  EXPECT_NE(r.err.find("6.5"), std::string::npos) << r.err;
}

class TidbCliLive : public ::testing::Test {
 protected:
  static mysql::DevServer& server() {
    static mysql::DevServer s;
    return s;
  }
  static std::string url(const std::string& password = kPassword) {
    return "mysql://planner:" + password + "@localhost/shop?socket=" + server().socket().string();
  }
  static void SetUpTestSuite() {
    auto c = server().connect();
    c.exec("DROP DATABASE IF EXISTS shop");
    c.exec("CREATE DATABASE shop");
    c.exec("CREATE USER IF NOT EXISTS 'planner'@'localhost' IDENTIFIED BY '" + kPassword + "'");
    c.exec("GRANT ALL ON *.* TO 'planner'@'localhost'");
    auto s = server().connect("shop");
    s.exec(
        "CREATE TABLE customers (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, email "
        "VARCHAR(255) NOT NULL, legacy CHAR(4) NULL)");
    s.exec("INSERT INTO customers (email) VALUES ('a@example.com'), ('b@example.com')");
  }
  static void expect_no_password(const SeamRun& r) {
    EXPECT_EQ(r.out.find(kPassword), std::string::npos) << r.out;
    EXPECT_EQ(r.err.find(kPassword), std::string::npos) << r.err;
  }
};

TEST_F(TidbCliLive, PlanAgainstMariaDbNeedsTheTidbVersion) {
  fs::path to = write_dir("live_to", kTo);
  SeamRun r = seam_run({"plan", "--dialect", "tidb", "--db", url(), "--schema", to});
  EXPECT_EQ(r.status, 69) << r.err;
  EXPECT_NE(r.err.find("is MariaDB 10."), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not TiDB"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("mysql://planner:***@localhost/shop"), std::string::npos) << r.err;
  expect_no_password(r);

  r = seam_run({"plan", "--dialect", "tidb", "--db", url(), "--schema", to, "--server-version",
                "8.5", "--format", "yaml"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("warning: the server at mysql://planner:***@localhost/shop"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("is MariaDB"), std::string::npos) << r.err;
  expect_no_password(r);
  planner::Plan p = planner::plan_from_yaml(r.out, "<stdout>");
  EXPECT_EQ(p.server_version, "8.5");
  ASSERT_EQ(p.steps.size(), 2u);
  // The live database's name is the model's schema; its statistics feed the messages.
  EXPECT_EQ(p.steps[0].change, "add column shop.customers.phone");
  bool rows = false;
  for (const auto& h : p.steps[1].hazards)
    rows = rows || h.message.find("shop.customers has about") != std::string::npos;
  EXPECT_TRUE(rows) << planner::to_yaml(p);

  // In sync: an empty plan.
  r = seam_run({"plan", "--dialect", "tidb", "--db", url(), "--schema",
                write_dir("live_same", kFrom), "--server-version", "8.5", "--exit-code"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(planner::plan_from_yaml(r.out, "<stdout>").empty()) << r.out;

  // A wrong password: a connection error that does not echo it.
  r = seam_run({"plan", "--dialect", "tidb", "--db", url("Wrong-pw-" + kPassword), "--schema", to,
                "--server-version", "8.5"});
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("Access denied"), std::string::npos) << r.err;
  expect_no_password(r);
}

TEST_F(TidbCliLive, JobVerbsRefuseOnMariaDb) {
  for (const std::vector<std::string>& verb : {std::vector<std::string>{"list"},
                                               {"show", "12"},
                                               {"pause", "12"},
                                               {"resume", "12"},
                                               {"cancel", "12"}}) {
    std::vector<std::string> args{"jobs"};
    args.insert(args.end(), verb.begin(), verb.end());
    args.insert(args.end(), {"--db", url()});
    SeamRun r = seam_run(args);
    EXPECT_EQ(r.status, 69) << verb[0] << ": " << r.err;
    EXPECT_NE(r.err.find("seam jobs " + verb[0] + ": the server is MariaDB 10."), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("not TiDB"), std::string::npos) << r.err;
    expect_no_password(r);
  }
  SeamRun r = seam_run({"jobs", "approve", "3", "--db", url()});
  EXPECT_EQ(r.status, 69) << r.err;
  EXPECT_NE(r.err.find("seam apply does not run TiDB plans"), std::string::npos) << r.err;
  // Job ids are integers before anything reaches a server.
  r = seam_run({"jobs", "cancel", "12;DROP TABLE x", "--db", url()});
  EXPECT_EQ(r.status, 64) << r.err;
}

}  // namespace
