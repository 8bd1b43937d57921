// Live inspection of views and materialized views: the canonical query, the
// options, column comments, and the relations each view reads (View::deps).
#include <algorithm>
#include <map>

#include "dialects/postgres/inspect_internal.hpp"
#include "schema/canon.hpp"

namespace seam::pg::detail {

void inspect_views(Ctx& ctx) {
  std::map<unsigned, schema::QualName> by_oid;
  for (const auto& r : ctx.query(R"(
    SELECT c.oid, n.nspname, c.relname, c.relkind, pg_get_viewdef(c.oid), c.reloptions,
           obj_description(c.oid, 'pg_class')
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('v', 'm') AND c.relnamespace = ANY($1::oid[])
      AND NOT )" + ext_member("'pg_class'::regclass", "c.oid"))) {
    schema::View v;
    v.name = {r[1].as<std::string>(), r[2].as<std::string>()};
    v.materialized = r[3].as<std::string>() == "m";
    // The server folds an explicit column list into the query's output
    // aliases, so View::columns stays empty here.
    std::string def = trim(r[4].as<std::string>());
    if (!def.empty() && def.back() == ';') def = trim(def.substr(0, def.size() - 1));
    try {
      v.query = schema::canon_query(def);
    } catch (const std::exception& e) {
      throw std::runtime_error("cannot canonicalise the query of view " + v.name.str() +
                               " as the server prints it: " + e.what());
    }
    v.with = with_options(text_array(r[5]));
    v.comment = str(r[6]);
    by_oid[r[0].as<unsigned>()] = v.name;
    ctx.cat.views[v.name] = std::move(v);
  }

  for (const auto& r : ctx.query(R"(
    SELECT a.attrelid, a.attname, d.description
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_description d ON d.objoid = a.attrelid AND d.classoid = 'pg_class'::regclass
         AND d.objsubid = a.attnum
    WHERE c.relkind IN ('v', 'm') AND c.relnamespace = ANY($1::oid[]) AND a.attnum > 0)")) {
    auto it = by_oid.find(r[0].as<unsigned>());
    if (it != by_oid.end()) ctx.cat.views[it->second].column_comments[r[1].as<std::string>()] = r[2].as<std::string>();
  }

  // A view's rewrite rule depends on every relation its query reads.
  for (const auto& r : ctx.query(R"(
    SELECT DISTINCT rw.ev_class, dn.nspname, dc.relname
    FROM pg_rewrite rw
    JOIN pg_class c ON c.oid = rw.ev_class
    JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid
         AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> rw.ev_class
    JOIN pg_class dc ON dc.oid = d.refobjid
    JOIN pg_namespace dn ON dn.oid = dc.relnamespace
    WHERE c.relkind IN ('v', 'm') AND c.relnamespace = ANY($1::oid[])
      AND dc.relkind IN ('r', 'p', 'v', 'm', 'f')
    ORDER BY 1, 2, 3)")) {
    auto it = by_oid.find(r[0].as<unsigned>());
    if (it != by_oid.end())
      ctx.cat.views[it->second].deps.push_back({r[1].as<std::string>(), r[2].as<std::string>()});
  }

  // ... and every function it calls (View::dep_functions), spelled like
  // Function::signature(): the canonical search path makes oidvectortypes
  // print the argument types as the model stores them.
  for (const auto& r : ctx.query(R"(
    SELECT DISTINCT rw.ev_class, pn.nspname, p.proname, oidvectortypes(p.proargtypes)
    FROM pg_rewrite rw
    JOIN pg_class c ON c.oid = rw.ev_class
    JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid
         AND d.refclassid = 'pg_proc'::regclass
    JOIN pg_proc p ON p.oid = d.refobjid
    JOIN pg_namespace pn ON pn.oid = p.pronamespace
    WHERE c.relkind IN ('v', 'm') AND c.relnamespace = ANY($1::oid[])
      AND pn.nspname NOT IN ('pg_catalog', 'information_schema')
    ORDER BY 1, 2, 3, 4)")) {
    auto it = by_oid.find(r[0].as<unsigned>());
    if (it != by_oid.end())
      ctx.cat.views[it->second].dep_functions.push_back(
          schema::QualName{r[1].as<std::string>(), r[2].as<std::string>()}.str() + "(" + r[3].as<std::string>() + ")");
  }
}

}  // namespace seam::pg::detail
