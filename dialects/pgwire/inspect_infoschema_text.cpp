// Text pieces of the information_schema inspector: types rebuilt from
// information_schema.columns, check clauses, index definitions.
#include <algorithm>
#include <cctype>
#include <regex>

#include "dialects/pgwire/inspect_infoschema.hpp"
#include "schema/canon.hpp"

namespace seam::pgwire {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

bool ends_with_ci(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && lower(s.substr(s.size() - suffix.size())) == lower(suffix);
}

// A type name in another schema, as SQL writes it; pg_catalog's bare.
std::string qualified(const std::string& schema, const std::string& name) {
  if (schema.empty() || schema == "pg_catalog") return schema::quote_ident(name);
  return schema::quote_ident(schema) + "." + schema::quote_ident(name);
}

// "timestamp with time zone" with precision 3 -> "timestamp(3) with time zone".
std::string with_precision_after_first_word(const std::string& type, long p) {
  size_t sp = type.find(' ');
  std::string mod = "(" + std::to_string(p) + ")";
  return sp == std::string::npos ? type + mod : type.substr(0, sp) + mod + type.substr(sp);
}

}  // namespace

std::string sql_type_of(const InfoSchemaType& t, const InfoSchemaType* element) {
  // A domain column reports its base type in data_type and the domain apart.
  if (!t.domain_name.empty()) return qualified(t.domain_schema, t.domain_name);
  const std::string dt = lower(t.data_type);
  if (dt == "user-defined") return qualified(t.udt_schema, t.udt_name);
  if (dt == "array") {
    if (element) {
      InfoSchemaType e = *element;
      e.default_datetime_precision = t.default_datetime_precision;
      return sql_type_of(e) + "[]";
    }
    // udt_name is the array type's own name: "_int4", "_varchar", "_mood".
    std::string n = t.udt_name;
    if (!n.empty() && n[0] == '_') n = n.substr(1);
    return qualified(t.udt_schema, n) + "[]";
  }
  auto len = [&](const std::string& base, const std::string& bare) {
    return t.char_max_length ? base + "(" + std::to_string(*t.char_max_length) + ")" : bare;
  };
  if (dt == "character varying") return len("character varying", "character varying");
  // format_type spells a char without length (only possible as bpchar) "bpchar".
  if (dt == "character") return len("character", "bpchar");
  if (dt == "bit") return len("bit", "bit");
  if (dt == "bit varying") return len("bit varying", "bit varying");
  if (dt == "numeric") {
    if (!t.numeric_precision) return "numeric";
    return "numeric(" + std::to_string(*t.numeric_precision) + "," +
           std::to_string(t.numeric_scale.value_or(0)) + ")";
  }
  // information_schema reports the default precision (6) whether or not it
  // was written, so timestamp(6) reads as timestamp: the one spelling it
  // cannot tell apart.
  if (dt == "timestamp without time zone" || dt == "timestamp with time zone" ||
      dt == "time without time zone" || dt == "time with time zone") {
    if (!t.datetime_precision || *t.datetime_precision == t.default_datetime_precision) return dt;
    return with_precision_after_first_word(dt, *t.datetime_precision);
  }
  if (dt == "interval") {
    std::string out = "interval";
    if (!t.interval_type.empty()) out += " " + lower(t.interval_type);
    // PostgreSQL's interval_type carries the precision itself: "DAY TO SECOND(2)".
    if (t.interval_type.find('(') == std::string::npos && t.datetime_precision &&
        *t.datetime_precision != t.default_datetime_precision)
      out += "(" + std::to_string(*t.datetime_precision) + ")";
    return out;
  }
  return dt;
}

std::string canonical_type(const InfoSchemaType& t, const InfoSchemaType* element) {
  std::string sql = sql_type_of(t, element);
  if (sql.rfind("interval ", 0) == 0) return sql;
  return schema::canon_type(sql);
}

CheckClause parse_check_clause(const std::string& clause) {
  CheckClause c;
  std::string s = trim(clause);
  if (s.size() > 5 && lower(s.substr(0, 5)) == "check" &&
      !std::isalnum(static_cast<unsigned char>(s[5])) && s[5] != '_')
    s = trim(s.substr(5));
  for (bool again = true; again;) {
    again = false;
    if (ends_with_ci(s, " NOT VALID")) {
      c.not_valid = again = true;
      s = trim(s.substr(0, s.size() - 10));
    }
    if (ends_with_ci(s, " NO INHERIT")) {
      c.no_inherit = again = true;
      s = trim(s.substr(0, s.size() - 11));
    }
  }
  c.expr = s;
  return c;
}

std::string not_null_column(const std::string& expr) {
  // Outer parentheses, an identifier (quoted or not), IS NOT NULL.
  static const std::regex re(
      R"(^\(*\s*("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)\s+IS\s+NOT\s+NULL\s*\)*$)",
      std::regex::icase);
  std::smatch m;
  if (!std::regex_match(expr, m, re)) return "";
  std::string id = m[1].str();
  if (id.front() == '"') {
    std::string out;
    for (size_t i = 1; i + 1 < id.size(); ++i) {
      out += id[i];
      if (id[i] == '"') ++i;  // "" -> "
    }
    return out;
  }
  return lower(id);  // unquoted identifiers fold to lower case
}

std::string normalize_indexdef(const std::string& def, const std::string& schema,
                               const std::string& table, const std::string& name) {
  static const std::regex head(R"(^\s*CREATE\s+(UNIQUE\s+)?INDEX\s)", std::regex::icase);
  std::smatch m;
  if (!std::regex_search(def, m, head)) return "";
  // " USING <method> (" ends the ON clause; quoted names cannot contain it
  // unquoted, so the first occurrence outside double quotes is the one.
  bool quoted = false;
  for (size_t i = m.length(0); i + 7 <= def.size(); ++i) {
    if (def[i] == '"') quoted = !quoted;
    if (!quoted && def.compare(i, 7, " USING ") == 0)
      return std::string("CREATE ") + (m[1].matched ? "UNIQUE " : "") + "INDEX " +
             schema::quote_ident(name) + " ON " + schema::quote_qual({schema, table}) +
             def.substr(i);
  }
  return "";
}

}  // namespace seam::pgwire
