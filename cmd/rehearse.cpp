// `seam rehearse PLAN --db URL`: applies a plan to a staging database while
// injecting faults (executor/rehearse.hpp), verifies the catalog and the
// backfilled data, and prints a report (text on stdout; --report FILE writes
// JSON, Markdown or text by the file's extension or --report-format).
//
// Exit codes: 0 verdict PASS, or INCOMPLETE (stopped at a checkpoint without
// --approve-checkpoints; the report says what was not rehearsed); 1 FAIL or
// another error; 2 the database is not the plan's source (or already has the
// plan's job); 65 a bad plan file or flag value; 69 cluster faults without a
// staging cluster; 75 another applier holds the lease.
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cmd/commands.hpp"
#include "executor/apply.hpp"
#include "executor/lease.hpp"
#include "executor/rehearse.hpp"
#include "planner/plan_yaml.hpp"
#include "schema/errors.hpp"

namespace seam::cmd {

namespace {

namespace fs = std::filesystem;

struct RehearseArgs {
  std::string plan_path, db, ledger_schema = executor::kDefaultLedgerSchema, fault_kinds, cluster,
                             staging_script, report, report_format;
  int faults = 10;
  uint64_t seed = 1;
  bool approve = false, dry_run = false;
  int64_t lease_ttl_ms = 3000, chunk_rows = 10000;
  std::optional<int64_t> batch_size, sleep_ms, lock_timeout;
  std::optional<double> rows_per_second;
};

std::string self_exe() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  if (ec)
    throw std::runtime_error("cannot find the seam binary (/proc/self/exe) to run the appliers");
  return p.string();
}

// scripts/staging: $SEAM_STAGING_SCRIPT, else beside the binary's source tree.
std::string find_staging_script(const std::string& exe) {
  if (const char* env = std::getenv("SEAM_STAGING_SCRIPT"); env && *env) return env;
  fs::path dir = fs::path(exe).parent_path();
  for (const auto& c : {dir / ".." / "scripts" / "staging", dir / "scripts" / "staging",
                        fs::current_path() / "scripts" / "staging"})
    if (fs::exists(c)) return fs::weakly_canonical(c).string();
  return "";
}

std::vector<executor::FaultKind> parse_kinds(const std::string& list) {
  std::vector<executor::FaultKind> out;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    while (!item.empty() && item.front() == ' ') item.erase(0, 1);
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (item.empty()) continue;
    auto k = executor::fault_kind_from_string(item);
    if (std::find(out.begin(), out.end(), k) == out.end()) out.push_back(k);
  }
  if (out.empty())
    throw InputError(
        "--fault-kinds: give at least one of kill, disconnect, stall, kill-leader, partition");
  return out;
}

int run_rehearse(const RehearseArgs& a) {
  planner::Plan plan = planner::load_plan_file(a.plan_path);
  executor::RehearseOptions o;
  o.url = a.db;
  o.plan_path = fs::absolute(a.plan_path).string();
  o.ledger.schema = a.ledger_schema;
  o.faults = a.faults;
  o.seed = a.seed;
  if (!a.fault_kinds.empty()) o.kinds = parse_kinds(a.fault_kinds);
  o.approve_checkpoints = a.approve;
  o.lease_ttl_ms = a.lease_ttl_ms;
  o.chunk_rows = a.chunk_rows;
  o.cluster_dir = a.cluster;
  std::string exe = self_exe();
  o.applier = {exe, "apply"};
  if (a.ledger_schema != executor::kDefaultLedgerSchema)
    o.apply_flags.insert(o.apply_flags.end(), {"--ledger-schema", a.ledger_schema});
  if (a.batch_size) {
    o.apply_flags.insert(o.apply_flags.end(), {"--batch-size", std::to_string(*a.batch_size)});
    o.batch_size = *a.batch_size;
  }
  if (a.rows_per_second) {
    std::ostringstream v;
    v << *a.rows_per_second;
    o.apply_flags.insert(o.apply_flags.end(), {"--max-rows-per-second", v.str()});
  }
  if (a.sleep_ms)
    o.apply_flags.insert(o.apply_flags.end(), {"--sleep-ms", std::to_string(*a.sleep_ms)});
  if (a.lock_timeout)
    o.apply_flags.insert(o.apply_flags.end(), {"--lock-timeout", std::to_string(*a.lock_timeout)});
  if (!a.cluster.empty())
    o.staging_script = a.staging_script.empty() ? find_staging_script(exe) : a.staging_script;

  std::string format = a.report_format;
  if (format.empty() && !a.report.empty()) {
    std::string ext = fs::path(a.report).extension().string();
    format = ext == ".json" ? "json" : ext == ".md" ? "md" : "text";
  }

  if (a.dry_run) {
    executor::ScheduleOptions so;
    so.faults = o.faults;
    so.seed = o.seed;
    so.kinds = o.kinds.empty() ? executor::default_fault_kinds(!o.cluster_dir.empty()) : o.kinds;
    so.through_checkpoints = o.approve_checkpoints;
    std::cout << "fault schedule of " << a.plan_path << " (seed " << o.seed << ", " << o.faults
              << " faults"
              << (o.approve_checkpoints ? ", through checkpoints" : ", up to the first checkpoint")
              << "):\n"
              << executor::schedule_text(executor::build_schedule(plan, so));
    return kOk;
  }

  o.on_progress = [](const std::string& line) {
    std::cerr << "seam rehearse: " << line << std::endl;
  };
  executor::Report r;
  try {
    r = executor::rehearse(plan, o);
  } catch (const executor::DriftError& e) {
    std::cerr << "seam: " << e.what() << "\n";
    return kDifferences;
  } catch (const executor::LeaseHeldError& e) {
    std::cerr << "seam: " << e.what() << "\n";
    return kBusy;
  }
  std::cout << executor::render_text(r) << std::flush;
  if (!a.report.empty()) {
    std::ofstream out(a.report, std::ios::binary);
    if (!out) throw std::runtime_error(a.report + ": cannot write the report");
    out << (format == "json" ? executor::render_json(r)
            : format == "md" ? executor::render_markdown(r)
                             : executor::render_text(r));
    if (!out) throw std::runtime_error(a.report + ": cannot write the report");
  }
  return r.verdict == "FAIL" ? kError : kOk;
}

}  // namespace

