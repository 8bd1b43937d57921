// A whole schema::Catalog as one desired-state SQL script: what `seam inspect`
// prints. The script is deterministic (equal models give byte-identical text)
// and loads into an empty database with `psql -v ON_ERROR_STOP=1`.
//
// Layout: a header (SET check_function_bodies = false), then one section per
// object, each introduced by a "-- <kind> <name>" line and holding everything
// that belongs to the object: a table's section has its CREATE TABLE, NOT VALID
// checks, row-level-security switches, indexes, OWNED BY lines of the sequences
// its columns own, and all its comments.
//
// Order: schemas, extensions, types (enum, composite, domain), sequences,
// functions and procedures, tables (parents before partitions and inheritance
// children), views and materialized views, foreign keys, triggers. Within that
// order an object waits for what it needs: a function that returns a table's
// row type or has an SQL-standard body reading a table comes right after that
// table; a table whose default or check calls a function after the function; a
// view after the views it reads (View::deps, else the names its query
// mentions). Ties keep the catalog's name order.
//
// Objects the script cannot create (Catalog::unsupported, C-language
// functions) are listed in a comment block at its end.
//
//   std::cout << seam::pg::dump_catalog(seam::pg::inspect(*conn));
#pragma once

#include <string>

#include "schema/model.hpp"

namespace seam::pg {

std::string dump_catalog(const schema::Catalog& cat);

}  // namespace seam::pg
