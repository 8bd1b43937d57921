// `seam jobs` list/show/pause/resume/cancel/approve (see control.hpp).
#include "executor/control.hpp"

#include <sstream>
#include <stdexcept>

#include <pqxx/pqxx>

#include "executor/blockers.hpp"

namespace seam::executor {

namespace {

void require_ledger(pqxx::connection& c, const Ledger& l) {
  if (!ledger_exists(c, l))
    throw std::runtime_error("no job ledger in schema " + l.schema +
                             " of this database (no plan was applied here yet)");
}

JobRow require_job(pqxx::transaction_base& tx, const Ledger& l, int64_t job) {
  auto j = read_job(tx, l, job);
  if (!j)
    throw std::runtime_error("no job " + std::to_string(job) +
                             " in the ledger (`seam jobs list` lists them)");
  return *j;
}

bool terminal(const std::string& state) {
  return state == "done" || state == "cancelled" || state == "rolled-back";
}

}  // namespace

bool job_has_live_applier(pqxx::connection& c, const Ledger& l, int64_t job) {
  pqxx::read_transaction tx(c);
  auto r = tx.exec_params("SELECT 1 FROM " + l.q("lease") +
                              " WHERE id = 1 AND NOT released AND job_id = $1 AND "
                              "clock_timestamp() - heartbeat <= ttl_ms * interval '1 millisecond'",
                          job);
  return !r.empty();
}

std::string list_jobs(pqxx::connection& c, const Ledger& l) {
  if (!ledger_exists(c, l)) return "no jobs (no job ledger in schema " + l.schema + ")\n";
  pqxx::read_transaction tx(c);
  std::ostringstream out;
  out << "JOB  STATE              PHASE       STEP                                      PLAN       "
         "   UPDATED\n";
  for (const auto& j : read_jobs(tx, l)) {
    char line[512];
    std::snprintf(line, sizeof line, "%-4lld %-18s %-11s %-41s %-13s %s%s%s\n",
                  static_cast<long long>(j.id), j.state.c_str(),
                  j.phase.empty() ? "-" : j.phase.c_str(), j.step.empty() ? "-" : j.step.c_str(),
                  j.plan_fingerprint.substr(0, 12).c_str(), j.updated_at.c_str(),
                  j.pause_requested ? " (pause requested)" : "",
                  j.cancel_requested ? " (cancel requested)" : "");
    out << line;
  }
  return out.str();
}

std::string show_job(pqxx::connection& c, const Ledger& l, int64_t job, int events) {
  require_ledger(c, l);
  pqxx::read_transaction tx(c);
  JobRow j = require_job(tx, l, job);
  std::ostringstream out;
  out << "job " << j.id << ": " << j.state;
  if (j.pause_requested) out << " (pause requested)";
  if (j.cancel_requested) out << " (cancel requested)";
  out << "\n  plan:     " << j.plan_fingerprint << "\n  created:  " << j.created_at
      << "\n  updated:  " << j.updated_at << "\n";
  if (!j.phase.empty()) out << "  at:       phase " << j.phase << ", step " << j.step << "\n";
  if (!j.holder_host.empty())
    out << "  applier:  host " << j.holder_host << " pid " << j.holder_pid << " (lease epoch "
        << j.lease_epoch << ")\n";
  auto lease = tx.exec(
      "SELECT coalesce(job_id, 0), released, coalesce(work_backend, 0), "
      "coalesce(extract(epoch FROM clock_timestamp() - heartbeat)::float8, 0), ttl_ms, "
      "coalesce(holder_host, ''), "
      "coalesce(holder_pid, 0) FROM " +
      l.q("lease") + " WHERE id = 1");
  bool live = false;
  int work_backend = 0;
  if (!lease.empty() && lease[0][0].as<int64_t>() == job && !lease[0][1].as<bool>()) {
    double age = lease[0][3].as<double>();
    live = age * 1000.0 <= lease[0][4].as<double>();
    work_backend = lease[0][2].as<int>();
    char buf[200];
    std::snprintf(buf, sizeof buf, "  lease:    held by host %s pid %d, heartbeat %.1fs ago%s\n",
                  lease[0][5].as<std::string>().c_str(), lease[0][6].as<int>(), age,
                  live ? "" : " (STALE)");
    out << buf;
  }
  if (!j.last_error.empty()) out << "  error:    " << j.last_error << "\n";
  out << "  steps:\n";
  for (const auto& s : read_steps(tx, l, job)) {
    out << "    " << s.step_id << "  " << s.state << " (" << s.kind << ", " << s.phase;
    if (s.attempts) out << ", attempts " << s.attempts;
    out << ")";
    if (!s.last_error.empty() && s.state != "done") out << "\n      last error: " << s.last_error;
    if (!s.blockers.empty() && s.state != "done") out << "\n      waiting on: " << s.blockers;
    out << "\n";
  }
  auto prog = read_progress(tx, l, job);
  if (!prog.empty()) {
    out << "  backfill:\n";
    for (const auto& p : prog)
      out << "    " << p.step_id << "  " << p.table_name << ": " << p.rows_done << " rows in "
          << p.batches << " batches, last key " << (p.last_key.empty() ? "-" : p.last_key) << "\n";
  }
  if (live && work_backend) {
    WaitInfo w = sample_wait(tx, work_backend);
    if (!w.blockers.empty()) out << "  blocked now by: " << w.describe() << "\n";
  }
  out << "  events (last " << events << "):\n";
  for (const auto& e : read_events(tx, l, job, events))
    out << "    " << e.at << "  " << e.kind << (e.step_id.empty() ? "" : " [" + e.step_id + "]")
        << "  " << e.detail << "\n";
  return out.str();
}

std::string pause_job(pqxx::connection& c, const Ledger& l, int64_t job) {
  require_ledger(c, l);
  pqxx::work tx(c);
  JobRow j = require_job(tx, l, job);
  if (terminal(j.state))
    throw std::runtime_error("job " + std::to_string(job) + " is " + j.state +
                             "; nothing to pause");
  tx.exec_params0("UPDATE " + l.q("jobs") +
                      " SET pause_requested = true, updated_at = clock_timestamp() WHERE id = $1",
                  job);
  add_event(tx, l, job, "", "pause-requested", "{}");
  tx.commit();
  return "job " + std::to_string(job) +
         " will pause at its next safe point (before the next step or backfill batch); `seam jobs "
         "resume " +
         std::to_string(job) + "` continues it";
}

std::string resume_job(pqxx::connection& c, const Ledger& l, int64_t job) {
  require_ledger(c, l);
  pqxx::work tx(c);
  JobRow j = require_job(tx, l, job);
  if (terminal(j.state))
    throw std::runtime_error("job " + std::to_string(job) + " is " + j.state +
                             "; nothing to resume");
  tx.exec_params0("UPDATE " + l.q("jobs") +
                      " SET pause_requested = false, updated_at = clock_timestamp() WHERE id = $1",
                  job);
  add_event(tx, l, job, "", "resume-requested", "{}");
  tx.commit();
  bool live = job_has_live_applier(c, l, job);
  return "job " + std::to_string(job) + ": pause flag cleared; " +
         (live ? std::string("its applier continues within one batch")
               : std::string("no applier is running it: run `seam apply PLAN --db URL` with its "
                             "plan to continue"));
}

std::string cancel_job(pqxx::connection& c, const Ledger& l, int64_t job) {
  require_ledger(c, l);
  bool live = job_has_live_applier(c, l, job);
  pqxx::work tx(c);
  JobRow j = require_job(tx, l, job);
  if (terminal(j.state))
    throw std::runtime_error("job " + std::to_string(job) + " is " + j.state + " already");
  if (live) {
    tx.exec_params0(
        "UPDATE " + l.q("jobs") +
            " SET cancel_requested = true, updated_at = clock_timestamp() WHERE id = $1",
        job);
    add_event(tx, l, job, "", "cancel-requested", "{}");
    tx.commit();
    return "job " + std::to_string(job) +
           " will stop at its next safe point (before the next step or batch)";
  }
  tx.exec_params0("UPDATE " + l.q("jobs") +
                      " SET state = 'cancelled', cancel_requested = true, updated_at = "
                      "clock_timestamp() WHERE id = $1",
                  job);
  add_event(tx, l, job, "", "job-cancelled",
            "{\"message\": \"cancelled while no applier ran it\"}");
  tx.commit();
  return "job " + std::to_string(job) +
         " cancelled (no applier was running it); what it applied stays: `seam jobs "
         "rollback " +
         std::to_string(job) + "` undoes its expand phase";
}

std::string approve_job(pqxx::connection& c, const Ledger& l, int64_t job,
                        const std::string& checkpoint) {
  require_ledger(c, l);
  pqxx::work tx(c);
  JobRow j = require_job(tx, l, job);
  if (terminal(j.state))
    throw std::runtime_error("job " + std::to_string(job) + " is " + j.state +
                             "; nothing to approve");
  pqxx::result r;
  if (checkpoint.empty())
    r = tx.exec_params("UPDATE " + l.q("steps") +
                           " SET state = 'approved' WHERE job_id = $1 AND kind = 'checkpoint' AND "
                           "state = 'waiting' "
                           "RETURNING step_id",
                       job);
  else
    r = tx.exec_params("UPDATE " + l.q("steps") +
                           " SET state = 'approved' WHERE job_id = $1 AND kind = 'checkpoint' AND "
                           "step_id = $2 AND "
                           "state IN ('pending', 'waiting') RETURNING step_id",
                       job, checkpoint);
  if (r.empty()) {
    std::string which =
        checkpoint.empty()
            ? "job " + std::to_string(job) + " does not wait at a checkpoint"
            : "job " + std::to_string(job) + " has no unapproved checkpoint '" + checkpoint + "'";
    throw std::runtime_error(which + " (`seam jobs show " + std::to_string(job) +
                             "` lists its steps)");
  }
  std::string id = r[0][0].as<std::string>();
  if (j.state == "awaiting-approval")
    tx.exec_params0("UPDATE " + l.q("jobs") +
                        " SET state = 'paused', updated_at = clock_timestamp() WHERE id = $1",
                    job);
  add_event(tx, l, job, id, "checkpoint-approved", "{}");
  tx.commit();
  return "checkpoint " + id + " of job " + std::to_string(job) +
         " approved; run `seam apply PLAN --db URL` with the same plan to continue";
}

}  // namespace seam::executor
