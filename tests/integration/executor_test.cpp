// `seam apply` and `seam jobs` against a real server: one applier at a time
// (the second names the holder), drift refusal, checkpoint and approval,
// pause/resume within one batch, lock safety (a DDL step behind a long
// transaction times out and retries while a writer's latency stays near
// lock_timeout, and `seam jobs show` names the blocker), fencing of a
// stopped applier, rollback of the expand phase to the exact original
// catalog, and the rows-per-second throttle.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "tests/support/files.hpp"
#include "dialects/postgres/spawn.hpp"
#include "executor/rollback.hpp"
#include "planner/plan_yaml.hpp"
#include "schema/errors.hpp"
#include "tests/integration/executor_plans.hpp"

namespace {

namespace fs = std::filesystem;
using seam::test::query_value;
using seam::test::run_sql;
using Clock = std::chrono::steady_clock;

using seam::test::slurp;

fs::path temp_path(const std::string& name) {
  static int n = 0;
  return fs::temp_directory_path() /
         ("seam_exec_" + std::to_string(::getpid()) + "_" + std::to_string(++n) + "_" + name);
}

seam::pg::Captured seam_cli(const std::vector<std::string>& args) {
  std::vector<std::string> argv{SEAM_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return seam::pg::run_capture(argv);
}

std::string write_plan(const seam::planner::Plan& p) {
  fs::path f = temp_path("plan.yaml");
  std::ofstream(f) << seam::planner::to_yaml(p);
  return f.string();
}

struct Proc {
  pid_t pid = -1;
  fs::path out;
  std::string output() const { return slurp(out); }
  int wait() {
    int rc = seam::pg::wait_exit(pid);
    pid = -1;
    return rc;
  }
  ~Proc() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      seam::pg::wait_exit(pid);
    }
    if (!out.empty()) fs::remove(out);
  }
};

