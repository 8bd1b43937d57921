// CREATE TABLE and the column/constraint pieces ALTER TABLE shares with it.
#include <algorithm>

#include "schema/load_ctx.hpp"

namespace seam::schema {

namespace {

bool is_serial(const std::vector<std::string>& names, std::string* type) {
  if (names.empty() || names.size() > 2) return false;
  if (names.size() == 2 && names[0] != "pg_catalog") return false;
  const std::string& n = names.back();
  if (n == "serial" || n == "serial4") *type = "integer";
  else if (n == "bigserial" || n == "serial8") *type = "bigint";
  else if (n == "smallserial" || n == "serial2") *type = "smallint";
  else return false;
  return true;
}

// DEFAULT NULL stores no default; NULL::othertype does (the server keeps the
// coercion), NULL cast to the column's own type does not.
bool is_null_const(const PgQuery__Node* n, const std::string& column_type = "") {
  if (n && n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST) {
    (void)column_type;  // the server keeps even NULL::<the column's type>
    return false;
  }
  return n && n->node_case == PG_QUERY__NODE__NODE_A_CONST && n->a_const->isnull;
}

char fk_action(const char* a) { return a && *a ? a[0] : 'a'; }

std::vector<std::string> string_list(PgQuery__Node** items, size_t n) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; i++) {
    if (items[i]->node_case == PG_QUERY__NODE__NODE_INDEX_ELEM)
      out.push_back(items[i]->index_elem->name ? items[i]->index_elem->name : "");
    else
      out.push_back(node_string(items[i]));
  }
  return out;
}

std::string seq_literal(const QualName& q) {
  // nextval's argument as the server prints it: schema only when not public.
  std::string n = q.schema == "public" ? quote_ident(q.name) : quote_qual(q);
  return quote_literal(n) + "::regclass";
}

}  // namespace

// DEFERRABLE / INITIALLY DEFERRED arrive as separate nodes after the constraint.
void Loader::apply_constraint_attr(const PgQuery__Constraint* k, std::vector<Constraint>& pending) const {
  if (pending.empty()) fail(k->location, "misplaced DEFERRABLE clause");
  Constraint& last = pending.back();
  switch (k->contype) {
    case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_DEFERRABLE: last.deferrable = true; break;
    case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_NOT_DEFERRABLE: last.deferrable = false; break;
    case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_DEFERRED: last.deferrable = last.initially_deferred = true; break;
    default: last.initially_deferred = false; break;
  }
}

SequenceOptions Loader::sequence_options(PgQuery__Node** opts, size_t n, const std::string& type,
                                         const SequenceOptions* base, int location,
                                         std::string* seq_name,
                                         std::vector<std::string>* owned_by) {
  std::string as = base ? base->type : type;
  std::optional<int64_t> inc, start, min, max, cache;
  std::optional<bool> cycle;
  bool explicit_min_none = false, explicit_max_none = false;
  for (size_t i = 0; i < n; i++) {
    if (opts[i]->node_case != PG_QUERY__NODE__NODE_DEF_ELEM) continue;
    const auto* d = opts[i]->def_elem;
    std::string k = d->defname ? d->defname : "";
    if (k == "as") {
      as = node_string(d->arg);
      if (as != "smallint" && as != "integer" && as != "bigint")
        fail(d->location, "sequence type must be smallint, integer or bigint, not " + as);
    } else if (k == "increment") {
      inc = node_int(d->arg, 1);
    } else if (k == "start") {
      start = node_int(d->arg, 1);
    } else if (k == "minvalue") {
      if (d->arg) min = node_int(d->arg, 1);
      else explicit_min_none = true;
    } else if (k == "maxvalue") {
      if (d->arg) max = node_int(d->arg, 1);
      else explicit_max_none = true;
    } else if (k == "cache") {
      cache = node_int(d->arg, 1);
    } else if (k == "cycle") {
      cycle = node_string(d->arg) == "true";
    } else if (k == "owned_by") {
      if (owned_by) *owned_by = string_list(d->arg->list->items, d->arg->list->n_items);
    } else if (k == "sequence_name") {
      if (seq_name) {
        auto parts = string_list(d->arg->list->items, d->arg->list->n_items);
        *seq_name = parts.empty() ? "" : parts.back();
      }
    } else if (k == "restart") {
      // a one-off action on the live sequence, not part of the desired shape
    } else {
      fail(d->location, "unknown sequence option " + k);
    }
  }
  int64_t increment = inc.value_or(base ? base->increment : 1);
  SequenceOptions o = default_sequence_options(as, increment < 0);
  if (base && !inc && as == base->type) o = *base;
  o.type = as;
  o.increment = increment;
  if (min) o.min = *min;
  else if (explicit_min_none || !base || as != base->type) o.min = default_sequence_options(as, increment < 0).min;
  if (max) o.max = *max;
  else if (explicit_max_none || !base || as != base->type) o.max = default_sequence_options(as, increment < 0).max;
  if (start) o.start = *start;
  else if (!base) o.start = increment < 0 ? o.max : o.min;
  if (cache) o.cache = *cache;
  if (cycle) o.cycle = *cycle;
  (void)location;
  return o;
}

