// mysql:// URLs; see url.hpp.
#include "dialects/mysql/url.hpp"

#include <cctype>

#include "schema/errors.hpp"

namespace seam::mysql {

namespace {

const std::string kScheme = "mysql://";

// The URL with any password replaced, for error messages about a URL that
// does not parse.
std::string without_password(const std::string& url) {
  auto at = url.rfind('@');
  auto colon = url.find(':', kScheme.size());
  if (at == std::string::npos || colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

std::string decode(const std::string& s, const std::string& url, const std::string& what) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(s[i + 2])))
      throw InputError("connection URL " + without_password(url) + ": bad %-escape in the " + what);
    out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
    i += 2;
  }
  return out;
}

}  // namespace

std::string Url::redacted() const {
  std::string out = kScheme + user + (password.empty() ? "" : ":***") + (user.empty() ? "" : "@") +
                    host + (socket.empty() ? ":" + std::to_string(port) : "") + "/" + database;
  if (!socket.empty()) out += "?socket=" + socket;
  return out;
}

bool is_mysql_url(const std::string& url) {
  return url.rfind(kScheme, 0) == 0;
}

Url parse_url(const std::string& url) {
  if (!is_mysql_url(url))
    throw InputError("connection URL " + without_password(url) + ": expected mysql://...");
  std::string rest = url.substr(kScheme.size());
  Url u;
  std::string query;
  if (auto q = rest.find('?'); q != std::string::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string path;
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    path = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  if (auto at = rest.rfind('@'); at != std::string::npos) {
    std::string userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    auto colon = userinfo.find(':');
    u.user = decode(userinfo.substr(0, colon), url, "user");
    if (colon != std::string::npos)
      u.password = decode(userinfo.substr(colon + 1), url, "password");
  }
  if (auto colon = rest.rfind(':');
      colon != std::string::npos && rest.find(']') == std::string::npos) {
    std::string port = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) > 65535 ||
        std::stoi(port) == 0)
      throw InputError("connection URL " + without_password(url) +
                       ": the port must be a number from 1 to 65535");
    u.port = std::stoi(port);
  }
  u.host = rest.empty() ? "localhost" : rest;
  u.database = decode(path, url, "database");
  for (size_t start = 0; start < query.size();) {
    size_t amp = query.find('&', start);
    std::string kv =
        query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    start = amp == std::string::npos ? query.size() : amp + 1;
    auto eq = kv.find('=');
    std::string key = kv.substr(0, eq), value = eq == std::string::npos ? "" : kv.substr(eq + 1);
    if (key == "socket")
      u.socket = decode(value, url, "socket");
    else
      throw InputError("connection URL " + without_password(url) + ": unknown parameter \"" + key +
                       "\" (seam knows socket=PATH)");
  }
  if (u.user.empty()) u.user = "root";
  return u;
}

Connection connect(const Url& u) {
  if (!u.socket.empty()) return Connection::over_socket(u.socket, u.user, u.password, u.database);
  return Connection::over_tcp(u.host, u.port, u.user, u.password, u.database);
}

}  // namespace seam::mysql
