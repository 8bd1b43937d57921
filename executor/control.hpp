// Job control: what `seam jobs` does, as functions over a connection.
//
// These only set flags and approvals in the ledger (the applier that holds
// the lease acts on them at its next safe point: before every step and every
// backfill batch), or change the state of a job no applier is working on.
// They never take the lease, so an operator can always pause or cancel.
// Rollback is in executor/rollback.hpp (it does take the lease).
#pragma once

#include <cstdint>
#include <string>

#include <pqxx/connection>

#include "executor/ledger.hpp"

namespace seam::executor {

// Human-readable listings (deterministic for the same ledger contents).
std::string list_jobs(pqxx::connection& c, const Ledger& l);
// A job, its steps, backfill progress, what a running step waits on (live:
// the sessions blocking the applier's connection right now) and its last events.
std::string show_job(pqxx::connection& c, const Ledger& l, int64_t job, int events = 20);

// Each returns a one-line message saying what happened and what comes next;
// throws std::runtime_error when the job does not exist or the operation does
// not apply to its state.
std::string pause_job(pqxx::connection& c, const Ledger& l, int64_t job);
std::string resume_job(pqxx::connection& c, const Ledger& l, int64_t job);
std::string cancel_job(pqxx::connection& c, const Ledger& l, int64_t job);
// Approves checkpoint `checkpoint` ("" = the one the job waits at).
std::string approve_job(pqxx::connection& c, const Ledger& l, int64_t job,
                        const std::string& checkpoint);

// True when an applier holds the lease, its heartbeat is fresh and it works on `job`.
bool job_has_live_applier(pqxx::connection& c, const Ledger& l, int64_t job);

}  // namespace seam::executor
