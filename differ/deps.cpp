// Dependency keys, resolved against the catalog from what objects record and
// from the names their SQL mentions (schema/name_scan.hpp); see deps.hpp.
#include "differ/deps.hpp"

#include <cctype>

#include "schema/name_scan.hpp"

namespace seam::differ {

using schema::QualName;

namespace key {
std::string schema(const std::string& name) { return "schema:" + name; }
std::string ext(const std::string& name) { return "ext:" + name; }
std::string type(const QualName& n) { return "type:" + n.str(); }
std::string rel(const QualName& n) { return "rel:" + n.str(); }
std::string con(const QualName& table, const std::string& name) { return "con:" + table.str() + "." + name; }
std::string func(const std::string& signature) { return "func:" + signature; }
std::string trig(const QualName& table, const std::string& name) { return "trig:" + table.str() + "." + name; }
std::string pol(const QualName& table, const std::string& name) { return "pol:" + table.str() + "." + name; }
}  // namespace key

DepIndex::DepIndex(const schema::Catalog& cat) : cat_(cat) {
  for (const auto& [sig, f] : cat.functions) funcs_by_name_[f.name].push_back(sig);
  for (const auto& [n, ix] : cat.indexes)
    if (ix.unique) unique_indexes_[ix.table].push_back(&ix);
}

void DepIndex::schema_ref(const std::string& s, std::set<std::string>& out) const {
  if (!s.empty() && s != "public" && cat_.schemas.count(s)) out.insert(key::schema(s));
}

void DepIndex::text_refs(const std::string& sql, std::set<std::string>& out) const {
  schema::NameRefs f;
  schema::scan_names(sql, f);
  for (const auto& n : f.names) {
    if (cat_.types.count(n)) out.insert(key::type(n));
    if (cat_.has_relation(n)) out.insert(key::rel(n));
  }
  for (const auto& n : f.calls) {
    if (auto it = funcs_by_name_.find(n); it != funcs_by_name_.end())
      for (const auto& sig : it->second) out.insert(key::func(sig));
    // A cast written as a call of the type name ("mood('x')") is rare; types
    // named like a call still count.
    if (cat_.types.count(n)) out.insert(key::type(n));
  }
}

void DepIndex::type_refs(const std::string& type, std::set<std::string>& out) const {
  schema::NameRefs f;
  schema::scan_names(type, f);
  for (const auto& n : f.names) {
    if (cat_.types.count(n)) out.insert(key::type(n));
    if (cat_.tables.count(n) || cat_.views.count(n)) out.insert(key::rel(n));  // row types
  }
}

namespace {
std::vector<std::string> vec(std::set<std::string> s) { return {s.begin(), s.end()}; }
void expr_refs(const DepIndex& ix, const std::optional<schema::Expr>& e, std::set<std::string>& out) {
  if (e && !(e->text.empty() && e->canon.empty())) ix.text_refs(e->text.empty() ? e->canon : e->text, out);
}
}  // namespace

std::vector<std::string> DepIndex::of_type(const schema::Type& t) const {
  std::set<std::string> out;
  schema_ref(t.name.schema, out);
  if (!t.base_type.empty()) type_refs(t.base_type, out);
  for (const auto& a : t.attrs) type_refs(a.type, out);
  expr_refs(*this, t.default_expr, out);
  for (const auto& c : t.checks) text_refs(c.check.text.empty() ? c.check.canon : c.check.text, out);
  out.erase(key::type(t.name));
  return vec(out);
}

std::vector<std::string> DepIndex::of_sequence(const schema::Sequence& s) const {
  std::set<std::string> out;
  schema_ref(s.name.schema, out);
  return vec(out);
}

std::vector<std::string> DepIndex::of_column(const schema::Table& t, const schema::Column& c) const {
  std::set<std::string> out;
  type_refs(c.type, out);
  expr_refs(*this, c.default_expr, out);
  expr_refs(*this, c.generated, out);
  out.erase(key::rel(t.name));
  return vec(out);
}

std::vector<std::string> DepIndex::of_table(const schema::Table& t) const {
  std::set<std::string> out;
  schema_ref(t.name.schema, out);
  for (const auto& c : t.columns)
    for (auto& k : of_column(t, c)) out.insert(k);
  for (const auto& c : t.constraints) {
    if (c.kind == schema::ConstraintKind::ForeignKey) continue;
    expr_refs(*this, c.check, out);
    expr_refs(*this, c.where, out);
    for (const auto& e : c.elems) expr_refs(*this, e.expr, out);
  }
  if (t.partition_of) out.insert(key::rel(*t.partition_of));
  for (const auto& p : t.inherits) out.insert(key::rel(p));
  out.erase(key::rel(t.name));
  return vec(out);
}

std::vector<std::string> DepIndex::of_constraint(const schema::Table& t, const schema::Constraint& c) const {
  std::set<std::string> out;
  out.insert(key::rel(t.name));
  expr_refs(*this, c.check, out);
  expr_refs(*this, c.where, out);
  for (const auto& e : c.elems) expr_refs(*this, e.expr, out);
  if (c.kind == schema::ConstraintKind::ForeignKey) {
    out.insert(key::rel(c.ref_table));
    // The referenced side must be unique first: the primary key or unique
    // constraint, or unique index, over exactly the referenced columns.
    if (const schema::Table* rt = cat_.find_table(c.ref_table)) {
      std::set<std::string> want(c.ref_columns.begin(), c.ref_columns.end());
      for (const auto& k : rt->constraints) {
        if (k.kind != schema::ConstraintKind::PrimaryKey && k.kind != schema::ConstraintKind::Unique) continue;
        if (want.empty() ? k.kind == schema::ConstraintKind::PrimaryKey
                         : std::set<std::string>(k.columns.begin(), k.columns.end()) == want)
          out.insert(key::con(rt->name, k.name));
      }
      if (auto it = unique_indexes_.find(rt->name); it != unique_indexes_.end())
        for (const schema::Index* ix : it->second) {
          std::set<std::string> cols;
          for (const auto& e : ix->elems) cols.insert(e.column);
          if (cols == want) out.insert(key::rel(ix->name));
        }
    }
  }
  return vec(out);
}

std::vector<std::string> DepIndex::of_index(const schema::Index& ix) const {
  std::set<std::string> out;
  out.insert(key::rel(ix.table));
  for (const auto& e : ix.elems) expr_refs(*this, e.expr, out);
  expr_refs(*this, ix.where, out);
  out.erase(key::rel(ix.name));
  return vec(out);
}

std::vector<std::string> DepIndex::of_policy(const schema::Table& t, const schema::Policy& p) const {
  std::set<std::string> out;
  out.insert(key::rel(t.name));
  expr_refs(*this, p.using_expr, out);
  expr_refs(*this, p.check_expr, out);
  return vec(out);
}

std::vector<std::string> DepIndex::of_view(const schema::View& v) const {
  std::set<std::string> out;
  schema_ref(v.name.schema, out);
  const std::string& q = v.query.text.empty() ? v.query.canon : v.query.text;
  text_refs(q, out);
  // pg_depend's relations are exact; the scan above may add more (harmless).
  for (const auto& d : v.deps) out.insert(key::rel(d));
  for (const auto& f : v.dep_functions) out.insert(key::func(f));
  out.erase(key::rel(v.name));
  return vec(out);
}

std::vector<std::string> DepIndex::of_function(const schema::Function& f) const {
  std::set<std::string> out;
  schema_ref(f.name.schema, out);
  for (const auto& a : f.args) {
    type_refs(a.type, out);
    expr_refs(*this, a.default_expr, out);
  }
  type_refs(f.returns, out);
  // An SQL-standard body (RETURN / BEGIN ATOMIC) is parsed at CREATE time.
  std::string b = f.body.substr(0, 12);
  for (auto& ch : b) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (b.rfind("RETURN", 0) == 0 || b.rfind("BEGIN ATOMIC", 0) == 0) text_refs(f.body, out);
  out.erase(key::func(f.signature()));
  return vec(out);
}

std::vector<std::string> DepIndex::of_trigger(const schema::Trigger& tr) const {
  std::set<std::string> out;
  out.insert(key::rel(tr.table));
  if (auto it = funcs_by_name_.find(tr.function); it != funcs_by_name_.end())
    for (const auto& sig : it->second) out.insert(key::func(sig));
  expr_refs(*this, tr.when, out);
  return vec(out);
}

}  // namespace seam::differ
