// The lock proof of issue 4: on a populated table, no step of a seam plan
// holds a write-blocking lock (SHARE or stronger; ACCESS EXCLUSIVE also
// blocks reads) while it scans or rewrites the table - shown by observing
// every step from outside (tests/support/lock_observer.hpp), and contrasted
// with the plain diff script run on an identical table.
//
// The scenario: `orders` (N rows) referencing `customers` (10,000 rows) gets,
// in one desired state, every strategy of the planner that touches a
// populated table: integer -> bigint (shadow column, dual-write, backfill,
// swap), a new NOT NULL column with a volatile default (add nullable,
// backfill, NOT NULL through a validated check), SET NOT NULL, a CHECK, a
// FOREIGN KEY, a UNIQUE constraint and an index.
//
// Used by bench/lock_proof.cpp (1,000,000 rows, writes docs/lock-proof.md)
// and tests/integration/lock_proof_test.cpp (fewer rows, asserts).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dialects/postgres/embedded.hpp"
#include "tests/support/lock_observer.hpp"

namespace seam::test {

struct LockProofOptions {
  int64_t rows = 1000000;
  int64_t batch_size = 0;   // backfill batch size; 0 = the plan's throttle default
  bool plain_diff = true;   // also run the plain diff script on a second copy
  int sample_interval_ms = 2;
};

struct ObservedStep {
  std::string id;             // plan step id, or "statement <n>" for the plain script
  std::string phase;          // plan phase ("" for the plain script)
  std::string op;             // matrix operation id ("" for the plain script)
  std::string sql;            // the step's SQL (a backfill: its UPDATE shape)
  std::string declared_lock;  // what the plan says, "ACCESS EXCLUSIVE public.orders" ("" = none / script)
  bool declared_rewrite = false, declared_scan = false;
  StepObservation seen;
};

struct LockProofRun {
  std::string server_version;  // "15.8"
  int64_t rows = 0;
  std::vector<ObservedStep> plan, script;
  double plan_ms = 0, script_ms = 0;
  // After running: differences between the inspected catalog and the desired
  // model ("" = none), and whether the data check held.
  std::string plan_differences, script_differences;
  bool plan_data_ok = false, script_data_ok = false;
};

// The scenario's SQL (desired state) and its source side for `rows` rows.
std::string lock_proof_from_sql(int64_t rows);
std::string lock_proof_to_sql();

// Runs the scenario on `srv` (which should run with autovacuum off; PG 15+).
LockProofRun run_lock_proof(pg::EmbeddedServer& srv, const LockProofOptions& opts);

// The report: per step the lock observed, how long a blocking lock was held,
// the duration, rewrite and rows read; first the plan, then the plain script.
std::string lock_proof_markdown(const LockProofRun& run, const std::string& command);

}  // namespace seam::test
