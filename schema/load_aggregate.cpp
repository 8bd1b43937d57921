// CREATE AGGREGATE (modern, ordered-set, hypothetical-set and old-style
// forms), COMMENT ON / DROP AGGREGATE, and the check after the last file that
// every support function an aggregate names exists (resolve_aggregates).
//
// Values are stored as the server stores them in pg_aggregate, so that the
// desired state compares equal with the live catalog: the defaults DefineAggregate
// fills in (FINALFUNC_MODIFY read_only, or read_write for ordered-set
// aggregates; PARALLEL unsafe; transition space 0), an absent INITCOND apart
// from INITCOND = '', and function names in their canonical spelling
// (unqualified for pg_catalog and public, schema.name elsewhere).
#include <algorithm>

#include "schema/load_ctx.hpp"

namespace seam::schema {

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return s;
}

// A DefElem's value as the server's defGetString reads it.
std::string def_string(const PgQuery__DefElem* d) {
  if (!d->arg) return "";
  if (d->arg->node_case == PG_QUERY__NODE__NODE_TYPE_NAME) {
    auto parts = pgq::names_of(d->arg->type_name->names, d->arg->type_name->n_names);
    std::string s;
    for (const auto& p : parts) s += (s.empty() ? "" : ".") + p;
    return s;
  }
  return node_string(d->arg);
}

// Name parts of a function or operator reference (SFUNC = s.f, SORTOP = >).
std::vector<std::string> def_names(const PgQuery__DefElem* d) {
  if (!d->arg) return {};
  if (d->arg->node_case == PG_QUERY__NODE__NODE_TYPE_NAME)
    return pgq::names_of(d->arg->type_name->names, d->arg->type_name->n_names);
  if (d->arg->node_case == PG_QUERY__NODE__NODE_LIST)
    return pgq::names_of(d->arg->list->items, d->arg->list->n_items);
  return {node_string(d->arg)};
}

std::string param_mode(PgQuery__FunctionParameterMode m) {
  switch (m) {
    case PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_VARIADIC: return "VARIADIC";
    case PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_OUT: return "OUT";
    case PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_INOUT: return "INOUT";
    default: return "";
  }
}

}  // namespace

std::string canonical_routine_name(const std::string& schema, const std::string& name) {
  if (schema.empty() || schema == "pg_catalog" || schema == "public") return quote_ident(name);
  return quote_ident(schema) + "." + quote_ident(name);
}