void Loader::add_column(Table& t, const PgQuery__ColumnDef* cd, std::vector<Constraint>& pending) {
  Column c;
  c.name = cd->colname ? cd->colname : "";
  c.pos = pos(cd->location);
  int line = c.pos.line;
  c.notes = annotations(line, line);
  if (line > 1) {
    size_t ls = file->line_starts[line - 2], le = file->line_starts[line - 1];
    std::string_view prev(file->text.data() + ls, le - ls);
    size_t b = prev.find_first_not_of(" \t");
    if (b != std::string_view::npos && prev.substr(b, 2) == "--")
      for (auto& [k, v] : annotations(line - 1, line - 1)) c.notes.emplace(k, v);
  }
  if (t.find_column(c.name))
    fail(cd->location, "column " + quote_ident(c.name) + " specified more than once in table " +
                           t.name.str());
  if (!cd->type_name) {
    if (!t.partition_of) fail(cd->location, "column " + quote_ident(c.name) + " has no type");
    // PARTITION OF parent (col WITH OPTIONS DEFAULT ...): options only; the
    // type comes from the parent in finish().
    for (size_t i = 0; i < cd->n_constraints; i++) {
      const PgQuery__Constraint* k = cd->constraints[i]->constraint;
      if (k->contype == PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT) c.default_expr = expr(k->raw_expr);
      else if (k->contype == PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL) c.not_null = true;
      else {
        Constraint con = table_constraint(t, k);
        if (con.kind != ConstraintKind::Check && con.columns.empty()) con.columns = {c.name};
        pending.push_back(std::move(con));
      }
    }
    t.columns.push_back(std::move(c));
    return;
  }
  std::string serial_type;
  auto tnames = pgq::names_of(cd->type_name->names, cd->type_name->n_names);
  bool serial = is_serial(tnames, &serial_type) && !cd->type_name->n_array_bounds;
  c.type = serial ? serial_type : type_name(cd->type_name);
  if (cd->coll_clause) c.collation = qualified_list(cd->coll_clause->collname, cd->coll_clause->n_collname);
  if (cd->raw_default && !is_null_const(cd->raw_default, c.type)) c.default_expr = expr(cd->raw_default);
  if (cd->is_not_null) c.not_null = true;

  for (size_t i = 0; i < cd->n_constraints; i++) {
    const PgQuery__Node* n = cd->constraints[i];
    if (n->node_case != PG_QUERY__NODE__NODE_CONSTRAINT) continue;
    const PgQuery__Constraint* k = n->constraint;
    switch (k->contype) {
      case PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL:
        c.not_null = true;
        break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_NULL:
        c.not_null = false;
        break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT:
        if (c.default_expr) fail(k->location, "multiple default values for column " + quote_ident(c.name));
        if (!is_null_const(k->raw_expr, c.type)) c.default_expr = expr(k->raw_expr);
        break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY: {
        if (c.type != "smallint" && c.type != "integer" && c.type != "bigint")
          fail(k->location, "identity column " + quote_ident(c.name) + " must be smallint, integer or bigint");
        c.identity = k->generated_when && *k->generated_when == 'd' ? 'd' : 'a';
        c.not_null = true;
        std::string sname;
        c.identity_seq = sequence_options(k->options, k->n_options, c.type, nullptr, k->location, &sname);
        c.identity_seq_name = sname.empty() ? choose_relname(t.name.schema, t.name.name, c.name, "seq", false) : sname;
        take_relname({t.name.schema, c.identity_seq_name});
        break;
      }
      case PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED:
        c.generated = expr(k->raw_expr);
        break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
      case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
      case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
      case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
      case PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION: {
        Constraint con = table_constraint(t, k);
        if (con.kind != ConstraintKind::Check && con.columns.empty()) con.columns = {c.name};
        pending.push_back(std::move(con));
        break;
      }
      case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_DEFERRABLE:
      case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_NOT_DEFERRABLE:
      case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_DEFERRED:
      case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_IMMEDIATE:
        apply_constraint_attr(k, pending);
        break;
      default:
        unsupported(k->location, "this column constraint is not supported");
    }
  }
  if (serial) {
    if (c.default_expr) fail(cd->location, "a serial column cannot also have a DEFAULT");
    Sequence s;
    s.name = {t.name.schema, choose_relname(t.name.schema, t.name.name, c.name, "seq", false)};
    if (cat.sequences.count(s.name)) fail(cd->location, "sequence " + s.name.str() + " already exists");
    s.opts = default_sequence_options(serial_type, false);
    s.owned_by_table = t.name;
    s.owned_by_column = c.name;
    s.pos = c.pos;
    take_relname(s.name);
    c.default_expr = canon_expr("nextval(" + seq_literal(s.name) + ")");
    c.not_null = true;
    cat.sequences[s.name] = std::move(s);
  }
  t.columns.push_back(std::move(c));
}

