// CREATE statements for everything but tables: indexes, sequences, views,
// types, schemas, extensions.
#include <algorithm>
#include <set>

#include "schema/load_ctx.hpp"

namespace seam::schema {

std::string single_column_of(const Table& t, const Expr& e) {
  pgq::Tree tr = pgq::parse("SELECT " + e.canon);
  if (!tr.ok()) return "";
  std::set<std::string> cols;
  pgq::walk(reinterpret_cast<ProtobufCMessage*>(tr.result), [&](PgQuery__Node* n) {
    if (n->node_case != PG_QUERY__NODE__NODE_COLUMN_REF) return;
    auto* c = n->column_ref;
    if (c->n_fields == 1) {
      std::string name(pgq::str_of(c->fields[0]));
      if (t.find_column(name)) cols.insert(name);
    }
  });
  return cols.size() == 1 ? *cols.begin() : "";
}

std::string figure_index_colname(const IndexElem& e) {
  if (!e.column.empty()) return e.column;
  if (!e.expr) return "expr";
  pgq::Tree tr = pgq::parse("SELECT " + e.expr->text);
  if (!tr.ok()) return "expr";
  const PgQuery__Node* v = tr.result->stmts[0]->stmt->select_stmt->target_list[0]->res_target->val;
  while (v && v->node_case == PG_QUERY__NODE__NODE_TYPE_CAST) v = v->type_cast->arg;
  if (v && v->node_case == PG_QUERY__NODE__NODE_FUNC_CALL && v->func_call->n_funcname)
    return std::string(pgq::str_of(v->func_call->funcname[v->func_call->n_funcname - 1]));
  return "expr";
}

std::vector<QualName> query_relations(const Loader& L, const PgQuery__Node* query) {
  std::set<std::string> ctes;
  std::set<QualName> rels;
  auto* m = reinterpret_cast<ProtobufCMessage*>(const_cast<PgQuery__Node*>(query));
  pgq::walk(m, [&](PgQuery__Node* n) {
    if (n->node_case == PG_QUERY__NODE__NODE_COMMON_TABLE_EXPR && n->common_table_expr->ctename)
      ctes.insert(n->common_table_expr->ctename);
  });
  pgq::walk(m, [&](PgQuery__Node* n) {
    if (n->node_case != PG_QUERY__NODE__NODE_RANGE_VAR) return;
    const auto* rv = n->range_var;
    bool qualified = rv->schemaname && *rv->schemaname;
    if (!qualified && ctes.count(rv->relname)) return;
    rels.insert(L.qualify(rv));
  });
  return {rels.begin(), rels.end()};
}

namespace {
IndexElem index_elem(const Loader& L, const PgQuery__IndexElem* ie) {
  IndexElem e;
  if (ie->name && *ie->name) e.column = ie->name;
  else e.expr = L.expr(ie->expr);
  if (ie->n_collation) e.collation = qualified_list(ie->collation, ie->n_collation);
  if (ie->n_opclass) e.opclass = qualified_list(ie->opclass, ie->n_opclass);
  e.desc = ie->ordering == PG_QUERY__SORT_BY_DIR__SORTBY_DESC;
  if (ie->nulls_ordering == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_FIRST && !e.desc) e.nulls = 1;
  if (ie->nulls_ordering == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_LAST && e.desc) e.nulls = 2;
  if (ie->n_opclassopts) L.unsupported(-1, "operator class options are not supported yet");
  return e;
}
}  // namespace

void Loader::create_index(const PgQuery__IndexStmt* s) {
  Index ix;
  ix.table = qualify(s->relation);
  ix.pos = pos(-1);
  ix.notes = stmt_annotations();
  ix.unique = s->unique;
  ix.nulls_not_distinct = s->nulls_not_distinct;
  ix.method = s->access_method && *s->access_method ? s->access_method : "btree";
  for (size_t i = 0; i < s->n_index_params; i++)
    ix.elems.push_back(index_elem(*this, s->index_params[i]->index_elem));
  for (size_t i = 0; i < s->n_index_including_params; i++) {
    const auto* ie = s->index_including_params[i]->index_elem;
    ix.include.push_back(ie->name ? ie->name : "");
  }
  if (s->where_clause) ix.where = expr(s->where_clause);
  ix.with = defelems_to_options(s->options, s->n_options);
  if (s->table_space && *s->table_space)
    warn(-1, "TABLESPACE " + std::string(s->table_space) + " ignored: tablespaces are not managed by seam");
  // CREATE INDEX ... ON ONLY parent (pg_dump) is the partitioned index; the
  // partitions' own indexes are attached to it with ALTER INDEX ... ATTACH.
  std::string name = s->idxname ? s->idxname : "";
  if (name.empty()) {
    std::string add;
    for (const auto& e : ix.elems) {
      if (!add.empty()) add += "_";
      add += figure_index_colname(e);
      if (add.size() >= 64) break;
    }
    name = choose_relname(ix.table.schema, ix.table.name, add, "idx", false);
  }
  ix.name = {ix.table.schema, name};
  if (cat.indexes.count(ix.name) || relnames.count({ix.name.schema, name})) {
    if (s->if_not_exists) return;
    fail(-1, "relation " + ix.name.str() + " already exists; index names share the namespace of tables, views and sequences");
  }
  take_relname(ix.name);
  cat.indexes[ix.name] = std::move(ix);
}

void Loader::create_sequence(const PgQuery__CreateSeqStmt* s) {
  Sequence q;
  q.name = qualify(s->sequence);
  q.pos = pos(s->sequence->location);
  q.notes = stmt_annotations();
  if (cat.sequences.count(q.name) || relnames.count({q.name.schema, q.name.name})) {
    if (s->if_not_exists) return;
    fail(s->sequence->location, "relation " + q.name.str() + " already exists");
  }
  std::vector<std::string> owned;
  q.opts = sequence_options(s->options, s->n_options, "bigint", nullptr, -1, nullptr, &owned);
  if (!owned.empty() && !(owned.size() == 1 && owned[0] == "none")) {
    if (owned.size() < 2) fail(-1, "OWNED BY must name table.column");
    q.owned_by_column = owned.back();
    q.owned_by_table = owned.size() == 3 ? QualName{owned[0], owned[1]} : QualName{default_schema(), owned[0]};
  }
  take_relname(q.name);
  cat.sequences[q.name] = std::move(q);
}

void Loader::alter_sequence(const PgQuery__AlterSeqStmt* s) {
  QualName n = qualify(s->sequence);
  auto it = cat.sequences.find(n);
  if (it == cat.sequences.end()) {
    // pg_dump writes identity options as ALTER SEQUENCE on the implicit sequence.
    if (s->missing_ok) return;
    fail(s->sequence->location, "sequence " + n.str() + " is not defined in the desired state");
  }
  std::vector<std::string> owned;
  it->second.opts = sequence_options(s->options, s->n_options, it->second.opts.type, &it->second.opts, -1, nullptr, &owned);
  if (!owned.empty()) {
    if (owned.size() == 1 && owned[0] == "none") {
      it->second.owned_by_table.reset();
      it->second.owned_by_column.clear();
    } else {
      if (owned.size() < 2) fail(-1, "OWNED BY must name table.column");
      it->second.owned_by_column = owned.back();
      it->second.owned_by_table = owned.size() == 3 ? QualName{owned[0], owned[1]} : QualName{default_schema(), owned[0]};
    }
  }
}

namespace {

// Column aliases of CREATE VIEW v (a, b) become AS names in the stored query,
// as the server stores them.
void apply_column_aliases(const Loader& L, PgQuery__Node* query, PgQuery__Node** aliases, size_t n, pgq::Arena& a) {
  if (!n) return;
  PgQuery__SelectStmt* s = query->select_stmt;
  while (s && s->op != PG_QUERY__SET_OPERATION__SETOP_NONE) s = s->larg;
  if (!s) return;
  if (n > s->n_target_list) L.fail(-1, "CREATE VIEW specifies more column names than columns");
  for (size_t i = 0; i < n; i++)
    s->target_list[i]->res_target->name = a.str(pgq::str_of(aliases[i]));
}

std::string view_options(PgQuery__Node** opts, size_t n, PgQuery__ViewCheckOption check) {
  std::string o = defelems_to_options(opts, n);
  std::string co;
  if (check == PG_QUERY__VIEW_CHECK_OPTION__LOCAL_CHECK_OPTION) co = "check_option=local";
  if (check == PG_QUERY__VIEW_CHECK_OPTION__CASCADED_CHECK_OPTION) co = "check_option=cascaded";
  if (co.empty()) return o;
  if (o.empty()) return co;
  // keep sorted
  std::vector<std::string> items;
  size_t b = 0;
  while (b <= o.size()) {
    size_t e = o.find(',', b);
    if (e == std::string::npos) e = o.size();
    items.push_back(o.substr(b, e - b));
    b = e + 1;
  }
  items.push_back(co);
  std::sort(items.begin(), items.end());
  std::string out;
  for (size_t i = 0; i < items.size(); i++) out += (i ? "," : "") + items[i];
  return out;
}

}  // namespace

const std::vector<std::string>* Loader::relation_columns(const QualName& q, std::vector<std::string>& buf) const {
  if (const Table* t = cat.find_table(q)) {
    buf.clear();
    for (const auto& c : t->columns) buf.push_back(c.name);
    return &buf;
  }
  auto v = view_columns.find(q);
  return v == view_columns.end() ? nullptr : &v->second;
}

namespace {
struct FromRel {
  std::string qual;
  std::vector<std::string> cols;
};

using CteColumns = std::map<std::string, std::vector<std::string>>;

// Output column names of a SELECT (after its own star expansion).
std::vector<std::string> output_columns(const PgQuery__SelectStmt* s) {
  while (s && s->op != PG_QUERY__SET_OPERATION__SETOP_NONE) s = s->larg;
  std::vector<std::string> out;
  if (!s) return out;
  for (size_t i = 0; i < s->n_target_list; i++) {
    const auto* rt = s->target_list[i]->res_target;
    std::string n = rt->name && *rt->name ? rt->name : figure_colname(rt->val);
    if (n.empty() || n == "*") return {};
    out.push_back(n);
  }
  return out;
}

bool collect_from(const Loader& L, const PgQuery__Node* n, std::vector<FromRel>& out, const CteColumns& ctes) {
  if (n->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
    const auto* rv = n->range_var;
    std::vector<std::string> buf;
    const std::vector<std::string>* cols = nullptr;
    auto cte = ctes.find(rv->relname ? rv->relname : "");
    if ((!rv->schemaname || !*rv->schemaname) && cte != ctes.end()) cols = cte->second.empty() ? nullptr : &cte->second;
    else cols = L.relation_columns(L.qualify(rv), buf);
    if (!cols) return false;
    FromRel r{rv->alias && rv->alias->aliasname ? rv->alias->aliasname : rv->relname, *cols};
    if (rv->alias)
      for (size_t i = 0; i < rv->alias->n_colnames && i < r.cols.size(); i++) r.cols[i] = pgq::str_of(rv->alias->colnames[i]);
    out.push_back(std::move(r));
    return true;
  }
  if (n->node_case == PG_QUERY__NODE__NODE_RANGE_SUBSELECT) {
    const auto* rs = n->range_subselect;
    if (!rs->alias || !rs->alias->aliasname || !rs->subquery ||
        rs->subquery->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
      return false;
    FromRel r{rs->alias->aliasname, output_columns(rs->subquery->select_stmt)};
    if (r.cols.empty()) return false;
    for (size_t i = 0; i < rs->alias->n_colnames && i < r.cols.size(); i++) r.cols[i] = pgq::str_of(rs->alias->colnames[i]);
    out.push_back(std::move(r));
    return true;
  }
  if (n->node_case == PG_QUERY__NODE__NODE_JOIN_EXPR) {
    const auto* j = n->join_expr;
    if (j->n_using_clause || j->is_natural || j->alias) return false;
    return collect_from(L, j->larg, out, ctes) && collect_from(L, j->rarg, out, ctes);
  }
  return false;
}

PgQuery__Node* column_ref(pgq::Arena& a, const std::string& qual, const std::string& col) {
  auto* cr = a.make<PgQuery__ColumnRef>();
  pg_query__column_ref__init(cr);
  auto** f = static_cast<PgQuery__Node**>(a.raw(2 * sizeof(PgQuery__Node*)));
  f[0] = pgq::make_string(a, qual);
  f[1] = pgq::make_string(a, col);
  cr->fields = f;
  cr->n_fields = 2;
  auto* n = pgq::make_node(a);
  n->node_case = PG_QUERY__NODE__NODE_COLUMN_REF;
  n->column_ref = cr;
  auto* rt = a.make<PgQuery__ResTarget>();
  pg_query__res_target__init(rt);
  rt->val = n;
  auto* rn = pgq::make_node(a);
  rn->node_case = PG_QUERY__NODE__NODE_RES_TARGET;
  rn->res_target = rt;
  return rn;
}
}  // namespace

bool Loader::expand_stars(pgq::Arena& a, PgQuery__SelectStmt* s) const {
  if (!s) return true;
  CteColumns ctes;
  if (s->with_clause)
    for (size_t i = 0; i < s->with_clause->n_ctes; i++) {
      auto* cte = s->with_clause->ctes[i]->common_table_expr;
      if (!cte->ctequery || cte->ctequery->node_case != PG_QUERY__NODE__NODE_SELECT_STMT) continue;
      expand_stars(a, cte->ctequery->select_stmt);
      std::vector<std::string> cols = output_columns(cte->ctequery->select_stmt);
      for (size_t k = 0; k < cte->n_aliascolnames && k < cols.size(); k++) cols[k] = pgq::str_of(cte->aliascolnames[k]);
      ctes[cte->ctename ? cte->ctename : ""] = cols;
    }
  return expand_stars_in(a, s, ctes);
}

bool Loader::expand_stars_in(pgq::Arena& a, PgQuery__SelectStmt* s, const std::map<std::string, std::vector<std::string>>& ctes) const {
  if (!s) return true;
  if (s->op != PG_QUERY__SET_OPERATION__SETOP_NONE) return expand_stars_in(a, s->larg, ctes) && expand_stars_in(a, s->rarg, ctes);
  bool has_star = false;
  for (size_t i = 0; i < s->n_target_list; i++) {
    const auto* v = s->target_list[i]->res_target->val;
    if (v && v->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
        v->column_ref->fields[v->column_ref->n_fields - 1]->node_case == PG_QUERY__NODE__NODE_A_STAR)
      has_star = true;
  }
  if (!has_star) return true;
  std::vector<FromRel> rels;
  for (size_t i = 0; i < s->n_from_clause; i++)
    if (!collect_from(*this, s->from_clause[i], rels, ctes)) return false;
  std::vector<PgQuery__Node*> targets;
  for (size_t i = 0; i < s->n_target_list; i++) {
    PgQuery__Node* t = s->target_list[i];
    const auto* v = t->res_target->val;
    bool star = v && v->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
                v->column_ref->fields[v->column_ref->n_fields - 1]->node_case == PG_QUERY__NODE__NODE_A_STAR;
    if (!star) {
      targets.push_back(t);
      continue;
    }
    std::string only = v->column_ref->n_fields == 2 ? std::string(pgq::str_of(v->column_ref->fields[0])) : "";
    if (v->column_ref->n_fields > 2) return false;
    bool matched = false;
    for (const auto& r : rels) {
      if (!only.empty() && r.qual != only) continue;
      matched = true;
      for (const auto& c : r.cols) targets.push_back(column_ref(a, r.qual, c));
    }
    if (!matched) return false;
  }
  auto** arr = static_cast<PgQuery__Node**>(a.raw(targets.size() * sizeof(PgQuery__Node*)));
  for (size_t i = 0; i < targets.size(); i++) arr[i] = targets[i];
  s->target_list = arr;
  s->n_target_list = targets.size();
  return true;
}

void Loader::record_view_columns(const QualName& v, const PgQuery__Node* query) {
  const PgQuery__SelectStmt* s = query->select_stmt;
  while (s && s->op != PG_QUERY__SET_OPERATION__SETOP_NONE) s = s->larg;
  if (!s) return;
  std::vector<std::string> cols;
  for (size_t i = 0; i < s->n_target_list; i++) {
    const auto* rt = s->target_list[i]->res_target;
    std::string n = rt->name && *rt->name ? rt->name : figure_colname(rt->val);
    if (n.empty() || n == "*") return;  // unknown shape: leave SELECT * of this view unexpanded
    cols.push_back(n.empty() ? "?column?" : n);
  }
  view_columns[v] = cols;
}

void Loader::create_view(const PgQuery__ViewStmt* s) {
  View v;
  v.name = qualify(s->view);
  v.pos = pos(s->view->location);
  v.notes = stmt_annotations();
  std::string rp = s->view->relpersistence ? s->view->relpersistence : "p";
  if (rp == "t") unsupported(-1, "temporary views do not belong in a schema file");
  bool exists = cat.views.count(v.name);
  if (exists && !s->replace) fail(s->view->location, "view " + v.name.str() + " is already defined at " + cat.views[v.name].pos.str());
  if (!exists && relnames.count({v.name.schema, v.name.name}))
    fail(s->view->location, "relation " + v.name.str() + " already exists");
  pgq::Arena a;
  PgQuery__Node* q = s->query;
  expand_stars(a, q->select_stmt);
  apply_column_aliases(*this, q, s->aliases, s->n_aliases, a);
  record_view_columns(v.name, q);
  v.deps = query_relations(*this, q);
  try {
    v.query = canon_query(pgq::deparse_stmt(q));
  } catch (const std::exception& e) {
    fail(-1, std::string("cannot normalise view query: ") + e.what());
  }
  v.with = view_options(s->options, s->n_options, s->with_check_option);
  take_relname(v.name);
  cat.views[v.name] = std::move(v);
}

void Loader::create_matview(const PgQuery__CreateTableAsStmt* s) {
  if (s->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW)
    unsupported(-1, "CREATE TABLE ... AS SELECT copies data; declare the table's columns instead");
  View v;
  v.materialized = true;
  v.name = qualify(s->into->rel);
  v.pos = pos(s->into->rel->location);
  v.notes = stmt_annotations();
  if (cat.views.count(v.name) || relnames.count({v.name.schema, v.name.name})) {
    if (s->if_not_exists) return;
    fail(s->into->rel->location, "relation " + v.name.str() + " already exists");
  }
  pgq::Arena a;
  if (s->query->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) expand_stars(a, s->query->select_stmt);
  apply_column_aliases(*this, s->query, s->into->col_names, s->into->n_col_names, a);
  record_view_columns(v.name, s->query);
  v.deps = query_relations(*this, s->query);
  try {
    v.query = canon_query(pgq::deparse_stmt(s->query));
  } catch (const std::exception& e) {
    fail(-1, std::string("cannot normalise materialized view query: ") + e.what());
  }
  v.with = defelems_to_options(s->into->options, s->into->n_options);
  take_relname(v.name);
  cat.views[v.name] = std::move(v);
}

void Loader::create_enum(const PgQuery__CreateEnumStmt* s) {
  Type t;
  t.kind = TypeKind::Enum;
  t.name = qualify(s->type_name, s->n_type_name, -1);
  t.pos = pos(-1);
  t.notes = stmt_annotations();
  if (cat.types.count(t.name)) fail(-1, "type " + t.name.str() + " is already defined at " + cat.types[t.name].pos.str());
  for (size_t i = 0; i < s->n_vals; i++) {
    std::string l(pgq::str_of(s->vals[i]));
    if (std::find(t.labels.begin(), t.labels.end(), l) != t.labels.end())
      fail(-1, "enum label " + quote_literal(l) + " used more than once");
    t.labels.push_back(l);
  }
  cat.types[t.name] = std::move(t);
}

void Loader::alter_enum(const PgQuery__AlterEnumStmt* s) {
  QualName n = qualify(s->type_name, s->n_type_name, -1);
  auto it = cat.types.find(n);
  if (it == cat.types.end() || it->second.kind != TypeKind::Enum)
    fail(-1, "enum type " + n.str() + " is not defined in the desired state");
  auto& labels = it->second.labels;
  if (s->old_val && *s->old_val) {  // RENAME VALUE
    auto l = std::find(labels.begin(), labels.end(), std::string(s->old_val));
    if (l == labels.end()) fail(-1, "enum " + n.str() + " has no label " + quote_literal(s->old_val));
    *l = s->new_val;
    return;
  }
  std::string v = s->new_val ? s->new_val : "";
  if (std::find(labels.begin(), labels.end(), v) != labels.end()) {
    if (s->skip_if_new_val_exists) return;
    fail(-1, "enum label " + quote_literal(v) + " already exists in " + n.str());
  }
  if (s->new_val_neighbor && *s->new_val_neighbor) {
    auto nb = std::find(labels.begin(), labels.end(), std::string(s->new_val_neighbor));
    if (nb == labels.end()) fail(-1, "enum " + n.str() + " has no label " + quote_literal(s->new_val_neighbor));
    labels.insert(s->new_val_is_after ? nb + 1 : nb, v);
  } else {
    labels.push_back(v);
  }
}

void Loader::create_domain(const PgQuery__CreateDomainStmt* s) {
  Type t;
  t.kind = TypeKind::Domain;
  t.name = qualify(s->domainname, s->n_domainname, -1);
  t.pos = pos(-1);
  t.notes = stmt_annotations();
  if (cat.types.count(t.name)) fail(-1, "type " + t.name.str() + " is already defined at " + cat.types[t.name].pos.str());
  t.base_type = type_name(s->type_name);
  if (s->coll_clause) t.collation = qualified_list(s->coll_clause->collname, s->coll_clause->n_collname);
  std::set<std::string> taken;
  for (size_t i = 0; i < s->n_constraints; i++) {
    const PgQuery__Constraint* k = s->constraints[i]->constraint;
    switch (k->contype) {
      case PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL: t.not_null = true; break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_NULL: t.not_null = false; break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT: t.default_expr = expr(k->raw_expr); break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK: {
        DomainCheck c;
        c.name = k->conname ? k->conname : "";
        c.check = expr(k->raw_expr);
        c.not_valid = k->skip_validation;
        t.checks.push_back(std::move(c));
        break;
      }
      default:
        unsupported(k->location, "this domain constraint is not supported");
    }
  }
  for (auto& c : t.checks) {
    if (c.name.empty()) {
      c.name = choose_conname(t.name.schema, t.name.name, "", "check", taken);
    }
    taken.insert(c.name);
    take_conname(t.name.schema, c.name);
  }
  std::sort(t.checks.begin(), t.checks.end(), [](const DomainCheck& a, const DomainCheck& b) { return a.name < b.name; });
  cat.types[t.name] = std::move(t);
}

void Loader::create_composite(const PgQuery__CompositeTypeStmt* s) {
  Type t;
  t.kind = TypeKind::Composite;
  t.name = qualify(s->typevar);
  t.pos = pos(s->typevar->location);
  t.notes = stmt_annotations();
  if (cat.types.count(t.name)) fail(-1, "type " + t.name.str() + " is already defined at " + cat.types[t.name].pos.str());
  for (size_t i = 0; i < s->n_coldeflist; i++) {
    const PgQuery__ColumnDef* cd = s->coldeflist[i]->column_def;
    CompositeAttr a;
    a.name = cd->colname ? cd->colname : "";
    a.type = type_name(cd->type_name);
    if (cd->coll_clause) a.collation = qualified_list(cd->coll_clause->collname, cd->coll_clause->n_collname);
    t.attrs.push_back(std::move(a));
  }
  cat.types[t.name] = std::move(t);
}

void Loader::create_schema(const PgQuery__CreateSchemaStmt* s) {
  std::string n = s->schemaname ? s->schemaname : "";
  if (n.empty()) unsupported(-1, "CREATE SCHEMA AUTHORIZATION without a schema name is not supported");
  if (n.rfind("pg_", 0) == 0) fail(-1, "unacceptable schema name " + quote_ident(n) + ": the prefix pg_ is reserved");
  if (cat.schemas.count(n)) {
    if (s->if_not_exists || n == "public") return;
    fail(-1, "schema " + quote_ident(n) + " is already defined at " + cat.schemas[n].pos.str());
  }
  cat.schemas[n] = Schema{n, "", pos(-1)};
  // CREATE SCHEMA s CREATE TABLE t ...: the elements are created in s.
  if (s->n_schema_elts) {
    auto saved = search_path;
    search_path = {n};
    for (size_t i = 0; i < s->n_schema_elts; i++) apply(s->schema_elts[i]);
    search_path = saved;
  }
}

void Loader::create_extension(const PgQuery__CreateExtensionStmt* s) {
  Extension e;
  e.name = s->extname ? s->extname : "";
  e.pos = pos(-1);
  for (size_t i = 0; i < s->n_options; i++) {
    const auto* d = s->options[i]->def_elem;
    std::string k = d->defname ? d->defname : "";
    if (k == "schema") e.schema = node_string(d->arg);
    else if (k == "new_version") e.version = node_string(d->arg);
    else if (k == "cascade") {
    } else unsupported(d->location, "extension option " + k + " is not supported");
  }
  if (cat.extensions.count(e.name)) {
    if (s->if_not_exists) return;
    fail(-1, "extension " + quote_ident(e.name) + " is already defined at " + cat.extensions[e.name].pos.str());
  }
  cat.extensions[e.name] = std::move(e);
}

}  // namespace seam::schema
