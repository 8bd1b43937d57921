// The throwaway PostgreSQL cluster; see embedded.hpp.
//
// The postmaster is exec'd directly (not through pg_ctl) so that seam owns its
// pid: it can tell a server that died at startup from a slow one, and can
// escalate the shutdown signals itself.
#include "dialects/postgres/embedded.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pqxx/pqxx>

#include "dialects/postgres/spawn.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace seam::pg {

namespace {

// The server could not bind its port (someone took it between our probe and
// the postmaster's bind): worth another try with a new port.
struct PortTaken : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A TCP port that was free on 127.0.0.1 a moment ago.
int pick_free_port() {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) throw std::runtime_error(std::string("socket: ") + strerror(errno));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    int e = errno;
    close(s);
    throw std::runtime_error(std::string("could not find a free port on 127.0.0.1: ") +
                             strerror(e));
  }
  close(s);
  return ntohs(a.sin_port);
}

// Percent-encodes a database name for the path part of a postgresql:// URI.
std::string uri_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// The directory temporary clusters go in. A server running as another user must
// be able to reach it, so as root we ignore a TMPDIR that may sit under /root.
fs::path temp_base(bool switching_user) {
  if (const char* d = std::getenv("SEAM_PG_TMPDIR"); d && *d) return d;
  if (!switching_user)
    if (const char* d = std::getenv("TMPDIR"); d && *d) return d;
  return "/tmp";
}

// The last `lines` lines of a log file.
std::string file_tail(const fs::path& path, int lines) {
  std::ifstream in(path);
  if (!in) return "(no log at " + path.string() + ")";
  std::vector<std::string> all;
  for (std::string line; std::getline(in, line);) all.push_back(std::move(line));
  size_t from = all.size() > static_cast<size_t>(lines) ? all.size() - lines : 0;
  std::string out;
  for (size_t i = from; i < all.size(); ++i) out += all[i] + "\n";
  return out;
}