std::unique_ptr<Proc> start(const std::string& exe, const std::vector<std::string>& args) {
  auto p = std::make_unique<Proc>();
  p->out = temp_path("out");
  int fd = ::open(p->out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<std::string> argv{exe};
  argv.insert(argv.end(), args.begin(), args.end());
  seam::pg::SpawnOptions o;
  o.stdout_fd = fd;
  o.stderr_fd = fd;
  p->pid = seam::pg::spawn(argv, o);
  ::close(fd);
  return p;
}

// Waits until `query` returns `want` (or gives up after `seconds`).
bool wait_for(const std::string& url, const std::string& query,
              const std::function<bool(const std::string&)>& ok, double seconds = 30) {
  auto end = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < end) {
    try {
      if (ok(query_value(url, query))) return true;
    } catch (const std::exception&) {
      // the ledger may not exist yet
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

int64_t rows_done(const std::string& url) {
  std::string v =
      query_value(url, "SELECT coalesce(sum(rows_done), 0) FROM seam.backfill_progress");
  return std::stoll(v);
}

// A small plan whose expand phase rollback can undo exactly.
seam::planner::Plan expand_plan(const std::string& fp) {
  using seam::planner::Phase;
  using namespace seam::test;
  seam::planner::Plan p;
  p.seam_version = "test";
  p.dialect = "postgres";
  p.source_fingerprint = fp;
  p.steps.push_back(sql_step("expand-001-add-column-t-v-new", Phase::Expand,
                             "ALTER TABLE public.t ADD COLUMN v_new bigint;"));
  p.steps.push_back(sql_step("expand-002-create-index-t-v-idx", Phase::Expand,
                             "CREATE INDEX CONCURRENTLY t_v_new_idx ON public.t (v_new);", false,
                             "DROP INDEX CONCURRENTLY IF EXISTS public.t_v_new_idx;"));
  p.steps.push_back(
      sql_step("dual-write-003-function", Phase::DualWrite,
               "CREATE FUNCTION public.t_sync_v_new() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
               "NEW.v_new := NEW.v; RETURN NEW; END $$;"));
  p.steps.push_back(sql_step(
      "dual-write-004-trigger", Phase::DualWrite,
      "CREATE TRIGGER t_sync_v_new BEFORE INSERT OR UPDATE ON public.t FOR EACH ROW EXECUTE "
      "FUNCTION public.t_sync_v_new();"));
  p.steps.push_back(sql_step(
      "expand-005-check", Phase::Expand,
      "ALTER TABLE public.t ADD CONSTRAINT t_v_new_not_null CHECK (v_new IS NOT NULL) NOT VALID;"));
  p.steps.push_back(backfill_step("backfill-006-t-v-new", "public.t", {"id"}, "v_new", "\"v\""));
  p.steps.push_back(checkpoint_step("checkpoint-007", "all application instances write v_new"));
  p.steps.push_back(sql_step("contract-008-validate", Phase::Contract,
                             "ALTER TABLE public.t VALIDATE CONSTRAINT t_v_new_not_null;"));
  return p;
}

TEST(Executor, LedgerNeverShowsUpInInspectionWhateverItsSchema) {
  std::string url = seam::test::fresh_database("ledger");
  run_sql(url, "CREATE TABLE t (id int PRIMARY KEY)");
  std::string before = seam::test::live_fingerprint(url);
  auto conn = seam::pg::connect(url);
  seam::executor::Ledger custom;
  custom.schema = "Ops Ledger";
  seam::executor::ensure_ledger(*conn, custom);
  seam::executor::ensure_ledger(*conn, {});
  seam::executor::ensure_ledger(*conn, custom);  // idempotent
  EXPECT_EQ(query_value(url, "SELECT max(version) FROM \"Ops Ledger\".version"),
            std::to_string(seam::executor::kLedgerVersion));
  EXPECT_EQ(seam::test::live_fingerprint(url), before);
  // A ledger from a newer seam is refused, not guessed at.
  run_sql(url, "INSERT INTO seam.version (version) VALUES (99)");
  try {
    seam::executor::ensure_ledger(*conn, {});
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("written by a newer seam"), std::string::npos) << e.what();
  }
}

TEST(Executor, SecondApplierRefusesNamingTheHolder) {
  std::string url = seam::test::fresh_database("two");
  seam::test::setup_backfill_db(url, 20000, 100);
  std::string fp = seam::test::live_fingerprint(url);
  auto first = start(EXECUTOR_DRIVER,
                     {"backfill", url, fp, "--batch-size", "100", "--rows-per-second", "1000"});
  ASSERT_TRUE(wait_for(url, "SELECT count(*) FROM seam.backfill_progress WHERE rows_done > 0",
                       [](const std::string& v) { return v == "1"; }))
      << first->output();
  auto r = seam_cli({"apply", write_plan(expand_plan(fp)), "--db", url});
  EXPECT_EQ(r.status, 75) << r.output;
  EXPECT_NE(r.output.find("another applier holds the lease"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("pid " + std::to_string(first->pid)), std::string::npos) << r.output;
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  EXPECT_NE(r.output.find(std::string("host ") + host), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("since "), std::string::npos) << r.output;
  // The refused applier created nothing: still one job.
  EXPECT_EQ(query_value(url, "SELECT count(*) FROM seam.jobs"), "1");
}

TEST(Executor, AppliersStartingTogetherOnAFreshDatabaseLetExactlyOneRun) {
  for (int round = 0; round < 4; ++round) {
    std::string url = seam::test::fresh_database("race");
    seam::test::setup_backfill_db(url, 5000, 10);
    std::string fp = seam::test::live_fingerprint(url);
    std::vector<std::string> args{"backfill",          url,   fp, "--batch-size", "500",
                                  "--rows-per-second", "5000"};
    auto a = start(EXECUTOR_DRIVER, args);
    auto b = start(EXECUTOR_DRIVER, args);
    int ra = a->wait(), rb = b->wait();
    // One reaches the checkpoint, the other refuses naming it; never both, never a takeover.
    EXPECT_TRUE((ra == 10 && rb == 3) || (ra == 3 && rb == 10))
        << "round " << round << ": " << ra << " " << rb << "\n"
        << a->output() << "\n"
        << b->output();
    EXPECT_NE((ra == 3 ? a : b)->output().find("another applier holds the lease"),
              std::string::npos);
    EXPECT_EQ(query_value(url, "SELECT count(*) FROM seam.jobs"), "1");
    EXPECT_EQ(query_value(url, "SELECT count(*) FROM seam.events WHERE kind = 'lease-takeover'"),
              "0");
    EXPECT_EQ(query_value(url, "SELECT count(*) FROM t WHERE cnt <> 1"), "0");
  }
}

TEST(Executor, DriftRefusesAndExplainsUnlessResumingItsOwnJob) {
  std::string url = seam::test::fresh_database("drift");
  seam::test::setup_backfill_db(url, 1000, 10);
  std::string fp = seam::test::live_fingerprint(url);
  std::string plan = write_plan(expand_plan(fp));
  run_sql(url, "CREATE TABLE surprise (id int)");
  auto r = seam_cli({"apply", plan, "--db", url});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("changed since the plan was made"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(fp), std::string::npos) << r.output;
  EXPECT_EQ(query_value(url, "SELECT count(*) FROM seam.jobs"), "0");
  EXPECT_EQ(
      query_value(
          url,
          "SELECT count(*) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'v_new'"),
      "0");
  // Without the drift, the job starts; stopped after expand, it resumes even
  // though its own steps changed the catalog.
  run_sql(url, "DROP TABLE surprise");
  r = seam_cli({"apply", plan, "--db", url, "--through", "expand"});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("stopped after phase expand"), std::string::npos) << r.output;
  EXPECT_EQ(query_value(url, "SELECT state FROM seam.jobs"), "paused");
  r = seam_cli({"apply", plan, "--db", url});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("resuming job 1"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("waits at checkpoint checkpoint-007"), std::string::npos) << r.output;
}

TEST(Executor, DriftListsWhatDiffersGivenTheDesiredState) {
  std::string url = seam::test::fresh_database("driftlist");
  run_sql(url,
          "CREATE TABLE accounts (id bigint PRIMARY KEY, email text); "
          "INSERT INTO accounts SELECT g, 'u' || g FROM generate_series(1, 100) g");
  fs::path desired = temp_path("desired.sql");
  std::ofstream(desired)
      << "CREATE TABLE accounts (id bigint PRIMARY KEY, email text, note text);\n"
         "CREATE INDEX accounts_email_idx ON accounts (email);\n";
  std::string plan = temp_path("plan.yaml").string();
  auto made = seam_cli({"plan", "--db", url, "--schema", desired.string(), "--out", plan});
  ASSERT_EQ(made.status, 0) << made.output;
  // Someone adds the index by hand and another table appears.
  run_sql(url,
          "CREATE INDEX accounts_email_idx ON accounts (email); CREATE TABLE surprise (id int)");
  auto r = seam_cli({"apply", plan, "--db", url, "--schema", desired.string()});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("changed since the plan was made"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("needed now, not in the plan: drop table public.surprise"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("in the plan, no longer needed: add index public.accounts_email_idx"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("add column public.accounts.note"), std::string::npos)
      << r.output;  // still as planned
  // Without --schema it says how to see the differences.
  r = seam_cli({"apply", plan, "--db", url});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("give --schema PATH"), std::string::npos) << r.output;
  fs::remove(desired);
  fs::remove(plan);
}

TEST(Executor, CheckpointStopsBeforeContractAndApproveContinues) {
  std::string url = seam::test::fresh_database("checkpoint");
  seam::test::setup_backfill_db(url, 5000, 10);
  std::string plan = write_plan(expand_plan(seam::test::live_fingerprint(url)));
  auto r = seam_cli({"apply", plan, "--db", url, "--batch-size", "700", "--log-format", "json"});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("\"kind\": \"checkpoint\""), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("seam jobs approve 1 --checkpoint checkpoint-007"), std::string::npos)
      << r.output;
  EXPECT_EQ(query_value(url, "SELECT state FROM seam.jobs"), "awaiting-approval");
  EXPECT_EQ(
      query_value(url, "SELECT convalidated FROM pg_constraint WHERE conname = 't_v_new_not_null'"),
      "f");
  EXPECT_EQ(query_value(url, "SELECT count(*) FROM t WHERE v_new IS DISTINCT FROM v"), "0");
  // Applying again without approval stops at the same place.
  r = seam_cli({"apply", plan, "--db", url});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(
      query_value(url, "SELECT convalidated FROM pg_constraint WHERE conname = 't_v_new_not_null'"),
      "f");
  auto show = seam_cli({"jobs", "show", "1", "--db", url});
  EXPECT_EQ(show.status, 0) << show.output;
  EXPECT_NE(show.output.find("checkpoint-007  waiting"), std::string::npos) << show.output;
  EXPECT_NE(show.output.find("5000 rows"), std::string::npos) << show.output;
  auto list = seam_cli({"jobs", "list", "--db", url});
  EXPECT_NE(list.output.find("awaiting-approval"), std::string::npos) << list.output;
  auto ok = seam_cli({"jobs", "approve", "1", "--db", url});
  ASSERT_EQ(ok.status, 0) << ok.output;
  EXPECT_NE(ok.output.find("checkpoint checkpoint-007 of job 1 approved"), std::string::npos)
      << ok.output;
  r = seam_cli({"apply", plan, "--db", url});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(query_value(url, "SELECT state FROM seam.jobs"), "done");
  EXPECT_EQ(
      query_value(url, "SELECT convalidated FROM pg_constraint WHERE conname = 't_v_new_not_null'"),
      "t");
  // A second approval has nothing to approve: one clear line.
  ok = seam_cli({"jobs", "approve", "1", "--db", url});
  EXPECT_EQ(ok.status, 1) << ok.output;
  EXPECT_EQ(ok.output, "seam: job 1 is done; nothing to approve\n");
}

TEST(Executor, RollbackAfterExpandRestoresTheOriginalCatalogExactly) {
  std::string url = seam::test::fresh_database("rollback");
  seam::test::setup_backfill_db(url, 3000, 10);
  std::string before = seam::test::live_fingerprint(url);
  std::string plan = write_plan(expand_plan(before));
  auto r = seam_cli({"apply", plan, "--db", url});
  ASSERT_EQ(r.status, 0) << r.output;
  ASSERT_NE(seam::test::live_fingerprint(url), before);
  auto rb = seam_cli({"jobs", "rollback", "1", "--db", url});
  ASSERT_EQ(rb.status, 0) << rb.output;
  EXPECT_NE(rb.output.find("DROP INDEX CONCURRENTLY IF EXISTS public.t_v_new_idx"),
            std::string::npos)
      << rb.output;
  EXPECT_EQ(seam::test::live_fingerprint(url), before);
  EXPECT_EQ(query_value(url, "SELECT state FROM seam.jobs"), "rolled-back");
  // After the rollback the same plan applies again as a new job.
  r = seam_cli({"apply", plan, "--db", url});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(query_value(url, "SELECT count(*) FROM seam.jobs"), "2");
  // Once contract ran, rollback refuses.
  ASSERT_EQ(seam_cli({"jobs", "approve", "2", "--db", url}).status, 0);
  ASSERT_EQ(seam_cli({"apply", plan, "--db", url}).status, 0);
  rb = seam_cli({"jobs", "rollback", "2", "--db", url});
  EXPECT_EQ(rb.status, 1) << rb.output;
  EXPECT_NE(rb.output.find("contract phase ran"), std::string::npos) << rb.output;
}

TEST(Executor, RollbackRefusesWhatItCannotUndo) {
  using seam::planner::Phase;
  auto dml =
      seam::test::sql_step("expand-001", Phase::Expand, "INSERT INTO public.log VALUES (1);");
  try {
    seam::executor::undo_of(dml, {});
    FAIL() << "no error";
  } catch (const seam::UnsupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("step expand-001 cannot be rolled back"),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("INSERT INTO public.log"), std::string::npos) << e.what();
  }
  auto bf = seam::test::backfill_step("backfill-002", "public.t", {"id"}, "v", "1");
  EXPECT_THROW(seam::executor::undo_of(bf, {}), seam::UnsupportedError);
  auto add = seam::test::sql_step("expand-000", Phase::Expand,
                                  "ALTER TABLE public.t ADD COLUMN v integer;");
  EXPECT_TRUE(seam::executor::undo_of(bf, {&add}).empty());
  auto u = seam::executor::undo_of(add, {});
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0].sql, "ALTER TABLE public.t DROP COLUMN IF EXISTS v;");
}

