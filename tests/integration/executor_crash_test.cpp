// Crash safety of `seam apply`: the applier (executor_driver, a separate
// process) is SIGKILLed at 25 random points while it applies a plan with a
// backfill over 200,000 rows, and resumed each time. At the end every row
// was backfilled exactly once (a counting trigger: cnt = 1 on every row),
// every SQL step ran exactly once (applied_log), no INVALID index is left,
// and the job stops at its checkpoint; approval then finishes it.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "tests/support/files.hpp"
#include "dialects/postgres/spawn.hpp"
#include "executor/control.hpp"
#include "tests/integration/executor_plans.hpp"

namespace {

namespace fs = std::filesystem;

using seam::test::slurp;

struct Driver {
  pid_t pid = -1;
  fs::path out;
};

Driver start_driver(const std::vector<std::string>& args) {
  static int n = 0;
  Driver d;
  d.out = fs::temp_directory_path() /
          ("seam_exec_crash_" + std::to_string(::getpid()) + "_" + std::to_string(++n));
  int fd = ::open(d.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<std::string> argv{EXECUTOR_DRIVER};
  argv.insert(argv.end(), args.begin(), args.end());
  seam::pg::SpawnOptions o;
  o.stdout_fd = fd;
  o.stderr_fd = fd;
  d.pid = seam::pg::spawn(argv, o);
  ::close(fd);
  return d;
}

int finish(const Driver& d, std::string* output = nullptr) {
  int rc = seam::pg::wait_exit(d.pid);
  if (output) *output = slurp(d.out);
  fs::remove(d.out);
  return rc;
}

TEST(ExecutorCrash, SigkillAtRandomPointsBackfillsEveryRowExactlyOnce) {
  const int kRows = 200000, kComposite = 30000;
  std::string url = seam::test::fresh_database("crash");
  seam::test::setup_backfill_db(url, kRows, kComposite);
  std::string fp = seam::test::live_fingerprint(url);
  std::vector<std::string> args{
      "backfill",     url, fp, "--batch-size", "500", "--rows-per-second", "15000",
      "--backoff-ms", "20"};

  std::mt19937 rng(20261125);
  int kills = 0, finished_early = 0;
  std::vector<int64_t> progress_at_kill;
  for (int i = 0; i < 25; ++i) {
    Driver d = start_driver(args);
    // Random points spread over connecting, the DDL steps and the backfills.
    std::uniform_int_distribution<int> delay(100, 900);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay(rng)));
    if (auto ended = seam::pg::poll_exit(d.pid)) {
      std::string out = slurp(d.out);
      fs::remove(d.out);
      int rc = *ended;
      // It may have refused (the killed one's session still held the lease),
      // or reached the checkpoint: both fine, anything else is not.
      ASSERT_TRUE(rc == 3 || rc == 10) << "exit " << rc << "\n" << out;
      ++finished_early;
      if (rc == 10) break;
      continue;
    }
    ::kill(d.pid, SIGKILL);
    int rc = finish(d);
    ASSERT_EQ(rc, 128 + SIGKILL);
    ++kills;
    std::string done = seam::test::query_value(
        url, "SELECT coalesce(sum(rows_done), 0) FROM seam.backfill_progress");
    progress_at_kill.push_back(done.empty() ? 0 : std::stoll(done));
  }
  // Run to the checkpoint (retrying while a killed applier's session lingers).
  std::string out;
  int rc = -1;
  for (int attempt = 0; attempt < 50; ++attempt) {
    rc = finish(start_driver(args), &out);
    if (rc != 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_EQ(rc, 10) << out;
  EXPECT_NE(out.find("waits at checkpoint checkpoint-005-before-contract"), std::string::npos)
      << out;
  std::cout << "kills: " << kills << ", runs that ended before the kill: " << finished_early
            << ", rows done at each kill:";
  for (auto p : progress_at_kill) std::cout << " " << p;
  std::cout << "\n";
  EXPECT_GE(kills, 20);
  // The kills landed at different points of the backfill, not all before it.
  std::set<int64_t> distinct(progress_at_kill.begin(), progress_at_kill.end());
  EXPECT_GE(distinct.size(), 10u);

  // Exactly once: every row updated by exactly one batch.
  EXPECT_EQ(seam::test::query_value(url, "SELECT count(*) FROM t WHERE cnt = 1 AND v2 = v * 2"),
            std::to_string(kRows));
  EXPECT_EQ(seam::test::query_value(
                url, "SELECT count(*) FROM t WHERE cnt <> 1 OR v2 IS DISTINCT FROM v * 2"),
            "0");
  EXPECT_EQ(seam::test::query_value(url, "SELECT count(*) FROM c WHERE cnt = 1 AND y = x + 1"),
            std::to_string(kComposite));
  EXPECT_EQ(seam::test::query_value(
                url, "SELECT count(*) FROM c WHERE cnt <> 1 OR y IS DISTINCT FROM x + 1"),
            "0");
  EXPECT_EQ(seam::test::query_value(url, "SELECT sum(rows_done) FROM seam.backfill_progress"),
            std::to_string(kRows + kComposite));
  // SQL steps exactly once, the concurrent index valid and alone.
  EXPECT_EQ(seam::test::query_value(url, "SELECT string_agg(step, ',') FROM applied_log"),
            "expand-001");
  EXPECT_EQ(seam::test::query_value(url, "SELECT count(*) FROM pg_index WHERE NOT indisvalid"),
            "0");
  EXPECT_EQ(
      seam::test::query_value(url, "SELECT count(*) FROM pg_indexes WHERE indexname = 't_v_idx'"),
      "1");
  EXPECT_EQ(seam::test::query_value(url, "SELECT state FROM seam.jobs"), "awaiting-approval");
  // Contract never ran.
  EXPECT_EQ(seam::test::query_value(
                url,
                "SELECT attnotnull FROM pg_attribute WHERE attrelid = 't'::regclass AND "
                "attname = 'v2'"),
            "f");

  // Approve, and the contract step runs once.
  {
    auto conn = seam::pg::connect(url);
    std::string msg = seam::executor::approve_job(*conn, {}, 1, "");
    EXPECT_NE(msg.find("checkpoint-005-before-contract"), std::string::npos) << msg;
  }
  rc = finish(start_driver(args), &out);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_EQ(
      seam::test::query_value(url, "SELECT string_agg(step, ',' ORDER BY at) FROM applied_log"),
      "expand-001,contract-006");
  EXPECT_EQ(seam::test::query_value(url, "SELECT state FROM seam.jobs"), "done");
  EXPECT_EQ(seam::test::query_value(
                url,
                "SELECT attnotnull FROM pg_attribute WHERE attrelid = 't'::regclass AND "
                "attname = 'v2'"),
            "t");
  // The audit trail saw the crashes: resumes and lease recoveries.
  EXPECT_GE(std::stoi(seam::test::query_value(
                url, "SELECT count(*) FROM seam.events WHERE kind = 'job-resumed'")),
            10);
  EXPECT_GE(std::stoi(seam::test::query_value(
                url, "SELECT count(*) FROM seam.events WHERE kind = 'lease-recovered'")),
            1);
  // Applying the same plan again does nothing.
  rc = finish(start_driver(args), &out);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("applied already"), std::string::npos) << out;
}

}  // namespace
