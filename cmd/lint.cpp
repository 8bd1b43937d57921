// `seam lint PLAN [--policy seam.yaml] [--format text|json]`: checks a plan
// file's hazards against the team's policy (planner/lint.hpp) - the CI gate
// between `seam plan` and `seam apply`. Findings go to stdout; exit 0 when
// nothing is an error (warnings and reviewed exceptions pass), 2 when the
// policy forbids a hazard in the plan, 65 when the plan or the policy file is
// malformed (docs/exit-codes.md).
#include <cstdlib>
#include <iostream>
#include <sstream>

#include "cmd/commands.hpp"
#include "planner/config.hpp"
#include "planner/lint.hpp"
#include "planner/plan_render.hpp"
#include "planner/plan_yaml.hpp"
#include "schema/errors.hpp"

namespace seam::cmd {

namespace {

struct LintArgs {
  std::string plan_path, policy_path, format = "text";
};

std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

int run_lint(const LintArgs& a) {
  planner::Plan plan;
  std::string origin = a.plan_path;
  if (a.plan_path == "-") {
    std::stringstream ss;
    ss << std::cin.rdbuf();
    plan = planner::plan_from_yaml(ss.str(), "<stdin>");
    origin = "<stdin>";
  } else {
    plan = planner::load_plan_file(a.plan_path);
  }
  if (auto problems = planner::plan_problems(plan); !problems.empty()) {
    std::string msg = origin + ": the plan cannot be applied as written:";
    for (const auto& p : problems) msg += "\n  " + p;
    throw InputError(msg);
  }
  planner::Policy policy = a.policy_path.empty() ? planner::Policy::defaults()
                                                 : planner::load_config(a.policy_path).policy;
  auto findings = planner::lint(plan, policy);
  int errors = 0, warnings = 0, allowed = 0;
  for (const auto& f : findings) {
    if (f.level == planner::Level::Error)
      ++errors;
    else if (f.level == planner::Level::Warn)
      ++warnings;
    else
      ++allowed;
  }

  if (a.format == "json") {
    using planner::json_quote;
    std::string o = "{\n  \"plan\": " + json_quote(origin) +
                    ",\n  \"plan_fingerprint\": " + json_quote(planner::plan_fingerprint(plan)) +
                    ",\n  \"findings\": [";
    for (std::size_t i = 0; i < findings.size(); ++i) {
      const auto& f = findings[i];
      o += std::string(i ? "," : "") + "\n    {\"level\": " + json_quote(to_string(f.level)) +
           ", \"step\": " + json_quote(f.step) +
           ", \"hazard\": " + json_quote(to_string(f.hazard)) +
           ", \"message\": " + json_quote(f.message) +
           ", \"policy_level\": " + json_quote(to_string(f.policy_level)) +
           ", \"reason\": " + json_quote(f.reason) + "}";
    }
    o += std::string(findings.empty() ? "" : "\n  ") +
         "],\n  \"errors\": " + std::to_string(errors) +
         ",\n  \"warnings\": " + std::to_string(warnings) +
         ",\n  \"allowed\": " + std::to_string(allowed) + "\n}\n";
    std::cout << o;
  } else {
    for (const auto& f : findings) {
      std::string level = to_string(f.level);
      level.resize(7, ' ');  // "error  ", "warn   ", "allow  "
      std::cout << level << one_line(f.step) << "  " << to_string(f.hazard) << ": "
                << one_line(f.message);
      if (!f.reason.empty())
        std::cout << " (" << to_string(f.policy_level)
                  << " by policy, allowed: " << one_line(f.reason) << ")";
      std::cout << "\n";
    }
    auto plural = [](int n, const char* what) {
      return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
    };
    std::cout << "seam lint: " << origin << ": " << plural(errors, "error") << ", "
              << plural(warnings, "warning") << ", " << allowed << " allowed by exception ("
              << plural(static_cast<int>(plan.steps.size()), "step") << ")\n";
  }
  std::cout.flush();
  return errors ? kDifferences : kOk;
}

}  // namespace

void register_lint(CLI::App& app) {
  auto args = std::make_shared<LintArgs>();
  CLI::App* sub = app.add_subcommand("lint", "Check a plan file's hazards against the policy");
  sub->add_option("plan", args->plan_path,
                  "Plan file written by `seam plan --format yaml` (- for stdin)")
      ->required();
  sub->add_option(
      "--policy", args->policy_path,
      "seam.yaml whose `policy:` applies (default: data-loss is an error, blocking locks and "
      "rewrites are errors on non-empty tables)");
  sub->add_option("--format", args->format, "Output: text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
  sub->callback([args] {
    int rc = run_lint(*args);
    // main() maps CLI11's own exit codes to kUsage; exit 2 directly.
    if (rc != kOk) std::exit(rc);
  });
}

}  // namespace seam::cmd
