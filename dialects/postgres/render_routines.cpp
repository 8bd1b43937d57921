// CREATE FUNCTION / CREATE PROCEDURE, CREATE TRIGGER, CREATE AGGREGATE,
// CREATE EVENT TRIGGER and their comments.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>

#include "dialects/postgres/render_create.hpp"
#include "dialects/postgres/render_util.hpp"
#include "schema/canon.hpp"
#include "schema/errors.hpp"

namespace seam::pg {

using namespace render_detail;
using schema::quote_ident;
using schema::quote_literal;
using schema::quote_qual;

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Shortest text that reads back as the same double: "100", "0.25", "1e+30".
std::string number(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<int64_t>(v));
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

bool returns_set(const schema::Function& f) {
  std::string r = lower(trim(f.returns));
  if (r.rfind("setof ", 0) == 0 || r.rfind("table(", 0) == 0 || r.rfind("table (", 0) == 0) return true;
  for (const auto& a : f.args)
    if (a.mode == "TABLE") return true;
  return false;
}

}  // namespace

bool sql_standard_body(const schema::Function& f) {
  if (lower(f.language) != "sql") return false;
  std::string b = lower(trim(f.body));
  auto word = [&](std::string_view w) {
    return b.rfind(w, 0) == 0 && (b.size() == w.size() || std::isspace(static_cast<unsigned char>(b[w.size()])) ||
                                  b[w.size()] == '(');
  };
  if (word("return")) return true;
  if (b.rfind("begin", 0) == 0) {
    std::string rest = trim(std::string_view(b).substr(5));
    return rest.rfind("atomic", 0) == 0;
  }
  return false;
}

namespace {

// GUCs whose value is a list of (possibly double-quoted) names; pg_dump's
// variable_is_guc_list_quote. Each element becomes its own literal.
bool guc_list_quote(std::string_view name) {
  return name == "search_path" || name == "temp_tablespaces" || name == "session_preload_libraries" ||
         name == "shared_preload_libraries" || name == "local_preload_libraries" ||
         name == "unix_socket_directories";
}

// SplitGUCList: comma-separated elements, whitespace-trimmed, double quotes
// removed (with "" as an escaped quote).
std::vector<std::string> split_guc_list(std::string_view v) {
  std::vector<std::string> out;
  size_t i = 0;
  while (true) {
    while (i < v.size() && std::isspace(static_cast<unsigned char>(v[i]))) ++i;
    std::string elem;
    if (i < v.size() && v[i] == '"') {
      for (++i; i < v.size(); ++i) {
        if (v[i] == '"') {
          if (i + 1 < v.size() && v[i + 1] == '"') {
            elem += '"';
            ++i;
            continue;
          }
          ++i;
          break;
        }
        elem += v[i];
      }
      while (i < v.size() && v[i] != ',') ++i;
    } else {
      size_t e = v.find(',', i);
      if (e == std::string_view::npos) e = v.size();
      elem = trim(v.substr(i, e - i));
      i = e;
    }
    out.push_back(elem);
    if (i >= v.size()) break;
    ++i;  // the comma
  }
  return out;
}

std::string set_clause(const std::string& entry) {
  size_t eq = entry.find('=');
  if (eq == std::string::npos)
    throw UnsupportedError("function configuration entry \"" + entry + "\" is not of the form name=value.");
  std::string name = entry.substr(0, eq);
  std::string value = entry.substr(eq + 1);
  std::string s = "SET " + quote_ident(name) + " TO ";
  if (guc_list_quote(name)) {
    std::vector<std::string> lits;
    for (const auto& e : split_guc_list(value)) lits.push_back(quote_literal(e));
    s += join(lits, ", ");
  } else {
    s += quote_literal(value);
  }
  return s;
}

std::string arg_sql(const schema::FunctionArg& a) {
  std::string s;
  if (!a.mode.empty() && a.mode != "IN") s += a.mode + " ";
  if (!a.name.empty()) s += quote_ident(a.name) + " ";
  s += a.type;
  if (has_expr(a.default_expr)) s += " DEFAULT " + expr_text(*a.default_expr);
  return s;
}

}  // namespace

