// seam.yaml: a team's settings, committed next to the schema.
//
//   policy:                      # planner/lint.hpp; rules override the defaults per type
//     hazards:
//       data-loss: error
//       blocking-lock: {level: error, when: non-empty, min_lock_ms: 500, otherwise: warn}
//     allow:
//       - {step: contract-001-drop-column-users-legacy, hazard: data-loss, reason: "..."}
//   throttle: {batch_size: 5000, lock_timeout_ms: 3000, ...}   # planner::Throttle defaults
//   compat_override: compat/verified.yaml   # a matrix override (compat-matrix/override.hpp),
//                                           # relative to seam.yaml; `seam plan` layers it
//   environments:
//     production:
//       db: ${PROD_DATABASE_URL}     # a reference, resolved from the environment at run time
//       dialect: postgres
//       server_version: "16"
//       throttle: {rows_per_second: 20000}   # overrides the defaults above
//
// Connection strings never live in the file: `db` must be an environment
// variable reference, or a URL without a password (a local dev database).
// Unknown keys, wrong types and bad values are seam::InputError naming
// file:line:col. It lives in planner/ rather than cmd/ because tests and the
// executor read it too, and cmd/ is only the executable.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "planner/lint.hpp"
#include "planner/plan.hpp"

namespace seam::planner {

struct Environment {
  std::string name;
  std::string db;  // as written: "${PROD_DATABASE_URL}"
  std::string dialect = "postgres";
  std::string server_version;  // "" = whatever the server reports
  Throttle throttle;           // the file's defaults with this environment's overrides
  bool operator==(const Environment&) const = default;
};

struct Config {
  Policy policy = Policy::defaults();
  Throttle throttle;
  std::vector<Environment> environments;  // in file order
  // `compat_override:` as written by config_from_yaml; load_config resolves a
  // relative path against the directory of seam.yaml. "" = none.
  std::string compat_override;
  const Environment* environment(const std::string& name) const;  // nullptr if absent
  bool operator==(const Config&) const = default;
};

// Parses seam.yaml text; `origin` names it in errors. Throws seam::InputError.
Config config_from_yaml(const std::string& text, const std::string& origin);
Config load_config(const std::string& path);

// Expands ${VAR} references in `env.db` with `getenv` (default: the process
// environment). Throws seam::InputError naming the environment and the
// variable when one is unset or empty.
std::string resolve_db_url(const Environment& env,
                           const std::function<const char*(const char*)>& getenv = {});

}  // namespace seam::planner
