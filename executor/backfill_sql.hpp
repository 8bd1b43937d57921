// The SQL of one backfill batch: keyset pagination over the step's key, the
// UPDATE and the ledger's cursor advance in ONE statement, so a batch and its
// cursor commit together (exactly once across crashes). The cursor is read
// from the ledger inside the same statement, never passed from memory.
// Batches page over the key only, so each is an index range scan; the step's
// filter applies in the UPDATE, and the cursor passes rows it does not match.
//
//   WITH seam_batch AS (SELECT k AS seam_k0 FROM t
//                       WHERE (k) > (<cursor>) ORDER BY k LIMIT $3),
//        seam_upd AS (UPDATE t SET c = (expr) WHERE (k) >= (<batch's first key>)
//                     AND (k) <= (<batch's last key>) [AND (where)] RETURNING 1),
//        seam_prog AS (UPDATE <ledger>.backfill_progress
//                      SET last_key = <the batch's last key>, rows_done = ...)
//   SELECT rows selected, rows updated, rows done in total
//
// Parameters: $1 job id, $2 step id, $3 batch size.
#pragma once

#include <string>

#include <pqxx/transaction_base>

#include "executor/ledger.hpp"
#include "planner/plan.hpp"

namespace seam::executor {

struct BackfillSql {
  std::string first_batch;  // no cursor yet
  std::string next_batch;   // continues after the ledger's cursor
};

// Looks the table and key up (types for the cursor casts) and checks that the
// key is usable: its columns exist, are NOT NULL, and a valid unique index
// (or the primary key) covers exactly them. Throws seam::InputError naming
// the table and what to do otherwise.
BackfillSql backfill_sql(pqxx::transaction_base& tx, const planner::Backfill& bf, const Ledger& l,
                         const std::string& step_id);

}  // namespace seam::executor
