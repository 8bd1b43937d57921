// What every `seam plan` path (PostgreSQL, the PostgreSQL-wire products, TiDB)
// does the same way around its planner: the matrix and throttle from the
// flags and seam.yaml, and writing the plan out.
#pragma once

#include <string>

#include "compat-matrix/matrix.hpp"
#include "planner/plan.hpp"

namespace seam::cmd {

// The dialect's built-in matrix with the local override layered on top:
// --matrix-override wins over seam.yaml's compat_override. `config` ("" =
// none) also gives the throttle defaults, written to *throttle.
compat::Matrix plan_matrix(const std::string& dialect, const std::string& override_flag,
                           const std::string& config, planner::Throttle* throttle);

// Writes the plan in `format` (yaml|json|md|sql) to `out` (stdout when
// empty), then the hazard counts on stderr unless `quiet`. Returns the exit
// code: kDifferences when `exit_code` is set and the plan has steps.
int emit_plan(const planner::Plan& plan, const std::string& format, const std::string& out,
              bool quiet, bool exit_code);

}  // namespace seam::cmd
