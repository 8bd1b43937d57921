// The apply loop (see apply.hpp): jobs, steps, retries, backfill batches and
// throttles, every ledger write fenced by the lease epoch.
#include "executor/apply.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <pqxx/except>
#include <pqxx/pqxx>
#include <pqxx/transaction>

#include "dialects/postgres/conn.hpp"
#include "dialects/postgres/fingerprint.hpp"
#include "dialects/postgres/inspect.hpp"
#include "executor/backfill_sql.hpp"
#include "executor/blockers.hpp"
#include "executor/lease.hpp"
#include "schema/canon.hpp"
#include "schema/errors.hpp"

namespace seam::executor {

using planner::Phase;
using planner::Plan;
using planner::Step;
using planner::StepKind;
using Clock = std::chrono::steady_clock;

void validate_plan(const Plan& plan) {
  std::set<std::string> ids;
  bool checkpoint_seen = false;
  for (const auto& s : plan.steps) {
    if (s.id.empty()) throw InputError("plan: a step has no id");
    if (!ids.insert(s.id).second) throw InputError("plan: step id '" + s.id + "' appears twice");
    switch (s.kind) {
      case StepKind::Sql:
        if (s.sql.empty()) throw InputError("plan: step '" + s.id + "' (kind sql) has no SQL");
        break;
      case StepKind::Backfill:
        if (!s.backfill) throw InputError("plan: step '" + s.id + "' (kind backfill) has no backfill settings");
        if (s.backfill->key.empty())
          throw InputError("plan: backfill step '" + s.id + "' on table " + s.backfill->table +
                           " has no key: the table has no usable key (a primary key or a unique index over NOT NULL "
                           "columns), and seam only backfills by keyset pagination over one. Add a primary key first");
        if (s.backfill->set.empty())
          throw InputError("plan: backfill step '" + s.id + "' sets no column");
        break;
      case StepKind::Checkpoint: checkpoint_seen = true; break;
    }
    if (s.phase == Phase::Contract && s.kind != StepKind::Checkpoint && !checkpoint_seen)
      throw InputError("plan: contract step '" + s.id +
                       "' has no checkpoint before it; seam never starts the contract phase without an approval");
  }
}

namespace {

std::string ms_setting(int64_t ms) { return std::to_string(std::max<int64_t>(ms, 0)) + "ms"; }

bool is_lock_timeout(const pqxx::sql_error& e) { return e.sqlstate() == "55P03"; }

// Effective throttle: the plan's, overridden by flags.
struct Limits {
  int64_t lock_timeout_ms, statement_timeout_ms, batch_size, target_batch_ms, max_replica_lag_ms, sleep_ms;
  int max_retries;
  double rows_per_second;
};

Limits limits_of(const Plan& p, const ApplyOptions& o) {
  Limits l;
  l.lock_timeout_ms = o.lock_timeout_ms.value_or(p.throttle.lock_timeout_ms);
  l.statement_timeout_ms = o.statement_timeout_ms.value_or(p.throttle.statement_timeout_ms);
  l.batch_size = o.batch_size.value_or(p.throttle.batch_size);
  l.target_batch_ms = o.target_batch_ms.value_or(p.throttle.target_batch_ms);
  l.max_replica_lag_ms = o.max_replica_lag_ms.value_or(p.throttle.max_replica_lag_ms);
  l.max_retries = o.max_retries.value_or(p.throttle.max_retries);
  l.rows_per_second = o.rows_per_second.value_or(p.throttle.rows_per_second);
  l.sleep_ms = o.sleep_ms;
  if (l.batch_size <= 0) l.batch_size = 1000;
  return l;
}

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
          std::string("SELECT coalesce((SELECT heap_blks_read FROM pg_statio_user_tables WHERE relid = "
                      "to_regclass($1)), 0)::float8, coalesce((SELECT heap_blks_hit FROM pg_statio_user_tables "
                      "WHERE relid = to_regclass($1)), 0)::float8, pg_current_wal_lsn()::text, ") +
              (io_view ? "(SELECT coalesce(sum(writes), 0)::float8 FROM pg_stat_io)" : "0::float8"),
          schema::quote_qual([&] {
            auto dot = table.find('.');
            return dot == std::string::npos ? schema::QualName{"public", table}
                                            : schema::QualName{table.substr(0, dot), table.substr(dot + 1)};
          }()));
      double rd = r[0].as<double>(), hit = r[1].as<double>(), wr = r[3].as<double>();
      std::string now = r[2].as<std::string>();
      if (have) {
        std::string t = Metrics::label("table", table);
        m.add("backfill_heap_blocks_read_total", t, std::max(0.0, rd - blks_read));
        m.add("backfill_heap_blocks_hit_total", t, std::max(0.0, hit - blks_hit));
        auto wal = tx.exec_params1("SELECT pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::float8", now, lsn);
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

// Thrown to unwind to apply() when the job stops (failed, cancelled, ...).
struct Stop {
  std::string state, message;
};

class Runner {
 public:
  Runner(const Plan& plan, const ApplyOptions& o) : plan_(plan), o_(o), l_(o.ledger), lim_(limits_of(plan, o)) {}

  ApplyResult run();

 private:
  // --- ledger writes (all fenced) ---
  template <class F>
  void write(F&& fn) {
    lease_->check();
    pqxx::work tx(*conn_);
    lease_->check_epoch(tx);
    fn(tx);
    tx.commit();
  }
  void event(pqxx::transaction_base& tx, const std::string& kind, const std::string& step, const std::string& msg,
             std::string detail = "{}") {
    if (detail.empty()) detail = "{}";
    // The message goes in too, so the audit trail reads on its own.
    std::string d = detail.size() > 2 ? "{\"message\": " + json_str(msg) + ", " + detail.substr(1)
                                      : "{\"message\": " + json_str(msg) + "}";
    add_event(tx, l_, job_, step, kind, d);
    pending_.push_back({kind, step, msg, d});
  }
  void flush() {
    for (auto& e : pending_) {
      count(e);
      emit(e);
    }
    pending_.clear();
  }
  void count(const Event& e);
  void emit(const Event& e);
  void on_wait(const Step& s, const WaitInfo& w);
  void job_state_metric(const std::string& state) {
    if (!o_.metrics) return;
    o_.metrics->clear("job_state");
    o_.metrics->set("job_state", Metrics::label("job", std::to_string(job_)) + "," + Metrics::label("state", state), 1);
  }
  void drop_pending() { pending_.clear(); }
  void set_job_state(const std::string& state, const std::string& err = "") {
    write([&](pqxx::work& tx) {
      tx.exec_params0("UPDATE " + l_.q("jobs") +
                          " SET state = $2, last_error = $3, updated_at = clock_timestamp() WHERE id = $1",
                      job_, state, err);
    });
  }

  void find_or_create_job();
  void drift_check();
  void run_step(const Step& s, size_t pos, const std::string& state);
  void run_sql_step(const Step& s, bool reconcile);
  void run_backfill(const Step& s);
  void check_flags(const Step* s);
  void backoff_sleep(int attempt);
  void terminate_old_blockers(const Step& s, const WaitInfo& waited);
  [[noreturn]] void fail_step(const Step& s, const std::string& why);
  void mark_step_running(const Step& s);

  const Plan& plan_;
  const ApplyOptions& o_;
  Ledger l_;
  Limits lim_;
  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<Lease> lease_;
  int64_t job_ = 0;
  bool resumed_ = false;
  std::vector<Event> pending_;
  std::mt19937_64 rng_{std::random_device{}()};
  std::map<std::string, Clock::time_point> step_started_;
  std::mutex emit_mu_;  // on_event is called from watcher threads too
};

// From a WaitWatcher's thread, on a connection of its own (fenced like every
// write): what the running step waits on, for `seam jobs show`, the events
// and the metrics.
void Runner::on_wait(const Step& s, const WaitInfo& w) {
  if (o_.metrics) {
    o_.metrics->set("step_blocking_sessions", Metrics::label("step", s.id), static_cast<double>(w.blockers.size()));
    o_.metrics->set("step_sessions_queued", Metrics::label("step", s.id), w.queued_behind);
  }
  auto c = pg::connect(o_.url);
  pqxx::work tx(*c);
  lease_->check_epoch(tx);
  tx.exec_params0("UPDATE " + l_.q("steps") + " SET blockers = $3::jsonb WHERE job_id = $1 AND step_id = $2", job_,
                  s.id, w.json());
  std::string msg = "step " + s.id + " waits on " + w.describe();
  if (!w.blockers.empty())
    add_event(tx, l_, job_, s.id, "waiting", "{\"message\": " + json_str(msg) + ", \"wait\": " + w.json() + "}");
  tx.commit();
  if (!w.blockers.empty()) emit({"waiting", s.id, msg, w.json()});
}

void Runner::emit(const Event& e) {
  if (!o_.on_event) return;
  std::lock_guard g(emit_mu_);
  o_.on_event(e);
}

// Metrics follow the recorded events, so the two never disagree.
void Runner::count(const Event& e) {
  Metrics* m = o_.metrics;
  if (!m) return;
  std::string step = Metrics::label("step", e.step);
  if (e.kind == "job-created" || e.kind == "job-resumed") {
    if (e.kind == "job-resumed") m->add("job_resumes_total", "", 1);
    m->set("job_start_timestamp_seconds", Metrics::label("job", std::to_string(job_)),
           static_cast<double>(std::time(nullptr)));
    job_state_metric("running");
  } else if (e.kind == "job-paused") {
    m->add("throttle_pauses_total", Metrics::label("reason", "pause-flag"), 1);
    m->set("throttle_paused", Metrics::label("reason", "pause-flag"), 1);
    job_state_metric("paused");
  } else if (e.kind == "job-unpaused") {
    m->set("throttle_paused", Metrics::label("reason", "pause-flag"), 0);
    job_state_metric("running");
  } else if (e.kind == "throttle-pause") {
    m->add("throttle_pauses_total", Metrics::label("reason", "replica-lag"), 1);
    m->set("throttle_paused", Metrics::label("reason", "replica-lag"), 1);
  } else if (e.kind == "job-cancelled") {
    job_state_metric("cancelled");
  } else if (e.kind == "step-failed") {
    job_state_metric("failed");
  } else if (e.kind == "checkpoint") {
    job_state_metric("awaiting-approval");
  } else if (e.kind == "job-stopped") {
    job_state_metric("paused");
  } else if (e.kind == "job-done") {
    job_state_metric("done");
  } else if (e.kind == "step-done") {
    m->add("steps_done_total", "", 1);
    auto it = step_started_.find(e.step);
    if (it != step_started_.end())
      m->set("step_duration_seconds", step, std::chrono::duration<double>(Clock::now() - it->second).count());
    m->set("step_blocking_sessions", step, 0);
    m->set("step_sessions_queued", step, 0);
  } else if (e.kind == "lock-timeout") {
    m->add("lock_timeouts_total", step, 1);
  } else if (e.kind == "blocker-terminated") {
    m->add("blockers_terminated_total", "", 1);
  }
}

void Runner::drift_check() {
  if (plan_.source_fingerprint.empty())
    throw InputError("the plan has no source fingerprint; seam cannot tell whether the database changed since it "
                     "was planned. Make the plan with `seam plan`");
  pg::InspectOptions io;
  io.exclude_schemas = {l_.schema};
  std::string live = pg::catalog_fingerprint(pg::inspect(*conn_, io));
  if (live == plan_.source_fingerprint) return;
  throw DriftError("the database " + pg::describe_connection(*conn_) +
                   " changed since the plan was made: its catalog fingerprint is " + live +
                   ", the plan was computed from " + plan_.source_fingerprint +
                   ". Applying it could do the wrong thing; run `seam diff` or `seam plan` against the database again "
                   "to see and plan the differences. (A plan's own unfinished job is resumed without this check.)");
}

void Runner::find_or_create_job() {
  {
    pqxx::read_transaction tx(*conn_);
    auto r = tx.exec_params("SELECT id, state FROM " + l_.q("jobs") +
                                " WHERE plan_fingerprint = $1 ORDER BY id DESC LIMIT 1",
                            o_.plan_fingerprint);
    if (!r.empty()) {
      auto state = r[0][1].as<std::string>();
      if (state == "done") {
        job_ = r[0][0].as<int64_t>();
        throw Stop{"done", "the plan was applied already by job " + std::to_string(job_) + "; nothing to do"};
      }
      if (state != "cancelled" && state != "rolled-back") {
        job_ = r[0][0].as<int64_t>();
        resumed_ = true;
      }
    }
  }
  if (resumed_) {
    write([&](pqxx::work& tx) {
      tx.exec_params0("UPDATE " + l_.q("jobs") +
                          " SET state = 'running', holder_host = l.holder_host, holder_pid = l.holder_pid, "
                          "lease_epoch = l.epoch, updated_at = clock_timestamp() FROM " +
                          l_.q("lease") + " l WHERE l.id = 1 AND " + l_.q("jobs") + ".id = $1",
                      job_);
      lease_->set_job(tx, job_);
      event(tx, "job-resumed", "", "resuming job " + std::to_string(job_) + " from the ledger");
    });
    flush();
    return;
  }
  drift_check();
  write([&](pqxx::work& tx) {
    job_ = tx.exec_params1("INSERT INTO " + l_.q("jobs") +
                               " (plan_fingerprint, plan_text, state, holder_host, holder_pid, lease_epoch) "
                               "SELECT $1, $2, 'running', holder_host, holder_pid, epoch FROM " +
                               l_.q("lease") + " WHERE id = 1 RETURNING id",
                           o_.plan_fingerprint, o_.plan_text)[0]
               .as<int64_t>();
    for (size_t i = 0; i < plan_.steps.size(); ++i) {
      const auto& s = plan_.steps[i];
      tx.exec_params0("INSERT INTO " + l_.q("steps") +
                          " (job_id, step_id, position, kind, phase) VALUES ($1, $2, $3, $4, $5)",
                      job_, s.id, static_cast<int>(i), std::string(planner::to_string(s.kind)),
                      std::string(planner::to_string(s.phase)));
      if (s.kind == StepKind::Backfill)
        tx.exec_params0("INSERT INTO " + l_.q("backfill_progress") +
                            " (job_id, step_id, table_name) VALUES ($1, $2, $3)",
                        job_, s.id, s.backfill->table);
    }
    lease_->set_job(tx, job_);
    event(tx, "job-created", "",
          "job " + std::to_string(job_) + " created for plan " + o_.plan_fingerprint.substr(0, 12) + " (" +
              std::to_string(plan_.steps.size()) + " steps)");
  });
  flush();
}

void Runner::backoff_sleep(int attempt) {
  double base = static_cast<double>(o_.backoff_base_ms) * std::pow(2.0, std::min(attempt, 16));
  base = std::min(base, static_cast<double>(o_.backoff_max_ms));
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int64_t>(base * jitter(rng_))));
}

