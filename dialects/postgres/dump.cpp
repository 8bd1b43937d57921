// dump_catalog: a schema::Catalog as a loadable desired-state SQL script.
//
// Every object becomes one section (header line + statements). Sections are
// ordered by a stable topological sort: the base order is the kind order of
// dump.hpp with the catalog's name order inside a kind, and an object whose
// dependencies are not out yet waits for them, then comes out as early as its
// base order allows. Dependencies are explicit where the model has them
// (partition parent, inherited tables, View::deps, trigger function, FK
// tables) and otherwise read from the names an expression, type or SQL body
// mentions - a conservative scan: a false match only moves an object later.
#include "dialects/postgres/dump.hpp"

#include <map>
#include <set>
#include <string_view>

#include "dialects/postgres/render_create.hpp"
#include "dialects/postgres/render_util.hpp"
#include "schema/canon.hpp"
#include "schema/errors.hpp"
#include "schema/name_scan.hpp"

namespace seam::pg {

using schema::QualName;
using schema::quote_ident;
using schema::quote_qual;

namespace {

// ---- name references in SQL text ------------------------------------------

using Refs = schema::NameRefs;

void scan_expr(const std::optional<schema::Expr>& e, Refs& out) {
  if (render_detail::has_expr(e)) schema::scan_names(render_detail::expr_text(*e), out);
}

// ---- sections and their order -----------------------------------------------

struct Section {
  std::string header;  // "table public.users"
  std::string sql;
  std::set<size_t> deps;
};

std::string header_safe(std::string_view s) {
  // Names may hold newlines; a header is one comment line, always.
  std::string out;
  for (char c : s) {
    if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else
      out += c;
  }
  return out;
}

bool same_expr(const std::optional<schema::Expr>& a, const std::optional<schema::Expr>& b) {
  if (render_detail::has_expr(a) != render_detail::has_expr(b)) return false;
  if (!render_detail::has_expr(a)) return true;
  return a->canon == b->canon && a->text == b->text;
}

bool same_column(const schema::Column& a, const schema::Column& b) {
  return a.name == b.name && a.type == b.type && a.collation == b.collation && same_expr(a.default_expr, b.default_expr) &&
         a.not_null == b.not_null && a.identity == b.identity && same_expr(a.generated, b.generated);
}

// What a table declares itself, with what it inherits left to the server:
// a partition's column options equal to its parent's, an inheritance child's
// columns and CHECK constraints identical to a parent's.
schema::Table local_part(const schema::Catalog& cat, const schema::Table& t) {
  schema::Table local = t;
  if (t.partition_of) {
    if (const schema::Table* parent = cat.find_table(*t.partition_of)) {
      for (auto& c : local.columns) {
        const schema::Column* pc = parent->find_column(c.name);
        if (!pc) continue;
        if (pc->not_null) c.not_null = false;
        if (same_expr(pc->default_expr, c.default_expr)) c.default_expr.reset();
      }
    }
  }
  if (!t.inherits.empty()) {
    std::vector<const schema::Table*> parents;
    for (const auto& p : t.inherits)
      if (const schema::Table* pt = cat.find_table(p)) parents.push_back(pt);
    auto inherited_col = [&](const schema::Column& c) {
      for (const auto* p : parents)
        if (const schema::Column* pc = p->find_column(c.name); pc && same_column(*pc, c)) return true;
      return false;
    };
    auto inherited_check = [&](const schema::Constraint& c) {
      if (c.kind != schema::ConstraintKind::Check) return false;
      for (const auto* p : parents)
        if (const schema::Constraint* pc = p->find_constraint(c.name);
            pc && pc->kind == c.kind && !pc->no_inherit && same_expr(pc->check, c.check) && pc->not_valid == c.not_valid)
          return true;
      return false;
    };
    std::vector<schema::Column> cols;
    for (const auto& c : local.columns)
      if (!inherited_col(c)) cols.push_back(c);
    local.columns = std::move(cols);
    std::vector<schema::Constraint> cons;
    for (const auto& c : local.constraints)
      if (!inherited_check(c)) cons.push_back(c);
    local.constraints = std::move(cons);
  }
  return local;
}

class Dumper {
 public:
  explicit Dumper(const schema::Catalog& cat) : cat_(cat) {
    for (const auto& [n, ix] : cat.indexes) indexes_by_rel_[ix.table].push_back(&ix);
    for (const auto& [n, s] : cat.sequences)
      if (s.owned_by_table && cat.find_table(*s.owned_by_table)) owned_by_table_[*s.owned_by_table].push_back(&s);
  }

