// The information_schema inspector: reads a PostgreSQL-wire database whose
// pg_catalog is too partial for pg::inspect (CockroachDB, Spanner's
// PostgreSQL interface) into schema::Catalog, from the SQL-standard views
// these products share plus the few pg_catalog relations each one provides.
//
// What it reads, for every product:
//  * schemas (information_schema.schemata, system schemas and seam's ledger
//    left out);
//  * tables (`BASE TABLE`) and their columns: type, default, NOT NULL,
//    collation, identity (GENERATED ... AS IDENTITY with start, increment,
//    min, max, cycle - the cache is not exposed and taken as 1), STORED
//    generated expressions;
//  * PRIMARY KEY, UNIQUE, FOREIGN KEY and CHECK constraints (table_constraints,
//    key_column_usage, referential_constraints, check_constraints,
//    constraint_column_usage), deferrability, and NOT VALID where the
//    product says;
//  * indexes: the product's own pg_indexes.indexdef parsed by seam's
//    desired-state loader (libpg_query) - the same code that turns a CREATE
//    INDEX in a schema file into schema::Index - or Spanner's
//    information_schema.indexes / index_columns;
//  * enum types (pg_enum) where the product has them;
//  * views (information_schema.views) and materialized views (pg_matviews);
//  * comments where the product keeps them (obj_description/col_description).
//
// Everything else the product has and the inspector does not read is listed
// in Catalog::unsupported (one sentence each, like the MySQL inspector); a
// thing whose partial reading would give a wrong model (a partitioned table,
// a CHECK whose table information_schema cannot tell) is an UnsupportedError.
//
// What differs per product is data: an InfoSchemaProfile (which optional
// relations exist, extra filters, the unsupported-object queries), made by
// profile_for(). The PostgreSQL profile exists so that the inspector runs
// against a real server in seam's tests (tests/integration/
// pgwire_inspect_test.cpp compares it with pg::inspect); seam itself reads
// PostgreSQL with pg::inspect. The CockroachDB and Spanner profiles have
// NOT been run against those products: their queries follow the products'
// documentation and sources, cited where they are defined.
//
//   auto s = seam::pgwire::detect(*conn);
//   schema::Catalog cat = seam::pgwire::inspect_infoschema(*conn, seam::pgwire::profile_for(s));
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "dialects/pgwire/detect.hpp"
#include "dialects/postgres/inspect.hpp"
#include "schema/model.hpp"