void Runner::fail_step(const Step& s, const std::string& why) {
  write([&](pqxx::work& tx) {
    tx.exec_params0("UPDATE " + l_.q("steps") +
                        " SET state = 'failed', last_error = $3, finished_at = clock_timestamp() "
                        "WHERE job_id = $1 AND step_id = $2",
                    job_, s.id, why);
    tx.exec_params0("UPDATE " + l_.q("jobs") +
                        " SET state = 'failed', last_error = $2, updated_at = clock_timestamp() WHERE id = $1",
                    job_, "step " + s.id + ": " + why);
    event(tx, "step-failed", s.id, "step " + s.id + " failed: " + why);
  });
  flush();
  throw Stop{"failed", "job " + std::to_string(job_) + " stopped at step " + s.id + ": " + why +
                           ". The job can be resumed: fix the cause and run `seam apply` with the same plan again"};
}

void Runner::mark_step_running(const Step& s) {
  step_started_.emplace(s.id, Clock::now());
  write([&](pqxx::work& tx) {
    tx.exec_params0("UPDATE " + l_.q("steps") +
                        " SET state = 'running', attempts = attempts + 1, started_at = coalesce(started_at, "
                        "clock_timestamp()) WHERE job_id = $1 AND step_id = $2",
                    job_, s.id);
    tx.exec_params0("UPDATE " + l_.q("jobs") +
                        " SET phase = $2, step = $3, updated_at = clock_timestamp() WHERE id = $1",
                    job_, std::string(planner::to_string(s.phase)), s.id);
  });
}

