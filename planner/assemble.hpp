// Plan assembly: the dialect's strategies turn each change into draft steps
// (a Step plus the dependency keys and chain edges that order it); assemble()
// orders them into a Plan. Dialect-neutral.
//
//   std::vector<planner::Draft> drafts = ...;   // dialects/postgres/plan_strategies
//   planner::Plan p = planner::assemble(std::move(drafts), header);
//
// What assemble does, in order:
//  1. Phase pull-forward: a step that the key rules (planner/graph.hpp) say
//     must run before a step of an earlier phase moves to that phase (e.g. a
//     drop that a replacement in expand must follow). Fixpoint, deterministic.
//  2. A checkpoint step opens the contract phase whenever it has steps; its
//     message lists what to verify.
//  3. Phase-order edges through one barrier vertex per phase boundary (O(n)
//     edges): no step precedes a step of an earlier phase.
//  4. planner::order (stable tie-break by rank, name, input position).
//  5. Ids "<phase>-<nnn>-<slug>" numbered within each phase; depends_on from
//     the chain edges (and the checkpoint for contract steps), sorted.
//  6. The summary.
#pragma once

#include <string>
#include <vector>

#include "planner/plan.hpp"

namespace seam::planner {

struct Draft {
  Step step;         // everything but id and depends_on
  std::string slug;  // "create-index-users-email-idx" (sanitised again by assemble)
  int rank = 0;      // tie-break, as planner::Statement::rank
  std::string name;  // tie-break after rank
  std::vector<std::string> creates, drops, alters, needs,
      old_needs;                     // dependency keys (differ/deps.hpp)
  std::vector<size_t> after;         // drafts (indexes) this one follows: the strategy's chain
  std::vector<std::string> objects;  // objects touched, for the summary ("table public.users")
};

// `header` carries the plan's metadata (versions, fingerprints, throttle);
// its steps and summary are replaced. Throws planner::CycleError when no
// order exists.
Plan assemble(std::vector<Draft> drafts, Plan header);

// The summary of plan.steps (objects from the drafts are passed in).
Summary summarize(const std::vector<Step>& steps, std::vector<std::string> objects);

// "add index public.users_email_idx" -> "add-index-public-users-email-idx", at most 60 characters.
std::string slugify(const std::string& s);

}  // namespace seam::planner
