// Which MySQL-family product a connection reaches, from `SELECT VERSION()`:
// TiDB reports "8.0.11-TiDB-v8.5.1" (the MySQL version it speaks, then its
// own), MariaDB "10.11.19-MariaDB-0+deb12u1", MySQL "8.0.36".
//
//   mysql::ServerKind k = mysql::detect(conn);
//   if (!k.tidb) throw UnsupportedError(k.describe() + " is not TiDB: ...");
#pragma once

#include <optional>
#include <string>

#include "compat-matrix/matrix.hpp"
#include "dialects/mysql/client.hpp"

namespace seam::mysql {

struct ServerKind {
  std::string version_text;             // what SELECT VERSION() returned
  std::string product;                  // "TiDB", "MariaDB" or "MySQL"
  std::string version;                  // the product's own version: "8.5.1", "10.11.19", "8.0.36"
  std::optional<compat::Version> tidb;  // set for TiDB only: its version as the matrix reads it
  // "TiDB 8.5.1", "MariaDB 10.11.19 (SELECT VERSION() = '10.11.19-MariaDB-0+deb12u1')".
  std::string describe() const;
};

ServerKind classify(const std::string& version_text);
ServerKind detect(Connection& c);

}  // namespace seam::mysql