// Pause and cancel flags, and the heartbeat's verdict: checked at every safe point.
void Runner::check_flags(const Step* s) {
  bool paused = false;
  for (;;) {
    lease_->check();
    bool pause, cancel;
    {
      pqxx::read_transaction tx(*conn_);
      auto r = tx.exec_params1("SELECT pause_requested, cancel_requested FROM " + l_.q("jobs") + " WHERE id = $1",
                               job_);
      pause = r[0].as<bool>();
      cancel = r[1].as<bool>();
    }
    std::string sid = s ? s->id : "";
    if (cancel) {
      write([&](pqxx::work& tx) {
        tx.exec_params0("UPDATE " + l_.q("jobs") +
                            " SET state = 'cancelled', updated_at = clock_timestamp() WHERE id = $1",
                        job_);
        event(tx, "job-cancelled", sid, "job " + std::to_string(job_) + " cancelled at a safe point");
      });
      flush();
      throw Stop{"cancelled", "job " + std::to_string(job_) + " was cancelled (stopped at a safe point" +
                                  (sid.empty() ? "" : ", before more of step " + sid) + ")"};
    }
    if (!pause) {
      if (paused) {
        write([&](pqxx::work& tx) {
          tx.exec_params0("UPDATE " + l_.q("jobs") +
                              " SET state = 'running', updated_at = clock_timestamp() WHERE id = $1",
                          job_);
          event(tx, "job-unpaused", sid, "pause flag cleared; continuing");
        });
        flush();
      }
      return;
    }
    if (!paused) {
      paused = true;
      write([&](pqxx::work& tx) {
        tx.exec_params0("UPDATE " + l_.q("jobs") +
                            " SET state = 'paused', updated_at = clock_timestamp() WHERE id = $1",
                        job_);
        event(tx, "job-paused", sid,
              "paused by the pause flag (`seam jobs resume " + std::to_string(job_) + "` continues)");
      });
      flush();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

void Runner::run_sql_step(const Step& s, bool reconcile) {
  if (reconcile) {
    // A non-transactional step found running: it may have half-happened
    // (an INVALID index). Clean up with its on_failure SQL before rerunning.
    std::string what = s.on_failure.empty() ? "no on_failure cleanup in the plan; running it again"
                                            : "running its cleanup: " + s.on_failure;
    write([&](pqxx::work& tx) {
      event(tx, "step-reconcile", s.id, "step " + s.id + " was interrupted while running; " + what);
    });
    flush();
    if (!s.on_failure.empty()) {
      pqxx::nontransaction tx(*conn_);
      tx.exec_params("SELECT set_config('lock_timeout', $1, false)", ms_setting(lim_.lock_timeout_ms));
      tx.exec(s.on_failure);
    }
  }
  int work_pid = conn_->backendpid();
  for (int attempt = 0;; ++attempt) {
    check_flags(&s);
    mark_step_running(s);
    auto t0 = Clock::now();
    std::string error;
    bool lock_timeout = false;
    WaitInfo waited;
    {
      // Sample several times per lock_timeout so a short wait is seen too.
      int interval = static_cast<int>(std::clamp<int64_t>(lim_.lock_timeout_ms / 4, 20, 200));
      WaitWatcher watcher(o_.url, work_pid, interval, [&](const WaitInfo& w) { on_wait(s, w); });
      try {
        if (s.transactional) {
          lease_->check();
          pqxx::work tx(*conn_);
          lease_->check_epoch(tx);
          tx.exec_params("SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true)",
                         ms_setting(lim_.lock_timeout_ms), ms_setting(lim_.statement_timeout_ms));
          tx.exec(s.sql);
          tx.exec("SET LOCAL statement_timeout = 0");
          double secs = std::chrono::duration<double>(Clock::now() - t0).count();
          tx.exec_params0("UPDATE " + l_.q("steps") +
                              " SET state = 'done', finished_at = clock_timestamp(), last_error = '', blockers = NULL "
                              "WHERE job_id = $1 AND step_id = $2",
                          job_, s.id);
          char buf[64];
          std::snprintf(buf, sizeof buf, "{\"seconds\": %.3f, \"attempt\": %d}", secs, attempt + 1);
          event(tx, "step-done", s.id, "step " + s.id + " done", buf);
          tx.commit();
          flush();
          return;
        }
        lease_->check();
        {
          pqxx::nontransaction tx(*conn_);
          tx.exec_params("SELECT set_config('lock_timeout', $1, false), set_config('statement_timeout', $2, false)",
                         ms_setting(lim_.lock_timeout_ms), ms_setting(lim_.statement_timeout_ms));
          tx.exec(s.sql);
        }
      } catch (const pqxx::sql_error& e) {
        drop_pending();
        error = e.what();
        while (!error.empty() && (error.back() == '\n' || error.back() == ' ')) error.pop_back();
        lock_timeout = is_lock_timeout(e);
      } catch (const pqxx::broken_connection&) {
        throw;
      }
      waited = watcher.last();
    }
    if (!s.transactional) {
      // Session-level timeouts must not outlive the step (ledger writes follow).
      pqxx::nontransaction tx(*conn_);
      tx.exec("RESET lock_timeout; RESET statement_timeout");
    }
    if (error.empty()) {
      // The non-transactional statement succeeded: record it.
      double secs = std::chrono::duration<double>(Clock::now() - t0).count();
      write([&](pqxx::work& tx) {
        tx.exec_params0("UPDATE " + l_.q("steps") +
                            " SET state = 'done', finished_at = clock_timestamp(), last_error = '', blockers = NULL "
                            "WHERE job_id = $1 AND step_id = $2",
                        job_, s.id);
        char buf[64];
        std::snprintf(buf, sizeof buf, "{\"seconds\": %.3f, \"attempt\": %d}", secs, attempt + 1);
        event(tx, "step-done", s.id, "step " + s.id + " done (outside a transaction)", buf);
      });
      flush();
      return;
    }
    if (!s.transactional && !s.on_failure.empty()) {
      std::string cleanup_error;
      try {
        pqxx::nontransaction tx(*conn_);
        tx.exec_params("SELECT set_config('lock_timeout', $1, false)", ms_setting(lim_.lock_timeout_ms));
        tx.exec(s.on_failure);
      } catch (const pqxx::sql_error& e) {
        cleanup_error = e.what();
      }
      write([&](pqxx::work& tx) {
        event(tx, "step-cleanup", s.id,
              cleanup_error.empty() ? "ran the cleanup of step " + s.id + ": " + s.on_failure
                                    : "the cleanup of step " + s.id + " failed: " + cleanup_error);
      });
      flush();
    }
    if (!lock_timeout) fail_step(s, error);
    std::string who = waited.describe();
    bool give_up = attempt + 1 > lim_.max_retries;
    write([&](pqxx::work& tx) {
      tx.exec_params0("UPDATE " + l_.q("steps") +
                          " SET last_error = $3, blockers = $4::jsonb WHERE job_id = $1 AND step_id = $2",
                      job_, s.id, error, waited.json());
      event(tx, "lock-timeout", s.id,
            "step " + s.id + " timed out waiting for a lock (attempt " + std::to_string(attempt + 1) + " of " +
                std::to_string(lim_.max_retries + 1) + ", lock_timeout " + ms_setting(lim_.lock_timeout_ms) +
                "); blocked by " + who,
            "{\"attempt\": " + std::to_string(attempt + 1) + ", \"wait\": " + waited.json() + "}");
    });
    flush();
    if (give_up)
      fail_step(s, "gave up after " + std::to_string(attempt + 1) + " lock timeouts; blocked by " + who);
    if (o_.terminate_blockers_after_ms > 0) terminate_old_blockers(s, waited);
    backoff_sleep(attempt);
  }
}

// The opt-in policy: blockers whose transaction is older than the bound are
// terminated (cancelling their query would not end an idle transaction).
void Runner::terminate_old_blockers(const Step& s, const WaitInfo& waited) {
  for (const auto& b : waited.blockers) {
    if (b.xact_age_s * 1000.0 < static_cast<double>(o_.terminate_blockers_after_ms)) continue;
    bool done;
    {
      pqxx::nontransaction tx(*conn_);
      done = tx.exec_params1("SELECT pg_terminate_backend($1)", b.pid)[0].as<bool>();
    }
    char age[32];
    std::snprintf(age, sizeof age, "%.1f", b.xact_age_s);
    write([&](pqxx::work& tx) {
      event(tx, "blocker-terminated", s.id,
            (done ? "terminated" : "could not terminate") + std::string(" blocking session pid ") +
                std::to_string(b.pid) + " (application '" + b.application + "', transaction " + age +
                "s old, older than the " + std::to_string(o_.terminate_blockers_after_ms) + " ms policy bound)",
            "{\"pid\": " + std::to_string(b.pid) + ", \"terminated\": " + (done ? "true" : "false") + "}");
    });
    flush();
  }
}

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
    auto r = tx.exec_params1("SELECT last_key IS NOT NULL, rows_done FROM " + l_.q("backfill_progress") +
                                 " WHERE job_id = $1 AND step_id = $2",
                             job_, s.id);
    started = r[0].as<bool>();
    rows_done = r[1].as<int64_t>();
  }
  mark_step_running(s);
  if (started) {
    write([&](pqxx::work& tx) {
      event(tx, "backfill-resume", s.id,
            "continuing the backfill of " + bf.table + " from the ledger's cursor (" + std::to_string(rows_done) +
                " rows done)");
    });
    flush();
  }
  int64_t batch = bf.batch_size > 0 && !o_.batch_size ? bf.batch_size : lim_.batch_size;
  auto t_start = Clock::now();
  int64_t rows_session = 0;
  int retries = 0;
  bool lag_paused = false;
  int work_pid = conn_->backendpid();
  // Batches can wait on row locks too: watched for the whole step (one connection).
  WaitWatcher watcher(o_.url, work_pid, static_cast<int>(std::clamp<int64_t>(lim_.lock_timeout_ms / 4, 20, 200)),
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
                    "SELECT coalesce(max(extract(epoch FROM replay_lag)) * 1000, 0)::float8 FROM pg_stat_replication")[0]
                  [0]
                      .as<double>();
      }
      if (lag > static_cast<double>(lim_.max_replica_lag_ms)) {
        if (!lag_paused) {
          lag_paused = true;
          write([&](pqxx::work& tx) {
            event(tx, "throttle-pause", s.id,
                  "replica lag " + std::to_string(static_cast<int64_t>(lag)) + " ms is above " +
                      std::to_string(lim_.max_replica_lag_ms) + " ms; backfill waits",
                  "{\"reason\": \"replica-lag\", \"lag_ms\": " + std::to_string(static_cast<int64_t>(lag)) + "}");
          });
          flush();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        continue;
      }
      if (lag_paused && o_.metrics) o_.metrics->set("throttle_paused", Metrics::label("reason", "replica-lag"), 0);
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
      tx.exec_params("SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true)",
                     ms_setting(lim_.lock_timeout_ms), ms_setting(lim_.statement_timeout_ms));
      auto r = tx.exec_params1(started ? q.next_batch : q.first_batch, job_, s.id, batch);
      selected = r[0].as<int64_t>();
      updated = r[1].as<int64_t>();
      total = r[2].as<int64_t>();
      if (selected == 0) {
        tx.exec_params0("UPDATE " + l_.q("steps") +
                            " SET state = 'done', finished_at = clock_timestamp(), last_error = '', blockers = NULL "
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
              "a backfill batch of " + bf.table + " timed out waiting for a lock (retry " + std::to_string(retries) +
                  "); blocked by " + w.describe(),
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
      o_.metrics->observe("backfill_batch_seconds", Metrics::label("step", s.id), batch_ms / 1000.0);
      io.sample(*conn_, *o_.metrics, bf.table);
    }
    if (o_.on_event) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "{\"rows\": %lld, \"rows_done\": %lld, \"batch_size\": %lld, \"batch_ms\": %.1f}",
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
      batch = std::clamp<int64_t>(static_cast<int64_t>(static_cast<double>(batch) * factor), 1, 1000000);
    }
    if (lim_.rows_per_second > 0) {
      // Hold the average since this step (re)started at the limit.
      auto due = t_start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                               static_cast<double>(rows_session) / lim_.rows_per_second));
      std::this_thread::sleep_until(due);
    }
    if (lim_.sleep_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(lim_.sleep_ms));
  }
}