namespace seam::pgwire {

// A query whose rows name objects: (schema, name) or (schema, name, detail).
// As an unsupported query each row becomes the Catalog::unsupported line
// "<label> schema.name[ detail]<note>"; as a refusal any row in scope is an
// UnsupportedError naming it. Rows of schemas out of scope are ignored.
struct ObjectQuery {
  std::string label;  // "sequence", "trigger", "interleaved table"
  std::string sql;
  std::string
      note;  // appended to each line, e.g. " (not read by the information_schema inspector)"
};

struct InfoSchemaProfile {
  std::string dialect;  // "postgres", "cockroachdb", "spanner-pg"
  std::string product;  // for messages and Catalog::source
  // Starts the read-only snapshot every query reads.
  std::string begin = "BEGIN TRANSACTION READ ONLY";
  // Run first inside it (PostgreSQL: the canonical session of pg::inspect).
  std::vector<std::string> session;
  // Schemas left out besides pg_catalog, information_schema, pg_toast*,
  // pg_temp* and seam's ledger schema (compared case-insensitively).
  std::vector<std::string> system_schemas;
  // SQL predicate on information_schema.columns (alias c), "" = none.
  std::string column_filter;
  // A column of information_schema.columns that spells the whole type
  // (Spanner: spanner_type); "" = rebuilt from data_type, udt_name, lengths.
  std::string type_column;
  // The whole type of an ARRAY column, as an SQL expression over
  // information_schema.columns c ("" = element type from udt_name alone):
  // information_schema gives array elements no length or precision
  // (PostgreSQL's element_types has them "always null"), so varchar(10)[]
  // would read as varchar[]. The text passes through rewrite_type.
  std::string array_type_sql;
  std::function<std::string(const std::string&)> rewrite_type;
  // The datetime_precision information_schema reports for a time, timestamp
  // or interval written without one (PostgreSQL: 6; CockroachDB: 0).
  long default_datetime_precision = 6;
  // Applied to every expression the product prints (defaults, generation
  // expressions, CHECK clauses, view queries) before it is canonicalised:
  // CockroachDB annotates constants with `:::TYPE`, which PostgreSQL's
  // grammar does not have.
  std::function<std::string(const std::string&)> rewrite_expr;
  // The referenced columns of a foreign key, in order, are the rows of
  // constraint_column_usage (CockroachDB emits them in the key's order, and
  // its key_column_usage.position_in_unique_constraint repeats the ordinal
  // position instead); otherwise position_in_unique_constraint maps them.
  bool fk_ref_columns_from_usage = false;
  // pg_get_serial_sequence() names identity sequences; else <table>_<column>_seq.
  bool serial_sequence = false;
  bool comments = false;          // obj_description / col_description
  bool enums = false;             // pg_enum, pg_type, pg_namespace
  bool matviews = false;          // pg_matviews
  bool view_table_usage = false;  // information_schema.view_table_usage (View::deps)
  bool convalidated = false;      // pg_constraint.convalidated (NOT VALID foreign keys)
  // A table without a declared primary key still has one, on a hidden
  // column (CockroachDB's rowid): such a key is not part of the model.
  bool hidden_primary_key = false;
  // The NOT NULL pseudo-constraints information_schema.check_constraints
  // lists ("<col> IS NOT NULL") are told apart by this name pattern (ECMAScript regex).
  std::string not_null_check_name = "_not_null$";
  // Indexes from pg_indexes.indexdef (parsed with libpg_query); each text
  // first passes through rewrite_indexdef when set, which may add a line to
  // `notes` (e.g. a CockroachDB hash-sharded index). Without pg_indexes,
  // read_indexes fills Catalog::indexes itself (Spanner).
  bool pg_indexes = true;
  std::function<std::string(const std::string& indexdef, std::vector<std::string>& notes)>
      rewrite_indexdef;
  std::function<void(pqxx::transaction_base& tx, const std::set<std::string>& schemas,
                     schema::Catalog& cat)>
      read_indexes;
  // Indexes that implement a constraint the inspector does not read (a
  // PostgreSQL EXCLUDE): rows (schema, index name); they are reported by an
  // unsupported query and not read as indexes.
  std::string constraint_index_query;
  std::vector<ObjectQuery> unsupported;
  std::vector<ObjectQuery> refuse;
};

// The profiles. PostgreSQL's (server_version_num picks the columns that
// exist); CockroachDB's (dialects/cockroachdb/inspect_profile.cpp) and
// Spanner's (dialects/spanner/inspect_profile.cpp) follow the products'
// documentation, unverified against live servers.
InfoSchemaProfile postgres_profile(int server_version_num);
InfoSchemaProfile cockroachdb_profile(const compat::Version& v);
InfoSchemaProfile spanner_profile();
// By Server::dialect; UnsupportedError for a product without one (YugabyteDB
// is read with pg::inspect).
InfoSchemaProfile profile_for(const Server& s);

// `o` filters schemas as for pg::inspect (a schema named in include_schemas
// that does not exist is an error, not an empty schema).
schema::Catalog inspect_infoschema(pqxx::connection& c, const InfoSchemaProfile& p,
                                   const pg::InspectOptions& o = {});

// --- pieces with their own unit tests ----------------------------------------

// A column's type as information_schema.columns describes
// it, in SQL that schema::canon_type() makes canonical.
struct InfoSchemaType {
  std::string data_type;  // "character varying", "ARRAY", "USER-DEFINED", ...
  std::string udt_schema, udt_name;
  std::string domain_schema, domain_name;
  std::string interval_type;  // "DAY TO SECOND"
  std::optional<long> char_max_length, numeric_precision, numeric_scale, datetime_precision;
  long default_datetime_precision = 6;  // InfoSchemaProfile::default_datetime_precision
};
// `element`: the array's element type, when known (else udt_name's).
std::string sql_type_of(const InfoSchemaType& t, const InfoSchemaType* element = nullptr);
// The canonical spelling (Column::type) of that: schema::canon_type() of
// sql_type_of(), except for an interval with fields, which sql_type_of
// already spells as format_type does ("interval day to second(2)") and
// canon_type would turn into its type modifier.
std::string canonical_type(const InfoSchemaType& t, const InfoSchemaType* element = nullptr);

// A check_clause as information_schema prints it ("((a > 0))", PostgreSQL
// adding " NOT VALID" / " NO INHERIT"; some products a leading "CHECK"):
// the bare expression and the flags.
struct CheckClause {
  std::string expr;
  bool not_valid = false;
  bool no_inherit = false;
};
CheckClause parse_check_clause(const std::string& clause);

// The column a "<col> IS NOT NULL" clause tests, "" when it is anything else.
std::string not_null_column(const std::string& expr);

// An indexdef with the index and table names replaced by `name` and
// `schema.table` (each quoted as needed), so that whatever qualification the
// product prints (CockroachDB: database.schema.table) reads the same.
// Returns "" when the text is not "CREATE [UNIQUE] INDEX ... ON ... USING ...".
std::string normalize_indexdef(const std::string& def, const std::string& schema,
                               const std::string& table, const std::string& name);

}  // namespace seam::pgwire
