#include "cmd/plan_output.hpp"

#include <fstream>
#include <iostream>
#include <stdexcept>

#include "cmd/commands.hpp"
#include "compat-matrix/override.hpp"
#include "planner/config.hpp"
#include "planner/plan_render.hpp"
#include "planner/plan_yaml.hpp"

namespace seam::cmd {

compat::Matrix plan_matrix(const std::string& dialect, const std::string& override_flag,
                           const std::string& config, planner::Throttle* throttle) {
  std::string matrix_override = override_flag;
  if (!config.empty()) {
    planner::Config c = planner::load_config(config);
    *throttle = c.throttle;
    if (matrix_override.empty()) matrix_override = c.compat_override;
  }
  return compat::with_override(compat::builtin(dialect), matrix_override);
}

int emit_plan(const planner::Plan& plan, const std::string& format, const std::string& out,
              bool quiet, bool exit_code) {
  std::string text = format == "yaml"   ? planner::to_yaml(plan)
                     : format == "json" ? planner::to_json(plan)
                     : format == "md"   ? planner::to_markdown(plan)
                                        : planner::to_sql(plan);
  if (out.empty()) {
    std::cout << text << std::flush;
  } else {
    std::ofstream f(out, std::ios::binary | std::ios::trunc);
    if (!f || !(f << text) || !f.flush())
      throw std::runtime_error("cannot write the plan to " + out);
  }
  if (!quiet)
    for (const auto& [type, n] : plan.summary.hazard_counts)
      std::cerr << "seam: " << n << " step hazard" << (n == 1 ? "" : "s") << " of type " << type
                << "\n";
  return exit_code && !plan.empty() ? kDifferences : kOk;
}

}  // namespace seam::cmd