void register_rehearse(CLI::App& app) {
  auto a = std::make_shared<RehearseArgs>();
  CLI::App* sub = app.add_subcommand(
      "rehearse",
      "Apply a plan to a staging database under injected faults, then verify catalog and data");
  sub->add_option("plan", a->plan_path, "Plan file written by `seam plan` (YAML)")->required();
  sub->add_option("--db", a->db,
                  "Connection URL of the staging database (a copy of the plan's source; default: $DATABASE_URL)")
      ->envname("DATABASE_URL");
  sub->add_option("--faults", a->faults, "How many faults to inject (default 10)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--seed", a->seed,
                  "Seed of the fault schedule: the same seed, the same schedule (default 1)");
  sub->add_option("--fault-kinds", a->fault_kinds,
                  "Comma-separated: kill, disconnect, stall (default), kill-leader, partition "
                  "(need --cluster)");
  sub->add_flag("--approve-checkpoints", a->approve,
                "Approve the plan's checkpoints automatically and rehearse the contract phase too");
  sub->add_option(
      "--cluster", a->cluster,
      "State directory of a staging cluster (scripts/staging): also kill and partition its leader");
  sub->add_option("--staging-script", a->staging_script,
                  "Path of scripts/staging (default: found beside seam)");
  sub->add_option("--report", a->report, "Also write the report to FILE (.json, .md or text)");
  sub->add_option("--report-format", a->report_format,
                  "json, md or text (default: from --report's extension)")
      ->check(CLI::IsMember({"json", "md", "text"}));
  sub->add_option("--lease-ttl-ms", a->lease_ttl_ms,
                  "The appliers' lease TTL; a stall fault lasts about this long (default 3000)");
  sub->add_option("--chunk-rows", a->chunk_rows,
                  "Rows per checksum chunk of a backfilled table (default 10000)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--ledger-schema", a->ledger_schema, "Schema of the job ledger (default seam)");
  sub->add_option("--batch-size", a->batch_size, "Backfill rows per batch (passed to seam apply)");
  sub->add_option("--max-rows-per-second", a->rows_per_second,
                  "Backfill rate limit (passed to seam apply)");
  sub->add_option("--sleep-ms", a->sleep_ms,
                  "Pause between backfill batches, ms (passed to seam apply)");
  sub->add_option("--lock-timeout", a->lock_timeout,
                  "lock_timeout of every step, ms (passed to seam apply)");
  sub->add_flag("--dry-run", a->dry_run, "Print the fault schedule and exit (no database needed)");
  sub->callback([a] {
    if (a->db.empty() && !a->dry_run) throw CLI::RequiredError("--db");
    int rc = run_rehearse(*a);
    if (rc != kOk) std::exit(rc);
  });
}

}  // namespace seam::cmd