void Runner::run_step(const Step& s, size_t pos, const std::string& state) {
  switch (s.kind) {
    case StepKind::Checkpoint: {
      if (state == "approved") {
        write([&](pqxx::work& tx) {
          tx.exec_params0("UPDATE " + l_.q("steps") +
                              " SET state = 'done', finished_at = clock_timestamp() WHERE job_id = $1 AND step_id = $2",
                          job_, s.id);
          event(tx, "checkpoint-passed", s.id, "checkpoint " + s.id + " approved; continuing");
        });
        flush();
        return;
      }
      std::string what = s.message;
      while (!what.empty() && (what.back() == '.' || what.back() == ' ')) what.pop_back();
      std::string msg = "job " + std::to_string(job_) + " waits at checkpoint " + s.id +
                        (what.empty() ? "" : ": " + what) + ". When ready, approve it with `seam jobs approve " +
                        std::to_string(job_) + " --checkpoint " + s.id +
                        " --db URL` and run `seam apply` with the same plan again";
      write([&](pqxx::work& tx) {
        tx.exec_params0("UPDATE " + l_.q("steps") +
                            " SET state = 'waiting', started_at = coalesce(started_at, clock_timestamp()) "
                            "WHERE job_id = $1 AND step_id = $2",
                        job_, s.id);
        tx.exec_params0("UPDATE " + l_.q("jobs") +
                            " SET state = 'awaiting-approval', phase = $2, step = $3, updated_at = clock_timestamp() "
                            "WHERE id = $1",
                        job_, std::string(planner::to_string(s.phase)), s.id);
        event(tx, "checkpoint", s.id, msg);
      });
      flush();
      throw Stop{"awaiting-approval", msg};
    }
    case StepKind::Sql: run_sql_step(s, state == "running" && !s.transactional); return;
    case StepKind::Backfill: run_backfill(s); return;
  }
  (void)pos;
}

