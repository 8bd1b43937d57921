// A throwaway MariaDB server for the MySQL-dialect path (TiDB desired state):
// seam loads MySQL-dialect schema files into it and inspects the result from
// information_schema, because libpg_query cannot parse MySQL.
//
// DevServer runs mariadb-install-db (or MariaDB's older mysql_install_db;
// Oracle MySQL's `mysqld --initialize-insecure` is not supported) into a fresh
// temporary directory, starts mariadbd (or mysqld) with --no-defaults on a
// private unix socket with networking off, and on destruction stops it and
// deletes every file it made. As root the server runs as the unprivileged
// account the PostgreSQL dev server uses (`seam-pg`, else `nobody`). The
// superuser is root@localhost without a password, reachable only through the
// socket, which lives in a 0700 directory owned by that account.
//
//   seam::mysql::DevServer my;
//   auto c = my.connect();           // as root, over the socket
//   c.exec("CREATE DATABASE app");
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include <sys/types.h>

#include "dialects/mysql/client.hpp"

namespace seam::mysql {

struct DevServerOptions {
  // Directory holding mariadbd/mysqld; empty = $SEAM_MYSQL_BIN, else /usr/sbin,
  // /usr/bin, /usr/local/mysql/bin. The install-db script is looked up beside
  // it and in /usr/bin.
  std::string bin_dir;
  std::chrono::seconds start_timeout{60};
};

class DevServer {
 public:
  // Starts the server; throws std::runtime_error with the tail of the server
  // log when it cannot (and removes whatever it created).
  explicit DevServer(DevServerOptions opts = {});
  ~DevServer();  // stop(), never throws
  DevServer(const DevServer&) = delete;
  DevServer& operator=(const DevServer&) = delete;

  Connection connect(const std::string& database = "") const;
  const std::filesystem::path& socket() const { return socket_; }
  // "mysql://root@localhost/?socket=/tmp/seam-my-XXXXXX/sock/mysqld.sock"
  std::string url() const;
  const std::string& server_binary() const { return server_bin_; }
  std::string log_tail(int lines = 40) const;
  const std::filesystem::path& root_dir() const { return root_; }

  bool running();
  // SIGTERM (orderly shutdown), then SIGKILL; then removes root_dir(). Idempotent.
  void stop() noexcept;

 private:
  void start(const DevServerOptions& opts);
  void wait_ready(std::chrono::seconds timeout);

  std::filesystem::path root_;
  std::filesystem::path socket_;
  std::string server_bin_;
  pid_t pid_ = -1;
};

// The mariadbd/mysqld binary DevServer would use, or an explanation of where
// it looked and how to install it (std::runtime_error).
std::string find_server_binary(const std::string& bin_dir = "");

}  // namespace seam::mysql
