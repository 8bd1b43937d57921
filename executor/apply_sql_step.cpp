// SQL steps of the apply loop: each under lock_timeout / statement_timeout,
// transactional ones together with their ledger record, the others alone with
// their cleanup; lock timeouts retried with backoff and jitter while a
// watcher records what the step waits on.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>

#include <pqxx/pqxx>

#include "dialects/postgres/conn.hpp"
#include "executor/runner.hpp"

namespace seam::executor::detail {

void Runner::backoff_sleep(int attempt) {
  double base = static_cast<double>(o_.backoff_base_ms) * std::pow(2.0, std::min(attempt, 16));
  base = std::min(base, static_cast<double>(o_.backoff_max_ms));
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int64_t>(base * jitter(rng_))));
}

// The step's on_failure_if guard: true when there is none or it returns true.
// When it says no, the cleanup is skipped and the ledger says why.
bool Runner::cleanup_wanted(const Step& s) {
  if (s.on_failure_if.empty()) return true;
  bool yes;
  {
    pqxx::nontransaction tx(*conn_);
    auto r = tx.exec(s.on_failure_if);
    yes = r.size() == 1 && r.columns() == 1 && !r[0][0].is_null() && r[0][0].as<bool>();
  }
  if (!yes) {
    write([&](pqxx::work& tx) {
      event(tx, "step-cleanup-skipped", s.id,
            "left " + cleanup_target(s) +
                " alone: it is valid, so this step did not create it (its cleanup guard returned "
                "false)");
    });
    flush();
  }
  return yes;
}

// What a cleanup acts on, for messages: the object after IF EXISTS, or the SQL.
std::string Runner::cleanup_target(const Step& s) {
  std::string c = s.on_failure;
  auto p = c.find("IF EXISTS ");
  if (p != std::string::npos) c = c.substr(p + 10);
  while (!c.empty() && (c.back() == '\n' || c.back() == ';' || c.back() == ' ')) c.pop_back();
  return c;
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
    if (!s.on_failure.empty() && cleanup_wanted(s)) {
      pqxx::nontransaction tx(*conn_);
      tx.exec_params("SELECT set_config('lock_timeout', $1, false)",
                     ms_setting(lim_.lock_timeout_ms));
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
          tx.exec_params(
              "SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, "
              "true)",
              ms_setting(lim_.lock_timeout_ms), ms_setting(lim_.statement_timeout_ms));
          tx.exec(s.sql);
          tx.exec("SET LOCAL statement_timeout = 0");
          double secs = std::chrono::duration<double>(Clock::now() - t0).count();
          tx.exec_params0("UPDATE " + l_.q("steps") +
                              " SET state = 'done', finished_at = clock_timestamp(), last_error = "
                              "'', blockers = NULL "
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
          tx.exec_params(
              "SELECT set_config('lock_timeout', $1, false), set_config('statement_timeout', $2, "
              "false)",
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
                            " SET state = 'done', finished_at = clock_timestamp(), last_error = "
                            "'', blockers = NULL "
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
      bool wanted = true;
      try {
        wanted = cleanup_wanted(s);
      } catch (const pqxx::sql_error& e) {
        wanted = false;
        cleanup_error = std::string("its guard failed: ") + e.what();
      }
      if (wanted) {
        try {
          pqxx::nontransaction tx(*conn_);
          tx.exec_params("SELECT set_config('lock_timeout', $1, false)",
                         ms_setting(lim_.lock_timeout_ms));
          tx.exec(s.on_failure);
        } catch (const pqxx::sql_error& e) {
          cleanup_error = e.what();
        }
      }
      if (wanted || !cleanup_error.empty())
        write([&](pqxx::work& tx) {
          event(tx, "step-cleanup", s.id,
                cleanup_error.empty()
                    ? "ran the cleanup of step " + s.id + ": " + s.on_failure
                    : "the cleanup of step " + s.id + " failed: " + cleanup_error);
        });
      flush();
    }
    if (!lock_timeout) fail_step(s, error);
    std::string who = waited.describe();
    bool give_up = attempt + 1 > lim_.max_retries;
    write([&](pqxx::work& tx) {
      tx.exec_params0(
          "UPDATE " + l_.q("steps") +
              " SET last_error = $3, blockers = $4::jsonb WHERE job_id = $1 AND step_id = $2",
          job_, s.id, error, waited.json());
      event(tx, "lock-timeout", s.id,
            "step " + s.id + " timed out waiting for a lock (attempt " +
                std::to_string(attempt + 1) + " of " + std::to_string(lim_.max_retries + 1) +
                ", lock_timeout " + ms_setting(lim_.lock_timeout_ms) + "); blocked by " + who,
            "{\"attempt\": " + std::to_string(attempt + 1) + ", \"wait\": " + waited.json() + "}");
    });
    flush();
    if (give_up)
      fail_step(
          s, "gave up after " + std::to_string(attempt + 1) + " lock timeouts; blocked by " + who);
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
                std::to_string(b.pid) + " (application '" + b.application + "', transaction " +
                age + "s old, older than the " + std::to_string(o_.terminate_blockers_after_ms) +
                " ms policy bound)",
            "{\"pid\": " + std::to_string(b.pid) +
                ", \"terminated\": " + (done ? "true" : "false") + "}");
    });
    flush();
  }
}

}  // namespace seam::executor::detail
