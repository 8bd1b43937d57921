// What `seam rehearse` records before a backfill runs and checks after it,
// to prove the data came out right, not just that the applier finished.
//
// Before the apply (record_source): per backfilled table, a checksum over the
// key and every column that exists then. The migration must leave those
// values as they are (checked after the backfill: verify_source).
//
// Before the backfill phase, once expand and dual-write created the columns
// the expressions use (record_backfill), in one REPEATABLE READ READ ONLY
// snapshot, per backfill step, the table cut into chunks of about
// `chunk_rows` keys (keyset order):
//   - rows, and rows the backfill covers (its WHERE);
//   - when every assignment is deterministic (PostgreSQL accepts it in an
//     index expression, i.e. it is IMMUTABLE: checked on a temporary table
//     in a transaction that is rolled back), a checksum over key + the value
//     each row must end with: the expression (cast to the column's type) for
//     covered rows, the column as it is for the others;
//   - chunks where evaluating the expression fails are bisected to the rows
//     that fail (the first kMaxFailingRows), with the error.
//
// After the backfill phase, before contract renames anything (verify_backfill):
//   - exactly once: the ledger's rows_done equals the rows the backfill covered;
//   - deterministic: no row whose column differs from the expression over
//     its source columns (every row: a count of mismatches, with the first
//     keys), and every chunk's checksum equal to the one recorded;
//   - volatile (clock_timestamp(), random(), nextval ...): values cannot be
//     recomputed, so no covered row may still match the backfill's WHERE
//     (left behind), and every chunk keeps its row count.
// The staging database must be quiet meanwhile: other writers to these
// tables would change what the checksums expect.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/connection>

#include "planner/plan.hpp"

namespace seam::executor {

inline constexpr int kMaxFailingRows = 10;

struct Check {
  std::string name;  // "backfill-003-...: exactly once"
  bool ok = false;
  std::string detail;
};

struct SourceBaseline {
  std::string table;                 // as in the plan: qualified, unquoted
  std::vector<std::string> key;      // unquoted
  std::vector<std::string> columns;  // unquoted, in attnum order
  int64_t rows = 0;
  std::string checksum;
};

// nullopt when the table does not exist yet (created by the plan).
std::optional<SourceBaseline> record_source(pqxx::connection& c, const std::string& table,
                                            const std::vector<std::string>& key);
Check verify_source(pqxx::connection& c, const SourceBaseline& b);

struct KeyChunk {
  std::vector<std::string> lo,
      hi;  // lo exclusive (empty: from the start), hi inclusive (empty: to the end)
  int64_t rows = 0, covered = 0;
  std::string checksum;  // "" when not deterministic or the expression failed
  std::string error;     // evaluating the expression over the chunk failed
};

struct FailingRow {
  std::vector<std::string> key;
  std::string error;
};

struct BackfillBaseline {
  std::string step_id, table, where;
  std::vector<std::string> key, key_types;
  struct Target {
    std::string column, type, expression;
  };
  std::vector<Target> targets;
  bool deterministic = false;
  std::string not_deterministic;  // why, for the report
  int64_t rows = 0, covered = 0;
  std::vector<KeyChunk> chunks;
  std::vector<FailingRow> failing;  // located rows (at most kMaxFailingRows)
  int failing_chunks = 0;
};

// Throws std::runtime_error when the table or a column is missing.
BackfillBaseline record_backfill(pqxx::connection& c, const planner::Step& step,
                                 int64_t chunk_rows);

// The checks above; `rows_done` is the ledger's count for the step.
std::vector<Check> verify_backfill(pqxx::connection& c, const BackfillBaseline& b,
                                   int64_t rows_done);

// "id 5000", "(a, b) (1, x)"; for reports.
std::string describe_key(const std::vector<std::string>& names,
                         const std::vector<std::string>& values);
// "public.t id 1001..2000", "from the start to id 999", ...
std::string describe_range(const std::vector<std::string>& names, const KeyChunk& c);

}  // namespace seam::executor
