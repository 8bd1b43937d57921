// The information_schema inspector's driver (see inspect_infoschema.hpp):
// opens the read-only snapshot, picks the schemas in scope, lets each
// inspect_infoschema_*.cpp fill its part, then adds what the profile lists as
// unsupported and refuses what it cannot read correctly.
#include <algorithm>
#include <cctype>
#include <regex>
#include <stdexcept>

#include "dialects/pgwire/inspect_infoschema_internal.hpp"
#include "dialects/postgres/conn.hpp"
#include "dialects/postgres/inspect.hpp"
#include "schema/canon.hpp"
#include "schema/errors.hpp"

namespace seam::pgwire {

namespace infoschema {

std::string product_sql(const Ctx& ctx, const std::string& sql) {
  return ctx.p.rewrite_expr ? ctx.p.rewrite_expr(sql) : sql;
}

schema::Expr expr_of(const Ctx& ctx, const std::string& sql, const std::string& what) {
  std::string text = product_sql(ctx, sql);
  try {
    return schema::canon_expr(text);
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot canonicalise " + what + " as " + ctx.p.product +
                             " prints it (" + sql + "): " + e.what());
  }
}

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool is_system_schema(const InfoSchemaProfile& p, const std::string& n) {
  std::string l = lower(n);
  if (l == "pg_catalog" || l == "information_schema" || l.rfind("pg_toast", 0) == 0 ||
      l.rfind("pg_temp", 0) == 0 || n == pg::kLedgerSchema)
    return true;
  for (const auto& s : p.system_schemas)
    if (l == lower(s)) return true;
  return false;
}

void read_schemas(Ctx& ctx) {
  std::map<std::string, std::string> comments;
  if (ctx.p.comments)
    for (const auto& r :
         ctx.query("SELECT n.nspname, obj_description(n.oid, 'pg_namespace') FROM pg_namespace n"))
      if (!r[1].is_null()) comments[r[0].as<std::string>()] = r[1].as<std::string>();
  std::set<std::string> include(ctx.opts.include_schemas.begin(), ctx.opts.include_schemas.end());
  std::set<std::string> exclude(ctx.opts.exclude_schemas.begin(), ctx.opts.exclude_schemas.end());
  std::set<std::string> existing;
  for (const auto& r : ctx.query("SELECT schema_name FROM information_schema.schemata")) {
    std::string name = r[0].as<std::string>();
    existing.insert(name);
    if (is_system_schema(ctx.p, name) || exclude.count(name)) continue;
    if (!include.empty() && !include.count(name)) continue;
    std::string comment = comments.count(name) ? comments[name] : "";
    // A job ledger kept in another schema (`seam apply --ledger-schema`).
    if (comment == pg::kLedgerSchemaComment) continue;
    // initdb's comment on public is the server's, not the user's (as pg::inspect).
    if (name == "public" && comment == "standard public schema") comment.clear();
    ctx.schemas.insert(name);
    ctx.cat.schemas[name] = schema::Schema{name, comment, {}};
  }
  // A misspelt schema filter would otherwise read as "that schema is empty".
  for (const auto& name : include)
    if (!existing.count(name))
      throw std::runtime_error("schema " + schema::quote_ident(name) +
                               " (given as a schema filter) does not exist in " + ctx.p.product);
}

std::string object_line(const ObjectQuery& q, const pqxx::row& r) {
  std::string line = q.label + " " + schema::quote_qual({str(r[0]), str(r[1])});
  if (r.size() > 2 && !r[2].is_null() && !r[2].as<std::string>().empty())
    line += " " + r[2].as<std::string>();
  return line + q.note;
}

// A profile's query: a failure names the profile's question (these queries
// were written from documentation for products that do not run here).
pqxx::result object_query(Ctx& ctx, const std::string& label, const std::string& sql) {
  try {
    return ctx.query(sql);
  } catch (const pqxx::sql_error& e) {
    throw std::runtime_error(
        ctx.p.product + ": the query that lists " + label + " objects failed: " + e.what() +
        (ctx.p.dialect == "postgres" ? ""
                                     : " (seam's queries for this product have not been run "
                                       "against a live server; please report it)"));
  }
}

void read_object_queries(Ctx& ctx) {
  for (const auto& q : ctx.p.refuse)
    for (const auto& r : object_query(ctx, q.label, q.sql))
      if (ctx.in_scope(str(r[0])))
        throw UnsupportedError(
            ctx.p.product + ": " + object_line(q, r) +
            " cannot be read by seam's information_schema inspector without giving a wrong "
            "model; leave its schema out of what seam manages");
  if (!ctx.p.constraint_index_query.empty())
    for (const auto& r : object_query(ctx, "constraint index", ctx.p.constraint_index_query))
      ctx.skip_indexes.insert({str(r[0]), str(r[1])});
  for (const auto& q : ctx.p.unsupported)
    for (const auto& r : object_query(ctx, q.label, q.sql))
      if (ctx.in_scope(str(r[0]))) ctx.unsupported(object_line(q, r));
}

}  // namespace