// Removes temporary clusters that a killed seam left behind in `base`: the
// kernel stops such a server (parent-death signal) but nobody deletes its
// files. A directory counts as abandoned when no live postmaster uses it and it
// has not changed for ten minutes (initdb never takes that long), so a cluster
// that another seam is still setting up is never touched.
void remove_abandoned_clusters(const fs::path& base) noexcept {
  std::error_code ec;
  static const std::regex name(R"(seam-pg-[A-Za-z0-9]{6})");
  for (const auto& entry : fs::directory_iterator(base, ec)) {
    if (!std::regex_match(entry.path().filename().string(), name)) continue;
    struct stat st {};
    if (lstat(entry.path().c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    if (time(nullptr) - st.st_mtime < 600) continue;
    std::ifstream pidfile(entry.path() / "data" / "postmaster.pid");
    long pid = 0;
    if (pidfile >> pid && pid > 0 && (kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM))
      continue;  // a postmaster still runs there
    fs::remove_all(entry.path(), ec);
  }
}

// Line 8 of postmaster.pid is the postmaster's status ("starting", "ready",
// "stopping"), written by PostgreSQL 10 and later; pg_ctl -w waits on it too.
std::string postmaster_status(const fs::path& data_dir) {
  std::ifstream in(data_dir / "postmaster.pid");
  std::string line;
  for (int i = 1; i <= 8 && std::getline(in, line); ++i) {
    if (i == 8) {
      while (!line.empty() && line.back() == ' ') line.pop_back();
      return line;
    }
  }
  return "";
}

// Environment for initdb and postgres: nothing from the caller's libpq or
// locale settings may change what the cluster looks like.
SpawnOptions server_spawn_options(const RunAs& user, const fs::path& cwd, int log_fd) {
  SpawnOptions o;
  o.user = user;
  o.cwd = cwd.string();
  o.stdout_fd = log_fd;
  o.stderr_fd = log_fd;
  o.unset_env = {"PGDATA",      "PGHOST",    "PGHOSTADDR", "PGPORT",     "PGUSER",
                 "PGDATABASE",  "PGOPTIONS", "PGPASSWORD", "PGSERVICE",  "PGSYSCONFDIR",
                 "PGSERVICEFILE", "PGTZ",    "PGCLIENTENCODING", "LANGUAGE"};
  o.set_env = {"LC_ALL=C", "LANG=C", "TZ=UTC"};
  if (user.switch_user) o.set_env.push_back("HOME=" + cwd.string());
  return o;
}

}  // namespace

EmbeddedServer::EmbeddedServer(ServerOptions opts) {
  int want = opts.major ? opts.major : default_pg_major();
  pg_bin_ = opts.pg_bin.empty() ? find_pg_bin(want) : opts.pg_bin;
  major_ = pg_binary_major(pg_bin_);
  if (opts.pg_bin.empty() && major_ != want)
    throw std::runtime_error("asked for PostgreSQL " + std::to_string(want) + " but " + pg_bin_ +
                             "/postgres is PostgreSQL " + std::to_string(major_));
  // A port we picked ourselves can be taken by someone else before the
  // postmaster binds it; then we try again with another.
  const int attempts = opts.port ? 1 : 3;
  for (int attempt = 1;; ++attempt) {
    try {
      start_once(opts);
      return;
    } catch (const PortTaken& e) {
      stop();
      if (attempt >= attempts) throw std::runtime_error(e.what());
    } catch (...) {
      stop();
      throw;
    }
  }
}

EmbeddedServer::~EmbeddedServer() { stop(); }

void EmbeddedServer::start_once(const ServerOptions& opts) {
  RunAs user = server_account();
  fs::path base = temp_base(user.switch_user);
  remove_abandoned_clusters(base);
  std::string tmpl = (base / "seam-pg-XXXXXX").string();
  if (!mkdtemp(tmpl.data()))
    throw std::runtime_error("could not create a temporary directory in " + base.string() + ": " +
                             strerror(errno));
  root_ = tmpl;
  fs::create_directory(socket_dir());
  chmod(socket_dir().c_str(), 0700);
  // initdb and the server log separately, so a start failure shows the
  // server's own messages rather than initdb's chatter.
  const fs::path initdb_log = root_ / "initdb.log";
  struct LogFile {
    int fd = -1;
    explicit LogFile(const fs::path& p) {
      fd = open(p.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
      if (fd < 0) throw std::runtime_error("could not create " + p.string() + ": " + strerror(errno));
    }
    ~LogFile() { close(fd); }
  } init_log(initdb_log), server_log(log_path());
  if (user.switch_user) {
    for (const fs::path& p : {root_, socket_dir(), initdb_log, log_path()}) {
      if (chown(p.c_str(), user.uid, user.gid) != 0)
        throw std::runtime_error("could not chown " + p.string() + " to " + user.name + ": " +
                                 strerror(errno));
    }
  }
  SpawnOptions so = server_spawn_options(user, root_, init_log.fd);

  // initdb: trust auth for the superuser "postgres", no fsync, C collation so
  // that sort order does not depend on the machine's locales.
  std::vector<std::string> initdb = {pg_bin_ + "/initdb", "-D",          data_dir().string(),
                                     "--no-sync",         "--auth=trust", "--username=postgres",
                                     "--encoding=UTF8",   "--locale=C"};
  int rc = wait_exit(spawn(initdb, so));
  if (rc != 0)
    throw std::runtime_error("initdb (" + pg_bin_ + ") failed with exit status " +
                             std::to_string(rc) + "; end of " + initdb_log.string() + ":\n" +
                             file_tail(initdb_log, 40));

  port_ = opts.port ? opts.port : pick_free_port();
  // Durability off: the cluster is deleted at exit anyway, and tests create
  // and drop many databases.
  std::vector<std::pair<std::string, std::string>> settings = {
      {"listen_addresses", "127.0.0.1"},
      {"unix_socket_directories", socket_dir().string()},
      {"fsync", "off"},
      {"synchronous_commit", "off"},
      {"full_page_writes", "off"},
      {"max_connections", "100"},
      {"shared_buffers", "64MB"},
      {"shared_preload_libraries", ""},
      {"logging_collector", "off"},
      {"lc_messages", "C"},
      {"jit", "off"},
  };
  settings.insert(settings.end(), opts.settings.begin(), opts.settings.end());
  std::vector<std::string> postgres = {pg_bin_ + "/postgres", "-D", data_dir().string(), "-p",
                                       std::to_string(port_)};
  for (const auto& [k, v] : settings) {
    postgres.push_back("-c");
    postgres.push_back(k + "=" + v);
  }
  // Own session: Ctrl-C in `seam dev` reaches seam, which then shuts the
  // server down in order. If seam is killed outright, the kernel sends the
  // postmaster SIGQUIT (immediate shutdown) instead of leaving it running.
  // The kernel ties that signal to the *thread* that forked, so it is only
  // armed from the main thread: a server first started from a short-lived
  // worker thread (a test's) must not die with that thread.
  so.stdout_fd = so.stderr_fd = server_log.fd;
  so.new_session = true;
  if (gettid() == getpid()) so.parent_death_signal = SIGQUIT;
  pid_ = spawn(postgres, so);
  wait_ready(opts.start_timeout);
}

void EmbeddedServer::wait_ready(std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (auto rc = poll_exit(pid_)) {
      pid_ = -1;
      std::string tail = log_tail();
      std::string msg = "PostgreSQL " + std::to_string(major_) + " (" + pg_bin_ +
                        ") exited with status " + std::to_string(*rc) +
                        " while starting on port " + std::to_string(port_) + "; end of " +
                        log_path().string() + ":\n" + tail;
      if (tail.find("could not bind") != std::string::npos ||
          tail.find("Address already in use") != std::string::npos)
        throw PortTaken(msg);
      throw std::runtime_error(msg);
    }
    // Only the status in our own data directory proves that the server on
    // this port is ours (another one may have taken the port meanwhile).
    if (postmaster_status(data_dir()) == "ready") {
      try {
        pqxx::connection c{url() + "?connect_timeout=5"};
        return;
      } catch (const std::exception&) {
        // Ready but not accepting yet (very short window); retry.
      }
    }
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("PostgreSQL " + std::to_string(major_) + " did not become ready "
                               "within " + std::to_string(timeout.count()) + " s on port " +
                               std::to_string(port_) + "; end of " + log_path().string() + ":\n" +
                               log_tail());
    }
    std::this_thread::sleep_for(50ms);
  }
}

