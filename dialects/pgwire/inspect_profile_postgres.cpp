// The information_schema inspector's PostgreSQL profile. seam reads
// PostgreSQL with pg::inspect; this profile exists so that the inspector the
// other products share runs against real servers in seam's tests
// (tests/integration/pgwire_inspect_test.cpp). Its unsupported and refusal
// queries name what pg::inspect reads and this inspector does not.
#include "dialects/pgwire/inspect_infoschema.hpp"

namespace seam::pgwire {

namespace {

// Objects of no extension (pg_depend deptype 'e'), for the queries below.
std::string not_ext(const std::string& classid, const std::string& objid) {
  return "NOT EXISTS (SELECT 1 FROM pg_depend xd WHERE xd.classid = " + classid +
         " AND xd.objid = " + objid + " AND xd.deptype = 'e')";
}

const char* kNotRead = " (not read by the information_schema inspector)";

}  // namespace

InfoSchemaProfile postgres_profile(int server_version_num) {
  InfoSchemaProfile p;
  p.dialect = "postgres";
  p.product = "PostgreSQL";
  p.begin = "BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";
  // pg::inspect's canonical session: how the server prints names and
  // constants must not depend on the caller's settings.
  p.session = {"SET LOCAL client_encoding = 'UTF8'", "SET LOCAL search_path = pg_catalog, public",
               "SET LOCAL DateStyle = 'ISO, MDY'",   "SET LOCAL IntervalStyle = 'postgres'",
               "SET LOCAL TimeZone = 'UTC'",         "SET LOCAL extra_float_digits = 1",
               "SET LOCAL bytea_output = 'hex'"};
  // format_type() of the column: the one thing information_schema cannot say.
  p.array_type_sql =
      "(SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a WHERE a.attrelid = "
      "(quote_ident(c.table_schema) || '.' || quote_ident(c.table_name))::regclass AND a.attname = "
      "c.column_name)";
  p.serial_sequence = true;
  p.comments = true;
  p.enums = true;
  p.matviews = true;
  p.view_table_usage = true;
  p.convalidated = true;
  // PostgreSQL 12-17 name them <schema oid>_<table oid>_<attnum>_not_null,
  // 18 <table>_<column>_not_null.
  p.not_null_check_name = "_not_null$";
  p.constraint_index_query = R"(
      SELECT n.nspname, ic.relname FROM pg_constraint con
      JOIN pg_class ic ON ic.oid = con.conindid JOIN pg_namespace n ON n.oid = ic.relnamespace
      WHERE con.contype = 'x')";

  // A partition or an inheritance child read as a table of its own would be
  // a wrong model (its columns and constraints repeated, its bound lost).
  p.refuse.push_back({"partitioned, partition or inheritance table", R"(
      SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND (c.relkind = 'p' OR c.relispartition
            OR EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid)))",
                      ""});

  auto& u = p.unsupported;
  u.push_back({"sequence",
               R"(
      SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'S' AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
            AND d.objid = c.oid AND d.deptype = 'i') AND )" +
                   not_ext("'pg_class'::regclass", "c.oid"),
               kNotRead});
  u.push_back({"cache of the identity sequence of", R"(
      SELECT n.nspname, t.relname, '(column ' || quote_ident(a.attname) || ', CACHE ' || s.seqcache || ')'
      FROM pg_depend d JOIN pg_class sc ON sc.oid = d.objid JOIN pg_sequence s ON s.seqrelid = sc.oid
      JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace n ON n.oid = t.relnamespace
      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
      WHERE d.classid = 'pg_class'::regclass AND d.deptype = 'i' AND s.seqcache <> 1)",
               " (read as CACHE 1)"});
  u.push_back({"unlogged table", R"(
      SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND c.relpersistence = 'u')",
               " (read as a logged table)"});
  u.push_back({"row level security of table", R"(
      SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relrowsecurity OR c.relforcerowsecurity
            OR EXISTS (SELECT 1 FROM pg_policy pol WHERE pol.polrelid = c.oid))",
               kNotRead});
  u.push_back({"replica identity of table", R"(
      SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND c.relreplident NOT IN ('d', 'n'))",
               kNotRead});
  u.push_back({"EXCLUDE constraint on", R"(
      SELECT n.nspname, c.relname, quote_ident(con.conname) FROM pg_constraint con
      JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE con.contype = 'x')",
               kNotRead});
  u.push_back({"storage parameters of", R"(
      SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'i', 'm', 'v')
            AND EXISTS (SELECT 1 FROM unnest(c.reloptions) o WHERE o NOT LIKE 'check_option=%'))",
               kNotRead});
  u.push_back({"invalid index", R"(
      SELECT n.nspname, c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT i.indisvalid)",
               " (read as a valid index)"});
  u.push_back({"column with non-default STORAGE, COMPRESSION or STATISTICS of",
               std::string(R"(
      SELECT n.nspname, c.relname, '(' || quote_ident(a.attname) || ')'
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_type t ON t.oid = a.atttypid
      WHERE c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
            AND (a.attstorage <> t.typstorage OR coalesce(a.attstattarget::int, -1) <> -1)") +
                   (server_version_num >= 140000 ? " OR a.attcompression::text <> ''" : "") + ")",
               kNotRead});
  if (server_version_num >= 180000) {
    u.push_back({"virtual generated column of", R"(
        SELECT n.nspname, c.relname, '(' || quote_ident(a.attname) || ')'
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE a.attgenerated = 'v' AND NOT a.attisdropped)",
                 " (read as STORED)"});
    u.push_back({"NOT ENFORCED constraint on", R"(
        SELECT n.nspname, c.relname, quote_ident(con.conname) FROM pg_constraint con
        JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE NOT con.conenforced)",
                 " (read as enforced)"});
  }
  u.push_back({"type", R"(
      SELECT n.nspname, t.typname, CASE t.typtype WHEN 'd' THEN '(a domain)' WHEN 'r' THEN '(a range type)'
                                                  WHEN 'c' THEN '(a composite type)' ELSE '(a base type)' END
      FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace LEFT JOIN pg_class rc ON rc.oid = t.typrelid
      WHERE t.typisdefined AND (t.typtype IN ('d', 'r') OR (t.typtype = 'c' AND rc.relkind = 'c')
            OR (t.typtype = 'b' AND t.typcategory <> 'A' AND n.nspname NOT IN ('pg_catalog', 'information_schema')))
            AND )" + not_ext("'pg_type'::regclass", "t.oid"),
               kNotRead});
  u.push_back({"routine", R"(
      SELECT n.nspname, p.proname, '(' || pg_get_function_identity_arguments(p.oid) || ')'
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE )" + not_ext("'pg_proc'::regclass", "p.oid"),
               kNotRead});
  u.push_back({"trigger on", R"(
      SELECT n.nspname, c.relname, quote_ident(tg.tgname) FROM pg_trigger tg
      JOIN pg_class c ON c.oid = tg.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE NOT tg.tgisinternal)",
               kNotRead});
  u.push_back({"rule on", R"(
      SELECT n.nspname, c.relname, quote_ident(rw.rulename) FROM pg_rewrite rw
      JOIN pg_class c ON c.oid = rw.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE rw.rulename <> '_RETURN')",
               kNotRead});
  u.push_back({"foreign table", R"(
      SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'f')",
               kNotRead});
  u.push_back({"extension", R"(
      SELECT n.nspname, e.extname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
      WHERE e.extname <> 'plpgsql')",
               kNotRead});
  return p;
}

}  // namespace seam::pgwire
