// Whether running a plan reached the desired state, for tests and tools:
// schema::compare(desired, after), with one explicit allowance. A plan that
// swaps in a shadow column (type change) or copies a column under its new
// name (rename) appends that column - PostgreSQL cannot insert one - so the
// table ends with the desired columns in another order. That is accepted
// only for a table that an app-compat hazard of the plan names as getting a
// column at its end (the plan told its reader), and only when the columns
// are exactly the desired ones.
#pragma once

#include <vector>

#include "planner/plan.hpp"
#include "schema/compare.hpp"
#include "schema/model.hpp"

namespace seam::test {

std::vector<schema::Difference> compare_after_plan(const schema::Catalog& desired, schema::Catalog after,
                                                   const planner::Plan& plan);

}  // namespace seam::test
