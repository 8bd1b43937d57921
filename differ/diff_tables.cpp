// diff(): tables and what lives inside them - columns, constraints, policies,
// partitioning, table options - and the foreign keys that must be re-added
// when what they reference is replaced.
#include <algorithm>

#include "differ/diff_internal.hpp"
#include "schema/canon.hpp"
#include "schema/name_scan.hpp"

namespace seam::differ::detail {

using schema::ConstraintKind;
using schema::QualName;
using schema::quote_ident;

namespace {

std::string col_name(const QualName& t, const std::string& c) { return t.str() + "." + quote_ident(c); }

bool same_constraint(const schema::Constraint& a, const schema::Constraint& b) {
  if (a.kind != b.kind || a.columns != b.columns || a.include != b.include || a.nulls_not_distinct != b.nulls_not_distinct ||
      !same_expr(a.check, b.check) || a.not_valid != b.not_valid || a.deferrable != b.deferrable ||
      a.initially_deferred != b.initially_deferred || a.method != b.method || !same_expr(a.where, b.where))
    return false;
  if (a.kind == ConstraintKind::Check && a.no_inherit != b.no_inherit) return false;
  if (a.kind == ConstraintKind::ForeignKey &&
      (a.ref_table != b.ref_table || a.ref_columns != b.ref_columns || a.on_update != b.on_update ||
       a.on_delete != b.on_delete || a.match != b.match))
    return false;
  if (a.elems.size() != b.elems.size()) return false;
  for (size_t i = 0; i < a.elems.size(); ++i) {
    const auto &x = a.elems[i], &y = b.elems[i];
    if (x.column != y.column || x.collation != y.collation || x.opclass != y.opclass || x.desc != y.desc ||
        x.nulls != y.nulls || x.exclude_op != y.exclude_op || !same_expr(x.expr, y.expr))
      return false;
  }
  return true;
}

bool same_policy(const schema::Policy& a, const schema::Policy& b) {
  return a.permissive == b.permissive && a.command == b.command && a.roles == b.roles &&
         same_expr(a.using_expr, b.using_expr) && same_expr(a.check_expr, b.check_expr);
}

// A column that the parent of a partition or inheritance child declares: its
// structure follows the parent's own changes.
bool inherited_column(const schema::Catalog& cat, const schema::Table& t, const std::string& col) {
  if (t.partition_of) return true;
  for (const auto& p : t.inherits)
    if (const schema::Table* pt = cat.find_table(p); pt && pt->find_column(col)) return true;
  return false;
}

}  // namespace

namespace {
bool needs_recreate(const schema::Table& a, const schema::Table& b) {
  return !(a.partition_by == b.partition_by) || a.inherits != b.inherits;
}
}  // namespace

void Differ::tables() {
  for (const auto& [name, t] : to.tables)
    if (auto it = from.tables.find(name); it != from.tables.end() && needs_recreate(it->second, t))
      recreated_tables.insert(name);
  std::vector<QualName> added, dropped;
  for (const auto& [name, t] : to.tables) {
    auto it = from.tables.find(name);
    if (it == from.tables.end()) {
      add_table(t);
      added.push_back(name);
    } else {
      alter_table(it->second, t);
    }
  }
  for (const auto& [name, t] : from.tables) {
    if (to.tables.count(name)) continue;
    // A partition whose parent stays is detached first: foreign keys that
    // reference the parent forbid dropping an attached partition.
    if (t.partition_of && to.tables.count(*t.partition_of))
      push(DetachPartition{t}, {.alters = {key::rel(name)}, .old_needs = {key::rel(*t.partition_of)}});
    drop_table(t, false);
    dropped.push_back(name);
  }
  // A dropped and an added table with the same columns may be a rename.
  auto shape = [](const schema::Table& t) {
    std::vector<std::pair<std::string, std::string>> s;
    for (const auto& c : t.columns) s.push_back({c.name, c.type});
    return s;
  };
  for (auto& ch : out.changes) {
    auto* d = std::get_if<DropTable>(&ch.op);
    if (!d) continue;
    for (const auto& a : added) {
      const schema::Table& nt = to.tables.at(a);
      if (a.schema != d->obj.name.schema || shape(nt) != shape(d->obj)) continue;
      ch.hazards.push_back({HazardKind::MaybeRename, "table " + d->obj.name.str() + " is dropped and table " + a.str() +
                                                         " is added with the same columns: if this is a rename, put "
                                                         "`-- seam:renamed-from " + quote_ident(d->obj.name.name) +
                                                         "` before CREATE TABLE " + a.str() + "; as it stands the rows of " +
                                                         d->obj.name.str() + " are lost"});
    }
  }
}

void Differ::add_table(const schema::Table& t) {
  Deps d{.creates = {key::rel(t.name)}, .needs = to_ix.of_table(t)};
  for (const auto& c : t.constraints)
    if (c.kind != ConstraintKind::ForeignKey) d.creates.push_back(key::con(t.name, c.name));
  push(AddTable{t}, std::move(d));
  created_rels.insert(t.name);
  for (const auto& c : t.constraints)
    if (c.kind == ConstraintKind::ForeignKey) add_constraint(t, c);
  for (const auto& p : t.policies)
    push(AddPolicy{t.name, p}, {.creates = {key::pol(t.name, p.name)}, .needs = to_ix.of_policy(t, p)});
  if (!t.replica_identity.empty()) {
    // REPLICA IDENTITY USING INDEX needs the index, created after the table.
    schema::Table plain = t;
    plain.replica_identity.clear();
    Deps d{.needs = {key::rel(t.name)}};
    if (t.replica_identity.rfind("index ", 0) == 0) d.needs.push_back(key::rel({t.name.schema, t.replica_identity.substr(6)}));
    push(AlterTable{plain, t}, std::move(d));
  }
}

void Differ::drop_table(const schema::Table& t, bool recreate) {
  Deps d{.drops = {key::rel(t.name)}, .old_needs = from_ix->of_table(t)};
  for (const auto& c : t.constraints) {
    d.drops.push_back(key::con(t.name, c.name));
    gone.insert(key::con(t.name, c.name));
    // A foreign key to another table that goes too is dropped first, so that
    // tables referencing each other can be dropped in any order.
    if (c.kind != ConstraintKind::ForeignKey || c.ref_table == t.name) continue;
    if (!to.tables.count(c.ref_table) || !from.tables.count(c.ref_table) || recreated_tables.count(c.ref_table))
      drop_constraint(t, c);
    else  // the referenced table stays: drop this table before its key goes
      d.old_needs = merge(d.old_needs, from_ix->of_constraint(t, c));
  }
  d.old_needs.erase(std::remove(d.old_needs.begin(), d.old_needs.end(), key::rel(t.name)), d.old_needs.end());
  std::vector<Hazard> h{{HazardKind::DataLoss, "table " + t.name.str() +
                                                   (recreate ? " is dropped and created again (its partitioning or "
                                                               "inheritance changes); its rows are lost"
                                                             : " is dropped with all its rows")}};
  if (recreate) {
    // Sequences the table owns would go with it: release them first and
    // hand them back to the new table, so they keep their values.
    for (const auto& [sn, sq] : from.sequences) {
      if (!sq.owned_by_table || *sq.owned_by_table != t.name || !to.sequences.count(sn)) continue;
      schema::Sequence none = sq;
      none.owned_by_table.reset();
      none.owned_by_column.clear();
      push(SetSequenceOwner{sq, none}, {.needs = {key::rel(sn)}, .old_needs = {key::rel(t.name)}});
      const schema::Sequence& ns = to.sequences.at(sn);
      if (ns.owned_by_table && *ns.owned_by_table == t.name)
        push(SetSequenceOwner{none, ns}, {.needs = {key::rel(sn), key::rel(t.name)}});
    }
  }
  push(DropTable{t}, std::move(d), std::move(h));
  dropped_rels.insert(t.name);
  gone.insert(key::rel(t.name));
  replaced.insert(key::rel(t.name));
}

void Differ::alter_table(const schema::Table& a, const schema::Table& b) {
  if (recreated_tables.count(b.name)) {
    drop_table(a, true);
    add_table(b);
    return;
  }
  bool part_change = a.partition_of != b.partition_of || a.partition_bound.canon != b.partition_bound.canon;
  if (part_change && a.partition_of)
    push(DetachPartition{a}, {.alters = {key::rel(a.name)}, .old_needs = {key::rel(*a.partition_of)}});
  columns(a, b);
  constraints(a, b);
  policies(a, b);
  if (part_change && b.partition_of)
    push(AttachPartition{b}, {.alters = {key::rel(b.name)}, .needs = {key::rel(*b.partition_of)}});
  if (a.persistence != b.persistence || a.with != b.with || a.rls_enabled != b.rls_enabled || a.rls_forced != b.rls_forced) {
    schema::Table b_same_identity = b;
    b_same_identity.replica_identity = a.replica_identity;
    push(AlterTable{a, b_same_identity}, {.alters = {key::rel(a.name)}});
  }
  if (a.replica_identity != b.replica_identity) {
    // Its own change: it needs the index it names, which needs the table -
    // so it must not count as altering the table.
    schema::Table a_rest = b;
    a_rest.replica_identity = a.replica_identity;
    Deps d{.needs = {key::rel(a.name)}};
    if (b.replica_identity.rfind("index ", 0) == 0) d.needs.push_back(key::rel({b.name.schema, b.replica_identity.substr(6)}));
    push(AlterTable{a_rest, b}, std::move(d));
  }
  if (a.comment != b.comment) comment({ObjectKind::Table, b.name, "", {}}, a.comment, b.comment, {key::rel(b.name)});
}

void Differ::columns(const schema::Table& a, const schema::Table& b) {
  const QualName& t = b.name;
  std::string rk = key::rel(t);
  bool both_partitions = a.partition_of && b.partition_of;
  std::vector<const schema::Column*> added;
  for (const auto& c : b.columns)
    if (!a.find_column(c.name) && !(both_partitions || inherited_column(to, b, c.name))) added.push_back(&c);
  for (const auto& c : a.columns) {
    if (b.find_column(c.name) || both_partitions || inherited_column(from, a, c.name)) continue;
    std::vector<Hazard> h;
    if (!c.generated) h.push_back({HazardKind::DataLoss, "column " + col_name(t, c.name) + " is dropped with its data"});
    for (const auto* n : added)
      if (n->type == c.type)
        h.push_back({HazardKind::MaybeRename, "column " + col_name(t, c.name) + " is dropped and column " +
                                                  col_name(t, n->name) + " is added with the same type: if this is "
                                                  "a rename, put `-- seam:renamed-from " + quote_ident(c.name) +
                                                  "` on the line before " + quote_ident(n->name) + "'s definition"});
    push(DropColumn{t, c}, {.alters = {rk}, .old_needs = from_ix->of_column(a, c)}, std::move(h));
    replaced.insert(rk);
  }
  int seq = 0;
  for (const auto* c : added) push(AddColumn{t, *c, seq++}, {.alters = {rk}, .needs = to_ix.of_column(b, *c)});
  const schema::Table* parent = b.partition_of ? to.find_table(*b.partition_of) : nullptr;
  const schema::Table* old_parent = a.partition_of ? from.find_table(*a.partition_of) : nullptr;
  for (const auto& nc : b.columns) {
    const schema::Column* oc = a.find_column(nc.name);
    if (!oc) continue;
    bool structural = !(both_partitions || inherited_column(to, b, nc.name));
    // A partition follows its parent's own change of a default or NOT NULL.
    const schema::Column* pc = parent ? parent->find_column(nc.name) : nullptr;
    const schema::Column* opc = old_parent ? old_parent->find_column(nc.name) : nullptr;
    if (pc && !opc) pc = nullptr;
    if (structural && (oc->generated.has_value() != nc.generated.has_value() || !same_expr(oc->generated, nc.generated))) {
      // One change, never a drop and an add: those would land in different
      // phases, and a plain column made from a generated one would lose its values.
      AlterColumnGenerated g{t, *oc, nc};
      std::vector<Hazard> h;
      Deps d{.alters = {rk}, .needs = to_ix.of_column(b, nc), .old_needs = from_ix->of_column(a, *oc)};
      const bool kept = g.drop_expression();
      if (!kept) {
        if (!oc->generated)
          h.push_back({HazardKind::DataLoss, "column " + col_name(t, nc.name) +
                                                 " becomes a generated column: it is dropped and added again, and its "
                                                 "stored values are replaced by the expression's"});
        else if (!nc.generated)
          h.push_back({HazardKind::DataLoss, "column " + col_name(t, nc.name) +
                                                 " stops being generated and changes type: it is dropped and added "
                                                 "again empty"});
        regenerated.insert({t, nc.name});
        replaced.insert(rk);
      }
      push(std::move(g), std::move(d), std::move(h));
      if (!kept) continue;
      // DROP EXPRESSION keeps the column: its default, NOT NULL and comment
      // are compared below like any other column's.
    }
    bool type_change = structural && (oc->type != nc.type || oc->collation != nc.collation);
    if (type_change) {
      std::string using_expr;
      if (auto it = nc.notes.find("using"); it != nc.notes.end()) using_expr = it->second;
      // Between enums (or from an enum) there is no cast: go through text.
      auto is_enum = [](const schema::Catalog& cat, const std::string& type) {
        std::string base = type.substr(0, type.find('['));
        for (const auto& [n, ty] : cat.types)
          if (ty.kind == schema::TypeKind::Enum && (n.str() == base || (n.schema == "public" && n.name == base))) return true;
        return false;
      };
      bool via_text = using_expr.empty() && (is_enum(from, oc->type) || is_enum(to, nc.type)) &&
                      (oc->type.find('[') != std::string::npos) == (nc.type.find('[') != std::string::npos);
      push(AlterColumnType{t, *oc, nc, using_expr, via_text},
           {.alters = {rk}, .needs = to_ix.of_column(b, nc), .old_needs = from_ix->of_column(a, *oc)});
      replaced.insert(rk);
    }
    if (oc->identity != nc.identity || (nc.identity && !(oc->identity_seq == nc.identity_seq)))
      push(AlterIdentity{t, *oc, nc}, {.alters = {rk}});
    // AlterColumnType re-sets the default itself when the column had one.
    bool default_in_type = type_change && oc->default_expr;
    bool parent_same_default = pc && same_expr(pc->default_expr, nc.default_expr) && !same_expr(opc->default_expr, pc->default_expr);
    if (!default_in_type && !nc.identity && !nc.generated && !same_expr(oc->default_expr, nc.default_expr) &&
        !(parent_same_default && !structural))
      push(SetDefault{t, *oc, nc}, {.alters = {rk}, .needs = to_ix.of_column(b, nc), .old_needs = from_ix->of_column(a, *oc)});
    bool parent_same_nn = pc && pc->not_null == nc.not_null && opc->not_null != pc->not_null;
    if (oc->not_null != nc.not_null && !(parent_same_nn && !structural)) push(SetNotNull{t, *oc, nc}, {.alters = {rk}});
    if (oc->comment != nc.comment) comment({ObjectKind::Column, t, nc.name, {}}, oc->comment, nc.comment, {rk});
  }
}

void Differ::add_constraint(const schema::Table& t, const schema::Constraint& c) {
  touched_cons.insert(key::con(t.name, c.name));
  push(AddConstraint{t.name, c}, {.creates = {key::con(t.name, c.name)}, .needs = to_ix.of_constraint(t, c)});
}

void Differ::drop_constraint(const schema::Table& t, const schema::Constraint& c) {
  touched_cons.insert(key::con(t.name, c.name));
  gone.insert(key::con(t.name, c.name));
  push(DropConstraint{t.name, c}, {.drops = {key::con(t.name, c.name)}, .old_needs = from_ix->of_constraint(t, c)});
}

bool Differ::on_regenerated(const schema::QualName& table, const schema::Index& ix) const {
  for (const auto& [t, col] : regenerated)
    if (t == table && schema::index_mentions(ix, col)) return true;
  return false;
}

bool Differ::on_regenerated(const schema::QualName& table, const schema::Constraint& c) const {
  for (const auto& [t, col] : regenerated)
    if (t == table && schema::constraint_mentions(c, col)) return true;
  return false;
}

void Differ::constraints(const schema::Table& a, const schema::Table& b) {
  for (const auto& c : a.constraints) {
    const schema::Constraint* n = b.find_constraint(c.name);
    if (!n || !same_constraint(c, *n) || on_regenerated(a.name, c)) drop_constraint(a, c);
  }
  for (const auto& c : b.constraints) {
    const schema::Constraint* o = a.find_constraint(c.name);
    if (!o || !same_constraint(*o, c) || on_regenerated(b.name, c)) {
      add_constraint(b, c);
    } else if (o->comment != c.comment) {
      comment({ObjectKind::Constraint, b.name, c.name, {}}, o->comment, c.comment, {key::con(b.name, c.name)});
    }
  }
}

void Differ::policies(const schema::Table& a, const schema::Table& b) {
  auto find = [](const schema::Table& t, const std::string& n) -> const schema::Policy* {
    for (const auto& p : t.policies)
      if (p.name == n) return &p;
    return nullptr;
  };
  for (const auto& p : a.policies) {
    const schema::Policy* n = find(b, p.name);
    if (!n || !same_policy(p, *n))
      push(DropPolicy{a.name, p}, {.drops = {key::pol(a.name, p.name)}, .old_needs = from_ix->of_policy(a, p)});
  }
  for (const auto& p : b.policies) {
    const schema::Policy* o = find(a, p.name);
    if (!o || !same_policy(*o, p))
      push(AddPolicy{b.name, p}, {.creates = {key::pol(b.name, p.name)}, .needs = to_ix.of_policy(b, p)});
    else if (o->comment != p.comment)
      comment({ObjectKind::Policy, b.name, p.name, {}}, o->comment, p.comment, {key::pol(b.name, p.name)});
  }
}

void Differ::foreign_keys_on_gone() {
  for (const auto& [name, t] : from.tables) {
    if (dropped_rels.count(name)) continue;
    const schema::Table* nt = to.find_table(name);
    if (!nt) continue;
    for (const auto& c : t.constraints) {
      if (c.kind != ConstraintKind::ForeignKey || touched_cons.count(key::con(name, c.name))) continue;
      const schema::Constraint* n = nt->find_constraint(c.name);
      if (!n) continue;
      bool hit = false;
      for (const auto& k : from_ix->of_constraint(t, c))
        if (k != key::rel(name) && gone.count(k)) hit = true;
      if (!hit) continue;
      drop_constraint(t, c);
      add_constraint(*nt, *n);
    }
  }
}

}  // namespace seam::differ::detail
