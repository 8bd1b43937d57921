// The plan for people and tools other than `seam apply` (which reads
// planner/plan_yaml.hpp's YAML):
//
//  * to_json: the YAML's structure, every key always present (null for no
//    backfill), for tooling. Deterministic, compact, one trailing newline.
//  * to_markdown: a pull-request comment - a summary table first (objects,
//    steps per phase, rows to backfill, longest lock, hazard counts), then
//    the steps by phase with data-loss and blocking-lock hazards first and
//    highlighted, SQL in ```sql fences, checkpoints as "manual checkpoint".
//  * to_sql: a readable preview, not a script to run (psql would not stop at
//    checkpoints nor batch backfills): phase and step comments, then the SQL.
//
// All three are byte-identical for the same plan; text from the plan never
// breaks out of a comment, table cell or code fence.
#pragma once

#include <string>
#include <string_view>

#include "planner/plan.hpp"

namespace seam::planner {

std::string to_json(const Plan& plan);
std::string to_markdown(const Plan& plan);
std::string to_sql(const Plan& plan);

// `s` as a JSON string literal, quotes included (UTF-8 kept, control
// characters escaped). Shared with other JSON output (seam lint).
std::string json_quote(std::string_view s);

}  // namespace seam::planner
