// Backfill steps of the apply loop: keyset batches (executor/backfill_sql.hpp),
// each committed with its cursor, and the throttles checked between them.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include <pqxx/pqxx>

#include "dialects/postgres/conn.hpp"
#include "executor/backfill_sql.hpp"
#include "executor/runner.hpp"
#include "schema/canon.hpp"

namespace seam::executor::detail {

namespace {

// The I/O of a backfill for its metrics: deltas between samples of the
// table's pg_statio counters, the server's WAL position and (16+) pg_stat_io
// writes. Statistics reach these views with a delay of up to a second, and WAL
// and pg_stat_io are server-wide, so the figures are what the server did while
// the backfill ran - the metric names say so.
struct IoSampler {
  bool have = false;
  double blks_read = 0, blks_hit = 0, io_writes = 0;
  std::string lsn;
  void sample(pqxx::connection& c, Metrics& m, const std::string& table) {
    try {
      pqxx::read_transaction tx(c);
      bool io_view = c.server_version() >= 160000;
      auto r = tx.exec_params1(
          std::string(
              "SELECT coalesce((SELECT heap_blks_read FROM pg_statio_user_tables WHERE relid = "
              "to_regclass($1)), 0)::float8, coalesce((SELECT heap_blks_hit FROM "
              "pg_statio_user_tables "
              "WHERE relid = to_regclass($1)), 0)::float8, pg_current_wal_lsn()::text, ") +
              (io_view ? "(SELECT coalesce(sum(writes), 0)::float8 FROM pg_stat_io)" : "0::float8"),
          schema::quote_qual([&] {
            auto dot = table.find('.');
            return dot == std::string::npos
                       ? schema::QualName{"public", table}
                       : schema::QualName{table.substr(0, dot), table.substr(dot + 1)};
          }()));
      double rd = r[0].as<double>(), hit = r[1].as<double>(), wr = r[3].as<double>();
      std::string now = r[2].as<std::string>();
      if (have) {
        std::string t = Metrics::label("table", table);
        m.add("backfill_heap_blocks_read_total", t, std::max(0.0, rd - blks_read));
        m.add("backfill_heap_blocks_hit_total", t, std::max(0.0, hit - blks_hit));
        auto wal =
            tx.exec_params1("SELECT pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::float8", now, lsn);
        m.add("backfill_wal_bytes_total", "", std::max(0.0, wal[0].as<double>()));
        if (io_view) m.add("backfill_io_writes_total", "", std::max(0.0, wr - io_writes));
      }
      have = true;
      blks_read = rd;
      blks_hit = hit;
      io_writes = wr;
      lsn = now;
    } catch (const pqxx::sql_error&) {
      // A standby or a restricted role: no I/O figures, the backfill goes on.
    }
  }
};

}  // namespace

void Runner::run_backfill(const Step& s) {
  const auto& bf = *s.backfill;
  BackfillSql q;
  {
    pqxx::read_transaction tx(*conn_);
    q = backfill_sql(tx, bf, l_, s.id);  // validates the key; throws naming the table
  }
  bool started;
  int64_t rows_done;
  {
    pqxx::read_transaction tx(*conn_);
    auto r = tx.exec_params1("SELECT last_key IS NOT NULL, rows_done FROM " +
                                 l_.q("backfill_progress") + " WHERE job_id = $1 AND step_id = $2",
                             job_, s.id);
    started = r[0].as<bool>();
    rows_done = r[1].as<int64_t>();
  }
  mark_step_running(s);
  if (started) {
    write([&](pqxx::work& tx) {
      event(tx, "backfill-resume", s.id,
            "continuing the backfill of " + bf.table + " from the ledger's cursor (" +
                std::to_string(rows_done) + " rows done)");
    });
    flush();
  }
  int64_t batch = bf.batch_size > 0 && !o_.batch_size ? bf.batch_size : lim_.batch_size;
  auto t_start = Clock::now();
  // Rate limit as a token bucket holding at most one batch: `pace` is when the
  // rows done so far may have finished. After a stall (lock wait, lag pause,
  // slow network) it restarts from now instead of bursting to catch up.
  auto pace = t_start;
  int64_t rows_session = 0;
  int retries = 0;
  bool lag_paused = false;
  int work_pid = conn_->backendpid();
  // Batches can wait on row locks too: watched for the whole step (one connection).
  WaitWatcher watcher(o_.url, work_pid,
                      static_cast<int>(std::clamp<int64_t>(lim_.lock_timeout_ms / 4, 20, 200)),
                      [&](const WaitInfo& w) { on_wait(s, w); });
  IoSampler io;
  if (o_.metrics) io.sample(*conn_, *o_.metrics, bf.table);  // the baseline
  for (;;) {
    check_flags(&s);
    if (lim_.max_replica_lag_ms > 0) {
      double lag;
      {
        pqxx::read_transaction tx(*conn_);
        lag = tx.exec(
                    "SELECT coalesce(max(extract(epoch FROM replay_lag)) * 1000, 0)::float8 FROM "
                    "pg_stat_replication")[0][0]
                  .as<double>();
      }
      if (lag > static_cast<double>(lim_.max_replica_lag_ms)) {
        if (!lag_paused) {
          lag_paused = true;
          write([&](pqxx::work& tx) {
            event(tx, "throttle-pause", s.id,
                  "replica lag " + std::to_string(static_cast<int64_t>(lag)) + " ms is above " +
                      std::to_string(lim_.max_replica_lag_ms) + " ms; backfill waits",
                  "{\"reason\": \"replica-lag\", \"lag_ms\": " +
                      std::to_string(static_cast<int64_t>(lag)) + "}");
          });
          flush();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        continue;
      }
      if (lag_paused && o_.metrics)
        o_.metrics->set("throttle_paused", Metrics::label("reason", "replica-lag"), 0);
      lag_paused = false;
    }
    auto t0 = Clock::now();
    int64_t selected = 0, updated = 0, total = 0;
    std::string error;
    bool lock_timeout = false;
    try {
      lease_->check();
      pqxx::work tx(*conn_);
      lease_->check_epoch(tx);
      tx.exec_params(
          "SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true)",
          ms_setting(lim_.lock_timeout_ms), ms_setting(lim_.statement_timeout_ms));
      auto r = tx.exec_params1(started ? q.next_batch : q.first_batch, job_, s.id, batch);
      selected = r[0].as<int64_t>();
      updated = r[1].as<int64_t>();
      total = r[2].as<int64_t>();
      if (selected == 0) {
        tx.exec_params0("UPDATE " + l_.q("steps") +
                            " SET state = 'done', finished_at = clock_timestamp(), last_error = "
                            "'', blockers = NULL "
                            "WHERE job_id = $1 AND step_id = $2",
                        job_, s.id);
        event(tx, "step-done", s.id,
              "backfill of " + bf.table + " done (" + std::to_string(rows_done) + " rows)",
              "{\"rows_done\": " + std::to_string(rows_done) + "}");
      }
      tx.commit();
    } catch (const pqxx::sql_error& e) {
      drop_pending();
      error = e.what();
      while (!error.empty() && (error.back() == '\n' || error.back() == ' ')) error.pop_back();
      lock_timeout = is_lock_timeout(e);
    }
    if (!error.empty()) {
      if (!lock_timeout) fail_step(s, error);
      WaitInfo w = watcher.take();
      ++retries;
      write([&](pqxx::work& tx) {
        event(tx, "lock-timeout", s.id,
              "a backfill batch of " + bf.table + " timed out waiting for a lock (retry " +
                  std::to_string(retries) + "); blocked by " + w.describe(),
              "{\"attempt\": " + std::to_string(retries) + ", \"wait\": " + w.json() + "}");
      });
      flush();
      if (retries > lim_.max_retries)
        fail_step(s, "a batch gave up after " + std::to_string(retries) + " lock timeouts");
      backoff_sleep(retries - 1);
      continue;
    }
    retries = 0;
    flush();
    if (selected == 0) return;
    started = true;
    rows_done = total;
    rows_session += updated;
    auto t1 = Clock::now();
    double batch_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
    if (o_.metrics) {
      std::string labels = Metrics::label("step", s.id) + "," + Metrics::label("table", bf.table);
      o_.metrics->add("backfill_rows_total", labels, static_cast<double>(updated));
      o_.metrics->add("backfill_batches_total", labels, 1);
      o_.metrics->observe("backfill_batch_seconds", Metrics::label("step", s.id),
                          batch_ms / 1000.0);
      io.sample(*conn_, *o_.metrics, bf.table);
    }
    if (o_.on_event) {
      char buf[160];
      std::snprintf(
          buf, sizeof buf,
          "{\"rows\": %lld, \"rows_done\": %lld, \"batch_size\": %lld, \"batch_ms\": %.1f}",
          static_cast<long long>(updated), static_cast<long long>(rows_done),
          static_cast<long long>(batch), batch_ms);
      Event e{"batch", s.id,
              "backfill " + bf.table + ": " + std::to_string(rows_done) + " rows done (batch of " +
                  std::to_string(selected) + ")",
              buf};
      e.phase = planner::to_string(s.phase);
      e.rows_done = rows_done;
      e.est_rows = bf.est_rows;
      double elapsed = std::chrono::duration<double>(t1 - t_start).count();
      e.rows_per_second = elapsed > 0 ? static_cast<double>(rows_session) / elapsed : 0;
      emit(e);
    }
    if (lim_.target_batch_ms > 0 && batch_ms > 0) {
      double factor = std::clamp(static_cast<double>(lim_.target_batch_ms) / batch_ms, 0.5, 2.0);
      batch = std::clamp<int64_t>(static_cast<int64_t>(static_cast<double>(batch) * factor), 1,
                                  1000000);
    }
    if (lim_.rows_per_second > 0) {
      auto cost = std::chrono::duration_cast<Clock::duration>(
          std::chrono::duration<double>(static_cast<double>(updated) / lim_.rows_per_second));
      pace = std::max(pace, t1 - cost) + cost;
      std::this_thread::sleep_until(pace);
    }
    if (lim_.sleep_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(lim_.sleep_ms));
  }
}

}  // namespace seam::executor::detail