Constraint Loader::table_constraint(Table& t, const PgQuery__Constraint* k) {
  Constraint c;
  c.name = k->conname ? k->conname : "";
  c.pos = pos(k->location);
  c.deferrable = k->deferrable;
  c.initially_deferred = k->initdeferred;
  c.not_valid = k->skip_validation;
  c.no_inherit = k->is_no_inherit;
  switch (k->contype) {
    case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
      c.kind = ConstraintKind::Check;
      c.check = expr(k->raw_expr);
      break;
    case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
    case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
      c.kind = k->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY ? ConstraintKind::PrimaryKey
                                                                   : ConstraintKind::Unique;
      c.columns = string_list(k->keys, k->n_keys);
      c.include = string_list(k->including, k->n_including);
      c.nulls_not_distinct = k->nulls_not_distinct;
      if (k->indexname && *k->indexname) {
        // ADD CONSTRAINT ... USING INDEX: the index becomes the constraint's
        // (and takes the constraint's name).
        QualName in{t.name.schema, k->indexname};
        auto it = cat.indexes.find(in);
        if (it == cat.indexes.end() || !(it->second.table == t.name))
          fail(k->location, "USING INDEX " + in.str() + ": no such index on " + t.name.str());
        if (!it->second.unique) fail(k->location, "index " + in.str() + " is not unique");
        for (const auto& e : it->second.elems) {
          if (e.column.empty()) fail(k->location, "index " + in.str() + " contains expressions");
          c.columns.push_back(e.column);
        }
        c.include = it->second.include;
        c.nulls_not_distinct = it->second.nulls_not_distinct;
        if (c.name.empty()) c.name = k->indexname;
        relnames.erase({in.schema, in.name});
        cat.indexes.erase(it);
      }
      break;
    case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
      c.kind = ConstraintKind::ForeignKey;
      c.columns = string_list(k->fk_attrs, k->n_fk_attrs);
      c.ref_table = qualify(k->pktable);
      c.ref_columns = string_list(k->pk_attrs, k->n_pk_attrs);
      c.on_update = fk_action(k->fk_upd_action);
      c.on_delete = fk_action(k->fk_del_action);
      c.match = k->fk_matchtype && *k->fk_matchtype ? k->fk_matchtype[0] : 's';
      if (k->n_fk_del_set_cols) unsupported(k->location, "ON DELETE SET NULL/DEFAULT (columns) is not supported yet");
      break;
    case PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION: {
      c.kind = ConstraintKind::Exclude;
      c.method = k->access_method && *k->access_method ? k->access_method : "btree";
      for (size_t i = 0; i < k->n_exclusions; i++) {
        const PgQuery__Node* pair = k->exclusions[i];
        if (pair->node_case != PG_QUERY__NODE__NODE_LIST || pair->list->n_items != 2) continue;
        const PgQuery__IndexElem* ie = pair->list->items[0]->index_elem;
        IndexElem e;
        if (ie->name && *ie->name) e.column = ie->name;
        else e.expr = expr(ie->expr);
        if (ie->n_collation) e.collation = qualified_list(ie->collation, ie->n_collation);
        if (ie->n_opclass) e.opclass = qualified_list(ie->opclass, ie->n_opclass);
        e.desc = ie->ordering == PG_QUERY__SORT_BY_DIR__SORTBY_DESC;
        if (ie->nulls_ordering == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_FIRST && !e.desc) e.nulls = 1;
        if (ie->nulls_ordering == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_LAST && e.desc) e.nulls = 2;
        const PgQuery__Node* ops = pair->list->items[1];
        {
          auto parts = pgq::names_of(ops->list->items, ops->list->n_items);
          if (parts.size() == 2 && parts[0] == "pg_catalog") parts.erase(parts.begin());
          for (size_t p = 0; p < parts.size(); p++) e.exclude_op += (p ? "." : "") + parts[p];
        }
        c.elems.push_back(std::move(e));
        if (!c.elems.back().column.empty()) c.columns.push_back(c.elems.back().column);
      }
      c.include = string_list(k->including, k->n_including);
      if (k->where_clause) c.where = expr(k->where_clause);
      break;
    }
    default:
      unsupported(k->location, "this table constraint is not supported");
  }
  (void)t;
  return c;
}

