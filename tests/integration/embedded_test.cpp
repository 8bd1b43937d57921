// The embedded PostgreSQL server and the test fixture built on it: the server
// is the requested major, runs unprivileged, isolates databases, reports start
// failures with its log, and leaves nothing behind.
//
// ctest runs this once per installed major (embedded_test_pg<N>, with
// SEAM_TEST_PG_VERSION=<N>).
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pqxx/pqxx>

#include "dialects/postgres/embedded.hpp"
#include "tests/support/pg_fixture.hpp"

namespace fs = std::filesystem;
using seam::test::query_value;

TEST(EmbeddedServer, RunsTheRequestedMajor) {
  auto& s = seam::test::server();
  EXPECT_EQ(s.version_major(), seam::test::test_pg_major());
  int num = std::stoi(query_value(s.url(), "SHOW server_version_num"));
  EXPECT_EQ(num / 10000, seam::test::test_pg_major()) << query_value(s.url(), "SELECT version()");
}

TEST(EmbeddedServer, UsesThrowawaySettings) {
  auto& s = seam::test::server();
  EXPECT_EQ(query_value(s.url(), "SHOW fsync"), "off");
  EXPECT_EQ(query_value(s.url(), "SHOW synchronous_commit"), "off");
  EXPECT_EQ(query_value(s.url(), "SHOW full_page_writes"), "off");
  EXPECT_EQ(query_value(s.url(), "SHOW listen_addresses"), "127.0.0.1");
  EXPECT_EQ(query_value(s.url(), "SHOW unix_socket_directories"), s.socket_dir().string());
  EXPECT_EQ(query_value(s.url(), "SHOW server_encoding"), "UTF8");
  EXPECT_EQ(query_value(s.url(), "SELECT datcollate FROM pg_database WHERE datname = current_database()"), "C");
  EXPECT_EQ(query_value(s.url(), "SELECT current_user"), "postgres");
}

TEST(EmbeddedServer, ListensOnItsPrivateSocketToo) {
  auto& s = seam::test::server();
  std::string sock_url = "postgresql://postgres@/postgres?host=" + s.socket_dir().string() +
                         "&port=" + std::to_string(s.port());
  EXPECT_EQ(query_value(sock_url, "SELECT 1"), "1");
}

TEST(EmbeddedServer, RunsAsAnUnprivilegedUserWhenRoot) {
  auto& s = seam::test::server();
  struct stat st {};
  ASSERT_EQ(stat(s.data_dir().c_str(), &st), 0);
  if (geteuid() == 0) {
    EXPECT_NE(st.st_uid, 0u) << "data directory owned by root: the server ran as root";
  } else {
    EXPECT_EQ(st.st_uid, geteuid());
  }
}

TEST(EmbeddedServer, DatabasesAreSeparate) {
  std::string a = seam::test::fresh_database("a");
  std::string b = seam::test::fresh_database("b");
  ASSERT_NE(a, b);
  seam::test::run_sql(a, "CREATE TABLE only_in_a (id int PRIMARY KEY); INSERT INTO only_in_a VALUES (1)");
  EXPECT_EQ(query_value(a, "SELECT count(*) FROM only_in_a"), "1");
  EXPECT_EQ(query_value(b, "SELECT count(*) FROM pg_class WHERE relname = 'only_in_a'"), "0");
  EXPECT_NE(query_value(a, "SELECT current_database()"),
            query_value(b, "SELECT current_database()"));
}

TEST(EmbeddedServer, QuotesDatabaseNames) {
  auto& s = seam::test::server();
  const std::string name = "Odd \"name\"; DROP DATABASE postgres; --";
  s.create_database(name);
  EXPECT_EQ(query_value(s.url_for(name), "SELECT current_database()"), name);
  EXPECT_EQ(query_value(s.url(), "SELECT count(*) FROM pg_database WHERE datname = 'postgres'"),
            "1");
}

TEST(EmbeddedServer, RunSqlIsAllOrNothing) {
  std::string db = seam::test::fresh_database();
  EXPECT_THROW(seam::test::run_sql(db, "CREATE TABLE t (id int); SELECT no_such_function()"),
               std::exception);
  EXPECT_EQ(query_value(db, "SELECT count(*) FROM pg_class WHERE relname = 't'"), "0");
}