  std::string run() {
    build();
    std::string out =
        "-- Desired-state schema written by seam inspect.\n"
        "SET check_function_bodies = false;\n";
    for (size_t i : order()) out += "\n-- " + header_safe(sections_[i].header) + "\n" + sections_[i].sql;
    if (!cat_.unsupported.empty() || !skipped_.empty()) {
      // Said where the reader of the script will look, never dropped silently.
      out += "\n-- Not in this script: seam cannot represent these objects yet.\n";
      for (const auto& u : cat_.unsupported) out += "--   " + header_safe(u) + "\n";
      for (const auto& u : skipped_) out += "--   " + header_safe(u) + "\n";
    }
    return out;
  }

 private:
  const schema::Catalog& cat_;
  std::vector<Section> sections_;
  std::vector<std::string> skipped_;  // objects create_sql cannot write (UnsupportedError)
  std::map<QualName, std::vector<const schema::Index*>> indexes_by_rel_;
  std::map<QualName, std::vector<const schema::Sequence*>> owned_by_table_;
  std::map<QualName, size_t> type_sec_, rel_sec_;
  std::map<QualName, std::vector<size_t>> func_sec_;
  // Deferred: the references of each section, resolved once every section exists.
  std::vector<std::pair<size_t, Refs>> type_refs_, func_refs_, rel_refs_;
  std::vector<std::pair<size_t, QualName>> explicit_deps_;

  size_t add(std::string header, std::string sql) {
    sections_.push_back({std::move(header), std::move(sql), {}});
    return sections_.size() - 1;
  }