std::string dollar_tag(std::string_view body) {
  // The tag must not occur in the body, nor straddle its end ("...$" + "$$").
  auto fits = [&](const std::string& tag) {
    std::string s = std::string(body) + tag;
    return s.find(tag) == body.size();
  };
  if (fits("$$")) return "$$";
  if (fits("$body$")) return "$body$";
  for (int i = 1;; ++i) {
    std::string tag = "$body" + std::to_string(i) + "$";
    if (fits(tag)) return tag;
  }
}

std::string function_ref(const schema::Function& f) {
  std::vector<std::string> types;
  for (const auto& a : f.args)
    if (a.mode.empty() || a.mode == "IN" || a.mode == "INOUT" || a.mode == "VARIADIC") types.push_back(a.type);
  return quote_qual(f.name) + "(" + join(types, ", ") + ")";
}

std::string create_sql(const schema::Function& f) {
  std::string lang = lower(f.language);
  if (lang == "c")
    throw UnsupportedError("function " + function_ref(f) +
                           " is written in C; seam cannot render it because the model does not record its object "
                           "file. Create it through its extension instead.");
  std::vector<std::string> args;
  std::vector<std::string> table_cols;
  for (const auto& a : f.args) {
    if (a.mode == "TABLE")
      table_cols.push_back(quote_ident(a.name) + " " + a.type);
    else
      args.push_back(arg_sql(a));
  }
  std::string s = std::string("CREATE ") + (f.procedure ? "PROCEDURE " : "FUNCTION ") + quote_qual(f.name) + "(" +
                  join(args, ", ") + ")";
  if (!f.procedure) {
    if (!f.returns.empty())
      s += " RETURNS " + f.returns;
    else if (!table_cols.empty())
      s += " RETURNS TABLE(" + join(table_cols, ", ") + ")";
  }
  s += "\n    LANGUAGE " + quote_ident(f.language);
  if (!f.procedure) {
    if (f.volatility == 'i') s += " IMMUTABLE";
    if (f.volatility == 's') s += " STABLE";
    if (f.strict) s += " STRICT";
  }
  if (f.security_definer) s += " SECURITY DEFINER";
  if (!f.procedure) {
    if (f.leakproof) s += " LEAKPROOF";
    if (f.parallel == 's') s += " PARALLEL SAFE";
    if (f.parallel == 'r') s += " PARALLEL RESTRICTED";
    double def_cost = (lang == "internal" || lang == "c") ? 1 : 100;
    if (f.cost != def_cost) s += " COST " + number(f.cost);
    if (returns_set(f) && f.rows != 1000 && f.rows != 0) s += " ROWS " + number(f.rows);
  }
  for (const auto& c : f.config) s += "\n    " + set_clause(c);
  if (sql_standard_body(f)) {
    s += "\n" + trim(f.body);
    if (s.back() != ';') s += ";";
    return s + "\n";
  }
  std::string tag = dollar_tag(f.body);
  return s + "\nAS " + tag + f.body + tag + ";\n";
}

std::string comment_sql(const schema::Function& f) {
  return comment_stmt((f.procedure ? "PROCEDURE " : "FUNCTION ") + function_ref(f), f.comment);
}

