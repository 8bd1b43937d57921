// The plan: what `seam plan` writes and `seam apply` executes. A plan is the
// differ's ChangeSet compiled, through the compatibility matrix for the target
// server version, into online steps grouped in four phases:
//
//   expand     additive, compatible with old and new application code
//              (new columns nullable, indexes CONCURRENTLY, constraints NOT VALID)
//   dual-write triggers that keep old and new shapes in sync
//   backfill   batched data copies (keyset pagination over the primary key)
//   contract   validation that finishes a constraint, swaps, and every drop -
//              behind a manual checkpoint, because old code must be gone
//
// Steps are plain values; their order in Plan::steps is the execution order
// (a topological order of depends_on with a stable tie-break), identical byte
// for byte for the same inputs. Checkpoints are steps of kind Checkpoint: the
// executor stops there until the job is approved.
//
// Renderings: planner/plan_yaml.hpp (the committed artifact, and its parser),
// planner/plan_render.hpp (json, md, sql). Policy: planner/lint.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace seam::planner {

enum class Phase { Expand, DualWrite, Backfill, Contract };
const char* to_string(Phase p);  // "expand", "dual-write", "backfill", "contract"
Phase phase_from_string(const std::string& s);  // throws std::invalid_argument

enum class HazardType {
  DataLoss,           // data is dropped (column, table, recreated type)
  BlockingLock,       // a lock that blocks reads or writes of a table while held
  TableRewrite,       // the table (and its indexes) are rewritten
  FullScan,           // the whole table is read (validation, index build)
  LongRunning,        // the step's duration grows with the table (backfill, concurrent build)
  AppCompat,          // application code must tolerate the new shape (rename, drop)
  NotTransactional,   // runs outside a transaction block; a failure needs cleanup
  DialectUnverified,  // the matrix has no measured entry for this version
  MaybeRename,        // a drop + add that may be a rename (differ hazard)
};
const char* to_string(HazardType h);  // "data-loss", "blocking-lock", ... (kebab case)
HazardType hazard_from_string(const std::string& s);

struct Hazard {
  HazardType type;
  std::string message;  // one complete sentence naming the object
  bool operator==(const Hazard&) const = default;
};

// A lock the step takes on one table (or other relation).
struct Lock {
  std::string mode;   // PostgreSQL lock name: "ACCESS EXCLUSIVE", "SHARE UPDATE EXCLUSIVE", ...
  std::string table;  // qualified, unquoted: "public.users"
  // Estimated time the lock is held, from the live table's size
  // (pg_class.reltuples/relpages): ~0 for catalog-only changes, the scan or
  // rewrite time otherwise.
  double est_seconds = 0;
  bool operator==(const Lock&) const = default;
};

// A batched data copy. Per batch the executor takes the next batch_size keys
// after the cursor (SELECT key FROM table WHERE (key) > (cursor) ORDER BY key
// LIMIT batch_size), then runs one UPDATE table SET <set...> over that key
// range (first to last key of the batch) AND `where`, committing it with the
// new cursor in the job ledger (executor/backfill_sql.cpp). TiDB plans batch
// by primary-key ranges the same way (dialects/mysql/tidb_backfill.hpp).
struct Backfill {
  std::string table;                 // qualified, unquoted
  std::vector<std::string> key;      // primary key columns (unquoted)
  struct Assignment { std::string column, expression; bool operator==(const Assignment&) const = default; };
  std::vector<Assignment> set;       // column (unquoted) = expression (SQL, identifiers already quoted)
  std::string where;                 // extra filter, SQL ("" = none), e.g. "\"c\" IS NULL"
  int64_t batch_size = 0;            // 0 = throttle default
  int64_t est_rows = 0;              // from reltuples
  bool operator==(const Backfill&) const = default;
};

enum class StepKind { Sql, Backfill, Checkpoint };
const char* to_string(StepKind k);  // "sql", "backfill", "checkpoint"

struct Step {
  std::string id;          // stable, unique, readable: "expand-003-create-index-users-email-idx"
  StepKind kind = StepKind::Sql;
  Phase phase = Phase::Expand;
  std::string op;          // matrix operation id ("create_index"), "" for checkpoints
  std::string change;      // the differ change this step implements ("add index public.users_email_idx")
  std::string sql;         // kind Sql: complete statement(s), ";"-terminated; empty otherwise
  bool transactional = true;  // false: must run outside BEGIN (CONCURRENTLY, enum ADD VALUE on old servers)
  std::vector<Lock> locks;    // strongest lock per table touched
  bool rewrite = false;
  bool scan = false;
  std::vector<Hazard> hazards;
  std::vector<std::string> depends_on;  // step ids
  std::optional<Backfill> backfill;     // kind Backfill
  // Run when the step fails, before a retry or after giving up (e.g. drop the
  // INVALID index a failed CREATE INDEX CONCURRENTLY leaves). "" = none.
  std::string on_failure;
  // A query returning one boolean row: on_failure runs only when it returns
  // true (e.g. the index exists and is INVALID, so this step made it). "" = always.
  std::string on_failure_if;
  std::string message;     // kind Checkpoint: what to verify before approving
  bool operator==(const Step&) const = default;
};

struct Throttle {
  int64_t batch_size = 1000;
  double rows_per_second = 0;      // 0 = unlimited
  int64_t target_batch_ms = 0;     // 0 = fixed batch size; else adapt toward it
  int64_t lock_timeout_ms = 2000;
  int64_t statement_timeout_ms = 0;  // 0 = none (backfill batches and CONCURRENTLY builds can be long)
  int max_retries = 10;
  int64_t max_replica_lag_ms = 0;  // 0 = do not watch replicas
  bool operator==(const Throttle&) const = default;
};

struct Summary {
  std::vector<std::string> objects;  // every object touched, sorted, unique
  int64_t rows_to_backfill = 0;
  std::string longest_lock_step;     // step id, "" when no step locks anything
  Lock longest_lock;
  std::vector<std::pair<std::string, int>> hazard_counts;  // hazard type name -> count, sorted by name
  bool operator==(const Summary&) const = default;
};

struct Plan {
  int format_version = 1;
  std::string seam_version;
  std::string dialect;         // "postgres"
  std::string server_version;  // "16.4"
  std::string source_fingerprint;   // sha256 of the live catalog as inspected
  std::string desired_fingerprint;  // sha256 of the desired catalog
  Throttle throttle;
  std::vector<Step> steps;     // execution order
  Summary summary;
  bool empty() const { return steps.empty(); }
  bool operator==(const Plan&) const = default;
  // Steps of one phase, in order.
  std::vector<const Step*> phase_steps(Phase p) const;
};

}  // namespace seam::planner