// Give unnamed constraints the names PostgreSQL would, in the order it does:
// CHECKs, then index-backed constraints, then foreign keys.
namespace {
bool index_backed(const Constraint& c) {
  return c.kind == ConstraintKind::PrimaryKey || c.kind == ConstraintKind::Unique || c.kind == ConstraintKind::Exclude;
}
bool same_index(const Constraint& a, const Constraint& b) {
  auto where = [](const Constraint& c) { return c.where ? c.where->canon : std::string(); };
  bool elems_equal = a.elems.size() == b.elems.size();
  for (size_t i = 0; elems_equal && i < a.elems.size(); i++)
    elems_equal = a.elems[i].column == b.elems[i].column && a.elems[i].exclude_op == b.elems[i].exclude_op &&
                  (a.elems[i].expr ? a.elems[i].expr->canon : "") == (b.elems[i].expr ? b.elems[i].expr->canon : "");
  return a.columns == b.columns && a.include == b.include && where(a) == where(b) && elems_equal &&
         (a.kind == ConstraintKind::Exclude) == (b.kind == ConstraintKind::Exclude) && a.method == b.method &&
         a.nulls_not_distinct == b.nulls_not_distinct && a.deferrable == b.deferrable &&
         a.initially_deferred == b.initially_deferred;
}
}  // namespace

// One CREATE TABLE keeps one index for identical PRIMARY KEY / UNIQUE /
// EXCLUDE specifications (transformIndexConstraints); the primary key wins,
// and a name given to a dropped duplicate moves to the kept one.
void fold_duplicate_index_constraints(std::vector<Constraint>& pending) {
  std::vector<Constraint> out;
  auto pk = std::find_if(pending.begin(), pending.end(), [](const Constraint& c) { return c.kind == ConstraintKind::PrimaryKey; });
  if (pk != pending.end()) out.push_back(*pk);
  for (size_t i = 0; i < pending.size(); i++) {
    const Constraint& c = pending[i];
    if (pk != pending.end() && &c == &*pk) continue;
    if (!index_backed(c)) continue;
    bool keep = true;
    for (auto& prior : out)
      if (same_index(c, prior)) {
        if (prior.name.empty()) prior.name = c.name;
        keep = false;
        break;
      }
    if (keep) out.push_back(c);
  }
  for (const auto& c : pending)
    if (!index_backed(c)) out.push_back(c);
  // keep the written order for naming: index-backed ones in order, then the rest
  pending = std::move(out);
}