std::string EmbeddedServer::url_for(const std::string& dbname) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + uri_encode(dbname);
}

std::string EmbeddedServer::log_tail(int lines) const { return file_tail(log_path(), lines); }

void EmbeddedServer::create_database(const std::string& name) {
  pqxx::connection c{url()};
  pqxx::nontransaction tx{c};  // CREATE DATABASE cannot run in a transaction block
  tx.exec("CREATE DATABASE " + c.quote_name(name));
}

bool EmbeddedServer::running() {
  if (pid_ <= 0) return false;
  if (poll_exit(pid_)) {
    pid_ = -1;
    return false;
  }
  return true;
}

void EmbeddedServer::kill_and_reap() noexcept {
  // SIGINT = fast shutdown (disconnect clients, checkpoint), SIGQUIT =
  // immediate shutdown, SIGKILL when even that hangs.
  const std::pair<int, std::chrono::milliseconds> steps[] = {
      {SIGINT, 20s}, {SIGQUIT, 5s}, {SIGKILL, 10s}};
  for (const auto& [sig, grace] : steps) {
    kill(pid_, sig);
    auto deadline = std::chrono::steady_clock::now() + grace;
    while (std::chrono::steady_clock::now() < deadline) {
      if (poll_exit(pid_)) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(20ms);
    }
  }
  pid_ = -1;
}

void EmbeddedServer::stop() noexcept {
  if (pid_ > 0) kill_and_reap();
  if (!root_.empty()) {
    std::error_code ec;
    fs::remove_all(root_, ec);
    root_.clear();
  }
}

}  // namespace seam::pg
