// See plan_check.hpp.
#include "tests/support/plan_check.hpp"

#include <string>

namespace seam::test {

namespace {

// An app-compat hazard that names the table and says a column goes to its
// end (the type-change swap, the copying rename); a dropped column's hazard
// does not count.
bool says_column_moves(const planner::Plan& plan, const std::string& table) {
  for (const auto& s : plan.steps)
    for (const auto& h : s.hazards)
      if (h.type == planner::HazardType::AppCompat && h.message.find(table) != std::string::npos &&
          h.message.find("end of") != std::string::npos)
        return true;
  return false;
}

}  // namespace

std::vector<schema::Difference> compare_after_plan(const schema::Catalog& desired, schema::Catalog after,
                                                   const planner::Plan& plan) {
  for (auto& [name, t] : after.tables) {
    auto w = desired.tables.find(name);
    if (w == desired.tables.end() || w->second.columns.size() != t.columns.size()) continue;
    std::vector<schema::Column> ordered;
    for (const auto& wc : w->second.columns)
      for (const auto& c : t.columns)
        if (c.name == wc.name) ordered.push_back(c);
    if (ordered.size() != t.columns.size()) continue;  // other columns: compare reports them
    bool moved = false;
    for (size_t i = 0; i < ordered.size(); i++) moved = moved || ordered[i].name != t.columns[i].name;
    if (moved && says_column_moves(plan, name.schema + "." + name.name)) t.columns = std::move(ordered);
  }
  return schema::compare(desired, after);
}

}  // namespace seam::test
