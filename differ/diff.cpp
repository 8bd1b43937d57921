// diff(): the driver and the object kinds outside tables - schemas,
// extensions, types, sequences, functions, views, indexes, triggers - plus the
// renames from annotations and the dependents of replaced objects.
#include "differ/diff.hpp"

#include <algorithm>

#include "differ/diff_internal.hpp"
#include "schema/canon.hpp"

namespace seam::differ {

using schema::QualName;
using schema::quote_ident;

const char* to_string(HazardKind k) {
  switch (k) {
    case HazardKind::DataLoss: return "data-loss";
    case HazardKind::MaybeRename: return "maybe-rename";
    case HazardKind::RecreatesType: return "recreates-type";
    case HazardKind::Recreated: return "recreated";
  }
  return "?";
}

std::vector<Hazard> ChangeSet::hazards() const {
  std::vector<Hazard> out;
  for (const auto& c : changes)
    for (const auto& h : c.hazards) out.push_back(h);
  return out;
}

namespace detail {

bool same_expr(const std::optional<schema::Expr>& a, const std::optional<schema::Expr>& b) {
  bool ha = a && !a->canon.empty(), hb = b && !b->canon.empty();
  if (ha != hb) return false;
  return !ha || a->canon == b->canon;
}

std::vector<std::string> merge(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  std::sort(a.begin(), a.end());
  a.erase(std::unique(a.begin(), a.end()), a.end());
  return a;
}

Differ::Differ(const schema::Catalog& from_in, const schema::Catalog& to_in, const DiffOptions& o)
    : from(from_in), to(to_in), opts(o), to_ix(to_in) {}

Change& Differ::push(ChangeOp op, Deps d, std::vector<Hazard> h, std::string note) {
  out.changes.push_back({std::move(op), std::move(d), std::move(h), std::move(note)});
  return out.changes.back();
}

namespace {

// "old" or "schema.old" relative to the schema of the annotated object.
QualName parse_old(const std::string& v, const std::string& schema) {
  std::string s = v;
  // Accept a trailing ";" or quotes the author may have written.
  while (!s.empty() && (s.back() == ';' || s.back() == ' ')) s.pop_back();
  auto unq = [](std::string p) {
    if (p.size() >= 2 && p.front() == '"' && p.back() == '"') return p.substr(1, p.size() - 2);
    return p;
  };
  size_t dot = s.find('.');
  if (dot != std::string::npos && s.front() != '"') return {unq(s.substr(0, dot)), unq(s.substr(dot + 1))};
  return {schema, unq(s)};
}

const std::string* renamed_from(const schema::Annotations& notes) {
  auto it = notes.find("renamed-from");
  return it == notes.end() || it->second.empty() ? nullptr : &it->second;
}

void rename_rel_refs(schema::Catalog& c, const QualName& a, const QualName& b) {
  for (auto& [n, t] : c.tables) {
    for (auto& k : t.constraints)
      if (k.ref_table == a) k.ref_table = b;
    if (t.partition_of && *t.partition_of == a) t.partition_of = b;
    for (auto& p : t.inherits)
      if (p == a) p = b;
  }
  for (auto& [n, ix] : c.indexes)
    if (ix.table == a) ix.table = b;
  for (auto& [n, s] : c.sequences)
    if (s.owned_by_table && *s.owned_by_table == a) s.owned_by_table = b;
  for (auto& [n, v] : c.views)
    for (auto& d : v.deps)
      if (d == a) d = b;
  std::map<std::pair<QualName, std::string>, schema::Trigger> trs;
  for (auto& [k, tr] : c.triggers) {
    schema::Trigger t2 = tr;
    if (t2.table == a) t2.table = b;
    trs[{t2.table, t2.name}] = std::move(t2);
  }
  c.triggers = std::move(trs);
}

template <class M>
bool movable(const M& from, const M& to, const typename M::key_type& old, const typename M::key_type& neu) {
  return from.count(old) && !from.count(neu) && !to.count(old);
}

}  // namespace

void Differ::renames() {
  // Tables first: column renames are looked up under the new table name.
  for (const auto& [name, t] : to.tables) {
    const std::string* v = renamed_from(t.notes);
    if (!v) continue;
    QualName old = parse_old(*v, name.schema);
    if (!movable(from.tables, to.tables, old, name)) continue;
    schema::Table moved = from.tables.at(old);
    push(RenameTable{moved, t}, {.creates = {key::rel(name)}, .drops = {}, .alters = {key::rel(name)}, .needs = {}, .old_needs = {}});
    from.tables.erase(old);
    moved.name = name;
    from.tables[name] = std::move(moved);
    rename_rel_refs(from, old, name);
    // The implicit primary-key name follows the table name in `to`; rename it
    // rather than dropping a key other tables' foreign keys rely on.
    schema::Table& ft = from.tables[name];
    for (auto& k : ft.constraints) {
      if (k.kind != schema::ConstraintKind::PrimaryKey || t.find_constraint(k.name)) continue;
      for (const auto& nk : t.constraints) {
        if (nk.kind != schema::ConstraintKind::PrimaryKey || ft.find_constraint(nk.name) || nk.columns != k.columns) continue;
        push(RenameConstraint{name, k, nk}, {.creates = {key::con(name, nk.name)}, .drops = {}, .alters = {key::con(name, nk.name)},
                                             .needs = {key::rel(name)}, .old_needs = {}});
        QualName old_ix{name.schema, k.name}, new_ix{name.schema, nk.name};
        if (from.indexes.count(old_ix)) {
          auto ix = from.indexes.at(old_ix);
          from.indexes.erase(old_ix);
          ix.name = new_ix;
          from.indexes[new_ix] = ix;
        }
        k.name = nk.name;
        break;
      }
    }
  }
  for (const auto& [name, t] : to.tables) {
    auto fit = from.tables.find(name);
    if (fit == from.tables.end()) continue;
    schema::Table& ft = fit->second;
    for (const auto& c : t.columns) {
      const std::string* v = renamed_from(c.notes);
      if (!v) continue;
      std::string old = parse_old(*v, "").name;
      schema::Column* fc = ft.find_column(old);
      if (!fc || ft.find_column(c.name) || t.find_column(old)) continue;
      push(RenameColumn{name, *fc, c}, {.creates = {}, .drops = {}, .alters = {key::rel(name)}, .needs = {key::rel(name)}, .old_needs = {}});
      fc->name = c.name;
      auto ren = [&](std::vector<std::string>& cols) {
        for (auto& x : cols)
          if (x == old) x = c.name;
      };
      for (auto& k : ft.constraints) {
        ren(k.columns);
        ren(k.include);
        for (auto& e : k.elems)
          if (e.column == old) e.column = c.name;
      }
      for (auto& [tn, other] : from.tables)
        for (auto& k : other.constraints)
          if (k.kind == schema::ConstraintKind::ForeignKey && k.ref_table == name) ren(k.ref_columns);
      for (auto& [n, ix] : from.indexes) {
        if (ix.table != name) continue;
        for (auto& e : ix.elems)
          if (e.column == old) e.column = c.name;
        ren(ix.include);
      }
      for (auto& [n, s] : from.sequences)
        if (s.owned_by_table && *s.owned_by_table == name && s.owned_by_column == old) s.owned_by_column = c.name;
      for (auto& [k, tr] : from.triggers)
        if (tr.table == name) ren(tr.update_columns);
    }
    for (const auto& c : t.constraints) {
      const std::string* v = renamed_from(c.notes);
      if (!v) continue;
      std::string old = parse_old(*v, "").name;
      auto it = std::find_if(ft.constraints.begin(), ft.constraints.end(), [&](auto& k) { return k.name == old; });
      if (it == ft.constraints.end() || ft.find_constraint(c.name) || t.find_constraint(old)) continue;
      push(RenameConstraint{name, *it, c}, {.creates = {key::con(name, c.name)}, .drops = {},
                                            .alters = {key::con(name, c.name)}, .needs = {key::rel(name)}, .old_needs = {}});
      it->name = c.name;
    }
  }
  auto simple = [&](auto& fmap, const auto& tmap, auto make_change, auto&& rekey) {
    for (const auto& [name, obj] : tmap) {
      const std::string* v = renamed_from(obj.notes);
      if (!v) continue;
      QualName old = parse_old(*v, name.schema);
      if (!movable(fmap, tmap, old, name)) continue;
      auto moved = fmap.at(old);
      make_change(moved, obj, old, name);
      fmap.erase(old);
      moved.name = name;
      fmap[name] = std::move(moved);
      rekey(old, name);
    }
  };
  auto rel_deps = [](const QualName& a, const QualName& b) {
    (void)a;
    return Deps{.creates = {key::rel(b)}, .drops = {}, .alters = {key::rel(b)}, .needs = {}, .old_needs = {}};
  };
  simple(from.indexes, to.indexes,
         [&](auto& o, auto& n, auto& a, auto& b) {
           Deps d = rel_deps(a, b);
           d.needs.push_back(key::rel(o.table));
           push(RenameIndex{o, n}, std::move(d));
         },
         [](auto&, auto&) {});
  simple(from.views, to.views,
         [&](auto& o, auto& n, auto& a, auto& b) { push(RenameView{o, n}, rel_deps(a, b)); },
         [&](auto& a, auto& b) { rename_rel_refs(from, a, b); });
  simple(from.sequences, to.sequences,
         [&](auto& o, auto& n, auto& a, auto& b) { push(RenameSequence{o, n}, rel_deps(a, b)); }, [](auto&, auto&) {});
  simple(from.types, to.types,
         [&](auto& o, auto& n, auto& a, auto& b) {
           (void)a;
           push(RenameType{o, n}, {.creates = {key::type(b)}, .drops = {}, .alters = {key::type(b)}, .needs = {},
                                   .old_needs = {}});
         },
         [&](auto& a, auto& b) {
           // Column types that name the type follow it (the server stores the oid).
           auto fix = [&](std::string& ty) {
             std::string base = ty, suffix;
             if (size_t p = ty.find('['); p != std::string::npos) base = ty.substr(0, p), suffix = ty.substr(p);
             auto spell = [](const QualName& q) { return q.schema == "public" ? quote_ident(q.name) : q.str(); };
             if (base == spell(a) || base == a.str()) ty = spell(b) + suffix;
           };
           for (auto& [n, t] : from.tables)
             for (auto& c : t.columns) fix(c.type);
         });
}

void Differ::schemas_and_extensions() {
  for (const auto& [name, s] : to.schemas) {
    auto it = from.schemas.find(name);
    if (it == from.schemas.end()) {
      push(AddSchema{s}, {.creates = {key::schema(name)}});
      continue;
    }
    auto norm = [](const schema::Schema& x) {
      return x.name == "public" && x.comment == "standard public schema" ? std::string() : x.comment;
    };
    if (norm(it->second) != norm(s)) comment({ObjectKind::Schema, {"", name}, "", {}}, it->second.comment, s.comment, {key::schema(name)});
  }
  for (const auto& [name, s] : from.schemas) {
    if (to.schemas.count(name) || name == "public") continue;
    if (std::find(opts.keep_schemas.begin(), opts.keep_schemas.end(), name) != opts.keep_schemas.end()) continue;
    push(DropSchema{s}, {.drops = {key::schema(name)}});
  }
  for (const auto& [name, e] : to.extensions) {
    auto it = from.extensions.find(name);
    std::vector<std::string> needs;
    if (!e.schema.empty() && e.schema != "public" && to.schemas.count(e.schema)) needs.push_back(key::schema(e.schema));
    if (it == from.extensions.end()) {
      push(AddExtension{e}, {.creates = {key::ext(name)}, .needs = needs});
      continue;
    }
    const auto& old = it->second;
    if ((!e.version.empty() && e.version != old.version) || (!e.schema.empty() && e.schema != old.schema))
      push(AlterExtension{old, e}, {.alters = {key::ext(name)}, .needs = needs});
    if (old.comment != e.comment && !(name == "plpgsql" && e.comment.empty()))
      comment({ObjectKind::Extension, {"", name}, "", {}}, old.comment, e.comment, {key::ext(name)});
  }
  for (const auto& [name, e] : from.extensions)
    if (!to.extensions.count(name) && name != "plpgsql") push(DropExtension{e}, {.drops = {key::ext(name)}});
}

namespace {
// True when `a` is `b` with some labels left out (same relative order).
bool subsequence(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  size_t j = 0;
  for (const auto& x : b)
    if (j < a.size() && a[j] == x) ++j;
  return j == a.size();
}
}  // namespace

void Differ::types() {
  for (const auto& [name, ty] : to.types) {
    auto it = from.types.find(name);
    if (it == from.types.end()) {
      push(AddType{ty}, {.creates = {key::type(name)}, .needs = to_ix.of_type(ty)});
      continue;
    }
    const schema::Type& old = it->second;
    ObjectRef ref{ty.kind == schema::TypeKind::Domain ? ObjectKind::Domain : ObjectKind::Type, name, "", {}};
    if (old.kind != ty.kind || (ty.kind == schema::TypeKind::Domain && (old.base_type != ty.base_type || old.collation != ty.collation))) {
      push(DropType{old}, {.drops = {key::type(name)}, .old_needs = from_ix->of_type(old)},
           {{HazardKind::DataLoss, "type " + name.str() + " is dropped and created again; columns of that type block it"}});
      push(AddType{ty}, {.creates = {key::type(name)}, .needs = to_ix.of_type(ty)});
      replaced.insert(key::type(name));
      continue;
    }
    if (ty.kind == schema::TypeKind::Enum && old.labels != ty.labels) {
      if (subsequence(old.labels, ty.labels)) {
        int seq = 0;
        std::vector<std::string> have = old.labels;
        for (size_t i = 0; i < ty.labels.size(); ++i) {
          const std::string& l = ty.labels[i];
          if (std::find(old.labels.begin(), old.labels.end(), l) != old.labels.end()) continue;
          AddEnumValue a{ty, l, "", "", seq++};
          if (i > 0)
            a.after = ty.labels[i - 1];
          else
            a.before = ty.labels[1];
          push(a, {.alters = {key::type(name)}});
        }
      } else {
        RecreateEnum r{old, ty, {}};
        for (const auto& [tn, t] : from.tables) {
          const schema::Table* nt = to.find_table(tn);
          for (const auto& c : t.columns) {
            std::set<std::string> refs;
            from_ix->type_refs(c.type, refs);
            if (!refs.count(key::type(name))) continue;
            const schema::Column* nc = nt ? nt->find_column(c.name) : nullptr;
            if (!nc || nc->type != c.type) continue;  // dropped or retyped by its own change
            r.uses.push_back({tn, c, *nc});
          }
        }
        Deps d{.alters = {key::type(name)}};
        for (const auto& u : r.uses) d.alters.push_back(key::rel(u.table)), replaced.insert(key::rel(u.table));
        d.alters = merge(d.alters, {});
        push(std::move(r), std::move(d),
             {{HazardKind::RecreatesType, "enum " + name.str() +
                                              " loses or reorders labels: it is recreated and every column of that "
                                              "type is rewritten; rows holding a removed label make it fail"}});
        replaced.insert(key::type(name));
      }
    }
    if (ty.kind == schema::TypeKind::Domain) {
      bool same_checks = old.checks == ty.checks;
      if (!same_expr(old.default_expr, ty.default_expr) || old.not_null != ty.not_null || !same_checks) {
        // Comments of checks are compared with the checks; a comment-only change re-adds nothing.
        push(AlterDomain{old, ty}, {.alters = {key::type(name)}, .needs = to_ix.of_type(ty), .old_needs = from_ix->of_type(old)});
      }
    }
    if (ty.kind == schema::TypeKind::Composite && old.attrs != ty.attrs)
      push(AlterCompositeType{old, ty}, {.alters = {key::type(name)}, .needs = to_ix.of_type(ty)});
    if (old.comment != ty.comment) comment(ref, old.comment, ty.comment, {key::type(name)});
  }
  for (const auto& [name, ty] : from.types) {
    if (to.types.count(name)) continue;
    push(DropType{ty}, {.drops = {key::type(name)}, .old_needs = from_ix->of_type(ty)});
    replaced.insert(key::type(name));
  }
}

void Differ::sequences() {
  for (const auto& [name, s] : to.sequences) {
    auto it = from.sequences.find(name);
    if (it == from.sequences.end()) {
      push(AddSequence{s}, {.creates = {key::rel(name)}, .needs = to_ix.of_sequence(s)});
      if (s.owned_by_table) {
        schema::Sequence none = s;
        none.owned_by_table.reset();
        none.owned_by_column.clear();
        push(SetSequenceOwner{none, s}, {.needs = {key::rel(name), key::rel(*s.owned_by_table)}});
      }
      continue;
    }
    const auto& old = it->second;
    if (!(old.opts == s.opts)) push(AlterSequence{old, s}, {.alters = {key::rel(name)}});
    if (old.owned_by_table != s.owned_by_table || old.owned_by_column != s.owned_by_column) {
      Deps d{.needs = {key::rel(name)}};
      if (s.owned_by_table) d.needs.push_back(key::rel(*s.owned_by_table));
      // Off the old owner before that table or column is dropped (it would take the sequence along).
      if (old.owned_by_table) d.old_needs.push_back(key::rel(*old.owned_by_table));
      push(SetSequenceOwner{old, s}, std::move(d));
    }
    if (old.comment != s.comment) comment({ObjectKind::Sequence, name, "", {}}, old.comment, s.comment, {key::rel(name)});
  }
  for (const auto& [name, s] : from.sequences) {
    if (to.sequences.count(name)) continue;
    bool owned = s.owned_by_table.has_value();
    push(DropSequence{s, owned}, {.drops = {key::rel(name)}, .old_needs = from_ix->of_sequence(s)});
  }
}

namespace {
bool same_function(const schema::Function& a, const schema::Function& b) {
  auto standard = [](const std::string& s) { return s.rfind("RETURN", 0) == 0 || s.rfind("BEGIN ATOMIC", 0) == 0; };
  bool same_body = a.body == b.body ||
                   (standard(a.body) && standard(b.body) && schema::canon_sql_body(a.body) == schema::canon_sql_body(b.body));
  return a.args == b.args && a.returns == b.returns && a.language == b.language && same_body &&
         a.volatility == b.volatility && a.strict == b.strict && a.security_definer == b.security_definer &&
         a.leakproof == b.leakproof && a.parallel == b.parallel && a.cost == b.cost && a.rows == b.rows &&
         a.config == b.config && a.procedure == b.procedure;
}
std::vector<std::string> in_types(const schema::Function& f) {
  std::vector<std::string> v;
  for (const auto& a : f.args)
    if (a.mode.empty() || a.mode == "IN" || a.mode == "INOUT" || a.mode == "VARIADIC") v.push_back(a.type);
  return v;
}
}  // namespace

namespace {
bool touches(const std::vector<std::string>& keys, const std::set<std::string>& s) {
  for (const auto& k : keys)
    if (s.count(k)) return true;
  return false;
}
}  // namespace

void Differ::functions() {
  for (const auto& [sig, f] : to.functions) {
    ObjectRef ref{f.procedure ? ObjectKind::Procedure : ObjectKind::Function, f.name, "", in_types(f)};
    auto it = from.functions.find(sig);
    if (it == from.functions.end()) {
      push(AddFunction{f}, {.creates = {key::func(sig)}, .needs = to_ix.of_function(f)});
      continue;
    }
    const auto& old = it->second;
    // A function whose argument or result type is recreated (an enum losing
    // labels) is dropped before and created again after it.
    bool type_replaced = touches(from_ix->of_function(old), replaced);
    if (!same_function(old, f) || type_replaced) {
      // CREATE OR REPLACE keeps the function's identity (and its dependents)
      // unless the result type, argument names or defaults change.
      bool in_place = old.returns == f.returns && old.args == f.args && old.procedure == f.procedure && !type_replaced;
      if (in_place) {
        push(ReplaceFunction{old, f, true}, {.alters = {key::func(sig)}, .needs = to_ix.of_function(f)});
      } else {
        push(ReplaceFunction{old, f, false},
             {.creates = {key::func(sig)}, .drops = {key::func(sig)}, .needs = to_ix.of_function(f),
              .old_needs = from_ix->of_function(old)});
        replaced.insert(key::func(sig));
      }
    }
    if (old.comment != f.comment) comment(ref, old.comment, f.comment, {key::func(sig)});
  }
  for (const auto& [sig, f] : from.functions) {
    if (to.functions.count(sig)) continue;
    push(DropFunction{f}, {.drops = {key::func(sig)}, .old_needs = from_ix->of_function(f)});
    replaced.insert(key::func(sig));
  }
}

namespace {
bool same_view(const schema::View& a, const schema::View& b) {
  return a.materialized == b.materialized && a.query.canon == b.query.canon && a.columns == b.columns && a.with == b.with;
}
bool intersects(const std::vector<std::string>& keys, const std::set<std::string>& s) {
  for (const auto& k : keys)
    if (s.count(k)) return true;
  return false;
}
}  // namespace

void Differ::views() {
  // Which views are replaced: changed ones, then (to a fixpoint) every view
  // that reads something replaced.
  std::set<QualName> repl;
  std::map<QualName, std::string> why;
  for (const auto& [name, v] : to.views) {
    auto it = from.views.find(name);
    if (it != from.views.end() && !same_view(it->second, v)) repl.insert(name);
  }
  for (const auto& [name, v] : from.views)
    if (!to.views.count(name) || repl.count(name)) replaced.insert(key::rel(name));
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& [name, v] : from.views) {
      if (repl.count(name) || !to.views.count(name)) continue;
      for (const auto& k : from_ix->of_view(v)) {
        if (!replaced.count(k)) continue;
        repl.insert(name);
        why[name] = k.substr(k.find(':') + 1);
        replaced.insert(key::rel(name));
        grew = true;
        break;
      }
    }
  }
  for (const auto& [name, v] : to.views) {
    auto it = from.views.find(name);
    if (it == from.views.end()) {
      push(AddView{v}, {.creates = {key::rel(name)}, .needs = to_ix.of_view(v)});
      created_rels.insert(name);
      continue;
    }
    const auto& old = it->second;
    if (repl.count(name)) {
      std::vector<Hazard> h;
      std::string note;
      if (why.count(name)) {
        note = "recreated: depends on " + why[name] + ", which is replaced";
        h.push_back({HazardKind::Recreated, std::string(v.materialized ? "materialized view " : "view ") + name.str() +
                                                " is dropped and created again around the change of " + why[name]});
      }
      push(ReplaceView{old, v},
           {.creates = {key::rel(name)}, .drops = {key::rel(name)}, .needs = to_ix.of_view(v), .old_needs = from_ix->of_view(old)},
           std::move(h), note);
      dropped_rels.insert(name);
      created_rels.insert(name);
      continue;
    }
    ObjectRef ref{v.materialized ? ObjectKind::MaterializedView : ObjectKind::View, name, "", {}};
    if (old.comment != v.comment) comment(ref, old.comment, v.comment, {key::rel(name)});
    std::set<std::string> cols;
    for (const auto& [c, t] : old.column_comments) cols.insert(c);
    for (const auto& [c, t] : v.column_comments) cols.insert(c);
    for (const auto& c : cols) {
      auto a = old.column_comments.count(c) ? old.column_comments.at(c) : std::string();
      auto b = v.column_comments.count(c) ? v.column_comments.at(c) : std::string();
      if (a != b) comment({ObjectKind::ViewColumn, name, c, {}}, a, b, {key::rel(name)});
    }
  }
  for (const auto& [name, v] : from.views) {
    if (to.views.count(name)) continue;
    std::vector<Hazard> h;
    if (v.materialized) h.push_back({HazardKind::DataLoss, "materialized view " + name.str() + " is dropped"});
    push(DropView{v}, {.drops = {key::rel(name)}, .old_needs = from_ix->of_view(v)}, std::move(h));
    dropped_rels.insert(name);
  }
}

