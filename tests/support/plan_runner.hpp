// A simple sequential runner for plans, for tests: executes every step of a
// planner::Plan in order on one connection, the way the real executor would
// but without ledger, lease, throttling or retries. Golden plan tests and the
// lock proof use it to show that a plan reaches the desired state.
//
//   auto c = seam::pg::connect(url);
//   seam::test::run_plan_sequentially(*c, plan);
//
// Per step kind:
//  * Sql: transactional steps run in one BEGIN ... COMMIT; the others (CREATE
//    INDEX CONCURRENTLY, ...) run alone in autocommit mode - the planner
//    makes every non-transactional step a single statement. On failure the
//    step's on_failure SQL runs (autocommit) and the error is rethrown with
//    the step id.
//  * Backfill: keyset pagination over Backfill::key, one transaction per
//    batch (batch_size, or the plan's throttle batch size): select the next
//    `batch` keys after the cursor, update the rows up to the last of them.
//  * Checkpoint: approved at once (nothing to run).
#pragma once

#include <functional>

#include <pqxx/pqxx>

#include "planner/plan.hpp"

namespace seam::test {

// Runs one step (see above). Throws std::runtime_error naming the step.
void run_step(pqxx::connection& c, const planner::Plan& plan, const planner::Step& step);

// Every step in plan order. `before_step`, when given, is called before each
// step (e.g. to start a lock observer).
void run_plan_sequentially(pqxx::connection& c, const planner::Plan& plan,
                           const std::function<void(const planner::Step&)>& before_step = {});

}  // namespace seam::test
