// Policy: which plan hazards a team accepts. `seam lint` checks a plan
// against the policy of seam.yaml (planner/config.hpp) and fails CI when a
// forbidden hazard is present - unless a reviewed exception allows it.
//
// A rule per hazard type gives its level (error | warn | allow), either
// always or only on a non-empty table. "Non-empty" is judged from the plan
// alone (lint never connects): the planner estimates each lock's duration
// from the live table's pg_class reltuples/relpages, and that estimate is 0
// for an empty table or a catalog-only change. So a rule with
// `when: non-empty` applies when the step's longest lock is estimated over
// `min_lock_ms` (default 0: any data at all) and falls back to `otherwise`.
//
// The default policy (Policy::defaults):
//   data-loss            error
//   blocking-lock        error on a non-empty table, otherwise warn
//   table-rewrite        error on a non-empty table, otherwise warn
//   dialect-unverified   warn
//   everything else      allow
//
// An allow entry ({step | object, hazard, reason}) turns one hazard of one
// step - or of every step touching one object - into an "allowed" finding
// that carries the reviewer's reason; it never hides the hazard.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "planner/plan.hpp"

namespace seam::planner {

enum class Level { Allow, Warn, Error };
const char* to_string(Level l);  // "allow", "warn", "error"

struct HazardRule {
  Level level = Level::Allow;
  bool non_empty_only = false;     // `when: non-empty`
  double min_lock_ms = 0;          // with non_empty_only: the lock estimate must exceed this
  Level otherwise = Level::Allow;  // with non_empty_only: the level on an empty table
  bool operator==(const HazardRule&) const = default;
};

// A reviewed exception. Exactly one of step and object is set; object
// matches a step that locks or backfills that table, or whose `change`
// names it (a whitespace-separated word equal to it).
struct AllowEntry {
  std::string step;
  std::string object;
  HazardType hazard = HazardType::DataLoss;
  std::string reason;  // required: why this is acceptable
  bool operator==(const AllowEntry&) const = default;
};

struct Policy {
  std::map<HazardType, HazardRule> rules;  // a type without a rule is allowed
  std::vector<AllowEntry> allow;
  static Policy defaults();
  bool operator==(const Policy&) const = default;
};

struct Finding {
  Level level;       // Error, Warn, or Allow when an allow entry passed it
  std::string step;  // step id
  HazardType hazard;
  std::string message;  // the hazard's message
  Level policy_level;   // the level before an allow entry (== level otherwise)
  std::string reason;   // the allow entry's reason, "" when none applied
  bool operator==(const Finding&) const = default;
};

// Findings in plan order (per step, in its hazard order): every hazard whose
// rule says error or warn, including those an allow entry passed.
std::vector<Finding> lint(const Plan& plan, const Policy& policy);

// The level a rule gives `step` (exposed for tests and rendering).
Level rule_level(const HazardRule& rule, const Step& step);

// What makes a plan unsound to apply, beyond what parsing checks (the plan
// file parser reads any Plan back exactly, sound or not): empty or duplicate
// step ids, depends_on naming an unknown step or one that runs later, a
// sql step without SQL, a backfill step without table, key or assignments.
// One sentence per problem naming the step; empty when the plan is sound.
// `seam lint` refuses such a plan (exit 65) before applying any policy.
std::vector<std::string> plan_problems(const Plan& plan);

}  // namespace seam::planner
