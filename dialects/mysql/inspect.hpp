// Reading a MySQL-family database (MariaDB, MySQL, TiDB) from
// information_schema into seam's dialect-neutral schema model: tables,
// columns (types, defaults, nullability, AUTO_INCREMENT, STORED generated
// columns, collations, comments), PRIMARY KEY / UNIQUE / FOREIGN KEY / CHECK
// constraints and the other indexes.
//
// The database becomes one schema of the model, named `as_schema` (default:
// the database's own name), so that a desired state loaded into a scratch
// database and the live database compare under the same name. What the model
// cannot represent yet (views, triggers, routines, events, sequences,
// partitioned tables, VIRTUAL generated columns, ON UPDATE clauses, prefix or
// functional unique keys, ...) is listed in Catalog::unsupported, one sentence
// each, never silently dropped.
//
//   auto c = mysql::Connection::over_socket(sock, "root", "");
//   schema::Catalog cat = mysql::inspect(c, "shop");
#pragma once

#include <optional>
#include <string>

#include "dialects/mysql/client.hpp"
#include "schema/model.hpp"

namespace seam::mysql {

struct InspectOptions {
  std::string as_schema;  // empty = the database name
};

// Index names are per table in MySQL but per schema in the model, so an index
// is keyed as "<table>.<index>" (Index::name.name); index_name() gives the
// name back. Throws InputError when the database does not exist.
schema::Catalog inspect(Connection& c, const std::string& database,
                        const InspectOptions& opts = {});

// The index's own name (without the "<table>." of its key).
std::string index_name(const schema::Index& ix);

// information_schema.COLUMNS.COLUMN_DEFAULT as seam compares it: MariaDB's
// spelling, which is an expression ('text' quoted, current_timestamp(),
// uuid()). MySQL 8 and TiDB print the bare value instead (text unquoted,
// CURRENT_TIMESTAMP, expression defaults flagged DEFAULT_GENERATED in EXTRA),
// which is turned into the same spelling - so a column loaded through the
// MariaDB dev server and the same column inspected on TiDB compare equal.
// nullopt = no default. (TiDB's spelling follows MySQL's documentation; not
// checked against a TiDB server here.)
std::optional<std::string> column_default(const std::optional<std::string>& raw,
                                          const std::string& column_type, const std::string& extra,
                                          bool mariadb);

// A COLUMN_TYPE as seam compares it: lower case, integer display widths
// dropped ("int(11)" -> "int", "bigint(20) unsigned" -> "bigint unsigned"),
// since MySQL 8 and TiDB no longer print them and they mean nothing.
std::string canonical_type(const std::string& column_type);

}  // namespace seam::mysql
