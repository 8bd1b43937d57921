// The information_schema inspector's profile for Spanner's PostgreSQL
// interface (see dialects/pgwire/inspect_infoschema.hpp). NOT run against
// Spanner: it follows "Information schema for PostgreSQL-dialect databases"
// (cloud.google.com/spanner/docs/information-schema-pg), which lists the
// columns used here, and the PostgreSQL interface's feature list
// (cloud.google.com/spanner/docs/reference/postgresql/overview).
#include "dialects/pgwire/inspect_infoschema.hpp"
#include "dialects/spanner/inspect_indexes.hpp"

namespace seam::pgwire {

namespace {
const char* kNotRead = " (not read by the information_schema inspector)";
}

InfoSchemaProfile spanner_profile() {
  InfoSchemaProfile p;
  p.dialect = "spanner-pg";
  p.product = "Spanner (PostgreSQL interface)";
  // information_schema is readable in read-only transactions only.
  p.begin = "BEGIN TRANSACTION READ ONLY";
  p.system_schemas = {"spanner_sys"};
  // columns.spanner_type: "A string holding the DDL-compatible type of the
  // column" (udt_name and the identity columns are "Not used").
  p.type_column = "spanner_type";
  // check_constraints "contains one row for each check constraint defined by
  // either the CHECK or the NOT NULL keyword"; their generated names are
  // assumed to contain NOT_NULL (unverified).
  p.not_null_check_name = "not_null";
  // No pg_indexes: information_schema.indexes / index_columns.
  p.pg_indexes = false;
  p.read_indexes = spanner::read_indexes;
  // No enums, no comments, no materialized views in the PostgreSQL interface.

  auto& u = p.unsupported;
  // Spanner's sequences are bit-reversed (sequence_kind), not PostgreSQL's.
  u.push_back({"sequence",
               "SELECT sequence_schema, sequence_name FROM information_schema.sequences",
               kNotRead});
  u.push_back({"interleaved table", R"(
      SELECT table_schema, table_name, 'INTERLEAVE ' || coalesce(interleave_type, 'IN PARENT') || ' ' || parent_table_name
      FROM information_schema.tables WHERE parent_table_name IS NOT NULL AND parent_table_name <> '')",
               kNotRead});
  u.push_back({"row deletion policy of table", R"(
      SELECT table_schema, table_name FROM information_schema.tables
      WHERE row_deletion_policy_expression IS NOT NULL AND row_deletion_policy_expression <> '')",
               kNotRead});
  u.push_back({"virtual generated column of", R"(
      SELECT table_schema, table_name, '(' || column_name || ')' FROM information_schema.columns
      WHERE is_generated = 'ALWAYS' AND is_stored = 'NO')",
               " (read as STORED)"});
  u.push_back({"ON UPDATE expression of", R"(
      SELECT table_schema, table_name, '(' || column_name || ')' FROM information_schema.columns
      WHERE on_update_expression IS NOT NULL)",
               kNotRead});
  u.push_back({"change stream", R"(
      SELECT change_stream_schema, change_stream_name FROM information_schema.change_streams)",
               kNotRead});
  u.push_back({"routine", R"(
      SELECT routine_schema, routine_name FROM information_schema.routines
      WHERE routine_schema NOT IN ('pg_catalog', 'information_schema', 'spanner_sys'))",
               kNotRead});
  return p;
}

}  // namespace seam::pgwire