std::string create_sql(const schema::Trigger& tr) {
  std::string s = std::string("CREATE ") + (tr.constraint_trigger ? "CONSTRAINT " : "") + "TRIGGER " +
                  quote_ident(tr.name) + " " + tr.timing + " ";
  std::vector<std::string> events;
  for (const auto& e : tr.events) {
    if (e == "UPDATE" && !tr.update_columns.empty())
      events.push_back("UPDATE OF " + ident_list(tr.update_columns));
    else
      events.push_back(e);
  }
  s += join(events, " OR ") + " ON " + quote_qual(tr.table);
  if (tr.constraint_trigger) {
    if (tr.deferrable) s += "\n    DEFERRABLE";
    if (tr.initially_deferred) s += " INITIALLY DEFERRED";
  }
  if (!tr.old_table.empty() || !tr.new_table.empty()) {
    s += "\n    REFERENCING";
    if (!tr.old_table.empty()) s += " OLD TABLE AS " + quote_ident(tr.old_table);
    if (!tr.new_table.empty()) s += " NEW TABLE AS " + quote_ident(tr.new_table);
  }
  s += tr.for_each_row ? "\n    FOR EACH ROW" : "\n    FOR EACH STATEMENT";
  if (has_expr(tr.when)) s += "\n    WHEN " + paren(expr_text(*tr.when));
  std::vector<std::string> args;
  for (const auto& a : tr.args) args.push_back(quote_literal(a));
  s += "\n    EXECUTE FUNCTION " + quote_qual(tr.function) + "(" + join(args, ", ") + ");\n";
  return s;
}

std::string comment_sql(const schema::Trigger& tr) {
  return comment_stmt("TRIGGER " + quote_ident(tr.name) + " ON " + quote_qual(tr.table), tr.comment);
}

std::string create_sql(const schema::View& v) {
  std::string s = std::string("CREATE ") + (v.materialized ? "MATERIALIZED VIEW " : "VIEW ") + quote_qual(v.name);
  if (!v.columns.empty()) s += " (" + ident_list(v.columns) + ")";
  if (!v.with.empty()) s += " WITH (" + render_options(v.with) + ")";
  std::string q = expr_text(v.query);
  // pg_get_viewdef ends the query with ";"; the statement adds its own.
  size_t end = q.size();
  while (end > 0 && (q[end - 1] == ';' || std::isspace(static_cast<unsigned char>(q[end - 1])))) --end;
  size_t begin = 0;
  while (begin < end && (q[begin] == '\n' || q[begin] == '\r')) ++begin;
  return s + " AS\n" + q.substr(begin, end - begin) + ";\n";
}

std::string comment_sql(const schema::View& v) {
  return comment_stmt((v.materialized ? "MATERIALIZED VIEW " : "VIEW ") + quote_qual(v.name), v.comment);
}

std::string comment_sql(const schema::View& v, const std::string& column, const std::string& comment) {
  return comment_stmt("COLUMN " + quote_qual(v.name) + "." + quote_ident(column), comment);
}

// --- CREATE AGGREGATE and CREATE EVENT TRIGGER -----------------------------
// Support function names are stored in their canonical spelling (quoted
// already, schema-qualified outside pg_catalog and public) and print as they are.

namespace {

std::string aggregate_arg(const schema::FunctionArg& a) {
  std::string s = a.mode == "VARIADIC" ? "VARIADIC " : "";
  if (!a.name.empty()) s += quote_ident(a.name) + " ";
  return s + a.type;
}

std::string aggregate_args(const schema::Aggregate& g) {
  std::vector<std::string> direct, rest;
  if (g.kind == 'n') {
    for (const auto& a : g.args) direct.push_back(aggregate_arg(a));
    return direct.empty() ? "*" : join(direct, ", ");
  }
  size_t d = std::min(static_cast<size_t>(g.direct_args), g.args.size());
  for (size_t i = 0; i < g.args.size(); ++i) (i < d ? direct : rest).push_back(aggregate_arg(g.args[i]));
  // "VARIADIC x ORDER BY VARIADIC x" is stored as one argument.
  if (rest.empty() && d > 0) rest.push_back(direct.back());
  return (direct.empty() ? "" : join(direct, ", ") + " ") + "ORDER BY " + join(rest, ", ");
}

const char* modify_word(char m) { return m == 's' ? "SHAREABLE" : m == 'w' ? "READ_WRITE" : "READ_ONLY"; }

}  // namespace

