// The apply loop (see apply.hpp): finding or creating the job, the step
// loop with its safe points (pause, cancel, lease), checkpoints, and the
// events and metrics every step reports. Steps themselves run in
// apply_sql_step.cpp and apply_backfill.cpp.
#include "executor/apply.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>
#include <thread>

#include <pqxx/pqxx>

#include "dialects/postgres/conn.hpp"
#include "dialects/postgres/fingerprint.hpp"
#include "dialects/postgres/inspect.hpp"
#include "executor/runner.hpp"
#include "schema/errors.hpp"

namespace seam::executor {

using planner::Phase;
using planner::Plan;
using planner::StepKind;

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
        if (!s.backfill)
          throw InputError("plan: step '" + s.id + "' (kind backfill) has no backfill settings");
        if (s.backfill->key.empty())
          throw InputError("plan: backfill step '" + s.id + "' on table " + s.backfill->table +
                           " has no key: the table has no usable key (a primary key or a unique "
                           "index over NOT NULL "
                           "columns), and seam only backfills by keyset pagination over one. Add a "
                           "primary key first");
        if (s.backfill->set.empty())
          throw InputError("plan: backfill step '" + s.id + "' sets no column");
        break;
      case StepKind::Checkpoint:
        checkpoint_seen = true;
        break;
    }
    if (s.phase == Phase::Contract && s.kind != StepKind::Checkpoint && !checkpoint_seen)
      throw InputError("plan: contract step '" + s.id +
                       "' has no checkpoint before it; seam never starts the contract phase "
                       "without an approval");
  }
}