// Comments on relations, columns and constraints (schemas: read_schemas;
// enum types: read_enums). pg_class names relations per schema, so a
// comment goes to the table, view or index of that name.
void read_comments(Ctx& ctx) {
  if (!ctx.p.comments) return;
  for (const auto& r : ctx.query(R"(
      SELECT n.nspname, c.relname, obj_description(c.oid, 'pg_class')
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE obj_description(c.oid, 'pg_class') IS NOT NULL)")) {
    schema::QualName q{str(r[0]), str(r[1])};
    if (!ctx.in_scope(q.schema)) continue;
    if (auto* t = ctx.cat.find_table(q)) t->comment = str(r[2]);
    if (auto v = ctx.cat.views.find(q); v != ctx.cat.views.end()) v->second.comment = str(r[2]);
    if (auto i = ctx.cat.indexes.find(q); i != ctx.cat.indexes.end()) i->second.comment = str(r[2]);
  }
  for (const auto& r : ctx.query(R"(
      SELECT n.nspname, c.relname, a.attname, col_description(c.oid, a.attnum)
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE a.attnum > 0 AND col_description(c.oid, a.attnum) IS NOT NULL)")) {
    schema::QualName q{str(r[0]), str(r[1])};
    if (!ctx.in_scope(q.schema)) continue;
    if (auto* t = ctx.cat.find_table(q))
      if (auto* col = t->find_column(str(r[2]))) col->comment = str(r[3]);
    if (auto v = ctx.cat.views.find(q); v != ctx.cat.views.end())
      v->second.column_comments[str(r[2])] = str(r[3]);
  }
  for (const auto& r : ctx.query(R"(
      SELECT n.nspname, c.relname, con.conname, obj_description(con.oid, 'pg_constraint')
      FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE obj_description(con.oid, 'pg_constraint') IS NOT NULL)")) {
    schema::QualName q{str(r[0]), str(r[1])};
    if (!ctx.in_scope(q.schema)) continue;
    if (auto* t = ctx.cat.find_table(q))
      for (auto& k : t->constraints)
        if (k.name == str(r[2])) k.comment = str(r[3]);
  }
}

}  // namespace infoschema

InfoSchemaProfile profile_for(const Server& s) {
  if (s.dialect == "cockroachdb") return cockroachdb_profile(s.version);
  if (s.dialect == "spanner-pg") return spanner_profile();
  if (s.dialect == "postgres")
    return postgres_profile(s.version.major * 10000 + std::max(s.version.minor, 0));
  throw UnsupportedError("seam has no information_schema profile for " + describe(s) +
                         "; it is read with the PostgreSQL inspector");
}

schema::Catalog inspect_infoschema(pqxx::connection& c, const InfoSchemaProfile& p,
                                   const pg::InspectOptions& o) {
  schema::Catalog cat;
  cat.source = "live catalog: " + p.product + " at " + pg::describe_connection(c);
  cat.server_version = c.server_version();
  // BEGIN/COMMIT by hand: each product spells its read-only snapshot
  // (Spanner reads information_schema only in a read-only transaction).
  pqxx::nontransaction tx(c);
  tx.exec(p.begin);
  try {
    for (const auto& s : p.session) tx.exec(s);
    infoschema::Ctx ctx{tx, p, o, cat, {}, {}};
    infoschema::read_schemas(ctx);
    infoschema::read_object_queries(ctx);
    infoschema::read_enums(ctx);
    infoschema::read_tables(ctx);
    infoschema::read_constraints(ctx);
    infoschema::read_views(ctx);  // before indexes: materialized views have some
    if (p.pg_indexes)
      infoschema::read_indexes(ctx);
    else if (p.read_indexes)
      p.read_indexes(tx, ctx.schemas, cat);
    infoschema::read_comments(ctx);
    std::sort(cat.unsupported.begin(), cat.unsupported.end());
    cat.unsupported.erase(std::unique(cat.unsupported.begin(), cat.unsupported.end()),
                          cat.unsupported.end());
    tx.exec("COMMIT");
  } catch (...) {
    try {
      tx.exec("ROLLBACK");
    } catch (...) {
    }
    throw;
  }
  return cat;
}

}  // namespace seam::pgwire
