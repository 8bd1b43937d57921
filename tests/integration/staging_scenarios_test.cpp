// `seam apply` on the HA staging cluster (scripts/staging) under issue 8's
// failure scenarios, each ending with the catalog equal to the desired state
// (`seam diff --exit-code`), no INVALID index, the job done, and every row
// backfilled exactly once (a counting trigger: cnt = 1):
//   a. the applier SIGKILLed during CREATE INDEX CONCURRENTLY, resumed;
//   b. the applier SIGSTOPped past its lease TTL while a second applier takes
//      over; SIGCONT'd, the first must write nothing more (fencing);
//   c. the leader partitioned mid-backfill (network namespaces only), healed:
//      the old leader rejoins with pg_rewind;
//   d. latency and a cut connection between seam and HAProxy (TcpProxy);
//   e. a lock storm: long transactions and steady writers during every step;
//   f. replica lag above --max-replica-lag-ms (pg_wal_replay_pause on a
//      replica, under Patroni's maintenance mode) pauses the backfill until
//      replay resumes.
// Plans are real ones from `seam plan`. The figures each case prints are in
// docs/reliability.md. One cluster for the suite, one database per case.
// Labels "staging" (a, b, d) and "staging;staging-full" (c, e, f): two ctest
// entries of this executable with gtest filters (tests/CMakeLists.txt).
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "dialects/postgres/spawn.hpp"
#include "planner/plan_yaml.hpp"
#include "tests/support/files.hpp"
#include "tests/support/pg_fixture.hpp"
#include "tests/support/staging.hpp"
#include "tests/support/tcp_proxy.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using seam::test::StagingCluster;

constexpr int kRows = 150000;

StagingCluster* cluster = nullptr;
std::string setup_error;

class Scenarios : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster = new StagingCluster(StagingCluster::for_test("scenarios", 27800, 85));
    try {
      cluster->up();
    } catch (const std::exception& e) {
      setup_error = e.what();
    }
  }
  static void TearDownTestSuite() {
    delete cluster;
    cluster = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(setup_error.empty()) << "scripts/staging up failed:\n" << setup_error;
    // A previous case may have left the cluster mid-rejoin.
    ASSERT_NO_THROW(cluster->wait_healthy(180));
  }
};

double now_s() {
  return seam::test::epoch_now();
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
std::string q(const std::string& url, const std::string& sql) {
  return seam::test::query_value(url, sql);
}

// The table as it is and as desired: a new NOT NULL column with a volatile
// default (batched backfill) and, with `index`, a new index built
// CONCURRENTLY. A counting trigger increments cnt on every UPDATE of a row.
std::string schema_sql(bool desired, bool index) {
  std::string s = R"sql(
CREATE TABLE public.line_items (
  id bigint PRIMARY KEY,
  quantity integer NOT NULL,
  note text,
  cnt integer NOT NULL DEFAULT 0)sql";
  if (desired) s += ",\n  seen_at timestamp with time zone NOT NULL DEFAULT clock_timestamp()";
  s += R"sql(
);
CREATE FUNCTION public.count_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.cnt := OLD.cnt + 1;
  RETURN NEW;
END
$$;
CREATE TRIGGER zz_count BEFORE UPDATE ON public.line_items FOR EACH ROW EXECUTE FUNCTION public.count_update();
)sql";
  if (desired && index)
    s += "CREATE INDEX line_items_note_idx ON public.line_items (note, quantity);\n";
  return s;
}

struct Db {
  std::string name, url;
  fs::path work, desired, plan;
  seam::planner::Plan parsed;
};

Db make_db(const std::string& name, bool index, const std::string& base_url) {
  Db d;
  d.name = name;
  std::string admin = cluster->write_url();
  seam::test::run_sql(admin, "CREATE DATABASE " + name);
  d.url = base_url.substr(0, base_url.rfind('/')) + "/" + name;
  std::string direct = admin.substr(0, admin.rfind('/')) + "/" + name;
  seam::test::run_sql(direct, schema_sql(false, index));
  // Notes of ~120 bytes so the index build takes a moment.
  seam::test::run_sql(direct,
                      "INSERT INTO public.line_items (id, quantity, note) SELECT g, g * 3, "
                      "md5(g::text) || repeat('x', 80) || g FROM generate_series(1, " +
                          std::to_string(kRows) + ") g; ANALYZE public.line_items");
  d.work = fs::path(cluster->dir()) / ("case-" + name);
  d.desired = d.work / "desired";
  fs::create_directories(d.desired);
  std::ofstream(d.desired / "schema.sql") << schema_sql(true, index);
  d.plan = d.work / "plan.yaml";
  auto planned =
      seam_cli({"plan", "--db", direct, "--schema", d.desired.string(), "--out", d.plan.string()});
  EXPECT_EQ(planned.status, 0) << planned.output;
  d.parsed = seam::planner::plan_from_yaml(slurp(d.plan), d.plan.string());
  return d;
}

