// Canonical forms (see canon.hpp). The rules here are the contract between
// the file loader and the live inspector: each rule removes one spelling
// difference between what people write and what pg_get_expr prints.
#include "schema/canon.hpp"

#include <cstring>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

#include "schema/canon_type.hpp"
#include "schema/pgq.hpp"

namespace seam::schema {

namespace {

bool plain_ident_chars(std::string_view s) {
  if (s.empty()) return false;
  if (!((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_')) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

// A word that is a keyword other than UNRESERVED_KEYWORD must be quoted.
bool is_quote_needing_keyword(std::string_view s) {
  static std::mutex mu;
  static std::unordered_map<std::string, bool> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(std::string(s));
  if (it != cache.end()) return it->second;
  auto toks = pgq::scan(s);
  bool kw = toks.size() == 1 && toks[0].keyword_kind != PG_QUERY__KEYWORD_KIND__NO_KEYWORD &&
            toks[0].keyword_kind != PG_QUERY__KEYWORD_KIND__UNRESERVED_KEYWORD;
  cache.emplace(std::string(s), kw);
  return kw;
}

}  // namespace

std::string quote_ident(std::string_view name) {
  if (plain_ident_chars(name) && !is_quote_needing_keyword(name)) return std::string(name);
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string quote_qual(const QualName& q) {
  if (q.schema.empty()) return quote_ident(q.name);
  return quote_ident(q.schema) + "." + quote_ident(q.name);
}

std::string quote_literal(std::string_view text) {
  bool backslash = text.find('\\') != std::string_view::npos;
  std::string out = backslash ? "E'" : "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    if (c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

namespace {

using pgq::Arena;

bool is_default_schema(std::string_view s) { return s == "pg_catalog" || s == "public"; }

// Drop a leading pg_catalog/public qualifier from a name list in place.
void strip_default_schema(PgQuery__Node**& items, size_t& n) {
  if (n >= 2 && is_default_schema(pgq::str_of(items[0]))) {
    items++;
    n--;
  }
}

bool is_const_like(const PgQuery__Node* n) {
  if (!n) return false;
  switch (n->node_case) {
    case PG_QUERY__NODE__NODE_A_CONST:
      return true;
    case PG_QUERY__NODE__NODE_TYPE_CAST:
      return is_const_like(n->type_cast->arg);
    case PG_QUERY__NODE__NODE_A_ARRAY_EXPR:
      for (size_t i = 0; i < n->a_array_expr->n_elements; i++)
        if (!is_const_like(n->a_array_expr->elements[i])) return false;
      return true;
    default:
      return false;
  }
}

// Casts the server adds to column references when it coerces them to a string
// type for an operator (varchar = text, ...).
bool is_stringish_type(const PgQuery__TypeName* t) {
  if (!t || t->n_array_bounds) return false;
  auto names = pgq::names_of(t->names, t->n_names);
  const std::string& last = names.empty() ? std::string() : names.back();
  return last == "text" || last == "varchar" || last == "bpchar";
}

std::string int_text(int64_t v) { return std::to_string(v); }

// Every literal becomes a string constant: 5, '5' and '5'::integer agree.
void canon_const(Arena& a, PgQuery__AConst* c) {
  if (c->isnull) return;
  std::string text;
  switch (c->val_case) {
    case PG_QUERY__A__CONST__VAL_IVAL:
      text = int_text(c->ival ? c->ival->ival : 0);
      break;
    case PG_QUERY__A__CONST__VAL_FVAL:
      text = c->fval && c->fval->fval ? c->fval->fval : "";
      break;
    case PG_QUERY__A__CONST__VAL_BSVAL: {  // B'0101' / X'1F' as the bit string the server prints
      std::string v = c->bsval && c->bsval->bsval ? c->bsval->bsval : "";
      if (v.empty()) return;
      if (v[0] == 'b' || v[0] == 'B') {
        text = v.substr(1);
      } else {
        for (char h : v.substr(1)) {
          int d = isdigit(static_cast<unsigned char>(h)) ? h - '0' : (tolower(h) - 'a' + 10);
          for (int b = 3; b >= 0; b--) text += ((d >> b) & 1) ? '1' : '0';
        }
      }
      break;
    }
    case PG_QUERY__A__CONST__VAL_BOOLVAL:  // true and 'true'::boolean agree
      text = c->boolval && c->boolval->boolval ? "true" : "false";
      break;
    default:
      return;
  }
  auto* s = a.make<PgQuery__String>();
  pg_query__string__init(s);
  s->sval = a.str(text);
  c->val_case = PG_QUERY__A__CONST__VAL_SVAL;
  c->sval = s;
}

PgQuery__Node* make_a_expr(Arena& a, const char* op, PgQuery__Node* l, PgQuery__Node* r) {
  auto* e = a.make<PgQuery__AExpr>();
  pg_query__a__expr__init(e);
  e->kind = PG_QUERY__A__EXPR__KIND__AEXPR_OP;
  auto** name = static_cast<PgQuery__Node**>(a.raw(sizeof(PgQuery__Node*)));
  name[0] = pgq::make_string(a, op);
  e->n_name = 1;
  e->name = name;
  e->lexpr = l;
  e->rexpr = r;
  auto* n = pgq::make_node(a);
  n->node_case = PG_QUERY__NODE__NODE_A_EXPR;
  n->a_expr = e;
  return n;
}

PgQuery__Node* make_bool(Arena& a, PgQuery__BoolExprType op, PgQuery__Node* l, PgQuery__Node* r) {
  auto* b = a.make<PgQuery__BoolExpr>();
  pg_query__bool_expr__init(b);
  b->boolop = op;
  auto** args = static_cast<PgQuery__Node**>(a.raw(2 * sizeof(PgQuery__Node*)));
  args[0] = l;
  args[1] = r;
  b->n_args = 2;
  b->args = args;
  auto* n = pgq::make_node(a);
  n->node_case = PG_QUERY__NODE__NODE_BOOL_EXPR;
  n->bool_expr = b;
  return n;
}

void canon_a_expr(Arena& a, PgQuery__Node* n) {
  PgQuery__AExpr* e = n->a_expr;
  strip_default_schema(e->name, e->n_name);
  switch (e->kind) {
    case PG_QUERY__A__EXPR__KIND__AEXPR_IN: {
      // x IN (a, b) is stored as x = ANY (ARRAY[a, b]); NOT IN as <> ALL.
      bool neg = pgq::str_of(e->name[0]) == "<>";
      if (e->rexpr && e->rexpr->node_case == PG_QUERY__NODE__NODE_LIST && e->rexpr->list->n_items == 1) {
        // x IN (a) is stored as x = a
        e->rexpr = e->rexpr->list->items[0];
        e->kind = PG_QUERY__A__EXPR__KIND__AEXPR_OP;
        break;
      }
      auto* arr = a.make<PgQuery__AArrayExpr>();
      pg_query__a__array_expr__init(arr);
      if (e->rexpr && e->rexpr->node_case == PG_QUERY__NODE__NODE_LIST) {
        arr->n_elements = e->rexpr->list->n_items;
        arr->elements = e->rexpr->list->items;
      }
      auto* an = pgq::make_node(a);
      an->node_case = PG_QUERY__NODE__NODE_A_ARRAY_EXPR;
      an->a_array_expr = arr;
      e->rexpr = an;
      e->kind = neg ? PG_QUERY__A__EXPR__KIND__AEXPR_OP_ALL : PG_QUERY__A__EXPR__KIND__AEXPR_OP_ANY;
      break;
    }
    case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_DISTINCT: {
      // a IS NOT DISTINCT FROM b is stored as NOT (a IS DISTINCT FROM b)
      e->kind = PG_QUERY__A__EXPR__KIND__AEXPR_DISTINCT;
      auto* inner = pgq::make_node(a);
      *inner = *n;
      auto* b = a.make<PgQuery__BoolExpr>();
      pg_query__bool_expr__init(b);
      b->boolop = PG_QUERY__BOOL_EXPR_TYPE__NOT_EXPR;
      auto** args = static_cast<PgQuery__Node**>(a.raw(sizeof(PgQuery__Node*)));
      args[0] = inner;
      b->n_args = 1;
      b->args = args;
      n->node_case = PG_QUERY__NODE__NODE_BOOL_EXPR;
      n->bool_expr = b;
      break;
    }
    case PG_QUERY__A__EXPR__KIND__AEXPR_LIKE:
    case PG_QUERY__A__EXPR__KIND__AEXPR_ILIKE:
      e->kind = PG_QUERY__A__EXPR__KIND__AEXPR_OP;  // the name already is ~~, ~~*, !~~ ...
      break;
    case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN:
    case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN: {
      if (!e->rexpr || e->rexpr->node_case != PG_QUERY__NODE__NODE_LIST ||
          e->rexpr->list->n_items != 2)
        break;
      bool neg = e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN;
      PgQuery__Node* lo = e->rexpr->list->items[0];
      PgQuery__Node* hi = e->rexpr->list->items[1];
      PgQuery__Node* x = e->lexpr;
      PgQuery__Node* r =
          neg ? make_bool(a, PG_QUERY__BOOL_EXPR_TYPE__OR_EXPR, make_a_expr(a, "<", x, lo),
                          make_a_expr(a, ">", x, hi))
              : make_bool(a, PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR, make_a_expr(a, ">=", x, lo),
                          make_a_expr(a, "<=", x, hi));
      *n = *r;
      break;
    }
    default:
      break;
  }
}

// AND(AND(a, b), c) -> AND(a, b, c): the parser and the server nest differently.
void flatten_bool(Arena& a, PgQuery__BoolExpr* b) {
  if (b->boolop == PG_QUERY__BOOL_EXPR_TYPE__NOT_EXPR) return;
  bool nested = false;
  for (size_t i = 0; i < b->n_args; i++)
    if (b->args[i]->node_case == PG_QUERY__NODE__NODE_BOOL_EXPR &&
        b->args[i]->bool_expr->boolop == b->boolop)
      nested = true;
  if (!nested) return;
  std::vector<PgQuery__Node*> flat;
  for (size_t i = 0; i < b->n_args; i++) {
    PgQuery__Node* x = b->args[i];
    if (x->node_case == PG_QUERY__NODE__NODE_BOOL_EXPR && x->bool_expr->boolop == b->boolop)
      for (size_t k = 0; k < x->bool_expr->n_args; k++) flat.push_back(x->bool_expr->args[k]);
    else
      flat.push_back(x);
  }
  auto** args = static_cast<PgQuery__Node**>(a.raw(flat.size() * sizeof(PgQuery__Node*)));
  for (size_t i = 0; i < flat.size(); i++) args[i] = flat[i];
  b->args = args;
  b->n_args = flat.size();
}

// nextval('public.seq'::regclass) and nextval('seq') agree.
void canon_regclass_arg(Arena& a, PgQuery__FuncCall* f) {
  auto names = pgq::names_of(f->funcname, f->n_funcname);
  if (names.empty()) return;
  const std::string& fn = names.back();
  if (fn != "nextval" && fn != "currval" && fn != "setval") return;
  if (f->n_args < 1) return;
  PgQuery__Node* arg = f->args[0];
  if (arg->node_case != PG_QUERY__NODE__NODE_A_CONST ||
      arg->a_const->val_case != PG_QUERY__A__CONST__VAL_SVAL)
    return;
  std::string_view v = arg->a_const->sval->sval;
  for (const char* p : {"public.", "pg_catalog."}) {
    if (v.rfind(p, 0) == 0) {
      arg->a_const->sval->sval = a.str(v.substr(std::strlen(p)));
      return;
    }
  }
}

// f(a, VARIADIC ARRAY[b, c]) is how the server prints f(a, b, c) for a
// variadic function.
void expand_variadic(Arena& a, PgQuery__FuncCall* f) {
  if (!f->func_variadic || !f->n_args) return;
  PgQuery__Node* last = f->args[f->n_args - 1];
  if (last->node_case != PG_QUERY__NODE__NODE_A_ARRAY_EXPR) return;
  size_t n = f->n_args - 1 + last->a_array_expr->n_elements;
  auto** args = static_cast<PgQuery__Node**>(a.raw(n * sizeof(PgQuery__Node*)));
  size_t k = 0;
  for (size_t i = 0; i + 1 < f->n_args; i++) args[k++] = f->args[i];
  for (size_t i = 0; i < last->a_array_expr->n_elements; i++) args[k++] = last->a_array_expr->elements[i];
  f->args = args;
  f->n_args = n;
  f->func_variadic = false;
}

struct Normaliser {
  Arena& a;
  void operator()(PgQuery__Node* n) {
    switch (n->node_case) {
      case PG_QUERY__NODE__NODE_A_CONST:
        canon_const(a, n->a_const);
        break;
      case PG_QUERY__NODE__NODE_TYPE_CAST: {
        PgQuery__TypeCast* tc = n->type_cast;
        if (tc->type_name) strip_default_schema(tc->type_name->names, tc->type_name->n_names);
        bool strip = is_const_like(tc->arg) ||
                     (tc->arg && tc->arg->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
                      is_stringish_type(tc->type_name));
        if (strip) *n = *tc->arg;
        break;
      }
      case PG_QUERY__NODE__NODE_FUNC_CALL:
        strip_default_schema(n->func_call->funcname, n->func_call->n_funcname);
        canon_regclass_arg(a, n->func_call);
        expand_variadic(a, n->func_call);
        break;
      case PG_QUERY__NODE__NODE_ROW_EXPR:
        // (a, b) and ROW(a, b) are the same row constructor
        n->row_expr->row_format = PG_QUERY__COERCION_FORM__COERCE_IMPLICIT_CAST;
        break;
      case PG_QUERY__NODE__NODE_CASE_EXPR: {
        // CASE ... END and CASE ... ELSE NULL END are the same
        PgQuery__Node* d = n->case_expr->defresult;
        if (d && d->node_case == PG_QUERY__NODE__NODE_A_CONST && d->a_const->isnull) n->case_expr->defresult = nullptr;
        break;
      }
      case PG_QUERY__NODE__NODE_A_EXPR:
        canon_a_expr(a, n);
        break;
      case PG_QUERY__NODE__NODE_BOOL_EXPR:
        flatten_bool(a, n->bool_expr);
        break;
      case PG_QUERY__NODE__NODE_COLLATE_CLAUSE:
        strip_default_schema(n->collate_clause->collname, n->collate_clause->n_collname);
        break;
      case PG_QUERY__NODE__NODE_RANGE_VAR:
        if (n->range_var->schemaname && std::string_view(n->range_var->schemaname) == "public")
          n->range_var->schemaname = a.str("");
        break;
      default:
        break;
    }
  }
};

PgQuery__Node* first_target(pgq::Tree& t) {
  if (!t.ok() || t.result->n_stmts != 1) return nullptr;
  PgQuery__Node* s = t.result->stmts[0]->stmt;
  if (!s || s->node_case != PG_QUERY__NODE__NODE_SELECT_STMT) return nullptr;
  PgQuery__SelectStmt* sel = s->select_stmt;
  if (sel->n_target_list != 1 || sel->n_from_clause) return nullptr;
  PgQuery__Node* rt = sel->target_list[0];
  if (rt->node_case != PG_QUERY__NODE__NODE_RES_TARGET) return nullptr;
  return rt->res_target->val;
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && isspace(static_cast<unsigned char>(s[b]))) b++;
  while (e > b && (isspace(static_cast<unsigned char>(s[e - 1])) || s[e - 1] == ';')) e--;
  return std::string(s.substr(b, e - b));
}

}  // namespace

Expr canon_expr(std::string_view sql) {
  std::string src = "SELECT (" + std::string(sql) + ")";
  pgq::Tree t = pgq::parse(src);
  PgQuery__Node* e = first_target(t);
  if (!e) throw std::runtime_error("not a valid SQL expression: " + std::string(sql));
  Expr out;
  out.text = pgq::deparse_expr(e);
  canon_subselects(*t.arena, e);
  pgq::walk(reinterpret_cast<ProtobufCMessage*>(e), Normaliser{*t.arena});
  out.canon = pgq::deparse_expr(e);
  return out;
}

Expr canon_query(std::string_view sql) {
  std::string src = trim(sql);
  pgq::Tree t = pgq::parse(src);
  if (!t.ok() || t.result->n_stmts != 1)
    throw std::runtime_error("not a single valid query: " + src.substr(0, 200));
  Expr out;
  out.text = pgq::deparse(t.result);
  canon_view_tree(*t.arena, t.result->stmts[0]->stmt);
  pgq::walk(reinterpret_cast<ProtobufCMessage*>(t.result), Normaliser{*t.arena});
  out.canon = pgq::deparse(t.result);
  return out;
}

std::string strip_column_casts(const std::string& canon, const std::set<std::string>& columns) {
  if (columns.empty()) return canon;
  bool query = canon.rfind("SELECT ", 0) == 0 || canon.rfind("WITH ", 0) == 0 || canon.rfind("VALUES", 0) == 0;
  pgq::Tree t = pgq::parse(query ? canon : "SELECT " + canon);
  PgQuery__Node* e = query ? nullptr : first_target(t);
  if (!query && !e) return canon;
  if (query && !t.ok()) return canon;
  auto* root = query ? reinterpret_cast<ProtobufCMessage*>(t.result) : reinterpret_cast<ProtobufCMessage*>(e);
  pgq::walk(root, [&](PgQuery__Node* n) {
    if (n->node_case != PG_QUERY__NODE__NODE_TYPE_CAST) return;
    const PgQuery__Node* arg = n->type_cast->arg;
    if (!arg || arg->node_case != PG_QUERY__NODE__NODE_COLUMN_REF) return;
    const auto* c = arg->column_ref;
    if (columns.count(std::string(pgq::str_of(c->fields[c->n_fields - 1])))) *n = *n->type_cast->arg;
  });
  return query ? pgq::deparse(t.result) : pgq::deparse_expr(e);
}

std::string canon_sql_body(std::string_view body) {
  const std::string head = "CREATE FUNCTION seam_f() RETURNS int LANGUAGE sql ";
  std::string src = head + trim(body);
  pgq::Tree t = pgq::parse(src);
  if (!t.ok() || t.result->n_stmts != 1 ||
      t.result->stmts[0]->stmt->node_case != PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT)
    return trim(body);
  pgq::walk(reinterpret_cast<ProtobufCMessage*>(t.result), Normaliser{*t.arena});
  std::string out = pgq::deparse(t.result);
  size_t at = out.find(" RETURN ");
  size_t at2 = out.find(" BEGIN ATOMIC");
  size_t cut = std::min(at, at2);
  return cut == std::string::npos ? out : out.substr(cut + 1);
}

std::string canon_type(std::string_view sql_type) {
  std::string src = "SELECT NULL::" + std::string(sql_type);
  pgq::Tree t = pgq::parse(src);
  PgQuery__Node* e = first_target(t);
  if (!e || e->node_case != PG_QUERY__NODE__NODE_TYPE_CAST)
    throw std::runtime_error("not a valid type name: " + std::string(sql_type));
  return format_type_name(e->type_cast->type_name);
}

}  // namespace seam::schema
