// The live catalog inspector's driver (see inspect.hpp): opens the snapshot,
// sets the canonical session, picks the schemas in scope, then lets each
// inspect_*.cpp fill its part of the Catalog. Also the shared text helpers.
#include "dialects/postgres/inspect.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <stdexcept>

#include <pqxx/transaction>

#include "dialects/postgres/conn.hpp"
#include "dialects/postgres/inspect_internal.hpp"
#include "schema/canon.hpp"

namespace seam::pg {

namespace detail {

pqxx::result Ctx::query(const std::string& sql) { return tx.exec_params(sql, nsp_oids); }

void Ctx::unsupported(std::string what) { cat.unsupported.push_back(std::move(what)); }

std::string ext_member(const std::string& classid, const std::string& objid) {
  return "EXISTS (SELECT 1 FROM pg_catalog.pg_depend xd WHERE xd.classid = " + classid +
         " AND xd.objid = " + objid + " AND xd.deptype = 'e')";
}

std::string comment_join(const std::string& alias, const std::string& catalog, const std::string& objoid,
                         const std::string& subid) {
  return " LEFT JOIN pg_catalog.pg_description " + alias + " ON " + alias + ".objoid = " + objoid + " AND " +
         alias + ".classoid = 'pg_catalog." + catalog + "'::regclass AND " + alias + ".objsubid = " + subid + " ";
}

std::string other_name(const std::string& nsp, const std::string& name) {
  if (nsp.empty() || nsp == "pg_catalog" || nsp == "public") return schema::quote_ident(name);
  return schema::quote_ident(nsp) + "." + schema::quote_ident(name);
}

schema::Expr expr_of(std::string_view sql, const std::string& what) {
  try {
    return schema::canon_expr(sql);
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot canonicalise " + what + " as the server prints it (" +
                             std::string(sql) + "): " + e.what());
  }
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

namespace {
// Skips the quoted token starting at s[i] (' or "), returns the index after it.
size_t skip_quoted(std::string_view s, size_t i) {
  char q = s[i];
  for (++i; i < s.size(); ++i) {
    if (s[i] == q) {
      if (i + 1 < s.size() && s[i + 1] == q) {
        ++i;  // doubled quote
        continue;
      }
      return i + 1;
    }
  }
  return s.size();
}
}  // namespace

std::vector<std::string> split_top_level(std::string_view list) {
  std::vector<std::string> out;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < list.size();) {
    char c = list[i];
    if (c == '\'' || c == '"') {
      i = skip_quoted(list, i);
      continue;
    }
    if (c == '(' || c == '[') ++depth;
    if (c == ')' || c == ']') --depth;
    if (c == ',' && depth == 0) {
      out.push_back(trim(list.substr(start, i - start)));
      start = i + 1;
    }
    ++i;
  }
  std::string last = trim(list.substr(start));
  if (!last.empty() || !out.empty()) out.push_back(last);
  return out;
}

size_t matching_paren(std::string_view s, size_t open) {
  int depth = 0;
  for (size_t i = open; i < s.size();) {
    char c = s[i];
    if (c == '\'' || c == '"') {
      i = skip_quoted(s, i);
      continue;
    }
    if (c == '(') ++depth;
    if (c == ')' && --depth == 0) return i;
    ++i;
  }
  return std::string_view::npos;
}

size_t find_unquoted(std::string_view s, std::string_view needle, size_t from) {
  for (size_t i = from; i < s.size();) {
    if (s.compare(i, needle.size(), needle) == 0) return i;
    if (s[i] == '\'' || s[i] == '"') {
      i = skip_quoted(s, i);
      continue;
    }
    ++i;
  }
  return std::string_view::npos;
}

std::vector<std::string> text_array(const pqxx::field& f) {
  std::vector<std::string> out;
  if (f.is_null()) return out;
  auto parser = f.as_array();
  for (auto step = parser.get_next(); step.first != pqxx::array_parser::done; step = parser.get_next())
    if (step.first == pqxx::array_parser::string_value) out.push_back(step.second);
  return out;
}

std::string with_options(std::vector<std::string> opts, const std::string& prefix) {
  for (auto& o : opts) o = prefix + o;
  std::sort(opts.begin(), opts.end());
  std::string out;
  for (const auto& o : opts) out += (out.empty() ? "" : ",") + o;
  return out;
}

void inspect_schemas(Ctx& ctx) {
  auto rows = ctx.query(R"(
    SELECT n.nspname, obj_description(n.oid, 'pg_namespace')
    FROM pg_namespace n WHERE n.oid = ANY($1::oid[]))");
  // initdb comments the public schema; that comment is the server's, not
  // the user's (as pg_dump treats it).
  for (const auto& r : rows) {
    schema::Schema s;
    s.name = r[0].as<std::string>();
    s.comment = r[1].is_null() ? "" : r[1].as<std::string>();
    if (s.name == "public" && s.comment == "standard public schema") s.comment.clear();
    ctx.cat.schemas[s.name] = s;
  }
}

void inspect_extensions(Ctx& ctx) {
  // Extensions are database-wide: listed whatever the schema filter, so a
  // filtered inspection still knows which extensions its objects may use.
  // The comment the extension's control file sets is the extension's own,
  // not the user's: only a changed comment is kept.
  auto rows = ctx.tx.exec(R"(
    SELECT e.extname, n.nspname, e.extversion,
           nullif(obj_description(e.oid, 'pg_extension'), a.comment)
    FROM pg_extension e
    JOIN pg_namespace n ON n.oid = e.extnamespace
    LEFT JOIN pg_available_extensions a ON a.name = e.extname)");
  for (const auto& r : rows) {
    schema::Extension e;
    e.name = r[0].as<std::string>();
    e.schema = r[1].as<std::string>();
    e.version = r[2].as<std::string>();
    e.comment = r[3].is_null() ? "" : r[3].as<std::string>();
    ctx.cat.extensions[e.name] = e;
  }
}

}  // namespace detail

int server_version_num(pqxx::connection& c) {
  // libpq learns it at connection start; no query (and no transaction) needed.
  return c.server_version();
}

namespace {

bool is_system_schema(const std::string& n) {
  return n == "pg_catalog" || n == "information_schema" || n == kLedgerSchema ||
         n.rfind("pg_toast", 0) == 0 || n.rfind("pg_temp", 0) == 0;
}

}  // namespace

schema::Catalog inspect(pqxx::connection& c, const InspectOptions& o) {
  schema::Catalog cat;
  pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(c);
  // The canonical session (see inspect.hpp): how the server prints names and
  // constants must not depend on the caller's settings. UTF8 whatever the
  // database encoding: plan files and dumps are UTF-8 text.
  tx.exec(
      "SET LOCAL client_encoding = 'UTF8'; "
      "SET LOCAL search_path = pg_catalog, public; SET LOCAL DateStyle = 'ISO, MDY'; "
      "SET LOCAL IntervalStyle = 'postgres'; SET LOCAL TimeZone = 'UTC'; "
      "SET LOCAL extra_float_digits = 1; SET LOCAL bytea_output = 'hex'");

  auto info = tx.exec1(
      "SELECT current_setting('server_version_num')::int, "
      "split_part(current_setting('server_version'), ' ', 1)");
  cat.server_version = info[0].as<int>();
  cat.source = "live catalog: postgres " + info[1].as<std::string>() + " at " + describe_connection(c);

  // Schemas in scope. Schemas that belong to an extension go with it.
  std::set<std::string> include(o.include_schemas.begin(), o.include_schemas.end());
  std::set<std::string> exclude(o.exclude_schemas.begin(), o.exclude_schemas.end());
  std::string oids;
  std::set<std::string> existing;
  for (const auto& r : tx.exec("SELECT n.oid, n.nspname, " +
                               detail::ext_member("'pg_namespace'::regclass", "n.oid") +
                               ", coalesce(obj_description(n.oid, 'pg_namespace') = " +
                               schema::quote_literal(kLedgerSchemaComment) +
                               ", false) FROM pg_namespace n ORDER BY n.nspname")) {
    auto name = r[1].as<std::string>();
    existing.insert(name);
    if (r[2].as<bool>() || r[3].as<bool>() || is_system_schema(name) || exclude.count(name)) continue;
    if (!include.empty() && !include.count(name)) continue;
    oids += (oids.empty() ? "" : ",") + r[0].as<std::string>();
  }
  // A misspelt schema filter would otherwise read as "that schema is empty".
  for (const auto& name : include)
    if (!existing.count(name))
      throw std::runtime_error("schema " + schema::quote_ident(name) + " (given as a schema filter) does not exist in " +
                               describe_connection(c));

  detail::Ctx ctx{tx, cat.server_version, "{" + oids + "}", cat};
  detail::inspect_schemas(ctx);
  detail::inspect_extensions(ctx);
  detail::inspect_types(ctx);
  detail::inspect_sequences(ctx);
  detail::inspect_tables(ctx);
  detail::inspect_indexes(ctx);
  detail::inspect_views(ctx);
  detail::inspect_functions(ctx);
  detail::inspect_triggers(ctx);
  detail::inspect_aggregates(ctx);
  detail::inspect_event_triggers(ctx);
  std::sort(cat.unsupported.begin(), cat.unsupported.end());
  tx.commit();
  return cat;
}

}  // namespace seam::pg
