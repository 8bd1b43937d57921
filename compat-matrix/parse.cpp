// Reading a dialect's compatibility matrix from YAML (schema in
// compat-matrix/README.md). Strict on purpose: an unknown key, lock name or
// strategy, a malformed version range or two entries of one op whose ranges
// overlap is an InputError naming origin:line:col, because a typo in this file
// would silently change which locks a plan promises.
#include <algorithm>
#include <climits>
#include <map>

#include <yaml-cpp/yaml.h>

#include "compat-matrix/matrix.hpp"
#include "schema/errors.hpp"

namespace seam::compat {

namespace {

struct Reader {
  std::string origin;

  [[noreturn]] void fail(const YAML::Mark& m, const std::string& msg) const {
    if (m.is_null()) throw InputError(origin + ": " + msg);
    throw InputError(origin + ":" + std::to_string(m.line + 1) + ":" +
                     std::to_string(m.column + 1) + ": " + msg);
  }

  // Checks a mapping's keys against `allowed` (and duplicates); returns key -> value.
  std::map<std::string, YAML::Node> fields(const YAML::Node& n, const std::string& what,
                                           const std::vector<std::string>& allowed) const {
    if (!n.IsMap()) fail(n.Mark(), what + " must be a mapping");
    std::map<std::string, YAML::Node> out;
    for (const auto& kv : n) {
      if (!kv.first.IsScalar()) fail(kv.first.Mark(), what + ": keys must be plain words");
      std::string k = kv.first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        fail(kv.first.Mark(), "unknown key \"" + k + "\" in " + what + " (allowed: " + list + ")");
      }
      if (out.count(k)) fail(kv.first.Mark(), "duplicate key \"" + k + "\" in " + what);
      out.emplace(k, kv.second);
    }
    return out;
  }

  std::string str(const std::map<std::string, YAML::Node>& f, const std::string& key,
                  const YAML::Node& parent, bool required) const {
    auto it = f.find(key);
    if (it == f.end()) {
      if (required) fail(parent.Mark(), "missing key \"" + key + "\"");
      return "";
    }
    if (!it->second.IsScalar()) fail(it->second.Mark(), "\"" + key + "\" must be a string");
    return it->second.Scalar();
  }

  bool boolean(const std::map<std::string, YAML::Node>& f, const std::string& key,
               const YAML::Node& parent) const {
    auto it = f.find(key);
    if (it == f.end()) fail(parent.Mark(), "missing key \"" + key + "\"");
    const std::string& s = it->second.IsScalar() ? it->second.Scalar() : std::string();
    if (s == "true") return true;
    if (s == "false") return false;
    fail(it->second.Mark(), "\"" + key + "\" must be true or false");
  }
};

// "12", "14.4", optionally followed by "+" or "-<bound>".
bool read_bound(const std::string& s, size_t& i, int& major, int& minor) {
  auto num = [&](int& out) {
    size_t start = i;
    long n = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 6) n = n * 10 + (s[i++] - '0');
    if (i == start || (i < s.size() && s[i] >= '0' && s[i] <= '9')) return false;
    out = static_cast<int>(n);
    return true;
  };
  minor = -1;
  if (!num(major)) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!num(minor)) return false;
  }
  return major > 0;
}

void read_versions(const Reader& r, const YAML::Node& n, Entry& e) {
  if (!n.IsScalar())
    r.fail(n.Mark(), "\"versions\" must be a string like \"12+\", \"12-17\" or \"14.4+\"");
  const std::string s = n.Scalar();
  if (s == "all") {  // a service without versions (Spanner): every version
    e.min_major = e.min_minor = e.max_major = 0;
    e.max_minor = -1;
    return;
  }
  size_t i = 0;
  int lo_major = 0, lo_minor = -1, hi_major = 0, hi_minor = -1;
  bool ok = read_bound(s, i, lo_major, lo_minor);
  if (ok && i < s.size() && s[i] == '+') {
    ++i;
  } else if (ok && i < s.size() && s[i] == '-') {
    ++i;
    ok = read_bound(s, i, hi_major, hi_minor);
  } else if (ok) {  // a single version: that major (or that one minor)
    hi_major = lo_major;
    hi_minor = lo_minor;
  }
  if (!ok || i != s.size())
    r.fail(
        n.Mark(),
        "cannot read versions \"" + s +
            "\" (expected e.g. \"12+\", \"12-17\", \"14.4+\", \"14.0-14.3\", \"18\" or \"all\")");
  e.min_major = lo_major;
  e.min_minor = lo_minor < 0 ? 0 : lo_minor;
  e.max_major = hi_major;
  e.max_minor = hi_minor;
  if (hi_major != 0 &&
      (hi_major < lo_major || (hi_major == lo_major && hi_minor >= 0 && hi_minor < e.min_minor)))
    r.fail(n.Mark(), "versions \"" + s + "\": the upper bound is below the lower bound");
}

void read_lock(const Reader& r, const std::map<std::string, YAML::Node>& f, const std::string& key,
               bool required, const YAML::Node& parent, std::string& out) {
  out = r.str(f, key, parent, required);
  if (out.empty() && !required) return;
  if (lock_rank(out) < 0) {
    std::string list;
    for (const auto& l : lock_names()) list += (list.empty() ? "" : ", ") + l;
    r.fail(f.at(key).Mark(),
           "unknown lock \"" + out + "\" in \"" + key + "\" (one of: " + list + ")");
  }
}