namespace {
bool same_index(const schema::Index& a, const schema::Index& b) {
  if (a.elems.size() != b.elems.size()) return false;
  for (size_t i = 0; i < a.elems.size(); ++i) {
    const auto &x = a.elems[i], &y = b.elems[i];
    if (x.column != y.column || x.collation != y.collation || x.opclass != y.opclass || x.desc != y.desc ||
        x.nulls != y.nulls || !same_expr(x.expr, y.expr))
      return false;
  }
  return a.table == b.table && a.unique == b.unique && a.nulls_not_distinct == b.nulls_not_distinct &&
         a.method == b.method && a.include == b.include && same_expr(a.where, b.where) && a.with == b.with;
}
}  // namespace

void Differ::indexes() {
  for (const auto& [name, ix] : to.indexes) {
    auto it = from.indexes.find(name);
    bool fresh = it == from.indexes.end() || created_rels.count(ix.table) || dropped_rels.count(it->second.table);
    if (!fresh && same_index(it->second, ix) && !on_regenerated(ix.table, it->second)) {
      if (it->second.comment != ix.comment)
        comment({ObjectKind::Index, name, "", {}}, it->second.comment, ix.comment, {key::rel(name)});
      continue;
    }
    if (it != from.indexes.end() && !dropped_rels.count(it->second.table))
      push(DropIndex{it->second}, {.drops = {key::rel(name)}, .old_needs = from_ix->of_index(it->second)});
    push(AddIndex{ix}, {.creates = {key::rel(name)}, .needs = to_ix.of_index(ix)});
    if (it != from.indexes.end()) gone.insert(key::rel(name));
  }
  for (const auto& [name, ix] : from.indexes) {
    if (to.indexes.count(name) || dropped_rels.count(ix.table)) continue;
    push(DropIndex{ix}, {.drops = {key::rel(name)}, .old_needs = from_ix->of_index(ix)});
    gone.insert(key::rel(name));
  }
}