TEST(Executor, PauseAndResumeTakeEffectWithinOneBatch) {
  std::string url = seam::test::fresh_database("pause");
  seam::test::setup_backfill_db(url, 50000, 10);
  std::string fp = seam::test::live_fingerprint(url);
  auto applier = start(EXECUTOR_DRIVER,
                       {"backfill", url, fp, "--batch-size", "200", "--rows-per-second", "4000"});
  ASSERT_TRUE(wait_for(url, "SELECT coalesce(max(rows_done), 0) FROM seam.backfill_progress",
                       [](const std::string& v) { return !v.empty() && std::stoll(v) >= 1000; }))
      << applier->output();
  auto p = seam_cli({"jobs", "pause", "1", "--db", url});
  ASSERT_EQ(p.status, 0) << p.output;
  int64_t at_pause = rows_done(url);
  ASSERT_TRUE(wait_for(
      url, "SELECT state FROM seam.jobs", [](const std::string& v) { return v == "paused"; }, 10))
      << applier->output();
  int64_t paused_at = rows_done(url);
  // At most the batch in flight when the flag was set committed after it.
  EXPECT_LE(paused_at - at_pause, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(rows_done(url), paused_at);
  auto show = seam_cli({"jobs", "show", "1", "--db", url});
  EXPECT_NE(show.output.find("job 1: paused (pause requested)"), std::string::npos) << show.output;
  auto res = seam_cli({"jobs", "resume", "1", "--db", url});
  ASSERT_EQ(res.status, 0) << res.output;
  EXPECT_NE(res.output.find("its applier continues within one batch"), std::string::npos)
      << res.output;
  ASSERT_TRUE(wait_for(
      url, "SELECT coalesce(max(rows_done), 0) FROM seam.backfill_progress",
      [&](const std::string& v) { return std::stoll(v) > paused_at; }, 5))
      << applier->output();
  // Cancel stops it at the next safe point.
  auto c = seam_cli({"jobs", "cancel", "1", "--db", url});
  ASSERT_EQ(c.status, 0) << c.output;
  EXPECT_EQ(applier->wait(), 12) << applier->output();
  EXPECT_EQ(query_value(url, "SELECT state FROM seam.jobs"), "cancelled");
  EXPECT_EQ(query_value(url, "SELECT count(*) FROM t WHERE cnt > 1"), "0");
}

TEST(Executor, LockTimeoutRetriesWhileWritersKeepGoingAndShowNamesTheBlocker) {
  std::string url = seam::test::fresh_database("locks");
  seam::test::setup_backfill_db(url, 1000, 10);
  seam::planner::Plan p;
  p.seam_version = "test";
  p.dialect = "postgres";
  p.source_fingerprint = seam::test::live_fingerprint(url);
  p.steps.push_back(seam::test::sql_step("expand-001-add-column", seam::planner::Phase::Expand,
                                         "ALTER TABLE public.t ADD COLUMN late integer;"));
  std::string plan = write_plan(p);

  // A long transaction that read the table (ACCESS SHARE until it ends).
  pqxx::connection blocker(url);
  pqxx::work btx(blocker);
  btx.exec("SELECT count(*) FROM t");
  int blocker_pid = blocker.backendpid();

  // A writer updating the table all along, timing each statement.
  std::atomic<bool> stop{false};
  std::atomic<int64_t> worst_us{0}, writes{0};
  std::thread writer([&] {
    pqxx::connection w(url);
    int i = 0;
    while (!stop) {
      auto t0 = Clock::now();
      pqxx::work tx(w);
      tx.exec("UPDATE t SET v = v WHERE id = " + std::to_string(1 + (i++ % 1000)));
      tx.commit();
      int64_t us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count();
      if (us > worst_us) worst_us = us;
      ++writes;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });

  auto applier = start(
      SEAM_BINARY, {"apply", plan, "--db", url, "--lock-timeout", "200", "--max-retries", "60"});
  // While it waits, `seam jobs show` names the blocking session.
  bool named = false;
  std::string show;
  auto end = Clock::now() + std::chrono::seconds(20);
  while (!named && Clock::now() < end) {
    auto r = seam_cli({"jobs", "show", "1", "--db", url});
    show = r.output;
    named = show.find("pid " + std::to_string(blocker_pid)) != std::string::npos;
    if (!named) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(named) << show;
  std::this_thread::sleep_for(
      std::chrono::seconds(4));  // the blocker holds on well past lock_timeout
  btx.commit();
  int rc = applier->wait();
  stop = true;
  writer.join();
  ASSERT_EQ(rc, 0) << applier->output();
  int attempts = std::stoi(query_value(url, "SELECT attempts FROM seam.steps"));
  EXPECT_GE(attempts, 3);
  // Each timeout was recorded; those that sampled the wait name the blocker.
  EXPECT_EQ(query_value(url, "SELECT count(*) FROM seam.events WHERE kind = 'lock-timeout'"),
            std::to_string(attempts - 1));
  EXPECT_GE(
      std::stoi(query_value(url,
                            "SELECT count(*) FROM seam.events WHERE kind = 'lock-timeout' AND "
                            "detail -> 'wait' -> 'blockers' @> '[{\"pid\": " +
                                std::to_string(blocker_pid) + "}]'")),
      1);
  EXPECT_EQ(
      query_value(
          url,
          "SELECT count(*) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'late'"),
      "1");
  std::cout << "writes: " << writes << ", worst writer latency: " << worst_us / 1000
            << " ms (lock_timeout 200 ms, "
            << "blocker held ~" << 4 << "+ s), DDL attempts: " << attempts << "\n";
  EXPECT_GT(writes.load(), 50);
  // Near lock_timeout, far from the blocker's 4+ seconds.
  EXPECT_LT(worst_us.load(), 1500 * 1000);
}

TEST(Executor, BlockerPolicyTerminatesOldBlockersOnlyWhenAskedTo) {
  std::string url = seam::test::fresh_database("terminate");
  seam::test::setup_backfill_db(url, 100, 10);
  seam::planner::Plan p;
  p.seam_version = "test";
  p.dialect = "postgres";
  p.source_fingerprint = seam::test::live_fingerprint(url);
  p.steps.push_back(seam::test::sql_step("expand-001-add-column", seam::planner::Phase::Expand,
                                         "ALTER TABLE public.t ADD COLUMN late integer;"));
  std::string plan = write_plan(p);
  pqxx::connection blocker(url);
  blocker.set_variable("application_name", "'forgotten psql'");
  pqxx::work btx(blocker);
  btx.exec("SELECT count(*) FROM t");
  int blocker_pid = blocker.backendpid();
  // Without the policy the step gives up after its retries, naming the blocker.
  auto r = seam_cli({"apply", plan, "--db", url, "--lock-timeout", "100", "--max-retries", "2"});
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(
      r.output.find("gave up after 3 lock timeouts; blocked by pid " + std::to_string(blocker_pid) +
                    " (application 'forgotten psql', idle in transaction"),
      std::string::npos)
      << r.output;
  EXPECT_EQ(query_value(url, "SELECT state FROM seam.jobs"), "failed");
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  // With it, the old blocker is terminated and the resumed job finishes.
  r = seam_cli({"apply", plan, "--db", url, "--lock-timeout", "100", "--max-retries", "5",
                "--terminate-blockers-after-ms", "1000"});
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("terminated blocking session pid " + std::to_string(blocker_pid)),
            std::string::npos)
      << r.output;
  EXPECT_EQ(query_value(url, "SELECT count(*) FROM pg_stat_activity WHERE pid = " +
                                 std::to_string(blocker_pid)),
            "0");
  EXPECT_EQ(query_value(url, "SELECT state FROM seam.jobs"), "done");
}

TEST(Executor, FailedConcurrentIndexBuildLeavesNoInvalidIndex) {
  std::string url = seam::test::fresh_database("invalid");
  seam::test::setup_backfill_db(url, 2000, 10);  // t.v has duplicates
  seam::planner::Plan p;
  p.seam_version = "test";
  p.dialect = "postgres";
  p.source_fingerprint = seam::test::live_fingerprint(url);
  p.steps.push_back(
      seam::test::sql_step("expand-001-unique-v", seam::planner::Phase::Expand,
                           "CREATE UNIQUE INDEX CONCURRENTLY t_v_key ON public.t (v);", false,
                           "DROP INDEX CONCURRENTLY IF EXISTS public.t_v_key;"));
  std::string plan = write_plan(p);
  auto r = seam_cli({"apply", plan, "--db", url});
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("could not create unique index"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("ran the cleanup of step expand-001-unique-v"), std::string::npos)
      << r.output;
  EXPECT_EQ(query_value(url, "SELECT count(*) FROM pg_class WHERE relname = 't_v_key'"), "0");
  EXPECT_EQ(query_value(url, "SELECT state || ' ' || attempts FROM seam.steps"), "failed 1");
  // Fix the data and resume: the same job finishes.
  run_sql(url, "UPDATE t SET v = id");
  r = seam_cli({"apply", plan, "--db", url});
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(
      query_value(url,
                  "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE "
                  "c.relname = 't_v_key' AND i.indisvalid"),
      "1");
  EXPECT_EQ(query_value(url, "SELECT count(*) || ' ' || max(state) FROM seam.jobs"), "1 done");
}

// The name is taken by a valid index made outside the plan: the build fails
// on the name, and the guarded cleanup must leave that index alone.
TEST(Executor, FailedConcurrentIndexBuildNeverDropsAValidIndexOfTheSameName) {
  std::string url = seam::test::fresh_database("cicname");
  seam::test::setup_backfill_db(url, 2000, 10);
  run_sql(url, "CREATE INDEX t_v_idx ON t (v2)");  // someone else's index
  seam::planner::Plan p;
  p.seam_version = "test";
  p.dialect = "postgres";
  p.source_fingerprint = seam::test::live_fingerprint(url);
  p.steps.push_back(seam::test::sql_step("expand-001-index", seam::planner::Phase::Expand,
                                         "CREATE INDEX CONCURRENTLY t_v_idx ON public.t (v);",
                                         false,
                                         "DROP INDEX CONCURRENTLY IF EXISTS public.t_v_idx;"));
  p.steps[0].on_failure_if =
      "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_index WHERE indexrelid = "
      "pg_catalog.to_regclass('public.t_v_idx') AND NOT indisvalid);";
  std::string plan = write_plan(p);
  auto r = seam_cli({"apply", plan, "--db", url});
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("relation \"t_v_idx\" already exists"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("left public.t_v_idx alone: it is valid, so this step did not create it"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("ran the cleanup"), std::string::npos) << r.output;
  EXPECT_EQ(query_value(url,
                        "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                        "WHERE c.relname = 't_v_idx' AND i.indisvalid"),
            "1");
  EXPECT_EQ(
      query_value(url, "SELECT count(*) FROM seam.events WHERE kind = 'step-cleanup-skipped'"),
      "1");
  // An interrupted run reconciled on resume honours the guard too.
  run_sql(url, "UPDATE seam.steps SET state = 'running'; UPDATE seam.jobs SET state = 'running'");
  r = seam_cli({"apply", plan, "--db", url});
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("was interrupted while running"), std::string::npos) << r.output;
  EXPECT_EQ(query_value(url, "SELECT count(*) FROM pg_class WHERE relname = 't_v_idx'"), "1");
  EXPECT_EQ(
      query_value(url, "SELECT count(*) FROM seam.events WHERE kind = 'step-cleanup-skipped'"),
      "3");
}

TEST(Executor, ConcurrentIndexBuildWaitingForOldTransactionsRetriesAndLeavesNoInvalidIndex) {
  std::string url = seam::test::fresh_database("cic");
  seam::test::setup_backfill_db(url, 5000, 10);
  seam::planner::Plan p;
  p.seam_version = "test";
  p.dialect = "postgres";
  p.source_fingerprint = seam::test::live_fingerprint(url);
  p.steps.push_back(seam::test::sql_step("expand-001-index", seam::planner::Phase::Expand,
                                         "CREATE INDEX CONCURRENTLY t_v_idx ON public.t (v);",
                                         false,
                                         "DROP INDEX CONCURRENTLY IF EXISTS public.t_v_idx;"));
  std::string plan = write_plan(p);
  // An old snapshot on another table: a concurrent build waits for it to end.
  pqxx::connection blocker(url);
  pqxx::transaction<pqxx::isolation_level::repeatable_read> btx(blocker);
  btx.exec("SELECT count(*) FROM applied_log");
  int blocker_pid = blocker.backendpid();
  auto applier = start(
      SEAM_BINARY, {"apply", plan, "--db", url, "--lock-timeout", "300", "--max-retries", "40"});
  ASSERT_TRUE(wait_for(
      url, "SELECT count(*) FROM seam.events WHERE kind = 'lock-timeout'",
      [](const std::string& v) { return !v.empty() && std::stoi(v) >= 2; }, 30))
      << applier->output();
  btx.commit();
  EXPECT_EQ(applier->wait(), 0) << applier->output();
  EXPECT_GE(
      std::stoi(query_value(url,
                            "SELECT count(*) FROM seam.events WHERE kind = 'lock-timeout' AND "
                            "detail -> 'wait' -> 'blockers' @> '[{\"pid\": " +
                                std::to_string(blocker_pid) + "}]'")),
      1);
  EXPECT_GE(
      std::stoi(query_value(url, "SELECT count(*) FROM seam.events WHERE kind = 'step-cleanup'")),
      2);
  EXPECT_EQ(query_value(url, "SELECT count(*) FROM pg_index WHERE NOT indisvalid"), "0");
  EXPECT_EQ(query_value(url, "SELECT count(*) FROM pg_indexes WHERE indexname = 't_v_idx'"), "1");
}

TEST(Executor, BackfillBatchBehindARowLockRetriesNamingTheBlocker) {
  std::string url = seam::test::fresh_database("rowlock");
  seam::test::setup_backfill_db(url, 20000, 10);
  std::string fp = seam::test::live_fingerprint(url);
  auto applier = start(EXECUTOR_DRIVER,
                       {"backfill", url, fp, "--batch-size", "100", "--rows-per-second", "5000",
                        "--lock-timeout-ms", "200", "--backoff-ms", "50", "--max-retries", "100"});
  ASSERT_TRUE(wait_for(url, "SELECT coalesce(max(rows_done), 0) FROM seam.backfill_progress",
                       [](const std::string& v) { return !v.empty() && std::stoll(v) >= 100; }))
      << applier->output();
  pqxx::connection blocker(url);
  pqxx::work btx(blocker);
  btx.exec("SELECT * FROM t WHERE id = 12000 FOR UPDATE");
  int blocker_pid = blocker.backendpid();
  ASSERT_TRUE(wait_for(
      url, "SELECT count(*) FROM seam.events WHERE kind = 'lock-timeout'",
      [](const std::string& v) { return !v.empty() && std::stoi(v) >= 2; }, 30))
      << applier->output();
  btx.commit();
  EXPECT_EQ(applier->wait(), 10) << applier->output();
  EXPECT_GE(std::stoi(query_value(
                url,
                "SELECT count(*) FROM seam.events WHERE kind = 'lock-timeout' AND step_id = "
                "'backfill-003-t-v2' AND detail -> 'wait' -> 'blockers' @> '[{\"pid\": " +
                    std::to_string(blocker_pid) + "}]'")),
            1);
  EXPECT_EQ(query_value(url, "SELECT count(*) FROM t WHERE cnt <> 1 OR v2 IS DISTINCT FROM v * 2"),
            "0");
}

TEST(Executor, BackfillOfATableWithoutAUsableKeyIsRefused) {
  std::string url = seam::test::fresh_database("nokey");
  run_sql(url,
          "CREATE TABLE heap (a integer, b integer); INSERT INTO heap SELECT g, g FROM "
          "generate_series(1, 100) g");
  std::string fp = seam::test::live_fingerprint(url);
  seam::planner::Plan p;
  p.seam_version = "test";
  p.dialect = "postgres";
  p.source_fingerprint = fp;
  p.steps.push_back(
      seam::test::backfill_step("backfill-001", "public.heap", {"a"}, "b", "\"a\" * 2"));
  auto r = seam_cli({"apply", write_plan(p), "--db", url});
  EXPECT_EQ(r.status, 65) << r.output;
  EXPECT_NE(r.output.find("table public.heap has no usable key"), std::string::npos) << r.output;
  EXPECT_EQ(query_value(url, "SELECT count(*) FROM heap WHERE b <> a"), "0");  // untouched
  // No key at all in the plan: refused before anything runs.
  p.steps[0].backfill->key.clear();
  r = seam_cli({"apply", write_plan(p), "--db", url});
  EXPECT_EQ(r.status, 65) << r.output;
  EXPECT_NE(r.output.find("has no key"), std::string::npos) << r.output;
  EXPECT_EQ(query_value(url, "SELECT count(*) FROM heap WHERE b <> a"), "0");
  // NOT NULL but not unique: still no usable key.
  run_sql(url, "ALTER TABLE heap ALTER COLUMN a SET NOT NULL");
  p.steps[0].backfill->key = {"a"};
  p.source_fingerprint = seam::test::live_fingerprint(url);
  r = seam_cli({"apply", write_plan(p), "--db", url});
  EXPECT_EQ(r.status, 65) << r.output;
  EXPECT_NE(r.output.find("table public.heap has no usable key: no primary key or valid unique "
                          "index covers exactly the key columns"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(query_value(url, "SELECT count(*) FROM heap WHERE b <> a"), "0");
}

TEST(Executor, AdaptiveBatchSizeGrowsTowardTheTargetDuration) {
  std::string url = seam::test::fresh_database("adaptive");
  seam::test::setup_backfill_db(url, 40000, 10);
  std::string fp = seam::test::live_fingerprint(url);
  auto applier = start(EXECUTOR_DRIVER,
                       {"backfill", url, fp, "--batch-size", "20", "--target-batch-ms", "250"});
  EXPECT_EQ(applier->wait(), 10) << applier->output();
  int64_t batches = std::stoll(
      query_value(url, "SELECT batches FROM seam.backfill_progress WHERE table_name = 'public.t'"));
  std::cout << "adaptive: 40000 rows in " << batches
            << " batches (2000 at the fixed starting size of 20)\n";
  // Fixed at 20 rows it would take 2000 batches; growing toward 250 ms it takes far fewer.
  EXPECT_LT(batches, 500);
  EXPECT_EQ(query_value(url, "SELECT count(*) FROM t WHERE cnt <> 1"), "0");
}

// A filtered backfill on a column without statistics: each batch must page
// over the key (an index range scan), not seq-scan and sort the table per
// batch, so the rows read stay O(rows) rather than O(rows x batches).
TEST(Executor, FilteredBackfillReadsTheTableOnceNotOncePerBatch) {
  std::string url = seam::test::fresh_database("access");
  const int rows = 100000;
  run_sql(url,
          "CREATE TABLE big (id bigint PRIMARY KEY, v integer NOT NULL) WITH "
          "(autovacuum_enabled = false); INSERT INTO big SELECT g, g % 1000 FROM "
          "generate_series(1, " +
              std::to_string(rows) +
              ") g ORDER BY random(); ANALYZE big; ALTER TABLE big ADD COLUMN n bigint");
  std::string fp = seam::test::live_fingerprint(url);
  seam::planner::Plan p;
  p.seam_version = "test";
  p.dialect = "postgres";
  p.source_fingerprint = fp;
  p.steps.push_back(
      seam::test::backfill_step("backfill-001-big-n", "public.big", {"id"}, "n", "\"v\" + 1"));
  // Half the rows match; with no statistics on n the planner guesses a handful,
  // and rows stored out of key order make a key range expensive to it.
  p.steps[0].backfill->where = "\"n\" IS NULL AND \"v\" < 500";
  p.steps[0].backfill->batch_size = 2000;
  auto stat = [&](const std::string& col) {
    return std::stoll(query_value(
        url, "SELECT coalesce(" + col + ", 0) FROM pg_stat_user_tables WHERE relname = 'big'"));
  };
  // Statistics arrive asynchronously: wait until the INSERT above is counted.
  ASSERT_TRUE(wait_for(
      url, "SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = 'big'",
      [&](const std::string& v) { return !v.empty() && std::stoll(v) >= rows; }, 20));
  // Rows read by seq scans plus heap tuples fetched through indexes (bitmap scans included).
  auto reads = [&] { return stat("seq_tup_read") + stat("idx_tup_fetch"); };
  int64_t read0 = reads(), upd0 = stat("n_tup_upd");
  auto r = seam_cli({"apply", write_plan(p), "--db", url});
  ASSERT_EQ(r.status, 0) << r.output;
  ASSERT_TRUE(wait_for(
      url, "SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'big'",
      [&](const std::string& v) { return !v.empty() && std::stoll(v) >= upd0 + rows / 2; }, 20));
  int64_t read = reads() - read0;
  std::cout << "filtered backfill of " << rows << " rows in batches of 2000: " << read
            << " rows read (seq_tup_read + idx_tup_fetch)\n";
  // At most once by the batches' key scans and once by the UPDATEs: O(rows).
  // Filtering the batch query re-reads the rest of the table per batch (1M+ here).
  EXPECT_LT(read, 3 * rows);
  EXPECT_EQ(stat("n_tup_upd") - upd0, rows / 2);  // only the matching rows
  EXPECT_EQ(query_value(url,
                        "SELECT count(*) FROM big WHERE (v < 500 AND n IS DISTINCT FROM v + 1) OR "
                        "(v >= 500 AND n IS NOT NULL)"),
            "0");
  // rows_done counts updated rows; the cursor passed every row, batch by batch.
  EXPECT_EQ(query_value(url, "SELECT rows_done || ' ' || batches FROM seam.backfill_progress"),
            std::to_string(rows / 2) + " " + std::to_string(rows / 2000));
}

// The applier's session is terminated mid-backfill: a clear message naming
// the step, its own exit code, and the same command resumes exactly once.
TEST(Executor, TerminatedApplierSessionExitsClearlyAndTheSameApplyResumes) {
  std::string url = seam::test::fresh_database("terminated");
  seam::test::setup_backfill_db(url, 20000, 10);
  std::string plan = write_plan(expand_plan(seam::test::live_fingerprint(url)));
  auto applier = start(SEAM_BINARY, {"apply", plan, "--db", url, "--batch-size", "100",
                                     "--max-rows-per-second", "4000"});
  ASSERT_TRUE(wait_for(url, "SELECT coalesce(max(rows_done), 0) FROM seam.backfill_progress",
                       [](const std::string& v) { return !v.empty() && std::stoll(v) >= 500; }))
      << applier->output();
  EXPECT_EQ(query_value(url,
                        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM "
                        "pg_stat_activity WHERE application_name = 'seam apply') x"),
            "1");
  EXPECT_EQ(applier->wait(), 74) << applier->output();
  std::string out = applier->output();
  std::cout << out.substr(out.rfind("seam: lost") == std::string::npos ? 0
                                                                       : out.rfind("seam: lost"));
  EXPECT_NE(out.find("seam: lost the connection to "), std::string::npos) << out;
  EXPECT_NE(out.find(" during step backfill-006-t-v-new ("), std::string::npos) << out;
  EXPECT_NE(out.find("run the same `seam apply` again to resume"), std::string::npos) << out;
  EXPECT_LT(rows_done(url), 20000);
  // Running it again resumes the same job from the ledger's cursor, at once (the lease was given
  // back).
  auto r = seam_cli({"apply", plan, "--db", url});
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("resuming job 1"), std::string::npos) << r.output;
  EXPECT_EQ(query_value(url, "SELECT count(*) FROM t WHERE v_new IS DISTINCT FROM v"), "0");
  EXPECT_EQ(query_value(url, "SELECT count(*) FROM seam.jobs"), "1");
}

TEST(Executor, StoppedApplierIsFencedAfterTakeover) {
  std::string url = seam::test::fresh_database("fence");
  seam::test::setup_backfill_db(url, 20000, 10);
  std::string fp = seam::test::live_fingerprint(url);
  std::vector<std::string> args{
      "backfill",       url,   fp, "--batch-size", "100", "--rows-per-second", "2000",
      "--lease-ttl-ms", "1500"};
  auto first = start(EXECUTOR_DRIVER, args);
  ASSERT_TRUE(wait_for(url, "SELECT coalesce(max(rows_done), 0) FROM seam.backfill_progress",
                       [](const std::string& v) { return !v.empty() && std::stoll(v) >= 1000; }))
      << first->output();
  ::kill(first->pid, SIGSTOP);
  std::string epoch_before = query_value(url, "SELECT epoch FROM seam.lease");
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // past its lease ttl
  auto second = start(EXECUTOR_DRIVER, args);
  int rc2 = second->wait();
  ASSERT_EQ(rc2, 10) << second->output();  // the second finished the backfill, up to the checkpoint
  EXPECT_NE(second->output().find("took over the lease from host"), std::string::npos)
      << second->output();
  int64_t events_after = std::stoll(query_value(url, "SELECT max(id) FROM seam.events"));
  std::string progress_after =
      query_value(url,
                  "SELECT string_agg(rows_done || ':' || batches, ',') FROM "
                  "seam.backfill_progress");
  ::kill(first->pid, SIGCONT);
  int rc1 = first->wait();
  EXPECT_EQ(rc1, 4) << first->output();
  EXPECT_NE(first->output().find("the lease was lost"), std::string::npos) << first->output();
  // It wrote nothing after waking: no events, no progress, no row updated twice.
  EXPECT_EQ(std::stoll(query_value(url, "SELECT max(id) FROM seam.events")), events_after);
  EXPECT_EQ(
      query_value(
          url, "SELECT string_agg(rows_done || ':' || batches, ',') FROM seam.backfill_progress"),
      progress_after);
  EXPECT_EQ(query_value(url, "SELECT count(*) FROM t WHERE cnt <> 1"), "0");
  EXPECT_EQ(query_value(url, "SELECT state FROM seam.jobs"), "awaiting-approval");
  EXPECT_EQ(std::stoll(query_value(url, "SELECT epoch FROM seam.lease")),
            std::stoll(epoch_before) + 1);
  EXPECT_EQ(query_value(url, "SELECT count(*) FROM seam.events WHERE kind = 'lease-takeover'"),
            "1");
}

TEST(Executor, RowsPerSecondThrottleHoldsOverTwentySeconds) {
  std::string url = seam::test::fresh_database("throttle");
  seam::test::setup_backfill_db(url, 40000, 10);
  std::string fp = seam::test::live_fingerprint(url);
  const double rate = 1000;
  auto applier = start(EXECUTOR_DRIVER,
                       {"backfill", url, fp, "--batch-size", "100", "--rows-per-second", "1000"});
  ASSERT_TRUE(wait_for(url, "SELECT coalesce(max(rows_done), 0) FROM seam.backfill_progress",
                       [](const std::string& v) { return !v.empty() && std::stoll(v) >= 500; }))
      << applier->output();
  int64_t r0 = rows_done(url);
  auto t0 = Clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(21));
  int64_t r1 = rows_done(url);
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  double measured = static_cast<double>(r1 - r0) / secs;
  std::cout << "throttle: " << (r1 - r0) << " rows in " << secs << " s = " << measured
            << " rows/s (limit " << rate << ")\n";
  EXPECT_GE(measured, rate * 0.9);
  EXPECT_LE(measured, rate * 1.1);
}

// After a stall (here: a 1.5 s table lock a batch waits behind, shorter than
// the 2 s lock_timeout, so no retry restarts the step) the rate limit must not
// be "caught up" by a burst: the backfill resumes at the limit.
TEST(Executor, RowsPerSecondThrottleDoesNotBurstAfterAStall) {
  std::string url = seam::test::fresh_database("throttle_burst");
  seam::test::setup_backfill_db(url, 40000, 10);
  std::string fp = seam::test::live_fingerprint(url);
  const double rate = 1000;
  auto applier = start(EXECUTOR_DRIVER,
                       {"backfill", url, fp, "--batch-size", "100", "--rows-per-second", "1000"});
  ASSERT_TRUE(wait_for(url, "SELECT coalesce(max(rows_done), 0) FROM seam.backfill_progress",
                       [](const std::string& v) { return !v.empty() && std::stoll(v) >= 500; }))
      << applier->output();
  {
    pqxx::connection blocker(url);
    pqxx::work tx(blocker);
    tx.exec("LOCK TABLE t IN SHARE MODE");  // UPDATEs wait; the backfill stalls
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    tx.commit();
  }
  int64_t r0 = rows_done(url);
  auto t0 = Clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(3));
  int64_t r1 = rows_done(url);
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  std::cout << "after the stall: " << (r1 - r0) << " rows in " << secs << " s (limit " << rate << "/s)\n";
  // At most the limit plus one batch of credit; a catch-up burst would be
  // thousands of rows over.
  EXPECT_LE(static_cast<double>(r1 - r0), rate * 1.1 * secs + 100) << applier->output();
  EXPECT_GT(r1, r0) << "the backfill did not continue after the stall";
}

}  // namespace

namespace {

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

// GET /metrics; "" when nothing listens.
std::string scrape(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return "";
  }
  std::string req = "GET /metrics HTTP/1.0\r\n\r\n";
  ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
  std::string resp;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) resp.append(buf, static_cast<size_t>(n));
  ::close(fd);
  auto body = resp.find("\r\n\r\n");
  return body == std::string::npos ? "" : resp.substr(body + 4);
}

