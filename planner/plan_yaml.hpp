// The plan file: the YAML artifact `seam plan` writes, people review and
// commit, and `seam apply` executes. This file is the one contract between
// planning and applying, so it is strict both ways:
//
//  * to_yaml is deterministic (fixed key order, same bytes for the same plan)
//    and human-diffable: one key per line, SQL verbatim in literal block
//    scalars (`|`), plain scalars where YAML cannot misread them, everything
//    else double-quoted with escapes.
//  * plan_from_yaml(to_yaml(p), o) == p for every plan p whose strings are
//    valid UTF-8; to_yaml throws std::invalid_argument otherwise.
//  * plan_from_yaml rejects unknown and duplicate keys, wrong types and
//    unknown names with seam::InputError "origin:line:col: <key>: ...", and a
//    newer format_version with the seam version that wrote it.
//
// Layout (keys in this order; keys of a step left out are at their default):
//
//   format_version: 1
//   seam_version, dialect, server_version
//   fingerprints: {source, desired}
//   throttle: {batch_size, rows_per_second, target_batch_ms, lock_timeout_ms,
//              statement_timeout_ms, max_retries, max_replica_lag_ms}
//   summary: {objects, rows_to_backfill, longest_lock {step, mode, table,
//             est_seconds} (null when nothing is locked), hazard_counts {name: n}}
//   phases: - name: expand | dual-write | backfill | contract
//             steps: - id, kind (sql | backfill | checkpoint), op, change, sql,
//                      transactional, locks [{mode, table, est_seconds}],
//                      rewrite, scan, hazards [{type, message}], depends_on,
//                      backfill {table, key, set [{column, expression}],
//                                where, batch_size, est_rows},
//                      on_failure, on_failure_if, message
//
// `phases` lists runs of consecutive steps of one phase, in Plan::steps
// order, so the file order is the execution order; a checkpoint is a step of
// kind checkpoint at the border of two phases.
#pragma once

#include <string>

#include "planner/plan.hpp"

namespace seam::planner {

// The newest plan format this seam reads and the one it writes.
inline constexpr int kPlanFormatVersion = 1;

std::string to_yaml(const Plan& plan);

// Parses a plan file. `origin` names it in errors (a path, "<stdin>").
// Throws seam::InputError.
Plan plan_from_yaml(const std::string& text, const std::string& origin);

// Reads and parses the file at `path` (InputError when it cannot be read).
Plan load_plan_file(const std::string& path);

// sha256 of to_yaml(plan), 64 hex digits: identifies a plan (the executor's
// job ledger keys jobs by it).
std::string plan_fingerprint(const Plan& plan);

}  // namespace seam::planner
