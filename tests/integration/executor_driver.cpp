// A stand-alone applier for the executor's tests: applies one of the plans of
// executor_plans.hpp with executor::apply, printing each event on stdout, so
// tests can run it as a process and SIGKILL / SIGSTOP it.
//
//   executor_driver PLAN URL SOURCE_FINGERPRINT [--batch-size N] [--rows-per-second R]
//                   [--lease-ttl-ms N] [--lock-timeout-ms N] [--max-retries N] [--sleep-ms N]
//                   [--through PHASE] [--target-batch-ms N] [--backoff-ms N]
//                   [--max-replica-lag-ms N]
//
// Exit codes: 0 the job is done, 10 awaiting-approval, 11 paused, 12 cancelled,
// 1 failed or error, 3 another applier holds the lease, 4 fenced, 5 drift.
#include <cstdlib>
#include <iostream>
#include <string>

#include "executor/apply.hpp"
#include "executor/lease.hpp"
#include "tests/integration/executor_plans.hpp"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: executor_driver PLAN URL SOURCE_FINGERPRINT [flags]\n";
    return 64;
  }
  std::string name = argv[1];
  seam::executor::ApplyOptions o;
  o.url = argv[2];
  std::string fp = argv[3];
  for (int i = 4; i + 1 < argc; i += 2) {
    std::string f = argv[i], v = argv[i + 1];
    if (f == "--batch-size")
      o.batch_size = std::stoll(v);
    else if (f == "--rows-per-second")
      o.rows_per_second = std::stod(v);
    else if (f == "--lease-ttl-ms")
      o.lease_ttl_ms = std::stoll(v);
    else if (f == "--lock-timeout-ms")
      o.lock_timeout_ms = std::stoll(v);
    else if (f == "--max-retries")
      o.max_retries = std::stoi(v);
    else if (f == "--sleep-ms")
      o.sleep_ms = std::stoll(v);
    else if (f == "--target-batch-ms")
      o.target_batch_ms = std::stoll(v);
    else if (f == "--max-replica-lag-ms")
      o.max_replica_lag_ms = std::stoll(v);
    else if (f == "--backoff-ms")
      o.backoff_base_ms = std::stoll(v);
    else if (f == "--through")
      o.through = seam::planner::phase_from_string(v);
    else {
      std::cerr << "unknown flag " << f << "\n";
      return 64;
    }
  }
  seam::planner::Plan plan;
  if (name == "backfill")
    plan = seam::test::backfill_plan(fp);
  else {
    std::cerr << "unknown plan " << name << "\n";
    return 64;
  }
  o.plan_fingerprint = "test-plan-" + name;
  o.plan_text = "# hand-built test plan " + name + "\n";
  o.on_event = [](const seam::executor::Event& e) {
    std::cout << e.kind << " " << e.step << " " << e.message << std::endl;
  };
  try {
    auto r = seam::executor::apply(plan, o);
    std::cout << "result " << r.state << " " << r.message << std::endl;
    if (r.state == "done") return 0;
    if (r.state == "awaiting-approval") return 10;
    if (r.state == "paused") return 11;
    if (r.state == "cancelled") return 12;
    return 1;
  } catch (const seam::executor::LeaseHeldError& e) {
    std::cout << "lease-held " << e.what() << std::endl;
    return 3;
  } catch (const seam::executor::FencedError& e) {
    std::cout << "fenced " << e.what() << std::endl;
    return 4;
  } catch (const seam::executor::DriftError& e) {
    std::cout << "drift " << e.what() << std::endl;
    return 5;
  } catch (const std::exception& e) {
    std::cout << "error " << e.what() << std::endl;
    return 1;
  }
}
