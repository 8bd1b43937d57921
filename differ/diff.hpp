// diff(from, to): the changes that take a database whose catalog is `from` to
// the desired catalog `to`, as typed values (differ/changes.hpp) - no SQL.
//
//   schema::Catalog live = pg::inspect(*conn);
//   schema::Catalog desired = schema::load_path("schema/").catalog;
//   differ::ChangeSet cs = differ::diff(live, desired, {});
//   std::string sql = pg::migration_script(cs);   // dialects/postgres/render_change.hpp
//
// Rules:
//  * deterministic: changes come out in a fixed order (object kind, then the
//    catalogs' name order), so equal inputs give equal ChangeSets;
//  * renames are never guessed: a `-- seam:renamed-from <old>` annotation on a
//    table, column, index, constraint, view, sequence or type in `to` turns
//    the drop + add into a Rename*; without one, a drop and an add of the same
//    kind in the same place carry a MaybeRename hazard naming both objects;
//  * what cannot change in place is replaced (a view whose query changes, a
//    function whose result type changes, an enum that loses labels), and
//    every view and trigger that depends on a replaced object (read from the
//    `from` catalog: View::deps, trigger functions, names in queries) is
//    dropped before and created again after it;
//  * drops that lose data carry a DataLoss hazard naming the object.
#pragma once

#include "differ/changes.hpp"
#include "schema/model.hpp"

namespace seam::differ {

struct DiffOptions {
  // Schemas whose contents seam never drops (objects created by the server or
  // by extensions outside the model). Empty = none.
  std::vector<std::string> keep_schemas;
};

ChangeSet diff(const schema::Catalog& from, const schema::Catalog& to, const DiffOptions& opts = {});

}  // namespace seam::differ