namespace {
bool same_trigger(const schema::Trigger& a, const schema::Trigger& b) {
  return a.timing == b.timing && a.events == b.events && a.update_columns == b.update_columns &&
         a.for_each_row == b.for_each_row && same_expr(a.when, b.when) && a.function == b.function &&
         a.args == b.args && a.constraint_trigger == b.constraint_trigger && a.deferrable == b.deferrable &&
         a.initially_deferred == b.initially_deferred && a.old_table == b.old_table && a.new_table == b.new_table;
}
}  // namespace

void Differ::triggers() {
  for (const auto& [k, tr] : to.triggers) {
    auto it = from.triggers.find(k);
    auto tkey = key::trig(tr.table, tr.name);
    bool fresh = it == from.triggers.end() || created_rels.count(tr.table);
    bool dep_replaced = it != from.triggers.end() && intersects(from_ix->of_trigger(it->second), replaced);
    if (!fresh && !dep_replaced && same_trigger(it->second, tr)) {
      if (it->second.comment != tr.comment)
        comment({ObjectKind::Trigger, tr.table, tr.name, {}}, it->second.comment, tr.comment, {tkey});
      continue;
    }
    if (it != from.triggers.end() && !dropped_rels.count(tr.table))
      push(DropTrigger{it->second}, {.drops = {tkey}, .old_needs = from_ix->of_trigger(it->second)});
    push(AddTrigger{tr}, {.creates = {tkey}, .needs = to_ix.of_trigger(tr)});
  }
  for (const auto& [k, tr] : from.triggers) {
    if (to.triggers.count(k) || dropped_rels.count(tr.table)) continue;
    push(DropTrigger{tr}, {.drops = {key::trig(tr.table, tr.name)}, .old_needs = from_ix->of_trigger(tr)});
  }
}

void Differ::comment(ObjectRef ref, const std::string& a, const std::string& b, std::vector<std::string> needs) {
  push(SetComment{std::move(ref), a, b}, {.needs = std::move(needs)});
}

}  // namespace detail

ChangeSet diff(const schema::Catalog& from, const schema::Catalog& to, const DiffOptions& opts) {
  detail::refuse_unplanned_kinds(from, to);
  detail::Differ d(from, to, opts);
  d.renames();
  d.from_ix = std::make_unique<DepIndex>(d.from);
  d.schemas_and_extensions();
  d.types();
  d.sequences();
  d.functions();
  d.tables();
  d.views();
  d.indexes();
  d.foreign_keys_on_gone();
  d.triggers();
  return std::move(d.out);
}

}  // namespace seam::differ
