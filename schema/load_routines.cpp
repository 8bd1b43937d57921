// CREATE FUNCTION / PROCEDURE and CREATE TRIGGER.
#include <algorithm>
#include <map>

#include "schema/load_ctx.hpp"

namespace seam::schema {

namespace {

std::string param_mode(PgQuery__FunctionParameterMode m) {
  switch (m) {
    case PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_OUT: return "OUT";
    case PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_INOUT: return "INOUT";
    case PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_VARIADIC: return "VARIADIC";
    case PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_TABLE: return "TABLE";
    default: return "";
  }
}

// proconfig spelling: the GUC's canonical name, list settings with each
// element quoted like an identifier when needed ('' -> "").
std::string config_entry(const PgQuery__VariableSetStmt* v) {
  std::string name = v->name ? v->name : "";
  static const std::map<std::string, std::string> mixed = {
      {"timezone", "TimeZone"}, {"datestyle", "DateStyle"}, {"intervalstyle", "IntervalStyle"}};
  if (auto it = mixed.find(name); it != mixed.end()) name = it->second;
  bool list = name == "search_path" || name == "temp_tablespaces" || name == "session_preload_libraries" ||
              name == "local_preload_libraries";
  std::string val;
  for (size_t j = 0; j < v->n_args; j++) {
    std::string a = node_string(v->args[j]);
    if (list) a = a.empty() ? "\"\"" : quote_ident(a);
    val += (j ? ", " : "") + a;
  }
  return name + "=" + val;
}

}  // namespace

void Loader::create_function(const PgQuery__CreateFunctionStmt* s) {
  Function f;
  f.name = qualify(s->funcname, s->n_funcname, -1);
  f.procedure = s->is_procedure;
  f.pos = pos(-1);
  f.notes = stmt_annotations();
  std::vector<std::string> table_cols, outs;
  for (size_t i = 0; i < s->n_parameters; i++) {
    const PgQuery__FunctionParameter* p = s->parameters[i]->function_parameter;
    FunctionArg a;
    a.mode = param_mode(p->mode);
    a.name = p->name ? p->name : "";
    a.type = type_name(p->arg_type);
    if (p->defexpr) a.default_expr = expr(p->defexpr);
    if (a.mode == "TABLE") table_cols.push_back(quote_ident(a.name) + " " + a.type);
    if (a.mode == "OUT" || a.mode == "INOUT") outs.push_back(a.type);
    f.args.push_back(std::move(a));
  }
  if (!table_cols.empty()) {
    f.returns = "TABLE(";
    for (size_t i = 0; i < table_cols.size(); i++) f.returns += (i ? ", " : "") + table_cols[i];
    f.returns += ")";
  } else if (s->return_type) {
    f.returns = (s->return_type->setof ? "SETOF " : "") + type_name(s->return_type);
  } else if (!f.procedure) {
    if (outs.empty()) fail(-1, "function " + f.name.str() + " has no RETURNS clause and no OUT parameters");
    f.returns = outs.size() == 1 ? outs[0] : "record";
  }
  bool cost_set = false, rows_set = false;
  for (size_t i = 0; i < s->n_options; i++) {
    const PgQuery__DefElem* d = s->options[i]->def_elem;
    std::string k = d->defname ? d->defname : "";
    if (k == "as") {
      const PgQuery__List* l = d->arg->list;
      if (l->n_items != 1) unsupported(d->location, "functions in C (AS 'obj_file', 'link_symbol') are not supported");
      f.body = node_string(l->items[0]);
    } else if (k == "language") {
      f.language = node_string(d->arg);
      for (auto& c : f.language) c = static_cast<char>(tolower(c));
    } else if (k == "volatility") {
      f.volatility = node_string(d->arg)[0];
    } else if (k == "strict") {
      f.strict = node_string(d->arg) == "true";
    } else if (k == "security") {
      f.security_definer = node_string(d->arg) == "true";
    } else if (k == "leakproof") {
      f.leakproof = node_string(d->arg) == "true";
    } else if (k == "parallel") {
      f.parallel = node_string(d->arg)[0];
    } else if (k == "cost") {
      f.cost = std::stod(node_string(d->arg));
      cost_set = true;
    } else if (k == "rows") {
      f.rows = std::stod(node_string(d->arg));
      rows_set = true;
    } else if (k == "set") {
      f.config.push_back(config_entry(d->arg->variable_set_stmt));
    } else if (k == "window") {
      unsupported(d->location, "window functions are not supported");
    } else if (k == "support") {
      unsupported(d->location, "SUPPORT functions are not supported");
    } else {
      unsupported(d->location, "function option " + k + " is not supported");
    }
  }
  if (s->sql_body) {
    // SQL-standard body (RETURN expr / BEGIN ATOMIC ... END): kept as written,
    // from its first keyword to the end of the statement; compared canonically.
    std::string text = file->text.substr(stmt_off, stmt_len);
    int depth = 0;
    size_t at = std::string::npos;
    for (const auto& tok : pgq::scan(text)) {
      if (tok.token == '(') depth++;
      else if (tok.token == ')') depth--;
      else if (depth == 0 && (tok.token == PG_QUERY__TOKEN__RETURN || tok.token == PG_QUERY__TOKEN__BEGIN_P)) {
        at = tok.start;
        break;
      }
    }
    if (at == std::string::npos) fail(-1, "cannot find the body of " + f.name.str());
    f.body = text.substr(at);
    while (!f.body.empty() && (isspace(static_cast<unsigned char>(f.body.back())) || f.body.back() == ';')) f.body.pop_back();
    if (f.language.empty()) f.language = "sql";
  }
  if (f.language.empty()) fail(-1, "no language specified for " + f.name.str());
  if (!cost_set) f.cost = (f.language == "c" || f.language == "internal") ? 1 : 100;
  if (!rows_set) f.rows = f.returns.rfind("SETOF ", 0) == 0 || f.returns.rfind("TABLE(", 0) == 0 ? 1000 : 0;
  std::sort(f.config.begin(), f.config.end());
  std::string sig = f.signature();
  auto it = cat.functions.find(sig);
  if (it != cat.functions.end() && !s->replace)
    fail(-1, "function " + sig + " is already defined at " + it->second.pos.str());
  cat.functions[sig] = std::move(f);
}

void Loader::create_trigger(const PgQuery__CreateTrigStmt* s) {
  Trigger t;
  t.name = s->trigname ? s->trigname : "";
  t.table = qualify(s->relation);
  t.pos = pos(-1);
  t.notes = stmt_annotations();
  // TRIGGER_TYPE_* bits from PostgreSQL's pg_trigger.h
  t.timing = s->timing & 2 ? "BEFORE" : s->timing & 64 ? "INSTEAD OF" : "AFTER";
  if (s->events & 4) t.events.push_back("INSERT");
  if (s->events & 16) t.events.push_back("UPDATE");
  if (s->events & 8) t.events.push_back("DELETE");
  if (s->events & 32) t.events.push_back("TRUNCATE");
  for (size_t i = 0; i < s->n_columns; i++) t.update_columns.push_back(std::string(pgq::str_of(s->columns[i])));
  t.for_each_row = s->row;
  if (s->when_clause) t.when = expr(s->when_clause);
  auto fn = pgq::names_of(s->funcname, s->n_funcname);
  t.function = fn.size() == 2 ? QualName{fn[0], fn[1]} : QualName{"", fn.back()};  // resolved in finish()
  for (size_t i = 0; i < s->n_args; i++) t.args.push_back(node_string(s->args[i]));
  t.constraint_trigger = s->isconstraint;
  t.deferrable = s->deferrable;
  t.initially_deferred = s->initdeferred;
  if (s->constrrel) unsupported(-1, "constraint triggers with FROM are not supported");
  for (size_t i = 0; i < s->n_transition_rels; i++) {
    const auto* tr = s->transition_rels[i]->trigger_transition;
    (tr->is_new ? t.new_table : t.old_table) = tr->name ? tr->name : "";
  }
  auto key = std::make_pair(t.table, t.name);
  auto it = cat.triggers.find(key);
  if (it != cat.triggers.end() && !s->replace)
    fail(-1, "trigger " + quote_ident(t.name) + " on " + t.table.str() + " is already defined at " + it->second.pos.str());
  cat.triggers[key] = std::move(t);
}

}  // namespace seam::schema
