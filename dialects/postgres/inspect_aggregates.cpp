// Live inspection of aggregates (pg_aggregate joined to pg_proc, prokind 'a').
// Support functions are named as the loader names them: unqualified for
// pg_catalog and public, schema.name elsewhere (other_name), which is how
// regproc prints them under the canonical search path unless a name is
// overloaded - so spelled from pg_proc rather than by a regproc cast.
#include <algorithm>

#include "dialects/postgres/inspect_internal.hpp"

namespace seam::pg::detail {

namespace {

// SQL: ARRAY[schema, name] of the function whose oid is in column `col` (NULL for none).
std::string proc_name(const std::string& col) {
  return "(SELECT ARRAY[xn.nspname::text, xp.proname::text] FROM pg_catalog.pg_proc xp "
         "JOIN pg_catalog.pg_namespace xn ON xn.oid = xp.pronamespace WHERE xp.oid = " + col + ")";
}

std::string routine(const pqxx::field& f) {
  auto v = text_array(f);
  return v.size() == 2 ? other_name(v[0], v[1]) : "";
}

std::string arg_mode(char m) {
  switch (m) {
    case 'v': return "VARIADIC";
    case 'o': return "OUT";
    case 'b': return "INOUT";
    default: return "";
  }
}

}  // namespace

void inspect_aggregates(Ctx& ctx) {
  static const char* const fns[] = {"a.aggtransfn",   "a.aggfinalfn", "a.aggcombinefn", "a.aggserialfn",
                                    "a.aggdeserialfn", "a.aggmtransfn", "a.aggminvtransfn", "a.aggmfinalfn"};
  std::string sql = "SELECT n.nspname, p.proname, a.aggkind, a.aggnumdirectargs, p.proargmodes::text[], p.proargnames, "
                    "(SELECT array_agg(format_type(x.t, NULL) ORDER BY x.n) "
                    "   FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY x(t, n)), "
                    "format_type(a.aggtranstype, NULL), a.aggtransspace, a.aggfinalextra, a.aggfinalmodify, "
                    "a.agginitval, CASE WHEN a.aggmtranstype <> 0 THEN format_type(a.aggmtranstype, NULL) END, "
                    "a.aggmtransspace, a.aggmfinalextra, a.aggmfinalmodify, a.aggminitval, "
                    "(SELECT CASE WHEN opn.nspname IN ('pg_catalog', 'public') THEN o.oprname::text "
                    "             ELSE quote_ident(opn.nspname) || '.' || o.oprname END "
                    "   FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace opn ON opn.oid = o.oprnamespace "
                    "  WHERE o.oid = a.aggsortop), "
                    "p.proparallel, obj_description(p.oid, 'pg_proc')";
  for (const char* f : fns) sql += ", " + proc_name(f);
  sql += " FROM pg_catalog.pg_aggregate a JOIN pg_catalog.pg_proc p ON p.oid = a.aggfnoid "
         "JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
         "WHERE p.pronamespace = ANY($1::oid[]) AND NOT " + ext_member("'pg_proc'::regclass", "p.oid");
  for (const auto& r : ctx.query(sql)) {
    schema::Aggregate g;
    g.name = {r[0].as<std::string>(), r[1].as<std::string>()};
    g.kind = r[2].as<std::string>()[0];
    g.direct_args = r[3].as<int>();
    auto modes = text_array(r[4]);
    auto names = text_array(r[5]);
    auto types = text_array(r[6]);
    for (size_t k = 0; k < types.size(); ++k) {
      schema::FunctionArg a;
      a.mode = k < modes.size() ? arg_mode(modes[k][0]) : "";
      a.name = k < names.size() ? names[k] : "";
      a.type = types[k];
      g.args.push_back(std::move(a));
    }
    g.stype = r[7].as<std::string>();
    g.sspace = r[8].as<int>();
    g.finalfunc_extra = r[9].as<bool>();
    g.finalfunc_modify = r[10].as<std::string>()[0];
    if (!r[11].is_null()) g.initcond = r[11].as<std::string>();
    g.mstype = str(r[12]);
    g.msspace = r[13].as<int>();
    g.mfinalfunc_extra = r[14].as<bool>();
    g.mfinalfunc_modify = r[15].as<std::string>()[0];
    if (!r[16].is_null()) g.minitcond = r[16].as<std::string>();
    g.sortop = str(r[17]);
    g.parallel = r[18].as<std::string>()[0];
    g.comment = str(r[19]);
    std::string* fields[] = {&g.sfunc, &g.finalfunc, &g.combinefunc, &g.serialfunc,
                             &g.deserialfunc, &g.msfunc, &g.minvfunc, &g.mfinalfunc};
    for (size_t k = 0; k < 8; ++k) *fields[k] = routine(r[static_cast<int>(20 + k)]);
    ctx.cat.aggregates[g.signature()] = std::move(g);
  }
}

}  // namespace seam::pg::detail
