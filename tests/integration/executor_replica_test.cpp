// The replica-lag throttle against a real streaming standby: the test server
// gets a hot standby (pg_basebackup -R, started as the server's account), its
// replay is paused so pg_stat_replication.replay_lag grows, and the backfill
// must pause (event throttle-pause, reason replica-lag, no rows while it
// lasts) until replay resumes, then finish with every row updated once.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "dialects/postgres/spawn.hpp"
#include "tests/integration/executor_plans.hpp"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using seam::test::query_value;

// A TCP port nothing listens on right now (the kernel's pick for port 0).
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// A hot standby of the test server, stopped and removed with the object.
struct Standby {
  fs::path dir;
  pid_t pid = -1;
  int port = 0;
  std::string url;
  explicit Standby(seam::pg::EmbeddedServer& primary) {
    auto user = seam::pg::server_account();
    dir = fs::temp_directory_path() / ("seam_standby_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    fs::create_directories(dir / "sock");
    if (user.switch_user) {
      if (::chown(dir.c_str(), user.uid, user.gid) != 0 ||
          ::chown((dir / "sock").c_str(), user.uid, user.gid) != 0)
        throw std::runtime_error("cannot chown " + dir.string());
    }
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace);
    seam::pg::SpawnOptions o;
    o.user = user;
    o.cwd = dir.string();
    auto bb = seam::pg::run_capture(
        {primary.pg_bin() + "/pg_basebackup", "-h", "127.0.0.1", "-p",
         std::to_string(primary.port()), "-U", "postgres", "-D", (dir / "data").string(), "-R",
         "-X", "stream", "--no-sync", "--checkpoint=fast"},
        o);
    if (bb.status != 0) throw std::runtime_error("pg_basebackup failed: " + bb.output);
    port = free_port();
    int log = ::open((dir / "standby.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (user.switch_user && ::fchown(log, user.uid, user.gid) != 0)
      throw std::runtime_error("chown log");
    o.stdout_fd = o.stderr_fd = log;
    o.new_session = true;
    pid = seam::pg::spawn(
        {primary.pg_bin() + "/postgres", "-D", (dir / "data").string(), "-p", std::to_string(port),
         "-c", "listen_addresses=127.0.0.1", "-c",
         "unix_socket_directories=" + (dir / "sock").string(), "-c", "hot_standby=on", "-c",
         "fsync=off", "-c", "wal_receiver_status_interval=1s"},
        o);
    ::close(log);
    url = "postgresql://postgres@127.0.0.1:" + std::to_string(port) + "/postgres";
    auto end = Clock::now() + std::chrono::seconds(60);
    for (;;) {
      try {
        pqxx::connection c(url);
        break;
      } catch (const std::exception&) {
        if (Clock::now() > end) throw std::runtime_error("the standby did not start");
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
  }
  ~Standby() {
    if (pid > 0) {
      ::kill(pid, SIGINT);  // fast shutdown
      seam::pg::wait_exit(pid);
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

int64_t rows_done(const std::string& url) {
  return std::stoll(
      query_value(url, "SELECT coalesce(sum(rows_done), 0) FROM seam.backfill_progress"));
}

TEST(ExecutorReplica, BackfillPausesWhileReplicaLagIsAboveTheBound) {
  std::string url = seam::test::fresh_database("replica");
  seam::test::setup_backfill_db(url, 60000, 10);
  std::string fp = seam::test::live_fingerprint(url);
  Standby standby(seam::test::server());
  auto streaming = [&] {
    return query_value(url, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'") ==
           "1";
  };
  auto end = Clock::now() + std::chrono::seconds(30);
  while (!streaming() && Clock::now() < end)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(streaming());
  seam::test::run_sql(standby.url, "SELECT pg_wal_replay_pause()");

  fs::path out = fs::temp_directory_path() / ("seam_replica_driver_" + std::to_string(::getpid()));
  int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  seam::pg::SpawnOptions o;
  o.stdout_fd = o.stderr_fd = fd;
  pid_t driver = seam::pg::spawn({EXECUTOR_DRIVER, "backfill", url, fp, "--batch-size", "200",
                                  "--rows-per-second", "20000", "--max-replica-lag-ms", "1000"},
                                 o);
  ::close(fd);
  // The lag passes the bound: the backfill pauses, and stays paused.
  end = Clock::now() + std::chrono::seconds(60);
  bool paused = false;
  while (!paused && Clock::now() < end) {
    try {
      paused = query_value(url,
                           "SELECT count(*) FROM seam.events WHERE kind = 'throttle-pause' AND "
                           "detail ->> 'reason' = 'replica-lag'") != "0";
    } catch (const std::exception&) {
      // the ledger is not created yet
    }
    if (!paused) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(paused) << query_value(url, "SELECT string_agg(kind, ',') FROM seam.events");
  int64_t at_pause = rows_done(url);
  std::this_thread::sleep_for(std::chrono::seconds(3));
  int64_t later = rows_done(url);
  EXPECT_EQ(later, at_pause);
  EXPECT_LT(later, 60000);
  std::cout << "paused at " << at_pause << " rows while replay was paused\n";
  // Replay resumes, the lag goes away, the backfill finishes.
  seam::test::run_sql(standby.url, "SELECT pg_wal_replay_resume()");
  int rc = seam::pg::wait_exit(driver);
  std::string log;
  {
    std::ifstream in(out);
    log.assign(std::istreambuf_iterator<char>(in), {});
  }
  fs::remove(out);
  EXPECT_EQ(rc, 10) << log;
  EXPECT_EQ(rows_done(url), 60000 + 10);
  EXPECT_EQ(query_value(url, "SELECT count(*) FROM t WHERE cnt <> 1"), "0");
}

}  // namespace