std::string direct_url(const Db& d) {
  std::string admin = cluster->write_url();
  return admin.substr(0, admin.rfind('/')) + "/" + d.name;
}

std::vector<std::string> apply_args(const Db& d, const std::string& url,
                                    std::vector<std::string> extra,
                                    const std::string& rows_per_second = "15000",
                                    const std::string& ttl_ms = "5000") {
  std::vector<std::string> a{"apply",
                             d.plan.string(),
                             "--db",
                             url,
                             "--batch-size",
                             "1000",
                             "--max-rows-per-second",
                             rows_per_second,
                             "--lease-ttl-ms",
                             ttl_ms,
                             "--log-format",
                             "json"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

struct Applier {
  pid_t pid = -1;
  fs::path log;
};

Applier spawn_apply(const std::vector<std::string>& args, const fs::path& log) {
  std::vector<std::string> argv{SEAM_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  seam::pg::SpawnOptions o;
  o.stdout_fd = fd;
  o.stderr_fd = fd;
  Applier a{seam::pg::spawn(argv, o), log};
  ::close(fd);
  return a;
}

// Waits for the applier to exit; kills it after `seconds`.
std::optional<int> wait_applier(const Applier& a, double seconds) {
  for (double t = 0; t < seconds; t += 0.1) {
    if (auto rc = seam::pg::poll_exit(a.pid)) return rc;
    std::this_thread::sleep_for(100ms);
  }
  ::kill(a.pid, SIGCONT);
  ::kill(a.pid, SIGKILL);
  seam::pg::wait_exit(a.pid);
  return std::nullopt;
}

const char* kProgressSql = "SELECT coalesce(sum(rows_done), 0) FROM seam.backfill_progress";

int64_t progress(const std::string& url) {
  std::string v = try_value(url, kProgressSql);
  return v.empty() ? -1 : std::stoll(v);
}

// Polls until the ledger's backfill reaches `rows` (false if the applier
// ends first or `seconds` pass).
bool wait_progress(const std::string& url, const Applier& a, int64_t rows, double seconds) {
  for (double t = 0; t < seconds; t += 0.1) {
    if (progress(url) >= rows) return true;
    if (seam::pg::poll_exit(a.pid)) return false;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

// Runs `seam apply` until the job is done, approving checkpoints; a failed
// run (no leader yet, a lease still held) is retried after a second.
// Returns the runs' output; *runs counts them.
std::string run_until_done(const Db& d, const std::vector<std::string>& args,
                           const std::string& url, int* runs, int max_runs = 90) {
  std::string out;
  for (int i = 0; i < max_runs; ++i) {
    auto r = seam_cli(args);
    ++*runs;
    out += "--- run " + std::to_string(*runs) + " exit " + std::to_string(r.status) + "\n";
    std::istringstream lines(r.output);
    for (std::string line; std::getline(lines, line);)
      if (line.find("\"kind\": \"batch\"") == std::string::npos) out += line + "\n";
    if (r.status == 0) {
      std::string state = try_value(url, "SELECT state FROM seam.jobs ORDER BY id DESC LIMIT 1");
      if (state == "done") return out;
      if (state == "awaiting-approval") {
        auto ap =
            seam_cli({"jobs", "approve", q(url, "SELECT max(id) FROM seam.jobs"), "--db", url});
        out += "--- approve exit " + std::to_string(ap.status) + "\n" + ap.output;
      }
      continue;
    }
    std::this_thread::sleep_for(1s);
  }
  ADD_FAILURE() << "seam apply did not finish job of " << d.name << " in " << max_runs << " runs:\n"
                << out;
  return out;
}

// The end state every case must reach.
void expect_final_state(const Db& d, const std::string& url) {
  EXPECT_EQ(q(url, "SELECT state FROM seam.jobs ORDER BY id DESC LIMIT 1"), "done");
  // Exactly once: every original row updated by exactly one backfill batch.
  EXPECT_EQ(q(url, "SELECT count(*) FROM public.line_items WHERE id <= " + std::to_string(kRows) +
                       " AND cnt = 1 AND quantity = id * 3 AND seen_at IS NOT NULL"),
            std::to_string(kRows));
  EXPECT_EQ(q(url, "SELECT count(*) FROM public.line_items WHERE id <= " + std::to_string(kRows) +
                       " AND cnt <> 1"),
            "0");
  EXPECT_EQ(q(url, "SELECT count(*) FROM public.line_items WHERE seen_at IS NULL"), "0");
  // No INVALID index left behind by an interrupted CONCURRENTLY build.
  EXPECT_EQ(q(url,
              "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
              "WHERE c.relname = 'line_items' AND NOT (i.indisvalid AND i.indisready)"),
            "0");
  auto diff = seam_cli({"diff", "--db", url, "--schema", d.desired.string(), "--exit-code"});
  EXPECT_EQ(diff.status, 0) << diff.output;
}

bool plan_has(const seam::planner::Plan& p, const std::string& needle) {
  for (const auto& st : p.steps)
    if (st.sql.find(needle) != std::string::npos) return true;
  return false;
}

int count_batches(const std::string& log) {
  int n = 0;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);)
    n += line.find("\"kind\": \"batch\"") != std::string::npos;
  return n;
}

// rows_done of every batch event in an applier's log, in order.
std::vector<int64_t> batch_rows_done(const std::string& log) {
  std::vector<int64_t> out;
  std::istringstream in(log);
  const std::string key = "\"rows_done\": ";
  for (std::string line; std::getline(in, line);) {
    if (line.find("\"kind\": \"batch\"") == std::string::npos) continue;
    size_t at = line.find(key);
    if (at != std::string::npos) out.push_back(std::stoll(line.substr(at + key.size())));
  }
  return out;
}

// --- a. applier SIGKILLed mid-DDL ---------------------------------------------

TEST_F(Scenarios, A_ApplierSigkilledDuringCreateIndexConcurrentlyResumes) {
  std::string url = cluster->write_url();
  Db d = make_db("scen_a", /*index=*/true, url);
  d.url = direct_url(d);
  ASSERT_TRUE(plan_has(d.parsed, "CREATE INDEX CONCURRENTLY")) << slurp(d.plan);
  // A transaction whose snapshot predates the build: CREATE INDEX
  // CONCURRENTLY, its index built but not yet valid, waits for it ("waiting
  // for old snapshots", up to the step's lock_timeout, 10 s here). The
  // applier is killed in that wait.
  pqxx::connection holder(d.url);
  pqxx::work snapshot(holder, "snapshot");
  snapshot.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
  // No lock on line_items (that would block the expand steps' ALTERs): a
  // snapshot of this database is enough.
  snapshot.exec("SELECT 1");
  auto args = apply_args(d, d.url, {"--lock-timeout", "10000"});
  Applier a = spawn_apply(args, d.work / "apply-1.log");
  bool seen = false;
  std::string phase;
  for (int i = 0; i < 3000 && !seen; ++i) {
    phase = try_value(
        d.url,
        "SELECT coalesce(max(phase), '') FROM pg_stat_progress_create_index WHERE command = "
        "'CREATE INDEX CONCURRENTLY'");
    seen = phase.find("old snapshots") != std::string::npos;
    if (!seen && seam::pg::poll_exit(a.pid)) break;
    if (!seen) std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(seen) << "never saw the CONCURRENTLY build waiting for old snapshots (last phase '"
                    << phase << "'):\n"
                    << slurp(a.log);
  ::kill(a.pid, SIGKILL);
  seam::pg::wait_exit(a.pid);
  double killed = now_s();
  // The server notices its client is gone (client_connection_check_interval,
  // 1 s in the harness) and aborts the build: the index stays INVALID.
  bool building = true;
  for (int i = 0; i < 100 && building; ++i) {
    building = try_value(d.url, "SELECT count(*) FROM pg_stat_progress_create_index") != "0";
    if (building) std::this_thread::sleep_for(100ms);
  }
  double aborted_s = now_s() - killed;
  EXPECT_FALSE(building) << "the build went on after its applier died";
  std::string invalid = q(d.url,
                          "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                          "WHERE c.relname = 'line_items_note_idx' AND NOT i.indisvalid");
  EXPECT_EQ(invalid, "1") << "expected the interrupted build's INVALID index";
  snapshot.commit();
  std::string step_state =
      q(d.url,
        "SELECT string_agg(step_id || '=' || state, ', ' ORDER BY position) FROM seam.steps WHERE "
        "state NOT IN ('done', 'pending')");
  EXPECT_NE(step_state.find("=running"), std::string::npos) << step_state;
  int runs = 0;
  double t0 = now_s();
  std::string out = run_until_done(d, args, d.url, &runs);
  double resume_s = now_s() - t0;
  expect_final_state(d, d.url);
  EXPECT_EQ(q(d.url,
              "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
              "WHERE c.relname = 'line_items_note_idx' AND i.indisvalid"),
            "1");
  std::printf(
      "[staging] a. applier SIGKILLed during CREATE INDEX CONCURRENTLY (phase '%s'): the server "
      "aborted "
      "the build %.1f s later; ledger %s; INVALID index after the kill: %s; resumed in %d run(s), "
      "%.1f s to "
      "done\n%s",
      phase.c_str(), aborted_s, step_state.c_str(), invalid.c_str(), runs, resume_s, out.c_str());
  std::fflush(stdout);
}

// --- b. applier frozen past its lease, fenced ----------------------------------

TEST_F(Scenarios, B_FrozenApplierIsFencedWhenASecondTakesOver) {
  std::string url = cluster->write_url();
  Db d = make_db("scen_b", /*index=*/false, url);
  auto args = apply_args(d, d.url, {}, "15000", "3000");
  Applier first = spawn_apply(args, d.work / "apply-first.log");
  ASSERT_TRUE(wait_progress(d.url, first, kRows / 4, 120)) << slurp(first.log);
  ::kill(first.pid, SIGSTOP);
  double stopped = now_s();
  std::this_thread::sleep_for(300ms);  // a batch in flight has committed or waits
  int64_t at_stop = progress(d.url);
  int first_batches_before = count_batches(slurp(first.log));
  // A second applier before the TTL is refused (busy, 75), after it takes over.
  auto early = seam_cli(args);
  EXPECT_EQ(early.status, 75) << early.output;
  std::this_thread::sleep_for(4s);
  Applier second = spawn_apply(args, d.work / "apply-second.log");
  // Wait until the second holds the lease and has written batches.
  bool took = false;
  for (int i = 0; i < 300 && !took; ++i) {
    took =
        try_value(d.url, "SELECT count(*) FROM seam.events WHERE kind = 'lease-takeover'") == "1" &&
        progress(d.url) > at_stop + 5000;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(took) << slurp(second.log);
  std::string epochs =
      q(d.url,
        "SELECT string_agg((detail->>'epoch') || ':' || (detail->>'pid'), ' ' ORDER BY id) "
        "FROM seam.events WHERE kind LIKE 'lease-%'");
  int64_t takeover_event =
      std::stoll(q(d.url, "SELECT max(id) FROM seam.events WHERE kind = 'lease-takeover'"));
  // Wake the first while the second is still backfilling.
  size_t first_log_len = slurp(first.log).size();
  ::kill(first.pid, SIGCONT);
  double woke = now_s();
  auto first_rc = wait_applier(first, 60);
  ASSERT_TRUE(first_rc.has_value()) << "the fenced applier did not exit:\n" << slurp(first.log);
  double first_exit_s = now_s() - woke;
  std::string after_wake = slurp(first.log).substr(first_log_len);
  EXPECT_NE(*first_rc, 0) << after_wake;
  EXPECT_NE(after_wake.find("lease"), std::string::npos) << after_wake;
  // SIGSTOP can land after a batch's COMMIT reached the server but before the
  // applier logged it: that batch committed under the old epoch, before the
  // takeover, and is reported on waking. Anything reported after waking must
  // be such a batch - within the progress the ledger had while it was stopped.
  std::vector<int64_t> woke_batches = batch_rows_done(after_wake);
  EXPECT_LE(woke_batches.size(), 1u) << "the fenced applier reported batches after waking:\n"
                                     << after_wake;
  for (int64_t rows : woke_batches)
    EXPECT_LE(rows, at_stop) << "the fenced applier committed a batch after it was stopped:\n"
                             << after_wake;
  auto second_rc = wait_applier(second, 300);
  ASSERT_TRUE(second_rc.has_value()) << slurp(second.log);
  EXPECT_EQ(*second_rc, 0) << slurp(second.log);
  // Every backfill batch in the ledger is one the first committed before it
  // was stopped or one the second made: none came from the first after waking.
  first_batches_before += static_cast<int>(woke_batches.size());
  int second_batches = count_batches(slurp(second.log));
  std::string ledger_batches = q(d.url, "SELECT sum(batches) FROM seam.backfill_progress");
  EXPECT_EQ(ledger_batches, std::to_string(first_batches_before + second_batches))
      << "first " << first_batches_before << ", second " << second_batches;
  // No ledger row written with the first's epoch after the takeover: the
  // first's pid does not appear on any event after it.
  std::string first_pid = std::to_string(first.pid);
  EXPECT_EQ(
      q(d.url, "SELECT count(*) FROM seam.events WHERE id > " + std::to_string(takeover_event) +
                   " AND detail->>'pid' = '" + first_pid + "'"),
      "0");
  EXPECT_EQ(q(d.url, "SELECT holder_pid FROM seam.jobs ORDER BY id DESC LIMIT 1"),
            std::to_string(second.pid));
  int runs = 0;
  std::string out = run_until_done(d, args, d.url, &runs);
  expect_final_state(d, d.url);
  std::string fenced_line;
  {
    std::istringstream in(after_wake);
    for (std::string line; std::getline(in, line);)
      if (line.find("lease") != std::string::npos) fenced_line = line;
  }
  std::printf(
      "[staging] b. applier SIGSTOPped at %lld rows for %.1f s (lease TTL 3 s); second applier "
      "took over "
      "(lease events epoch:pid %s); first SIGCONT'd, exited %d after %.2f s: %s; ledger batches %s "
      "= "
      "%d (first, before the stop) + %d (second)\n",
      static_cast<long long>(at_stop), woke - stopped, epochs.c_str(), *first_rc, first_exit_s,
      fenced_line.c_str(), ledger_batches.c_str(), first_batches_before, second_batches);
  std::fflush(stdout);
}

// --- c. leader partitioned mid-backfill ---------------------------------------

TEST_F(Scenarios, C_LeaderPartitionedMidBackfillRejoinsWithRewind) {
  if (!cluster->netns())
    GTEST_SKIP() << "partition skipped: the cluster runs on loopback (needs root and ip netns; "
                    "docs/staging.md)";
  std::string url = cluster->write_url();
  Db d = make_db("scen_c", /*index=*/false, url);
  auto args = apply_args(d, d.url, {});
  Applier a = spawn_apply(args, d.work / "apply-1.log");
  ASSERT_TRUE(wait_progress(d.url, a, kRows * 3 / 10, 120)) << slurp(a.log);
  std::string old_leader = cluster->leader();
  cluster->partition(old_leader);
  double at = cluster->last_event("partition", old_leader).value_or(now_s());
  auto rc = wait_applier(a, 90);
  double applier_exit_s = now_s() - at;
  ASSERT_TRUE(rc.has_value()) << "seam apply hung after the partition:\n" << slurp(a.log);
  EXPECT_NE(*rc, 0);
  cluster->wait_writable(90);
  double writable_s = now_s() - at;
  std::string new_leader = cluster->leader();
  EXPECT_NE(new_leader, old_leader);
  // Ledger and data as they came through the failover (no applier running).
  std::string ledger_and_data =
      q(d.url, std::string("SELECT (") + kProgressSql +
                   ") || ':' || (SELECT count(*) FROM public.line_items WHERE cnt > 0)");
  int runs = 0;
  std::string out = run_until_done(d, args, d.url, &runs);
  cluster->heal(old_leader);
  double healed = now_s();
  cluster->wait_healthy(180);
  double rejoin_s = now_s() - healed;
  expect_final_state(d, d.url);
  auto pos = ledger_and_data.find(':');
  EXPECT_EQ(ledger_and_data.substr(0, pos), ledger_and_data.substr(pos + 1))
      << "ledger and data diverged";
  // The old leader rejoined by rewinding, and holds the same rows.
  std::string log = cluster->logs(old_leader);
  // Patroni logs "running pg_rewind from <leader>" when it rewinds.
  bool rewound = log.find("running pg_rewind from") != std::string::npos;
  EXPECT_TRUE(rewound) << "no pg_rewind in " << old_leader << "'s log";
  std::string lsn = q(url, "SELECT pg_current_wal_lsn()");
  std::string node = cluster->node_url(old_leader);
  node = node.substr(0, node.rfind('/')) + "/" + d.name;
  for (int i = 0; i < 300; ++i) {
    if (try_value(node, "SELECT pg_last_wal_replay_lsn() >= '" + lsn + "'::pg_lsn") == "t") break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(q(node, "SELECT count(*) || ':' || sum(cnt) FROM public.line_items"),
            q(d.url, "SELECT count(*) || ':' || sum(cnt) FROM public.line_items"));
  std::printf(
      "[staging] c. leader %s partitioned mid-backfill: seam apply exited %d after %.2f s; "
      "writable "
      "through HAProxy after %.2f s (new leader %s); ledger:data on the new leader %s; %d resume "
      "run(s); "
      "healed, %s rejoined (pg_rewind: %s) in %.1f s\n",
      old_leader.c_str(), *rc, applier_exit_s, writable_s, new_leader.c_str(),
      ledger_and_data.c_str(), runs, old_leader.c_str(), rewound ? "yes" : "no", rejoin_s);
  std::fflush(stdout);
}

// --- d. delayed and cut connections --------------------------------------------

TEST_F(Scenarios, D_DelayedAndCutConnectionsThroughTheProxy) {
  std::string url = cluster->write_url();
  int write_port = std::stoi(url.substr(url.rfind(':') + 1, url.rfind('/') - url.rfind(':') - 1));
  seam::test::TcpProxy proxy("127.0.0.1", write_port);
  Db d = make_db("scen_d", /*index=*/false, url);
  std::string via =
      "postgresql://postgres@127.0.0.1:" + std::to_string(proxy.port()) + "/" + d.name;
  // 5,000 rows/s: the faults land mid-backfill (about 30 s of it).
  auto args = apply_args(d, via, {}, "5000");
  Applier a = spawn_apply(args, d.work / "apply-1.log");
  ASSERT_TRUE(wait_progress(d.url, a, kRows / 5, 120)) << slurp(a.log);
  // 100 ms each way for 4 s: slower batches, no error.
  int64_t p0 = progress(d.url);
  proxy.set_latency(100ms);
  std::this_thread::sleep_for(4s);
  int64_t p1 = progress(d.url);
  proxy.set_latency(0ms);
  std::this_thread::sleep_for(2s);
  int64_t p2 = progress(d.url);
  EXPECT_FALSE(seam::pg::poll_exit(a.pid).has_value()) << "latency stopped seam apply:\n"
                                                       << slurp(a.log);
  EXPECT_GT(p1, p0) << "no progress under 100 ms latency";
  // A stall shorter than the lease TTL: nothing moves, then it continues.
  proxy.set_stalled(true);
  std::this_thread::sleep_for(3s);
  int64_t p_stalled = progress(d.url);
  proxy.set_stalled(false);
  std::this_thread::sleep_for(3s);
  int64_t p_after_stall = progress(d.url);
  EXPECT_FALSE(seam::pg::poll_exit(a.pid).has_value()) << "a 3 s stall stopped seam apply:\n"
                                                       << slurp(a.log);
  EXPECT_GT(p_after_stall, p_stalled) << "no progress after the stall:\n" << slurp(a.log);
  // Cut every connection (RST): seam apply stops cleanly, the ledger says where.
  size_t cut = proxy.cut();
  double cut_at = now_s();
  auto rc = wait_applier(a, 60);
  ASSERT_TRUE(rc.has_value()) << "seam apply hung after its connections were cut:\n"
                              << slurp(a.log);
  double exit_s = now_s() - cut_at;
  // Today seam apply does not reconnect: a lost connection ends the run
  // (exit 1) with the job 'running' and the cursor in the ledger.
  EXPECT_NE(*rc, 0) << slurp(a.log);
  std::string where = q(
      d.url,
      "SELECT j.state || ' at step ' || j.step || ', ' || p.rows_done || ' rows done, cursor ' || "
      "p.last_key::text FROM seam.jobs j JOIN seam.backfill_progress p ON p.job_id = j.id");
  EXPECT_NE(where.find("running at step"), std::string::npos) << where;
  auto show = seam_cli({"jobs", "show", "1", "--db", d.url});
  EXPECT_EQ(show.status, 0) << show.output;
  std::string tail = slurp(a.log);
  tail = tail.substr(tail.size() > 400 ? tail.size() - 400 : 0);
  // Resume through the proxy.
  int runs = 0;
  std::string out = run_until_done(d, args, d.url, &runs);
  expect_final_state(d, d.url);
  std::printf(
      "[staging] d. proxy: backfill %lld rows in 4 s at 100 ms one-way latency, %lld rows in 2 s "
      "after; "
      "3 s stall: %lld -> %lld rows 3 s after; cut %zu connection(s): seam apply exited %d after "
      "%.2f s; "
      "ledger: %s; %d resume run(s)\n--- end of the cut run's log:\n%s\n",
      static_cast<long long>(p1 - p0), static_cast<long long>(p2 - p1),
      static_cast<long long>(p_stalled), static_cast<long long>(p_after_stall), cut, *rc, exit_s,
      where.c_str(), runs, tail.c_str());
  std::fflush(stdout);
}

// --- e. lock storm -------------------------------------------------------------

struct Latencies {
  std::mutex m;
  std::vector<double> ms;
  std::atomic<int> errors{0};
  std::string last_error;
};

TEST_F(Scenarios, E_LockStormDuringEveryStep) {
  std::string url = cluster->write_url();
  Db d = make_db("scen_e", /*index=*/true, url);
  d.url = direct_url(d);
  const int lock_timeout_ms = 200;
  auto args = apply_args(
      d, d.url, {"--lock-timeout", std::to_string(lock_timeout_ms), "--max-retries", "200"});
  std::atomic<bool> stop{false};
  Latencies lat;
  std::atomic<int64_t> next_id{kRows + 1};
  std::vector<std::thread> threads;
  // Four writers: an INSERT of a new row and a point read, back to back.
  for (int w = 0; w < 4; ++w)
    threads.emplace_back([&] {
      std::unique_ptr<pqxx::connection> c;
      while (!stop) {
        try {
          if (!c) c = std::make_unique<pqxx::connection>(d.url);
          int64_t id = next_id++;
          auto t0 = std::chrono::steady_clock::now();
          {
            pqxx::work tx(*c);
            tx.exec_params(
                "INSERT INTO public.line_items (id, quantity, note) VALUES ($1, $2, 'storm')", id,
                id * 3);
            tx.exec_params("SELECT quantity FROM public.line_items WHERE id = $1", id / 2);
            tx.commit();
          }
          double ms =
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                  .count();
          std::lock_guard g(lat.m);
          lat.ms.push_back(ms);
        } catch (const std::exception& e) {
          ++lat.errors;
          std::lock_guard g(lat.m);
          lat.last_error = e.what();
          c.reset();
        }
        std::this_thread::sleep_for(20ms);
      }
    });
  // Long transactions: hold an ACCESS SHARE lock and a snapshot on the table
  // for 1.5 s, release for 0.3 s, over and over.
  std::atomic<int> long_txns{0};
  threads.emplace_back([&] {
    while (!stop) {
      try {
        pqxx::connection c(d.url);
        while (!stop) {
          pqxx::work tx(c);
          tx.exec("SELECT count(*) FROM public.line_items WHERE id < 100");
          std::this_thread::sleep_for(1500ms);
          tx.commit();
          ++long_txns;
          std::this_thread::sleep_for(300ms);
        }
      } catch (const std::exception&) {
        std::this_thread::sleep_for(100ms);
      }
    }
  });
  std::this_thread::sleep_for(1s);
  int runs = 0;
  double t0 = now_s();
  std::string out = run_until_done(d, args, d.url, &runs, 20);
  double apply_s = now_s() - t0;
  stop = true;
  for (auto& t : threads) t.join();
  expect_final_state(d, d.url);
  EXPECT_EQ(q(d.url, "SELECT count(*) FROM public.line_items WHERE id > " + std::to_string(kRows) +
                         " AND cnt > 1"),
            "0");
  std::vector<double> ms;
  {
    std::lock_guard g(lat.m);
    ms = lat.ms;
  }
  ASSERT_GT(ms.size(), 100u);
  EXPECT_EQ(lat.errors.load(), 0) << lat.last_error;
  std::sort(ms.begin(), ms.end());
  auto pct = [&](double p) {
    return ms[std::min(ms.size() - 1, static_cast<size_t>(p * ms.size()))];
  };
  size_t over = std::count_if(ms.begin(), ms.end(), [&](double v) { return v > lock_timeout_ms; });
  std::string timeouts = q(d.url, "SELECT count(*) FROM seam.events WHERE kind = 'lock-timeout'");
  std::string per_step =
      q(d.url,
        "SELECT coalesce(string_agg(step_id || ' ' || attempts, ', ' ORDER BY position), '') "
        "FROM seam.steps WHERE attempts > 1");
  std::printf(
      "[staging] e. lock storm (4 writers, a 1.5 s transaction every 1.8 s, lock_timeout %d ms): "
      "apply done "
      "in %.1f s, %d run(s), %s lock timeouts retried (steps with attempts > 1: %s), %d long "
      "transactions; "
      "writers: %zu transactions, %d errors, p50 %.1f ms, p99 %.1f ms, max %.1f ms, %zu over %d "
      "ms\n",
      lock_timeout_ms, apply_s, runs, timeouts.c_str(), per_step.c_str(), long_txns.load(),
      ms.size(), lat.errors.load(), pct(0.5), pct(0.99), ms.back(), over, lock_timeout_ms);
  std::fflush(stdout);
}

// --- f. replica lag above the bound --------------------------------------------

TEST_F(Scenarios, F_ReplicaLagAboveTheBoundPausesTheBackfill) {
  std::string url = cluster->write_url();
  Db d = make_db("scen_f", /*index=*/false, url);
  auto args = apply_args(d, d.url, {"--max-replica-lag-ms", "1000"});
  std::string leader = cluster->leader();
  std::string replica = leader == "node1" ? "node2" : "node1";
  std::string replica_url = cluster->node_url(replica);
  Applier a = spawn_apply(args, d.work / "apply-1.log");
  ASSERT_TRUE(wait_progress(d.url, a, kRows / 5, 120)) << slurp(a.log);
  // Under Patroni's maintenance mode: Patroni 3.0 resumes a paused replay on
  // its next HA loop otherwise (scripts/staging pause-replay).
  cluster->run({"pause-replay", replica});
  double paused_at = cluster->last_event("replay-pause", replica).value_or(now_s());
  // The applier sees the lag and pauses (a throttle-pause event). What the
  // leader's pg_stat_replication says meanwhile, for the report: the replay
  // lag seam reads, and how far behind the replica's replay really is.
  const std::string stat_sql =
      "SELECT coalesce(string_agg(application_name || ' replay_lag=' || "
      "coalesce(round(extract(epoch FROM "
      "replay_lag) * 1000)::text || 'ms', 'null') || ' behind=' || "
      "pg_wal_lsn_diff(pg_current_wal_lsn(), "
      "replay_lsn)::bigint || 'B', ', ' ORDER BY application_name), '') FROM pg_stat_replication";
  bool pause_seen = false;
  std::string samples;
  for (int i = 0; i < 300 && !pause_seen; ++i) {
    pause_seen = try_value(d.url,
                           "SELECT count(*) FROM seam.events WHERE kind = 'throttle-pause' AND "
                           "detail->>'reason' = 'replica-lag'") != "0";
    if (i % 20 == 0)
      samples += "  +" + std::to_string(i / 10) + " s: " + try_value(url, stat_sql) +
                 " (backfill " + std::to_string(progress(d.url)) + " rows)\n";
    if (!pause_seen) std::this_thread::sleep_for(100ms);
  }
  double pause_after = now_s() - paused_at;
  std::string still_paused = try_value(replica_url, "SELECT pg_is_wal_replay_paused()");
  if (!pause_seen) cluster->run({"resume-replay", replica});
  EXPECT_EQ(still_paused, "t") << "the replica's replay did not stay paused";
  ASSERT_TRUE(pause_seen)
      << "no replica-lag pause within 30 s of pg_wal_replay_pause() on " << replica
      << " (--max-replica-lag-ms 1000); the leader's pg_stat_replication meanwhile:\n"
      << samples << "seam apply's log:\n"
      << slurp(a.log);
  int64_t held = progress(d.url);
  std::this_thread::sleep_for(4s);
  int64_t still = progress(d.url);
  std::string lag =
      try_value(url,
                "SELECT coalesce(max(extract(epoch FROM replay_lag)) * 1000, 0)::bigint FROM "
                "pg_stat_replication");
  cluster->run({"resume-replay", replica});
  double resumed_at = cluster->last_event("replay-resume", replica).value_or(now_s());
  EXPECT_EQ(still, held) << "the backfill advanced while the replica's replay was paused";
  // It continues once the lag is back under the bound.
  bool moving = false;
  for (int i = 0; i < 600 && !moving; ++i) {
    moving = progress(d.url) > still;
    if (!moving) std::this_thread::sleep_for(100ms);
  }
  double continue_after = now_s() - resumed_at;
  EXPECT_TRUE(moving) << "the backfill did not continue within 60 s of pg_wal_replay_resume():\n"
                      << slurp(a.log);
  int runs = 0;
  auto rc = wait_applier(a, 300);
  ASSERT_TRUE(rc.has_value());
  std::string out = run_until_done(d, args, d.url, &runs);
  expect_final_state(d, d.url);
  std::printf(
      "[staging] f. replay paused on %s at %lld rows: seam paused the backfill after %.1f s; held "
      "at %lld "
      "rows for 4 s (replica lag %s ms, bound 1000 ms); continued %.1f s after "
      "pg_wal_replay_resume(); "
      "first run exited %d, then %d run(s) to done\n",
      replica.c_str(), static_cast<long long>(held), pause_after, static_cast<long long>(held),
      lag.c_str(), continue_after, *rc, runs);
  std::fflush(stdout);
}

}  // namespace
