// Subcommand registration. Each subcommand lives in its own cmd/<name>.cpp and
// adds itself to the CLI11 app; main.cpp only wires them and maps exceptions to
// exit codes (docs/exit-codes.md).
#pragma once

#include <CLI/CLI.hpp>

namespace seam::cmd {

// Exit codes shared by every subcommand.
enum Exit : int {
  kOk = 0,
  kError = 1,        // runtime failure: database unreachable, server error
  kDifferences = 2,  // `diff --exit-code` found differences; `lint` found hazards the policy forbids
  kUsage = 64,       // bad flags or arguments
  kInput = 65,       // bad input file: desired-state SQL, plan, seam.yaml (file:line:col in the message)
  kUnsupported = 69, // the input asks for something seam does not support (yet)
  kConnectionLost = 74,  // `apply`: the connection broke mid-job; run it again to resume (EX_IOERR)
  kBusy = 75,        // `apply`: another applier holds the lease (EX_TEMPFAIL: try again later)
};

void register_dev(CLI::App& app);
void register_inspect(CLI::App& app);
void register_diff(CLI::App& app);
void register_plan(CLI::App& app);
void register_compat(CLI::App& app);
void register_compat_verify(CLI::App& compat);  // `seam compat verify`, under compat
void register_lint(CLI::App& app);
void register_apply(CLI::App& app);
void register_jobs(CLI::App& app);
void register_rehearse(CLI::App& app);

}  // namespace seam::cmd
