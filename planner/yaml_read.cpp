// Strict YAML reading shared by the plan file and seam.yaml parsers.
#include "planner/yaml_read.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <set>

#include "schema/errors.hpp"

namespace seam::planner::yamlio {

namespace {

std::string where(const std::string& origin, const YAML::Mark& m) {
  // yaml-cpp counts from 0; editors count from 1.
  if (m.is_null()) return origin;
  return origin + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

std::string join(const std::string& path, const std::string& k) {
  return path.empty() ? k : path + "." + k;
}

}  // namespace

void At::fail(const std::string& what) const {
  YAML::Mark m;
  try {
    m = node.Mark();
  } catch (const YAML::Exception&) {
    m = YAML::Mark::null_mark();
  }
  throw InputError(where(origin, m) + ": " + (path.empty() ? "" : path + ": ") + what);
}

At At::key(const char* k) const {
  expect_map();
  YAML::Node child = node[k];
  if (!child.IsDefined()) {
    return At{node, origin, join(path, k), true};
  }
  return At{child, origin, join(path, k)};
}

At At::item(std::size_t i) const {
  expect_seq();
  return At{node[i], origin, path + "[" + std::to_string(i) + "]"};
}

bool At::has(const char* k) const {
  expect_map();
  return node[k].IsDefined();
}

bool At::is_null() const {
  return absent || !node.IsDefined() || node.IsNull();
}

void At::expect_map() const {
  if (absent || !node.IsMap())
    fail(absent ? "required key is missing" : "expected a mapping (key: value lines)");
}

void At::expect_seq() const {
  if (absent || !node.IsSequence())
    fail(absent ? "required key is missing" : "expected a list (- item lines)");
}

void At::check_keys(std::initializer_list<const char*> allowed) const {
  expect_map();
  std::set<std::string> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    At k{it->first, origin, path};
    if (!it->first.IsScalar()) k.fail("a key must be a plain name");
    std::string name = it->first.Scalar();
    bool known = false;
    for (const char* a : allowed) known = known || name == a;
    std::string list;
    for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    At named{it->first, origin, join(path, name)};
    if (!known) named.fail("unknown key (expected one of: " + list + ")");
    if (!seen.insert(name).second) named.fail("duplicate key");
  }
}

void At::require(const char* k) const {
  if (!has(k)) fail(std::string("missing required key '") + k + "'");
}

std::string At::str() const {
  if (is_null()) {
    if (absent) fail("required key is missing");
    return "";
  }
  if (!node.IsScalar()) fail("expected a string");
  return node.Scalar();
}

int64_t At::i64() const {
  if (absent) fail("required key is missing");
  if (!node.IsScalar()) fail("expected an integer");
  const std::string& s = node.Scalar();
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty())
    fail("expected an integer, got '" + s + "'");
  return v;
}

int At::i32() const {
  int64_t v = i64();
  if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max())
    fail("integer out of range: " + std::to_string(v));
  return static_cast<int>(v);
}

double At::dbl() const {
  if (absent) fail("required key is missing");
  if (!node.IsScalar()) fail("expected a number");
  const std::string& s = node.Scalar();
  if (s == ".inf" || s == ".Inf" || s == ".INF" || s == "+.inf")
    return std::numeric_limits<double>::infinity();
  if (s == "-.inf" || s == "-.Inf" || s == "-.INF") return -std::numeric_limits<double>::infinity();
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return std::numeric_limits<double>::quiet_NaN();
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  // from_chars accepts "inf"/"nan" spellings YAML does not; refuse them.
  if (ec != std::errc() || p != s.data() + s.size() || s.empty() || !std::isfinite(v))
    fail("expected a number, got '" + s + "'");
  return v;
}

bool At::boolean() const {
  if (absent) fail("required key is missing");
  if (!node.IsScalar()) fail("expected true or false");
  const std::string& s = node.Scalar();
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  fail("expected true or false, got '" + s + "'");
}

std::vector<std::string> At::strings() const {
  expect_seq();
  std::vector<std::string> out;
  for (std::size_t i = 0; i < node.size(); ++i) out.push_back(item(i).str());
  return out;
}

At load(const std::string& text, const std::string& origin) {
  try {
    return At{YAML::Load(text), origin, ""};
  } catch (const YAML::ParserException& e) {
    throw InputError(where(origin, e.mark) + ": " + e.msg);
  }
}

Throttle read_throttle(const At& at, Throttle t) {
  at.check_keys({"batch_size", "rows_per_second", "target_batch_ms", "lock_timeout_ms",
                 "statement_timeout_ms", "max_retries", "max_replica_lag_ms"});
  auto non_negative = [](const At& a, auto v) {
    if (v < 0) a.fail("must not be negative");
    return v;
  };
  if (at.has("batch_size"))
    t.batch_size = non_negative(at.key("batch_size"), at.key("batch_size").i64());
  if (at.has("rows_per_second"))
    t.rows_per_second = non_negative(at.key("rows_per_second"), at.key("rows_per_second").dbl());
  if (at.has("target_batch_ms"))
    t.target_batch_ms = non_negative(at.key("target_batch_ms"), at.key("target_batch_ms").i64());
  if (at.has("lock_timeout_ms"))
    t.lock_timeout_ms = non_negative(at.key("lock_timeout_ms"), at.key("lock_timeout_ms").i64());
  if (at.has("statement_timeout_ms"))
    t.statement_timeout_ms =
        non_negative(at.key("statement_timeout_ms"), at.key("statement_timeout_ms").i64());
  if (at.has("max_retries"))
    t.max_retries = non_negative(at.key("max_retries"), at.key("max_retries").i32());
  if (at.has("max_replica_lag_ms"))
    t.max_replica_lag_ms =
        non_negative(at.key("max_replica_lag_ms"), at.key("max_replica_lag_ms").i64());
  return t;
}

}  // namespace seam::planner::yamlio