double value_of(const std::string& exposition, const std::string& series) {
  std::istringstream in(exposition);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  return -1;
}

// The metric names executor/metrics.hpp documents ("//   name{...}  what").
std::set<std::string> documented_metrics() {
  std::set<std::string> out;
  std::regex re(R"(^//   ([a-z_]+)([{ ,]|$))");
  std::ifstream in(fs::path(SEAM_SOURCE_DIR) / "executor" / "metrics.hpp");
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, re)) out.insert("seam_" + m[1].str());
    // "lease_renewals_total, lease_takeovers_total": a second name on the line
    std::regex more(R"(, ([a-z_]+_total))");
    for (std::sregex_iterator it(line.begin(), line.end(), more), end; it != end; ++it)
      out.insert("seam_" + (*it)[1].str());
  }
  return out;
}

std::set<std::string> metric_names_in(const std::string& text) {
  std::set<std::string> out;
  std::regex re(R"(seam_[a-z_]+)");
  for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it) {
    std::string n = it->str();
    for (const char* suffix : {"_bucket", "_sum", "_count"})
      if (n.size() > std::strlen(suffix) &&
          n.compare(n.size() - std::strlen(suffix), std::string::npos, suffix) == 0 &&
          n.find("_seconds") != std::string::npos)
        n.resize(n.size() - std::strlen(suffix));
    out.insert(n);
  }
  return out;
}

