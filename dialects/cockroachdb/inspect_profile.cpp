// The information_schema inspector's CockroachDB profile (see
// dialects/pgwire/inspect_infoschema.hpp). NOT run against CockroachDB: no
// CockroachDB server runs on seam's machines. The facts below come from
// CockroachDB's sources (pkg/sql/information_schema.go, pg_catalog.go,
// catalog/catformat/index.go) and documentation, as cited.
#include <regex>

#include "dialects/pgwire/inspect_infoschema.hpp"

namespace seam::pgwire {

namespace {

const char* kNotRead = " (not read by the information_schema inspector)";

// CockroachDB prints stored expressions with type annotations on constants
// ("'a':::STRING", "now():::TIMESTAMPTZ"; information_schema.columns formats
// column_default with tree.FmtParsable): `:::` is read as a cast `::`.
std::string strip_type_annotations(const std::string& sql) {
  std::string out;
  out.reserve(sql.size());
  char quote = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    char ch = sql[i];
    if (quote) {
      if (ch == quote) quote = 0;
    } else if (ch == '\'' || ch == '"') {
      quote = ch;
    } else if (ch == ':' && sql.compare(i, 3, ":::") == 0) {
      out += "::";
      i += 2;
      continue;
    }
    out += ch;
  }
  return out;
}

// pg_indexes.indexdef under tree.FmtPGCatalog (catformat.IndexForDisplay):
//   CREATE [UNIQUE] INDEX name ON db.schema.table USING btree|gin (a ASC, b DESC)
//     [USING HASH WITH (bucket_count=N)] [STORING (c, d)] [WHERE (pred)]
// STORING is PostgreSQL's INCLUDE; hash sharding has no PostgreSQL spelling
// and is reported, not read.
std::string rewrite_indexdef(const std::string& def, std::vector<std::string>& notes) {
  static const std::regex hash(R"( USING HASH( WITH \(bucket_count=[0-9]+\))?)");
  static const std::regex storing(R"( STORING \()");
  std::string out = def;
  std::smatch m;
  if (std::regex_search(out, m, hash)) {
    static const std::regex name(R"(INDEX\s+("(?:[^"]|"")+"|\S+)\s+ON)");
    std::smatch n;
    std::string ix = std::regex_search(out, n, name) ? n[1].str() : "?";
    notes.push_back("hash-sharded index " + ix + " (read without USING HASH)");
    out = std::regex_replace(out, hash, "");
  }
  return std::regex_replace(out, storing, " INCLUDE (");
}

// crdb_sql_type (types.T.SQLString(): "INT8", "VARCHAR(10)[]", "STRING[]",
// "BYTES") in PostgreSQL's words where they differ: STRING is text,
// STRING(n) varchar(n), BYTES bytea.
std::string crdb_type_to_pg(const std::string& t) {
  static const std::regex string_n(R"(\bSTRING\()"), string(R"(\bSTRING\b)"), bytes(R"(\bBYTES\b)");
  std::string out = std::regex_replace(t, string_n, "varchar(");
  out = std::regex_replace(out, string, "text");
  return std::regex_replace(out, bytes, "bytea");
}

}  // namespace

InfoSchemaProfile cockroachdb_profile(const compat::Version& v) {
  InfoSchemaProfile p;
  p.dialect = "cockroachdb";
  p.product = "CockroachDB " + v.str();
  p.begin = "BEGIN TRANSACTION READ ONLY";
  p.system_schemas = {"crdb_internal", "pg_extension"};
  // Every table without a declared primary key has a hidden rowid column
  // and a primary key on it (information_schema.columns.is_hidden).
  p.column_filter = "c.is_hidden = 'NO'";
  p.hidden_primary_key = true;
  // datetime_precision is the type's Precision(): 0 when none was written.
  p.default_datetime_precision = 0;
  // Arrays: information_schema gives the element no length; crdb_sql_type
  // (information_schema.columns, CockroachDB's own column) spells it whole.
  p.array_type_sql = "c.crdb_sql_type";
  p.rewrite_type = crdb_type_to_pg;
  p.serial_sequence = true;
  p.comments = true;  // COMMENT ON is kept; obj_description/col_description answer it
  p.enums = true;     // CREATE TYPE ... AS ENUM, listed in pg_enum
  p.matviews = true;
  p.convalidated = true;
  // key_column_usage.position_in_unique_constraint repeats the ordinal
  // position; constraint_column_usage lists ForeignKeyReferencedColumns in order.
  p.fk_ref_columns_from_usage = true;
  p.rewrite_expr = strip_type_annotations;
  p.rewrite_indexdef = rewrite_indexdef;

  auto& u = p.unsupported;
  u.push_back({"sequence",
               "SELECT sequence_schema, sequence_name FROM information_schema.sequences",
               kNotRead});
  // Row-level TTL and other storage parameters (ttl_expire_after, ...).
  u.push_back({"storage parameters of table", R"(
      SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND c.reloptions IS NOT NULL AND array_length(c.reloptions, 1) > 0)",
               kNotRead});
  // CockroachDB's own PARTITION BY (on tables and indexes) and multi-region
  // localities; crdb_internal is CockroachDB's unstable catalog, read only here.
  u.push_back({"partitioning of table", R"(
      SELECT DISTINCT t.schema_name, t.name FROM crdb_internal.partitions pa
      JOIN crdb_internal.tables t ON t.table_id = pa.table_id
      WHERE t.database_name = current_database())",
               kNotRead});
  u.push_back({"locality of table", R"(
      SELECT t.schema_name, t.name, t.locality FROM crdb_internal.tables t
      WHERE t.database_name = current_database() AND t.locality IS NOT NULL)",
               kNotRead});
  // Triggers exist from 24.3 (Preview; cockroachdb/docs src/current/v25.4/triggers.md).
  if (v >= compat::Version{24, 3})
    u.push_back({"trigger on", R"(
        SELECT n.nspname, c.relname, tg.tgname FROM pg_trigger tg
        JOIN pg_class c ON c.oid = tg.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace)",
                 kNotRead});
  u.push_back({"routine", R"(
      SELECT routine_schema, routine_name FROM information_schema.routines
      WHERE routine_schema NOT IN ('pg_catalog', 'information_schema', 'crdb_internal', 'pg_extension'))",
               kNotRead});
  return p;
}

}  // namespace seam::pgwire