void Loader::create_aggregate(const PgQuery__DefineStmt* s) {
  Aggregate g;
  g.name = qualify(s->defnames, s->n_defnames, -1);
  g.pos = pos(-1);
  g.notes = stmt_annotations();
  bool ordered = false;
  if (!s->oldstyle && s->n_args >= 1) {
    // args = (list of FunctionParameter, Integer number of direct args or -1)
    const PgQuery__Node* params = s->args[0];
    if (params && params->node_case == PG_QUERY__NODE__NODE_LIST) {
      for (size_t i = 0; i < params->list->n_items; i++) {
        const PgQuery__FunctionParameter* p = params->list->items[i]->function_parameter;
        FunctionArg a;
        a.mode = param_mode(p->mode);
        if (a.mode == "OUT" || a.mode == "INOUT") fail(-1, "aggregates cannot have output arguments");
        a.name = p->name ? p->name : "";
        a.type = type_name(p->arg_type);
        g.args.push_back(std::move(a));
      }
    }
    long long ndirect = s->n_args >= 2 ? node_int(s->args[1], -1) : -1;
    if (ndirect >= 0) {
      ordered = true;
      g.kind = 'o';
      g.direct_args = static_cast<int>(ndirect);
    }
  }

  struct Ref {
    std::string* field;
    std::vector<std::string> parts;
    int location;
  };
  std::vector<Ref> refs;
  bool modify_set = false, mmodify_set = false;
  std::string basetype;
  for (size_t i = 0; i < s->n_definition; i++) {
    const PgQuery__DefElem* d = s->definition[i]->def_elem;
    std::string k = lower(d->defname ? d->defname : "");
    auto fn = [&](std::string& field) { refs.push_back({&field, def_names(d), d->location}); };
    auto boolean = [&]() {
      if (!d->arg) return true;
      std::string v = lower(def_string(d));
      if (v == "true" || v == "on" || v == "1") return true;
      if (v == "false" || v == "off" || v == "0") return false;
      fail(d->location, k + " requires a Boolean value");
    };
    auto modify = [&]() -> char {
      std::string v = lower(def_string(d));
      if (v == "read_only") return 'r';
      if (v == "shareable") return 's';
      if (v == "read_write") return 'w';
      fail(d->location, "parameter \"" + k + "\" must be READ_ONLY, SHAREABLE, or READ_WRITE");
    };
    auto type = [&]() {
      if (d->arg && d->arg->node_case == PG_QUERY__NODE__NODE_TYPE_NAME) return type_name(d->arg->type_name);
      return def_string(d);
    };
    if (k == "sfunc" || k == "sfunc1") fn(g.sfunc);
    else if (k == "stype" || k == "stype1") g.stype = type();
    else if (k == "sspace") g.sspace = static_cast<int>(node_int(d->arg, 0));
    else if (k == "finalfunc") fn(g.finalfunc);
    else if (k == "finalfunc_extra") g.finalfunc_extra = boolean();
    else if (k == "finalfunc_modify") { g.finalfunc_modify = modify(); modify_set = true; }
    else if (k == "combinefunc") fn(g.combinefunc);
    else if (k == "serialfunc") fn(g.serialfunc);
    else if (k == "deserialfunc") fn(g.deserialfunc);
    else if (k == "initcond" || k == "initcond1") g.initcond = def_string(d);
    else if (k == "msfunc") fn(g.msfunc);
    else if (k == "minvfunc") fn(g.minvfunc);
    else if (k == "mstype") g.mstype = type();
    else if (k == "msspace") g.msspace = static_cast<int>(node_int(d->arg, 0));
    else if (k == "mfinalfunc") fn(g.mfinalfunc);
    else if (k == "mfinalfunc_extra") g.mfinalfunc_extra = boolean();
    else if (k == "mfinalfunc_modify") { g.mfinalfunc_modify = modify(); mmodify_set = true; }
    else if (k == "minitcond") g.minitcond = def_string(d);
    else if (k == "sortop") {
      auto parts = def_names(d);
      if (parts.empty()) fail(d->location, "SORTOP needs an operator");
      g.sortop = parts.size() == 2 && parts[0] != "pg_catalog" && parts[0] != "public" ? quote_ident(parts[0]) + "." + parts[1]
                                                                                        : parts.back();
    } else if (k == "parallel") {
      std::string v = lower(def_string(d));
      if (v == "safe") g.parallel = 's';
      else if (v == "restricted") g.parallel = 'r';
      else if (v == "unsafe") g.parallel = 'u';
      else fail(d->location, "parameter \"parallel\" must be SAFE, RESTRICTED, or UNSAFE");
    } else if (k == "hypothetical") {
      if (boolean()) g.kind = 'h';
    } else if (k == "basetype" && s->oldstyle) {
      basetype = type();
    } else {
      fail(d->location, "aggregate attribute \"" + k + "\" not recognized");
    }
  }
  if (s->oldstyle && !basetype.empty() && lower(basetype) != "\"any\"" && lower(basetype) != "any") {
    FunctionArg a;
    a.type = basetype;
    g.args.push_back(a);
  }
  if (g.kind == 'h' && !ordered) fail(-1, "only ordered-set aggregates can be hypothetical");
  if (std::none_of(refs.begin(), refs.end(), [&](const Ref& r) { return r.field == &g.sfunc; }))
    fail(-1, "aggregate sfunc must be specified");
  if (g.stype.empty()) fail(-1, "aggregate stype must be specified");
  if (!modify_set) g.finalfunc_modify = ordered ? 'w' : 'r';
  if (!mmodify_set) g.mfinalfunc_modify = ordered ? 'w' : 'r';

  std::string sig = g.signature();
  auto it = cat.aggregates.find(sig);
  if (it != cat.aggregates.end() && !s->replace)
    fail(-1, "aggregate " + sig + " is already defined at " + it->second.pos.str());
  if (cat.functions.count(sig)) fail(-1, "function " + sig + " already exists with the same argument types");
  // Function references are resolved after the last file (the function may
  // be defined later); keep the raw names with the search path of now.
  PendingAggregate pend;
  pend.search_path = search_path;
  for (auto& r : refs) {
    std::string field;
    if (r.field == &g.sfunc) field = "sfunc";
    else if (r.field == &g.finalfunc) field = "finalfunc";
    else if (r.field == &g.combinefunc) field = "combinefunc";
    else if (r.field == &g.serialfunc) field = "serialfunc";
    else if (r.field == &g.deserialfunc) field = "deserialfunc";
    else if (r.field == &g.msfunc) field = "msfunc";
    else if (r.field == &g.minvfunc) field = "minvfunc";
    else field = "mfinalfunc";
    if (r.parts.empty() || r.parts.size() > 2) fail(r.location, "improper function name for " + field);
    *r.field = r.parts.size() == 2 ? quote_ident(r.parts[0]) + "." + quote_ident(r.parts[1]) : quote_ident(r.parts[0]);
    pend.refs[field] = {r.parts, pos(r.location)};
  }
  agg_pending[sig] = std::move(pend);
  cat.aggregates[sig] = std::move(g);
}

