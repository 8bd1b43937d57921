// A throwaway PostgreSQL cluster for `seam dev` and the test harness.
//
// EmbeddedServer runs initdb into a fresh temporary directory, starts the
// postmaster on 127.0.0.1 and a private unix-socket directory with settings that
// trade durability for speed, and on destruction stops it and deletes every file
// it made. When seam runs as root the server runs as an unprivileged user
// (`seam-pg`, created by scripts/install-deps.sh, else `nobody`), because
// PostgreSQL refuses to run as root.
//
//   seam::pg::EmbeddedServer pg({.major = 16});
//   pg.create_database("shop");
//   pqxx::connection c{pg.url_for("shop")};
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <sys/types.h>

namespace seam::pg {

// The PostgreSQL major version seam uses when none is asked for: the one that
// Debian bookworm ships at /usr/lib/postgresql/15/bin.
int default_pg_major();

// The directory holding initdb and postgres for `major`. Looks, in order, in
// $SEAM_PG_BIN (used only when it holds that major), the cache that
// scripts/install-pg-versions.sh fills ($SEAM_PG_CACHE, /var/cache/seam/pg,
// ~/.cache/seam/pg, each + /<major>/bin) and /usr/lib/postgresql/<major>/bin.
// Throws std::runtime_error listing every place it looked and the command that
// installs the binaries.
std::string find_pg_bin(int major);

// The cache directories scripts/install-pg-versions.sh may have filled, in the
// order find_pg_bin searches them.
std::vector<std::filesystem::path> pg_cache_dirs();

// Major version of the `postgres` binary in `bin_dir` (runs `postgres --version`).
// Throws std::runtime_error when it is missing or does not answer.
int pg_binary_major(const std::string& bin_dir);

struct ServerOptions {
  std::string pg_bin;  // directory with initdb + postgres; empty = find_pg_bin(major)
  int major = 0;       // 0 = default_pg_major(); ignored when pg_bin is given
  int port = 0;        // 0 = pick a free TCP port on 127.0.0.1
  // Extra `-c name=value` settings, applied after seam's defaults (so they win).
  std::vector<std::pair<std::string, std::string>> settings;
  std::chrono::seconds start_timeout{60};
};

class EmbeddedServer {
 public:
  // Starts the server; throws std::runtime_error (with the tail of the server
  // log) when it cannot. Nothing is left behind on failure.
  explicit EmbeddedServer(ServerOptions opts = {});
  ~EmbeddedServer();  // stop(), never throws
  EmbeddedServer(const EmbeddedServer&) = delete;
  EmbeddedServer& operator=(const EmbeddedServer&) = delete;

  // postgresql://postgres@127.0.0.1:PORT/postgres (trust auth, no password).
  std::string url() const { return url_for("postgres"); }
  std::string url_for(const std::string& dbname) const;
  int port() const { return port_; }
  int version_major() const { return major_; }
  const std::string& pg_bin() const { return pg_bin_; }
  std::filesystem::path data_dir() const { return root_ / "data"; }
  std::filesystem::path socket_dir() const { return root_ / "sock"; }
  std::filesystem::path log_path() const { return root_ / "server.log"; }
  // The temporary directory that holds everything above; gone after stop().
  const std::filesystem::path& root_dir() const { return root_; }
  // The last `lines` lines of the server log (initdb writes to initdb.log beside it).
  std::string log_tail(int lines = 40) const;

  // CREATE DATABASE <name>; the name is quoted, so any text is safe.
  void create_database(const std::string& name);

  // Whether the postmaster is still running.
  bool running();
  // Fast shutdown, then immediate, then SIGKILL; then removes root_dir().
  // Idempotent.
  void stop() noexcept;

 private:
  void start_once(const ServerOptions& opts);
  void wait_ready(std::chrono::seconds timeout);
  void kill_and_reap() noexcept;

  std::filesystem::path root_;
  std::string pg_bin_;
  int major_ = 0;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace seam::pg