TEST(EmbeddedServer, StopsAndRemovesEverything) {
  fs::path root, data;
  std::string url;
  {
    seam::pg::ServerOptions o;
    o.major = seam::test::test_pg_major();
    seam::pg::EmbeddedServer s(o);
    root = s.root_dir();
    data = s.data_dir();
    url = s.url();
    s.create_database("one");
    s.create_database("two");
    EXPECT_EQ(query_value(s.url_for("two"), "SELECT current_database()"), "two");
    EXPECT_TRUE(fs::exists(data / "PG_VERSION"));
    EXPECT_TRUE(fs::exists(data / "postmaster.pid"));
    EXPECT_TRUE(s.running());
  }
  EXPECT_FALSE(fs::exists(data));
  EXPECT_FALSE(fs::exists(root));
  EXPECT_THROW(pqxx::connection{url + "?connect_timeout=2"}, std::exception);
}

TEST(EmbeddedServer, StartFailureCarriesTheServerLog) {
  seam::pg::ServerOptions o;
  o.major = seam::test::test_pg_major();
  o.settings = {{"max_connections", "not_a_number"}};
  try {
    seam::pg::EmbeddedServer s(o);
    FAIL() << "a server with max_connections=not_a_number started";
  } catch (const std::runtime_error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("max_connections"), std::string::npos) << msg;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(msg, m, std::regex(R"((/\S*seam-pg-\w+)/server\.log)"))) << msg;
    EXPECT_FALSE(fs::exists(m[1].str())) << "temporary directory left behind: " << m[1];
  }
}

TEST(EmbeddedServer, OutlivesTheThreadThatStartedIt) {
  // The shutdown-on-parent-death signal is per thread; a server first needed
  // inside a test's worker thread must keep running after that thread ends.
  std::unique_ptr<seam::pg::EmbeddedServer> s;
  std::thread t([&] {
    seam::pg::ServerOptions o;
    o.major = seam::test::test_pg_major();
    s = std::make_unique<seam::pg::EmbeddedServer>(o);
  });
  t.join();
  ASSERT_TRUE(s);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_TRUE(s->running());
  EXPECT_EQ(query_value(s->url(), "SELECT 1"), "1");
}

TEST(EmbeddedServer, RemovesClustersAbandonedByAKilledSeam) {
  // A private temp base so that only this test's directories are involved.
  fs::path base = fs::temp_directory_path() / ("seam-embedded-test-" + std::to_string(getpid()));
  fs::create_directories(base);
  fs::permissions(base, fs::perms::all);  // the unprivileged server user must reach it
  fs::path old_dead = base / "seam-pg-OLDaaa", old_live = base / "seam-pg-OLDbbb",
           young = base / "seam-pg-NEWccc";
  fs::create_directories(old_dead / "data");
  fs::create_directories(old_live / "data");
  fs::create_directories(young / "data");
  std::ofstream(old_dead / "data/postmaster.pid") << "999999999\n";  // no such process
  std::ofstream(old_live / "data/postmaster.pid") << getpid() << "\n";
  auto long_ago = fs::file_time_type::clock::now() - std::chrono::hours(1);
  fs::last_write_time(old_dead, long_ago);
  fs::last_write_time(old_live, long_ago);

  setenv("SEAM_PG_TMPDIR", base.c_str(), 1);
  {
    seam::pg::ServerOptions o;
    o.major = seam::test::test_pg_major();
    seam::pg::EmbeddedServer s(o);
    EXPECT_EQ(s.root_dir().parent_path(), base);
  }
  unsetenv("SEAM_PG_TMPDIR");
  EXPECT_FALSE(fs::exists(old_dead)) << "abandoned cluster not removed";
  EXPECT_TRUE(fs::exists(old_live)) << "removed a cluster whose postmaster still runs";
  EXPECT_TRUE(fs::exists(young)) << "removed a cluster that may still be starting";
  fs::remove_all(base);
}

TEST(FindPgBin, NamesWhereItLookedAndHowToInstall) {
  try {
    seam::pg::find_pg_bin(3);
    FAIL() << "found PostgreSQL 3";
  } catch (const std::runtime_error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("/usr/lib/postgresql/3/bin"), std::string::npos) << msg;
    EXPECT_NE(msg.find("/var/cache/seam/pg/3/bin"), std::string::npos) << msg;
    EXPECT_NE(msg.find("scripts/install-pg-versions.sh 3"), std::string::npos) << msg;
  }
}

TEST(FindPgBin, FindsTheTestMajor) {
  std::string dir = seam::pg::find_pg_bin(seam::test::test_pg_major());
  EXPECT_EQ(seam::pg::pg_binary_major(dir), seam::test::test_pg_major());
}
