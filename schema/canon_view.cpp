// View bodies: pg_get_viewdef() qualifies column references with their
// relation and adds an AS alias to every output column it names implicitly;
// people write neither. Both spellings are reduced to the unqualified,
// alias-free form where that cannot change the meaning.
#include <string>

#include "schema/canon_type.hpp"

namespace seam::schema {

// The output-column name PostgreSQL derives for an unnamed select-list entry
// (FigureColname), or "" when it would be "?column?".
std::string figure_colname(const PgQuery__Node* n) {
  if (!n) return "";
  switch (n->node_case) {
    case PG_QUERY__NODE__NODE_COLUMN_REF: {
      const auto* c = n->column_ref;
      if (!c->n_fields) return "";
      return std::string(pgq::str_of(c->fields[c->n_fields - 1]));
    }
    case PG_QUERY__NODE__NODE_FUNC_CALL: {
      const auto* f = n->func_call;
      return f->n_funcname ? std::string(pgq::str_of(f->funcname[f->n_funcname - 1])) : "";
    }
    case PG_QUERY__NODE__NODE_TYPE_CAST: {
      std::string inner = figure_colname(n->type_cast->arg);
      if (!inner.empty()) return inner;
      const auto* t = n->type_cast->type_name;
      return t && t->n_names ? std::string(pgq::str_of(t->names[t->n_names - 1])) : "";
    }
    case PG_QUERY__NODE__NODE_A_INDIRECTION: {
      const auto* ind = n->a_indirection;
      if (ind->n_indirection) {
        auto s = pgq::str_of(ind->indirection[ind->n_indirection - 1]);
        if (!s.empty()) return std::string(s);
      }
      return figure_colname(ind->arg);
    }
    case PG_QUERY__NODE__NODE_CASE_EXPR:
      return "case";
    case PG_QUERY__NODE__NODE_A_ARRAY_EXPR:
      return "array";
    case PG_QUERY__NODE__NODE_COALESCE_EXPR:
      return "coalesce";
    case PG_QUERY__NODE__NODE_ROW_EXPR:
      return "row";
    default:
      return "";
  }
}

namespace {

bool has_node(ProtobufCMessage* m, PgQuery__Node__NodeCase what) {
  bool found = false;
  pgq::walk(m, [&](PgQuery__Node* n) {
    if (n->node_case == what) found = true;
  });
  return found;
}

void canon_select(pgq::Arena& a, PgQuery__SelectStmt* s) {
  if (!s) return;
  if (s->op != PG_QUERY__SET_OPERATION__SETOP_NONE) {
    canon_select(a, s->larg);
    canon_select(a, s->rarg);
    return;
  }
  for (size_t i = 0; i < s->n_target_list; i++) {
    PgQuery__Node* t = s->target_list[i];
    if (t->node_case != PG_QUERY__NODE__NODE_RES_TARGET) continue;
    PgQuery__ResTarget* rt = t->res_target;
    if (rt->name && *rt->name && figure_colname(rt->val) == rt->name) rt->name = a.str("");
  }
  // Unqualify column references when exactly one plain relation is in scope
  // and no sub-query could make an unqualified name ambiguous.
  if (s->n_from_clause != 1) return;
  PgQuery__Node* from = s->from_clause[0];
  if (from->node_case != PG_QUERY__NODE__NODE_RANGE_VAR) return;
  auto* msg = reinterpret_cast<ProtobufCMessage*>(s);
  if (has_node(msg, PG_QUERY__NODE__NODE_SUB_LINK) ||
      has_node(msg, PG_QUERY__NODE__NODE_RANGE_SUBSELECT))
    return;
  const PgQuery__RangeVar* rv = from->range_var;
  std::string qual = rv->alias && rv->alias->aliasname ? rv->alias->aliasname : rv->relname;
  pgq::walk(msg, [&](PgQuery__Node* n) {
    if (n->node_case != PG_QUERY__NODE__NODE_COLUMN_REF) return;
    auto* c = n->column_ref;
    if (c->n_fields == 2 && pgq::str_of(c->fields[0]) == qual) {
      c->fields++;
      c->n_fields--;
    }
  });
}

}  // namespace

void canon_subselects(pgq::Arena& a, PgQuery__Node* expr) {
  std::vector<PgQuery__SelectStmt*> selects;
  pgq::walk(reinterpret_cast<ProtobufCMessage*>(expr), [&](PgQuery__Node* n) {
    if (n->node_case == PG_QUERY__NODE__NODE_SUB_LINK && n->sub_link->subselect &&
        n->sub_link->subselect->node_case == PG_QUERY__NODE__NODE_SELECT_STMT)
      selects.push_back(n->sub_link->subselect->select_stmt);
  });
  for (auto* s : selects) canon_select(a, s);
}

void canon_view_tree(pgq::Arena& a, PgQuery__Node* stmt) {
  if (stmt && stmt->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) canon_select(a, stmt->select_stmt);
}

}  // namespace seam::schema
