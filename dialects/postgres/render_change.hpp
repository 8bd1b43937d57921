// PostgreSQL DDL for the differ's changes: ALTER / DROP / RENAME statements
// (CREATE statements come from render_create.hpp), and the whole migration
// script that `seam diff` prints.
//
//   differ::ChangeSet cs = differ::diff(live, desired);
//   std::string sql = seam::pg::migration_script(cs);  // "" when cs is empty
//
// The script runs as is with `psql -v ON_ERROR_STOP=1`. It is deliberately
// not wrapped in a transaction: ALTER TYPE ... ADD VALUE cannot be followed
// by a use of the new label in the same transaction. Hazards are printed as
// "-- hazard <kind>: ..." comment lines before the statement they concern.
// Every identifier goes through schema::quote_ident / quote_qual and every
// literal through schema::quote_literal.
#pragma once

#include <string>
#include <vector>

#include "differ/changes.hpp"
#include "planner/graph.hpp"

namespace seam::pg {

// One rendered statement of a change and which side of the change it is:
// Drop parts carry the change's drops and old_needs, Create parts its creates
// and needs, Alter parts all of them (see planner/graph.hpp).
struct ChangeSql {
  enum Part { Drop, Create, Alter };
  Part part;
  int rank;
  std::string sql;
};

// The statements of one change, in the order they must run.
std::vector<ChangeSql> render_change(const differ::Change& c);

// Planner statements for every change: keys assigned per part, the
// statements of one change chained, hazards attached to the first.
std::vector<planner::Statement> plan_statements(const differ::ChangeSet& cs);

// The ordered script; "" when there is nothing to do. Throws
// planner::CycleError when no order exists.
std::string migration_script(const differ::ChangeSet& cs);

}  // namespace seam::pg
