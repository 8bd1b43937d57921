// The apply loop's internals, shared by its files (not part of the API; see
// apply.hpp): apply.cpp runs the job (ledger, lease, flags, checkpoints,
// events and metrics), apply_sql_step.cpp the SQL steps (timeouts, retries,
// blockers, cleanup), apply_backfill.cpp the batched backfills.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "executor/apply.hpp"
#include "executor/blockers.hpp"
#include "executor/lease.hpp"

namespace seam::executor::detail {

using planner::Phase;
using planner::Plan;
using planner::Step;
using planner::StepKind;
using Clock = std::chrono::steady_clock;

inline std::string ms_setting(int64_t ms) {
  return std::to_string(ms < 0 ? 0 : ms) + "ms";
}

inline bool is_lock_timeout(const pqxx::sql_error& e) {
  return e.sqlstate() == "55P03";
}

// Effective throttle: the plan's, overridden by flags.
struct Limits {
  int64_t lock_timeout_ms, statement_timeout_ms, batch_size, target_batch_ms, max_replica_lag_ms,
      sleep_ms;
  int max_retries;
  double rows_per_second;
};

Limits limits_of(const Plan& p, const ApplyOptions& o);

// Thrown to unwind to apply() when the job stops (failed, cancelled, ...).
struct Stop {
  std::string state, message;
};

class Runner {
 public:
  Runner(const Plan& plan, const ApplyOptions& o)
      : plan_(plan), o_(o), l_(o.ledger), lim_(limits_of(plan, o)) {}

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
  void event(pqxx::transaction_base& tx, const std::string& kind, const std::string& step,
             const std::string& msg, std::string detail = "{}") {
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
    o_.metrics->set(
        "job_state",
        Metrics::label("job", std::to_string(job_)) + "," + Metrics::label("state", state), 1);
  }
  void drop_pending() { pending_.clear(); }

  void find_or_create_job();
  void drift_check();
  void run_step(const Step& s, size_t pos, const std::string& state);
  void run_sql_step(const Step& s, bool reconcile);
  bool cleanup_wanted(const Step& s);
  static std::string cleanup_target(const Step& s);
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
  std::string current_step_;  // for messages when the connection breaks
  bool resumed_ = false;
  std::vector<Event> pending_;
  std::mt19937_64 rng_{std::random_device{}()};
  std::map<std::string, Clock::time_point> step_started_;
  std::mutex emit_mu_;  // on_event is called from watcher threads too
};

}  // namespace seam::executor::detail
