// Indexes from pg_indexes.indexdef, parsed by the desired-state loader: the
// same code that turns `CREATE INDEX` in a schema file into schema::Index, so
// the live index and the file's compare equal by construction.
//
// The loader needs the table of an index to exist, so each definition is
// loaded after a stub of its table (CREATE TABLE with the table's column
// names; built-in column types as inspected, others as text - the type only
// decides which operator class is the default, and the server prints only
// non-default ones). An index that implements a PRIMARY KEY or UNIQUE
// constraint (same name, same table) is that constraint: it gives the
// constraint's INCLUDE columns and NULLS NOT DISTINCT. Where a product lists
// a unique index as a UNIQUE constraint (CockroachDB) and the index has what
// a constraint cannot (WHERE, expressions, DESC, another method), it is kept
// as an index and the constraint entry dropped.
#include <algorithm>
#include <map>
#include <tuple>

#include "dialects/pgwire/inspect_infoschema_internal.hpp"
#include "schema/canon.hpp"
#include "schema/errors.hpp"
#include "schema/load.hpp"

namespace seam::pgwire::infoschema {

namespace {

struct Def {
  schema::QualName table;
  std::string name, sql;
};

bool constraint_can_hold(const schema::Index& ix) {
  if (ix.method != "btree" || ix.where) return false;
  for (const auto& e : ix.elems)
    if (e.column.empty() || e.desc || e.nulls || !e.collation.empty() || !e.opclass.empty())
      return false;
  return true;
}

using DefKey = std::tuple<std::string, std::string, std::string>;  // schema, table, index

// The loader's model of each definition.
std::map<DefKey, schema::Index> load_defs(const Ctx& ctx, const std::vector<Def>& defs) {
  std::map<DefKey, schema::Index> out;
  // One script per table keeps index names (per schema in the model, per
  // table in some products) from colliding and an error naming its index.
  for (const auto& d : defs) {
    const schema::Table* t = ctx.cat.find_table(d.table);
    std::string script;
    if (d.table.schema != "public")
      script += "CREATE SCHEMA " + schema::quote_ident(d.table.schema) + ";\n";
    if (!t) {
      // An index on a materialized view: the loader checks no columns there.
      script += "CREATE MATERIALIZED VIEW " + schema::quote_qual(d.table) + " AS SELECT 1;\n" +
                d.sql + ";\n";
    } else {
      script += "CREATE TABLE " + schema::quote_qual(d.table) + " (";
      bool first = true;
      for (const auto& c : t->columns) {
        bool builtin = c.type.find('.') == std::string::npos &&
                       c.type.find('"') == std::string::npos &&
                       !ctx.cat.types.count({"public", c.type});
        script +=
            (first ? "" : ", ") + schema::quote_ident(c.name) + " " + (builtin ? c.type : "text");
        first = false;
      }
      script += ");\n" + d.sql + ";\n";
    }
    try {
      auto res = schema::load_sql(script, "index " + schema::quote_qual({d.table.schema, d.name}));
      auto it = res.catalog.indexes.find({d.table.schema, d.name});
      if (it == res.catalog.indexes.end())
        throw std::runtime_error("the loader made no index of it");
      schema::Index ix = it->second;
      ix.pos = {};
      ix.notes.clear();
      out[{d.table.schema, d.table.name, d.name}] = std::move(ix);
    } catch (const std::exception& e) {
      throw std::runtime_error("cannot read index " + schema::quote_qual({d.table.schema, d.name}) +
                               " of " + d.table.str() + " as " + ctx.p.product + " prints it (" +
                               d.sql + "): " + e.what());
    }
  }
  return out;
}

}  // namespace

void read_indexes(Ctx& ctx) {
  std::vector<Def> defs;
  for (const auto& r :
       ctx.query("SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes")) {
    schema::QualName table{str(r[0]), str(r[1])};
    std::string name = str(r[2]);
    if (!ctx.in_scope(table.schema) || (!ctx.cat.find_table(table) && !ctx.cat.views.count(table)))
      continue;
    if (ctx.skip_indexes.count({table.schema, name})) continue;
    std::string def = str(r[3]);
    if (ctx.p.rewrite_indexdef) {
      std::vector<std::string> notes;
      def = ctx.p.rewrite_indexdef(def, notes);
      for (auto& n : notes) ctx.unsupported(n + " on " + table.str());
    }
    std::string sql = normalize_indexdef(def, table.schema, table.name, name);
    if (sql.empty())
      throw std::runtime_error("cannot read index " + schema::quote_ident(name) + " of " +
                               table.str() + ": " + ctx.p.product + " prints it as \"" + def +
                               "\", not CREATE INDEX ... USING ...");
    defs.push_back({table, name, sql});
  }
  auto loaded = load_defs(ctx, defs);
  for (const auto& d : defs) {
    schema::Index ix = loaded.at({d.table.schema, d.table.name, d.name});
    schema::Table* t = ctx.cat.find_table(d.table);
    schema::Constraint* k = nullptr;
    if (t)
      for (auto& c : t->constraints)
        if (c.name == d.name && (c.kind == schema::ConstraintKind::PrimaryKey ||
                                 c.kind == schema::ConstraintKind::Unique))
          k = &c;
    if (k && (k->kind == schema::ConstraintKind::PrimaryKey || constraint_can_hold(ix))) {
      k->include = ix.include;
      k->nulls_not_distinct = k->nulls_not_distinct || ix.nulls_not_distinct;
      continue;
    }
    if (k) {  // a unique index listed as a constraint, with what a constraint cannot have
      std::string name = k->name;
      t->constraints.erase(
          std::remove_if(t->constraints.begin(), t->constraints.end(),
                         [&](const schema::Constraint& c) { return c.name == name; }),
          t->constraints.end());
    }
    if (ctx.cat.indexes.count(ix.name))
      throw UnsupportedError(ctx.p.product + ": two indexes of schema " +
                             schema::quote_ident(ix.name.schema) + " are named " +
                             schema::quote_ident(ix.name.name) +
                             " (index names are per schema in seam's model); rename one");
    ctx.cat.indexes[ix.name] = std::move(ix);
  }
}

}  // namespace seam::pgwire::infoschema