Aggregate* Loader::find_aggregate(const PgQuery__ObjectWithArgs* ow) {
  QualName q = qualify(ow->objname, ow->n_objname, -1);
  std::vector<std::string> types;
  for (size_t i = 0; i < ow->n_objargs; i++) types.push_back(type_name(ow->objargs[i]->type_name));
  for (auto& [sig, g] : cat.aggregates) {
    if (g.name != q || g.args.size() != types.size()) continue;
    bool same = true;
    for (size_t i = 0; i < types.size(); i++) same = same && g.args[i].type == types[i];
    if (same) return &g;
  }
  return nullptr;
}

std::string Loader::aggregate_ref(const PgQuery__ObjectWithArgs* ow) const {
  QualName q = qualify(ow->objname, ow->n_objname, -1);
  std::string s;
  for (size_t i = 0; i < ow->n_objargs; i++) s += (i ? ", " : "") + type_name(ow->objargs[i]->type_name);
  return "aggregate " + q.str() + "(" + (ow->n_objargs ? s : "*") + ")";
}

void Loader::comment_aggregate(const PgQuery__ObjectWithArgs* ow, const std::string& text) {
  Aggregate* g = find_aggregate(ow);
  if (!g) fail(-1, "COMMENT ON " + aggregate_ref(ow) + ": it is not defined in the desired state");
  g->comment = text;
}

bool Loader::drop_aggregate(const PgQuery__ObjectWithArgs* ow, std::string& what) {
  what = aggregate_ref(ow);
  Aggregate* g = find_aggregate(ow);
  if (!g) return false;
  std::string sig = g->signature();
  agg_pending.erase(sig);
  cat.aggregates.erase(sig);
  return true;
}

std::optional<std::string> Loader::resolve_routine(const std::vector<std::string>& parts,
                                                  const std::vector<std::string>& path) const {
  auto defined = [&](const std::string& schema, const std::string& name) {
    for (const auto& [sig, f] : cat.functions)
      if (f.name.schema == schema && f.name.name == name) return true;
    for (const auto& [sig, g] : cat.aggregates)
      if (g.name.schema == schema && g.name.name == name) return true;
    return false;
  };
  if (parts.size() == 2) {
    if (parts[0] == "pg_catalog" || defined(parts[0], parts[1]) || !cat.extensions.empty())
      return canonical_routine_name(parts[0], parts[1]);
    return std::nullopt;
  }
  for (const auto& s : path)
    if (defined(s, parts[0])) return canonical_routine_name(s, parts[0]);
  // Not in the desired state: a built-in (int4pl, float8_accum, array_append ...).
  return canonical_routine_name("pg_catalog", parts[0]);
}

void Loader::resolve_aggregates() {
  for (auto& [sig, g] : cat.aggregates) {
    if (!cat.schemas.count(g.name.schema))
      throw InputError(g.pos.str() + ": aggregate " + sig + " is in schema " + quote_ident(g.name.schema) +
                       ", which the desired state does not create (add CREATE SCHEMA " +
                       quote_ident(g.name.schema) + ")");
    auto pend = agg_pending.find(sig);
    if (pend == agg_pending.end()) continue;
    std::map<std::string, std::string*> fields = {
        {"sfunc", &g.sfunc},           {"finalfunc", &g.finalfunc}, {"combinefunc", &g.combinefunc},
        {"serialfunc", &g.serialfunc}, {"deserialfunc", &g.deserialfunc}, {"msfunc", &g.msfunc},
        {"minvfunc", &g.minvfunc},     {"mfinalfunc", &g.mfinalfunc}};
    for (const auto& [field, ref] : pend->second.refs) {
      auto name = resolve_routine(ref.first, pend->second.search_path);
      if (!name)
        throw InputError(ref.second.str() + ": " + field + " of aggregate " + sig + " is " + quote_ident(ref.first[0]) + "." +
                         quote_ident(ref.first[1]) + ", which is neither built in nor defined in the desired state");
      *fields[field] = *name;
    }
  }
}

}  // namespace seam::schema
