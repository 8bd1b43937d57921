// The statement graph: one vertex per DDL statement, edges from object
// dependencies, ordered by a topological sort with a stable tie-break so the
// same statements always come out in the same order, byte for byte.
//
//   std::vector<planner::Statement> stmts = ...;       // from the dialect's renderer
//   std::vector<size_t> order = planner::order(stmts); // throws planner::CycleError
//
// Edges (K is a dependency key, differ/deps.hpp):
//  * a statement that creates K, or alters K, comes before one that needs K
//    (two statements altering the same K are not ordered by it); creating K
//    comes before altering it;
//  * a statement whose old object needed K (old_needs) comes before one that
//    drops K, and a dropping statement with old_needs K before one that
//    alters K - dependents are dropped first;
//  * a statement that drops K comes before one that creates K (a replacement),
//    unless the creating one also alters K (a rename to K, which comes first);
//  * a statement that alters K comes before one that drops K (detach, then drop);
//  * explicit `after` edges chain the statements of one change.
// Ties are broken by (rank, name, input position): Kahn's algorithm with a
// priority queue. Foreign-key cycles between new tables never reach the
// graph as cycles - the renderer creates tables without their foreign keys
// and adds those in separate statements - so a cycle left here cannot be
// broken and is reported with every statement on it.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace seam::planner {

struct Statement {
  std::string sql;   // complete statement(s), ";\n"-terminated
  int rank = 0;      // kind rank: lower runs earlier when dependencies allow
  std::string name;  // the object, "public.users"; tie-break after rank
  std::vector<std::string> creates, drops, alters, needs, old_needs;
  std::vector<size_t> after;  // indexes of statements this one must follow
  std::vector<std::string> comments;  // "-- ..." lines printed before sql (hazards)
};

// An order that cannot exist: names every statement of the cycle.
struct CycleError : std::runtime_error {
  using std::runtime_error::runtime_error;
  std::vector<std::string> objects;
};

// A topological order of `stmts` (indexes into it).
std::vector<size_t> order(const std::vector<Statement>& stmts);

}  // namespace seam::planner
