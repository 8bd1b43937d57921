// The MySQL-protocol client; see client.hpp. Every connection uses utf8mb4 and
// reads results as text (the inspector compares text anyway).
#include "dialects/mysql/client.hpp"

#include <mysql.h>

namespace seam::mysql {

namespace {

MYSQL* open(const char* host, int port, const char* socket, const std::string& user,
            const std::string& password, const std::string& database) {
  MYSQL* m = mysql_init(nullptr);
  if (!m) throw std::runtime_error("mysql_init: out of memory");
  unsigned timeout = 10;
  mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  // No MYSQL_READ_DEFAULT_FILE/GROUP: Connector/C then reads no option files
  // (~/.my.cnf), so what seam connects to is exactly what it was told.
  if (!mysql_real_connect(m, host, user.c_str(), password.c_str(),
                          database.empty() ? nullptr : database.c_str(),
                          static_cast<unsigned>(port), socket, 0)) {
    ServerError e(
        mysql_errno(m), mysql_sqlstate(m),
        std::string("could not connect to ") +
            (socket ? std::string("the MySQL server at socket ") + socket
                    : std::string("the MySQL server at ") + host + ":" + std::to_string(port)) +
            ": " + mysql_error(m));
    mysql_close(m);
    throw e;
  }
  return m;
}

}  // namespace

Connection Connection::over_socket(const std::string& socket, const std::string& user,
                                   const std::string& password, const std::string& database) {
  return Connection(open("localhost", 0, socket.c_str(), user, password, database));
}

Connection Connection::over_tcp(const std::string& host, int port, const std::string& user,
                                const std::string& password, const std::string& database) {
  return Connection(open(host.c_str(), port, nullptr, user, password, database));
}

Connection::Connection(Connection&& o) noexcept : m_(o.m_) {
  o.m_ = nullptr;
}

Connection& Connection::operator=(Connection&& o) noexcept {
  if (this != &o) {
    if (m_) mysql_close(m_);
    m_ = o.m_;
    o.m_ = nullptr;
  }
  return *this;
}

Connection::~Connection() {
  if (m_) mysql_close(m_);
}

void Connection::fail() const {
  throw ServerError(mysql_errno(m_), mysql_sqlstate(m_), mysql_error(m_));
}

void Connection::exec(const std::string& sql) {
  if (mysql_real_query(m_, sql.data(), sql.size()) != 0) fail();
  if (MYSQL_RES* r = mysql_store_result(m_))
    mysql_free_result(r);
  else if (mysql_field_count(m_) != 0)
    fail();
}

std::vector<Row> Connection::query(const std::string& sql, std::vector<std::string>* columns) {
  if (mysql_real_query(m_, sql.data(), sql.size()) != 0) fail();
  MYSQL_RES* r = mysql_store_result(m_);
  std::vector<Row> out;
  if (!r) {
    if (mysql_field_count(m_) != 0) fail();
    return out;
  }
  unsigned n = mysql_num_fields(r);
  if (columns) {
    columns->clear();
    MYSQL_FIELD* f = mysql_fetch_fields(r);
    for (unsigned i = 0; i < n; ++i) columns->emplace_back(f[i].name, f[i].name_length);
  }
  while (MYSQL_ROW row = mysql_fetch_row(r)) {
    unsigned long* len = mysql_fetch_lengths(r);
    Row cells(n);
    for (unsigned i = 0; i < n; ++i)
      if (row[i]) cells[i] = std::string(row[i], len[i]);
    out.push_back(std::move(cells));
  }
  mysql_free_result(r);
  return out;
}

std::optional<std::string> Connection::value(const std::string& sql) {
  auto rows = query(sql);
  if (rows.empty() || rows[0].empty()) return std::nullopt;
  return rows[0][0];
}

std::string Connection::quote_literal(const std::string& s) {
  std::string buf(s.size() * 2 + 1, '\0');
  unsigned long n = mysql_real_escape_string(m_, buf.data(), s.data(), s.size());
  buf.resize(n);
  return "'" + buf + "'";
}

std::string Connection::server_info() const {
  return mysql_get_server_info(m_);
}

unsigned long Connection::server_version() const {
  return mysql_get_server_version(m_);
}

std::string quote_ident(const std::string& name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  return out + "`";
}

std::string quote_qual(const std::string& schema, const std::string& name) {
  return quote_ident(schema) + "." + quote_ident(name);
}

}  // namespace seam::mysql
