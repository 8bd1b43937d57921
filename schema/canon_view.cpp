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


// The SELECTs nested directly in this query level: sub-links, FROM
// sub-selects and CTEs (each normalised in its own scope).
std::vector<PgQuery__SelectStmt*> nested_selects(PgQuery__SelectStmt* s) {
  std::vector<PgQuery__SelectStmt*> out;
  auto* m = reinterpret_cast<ProtobufCMessage*>(s);
  pgq::walk_level(m, [&](PgQuery__Node* n) {
    PgQuery__Node* q = nullptr;
    if (n->node_case == PG_QUERY__NODE__NODE_SUB_LINK) q = n->sub_link->subselect;
    else if (n->node_case == PG_QUERY__NODE__NODE_RANGE_SUBSELECT) q = n->range_subselect->subquery;
    else if (n->node_case == PG_QUERY__NODE__NODE_COMMON_TABLE_EXPR) q = n->common_table_expr->ctequery;
    if (q && q->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) out.push_back(q->select_stmt);
  });
  return out;
}

void canon_select(pgq::Arena& a, PgQuery__SelectStmt* s) {
  if (!s) return;
  for (auto* n : nested_selects(s)) canon_select(a, n);
  if (s->op != PG_QUERY__SET_OPERATION__SETOP_NONE) {
    canon_select(a, s->larg);
    canon_select(a, s->rarg);
    return;
  }
  // ORDER BY an output column's name is stored as ORDER BY its expression.
  for (size_t i = 0; i < s->n_sort_clause; i++) {
    PgQuery__Node* sb = s->sort_clause[i];
    if (sb->node_case != PG_QUERY__NODE__NODE_SORT_BY || !sb->sort_by->node ||
        sb->sort_by->node->node_case != PG_QUERY__NODE__NODE_COLUMN_REF || sb->sort_by->node->column_ref->n_fields != 1)
      continue;
    std::string name(pgq::str_of(sb->sort_by->node->column_ref->fields[0]));
    for (size_t k = 0; k < s->n_target_list; k++) {
      const PgQuery__ResTarget* rt = s->target_list[k]->res_target;
      if (rt->name && name == rt->name && rt->val && rt->val->node_case != PG_QUERY__NODE__NODE_COLUMN_REF) {
        sb->sort_by->node = rt->val;
        break;
      }
    }
  }
  for (size_t i = 0; i < s->n_target_list; i++) {
    PgQuery__Node* t = s->target_list[i];
    if (t->node_case != PG_QUERY__NODE__NODE_RES_TARGET) continue;
    PgQuery__ResTarget* rt = t->res_target;
    if (!rt->name || !*rt->name) continue;
    std::string fig = figure_colname(rt->val);
    // "AS x" where PostgreSQL would call the column x anyway (or ?column?)
    if (fig == rt->name || (fig.empty() && std::string_view(rt->name) == "?column?")) rt->name = a.str("");
  }
  auto* msg = reinterpret_cast<ProtobufCMessage*>(s);
  // ORDER BY x ASC is ORDER BY x
  pgq::walk_level(msg, [&](PgQuery__Node* n) {
    if (n->node_case == PG_QUERY__NODE__NODE_SORT_BY && n->sort_by->sortby_dir == PG_QUERY__SORT_BY_DIR__SORTBY_ASC)
      n->sort_by->sortby_dir = PG_QUERY__SORT_BY_DIR__SORTBY_DEFAULT;
  });
  // Unqualify column references of this query level when exactly one
  // relation (a table, or an aliased sub-select) is in scope.
  if (s->n_from_clause != 1) return;
  PgQuery__Node* from = s->from_clause[0];
  std::string qual;
  if (from->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
    const PgQuery__RangeVar* rv = from->range_var;
    qual = rv->alias && rv->alias->aliasname ? rv->alias->aliasname : rv->relname;
  } else if (from->node_case == PG_QUERY__NODE__NODE_RANGE_SUBSELECT && from->range_subselect->alias &&
             from->range_subselect->alias->aliasname) {
    qual = from->range_subselect->alias->aliasname;
  } else {
    return;
  }
  pgq::walk_level(msg, [&](PgQuery__Node* n) {
    if (n->node_case != PG_QUERY__NODE__NODE_COLUMN_REF) return;
    auto* c = n->column_ref;
    if (c->n_fields == 2 && pgq::str_of(c->fields[0]) == qual &&
        c->fields[1]->node_case == PG_QUERY__NODE__NODE_STRING) {
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
