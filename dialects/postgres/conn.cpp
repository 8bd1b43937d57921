// Connection helpers (see conn.hpp). Redaction is textual on purpose: it must
// work on strings libpq itself rejects, since those are exactly the ones that
// end up in error messages.
#include "dialects/postgres/conn.hpp"

#include <cctype>
#include <cstdlib>
#include <stdexcept>
#include <vector>

#include <libpq-fe.h>
#include <pqxx/except>

namespace seam::pg {

namespace {

constexpr const char* kMask = "***";

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

bool is_uri(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  return starts_with_ci(s, "postgresql://") || starts_with_ci(s, "postgres://");
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Percent-decoding as libpq does it for URI parts; bad escapes are kept as is.
std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string redact_conninfo(std::string_view s);

// A value that is itself a connection string (libpq expands a dbname that
// looks like one) gets redacted recursively.
std::string redact_value(std::string_view v) {
  if (is_uri(v) || v.find('=') != std::string_view::npos) return redact_conninfo(v);
  return std::string(v);
}

std::string redact_uri(std::string_view s) {
  std::string out;
  size_t scheme_end = s.find("://") + 3;
  out.append(s.substr(0, scheme_end));
  std::string_view rest = s.substr(scheme_end);
  size_t q = rest.find('?');
  std::string_view head = rest.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view{} : rest.substr(q);
  // User info ends at the last '@' before the query: a raw '@' or '/' in a
  // password is invalid but common, and masking too much is the safe error.
  size_t at = head.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = head.substr(0, at);
    size_t colon = userinfo.find(':');
    if (colon != std::string_view::npos) {
      out.append(userinfo.substr(0, colon + 1));
      out += kMask;
    } else {
      out.append(userinfo);
    }
    out.append(head.substr(at));
  } else {
    out.append(head);
  }
  if (query.empty()) return out;
  out += '?';
  query.remove_prefix(1);
  bool first = true;
  while (true) {
    size_t amp = query.find('&');
    std::string_view param = query.substr(0, amp);
    if (!first) out += '&';
    first = false;
    size_t eq = param.find('=');
    std::string key = lower(percent_decode(param.substr(0, eq)));
    if (eq == std::string_view::npos) {
      out.append(param);
    } else if (key == "password") {
      out.append(param.substr(0, eq + 1));
      out += kMask;
    } else if (key == "dbname") {
      out.append(param.substr(0, eq + 1));
      std::string decoded = percent_decode(param.substr(eq + 1));
      // Keep the original spelling unless the value hid a password.
      std::string red = redact_value(decoded);
      out += red == decoded ? std::string(param.substr(eq + 1)) : red;
    } else {
      out.append(param);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

// keyword = value pairs, values bare or single-quoted with \ escapes.
std::string redact_kv(std::string_view s) {
  std::string out;
  size_t i = 0;
  auto space = [&](size_t j) { return j < s.size() && std::isspace(static_cast<unsigned char>(s[j])); };
  while (i < s.size()) {
    size_t ws = i;
    while (space(i)) ++i;
    out.append(s.substr(ws, i - ws));
    if (i >= s.size()) break;
    size_t kstart = i;
    while (i < s.size() && s[i] != '=' && !space(i)) ++i;
    std::string key = lower(std::string(s.substr(kstart, i - kstart)));
    size_t before_eq = i;
    while (space(i)) ++i;
    if (i >= s.size() || s[i] != '=') {
      // Malformed: a password keyword not followed by '=' may still be
      // followed by the secret; mask the rest.
      out.append(s.substr(kstart, before_eq - kstart));
      if (key.find("password") != std::string::npos) return out + " " + kMask;
      out.append(s.substr(before_eq, i - before_eq));
      continue;
    }
    ++i;  // '='
    while (space(i)) ++i;
    out.append(s.substr(kstart, i - kstart));
    size_t vstart = i;
    std::string value;
    bool closed = true;
    if (i < s.size() && s[i] == '\'') {
      closed = false;
      ++i;
      while (i < s.size()) {
        if (s[i] == '\\' && i + 1 < s.size()) {
          value += s[i + 1];
          i += 2;
        } else if (s[i] == '\'') {
          closed = true;
          ++i;
          break;
        } else {
          value += s[i++];
        }
      }
    } else {
      while (i < s.size() && !space(i)) {
        if (s[i] == '\\' && i + 1 < s.size()) {
          value += s[i + 1];
          i += 2;
        } else {
          value += s[i++];
        }
      }
    }
    if (key == "password") {
      out += kMask;
      // Unterminated quote, or text glued to the value: where the secret
      // ends is unclear, so the rest is masked.
      if (!closed || (i < s.size() && !space(i))) return out;
    } else {
      std::string red = redact_value(value);
      if (red == value)
        out.append(s.substr(vstart, i - vstart));
      else
        out += "'" + red + "'";
    }
  }
  return out;
}

std::string redact_conninfo(std::string_view s) { return is_uri(s) ? redact_uri(s) : redact_kv(s); }

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

// Every spelling of the password that could show up in a libpq message.
std::vector<std::string> passwords_in(const std::string& url) {
  std::vector<std::string> out;
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(url.c_str(), &err);
  if (err) PQfreemem(err);
  if (opts) {
    for (auto* o = opts; o->keyword; ++o)
      if (std::string_view(o->keyword) == "password" && o->val && *o->val) out.emplace_back(o->val);
    PQconninfoFree(opts);
  }
  if (is_uri(url)) {
    // The raw (still percent-encoded) user-info password as well.
    std::string_view rest = std::string_view(url).substr(url.find("://") + 3);
    std::string_view head = rest.substr(0, rest.find('?'));
    size_t at = head.rfind('@');
    if (at != std::string_view::npos) {
      std::string_view ui = head.substr(0, at);
      size_t colon = ui.find(':');
      if (colon != std::string_view::npos && colon + 1 < ui.size()) {
        out.emplace_back(ui.substr(colon + 1));
        out.push_back(percent_decode(ui.substr(colon + 1)));
      }
    }
  }
  return out;
}

std::string scrub(std::string msg, const std::vector<std::string>& secrets) {
  for (const auto& p : secrets) {
    if (p.empty()) continue;
    for (size_t at = msg.find(p); at != std::string::npos; at = msg.find(p, at + 3))
      msg.replace(at, p.size(), kMask);
  }
  while (!msg.empty() && std::isspace(static_cast<unsigned char>(msg.back()))) msg.pop_back();
  return msg;
}

std::string target_string(const std::string& host, const std::string& port, const std::string& db,
                          const std::string& user) {
  std::string h = host.empty() ? "local socket" : host;
  std::string s = user.empty() ? "" : user + "@";
  return s + h + ":" + (port.empty() ? "5432" : port) + "/" + db;
}

}  // namespace

std::string redact_url(std::string_view url) { return redact_conninfo(url); }

std::string describe_target(std::string_view url) {
  std::string host, port, db, user;
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(std::string(url).c_str(), &err);
  if (err) PQfreemem(err);
  if (opts) {
    for (auto* o = opts; o->keyword; ++o) {
      if (!o->val) continue;
      std::string_view k = o->keyword;
      if (k == "host" || (k == "hostaddr" && host.empty())) host = o->val;
      else if (k == "port") port = o->val;
      else if (k == "dbname") db = o->val;
      else if (k == "user") user = o->val;
    }
    PQconninfoFree(opts);
  }
  // A dbname that is itself a connection string was expanded by libpq; do
  // not echo it (it may hold a password) - describe what it names instead.
  if (is_uri(db) || db.find('=') != std::string::npos) return describe_target(db);
  host = host.empty() ? env_or("PGHOST", "") : host;
  port = port.empty() ? env_or("PGPORT", "5432") : port;
  user = user.empty() ? env_or("PGUSER", "") : user;
  db = db.empty() ? env_or("PGDATABASE", user.empty() ? "(default database)" : user) : db;
  return target_string(host, port, db, user);
}

std::unique_ptr<pqxx::connection> connect(const std::string& url) {
  try {
    return std::make_unique<pqxx::connection>(url);
  } catch (const std::exception& e) {
    std::string reason = scrub(e.what(), passwords_in(url));
    std::string hint;
    if (reason.find("password") != std::string::npos || reason.find("authentication") != std::string::npos)
      hint = "check the user name and password (URL, PGPASSWORD or ~/.pgpass) and pg_hba.conf";
    else if (reason.find("does not exist") != std::string::npos)
      hint = "check the database and user names";
    else if (reason.find("invalid") != std::string::npos || reason.find("missing") != std::string::npos)
      hint = "check the connection string syntax (postgresql://user@host:port/db or host=... dbname=...)";
    else
      hint = "check that the server is running and accepts connections on that host and port "
             "(listen_addresses, firewall, socket directory)";
    throw std::runtime_error("cannot connect to PostgreSQL at " + describe_target(url) + ": " + reason +
                             "; " + hint);
  }
}

std::string describe_connection(pqxx::connection& c) {
  auto str = [](const char* p) { return p ? std::string(p) : std::string(); };
  return target_string(str(c.hostname()), str(c.port()), str(c.dbname()), "");
}

}  // namespace seam::pg
