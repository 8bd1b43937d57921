// Views (information_schema.views), materialized views (pg_matviews) and
// enum types (pg_enum), where the product has them.
#include <algorithm>

#include "dialects/pgwire/inspect_infoschema_internal.hpp"
#include "schema/canon.hpp"
#include "schema/errors.hpp"

namespace seam::pgwire::infoschema {

namespace {

schema::Expr query_of(const Ctx& ctx, std::string def, const schema::QualName& v) {
  def = product_sql(ctx, def);
  size_t e = def.find_last_not_of(" \t\r\n;");
  def = e == std::string::npos ? "" : def.substr(0, e + 1);
  try {
    return schema::canon_query(def);
  } catch (const std::exception& ex) {
    throw std::runtime_error("cannot canonicalise the query of view " + v.str() + " as " +
                             ctx.p.product + " prints it: " + ex.what());
  }
}

}  // namespace

void read_views(Ctx& ctx) {
  for (const auto& r : ctx.query("SELECT table_schema, table_name, view_definition, check_option "
                                 "FROM information_schema.views")) {
    schema::View v;
    v.name = {str(r[0]), str(r[1])};
    if (!ctx.in_scope(v.name.schema)) continue;
    // PostgreSQL shows the definition to the view's owner only: without it
    // the view cannot be compared, and leaving it out would read as "drop it".
    if (r[2].is_null())
      throw UnsupportedError(
          ctx.p.product + ": the definition of view " + v.name.str() +
          " is not visible to this user (information_schema shows it to the view's owner); "
          "inspect as the owner");
    v.query = query_of(ctx, str(r[2]), v.name);
    std::string check = str(r[3]);
    if (check == "LOCAL" || check == "CASCADED")
      v.with = "check_option=" + std::string(check == "LOCAL" ? "local" : "cascaded");
    ctx.cat.views[v.name] = std::move(v);
  }
  if (ctx.p.matviews)
    for (const auto& r : ctx.query("SELECT schemaname, matviewname, definition FROM pg_matviews")) {
      schema::View v;
      v.name = {str(r[0]), str(r[1])};
      if (!ctx.in_scope(v.name.schema)) continue;
      v.materialized = true;
      v.query = query_of(ctx, str(r[2]), v.name);
      ctx.cat.views[v.name] = std::move(v);
    }
  if (ctx.p.view_table_usage) {
    for (const auto& r : ctx.query(R"(
        SELECT DISTINCT view_schema, view_name, table_schema, table_name FROM information_schema.view_table_usage
        ORDER BY 1, 2, 3, 4)")) {
      auto it = ctx.cat.views.find({str(r[0]), str(r[1])});
      if (it != ctx.cat.views.end()) it->second.deps.push_back({str(r[2]), str(r[3])});
    }
  }
}

void read_enums(Ctx& ctx) {
  if (!ctx.p.enums) return;
  std::string comment = ctx.p.comments ? "obj_description(t.oid, 'pg_type')" : "NULL";
  for (const auto& r : ctx.query(R"(
      SELECT n.nspname, t.typname, e.enumlabel, )" +
                                 comment + R"(
      FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid JOIN pg_namespace n ON n.oid = t.typnamespace
      ORDER BY n.nspname, t.typname, e.enumsortorder)")) {
    schema::QualName q{str(r[0]), str(r[1])};
    if (!ctx.in_scope(q.schema)) continue;
    auto [it, fresh] = ctx.cat.types.try_emplace(q);
    if (fresh) {
      it->second.name = q;
      it->second.kind = schema::TypeKind::Enum;
      it->second.comment = str(r[3]);
    }
    it->second.labels.push_back(str(r[2]));
  }
}

}  // namespace seam::pgwire::infoschema