  void build() {
    for (const auto& [name, s] : cat_.schemas) {
      if (name == "public") {
        // Exists in every database; only a changed comment needs saying.
        if (!s.comment.empty() && s.comment != "standard public schema")
          add("schema " + quote_ident(name), comment_sql(s));
        continue;
      }
      std::string sql = create_sql(s);
      if (!s.comment.empty()) sql += comment_sql(s);
      add("schema " + quote_ident(name), sql);
    }
    for (const auto& [name, e] : cat_.extensions) {
      std::string sql = create_sql(e);
      // plpgsql is preinstalled and owned by the bootstrap superuser: leave its
      // stock comment alone so the script loads as a database owner.
      bool stock = e.name == "plpgsql" && e.comment == "PL/pgSQL procedural language";
      if (!e.comment.empty() && !stock) sql += comment_sql(e);
      add("extension " + quote_ident(name), sql);
    }
    // Enums (they need nothing), composites, domains; a composite using a
    // domain waits for it.
    for (auto kind : {schema::TypeKind::Enum, schema::TypeKind::Composite, schema::TypeKind::Domain}) {
      for (const auto& [name, ty] : cat_.types) {
        if (ty.kind != kind) continue;
        std::string sql = create_sql(ty);
        if (!ty.comment.empty()) sql += comment_sql(ty);
        for (const auto& c : ty.checks)
          if (!c.comment.empty()) sql += comment_sql(ty, c);
        size_t i = add(std::string(ty.kind == schema::TypeKind::Domain ? "domain " : "type ") + quote_qual(name), sql);
        type_sec_[name] = i;
        Refs r;
        if (!ty.base_type.empty()) schema::scan_names(ty.base_type, r);
        for (const auto& a : ty.attrs) schema::scan_names(a.type, r);
        scan_expr(ty.default_expr, r);
        for (const auto& c : ty.checks) schema::scan_names(render_detail::expr_text(c.check), r);
        type_refs_.push_back({i, std::move(r)});
      }
    }
    for (const auto& [name, s] : cat_.sequences) {
      std::string sql = create_sql(s);
      // OWNED BY goes with the owning table; here only when that table is not dumped.
      if (s.owned_by_table && !cat_.find_table(*s.owned_by_table)) sql += owned_by_sql(s);
      if (!s.comment.empty()) sql += comment_sql(s);
      add("sequence " + quote_qual(name), sql);
    }
    for (const auto& [sig, f] : cat_.functions) {
      std::string sql;
      try {
        sql = create_sql(f);
      } catch (const UnsupportedError& e) {
        // One function seam cannot write must not cost the user the whole dump.
        skipped_.push_back(e.what());
        continue;
      }
      if (!f.comment.empty()) sql += comment_sql(f);
      size_t i = add(std::string(f.procedure ? "procedure " : "function ") + function_ref(f), sql);
      func_sec_[f.name].push_back(i);
      Refs r;
      for (const auto& a : f.args) {
        schema::scan_names(a.type, r);
        scan_expr(a.default_expr, r);
      }
      schema::scan_names(f.returns, r);
      // An SQL-standard body is parsed at CREATE time: what it reads must exist.
      if (sql_standard_body(f)) schema::scan_names(f.body, r);
      func_refs_.push_back({i, std::move(r)});
    }
    // Aggregates after functions: they need their support functions and types.
    for (const auto& [sig, g] : cat_.aggregates) {
      std::string sql = create_sql(g);
      if (!g.comment.empty()) sql += comment_sql(g);
      size_t i = add("aggregate " + aggregate_ref(g), sql);
      func_sec_[g.name].push_back(i);
      Refs r;
      for (const auto& a : g.args) schema::scan_names(a.type, r);
      schema::scan_names(g.stype, r);
      schema::scan_names(g.mstype, r);
      for (const auto* fn : {&g.sfunc, &g.finalfunc, &g.combinefunc, &g.serialfunc, &g.deserialfunc, &g.msfunc,
                             &g.minvfunc, &g.mfinalfunc})
        if (!fn->empty()) schema::scan_names(*fn + "()", r);
      func_refs_.push_back({i, std::move(r)});
    }
    for (const auto& [name, t] : cat_.tables) {
      size_t i = add("table " + quote_qual(name), table_sql(t));
      rel_sec_[name] = i;
      if (t.partition_of) explicit_deps_.push_back({i, *t.partition_of});
      for (const auto& p : t.inherits) explicit_deps_.push_back({i, p});
      Refs r;
      for (const auto& c : t.columns) {
        schema::scan_names(c.type, r);
        scan_expr(c.default_expr, r);
        scan_expr(c.generated, r);
      }
      for (const auto& c : t.constraints) {
        if (c.kind == schema::ConstraintKind::ForeignKey) continue;
        scan_expr(c.check, r);
        scan_expr(c.where, r);
        for (const auto& e : c.elems) scan_expr(e.expr, r);
      }
      for (const auto* ix : indexes_of(name)) {
        for (const auto& e : ix->elems) scan_expr(e.expr, r);
        scan_expr(ix->where, r);
      }
      // Only functions and types matter here: other tables named in a default
      // or check cannot be needed at CREATE time.
      r.names.clear();
      for (const auto& c : t.columns) schema::scan_names(c.type, r);
      rel_refs_.push_back({i, std::move(r)});
    }
    for (const auto& [name, v] : cat_.views) {
      std::string sql = create_sql(v);
      for (const auto* ix : indexes_of(name)) sql += create_sql(*ix);
      if (!v.comment.empty()) sql += comment_sql(v);
      for (const auto& [col, text] : v.column_comments)
        if (!text.empty()) sql += comment_sql(v, col, text);
      for (const auto* ix : indexes_of(name))
        if (!ix->comment.empty()) sql += comment_sql(*ix);
      size_t i = add(std::string(v.materialized ? "materialized view " : "view ") + quote_qual(name), sql);
      rel_sec_[name] = i;
      Refs r;
      schema::scan_names(render_detail::expr_text(v.query), r);
      if (!v.deps.empty()) {
        r.names.clear();
        for (const auto& d : v.deps) explicit_deps_.push_back({i, d});
      }
      rel_refs_.push_back({i, std::move(r)});
    }
    // Indexes on relations this dump does not create (filtered out by schema).
    for (const auto& [rel, list] : indexes_by_rel_) {
      if (cat_.tables.count(rel) || cat_.views.count(rel)) continue;
      for (const auto* ix : list) {
        std::string sql = create_sql(*ix);
        if (!ix->comment.empty()) sql += comment_sql(*ix);
        add("index " + quote_qual(ix->name), sql);
      }
    }
    for (const auto& [name, t] : cat_.tables) {
      for (const auto& c : t.constraints) {
        if (c.kind != schema::ConstraintKind::ForeignKey) continue;
        std::string sql = add_constraint_sql(t, c);
        if (!c.comment.empty()) sql += comment_sql(t, c);
        size_t i = add("foreign key " + quote_ident(c.name) + " on " + quote_qual(name), sql);
        explicit_deps_.push_back({i, name});
        explicit_deps_.push_back({i, c.ref_table});
      }
    }
    // Policies after every table and function: USING (...) may read other tables.
    for (const auto& [name, t] : cat_.tables)
      for (const auto& p : t.policies) {
        size_t i = add("policy " + quote_ident(p.name) + " on " + quote_qual(name), create_sql(t, p));
        explicit_deps_.push_back({i, name});
      }
    for (const auto& [key, tr] : cat_.triggers) {
      std::string sql = create_sql(tr);
      if (!tr.comment.empty()) sql += comment_sql(tr);
      size_t i = add("trigger " + quote_ident(tr.name) + " on " + quote_qual(tr.table), sql);
      explicit_deps_.push_back({i, tr.table});
      Refs r;
      r.calls.insert(tr.function);
      func_refs_.push_back({i, std::move(r)});
    }
    // Event triggers last: once created they fire on the DDL that follows.
    for (const auto& [name, e] : cat_.event_triggers) {
      std::string sql = create_sql(e);
      if (!e.comment.empty()) sql += comment_sql(e);
      size_t i = add("event trigger " + quote_ident(name), sql);
      Refs r;
      r.calls.insert(e.function);
      func_refs_.push_back({i, std::move(r)});
    }
    resolve();
  }

