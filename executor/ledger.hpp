// The job ledger: seam's own tables inside the target database (schema `seam`
// by default), so a job's state survives the applier's crash and a failover
// with the data it describes. `seam apply` writes it; `seam jobs` reads it and
// sets the flags (pause, cancel, approvals) an applier acts on.
//
//   version            one row: the ledger layout version (kLedgerVersion)
//   lease              one row: who may write (see executor/lease.hpp)
//   jobs               one per applied plan: fingerprint, plan text, state,
//                      current phase/step, holder, pause/cancel flags
//   steps              one per plan step of a job: state, attempts, timings,
//                      last error, blockers seen while waiting on a lock
//   backfill_progress  one per backfill step: the keyset cursor (last key, as
//                      a JSON array of the key columns' text values), rows done
//   events             append-only audit trail
//
// The ledger is created on first use in one transaction under an advisory
// lock (two first uses cannot race) and migrated forward by
// ensure_ledger(); a ledger newer than this seam is refused. Every write an
// applier makes goes through Fence::write (executor/lease.hpp), which checks
// the lease epoch in the same transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/connection>
#include <pqxx/transaction_base>

namespace seam::executor {

inline constexpr int kLedgerVersion = 1;
inline constexpr const char* kDefaultLedgerSchema = "seam";
// Advisory lock class ids (pg_advisory_lock(int, int) with hashtext(schema)).
inline constexpr int kLeaseLockClass = 0x5EA3;
inline constexpr int kCreateLockClass = 0x5EA4;

// Job states as stored (jobs.state).
//   running            an applier works on it (or crashed while it did)
//   awaiting-approval  stopped at a checkpoint until `seam jobs approve`
//   paused             stopped by --through or by the pause flag
//   failed             a step failed (resumable: run `seam apply` again)
//   cancelled          stopped at a safe point by `seam jobs cancel`
//   done               every step applied
//   rolled-back        the expand phase was undone by `seam jobs rollback`
// Step states: pending, running, done, failed, waiting (checkpoint),
// approved (checkpoint), rolled-back.

// Table names of a ledger in schema `schema`, each quoted.
struct Ledger {
  std::string schema = kDefaultLedgerSchema;
  std::string q(const char* table) const;  // "seam".jobs
};

// Creates the ledger if missing and migrates an older one; throws when the
// ledger was written by a newer seam (its version > kLedgerVersion).
void ensure_ledger(pqxx::connection& c, const Ledger& l);

// True when the ledger schema exists (read-only commands do not create it).
bool ledger_exists(pqxx::connection& c, const Ledger& l);

struct JobRow {
  int64_t id = 0;
  std::string plan_fingerprint, state, phase, step, last_error;
  std::string holder_host;
  int holder_pid = 0;
  int64_t lease_epoch = 0;
  bool pause_requested = false, cancel_requested = false;
  std::string created_at, updated_at;
};

struct StepRow {
  std::string step_id, kind, phase, state, last_error, started_at, finished_at, blockers;
  int position = 0;
  int attempts = 0;
};

struct ProgressRow {
  std::string step_id, table_name, last_key;
  int64_t rows_done = 0, batches = 0;
  std::string updated_at;
};

struct EventRow {
  int64_t id = 0;
  std::string at, step_id, kind, detail;
};

// Readers (any transaction).
std::optional<JobRow> read_job(pqxx::transaction_base& tx, const Ledger& l, int64_t id);
std::vector<JobRow> read_jobs(pqxx::transaction_base& tx, const Ledger& l);
std::vector<StepRow> read_steps(pqxx::transaction_base& tx, const Ledger& l, int64_t job);
std::vector<ProgressRow> read_progress(pqxx::transaction_base& tx, const Ledger& l, int64_t job);
std::vector<EventRow> read_events(pqxx::transaction_base& tx, const Ledger& l, int64_t job,
                                  int limit);
std::string read_plan_text(pqxx::transaction_base& tx, const Ledger& l, int64_t job);

// Appends an event (detail: a JSON object as text).
void add_event(pqxx::transaction_base& tx, const Ledger& l, int64_t job, const std::string& step,
               const std::string& kind, const std::string& detail_json);

// A JSON string literal (for event details built in C++): planner::json_quote.
std::string json_str(const std::string& s);

}  // namespace seam::executor
