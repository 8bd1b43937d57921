// Explaining a drift. A plan records the fingerprint of the catalog it was
// made from, not the catalog itself, so on a mismatch apply alone can only say
// THAT the database changed. Given the desired state the plan was made for
// (`seam apply --schema PATH`), it can say WHAT changed: each step records the
// differ change it implements (Step::change, differ::describe), so the
// changes the live database now needs to reach the desired state are
// compared with the changes the plan carries:
//
//   "needed now, not in the plan: add column public.t.c"     (new drift)
//   "in the plan, no longer needed: add index public.i"      (done by hand?)
//
// A change on both sides can still differ in detail (e.g. a column's type);
// the fingerprint mismatch stands either way and apply refuses.
#pragma once

#include <string>
#include <vector>

#include "planner/plan.hpp"
#include "schema/model.hpp"

namespace seam::executor {

// Sorted, one line each; empty when the change lists agree (the drift is in
// detail only, or outside what the desired state covers).
std::vector<std::string> explain_drift(const planner::Plan& plan, const schema::Catalog& live,
                                       const schema::Catalog& desired);

}  // namespace seam::executor