  std::vector<const schema::Index*> indexes_of(const QualName& rel) const {
    auto it = indexes_by_rel_.find(rel);
    return it == indexes_by_rel_.end() ? std::vector<const schema::Index*>{} : it->second;
  }

  std::string table_sql(const schema::Table& t) const {
    std::string sql = create_sql(local_part(cat_, t));
    for (const auto& c : t.constraints)
      if (c.kind != schema::ConstraintKind::ForeignKey && !inline_constraint(c)) sql += add_constraint_sql(t, c);
    sql += rls_sql(t);
    for (const auto* ix : indexes_of(t.name)) sql += create_sql(*ix);
    if (auto it = owned_by_table_.find(t.name); it != owned_by_table_.end())
      for (const auto* s : it->second) sql += owned_by_sql(*s);
    if (!t.comment.empty()) sql += comment_sql(t);
    for (const auto& c : t.columns)
      if (!c.comment.empty()) sql += comment_sql(t, c);
    for (const auto& c : t.constraints)
      if (c.kind != schema::ConstraintKind::ForeignKey && !c.comment.empty()) sql += comment_sql(t, c);
    for (const auto* ix : indexes_of(t.name))
      if (!ix->comment.empty()) sql += comment_sql(*ix);
    return sql;
  }

  void link(size_t from, const Refs& r) {
    for (const auto& n : r.names) {
      if (auto it = type_sec_.find(n); it != type_sec_.end()) sections_[from].deps.insert(it->second);
      if (auto it = rel_sec_.find(n); it != rel_sec_.end()) sections_[from].deps.insert(it->second);
    }
    for (const auto& n : r.calls)
      if (auto it = func_sec_.find(n); it != func_sec_.end())
        for (size_t f : it->second) sections_[from].deps.insert(f);
  }

  void resolve() {
    for (const auto& [i, r] : type_refs_) link(i, r);
    for (const auto& [i, r] : func_refs_) link(i, r);
    for (const auto& [i, r] : rel_refs_) link(i, r);
    for (const auto& [i, n] : explicit_deps_)
      if (auto it = rel_sec_.find(n); it != rel_sec_.end()) sections_[i].deps.insert(it->second);
    for (size_t i = 0; i < sections_.size(); ++i) sections_[i].deps.erase(i);
  }

  // Kahn's algorithm, always taking the earliest section (in base order) whose
  // dependencies are out; a cycle is broken at its earliest section.
  std::vector<size_t> order() const {
    size_t n = sections_.size();
    std::vector<size_t> waiting(n);
    std::vector<std::vector<size_t>> dependents(n);
    for (size_t i = 0; i < n; ++i) {
      waiting[i] = sections_[i].deps.size();
      for (size_t d : sections_[i].deps) dependents[d].push_back(i);
    }
    std::set<size_t> ready, pending;
    for (size_t i = 0; i < n; ++i) (waiting[i] == 0 ? ready : pending).insert(i);
    std::vector<size_t> out;
    while (out.size() < n) {
      size_t i;
      if (!ready.empty()) {
        i = *ready.begin();
        ready.erase(ready.begin());
      } else {
        i = *pending.begin();
        pending.erase(pending.begin());
      }
      out.push_back(i);
      for (size_t d : dependents[i]) {
        if (waiting[d] > 0 && --waiting[d] == 0 && pending.erase(d)) ready.insert(d);
      }
    }
    return out;
  }
};

}  // namespace

std::string dump_catalog(const schema::Catalog& cat) { return Dumper(cat).run(); }

}  // namespace seam::pg
