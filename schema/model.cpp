#include "schema/model.hpp"

#include <algorithm>

#include "schema/canon.hpp"

namespace seam::schema {

std::string SourcePos::str() const {
  if (file.empty()) return "live catalog";
  return file + ":" + std::to_string(line) + ":" + std::to_string(col);
}

std::string QualName::str() const { return quote_qual(*this); }

const char* to_string(ConstraintKind k) {
  switch (k) {
    case ConstraintKind::PrimaryKey: return "primary key";
    case ConstraintKind::Unique: return "unique";
    case ConstraintKind::Check: return "check";
    case ConstraintKind::ForeignKey: return "foreign key";
    case ConstraintKind::Exclude: return "exclude";
  }
  return "?";
}

const char* to_string(TypeKind k) {
  switch (k) {
    case TypeKind::Enum: return "enum";
    case TypeKind::Domain: return "domain";
    case TypeKind::Composite: return "composite type";
  }
  return "?";
}

const Column* Table::find_column(const std::string& n) const {
  for (const auto& c : columns)
    if (c.name == n) return &c;
  return nullptr;
}
Column* Table::find_column(const std::string& n) {
  for (auto& c : columns)
    if (c.name == n) return &c;
  return nullptr;
}
const Constraint* Table::find_constraint(const std::string& n) const {
  for (const auto& c : constraints)
    if (c.name == n) return &c;
  return nullptr;
}

std::string Function::signature() const {
  std::string s = name.str() + "(";
  bool first = true;
  for (const auto& a : args) {
    if (a.mode == "OUT" || a.mode == "TABLE") continue;
    s += (first ? "" : ", ") + a.type;
    first = false;
  }
  return s + ")";
}

namespace {
// "a, b" or, for an ordered-set aggregate, "a ORDER BY b"; "*" for no arguments.
// When the last direct argument is VARIADIC and no aggregated ones are left,
// CREATE AGGREGATE merged "VARIADIC x ORDER BY VARIADIC x" into one argument.
std::string aggregate_args(const Aggregate& g, bool modes) {
  auto one = [&](const FunctionArg& a) { return (modes && a.mode == "VARIADIC" ? "VARIADIC " : "") + a.type; };
  auto join = [&](size_t from, size_t to) {
    std::string s;
    for (size_t i = from; i < to; i++) s += (i > from ? ", " : "") + one(g.args[i]);
    return s;
  };
  if (g.kind == 'n') return g.args.empty() ? "*" : join(0, g.args.size());
  size_t d = std::min(static_cast<size_t>(g.direct_args), g.args.size());
  std::string direct = join(0, d);
  std::string rest = d < g.args.size() ? join(d, g.args.size()) : (d ? one(g.args[d - 1]) : "");
  return (direct.empty() ? "" : direct + " ") + "ORDER BY " + rest;
}
}  // namespace

std::string Aggregate::signature() const { return name.str() + "(" + aggregate_args(*this, false) + ")"; }
std::string Aggregate::arg_list() const { return aggregate_args(*this, true); }

const Table* Catalog::find_table(const QualName& n) const {
  auto it = tables.find(n);
  return it == tables.end() ? nullptr : &it->second;
}
Table* Catalog::find_table(const QualName& n) {
  auto it = tables.find(n);
  return it == tables.end() ? nullptr : &it->second;
}
bool Catalog::has_relation(const QualName& n) const {
  return tables.count(n) || views.count(n) || sequences.count(n) || indexes.count(n);
}

}  // namespace seam::schema
