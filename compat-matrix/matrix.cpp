// Looking entries up in a compatibility matrix, the vocabularies an entry may
// use (lock names, strategy ids), and the matrices compiled into the binary.
#include <algorithm>
#include <map>

#include "compat-matrix/embedded.hpp"
#include "compat-matrix/matrix.hpp"
#include "schema/errors.hpp"

namespace seam::compat {

const std::vector<std::string>& strategies() {
  // compat-matrix/README.md describes each; keep the two in step.
  static const std::vector<std::string> s{
      "direct",
      "concurrently",
      "not_valid_validate",
      "check_not_valid_then_set_not_null",
      "not_null_not_valid",
      "expand_backfill",
      "shadow_column",
      "unique_index_then_constraint",
      "contract_only",
      "outside_transaction",
      "own_transaction",
      "online_attach",
      "blocking",
      "refuse",
      // Products other than PostgreSQL (cockroachdb, yugabytedb, spanner-pg, tidb).
      "instant",
      "online_job",
      "app_dual_write",
      "unsupported",
  };
  return s;
}

const std::vector<std::string>& lock_names() {
  static const std::vector<std::string> l{
      "ACCESS SHARE", "ROW SHARE",           "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE",
      "SHARE",        "SHARE ROW EXCLUSIVE", "EXCLUSIVE",     "ACCESS EXCLUSIVE",
      "none"};
  return l;
}

int lock_rank(const std::string& name) {
  if (name == "none") return 0;
  const auto& l = lock_names();
  auto it = std::find(l.begin(), l.end(), name);
  return it == l.end() ? -1 : static_cast<int>(it - l.begin()) + 1;
}

const Entry* Matrix::find(const std::string& op, const Version& v) const {
  for (const auto& e : entries)
    if (e.op == op && e.covers(v)) return &e;
  return nullptr;
}

const Entry& Matrix::at(const std::string& op, const Version& v) const {
  if (const Entry* e = find(op, v)) return *e;
  std::string ranges;
  for (const auto& e : entries)
    if (e.op == op) ranges += (ranges.empty() ? "" : ", ") + e.versions();
  std::string where = product.empty() ? dialect : product;
  if (ranges.empty())
    throw UnsupportedError("the " + dialect + " compatibility matrix has no operation \"" + op +
                           "\"; seam cannot plan it safely for " + where + " " + v.str());
  throw UnsupportedError("the " + dialect + " compatibility matrix has no entry for " + op +
                         " on " + where + " " + v.str() + " (it covers " + ranges +
                         "); seam does not guess how this version behaves");
}

std::vector<std::string> Matrix::ops() const {
  std::vector<std::string> out;
  for (const auto& e : entries)
    if (std::find(out.begin(), out.end(), e.op) == out.end()) out.push_back(e.op);
  return out;
}

namespace {

const std::map<std::string, Matrix>& all_builtin() {
  // Parsed once; the texts are part of the binary, so a parse error here is a
  // build defect that every test using the matrix reports.
  static const std::map<std::string, Matrix> m = [] {
    std::map<std::string, Matrix> out;
    for (const auto& [dialect, text] : embedded_yaml())
      out.emplace(dialect, parse(text, "compat-matrix/" + dialect + ".yaml"));
    return out;
  }();
  return m;
}

}  // namespace

const Matrix& builtin(const std::string& dialect) {
  const auto& all = all_builtin();
  auto it = all.find(dialect);
  if (it == all.end()) {
    std::string list;
    for (const auto& [d, m] : all) list += (list.empty() ? "" : ", ") + d;
    throw UnsupportedError("no compatibility matrix for dialect \"" + dialect +
                           "\" (available: " + list + ")");
  }
  return it->second;
}

std::vector<std::string> builtin_dialects() {
  std::vector<std::string> out;
  for (const auto& [d, m] : all_builtin()) out.push_back(d);
  return out;
}

}  // namespace seam::compat
