// Connection URLs of MySQL-family servers (TiDB, MySQL, MariaDB):
//
//   mysql://user:password@host:port/database
//   mysql://root@localhost/?socket=/run/mysqld/mysqld.sock     (a unix socket)
//
// User, password, database and socket are percent-decoded. The port defaults
// to 3306, the scheme's (TiDB listens on 4000: give it). The password is kept
// for connecting only: redacted() is what messages print.
//
//   mysql::Url u = mysql::parse_url(argv_db);
//   mysql::Connection c = mysql::connect(u);
#pragma once

#include <string>

#include "dialects/mysql/client.hpp"

namespace seam::mysql {

struct Url {
  std::string user, password, host, socket, database;
  int port = 3306;
  // "mysql://user:***@host:port/database" (or "?socket=..."): never the password.
  std::string redacted() const;
};

// Whether `url` is a MySQL-family URL (scheme mysql://).
bool is_mysql_url(const std::string& url);

// Throws InputError naming the URL without its password.
Url parse_url(const std::string& url);

// Connects over the socket when the URL names one, else over TCP. Errors name
// the server, never the password.
Connection connect(const Url& u);

}  // namespace seam::mysql
