// Live inspection of functions and procedures. Aggregates are read by
// inspect_aggregates.cpp; window functions are recorded as unsupported.
#include <algorithm>

#include "dialects/postgres/inspect_internal.hpp"

namespace seam::pg::detail {

namespace {

std::string arg_mode(char m) {
  switch (m) {
    case 'o': return "OUT";
    case 'b': return "INOUT";
    case 'v': return "VARIADIC";
    case 't': return "TABLE";
    default: return "";
  }
}

// An SQL-standard body (PostgreSQL 14+: RETURN expr / BEGIN ATOMIC ... END)
// is not in prosrc; take it from the end of pg_get_functiondef, which prints
// the header one clause per line and then the body.
std::string sql_body(const std::string& def) {
  for (const char* start : {"\nRETURN ", "\nBEGIN ATOMIC"}) {
    size_t at = def.find(start);
    if (at != std::string::npos) return trim(std::string_view(def).substr(at + 1));
  }
  return trim(def);
}

}  // namespace

void inspect_functions(Ctx& ctx) {
  const bool pg14 = ctx.version >= 140000;
  auto rows = ctx.query(std::string(R"(
    SELECT n.nspname, p.proname, p.prokind, l.lanname, p.prosrc, )") +
                        (pg14 ? "CASE WHEN p.prosqlbody IS NOT NULL THEN pg_get_functiondef(p.oid) END"
                              : "NULL::text") + R"(,
           pg_get_function_result(p.oid), p.provolatile, p.proisstrict, p.prosecdef,
           p.proleakproof, p.proparallel, p.procost, p.prorows, p.proconfig,
           p.proargmodes::text[], p.proargnames,
           (SELECT array_agg(format_type(x.t, NULL) ORDER BY x.n)
              FROM unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) WITH ORDINALITY x(t, n)),
           p.pronargdefaults, pg_get_expr(p.proargdefaults, 0),
           obj_description(p.oid, 'pg_proc'), pg_get_function_identity_arguments(p.oid)
    FROM pg_proc p
    JOIN pg_namespace n ON n.oid = p.pronamespace
    JOIN pg_language l ON l.oid = p.prolang
    WHERE p.pronamespace = ANY($1::oid[])
      AND NOT )" + ext_member("'pg_proc'::regclass", "p.oid") + R"(
      -- functions made by another object (a range type's constructors) go with it
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                      AND d.objid = p.oid AND d.deptype = 'i'))");
  for (const auto& r : rows) {
    schema::Function f;
    f.name = {r[0].as<std::string>(), r[1].as<std::string>()};
    char kind = r[2].as<std::string>()[0];
    if (kind == 'a') continue;  // inspect_aggregates.cpp
    if (kind == 'w') {
      ctx.unsupported(std::string("window function ") + f.name.str() + "(" +
                      r[21].as<std::string>() + ")");
      continue;
    }
    f.procedure = kind == 'p';
    f.language = r[3].as<std::string>();
    f.body = r[5].is_null() ? str(r[4]) : sql_body(r[5].as<std::string>());
    f.returns = str(r[6]);
    f.volatility = r[7].as<std::string>()[0];
    f.strict = r[8].as<bool>();
    f.security_definer = r[9].as<bool>();
    f.leakproof = r[10].as<bool>();
    f.parallel = r[11].as<std::string>()[0];
    f.cost = r[12].as<double>();
    f.rows = r[13].as<double>();
    f.config = text_array(r[14]);
    std::sort(f.config.begin(), f.config.end());

    auto modes = text_array(r[15]);
    auto names = text_array(r[16]);
    auto types = text_array(r[17]);
    for (size_t k = 0; k < types.size(); ++k) {
      schema::FunctionArg a;
      a.mode = k < modes.size() ? arg_mode(modes[k][0]) : "";
      a.name = k < names.size() ? names[k] : "";
      a.type = types[k];
      f.args.push_back(std::move(a));
    }
    // Defaults belong to the last pronargdefaults input arguments.
    int ndefaults = r[18].as<int>();
    if (ndefaults > 0 && !r[19].is_null()) {
      auto defaults = split_top_level(r[19].as<std::string>());
      int next = static_cast<int>(defaults.size()) - 1;
      for (auto it = f.args.rbegin(); it != f.args.rend() && next >= 0; ++it) {
        if (it->mode == "OUT" || it->mode == "TABLE") continue;
        it->default_expr = expr_of(defaults[next], "the default of argument " +
                                                       (it->name.empty() ? std::to_string(next) : it->name) +
                                                       " of " + f.name.str());
        --next;
      }
    }
    f.comment = str(r[20]);
    ctx.cat.functions[f.signature()] = std::move(f);
  }
}

}  // namespace seam::pg::detail
