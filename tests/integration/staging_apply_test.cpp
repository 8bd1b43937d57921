// `seam apply` on the HA staging cluster (scripts/staging) through HAProxy's
// write port while the leader is SIGKILLed mid-backfill (issue 8's failure
// scenarios; results in docs/reliability.md). The plan is a real one from
// `seam plan`: a new NOT NULL column with a volatile default on a 200,000-row
// table (add nullable, set the default, batched backfill, NOT NULL through a
// validated check). A counting trigger
// increments `cnt` on every UPDATE of a row, so at the end cnt = 1 on every
// row proves each row was backfilled exactly once, even though the batches the
// old leader committed but had not yet shipped to the promoted replica were
// lost - together with the ledger cursor that recorded them - and redone.
// Label "staging"; ctest runs it alone (RESOURCE_LOCK staging).
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "dialects/postgres/conn.hpp"
#include "dialects/postgres/spawn.hpp"
#include "planner/plan_yaml.hpp"
#include "tests/support/files.hpp"
#include "tests/support/pg_fixture.hpp"
#include "tests/support/staging.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using seam::test::StagingCluster;

constexpr int kRows = 200000;

const char* kSchema = R"sql(
CREATE TABLE public.line_items (
  id bigint PRIMARY KEY,
  quantity integer NOT NULL,
  note text,
  cnt integer NOT NULL DEFAULT 0%EXTRA%
);
-- Counts every UPDATE of a row: exactly-once proof for the backfill.
CREATE FUNCTION public.count_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.cnt := OLD.cnt + 1;
  RETURN NEW;
END
$$;
CREATE TRIGGER zz_count BEFORE UPDATE ON public.line_items FOR EACH ROW EXECUTE FUNCTION public.count_update();
)sql";

// The table as it is, and as desired (with the new column).
std::string schema_sql(bool desired) {
  std::string s = kSchema;
  s.replace(s.find("%EXTRA%"), 7, desired ? ",\n  seen_at timestamp with time zone NOT NULL DEFAULT clock_timestamp()" : "");
  return s;
}

using seam::test::slurp;

