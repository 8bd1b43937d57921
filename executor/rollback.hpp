// `seam jobs rollback JOB`: undoes what a job applied, as long as its contract
// phase has not started. The undo is derived from the plan's own steps (each
// statement parsed with libpg_query), newest first:
//
//   CREATE [UNIQUE] INDEX [CONCURRENTLY] i ON t   -> DROP INDEX [CONCURRENTLY] IF EXISTS i
//   ALTER TABLE t ADD COLUMN c                    -> ALTER TABLE t DROP COLUMN IF EXISTS c
//   ALTER TABLE t ADD CONSTRAINT k ...            -> ALTER TABLE t DROP CONSTRAINT IF EXISTS k
//   ALTER TABLE t VALIDATE CONSTRAINT k           -> nothing, if this job added k
//   CREATE TRIGGER g ON t                         -> DROP TRIGGER IF EXISTS g ON t
//   CREATE FUNCTION f() (no arguments, no OR REPLACE) -> DROP FUNCTION IF EXISTS f()
//   CREATE TABLE t                                -> DROP TABLE IF EXISTS t
//   backfill of columns this job added            -> nothing (the column goes)
//   checkpoint                                    -> nothing
//
// Anything else (data changes, enum ADD VALUE, OR REPLACE, a backfill into a
// column that existed before, unnamed constraints ...) cannot be undone
// exactly; rollback refuses before changing anything and names the step.
// It takes the lease like an applier, so it never runs beside one; its undo
// statements run under lock_timeout with retries, each recorded in events.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "executor/ledger.hpp"
#include "planner/plan.hpp"

namespace seam::executor {

struct UndoStatement {
  std::string sql;
  bool transactional = true;  // false: DROP INDEX CONCURRENTLY
};

// The undo of one done step, given the steps done before it in the same job
// (to tell whether a column or constraint is this job's own). Throws
// seam::UnsupportedError naming the step and the statement it cannot undo.
std::vector<UndoStatement> undo_of(const planner::Step& s,
                                   const std::vector<const planner::Step*>& done_before);

struct RollbackOptions {
  std::string url;
  Ledger ledger;
  int64_t lease_ttl_ms = 30000;
  int64_t lock_timeout_ms = 2000;
  int max_retries = 10;
  std::function<void(const std::string&)> on_event;
};

// Rolls back job `job` using the plan stored with it (plan_text) or, when
// given, `plan`. Returns a summary line.
std::string rollback_job(int64_t job, const RollbackOptions& o,
                         const planner::Plan* plan = nullptr);

}  // namespace seam::executor
