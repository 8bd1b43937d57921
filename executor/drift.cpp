// Listing a drift against the plan's own change list (see drift.hpp).
#include "executor/drift.hpp"

#include <set>

#include "differ/diff.hpp"

namespace seam::executor {

std::vector<std::string> explain_drift(const planner::Plan& plan, const schema::Catalog& live,
                                       const schema::Catalog& desired) {
  std::set<std::string> planned, needed;
  for (const auto& s : plan.steps)
    if (!s.change.empty()) planned.insert(s.change);
  for (const auto& c : differ::diff(live, desired).changes) needed.insert(differ::describe(c));
  std::vector<std::string> out;
  for (const auto& n : needed)
    if (!planned.count(n)) out.push_back("needed now, not in the plan: " + n);
  for (const auto& p : planned)
    if (!needed.count(p)) out.push_back("in the plan, no longer needed: " + p);
  return out;
}

}  // namespace seam::executor