std::string create_sql(const schema::Aggregate& g) {
  bool ordered = g.kind != 'n';
  char default_modify = ordered ? 'w' : 'r';
  std::vector<std::string> opts;
  opts.push_back("SFUNC = " + g.sfunc);
  opts.push_back("STYPE = " + g.stype);
  if (g.sspace) opts.push_back("SSPACE = " + std::to_string(g.sspace));
  if (!g.finalfunc.empty()) opts.push_back("FINALFUNC = " + g.finalfunc);
  if (g.finalfunc_extra) opts.push_back("FINALFUNC_EXTRA");
  if (g.finalfunc_modify != default_modify) opts.push_back(std::string("FINALFUNC_MODIFY = ") + modify_word(g.finalfunc_modify));
  if (!g.combinefunc.empty()) opts.push_back("COMBINEFUNC = " + g.combinefunc);
  if (!g.serialfunc.empty()) opts.push_back("SERIALFUNC = " + g.serialfunc);
  if (!g.deserialfunc.empty()) opts.push_back("DESERIALFUNC = " + g.deserialfunc);
  if (g.initcond) opts.push_back("INITCOND = " + quote_literal(*g.initcond));
  if (!g.msfunc.empty()) opts.push_back("MSFUNC = " + g.msfunc);
  if (!g.minvfunc.empty()) opts.push_back("MINVFUNC = " + g.minvfunc);
  if (!g.mstype.empty()) opts.push_back("MSTYPE = " + g.mstype);
  if (g.msspace) opts.push_back("MSSPACE = " + std::to_string(g.msspace));
  if (!g.mfinalfunc.empty()) opts.push_back("MFINALFUNC = " + g.mfinalfunc);
  if (g.mfinalfunc_extra) opts.push_back("MFINALFUNC_EXTRA");
  if (g.mfinalfunc_modify != default_modify)
    opts.push_back(std::string("MFINALFUNC_MODIFY = ") + modify_word(g.mfinalfunc_modify));
  if (g.minitcond) opts.push_back("MINITCOND = " + quote_literal(*g.minitcond));
  if (!g.sortop.empty())
    opts.push_back("SORTOP = " + (g.sortop.find('.') == std::string::npos ? g.sortop : "OPERATOR(" + g.sortop + ")"));
  if (g.parallel == 's') opts.push_back("PARALLEL = SAFE");
  if (g.parallel == 'r') opts.push_back("PARALLEL = RESTRICTED");
  if (g.kind == 'h') opts.push_back("HYPOTHETICAL");
  return "CREATE AGGREGATE " + quote_qual(g.name) + "(" + aggregate_args(g) + ") (\n    " + join(opts, ",\n    ") +
         "\n);\n";
}

std::string aggregate_ref(const schema::Aggregate& g) { return quote_qual(g.name) + "(" + g.arg_list() + ")"; }

std::string comment_sql(const schema::Aggregate& g) { return comment_stmt("AGGREGATE " + aggregate_ref(g), g.comment); }

std::string enable_sql(const schema::EventTrigger& e) {
  const char* state = e.enabled == 'D' ? "DISABLE" : e.enabled == 'R' ? "ENABLE REPLICA" : e.enabled == 'A' ? "ENABLE ALWAYS" : "ENABLE";
  return "ALTER EVENT TRIGGER " + quote_ident(e.name) + " " + state + ";\n";
}

std::string create_sql(const schema::EventTrigger& e) {
  std::string s = "CREATE EVENT TRIGGER " + quote_ident(e.name) + " ON " + quote_ident(e.event);
  if (!e.tags.empty()) {
    std::vector<std::string> tags;
    for (const auto& t : e.tags) tags.push_back(quote_literal(t));
    s += "\n    WHEN TAG IN (" + join(tags, ", ") + ")";
  }
  s += "\n    EXECUTE FUNCTION " + quote_qual(e.function) + "();\n";
  if (e.enabled != 'O') s += enable_sql(e);
  return s;
}

std::string comment_sql(const schema::EventTrigger& e) {
  return comment_stmt("EVENT TRIGGER " + quote_ident(e.name), e.comment);
}

}  // namespace seam::pg
