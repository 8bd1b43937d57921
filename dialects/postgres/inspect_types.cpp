// Live inspection of user-defined types: enums, domains and composite types.
// Array types and table row types are implicit and not listed; range and base
// types are recorded as unsupported.
#include <algorithm>
#include <map>

#include "dialects/postgres/inspect_internal.hpp"

namespace seam::pg::detail {

void inspect_types(Ctx& ctx) {
  auto rows = ctx.query(R"(
    SELECT t.oid, n.nspname, t.typname, t.typtype,
           (SELECT array_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid),
           CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END,
           CASE WHEN t.typtype = 'd' AND t.typcollation <> 0 AND t.typcollation <> bt.typcollation
                THEN co.collname END,
           con.nspname, t.typnotnull, pg_get_expr(t.typdefaultbin, 0),
           obj_description(t.oid, 'pg_type'), t.typrelid
    FROM pg_type t
    JOIN pg_namespace n ON n.oid = t.typnamespace
    LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
    LEFT JOIN pg_collation co ON co.oid = t.typcollation
    LEFT JOIN pg_namespace con ON con.oid = co.collnamespace
    LEFT JOIN pg_class rc ON rc.oid = t.typrelid
    WHERE t.typnamespace = ANY($1::oid[]) AND t.typisdefined
      AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND rc.relkind = 'c')
           OR (t.typtype = 'b' AND t.typcategory <> 'A'))
      AND NOT )" + ext_member("'pg_type'::regclass", "t.oid"));
  std::map<unsigned, schema::QualName> by_oid;
  std::map<unsigned, schema::QualName> by_relid;
  for (const auto& r : rows) {
    schema::Type t;
    t.name = {r[1].as<std::string>(), r[2].as<std::string>()};
    char kind = r[3].as<std::string>()[0];
    if (kind == 'r' || kind == 'b') {
      ctx.unsupported(std::string(kind == 'r' ? "range" : "base") + " type " + t.name.str());
      continue;
    }
    t.kind = kind == 'e' ? schema::TypeKind::Enum : kind == 'd' ? schema::TypeKind::Domain
                                                                : schema::TypeKind::Composite;
    t.labels = text_array(r[4]);
    t.base_type = str(r[5]);
    if (!r[6].is_null()) t.collation = other_name(str(r[7]), r[6].as<std::string>());
    t.not_null = r[8].as<bool>();
    if (!r[9].is_null()) t.default_expr = expr_of(r[9].as<std::string>(), "the default of domain " + t.name.str());
    t.comment = str(r[10]);
    by_oid[r[0].as<unsigned>()] = t.name;
    if (kind == 'c') by_relid[r[11].as<unsigned>()] = t.name;
    ctx.cat.types[t.name] = std::move(t);
  }

  // Domain CHECK constraints (NOT NULL is Type::not_null; PostgreSQL 17+ also
  // lists it in pg_constraint as contype 'n').
  for (const auto& r : ctx.query(R"(
    SELECT con.contypid, con.conname, pg_get_expr(con.conbin, 0), con.convalidated,
           obj_description(con.oid, 'pg_constraint')
    FROM pg_constraint con JOIN pg_type t ON t.oid = con.contypid
    WHERE con.contype = 'c' AND t.typnamespace = ANY($1::oid[]))")) {
    auto it = by_oid.find(r[0].as<unsigned>());
    if (it == by_oid.end()) continue;
    auto& t = ctx.cat.types[it->second];
    schema::DomainCheck c;
    c.name = r[1].as<std::string>();
    c.check = expr_of(r[2].as<std::string>(), "CHECK " + c.name + " of domain " + t.name.str());
    c.not_valid = !r[3].as<bool>();
    c.comment = str(r[4]);
    t.checks.push_back(std::move(c));
  }
  for (auto& [name, t] : ctx.cat.types)
    std::sort(t.checks.begin(), t.checks.end(),
              [](const schema::DomainCheck& a, const schema::DomainCheck& b) { return a.name < b.name; });

  // Composite type attributes, in order.
  for (const auto& r : ctx.query(R"(
    SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod),
           CASE WHEN a.attcollation <> 0 AND a.attcollation <> at.typcollation THEN co.collname END,
           con.nspname
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_type at ON at.oid = a.atttypid
    LEFT JOIN pg_collation co ON co.oid = a.attcollation
    LEFT JOIN pg_namespace con ON con.oid = co.collnamespace
    WHERE c.relkind = 'c' AND c.relnamespace = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY a.attrelid, a.attnum)")) {
    auto it = by_relid.find(r[0].as<unsigned>());
    if (it == by_relid.end()) continue;
    schema::CompositeAttr a;
    a.name = r[1].as<std::string>();
    a.type = r[2].as<std::string>();
    if (!r[3].is_null()) a.collation = other_name(str(r[4]), r[3].as<std::string>());
    ctx.cat.types[it->second].attrs.push_back(std::move(a));
  }
}

}  // namespace seam::pg::detail