void Loader::name_constraints(Table& t, std::vector<Constraint>& pending) {
  const std::string& schema = t.name.schema;
  for (auto& c : pending)
    if (!c.name.empty()) {
      if (t.find_constraint(c.name) ||
          std::count_if(pending.begin(), pending.end(), [&](const Constraint& o) { return o.name == c.name; }) > 1)
        fail(-1, "constraint " + quote_ident(c.name) + " for relation " + t.name.str() + " already exists");
      take_conname(schema, c.name);
      if (c.kind == ConstraintKind::PrimaryKey || c.kind == ConstraintKind::Unique ||
          c.kind == ConstraintKind::Exclude)
        take_relname({schema, c.name});
    }
  auto addition = [](const std::vector<std::string>& cols) {
    std::string buf;
    for (const auto& n : cols) {
      if (!buf.empty()) buf += "_";
      buf += n;
      if (buf.size() >= 64) break;
    }
    return buf;
  };
  for (auto& c : pending) {
    if (!c.name.empty() || c.kind != ConstraintKind::Check) continue;
    // PostgreSQL looks at the expression, not where it was written: one
    // referenced column gives tab_col_check, otherwise tab_check.
    std::string col = single_column_of(t, *c.check);
    c.name = choose_conname(schema, t.name.name, col, "check");
    take_conname(schema, c.name);
  }
  for (auto& c : pending) {
    if (!c.name.empty()) continue;
    if (c.kind == ConstraintKind::PrimaryKey)
      c.name = choose_relname(schema, t.name.name, "", "pkey", true);
    else if (c.kind == ConstraintKind::Unique) {
      std::vector<std::string> cols = c.columns;  // INCLUDE columns are part of the name
      cols.insert(cols.end(), c.include.begin(), c.include.end());
      c.name = choose_relname(schema, t.name.name, addition(cols), "key", true);
    }
    else if (c.kind == ConstraintKind::Exclude) {
      std::vector<std::string> cols;
      for (const auto& e : c.elems) cols.push_back(e.column.empty() ? figure_index_colname(e) : e.column);
      cols.insert(cols.end(), c.include.begin(), c.include.end());
      c.name = choose_relname(schema, t.name.name, addition(cols), "excl", true);
    } else
      continue;
    take_conname(schema, c.name);
    take_relname({schema, c.name});
  }
  for (auto& c : pending) {
    if (!c.name.empty()) continue;
    c.name = choose_conname(schema, t.name.name, addition(c.columns), "fkey");
    take_conname(schema, c.name);
  }
  for (auto& c : pending) {
    if (c.kind == ConstraintKind::PrimaryKey)
      for (const auto& col : c.columns)
        if (Column* tc = t.find_column(col)) tc->not_null = true;
    t.constraints.push_back(std::move(c));
  }
  pending.clear();
}

void Loader::create_table(const PgQuery__CreateStmt* s) {
  Table t;
  t.name = qualify(s->relation);
  t.pos = pos(s->relation->location);
  t.notes = stmt_annotations();
  std::string rp = s->relation->relpersistence ? s->relation->relpersistence : "p";
  if (rp == "t") unsupported(s->relation->location, "temporary tables do not belong in a schema file");
  t.persistence = rp == "u" ? 'u' : 'p';
  if (cat.tables.count(t.name)) {
    if (s->if_not_exists) return;
    fail(s->relation->location, "table " + t.name.str() + " is already defined at " + cat.tables[t.name].pos.str());
  }
  if (relnames.count({t.name.schema, t.name.name}))
    fail(s->relation->location, "relation " + t.name.str() + " already exists (a view, sequence or index has that name)");
  if (s->of_typename) unsupported(-1, "CREATE TABLE ... OF type is not supported");
  if (s->access_method && *s->access_method) unsupported(-1, "table access methods (USING ...) are not supported");
  if (s->tablespacename && *s->tablespacename)
    warn(-1, "TABLESPACE " + std::string(s->tablespacename) + " ignored: tablespaces are not managed by seam");
  take_relname(t.name);
  for (size_t i = 0; i < s->n_inh_relations; i++) {
    const PgQuery__Node* r = s->inh_relations[i];
    if (r->node_case != PG_QUERY__NODE__NODE_RANGE_VAR) continue;
    if (s->partbound) t.partition_of = qualify(r->range_var);
    else t.inherits.push_back(qualify(r->range_var));
  }
  std::vector<Constraint> pending;
  for (size_t i = 0; i < s->n_table_elts; i++) {
    const PgQuery__Node* e = s->table_elts[i];
    if (e->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
      add_column(t, e->column_def, pending);
    } else if (e->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) {
      const PgQuery__Constraint* k = e->constraint;
      if (k->contype >= PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_DEFERRABLE) {
        apply_constraint_attr(k, pending);
        continue;
      }
      pending.push_back(table_constraint(t, k));
    } else if (e->node_case == PG_QUERY__NODE__NODE_TABLE_LIKE_CLAUSE) {
      unsupported(-1, "CREATE TABLE ... (LIKE ...) is not supported; spell the columns out");
    } else {
      unsupported(-1, "this table element is not supported");
    }
  }
  if (s->partspec) t.partition_by = partition_key_from(s->partspec);
  if (s->partbound) t.partition_bound = partition_bound_from(s->partbound);
  t.with = defelems_to_options(s->options, s->n_options);
  fold_duplicate_index_constraints(pending);
  // NOT VALID means nothing for a new, empty table: the server marks it valid.
  for (auto& c : pending) c.not_valid = false;
  name_constraints(t, pending);
  if (s->n_constraints) unsupported(-1, "table-level constraint list is not supported here");
  cat.tables[t.name] = std::move(t);
}

}  // namespace seam::schema
