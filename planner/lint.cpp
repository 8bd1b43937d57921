// Checking a plan's hazards against a policy (see lint.hpp). Pure: the
// plan's own estimates decide "non-empty", nothing is looked up live.
#include "planner/lint.hpp"

#include <algorithm>
#include <map>
#include <sstream>

namespace seam::planner {

namespace {

// Whether `object` names something the step works on.
bool step_touches(const Step& s, const std::string& object) {
  for (const auto& l : s.locks)
    if (l.table == object) return true;
  if (s.backfill && s.backfill->table == object) return true;
  std::istringstream words(s.change);
  for (std::string w; words >> w;)
    if (w == object) return true;
  return false;
}

const AllowEntry* exception_for(const Policy& policy, const Step& s, HazardType h) {
  for (const auto& a : policy.allow) {
    if (a.hazard != h) continue;
    if (!a.step.empty() ? a.step == s.id : step_touches(s, a.object)) return &a;
  }
  return nullptr;
}

}  // namespace

const char* to_string(Level l) {
  switch (l) {
    case Level::Allow:
      return "allow";
    case Level::Warn:
      return "warn";
    case Level::Error:
      return "error";
  }
  return "?";
}

Policy Policy::defaults() {
  Policy p;
  p.rules[HazardType::DataLoss] = HazardRule{Level::Error};
  // Blocking on an empty table (or for a catalog-only change) is harmless,
  // but the estimate comes from statistics that can be stale: still shown.
  HazardRule on_data{Level::Error, true, 0, Level::Warn};
  p.rules[HazardType::BlockingLock] = on_data;
  p.rules[HazardType::TableRewrite] = on_data;
  p.rules[HazardType::DialectUnverified] = HazardRule{Level::Warn};
  return p;
}

Level rule_level(const HazardRule& rule, const Step& step) {
  if (!rule.non_empty_only) return rule.level;
  double longest_ms = 0;
  for (const auto& l : step.locks) longest_ms = std::max(longest_ms, l.est_seconds * 1000);
  return longest_ms > rule.min_lock_ms ? rule.level : rule.otherwise;
}

std::vector<Finding> lint(const Plan& plan, const Policy& policy) {
  std::vector<Finding> out;
  for (const auto& s : plan.steps) {
    for (const auto& h : s.hazards) {
      auto it = policy.rules.find(h.type);
      if (it == policy.rules.end()) continue;
      Level level = rule_level(it->second, s);
      if (level == Level::Allow) continue;
      Finding f{level, s.id, h.type, h.message, level, ""};
      if (const AllowEntry* a = exception_for(policy, s, h.type)) {
        f.level = Level::Allow;
        f.reason = a->reason;
      }
      out.push_back(std::move(f));
    }
  }
  return out;
}

std::vector<std::string> plan_problems(const Plan& plan) {
  std::vector<std::string> out;
  std::map<std::string, std::size_t> position;
  for (std::size_t i = 0; i < plan.steps.size(); ++i) {
    const Step& s = plan.steps[i];
    std::string name = s.id.empty() ? "step " + std::to_string(i + 1) : "step " + s.id;
    if (s.id.empty())
      out.push_back(name + " has no id.");
    else if (!position.emplace(s.id, i).second)
      out.push_back(name + " appears more than once.");
    for (const auto& d : s.depends_on) {
      auto it = position.find(d);
      if (it != position.end() && it->second != i) continue;
      bool later = false;
      for (std::size_t k = i; k < plan.steps.size(); ++k) later = later || plan.steps[k].id == d;
      out.push_back(name + (later ? " depends on " + d + ", which runs after it."
                                  : " depends on " + d + ", which is not in the plan."));
    }
    if (s.kind == StepKind::Sql && s.sql.empty())
      out.push_back(name + " is a sql step without SQL.");
    if (s.kind == StepKind::Backfill) {
      if (!s.backfill)
        out.push_back(name + " is a backfill step without backfill settings.");
      else if (s.backfill->table.empty() || s.backfill->key.empty() || s.backfill->set.empty())
        out.push_back(name + " is a backfill without table, key or columns to set.");
    }
  }
  return out;
}

}  // namespace seam::planner
