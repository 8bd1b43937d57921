// seam_lock_proof: the 1,000,000-row lock proof of issue 4 as one command.
// Starts a throwaway server (autovacuum off), builds the scenario of
// tests/support/lock_proof.hpp, runs seam's plan step by step and then the
// plain diff on an identical table while observing locks, rewrites, rows read
// and durations, and writes the Markdown report.
//
//   build/bench/seam_lock_proof                      # 1,000,000 rows, PostgreSQL 15
//   build/bench/seam_lock_proof --rows 200000 --pg 17 --out /tmp/lp.md
//
// Exit status: 0 when no planned step holds a write-blocking lock while it
// scans or rewrites the table and the plan reaches the desired state with
// the data intact; 1 otherwise; 64 for bad usage.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "tests/support/lock_proof.hpp"

int main(int argc, char** argv) {
  seam::test::LockProofOptions opts;
  int major = 0;
  std::vector<std::string> outs;
  std::string command = "build/bench/seam_lock_proof";
  for (int i = 1; i < argc; i++) command += std::string(" ") + argv[i];
  try {
    for (int i = 1; i < argc; i++) {
      std::string a = argv[i];
      auto next = [&]() -> std::string {
        if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
        return argv[++i];
      };
      if (a == "--rows") opts.rows = std::stoll(next());
      else if (a == "--pg") major = std::stoi(next());
      else if (a == "--batch-size") opts.batch_size = std::stoll(next());
      else if (a == "--out") outs.push_back(next());
      else if (a == "--no-plain-diff") opts.plain_diff = false;
      else throw std::invalid_argument("unknown option " + a);
    }
    if (opts.rows <= 0) throw std::invalid_argument("--rows must be positive");
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\nusage: seam_lock_proof [--rows N] [--pg MAJOR (15+)] [--batch-size N] "
                 "[--no-plain-diff] [--out FILE]...\n";
    return 64;
  }
  if (outs.empty()) {
    std::filesystem::path src(SEAM_SOURCE_DIR);
    outs = {(src / "docs" / "lock-proof.md").string(), (src / "bench" / "results" / "lock-proof.md").string()};
  }
  try {
    seam::pg::EmbeddedServer srv({.major = major, .settings = {{"autovacuum", "off"}}});
    std::cerr << "PostgreSQL " << srv.version_major() << ": " << opts.rows << " rows...\n";
    auto run = seam::test::run_lock_proof(srv, opts);
    std::string md = seam::test::lock_proof_markdown(run, command);
    for (const auto& o : outs) {
      std::ofstream(o, std::ios::binary) << md;
      std::cerr << "report: " << o << "\n";
    }
    int bad = 0;
    for (const auto& s : run.plan) bad += s.seen.blocks_while_scanning_or_rewriting();
    std::cout << "plan: " << run.plan.size() << " steps, " << bad << " violating, " << run.plan_ms / 1000
              << " s; plain diff: " << run.script.size() << " statements, " << run.script_ms / 1000 << " s\n";
    bool ok = bad == 0 && run.plan_differences.empty() && run.plan_data_ok;
    return ok ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "seam_lock_proof: " << e.what() << "\n";
    return 1;
  }
}
