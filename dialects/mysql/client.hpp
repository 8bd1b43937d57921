// A small MySQL-protocol client over MariaDB Connector/C (libmariadb): connect
// to a server by unix socket or TCP, run statements, read result rows as
// text. Used by the MySQL-dialect desired-state loader and the
// information_schema inspector (TiDB is MySQL-compatible on the wire; MariaDB
// is the dev server seam runs itself).
//
//   mysql::Connection c = mysql::Connection::over_socket(dev.socket(), "root", "");
//   c.exec("CREATE DATABASE " + mysql::quote_ident(name));
//   for (const auto& row : c.query("SELECT TABLE_NAME FROM information_schema.TABLES")) ...
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

struct st_mysql;

namespace seam::mysql {

// A statement the server refused: its error number and SQLSTATE are kept so
// that callers can tell a syntax error (1064) from anything else.
struct ServerError : std::runtime_error {
  ServerError(unsigned code, std::string sqlstate, const std::string& msg)
      : std::runtime_error(msg), code(code), sqlstate(std::move(sqlstate)) {}
  unsigned code;
  std::string sqlstate;
};

using Row = std::vector<std::optional<std::string>>;  // nullopt = SQL NULL

class Connection {
 public:
  // Throws ServerError (refused by the server) or std::runtime_error.
  static Connection over_socket(const std::string& socket, const std::string& user,
                                const std::string& password, const std::string& database = "");
  static Connection over_tcp(const std::string& host, int port, const std::string& user,
                             const std::string& password, const std::string& database = "");
  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  ~Connection();

  // Runs one statement; a result set, if any, is read and discarded.
  void exec(const std::string& sql);
  // Runs one statement and returns every row of its result as text; with
  // `columns`, also the result's column names.
  std::vector<Row> query(const std::string& sql, std::vector<std::string>* columns = nullptr);
  // The first column of the first row, or nullopt when there is none or it is NULL.
  std::optional<std::string> value(const std::string& sql);

  // 'text' with the server's escaping rules (sql_mode-aware), quotes included.
  std::string quote_literal(const std::string& s);
  std::string server_info() const;       // "10.11.19-MariaDB-0+deb12u1"
  unsigned long server_version() const;  // 101119

 private:
  explicit Connection(st_mysql* m) : m_(m) {}
  [[noreturn]] void fail() const;
  st_mysql* m_ = nullptr;
};

// `name` as a backtick-quoted identifier (backticks doubled), always quoted.
std::string quote_ident(const std::string& name);
// `schema`.`name`
std::string quote_qual(const std::string& schema, const std::string& name);

}  // namespace seam::mysql
