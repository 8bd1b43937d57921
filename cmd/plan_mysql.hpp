// `seam plan --dialect tidb`: the MySQL-dialect path of `seam plan` (the hook
// in cmd/plan.cpp calls run_plan_mysql).
#pragma once

#include <string>

namespace seam::cmd {

struct MysqlPlanArgs {
  std::string db, from, schema_path, format = "yaml", out, server_version, config, matrix_override;
  bool exit_code = false;
  bool quiet_warnings = false;
};

// Returns the exit code (kOk, or kDifferences with exit_code and a non-empty plan).
int run_plan_mysql(const MysqlPlanArgs& a);

}  // namespace seam::cmd
