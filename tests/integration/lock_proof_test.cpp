// The lock proof (tests/support/lock_proof.hpp) at a size ctest can afford:
// every step of the plan for the scenario is observed from outside on a
// 200,000-row table, and no step may hold a write-blocking lock while it
// rewrites the table or reads half of it. The plain diff script for the same
// change must violate the property (its ALTER COLUMN TYPE rewrites under
// ACCESS EXCLUSIVE), which shows the observer sees what it claims to. Both
// must reach the desired state with the data intact. The 1,000,000-row run
// with durations is bench/lock_proof.cpp (docs/lock-proof.md); nothing here
// asserts a time.
#include <gtest/gtest.h>

#include "tests/support/lock_proof.hpp"

using namespace seam;

TEST(LockProof, NoPlannedStepBlocksWhileScanningOrRewriting) {
  // Its own server: autovacuum off, so the read counters are the steps' own;
  // the default major (the observer needs 15+).
  pg::EmbeddedServer srv({.settings = {{"autovacuum", "off"}}});
  test::LockProofOptions opts;
  opts.rows = 200000;
  test::LockProofRun run = test::run_lock_proof(srv, opts);
  std::string report = test::lock_proof_markdown(run, "lock_proof_test");

  ASSERT_FALSE(run.plan.empty());
  bool backfilled = false, scanned_unblocked = false;
  for (const auto& s : run.plan) {
    EXPECT_FALSE(s.seen.blocks_while_scanning_or_rewriting())
        << "step " << s.id << " holds " << s.seen.tables[0].strongest << " on orders while "
        << (s.seen.tables[0].rewritten ? "rewriting it" : "reading " + std::to_string(s.seen.tables[0].rows_read) + " rows")
        << "\n" << s.sql << "\n\n" << report;
    if (s.sql.rfind("UPDATE", 0) == 0 && s.seen.tables[0].rows_read * 2 >= opts.rows) backfilled = true;
    if (s.seen.tables[0].scanned() && !test::blocks_writes(s.seen.tables[0].strongest)) scanned_unblocked = true;
  }
  // The scenario exercises what the property is about: batched backfills and
  // scans (validation, index builds) that run without blocking locks.
  EXPECT_TRUE(backfilled) << report;
  EXPECT_TRUE(scanned_unblocked) << report;
  EXPECT_EQ("", run.plan_differences) << report;
  EXPECT_TRUE(run.plan_data_ok) << report;

  int violations = 0;
  for (const auto& s : run.script) violations += s.seen.blocks_while_scanning_or_rewriting();
  EXPECT_GT(violations, 0) << "the plain diff should rewrite or scan under a blocking lock:\n" << report;
  EXPECT_EQ("", run.script_differences) << report;
  EXPECT_TRUE(run.script_data_ok) << report;
}