TEST(Executor, MetricsAreServedWhileApplyingAndTheMonitoringExamplesUseThem) {
  std::string url = seam::test::fresh_database("metrics");
  seam::test::setup_backfill_db(url, 20000, 10);
  std::string plan = write_plan(seam::test::backfill_plan(seam::test::live_fingerprint(url)));
  int port = free_port();
  auto applier = start(SEAM_BINARY, {"apply", plan, "--db", url, "--metrics-addr",
                                     "127.0.0.1:" + std::to_string(port), "--batch-size", "100",
                                     "--max-rows-per-second", "4000", "--lease-ttl-ms", "900"});
  ASSERT_TRUE(wait_for(url, "SELECT coalesce(max(rows_done), 0) FROM seam.backfill_progress",
                       [](const std::string& v) { return !v.empty() && std::stoll(v) >= 2000; }))
      << applier->output();
  std::string running = scrape(port);
  ASSERT_FALSE(running.empty()) << applier->output();
  std::string bf = "step=\"backfill-003-t-v2\",table=\"public.t\"";
  EXPECT_GE(value_of(running, "seam_backfill_rows_total{" + bf + "}"), 1000) << running;
  EXPECT_GE(value_of(running, "seam_backfill_batches_total{" + bf + "}"), 10) << running;
  EXPECT_GE(value_of(running, "seam_backfill_batch_seconds_count{step=\"backfill-003-t-v2\"}"), 10)
      << running;
  EXPECT_GE(value_of(running,
                     "seam_backfill_batch_seconds_bucket{step=\"backfill-003-t-v2\",le=\"+Inf\"}"),
            10)
      << running;
  EXPECT_EQ(value_of(running, "seam_job_state{job=\"1\",state=\"running\"}"), 1) << running;
  EXPECT_GE(value_of(running, "seam_lease_renewals_total"), 1) << running;
  EXPECT_GT(value_of(running, "seam_backfill_wal_bytes_total"), 0) << running;
  EXPECT_GE(value_of(running, "seam_steps_done_total"), 2) << running;

  ASSERT_EQ(seam_cli({"jobs", "pause", "1", "--db", url}).status, 0);
  ASSERT_TRUE(wait_for(
      url, "SELECT state FROM seam.jobs", [](const std::string& v) { return v == "paused"; }, 10));
  std::string paused = scrape(port);
  EXPECT_EQ(value_of(paused, "seam_throttle_paused{reason=\"pause-flag\"}"), 1) << paused;
  EXPECT_EQ(value_of(paused, "seam_throttle_pauses_total{reason=\"pause-flag\"}"), 1) << paused;
  EXPECT_EQ(value_of(paused, "seam_job_state{job=\"1\",state=\"paused\"}"), 1) << paused;
  ASSERT_EQ(seam_cli({"jobs", "resume", "1", "--db", url}).status, 0);
  EXPECT_EQ(applier->wait(), 0) << applier->output();

  // Every name served is documented, and the examples use documented names only.
  auto documented = documented_metrics();
  ASSERT_GE(documented.size(), 20u);
  for (const auto& n : metric_names_in(running + paused))
    EXPECT_TRUE(documented.count(n)) << n << " is not documented";
  fs::path mon = fs::path(SEAM_SOURCE_DIR) / "examples" / "monitoring";
  std::string alerts = slurp(mon / "alerts.yml"), dashboard = slurp(mon / "grafana-dashboard.json");
  auto used = metric_names_in(alerts + dashboard);
  EXPECT_GE(used.size(), 10u);
  for (const auto& n : used)
    EXPECT_TRUE(documented.count(n)) << n << " (examples/monitoring) is not exported";

  // promtool, when installed (Debian package prometheus), checks the rules and
  // the exposition format itself.
  if (fs::exists("/usr/bin/promtool")) {
    auto r = seam::pg::run_capture(
        {"/usr/bin/promtool", "check", "rules", (mon / "alerts.yml").string()});
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("SUCCESS: 8 rules found"), std::string::npos) << r.output;
    fs::path expo = temp_path("metrics.txt");
    std::ofstream(expo) << running;
    seam::pg::SpawnOptions o;
    o.stdin_fd = ::open(expo.c_str(), O_RDONLY);
    auto m = seam::pg::run_capture({"/usr/bin/promtool", "check", "metrics"}, o);
    ::close(o.stdin_fd);
    EXPECT_EQ(m.status, 0) << m.output << running;
    fs::remove(expo);
  } else {
    std::cout << "promtool not installed (apt-get install prometheus): rules checked for metric "
                 "names only\n";
  }
}

}  // namespace