bool valid_op_id(const std::string& s) {
  if (s.empty() || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Lower and upper bound of an entry's range in (major, minor) order, for overlap checks.
std::pair<std::pair<int, int>, std::pair<int, int>> span(const Entry& e) {
  std::pair<int, int> lo{e.min_major, e.min_minor};
  std::pair<int, int> hi{e.max_major == 0 ? INT_MAX : e.max_major,
                         e.max_minor < 0 ? INT_MAX : e.max_minor};
  return {lo, hi};
}

Entry read_entry(const Reader& r, const YAML::Node& n) {
  static const std::vector<std::string> keys{"op",      "versions", "lock",          "other_lock",
                                             "rewrite", "scan",     "transactional", "strategy",
                                             "notes",   "source",   "probe",         "verified"};
  auto f = r.fields(n, "an entry", keys);
  Entry e;
  e.op = r.str(f, "op", n, true);
  if (!valid_op_id(e.op))
    r.fail(f.at("op").Mark(),
           "op \"" + e.op + "\" must be a lowercase id like add_column_nullable");
  if (!f.count("versions")) r.fail(n.Mark(), "missing key \"versions\" in entry " + e.op);
  read_versions(r, f.at("versions"), e);
  read_lock(r, f, "lock", true, n, e.lock);
  read_lock(r, f, "other_lock", false, n, e.other_lock);
  e.rewrite = r.boolean(f, "rewrite", n);
  e.scan = r.boolean(f, "scan", n);
  e.transactional = r.boolean(f, "transactional", n);
  e.strategy = r.str(f, "strategy", n, true);
  const auto& st = strategies();
  if (std::find(st.begin(), st.end(), e.strategy) == st.end()) {
    std::string list;
    for (const auto& s : st) list += (list.empty() ? "" : ", ") + s;
    r.fail(f.at("strategy").Mark(),
           "unknown strategy \"" + e.strategy + "\" (one of: " + list + ")");
  }
  if (f.count("verified")) e.verified = r.boolean(f, "verified", n);
  e.notes = r.str(f, "notes", n, false);
  e.source = r.str(f, "source", n, true);
  if (e.source.empty())
    r.fail(f.at("source").Mark(), "\"source\" must name a documentation URL or the measuring test");
  if (f.count("probe")) {
    const YAML::Node& p = f.at("probe");
    auto pf = r.fields(p, "a probe", {"setup", "statement", "table", "other_table", "hold"});
    e.probe.setup = r.str(pf, "setup", p, false);
    e.probe.statement = r.str(pf, "statement", p, true);
    e.probe.table = r.str(pf, "table", p, true);
    e.probe.other_table = r.str(pf, "other_table", p, false);
    e.probe.hold = r.str(pf, "hold", p, false);
    if (e.probe.statement.empty())
      r.fail(p.Mark(), "the probe of " + e.op + " has an empty statement");
    if (e.probe.table.empty()) r.fail(p.Mark(), "the probe of " + e.op + " names no table");
    if (!e.other_lock.empty() && e.probe.other_table.empty())
      r.fail(p.Mark(), "entry " + e.op + " has other_lock but its probe names no other_table");
    if (!e.probe.hold.empty() && e.transactional)
      r.fail(pf.at("hold").Mark(),
             "\"hold\" is only for statements that cannot run in a transaction (transactional: "
             "false)");
  }
  return e;
}

}  // namespace

Matrix parse(const std::string& yaml_text, const std::string& origin) {
  Reader r{origin};
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    r.fail(e.mark, e.msg);
  }
  if (!root.IsDefined() || root.IsNull()) throw InputError(origin + ": empty compatibility matrix");
  auto f = r.fields(root, "the matrix", {"dialect", "product", "entries"});
  Matrix m;
  m.dialect = r.str(f, "dialect", root, true);
  m.product = r.str(f, "product", root, true);
  if (!f.count("entries")) r.fail(root.Mark(), "missing key \"entries\"");
  const YAML::Node& entries = f.at("entries");
  if (!entries.IsSequence()) r.fail(entries.Mark(), "\"entries\" must be a list");
  std::vector<YAML::Mark> marks;
  for (const auto& n : entries) {
    Entry e = read_entry(r, n);
    for (size_t i = 0; i < m.entries.size(); ++i) {
      const Entry& o = m.entries[i];
      if (o.op != e.op) continue;
      auto [a_lo, a_hi] = span(o);
      auto [b_lo, b_hi] = span(e);
      if (a_lo <= b_hi && b_lo <= a_hi)
        r.fail(n.Mark(), "entry " + e.op + " for versions " + e.versions() +
                             " overlaps the entry for versions " + o.versions() + " at line " +
                             std::to_string(marks[i].line + 1) +
                             " (ranges of one op must be disjoint)");
    }
    m.entries.push_back(std::move(e));
    marks.push_back(n.Mark());
  }
  return m;
}

}  // namespace seam::compat
