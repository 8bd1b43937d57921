// The live catalog inspector: reads a PostgreSQL database's system catalogs
// into the dialect-neutral schema::Catalog, spelled exactly as the file loader
// spells the same schema so that the two compare equal.
//
// All queries run in one read-only REPEATABLE READ transaction (one snapshot)
// with the canonical session settings: search_path = pg_catalog, public (so
// the server prints objects in those schemas unqualified and everything else
// schema-qualified), DateStyle ISO, IntervalStyle postgres, TimeZone UTC,
// extra_float_digits 1, bytea_output hex (so constants print the same on
// every server). Works on PostgreSQL 12 to 18; columns that exist only in
// newer catalogs are selected only when server_version_num says so.
//
//   auto conn = seam::pg::connect(url);
//   seam::schema::Catalog live = seam::pg::inspect(*conn);
//   seam::schema::Catalog app = seam::pg::inspect(*conn, {.include_schemas = {"app"}});
//
// Spellings (the file loader must produce the same):
//  * types: format_type() output; sequence types smallint|integer|bigint;
//  * collations, operator classes: SQL spelling under the canonical search
//    path - each part quote_ident'ed, no schema for pg_catalog and public:
//    "C", "POSIX", "en_US.utf8" (quoted), text_pattern_ops, app.ccoll;
//    set only when not the default (a column: differs from its type's
//    collation; an index element: pg_get_indexdef would print it);
//  * EXCLUDE operators: the bare operator (=, &&), "schema.op" outside
//    pg_catalog/public - operators are not identifiers and are not quoted;
//  * storage parameters (tables, indexes, views): reloptions sorted and
//    joined with "," ("autovacuum_enabled=false,fillfactor=70"), a table's
//    TOAST options prefixed "toast.";
//  * NULLS: 1 = NULLS FIRST on an ASC element, 2 = NULLS LAST on DESC only;
//  * NO INHERIT only on CHECK constraints; constraint columns for PRIMARY
//    KEY, UNIQUE, FOREIGN KEY and the plain-column elements of EXCLUDE;
//  * partitions list every column; INHERITS children only their own;
//  * comments that the server or an extension's control file set by
//    itself (public's "standard public schema") are left out;
//  * policy roles: role names, "public" for PUBLIC, sorted (the server keeps
//    only PUBLIC when PUBLIC is listed with other roles); replica identity:
//    "", "full", "nothing" or "index <name>";
//  * trigger functions, referenced tables, view deps: schema always set.
//
// What is left out: system schemas (pg_catalog, information_schema, pg_toast*,
// pg_temp*), seam's ledger schemas (kLedgerSchema, or commented kLedgerSchemaComment), every object that belongs to an
// extension (only the extension itself is listed), array and table row
// types, implicit objects (identity sequences, constraint indexes, indexes,
// constraints and triggers that partitions inherit from their parent). Objects
// the model cannot represent (aggregates, window functions, range types, ...)
// are listed in Catalog::unsupported instead of being dropped silently.
#pragma once

#include <string>
#include <vector>

#include <pqxx/connection>

#include "schema/model.hpp"

namespace seam::pg {

// seam's job ledger lives here; it is never part of a user's schema.
inline constexpr const char* kLedgerSchema = "seam";
// The comment executor/ledger.cpp puts on a ledger schema: a ledger kept in
// another schema (`seam apply --ledger-schema`) is left out by it, so it never
// shows up as drift or as something for `seam diff` to drop.
inline constexpr const char* kLedgerSchemaComment = "seam job ledger";

struct InspectOptions {
  // Only these schemas (empty = every non-system schema).
  std::vector<std::string> include_schemas;
  // Never these schemas (applied after include_schemas).
  std::vector<std::string> exclude_schemas;
};

// server_version_num of the connected server, e.g. 150004.
int server_version_num(pqxx::connection& c);

// Reads the whole catalog. Throws std::runtime_error (naming the object) when
// the server prints something the canonicaliser cannot parse.
schema::Catalog inspect(pqxx::connection& c, const InspectOptions& o = {});

}  // namespace seam::pg
