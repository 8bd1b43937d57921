// Backfills of TiDB plans (planner::Backfill in a plan of dialect "tidb") as
// MySQL-dialect SQL: batches of primary-key ranges, as TiDB's documentation
// recommends for large changes (non-transactional DML splits a statement the
// same way: https://docs.pingcap.com/tidb/stable/non-transactional-dml).
// Each batch is two statements, each its own transaction:
//
//   SELECT `id` FROM `t` WHERE `id` > <cursor> ORDER BY `id` LIMIT 1 OFFSET <batch_size - 1>
//   UPDATE `t` SET `c` = <expr> WHERE `id` > <cursor> AND `id` <= <batch end> AND (<where>)
//
// (the first batch has no lower bound; when the SELECT finds no row, the last
// UPDATE has no upper bound). Both are plain range predicates on the primary
// key, so TiDB reads one key range per batch and MariaDB one index range;
// composite keys compare as rows, `(a, b) > (1, 'x')`.
//
// Why not the executor's batch statement (executor/backfill_sql.hpp): it is
// PostgreSQL only - data-modifying CTEs with RETURNING, jsonb, ::casts,
// pg_index - and even the simple shape planner/plan.hpp describes,
// `UPDATE t ... WHERE (k) IN (SELECT k FROM t ... ORDER BY k LIMIT n)`, is
// refused by MariaDB and MySQL (error 1235, LIMIT in an IN subquery).
// tests/integration/tidb_golden_test.cpp runs both on MariaDB.
//
// `seam apply` does not run TiDB plans yet; run_backfill is what the golden
// test uses to execute a plan's backfills on MariaDB.
#pragma once

#include <cstdint>
#include <string>

#include "dialects/mysql/client.hpp"
#include "planner/plan.hpp"

namespace seam::mysql {

// The statement returning the last key of the batch after `after` (a SQL
// value: "5", "(1, 'x')"; nullptr = from the first row).
std::string batch_end_sql(const planner::Backfill& b, int64_t batch_size, const std::string* after);

// The UPDATE of the rows whose key is in (after, upto]; nullptr = unbounded.
std::string batch_update_sql(const planner::Backfill& b, const std::string* after,
                             const std::string* upto);

// A key value read back as text, as a SQL literal: integers bare (exact
// comparison), anything else a quoted string (compared in the column's
// collation, the order ORDER BY uses).
std::string key_literal(const std::string& value);

struct BackfillRun {
  int64_t batches = 0;
  int64_t rows = 0;  // rows the UPDATEs changed
};

// Runs every batch in key order, each statement in autocommit. Throws
// ServerError when the server refuses one.
BackfillRun run_backfill(Connection& c, const planner::Backfill& b, int64_t batch_size);

}  // namespace seam::mysql
