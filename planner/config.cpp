// seam.yaml (see config.hpp): strict parsing with yaml-cpp through
// yaml_read.hpp, so every mistake names file:line:col and the key.
#include "planner/config.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "planner/yaml_read.hpp"
#include "schema/errors.hpp"

namespace seam::planner {

namespace {

using yamlio::At;

Level level_of(const At& at) {
  std::string s = at.str();
  if (s == "error") return Level::Error;
  if (s == "warn") return Level::Warn;
  if (s == "allow") return Level::Allow;
  at.fail("unknown level '" + s + "' (expected error, warn or allow)");
}

HazardType hazard_of(const At& at) {
  std::string s = at.str();
  try {
    return hazard_from_string(s);
  } catch (const std::invalid_argument&) {
    at.fail(
        "unknown hazard type '" + s +
        "' (expected data-loss, blocking-lock, table-rewrite, full-scan, long-running, app-compat, "
        "not-transactional, dialect-unverified or maybe-rename)");
  }
}

HazardRule read_rule(const At& at) {
  if (at.node.IsScalar()) return HazardRule{level_of(at)};
  at.check_keys({"level", "when", "min_lock_ms", "otherwise"});
  at.require("level");
  HazardRule r;
  r.level = level_of(at.key("level"));
  if (at.has("when")) {
    std::string when = at.key("when").str();
    if (when == "non-empty")
      r.non_empty_only = true;
    else if (when != "always")
      at.key("when").fail("unknown condition '" + when + "' (expected always or non-empty)");
  }
  for (const char* k : {"min_lock_ms", "otherwise"})
    if (at.has(k) && !r.non_empty_only) at.key(k).fail("only applies with `when: non-empty`");
  if (at.has("min_lock_ms")) {
    r.min_lock_ms = at.key("min_lock_ms").dbl();
    if (r.min_lock_ms < 0) at.key("min_lock_ms").fail("must not be negative");
  }
  if (at.has("otherwise")) r.otherwise = level_of(at.key("otherwise"));
  return r;
}

Policy read_policy(const At& at) {
  Policy p = Policy::defaults();
  if (at.is_null()) return p;
  at.check_keys({"hazards", "allow"});
  if (at.has("hazards") && !at.key("hazards").is_null()) {
    At hs = at.key("hazards");
    hs.check_keys({"data-loss", "blocking-lock", "table-rewrite", "full-scan", "long-running",
                   "app-compat", "not-transactional", "dialect-unverified", "maybe-rename"});
    for (auto it = hs.node.begin(); it != hs.node.end(); ++it) {
      std::string name = it->first.Scalar();
      p.rules[hazard_from_string(name)] =
          read_rule(At{it->second, at.origin, hs.path + "." + name});
    }
  }
  if (at.has("allow") && !at.key("allow").is_null()) {
    At al = at.key("allow");
    al.expect_seq();
    for (std::size_t i = 0; i < al.node.size(); ++i) {
      At e = al.item(i);
      e.check_keys({"step", "object", "hazard", "reason"});
      AllowEntry a;
      if (e.has("step")) a.step = e.key("step").str();
      if (e.has("object")) a.object = e.key("object").str();
      if (a.step.empty() == a.object.empty())
        e.fail("give exactly one of `step` (a step id) or `object` (a table or other object name)");
      e.require("hazard");
      a.hazard = hazard_of(e.key("hazard"));
      if (!e.has("reason") || e.key("reason").str().empty())
        e.fail("an allow entry needs a `reason` saying why the hazard is acceptable");
      a.reason = e.key("reason").str();
      p.allow.push_back(std::move(a));
    }
  }
  return p;
}

bool is_var_name(const std::string& s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  return true;
}

// The ${VAR} references of `s`, in order; throws via `at` on a malformed one.
std::vector<std::pair<std::size_t, std::size_t>> references(const std::string& s, const At* at) {
  std::vector<std::pair<std::size_t, std::size_t>> out;  // [begin, end) of each ${...}
  for (std::size_t i = s.find("${"); i != std::string::npos; i = s.find("${", i)) {
    std::size_t close = s.find('}', i);
    std::string name = close == std::string::npos ? "" : s.substr(i + 2, close - i - 2);
    if (close == std::string::npos || !is_var_name(name)) {
      if (at) at->fail("malformed variable reference in '" + s.substr(i) + "' (expected ${NAME})");
      throw InputError("malformed variable reference '" + s.substr(i) + "'");
    }
    out.emplace_back(i, close + 1);
    i = close + 1;
  }
  return out;
}

// The connection string must not carry a password in the file itself.
void check_db(const At& at) {
  std::string s = at.str();
  if (s.empty()) at.fail("empty; give an environment variable reference like ${PROD_DATABASE_URL}");
  auto refs = references(s, &at);
  std::string literal;  // the text with every reference blanked out
  std::size_t pos = 0;
  for (auto [b, e] : refs) literal += s.substr(pos, b - pos) + std::string(1, '\x01'), pos = e;
  literal += s.substr(pos);
  std::string lower;
  for (char c : literal) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const char* advice =
      "; passwords never go in seam.yaml - use an environment variable reference like "
      "${PROD_DATABASE_URL} "
      "(or ${DB_PASSWORD} in its place)";
  if (lower.find("password=") != std::string::npos)
    at.fail("holds a password" + std::string(advice));
  std::size_t scheme = literal.find("://");
  if (scheme != std::string::npos) {
    std::size_t auth_end = literal.find_first_of("/?#", scheme + 3);
    std::string authority = literal.substr(
        scheme + 3, auth_end == std::string::npos ? std::string::npos : auth_end - scheme - 3);
    std::size_t at_sign = authority.rfind('@');
    if (at_sign != std::string::npos) {
      std::string userinfo = authority.substr(0, at_sign);
      std::size_t colon = userinfo.find(':');
      if (colon != std::string::npos && userinfo.substr(colon + 1) != "\x01")
        at.fail("holds a password" + std::string(advice));
    }
  }
}

Environment read_environment(const At& at, const std::string& name, const Throttle& defaults) {
  at.check_keys({"db", "dialect", "server_version", "throttle"});
  at.require("db");
  Environment e;
  e.name = name;
  check_db(at.key("db"));
  e.db = at.key("db").str();
  if (at.has("dialect")) {
    e.dialect = at.key("dialect").str();
    if (e.dialect != "postgres")
      at.key("dialect").fail("unknown dialect '" + e.dialect + "' (seam supports: postgres)");
  }
  if (at.has("server_version")) e.server_version = at.key("server_version").str();
  e.throttle = at.has("throttle") ? yamlio::read_throttle(at.key("throttle"), defaults) : defaults;
  return e;
}

}  // namespace

const Environment* Config::environment(const std::string& name) const {
  for (const auto& e : environments)
    if (e.name == name) return &e;
  return nullptr;
}

Config config_from_yaml(const std::string& text, const std::string& origin) {
  At root = yamlio::load(text, origin);
  Config c;
  if (root.is_null()) return c;  // an empty file: the defaults
  root.check_keys({"policy", "throttle", "environments", "compat_override"});
  if (root.has("policy")) c.policy = read_policy(root.key("policy"));
  if (root.has("throttle") && !root.key("throttle").is_null())
    c.throttle = yamlio::read_throttle(root.key("throttle"), Throttle{});
  if (root.has("compat_override")) {
    c.compat_override = root.key("compat_override").str();
    if (c.compat_override.empty())
      root.key("compat_override")
          .fail("empty; give the path of a matrix override file, relative to this file");
  }
  if (root.has("environments") && !root.key("environments").is_null()) {
    At envs = root.key("environments");
    envs.expect_map();
    std::vector<std::string> seen;
    for (auto it = envs.node.begin(); it != envs.node.end(); ++it) {
      std::string name = it->first.Scalar();
      At key{it->first, origin, envs.path + "." + name};
      if (name.empty() || name.find_first_not_of(
                              "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
                              std::string::npos)
        key.fail("an environment name is letters, digits, '-' and '_'");
      for (const auto& s : seen)
        if (s == name) key.fail("duplicate key");
      seen.push_back(name);
      c.environments.push_back(
          read_environment(At{it->second, origin, key.path}, name, c.throttle));
    }
  }
  return c;
}

Config load_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot read the configuration file");
  std::stringstream ss;
  ss << in.rdbuf();
  Config c = config_from_yaml(ss.str(), path);
  // compat_override is relative to seam.yaml, wherever seam runs from.
  if (!c.compat_override.empty() && std::filesystem::path(c.compat_override).is_relative())
    c.compat_override =
        (std::filesystem::path(path).parent_path() / c.compat_override).lexically_normal().string();
  return c;
}

std::string resolve_db_url(const Environment& env,
                           const std::function<const char*(const char*)>& getenv) {
  auto get = getenv ? getenv : [](const char* n) -> const char* { return std::getenv(n); };
  std::string out;
  std::size_t pos = 0;
  for (auto [b, e] : references(env.db, nullptr)) {
    std::string name = env.db.substr(b + 2, e - b - 3);
    const char* v = get(name.c_str());
    if (!v || !*v)
      throw InputError("environment '" + env.name + "': db refers to ${" + name +
                       "}, which is not set; export it (in CI, from a secret)");
    out += env.db.substr(pos, b - pos) + v;
    pos = e;
  }
  return out + env.db.substr(pos);
}

}  // namespace seam::planner