namespace detail {

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

// From a WaitWatcher's thread, on a connection of its own (fenced like every
// write): what the running step waits on, for `seam jobs show`, the events
// and the metrics.
void Runner::on_wait(const Step& s, const WaitInfo& w) {
  if (o_.metrics) {
    o_.metrics->set("step_blocking_sessions", Metrics::label("step", s.id),
                    static_cast<double>(w.blockers.size()));
    o_.metrics->set("step_sessions_queued", Metrics::label("step", s.id), w.queued_behind);
  }
  auto c = pg::connect(o_.url);
  pqxx::work tx(*c);
  lease_->check_epoch(tx);
  tx.exec_params0(
      "UPDATE " + l_.q("steps") + " SET blockers = $3::jsonb WHERE job_id = $1 AND step_id = $2",
      job_, s.id, w.json());
  std::string msg = "step " + s.id + " waits on " + w.describe();
  if (!w.blockers.empty())
    add_event(tx, l_, job_, s.id, "waiting",
              "{\"message\": " + json_str(msg) + ", \"wait\": " + w.json() + "}");
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
      m->set("step_duration_seconds", step,
             std::chrono::duration<double>(Clock::now() - it->second).count());
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
    throw InputError(
        "the plan has no source fingerprint; seam cannot tell whether the database changed since "
        "it "
        "was planned. Make the plan with `seam plan`");
  pg::InspectOptions io;
  io.exclude_schemas = {l_.schema};
  std::string live = pg::catalog_fingerprint(pg::inspect(*conn_, io));
  if (live == plan_.source_fingerprint) return;
  throw DriftError("the database " + pg::describe_connection(*conn_) +
                   " changed since the plan was made: its catalog fingerprint is " + live +
                   ", the plan was computed from " + plan_.source_fingerprint +
                   ". Applying it could do the wrong thing; run `seam diff` or `seam plan` against "
                   "the database again "
                   "to see and plan the differences. (A plan's own unfinished job is resumed "
                   "without this check.)");
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
        throw Stop{"done", "the plan was applied already by job " + std::to_string(job_) +
                               "; nothing to do"};
      }
      if (state != "cancelled" && state != "rolled-back") {
        job_ = r[0][0].as<int64_t>();
        resumed_ = true;
      }
    }
  }
  if (resumed_) {
    write([&](pqxx::work& tx) {
      tx.exec_params0(
          "UPDATE " + l_.q("jobs") +
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
    job_ = tx.exec_params1(
                 "INSERT INTO " + l_.q("jobs") +
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
          "job " + std::to_string(job_) + " created for plan " + o_.plan_fingerprint.substr(0, 12) +
              " (" + std::to_string(plan_.steps.size()) + " steps)");
  });
  flush();
}

void Runner::fail_step(const Step& s, const std::string& why) {
  write([&](pqxx::work& tx) {
    tx.exec_params0("UPDATE " + l_.q("steps") +
                        " SET state = 'failed', last_error = $3, finished_at = clock_timestamp() "
                        "WHERE job_id = $1 AND step_id = $2",
                    job_, s.id, why);
    tx.exec_params0(
        "UPDATE " + l_.q("jobs") +
            " SET state = 'failed', last_error = $2, updated_at = clock_timestamp() WHERE id = $1",
        job_, "step " + s.id + ": " + why);
    event(tx, "step-failed", s.id, "step " + s.id + " failed: " + why);
  });
  flush();
  throw Stop{
      "failed",
      "job " + std::to_string(job_) + " stopped at step " + s.id + ": " + why +
          ". The job can be resumed: fix the cause and run `seam apply` with the same plan again"};
}

void Runner::mark_step_running(const Step& s) {
  step_started_.emplace(s.id, Clock::now());
  write([&](pqxx::work& tx) {
    tx.exec_params0(
        "UPDATE " + l_.q("steps") +
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
      auto r = tx.exec_params1(
          "SELECT pause_requested, cancel_requested FROM " + l_.q("jobs") + " WHERE id = $1", job_);
      pause = r[0].as<bool>();
      cancel = r[1].as<bool>();
    }
    std::string sid = s ? s->id : "";
    if (cancel) {
      write([&](pqxx::work& tx) {
        tx.exec_params0(
            "UPDATE " + l_.q("jobs") +
                " SET state = 'cancelled', updated_at = clock_timestamp() WHERE id = $1",
            job_);
        event(tx, "job-cancelled", sid,
              "job " + std::to_string(job_) + " cancelled at a safe point");
      });
      flush();
      throw Stop{"cancelled", "job " + std::to_string(job_) +
                                  " was cancelled (stopped at a safe point" +
                                  (sid.empty() ? "" : ", before more of step " + sid) + ")"};
    }
    if (!pause) {
      if (paused) {
        write([&](pqxx::work& tx) {
          tx.exec_params0(
              "UPDATE " + l_.q("jobs") +
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
        event(
            tx, "job-paused", sid,
            "paused by the pause flag (`seam jobs resume " + std::to_string(job_) + "` continues)");
      });
      flush();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

void Runner::run_step(const Step& s, size_t pos, const std::string& state) {
  switch (s.kind) {
    case StepKind::Checkpoint: {
      if (state == "approved") {
        write([&](pqxx::work& tx) {
          tx.exec_params0("UPDATE " + l_.q("steps") +
                              " SET state = 'done', finished_at = clock_timestamp() WHERE job_id = "
                              "$1 AND step_id = $2",
                          job_, s.id);
          event(tx, "checkpoint-passed", s.id, "checkpoint " + s.id + " approved; continuing");
        });
        flush();
        return;
      }
      std::string what = s.message;
      while (!what.empty() && (what.back() == '.' || what.back() == ' ')) what.pop_back();
      std::string msg = "job " + std::to_string(job_) + " waits at checkpoint " + s.id +
                        (what.empty() ? "" : ": " + what) +
                        ". When ready, approve it with `seam jobs approve " + std::to_string(job_) +
                        " --checkpoint " + s.id +
                        " --db URL` and run `seam apply` with the same plan again";
      write([&](pqxx::work& tx) {
        tx.exec_params0(
            "UPDATE " + l_.q("steps") +
                " SET state = 'waiting', started_at = coalesce(started_at, clock_timestamp()) "
                "WHERE job_id = $1 AND step_id = $2",
            job_, s.id);
        tx.exec_params0("UPDATE " + l_.q("jobs") +
                            " SET state = 'awaiting-approval', phase = $2, step = $3, updated_at = "
                            "clock_timestamp() "
                            "WHERE id = $1",
                        job_, std::string(planner::to_string(s.phase)), s.id);
        event(tx, "checkpoint", s.id, msg);
      });
      flush();
      throw Stop{"awaiting-approval", msg};
    }
    case StepKind::Sql:
      run_sql_step(s, state == "running" && !s.transactional);
      return;
    case StepKind::Backfill:
      run_backfill(s);
      return;
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
        throw std::runtime_error("job " + std::to_string(job_) + " has no ledger row for step " +
                                 s.id + "; the ledger does not belong to this plan");
      if (it->second == "done") continue;
      if (o_.through && s.phase > *o_.through && s.kind != StepKind::Checkpoint) {
        std::string msg =
            "stopped after phase " + std::string(planner::to_string(*o_.through)) +
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
      current_step_ = s.id;
      run_step(s, i, it->second);
    }
    current_step_.clear();
    write([&](pqxx::work& tx) {
      tx.exec_params0("UPDATE " + l_.q("jobs") +
                          " SET state = 'done', phase = '', step = '', last_error = '', updated_at "
                          "= clock_timestamp() "
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
  } catch (const pqxx::broken_connection& e) {
    if (!lease_->still_held(o_.url))
      throw FencedError(std::string("the lease was lost (another applier took it over; our "
                                    "connection broke: ") +
                        e.what() + "); this applier stops without writing anything more");
    std::string why = e.what();
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ' || why.back() == '.'))
      why.pop_back();
    for (auto& c : why)
      if (c == '\n') c = ' ';
    lease_->release();  // so running apply again need not wait for the lease to expire
    throw ConnectionLostError(
        "lost the connection to " + pg::redact_url(o_.url) +
        (current_step_.empty() ? " outside a step" : " during step " + current_step_) + " (" + why +
        "); the ledger records where it stopped - run the same `seam apply` again to resume");
  } catch (const std::exception& e) {
    // Our sessions may have been ended by an applier that took the lease over.
    if (!lease_->still_held(o_.url))
      throw FencedError(
          std::string(
              "the lease was lost (another applier took it over; our last operation failed: ") +
          e.what() + "); this applier stops without writing anything more");
    // Leave the job resumable and say why it stopped, if the ledger is reachable.
    if (job_) {
      try {
        write([&](pqxx::work& tx) {
          tx.exec_params0("UPDATE " + l_.q("jobs") +
                              " SET state = 'failed', last_error = $2, updated_at = "
                              "clock_timestamp() WHERE id = $1",
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

}  // namespace detail

ApplyResult apply(const Plan& plan, const ApplyOptions& o) {
  detail::Runner r(plan, o);
  return r.run();
}

}  // namespace seam::executor
