// Hand-built plans for tests of plan files, renderings and lint: written out
// step by step (not produced by the planner), so those tests do not depend
// on the planner's choices.
#pragma once

#include "planner/plan.hpp"

namespace seam::test {

// A realistic plan over public.users / public.orders: an index built
// concurrently (expand), a shadow column for int -> bigint with a dual-write
// trigger, a batched backfill, a manual checkpoint, and a contract phase
// with the swap and a column drop (data-loss, blocking-lock hazards).
// `rows` is the live table's estimated row count; 0 makes every estimate 0.
planner::Plan sample_plan(int64_t rows = 1'000'000);

}  // namespace seam::test
