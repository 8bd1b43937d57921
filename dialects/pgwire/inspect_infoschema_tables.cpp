// Tables and columns from information_schema.tables / columns.
#include <map>

#include "dialects/pgwire/inspect_infoschema_internal.hpp"
#include "schema/canon.hpp"

namespace seam::pgwire::infoschema {

namespace {

// "public.t_id_seq" or "\"My\".\"s\"" (pg_get_serial_sequence) -> the name part.
std::string unqualified_name(const std::string& qualified) {
  std::string part;
  bool quoted = false;
  for (size_t i = 0; i < qualified.size(); ++i) {
    char ch = qualified[i];
    if (ch == '"') {
      if (quoted && i + 1 < qualified.size() && qualified[i + 1] == '"') {
        part += '"';
        ++i;
      } else {
        quoted = !quoted;
      }
    } else if (ch == '.' && !quoted) {
      part.clear();
    } else {
      part += quoted ? ch : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
  }
  return part;
}

int64_t to_i64(const pqxx::field& f, int64_t dflt) {
  if (f.is_null()) return dflt;
  return std::stoll(f.as<std::string>());
}

}  // namespace

void read_tables(Ctx& ctx) {
  for (const auto& r : ctx.query("SELECT table_schema, table_name FROM information_schema.tables "
                                 "WHERE table_type = 'BASE TABLE'")) {
    schema::Table t;
    t.name = {str(r[0]), str(r[1])};
    if (!ctx.in_scope(t.name.schema)) continue;
    ctx.cat.tables[t.name] = std::move(t);
  }

  const InfoSchemaProfile& p = ctx.p;
  std::string sql =
      R"(
      SELECT c.table_schema, c.table_name, c.column_name, c.column_default, c.is_nullable, c.data_type,
             c.character_maximum_length, c.numeric_precision, c.numeric_scale, c.datetime_precision,
             c.interval_type, c.udt_schema, c.udt_name, c.domain_schema, c.domain_name,
             c.collation_schema, c.collation_name, c.is_identity, c.identity_generation, c.identity_start,
             c.identity_increment, c.identity_maximum, c.identity_minimum, c.identity_cycle, c.is_generated,
             c.generation_expression, )" +
      (p.array_type_sql.empty()
           ? std::string("NULL")
           : "CASE WHEN c.data_type = 'ARRAY' THEN " + p.array_type_sql + " END") +
      ", " + (p.type_column.empty() ? std::string("NULL") : "c." + p.type_column) + ", " +
      (p.serial_sequence
           ? std::string("CASE WHEN c.is_identity = 'YES' THEN pg_get_serial_sequence("
                         "quote_ident(c.table_schema) || '.' || quote_ident(c.table_name), "
                         "c.column_name) END")
           : std::string("NULL")) +
      R"(
      FROM information_schema.columns c)" +
      (p.column_filter.empty() ? "" : " WHERE " + p.column_filter) +
      " ORDER BY c.table_schema, c.table_name, c.ordinal_position";
  for (const auto& r : ctx.query(sql)) {
    schema::QualName tn{str(r[0]), str(r[1])};
    schema::Table* t = ctx.cat.find_table(tn);
    if (!t || !ctx.in_scope(tn.schema)) continue;  // a view's columns, or out of scope
    schema::Column col;
    col.name = str(r[2]);
    std::string what = "column " + schema::quote_ident(col.name) + " of " + tn.str();
    std::string type_sql;
    if (!r[27].is_null() || !r[26].is_null()) {
      type_sql = !r[27].is_null() ? str(r[27]) : str(r[26]);
      if (p.rewrite_type) type_sql = p.rewrite_type(type_sql);
    } else {
      InfoSchemaType ty;
      ty.data_type = str(r[5]);
      ty.char_max_length = opt_long(r[6]);
      ty.numeric_precision = opt_long(r[7]);
      ty.numeric_scale = opt_long(r[8]);
      ty.datetime_precision = opt_long(r[9]);
      ty.interval_type = str(r[10]);
      ty.udt_schema = str(r[11]);
      ty.udt_name = str(r[12]);
      ty.domain_schema = str(r[13]);
      ty.domain_name = str(r[14]);
      ty.default_datetime_precision = p.default_datetime_precision;
      type_sql = sql_type_of(ty);
      try {
        col.type = canonical_type(ty);
      } catch (const std::exception&) {
        col.type.clear();  // reported below, with the type's text
      }
    }
    try {
      if (col.type.empty()) col.type = schema::canon_type(type_sql);
    } catch (const std::exception& e) {
      throw std::runtime_error("cannot canonicalise the type of " + what + " (" + type_sql +
                               "): " + e.what());
    }
    col.not_null = str(r[4]) == "NO";
    if (!r[16].is_null()) {
      std::string cs = str(r[15]);
      col.collation = cs.empty() || cs == "pg_catalog" || cs == "public"
                          ? schema::quote_ident(str(r[16]))
                          : schema::quote_ident(cs) + "." + schema::quote_ident(str(r[16]));
    }
    bool generated = str(r[24]) == "ALWAYS";
    if (generated && !str(r[25]).empty())
      col.generated = expr_of(ctx, str(r[25]), "the generation expression of " + what);
    else if (!r[3].is_null())
      col.default_expr = expr_of(ctx, str(r[3]), "the default of " + what);
    if (yes(r[17])) {
      col.identity = str(r[18]) == "ALWAYS" ? 'a' : 'd';
      // The sequence behind an identity column: its type is the column's,
      // its options what information_schema shows (the cache it does not).
      auto& s = col.identity_seq;
      s = schema::SequenceOptions{};
      s.type = col.type;
      s.increment = to_i64(r[20], 1);
      s.min = to_i64(r[22], s.increment > 0 ? 1 : INT64_MIN);
      s.max = to_i64(r[21], INT64_MAX);
      s.start = to_i64(r[19], s.increment > 0 ? s.min : s.max);
      s.cycle = yes(r[23]);
      std::string seq = str(r[28]);
      col.identity_seq_name =
          seq.empty() ? tn.name + "_" + col.name + "_seq" : unqualified_name(seq);
    }
    t->columns.push_back(std::move(col));
  }
}

}  // namespace seam::pgwire::infoschema