ApplyResult Runner::run() {
  validate_plan(plan_);
  conn_ = pg::connect(o_.url);
  {
    pqxx::nontransaction tx(*conn_);
    tx.exec("SET application_name = 'seam apply'");
  }
  ensure_ledger(*conn_, l_);
  LeaseOptions lo;
  lo.ttl_ms = o_.lease_ttl_ms;
  lo.metrics = o_.metrics;
  lease_ = Lease::acquire(o_.url, l_, lo, *conn_);
  ApplyResult res;
  try {
    if (!lease_->takeover().empty()) emit({"lease-takeover", "", lease_->takeover(), "{}"});
    find_or_create_job();
    std::map<std::string, std::string> states;
    {
      pqxx::read_transaction tx(*conn_);
      for (const auto& r : read_steps(tx, l_, job_)) states[r.step_id] = r.state;
    }
    for (size_t i = 0; i < plan_.steps.size(); ++i) {
      const auto& s = plan_.steps[i];
      auto it = states.find(s.id);
      if (it == states.end())
        throw std::runtime_error("job " + std::to_string(job_) + " has no ledger row for step " + s.id +
                                 "; the ledger does not belong to this plan");
      if (it->second == "done") continue;
      if (o_.through && s.phase > *o_.through && s.kind != StepKind::Checkpoint) {
        std::string msg = "stopped after phase " + std::string(planner::to_string(*o_.through)) +
                          " (--through); run `seam apply` with the same plan again to continue with step " + s.id;
        write([&](pqxx::work& tx) {
          tx.exec_params0("UPDATE " + l_.q("jobs") +
                              " SET state = 'paused', updated_at = clock_timestamp() WHERE id = $1",
                          job_);
          event(tx, "job-stopped", s.id, msg);
        });
        flush();
        throw Stop{"paused", msg};
      }
      run_step(s, i, it->second);
    }
    write([&](pqxx::work& tx) {
      tx.exec_params0("UPDATE " + l_.q("jobs") +
                          " SET state = 'done', phase = '', step = '', last_error = '', updated_at = clock_timestamp() "
                          "WHERE id = $1",
                      job_);
      event(tx, "job-done", "", "job " + std::to_string(job_) + " done: every step applied");
    });
    flush();
    res = {job_, "done", "job " + std::to_string(job_) + " done: every step applied"};
  } catch (const Stop& st) {
    res = {job_, st.state, st.message};
  } catch (const FencedError&) {
    throw;  // nothing more may be written
  } catch (const std::exception& e) {
    // Our sessions may have been ended by an applier that took the lease over.
    if (!lease_->still_held(o_.url))
      throw FencedError(std::string("the lease was lost (another applier took it over; our last operation failed: ") +
                        e.what() + "); this applier stops without writing anything more");
    // Leave the job resumable and say why it stopped, if the ledger is reachable.
    if (job_) {
      try {
        write([&](pqxx::work& tx) {
          tx.exec_params0("UPDATE " + l_.q("jobs") +
                              " SET state = 'failed', last_error = $2, updated_at = clock_timestamp() WHERE id = $1",
                          job_, std::string(e.what()));
          event(tx, "job-failed", "", std::string("job stopped: ") + e.what());
        });
        flush();
      } catch (const std::exception&) {
      }
    }
    throw;
  }
  lease_->release();
  return res;
}

}  // namespace

ApplyResult apply(const Plan& plan, const ApplyOptions& o) {
  Runner r(plan, o);
  return r.run();
}

}  // namespace seam::executor
