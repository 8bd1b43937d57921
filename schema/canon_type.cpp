#include "schema/canon_type.hpp"

#include <map>

#include "schema/canon.hpp"

namespace seam::schema {

namespace {

// Internal type names and the spelling format_type() prints for them.
const std::map<std::string, std::string>& sql_names() {
  static const std::map<std::string, std::string> m = {
      {"int2", "smallint"},
      {"int4", "integer"},
      {"int8", "bigint"},
      {"float4", "real"},
      {"float8", "double precision"},
      {"bool", "boolean"},
      {"varchar", "character varying"},
      {"timestamp", "timestamp without time zone"},
      {"timestamptz", "timestamp with time zone"},
      {"time", "time without time zone"},
      {"timetz", "time with time zone"},
      {"varbit", "bit varying"},
      {"decimal", "numeric"},
  };
  return m;
}

// The parser gives a restricted interval as typmods (field mask[, precision]),
// e.g. INTERVAL DAY TO SECOND(2) as (7176, 2); format_type spells it back as
// "interval day to second(2)", and so must seam (a numeric typmod list is not
// valid SQL, and "interval(6)" would be a precision). Masks as
// INTERVAL_MASK() in PostgreSQL's datetime.h.
std::string interval_type(const std::string& mods) {
  constexpr long kMonth = 1 << 1, kYear = 1 << 2, kDay = 1 << 3, kHour = 1 << 10,
                 kMinute = 1 << 11, kSecond = 1 << 12, kFull = 0x7FFF;
  static const std::pair<long, const char*> fields[] = {
      {kYear, " year"},
      {kMonth, " month"},
      {kDay, " day"},
      {kHour, " hour"},
      {kMinute, " minute"},
      {kSecond, " second"},
      {kYear | kMonth, " year to month"},
      {kDay | kHour, " day to hour"},
      {kDay | kHour | kMinute, " day to minute"},
      {kDay | kHour | kMinute | kSecond, " day to second"},
      {kHour | kMinute, " hour to minute"},
      {kHour | kMinute | kSecond, " hour to second"},
      {kMinute | kSecond, " minute to second"},
      {kFull, ""}};
  size_t comma = mods.find(',');
  std::string mask_text = mods.substr(0, comma);
  std::string prec = comma == std::string::npos ? "" : mods.substr(comma + 1);
  long mask = -1;
  try {
    mask = std::stol(mask_text);
  } catch (const std::exception&) {
  }
  for (const auto& [m, text] : fields)
    if (m == mask) return "interval" + std::string(text) + (prec.empty() ? "" : "(" + prec + ")");
  return "interval(" + mods + ")";  // not a mask the grammar makes: keep what was written
}

std::string typmod_list(const PgQuery__TypeName* t) {
  std::string out;
  for (size_t i = 0; i < t->n_typmods; i++) {
    const PgQuery__Node* m = t->typmods[i];
    std::string v;
    if (m->node_case == PG_QUERY__NODE__NODE_A_CONST) {
      const PgQuery__AConst* c = m->a_const;
      if (c->val_case == PG_QUERY__A__CONST__VAL_IVAL)
        v = std::to_string(c->ival->ival);
      else if (c->val_case == PG_QUERY__A__CONST__VAL_SVAL)
        v = c->sval->sval;
      else if (c->val_case == PG_QUERY__A__CONST__VAL_FVAL)
        v = c->fval->fval;
    } else if (m->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
      v = pgq::deparse_expr(m);
    }
    out += (i ? "," : "") + v;
  }
  return out;
}

}  // namespace

std::string format_type_name(const PgQuery__TypeName* t) {
  std::vector<std::string> names = pgq::names_of(t->names, t->n_names);
  bool builtin = false;
  if (names.size() >= 2 && (names[0] == "pg_catalog" || names[0] == "public")) {
    builtin = names[0] == "pg_catalog";
    names.erase(names.begin());
  }
  std::string mods = typmod_list(t);
  std::string base;
  if (names.size() == 1) {
    const std::string& n = names[0];
    auto it = sql_names().find(n);
    if (it != sql_names().end()) {
      base = it->second;
      // format_type puts the precision after the first word: timestamp(3) with time zone
      if (!mods.empty() && (n == "timestamp" || n == "timestamptz" || n == "time" || n == "timetz")) {
        size_t sp = base.find(' ');
        base = base.substr(0, sp) + "(" + mods + ")" + base.substr(sp);
        mods.clear();
      }
    } else if (n == "bpchar") {
      base = mods.empty() ? "bpchar" : "character";
    } else if (n == "interval" && builtin && !mods.empty()) {
      base = interval_type(mods);  // the typmods are a field mask and a precision
      mods.clear();
    } else {
      // pg_catalog names print bare even when they are keywords (numeric, bit)
      base = builtin ? n : quote_ident(n);
    }
  } else {
    for (size_t i = 0; i < names.size(); i++) base += (i ? "." : "") + quote_ident(names[i]);
  }
  // numeric(p) is numeric(p,0) to format_type
  if (base == "numeric" && !mods.empty() && mods.find(',') == std::string::npos) mods += ",0";
  if (!mods.empty()) base += "(" + mods + ")";
  if (t->n_array_bounds) base += "[]";
  if (t->pct_type) base += "%TYPE";
  return base;
}

}  // namespace seam::schema
