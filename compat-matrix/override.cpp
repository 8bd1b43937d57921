// Layering a local override file over a built-in matrix; see override.hpp.
#include "compat-matrix/override.hpp"

#include <algorithm>
#include <climits>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "schema/errors.hpp"

namespace seam::compat {

namespace {

// A range bound as (major, minor), INT_MAX standing for "no bound" / "every minor".
using Bound = std::pair<int, int>;

Bound lower(const Entry& e) {
  return {e.min_major, e.min_minor};
}
Bound upper(const Entry& e) {
  return {e.max_major == 0 ? INT_MAX : e.max_major, e.max_minor < 0 ? INT_MAX : e.max_minor};
}

// The last version before b: 16.4 -> 16.3, 16.0 -> every 15.x.
Bound before(Bound b) {
  return b.second > 0 ? Bound{b.first, b.second - 1} : Bound{b.first - 1, INT_MAX};
}
// The first version after b: 16.4 -> 16.5, every 16.x -> 17.0.
Bound after(Bound b) {
  return b.second == INT_MAX ? Bound{b.first + 1, 0} : Bound{b.first, b.second + 1};
}

void set_lower(Entry& e, Bound b) {
  e.min_major = b.first;
  e.min_minor = b.second;
}
void set_upper(Entry& e, Bound b) {
  e.max_major = b.first == INT_MAX ? 0 : b.first;
  e.max_minor = b.second == INT_MAX ? -1 : b.second;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot read the matrix override file");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::vector<Entry> subtract_range(const Entry& e, const Entry& cut) {
  const Bound e_lo = lower(e), e_hi = upper(e), c_lo = lower(cut), c_hi = upper(cut);
  if (c_hi < e_lo || e_hi < c_lo) return {e};  // disjoint: nothing to cut
  std::vector<Entry> out;
  if (e_lo < c_lo) {
    Entry below = e;
    set_upper(below, before(c_lo));
    out.push_back(below);
  }
  if (c_hi < e_hi) {
    Entry above = e;
    set_lower(above, after(c_hi));
    out.push_back(above);
  }
  return out;
}

Matrix layer(const Matrix& base, const Matrix& over) {
  if (base.dialect != over.dialect)
    throw InputError("the matrix override is for dialect \"" + over.dialect + "\", not \"" +
                     base.dialect + "\"");
  Matrix out;
  out.dialect = base.dialect;
  out.product = base.product;
  const std::vector<std::string> base_ops = base.ops();
  for (const auto& op : base_ops) {
    // The override's entries of this op first (find() returns the first
    // covering entry, so they win even where a cut could not be expressed,
    // e.g. below a versioned override of a versionless "all" entry)...
    for (const auto& o : over.entries)
      if (o.op == op) out.entries.push_back(o);
    // ...then its built-in entries, each cut around every override entry of the op.
    for (const auto& e : base.entries) {
      if (e.op != op) continue;
      std::vector<Entry> pieces{e};
      for (const auto& o : over.entries) {
        if (o.op != op) continue;
        std::vector<Entry> next;
        for (const auto& p : pieces)
          for (auto& q : subtract_range(p, o)) next.push_back(std::move(q));
        pieces = std::move(next);
      }
      for (auto& p : pieces) out.entries.push_back(std::move(p));
    }
  }
  // Ops only the override knows (an operation the built-in matrix has no entry for).
  for (const auto& o : over.entries)
    if (std::find(base_ops.begin(), base_ops.end(), o.op) == base_ops.end())
      out.entries.push_back(o);
  return out;
}

Matrix load_override(const std::string& path, const std::string& dialect) {
  const std::string text = slurp(path);
  Matrix m = parse(text, path);
  if (m.dialect != dialect) {
    // parse() accepted the file, so it loads and has a scalar `dialect`.
    YAML::Mark at = YAML::Load(text)["dialect"].Mark();
    throw InputError(path + ":" + std::to_string(at.line + 1) + ":" +
                     std::to_string(at.column + 1) + ": the override is for dialect \"" +
                     m.dialect + "\", but it is applied to the " + dialect +
                     " matrix (write dialect: " + dialect + ")");
  }
  return m;
}

Matrix with_override(const Matrix& base, const std::string& path) {
  if (path.empty()) return base;
  return layer(base, load_override(path, base.dialect));
}

std::string render_override(const Matrix& m) {
  return render_yaml(m, std::nullopt, /*explicit_verified=*/true);
}

}  // namespace seam::compat