seam::pg::Captured seam_cli(const std::vector<std::string>& args) {
  std::vector<std::string> argv{SEAM_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return seam::pg::run_capture(argv);
}

// A value through a fresh connection, or "" when the cluster does not answer.
std::string try_value(const std::string& url, const std::string& sql) {
  try {
    return seam::test::query_value(url + "?connect_timeout=2", sql);
  } catch (const std::exception&) {
    return "";
  }
}

TEST(StagingApply, LeaderSigkillMidBackfillResumesThroughHaproxyExactlyOnce) {
  StagingCluster cluster = StagingCluster::for_test("apply", 27630, 79);
  ASSERT_NO_THROW(cluster.up());
  std::string admin = cluster.write_url();
  {
    pqxx::connection c(admin);
    pqxx::nontransaction tx(c);
    tx.exec0("CREATE DATABASE mig");
  }
  std::string url = admin.substr(0, admin.rfind('/')) + "/mig";
  seam::test::run_sql(url, schema_sql(false));
  seam::test::run_sql(url, "INSERT INTO public.line_items (id, quantity, note) SELECT g, g * 3, 'item ' || g "
                           "FROM generate_series(1, " + std::to_string(kRows) + ") g; ANALYZE public.line_items");

  fs::path work = fs::path(cluster.dir()) / "apply-test";
  fs::create_directories(work / "desired");
  std::ofstream(work / "desired" / "schema.sql") << schema_sql(true);
  fs::path plan_file = work / "plan.yaml";
  auto planned = seam_cli({"plan", "--db", url, "--schema", (work / "desired").string(), "--out", plan_file.string()});
  ASSERT_EQ(planned.status, 0) << planned.output;
  seam::planner::Plan plan = seam::planner::plan_from_yaml(slurp(plan_file), plan_file.string());
  bool has_backfill = false;
  for (const auto& st : plan.steps) has_backfill = has_backfill || st.kind == seam::planner::StepKind::Backfill;
  ASSERT_TRUE(has_backfill) << slurp(plan_file);

  // A throttled backfill (about 20 s unthrottled-free) so the kill lands in it.
  std::vector<std::string> apply_args{"apply",        plan_file.string(), "--db", url, "--batch-size", "1000",
                                      "--max-rows-per-second", "12000", "--lease-ttl-ms", "5000",
                                      "--log-format", "json"};
  fs::path first_out = work / "apply-1.log";
  pid_t applier;
  {
    std::vector<std::string> argv{SEAM_BINARY};
    argv.insert(argv.end(), apply_args.begin(), apply_args.end());
    int fd = ::open(first_out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    seam::pg::SpawnOptions o;
    o.stdout_fd = fd;
    o.stderr_fd = fd;
    applier = seam::pg::spawn(argv, o);
    ::close(fd);
  }
  const std::string progress_sql = "SELECT coalesce(sum(rows_done), 0) FROM seam.backfill_progress";
  int64_t seen = 0;
  for (int i = 0; i < 600 && seen < kRows * 3 / 10; ++i) {
    std::this_thread::sleep_for(100ms);
    std::string v = try_value(url, progress_sql);
    if (!v.empty()) seen = std::stoll(v);
    ASSERT_FALSE(seam::pg::poll_exit(applier).has_value()) << "seam apply ended before the kill:\n"
                                                           << slurp(first_out);
  }
  ASSERT_GE(seen, kRows * 3 / 10) << slurp(first_out);

  std::string old_leader = cluster.kill_leader();
  double kill_at = cluster.last_event("kill", old_leader).value_or(seam::test::epoch_now());

  // The applier loses its connection: it must stop (not hang) and say so.
  std::optional<int> first_rc;
  for (int i = 0; i < 600 && !first_rc; ++i) {
    std::this_thread::sleep_for(100ms);
    first_rc = seam::pg::poll_exit(applier);
  }
  if (!first_rc) {
    ::kill(applier, SIGKILL);
    seam::pg::wait_exit(applier);
  }
  ASSERT_TRUE(first_rc.has_value()) << "seam apply still running 60 s after the leader died:\n" << slurp(first_out);
  double applier_exit_after = seam::test::epoch_now() - kill_at;
  EXPECT_NE(*first_rc, 0) << slurp(first_out);

  // Resume: run the same command until the job reaches its checkpoint (while
  // there is no leader it fails to connect; a lease still held is refused
  // with 75 until its heartbeat is older than the TTL).
  int resumes = 0;
  std::string resumed_out;
  int64_t ledger_after_failover = -1;
  std::string ledger_and_data;
  double writable_after = -1;
  for (int i = 0; i < 90; ++i) {
    if (ledger_after_failover < 0) {
      std::string v = try_value(url, progress_sql);
      if (!v.empty() && try_value(url, "SELECT pg_is_in_recovery()") == "f") {
        ledger_after_failover = std::stoll(v);
        writable_after = seam::test::epoch_now() - kill_at;
        // No applier runs now: the new leader's ledger and its rows as they
        // came through the failover.
        ledger_and_data = try_value(url, "SELECT (" + progress_sql +
                                             ") || ':' || (SELECT count(*) FROM public.line_items WHERE cnt > 0)");
      } else {
        std::this_thread::sleep_for(1s);
        continue;
      }
    }
    ++resumes;
    auto r = seam_cli(apply_args);
    resumed_out += "--- resume " + std::to_string(resumes) + " exit " + std::to_string(r.status) + "\n" + r.output;
    if (r.status == 0) break;
    std::this_thread::sleep_for(1s);
  }
  ASSERT_NE(resumed_out.find("checkpoint"), std::string::npos) << resumed_out;
  std::string new_leader = cluster.leader();
  EXPECT_NE(new_leader, old_leader);

  // Approve the checkpoint and finish.
  auto jobs = seam_cli({"jobs", "approve", "1", "--db", url});
  ASSERT_EQ(jobs.status, 0) << jobs.output;
  auto last = seam_cli(apply_args);
  ASSERT_EQ(last.status, 0) << last.output;
  EXPECT_EQ(seam::test::query_value(url, "SELECT state FROM seam.jobs"), "done");

  // Exactly once: every row updated by exactly one backfill batch, with the
  // column filled and NOT NULL.
  EXPECT_EQ(seam::test::query_value(url, "SELECT count(*) FROM public.line_items WHERE cnt = 1 AND quantity = id * 3 "
                                         "AND seen_at IS NOT NULL"),
            std::to_string(kRows));
  EXPECT_EQ(seam::test::query_value(url, "SELECT count(*) FROM public.line_items WHERE cnt <> 1"), "0");
  EXPECT_EQ(seam::test::query_value(url, "SELECT sum(rows_done) FROM seam.backfill_progress"), std::to_string(kRows));
  // The catalog is the desired state.
  {
    // seam diff's answer: no differences (exit 0 with --exit-code, nothing printed).
    auto diff = seam_cli({"diff", "--db", url, "--schema", (work / "desired").string(), "--exit-code"});
    EXPECT_EQ(diff.status, 0) << diff.output;
    EXPECT_EQ(diff.output.find("ALTER"), std::string::npos) << diff.output;
  }
  // The last batch the old leader acknowledged, from the first applier's log.
  int64_t acked = -1;
  {
    std::istringstream in(slurp(first_out));
    std::string line;
    while (std::getline(in, line)) {
      auto k = line.find("\"rows_done\": ");
      if (line.find("\"kind\": \"batch\"") != std::string::npos && k != std::string::npos)
        acked = std::stoll(line.substr(k + 13));
    }
  }
  EXPECT_GT(acked, 0) << slurp(first_out);
  int64_t redone = acked > ledger_after_failover ? acked - ledger_after_failover : 0;
  std::printf(
      "[staging] seam apply, leader SIGKILL mid-backfill: leader %s -> %s; the old leader acknowledged %lld rows "
      "done, the new leader's ledger had %lld (%lld rows lost with their cursor under async replication, redone once); "
      "applier exited %d after %.2f s; writable through HAProxy %.2f s after the kill; %d resume run(s); "
      "%d rows with cnt = 1\n",
      old_leader.c_str(), new_leader.c_str(), static_cast<long long>(acked),
      static_cast<long long>(ledger_after_failover), static_cast<long long>(redone), *first_rc, applier_exit_after,
      writable_after, resumes, kRows);
  // The resume runs, without their per-batch lines.
  std::istringstream lines(resumed_out);
  for (std::string line; std::getline(lines, line);)
    if (line.find("\"kind\": \"batch\"") == std::string::npos) std::printf("%s\n", line.c_str());
  // The ledger and the data failed over together: the new leader's cursor
  // counts exactly the rows its data shows backfilled (same WAL, same
  // transactions), so what was lost was lost with its cursor and redone once.
  EXPECT_EQ(ledger_and_data, std::to_string(ledger_after_failover) + ":" + std::to_string(ledger_after_failover));
}

}  // namespace
