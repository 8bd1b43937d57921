// The throwaway MariaDB server; see dev_server.hpp.
//
// mariadbd is exec'd directly (not through mysqld_safe or systemd) so that
// seam owns its pid, can tell a server that died at startup from a slow one,
// and stops it itself. --no-defaults everywhere: nothing from /etc/mysql or
// ~/.my.cnf may change what the server looks like.
#include "dialects/mysql/dev_server.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <regex>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dialects/postgres/spawn.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace seam::mysql {

namespace {

using pg::RunAs;
using pg::SpawnOptions;

bool executable(const fs::path& p) {
  return access(p.c_str(), X_OK) == 0;
}

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

// The install-db script that belongs to `server` (same directory or its
// ../bin, then /usr/bin).
std::string find_install_db(const fs::path& server) {
  std::vector<fs::path> dirs{server.parent_path(), server.parent_path().parent_path() / "bin",
                             "/usr/bin"};
  for (const auto& d : dirs)
    for (const char* name : {"mariadb-install-db", "mysql_install_db"})
      if (executable(d / name)) return (d / name).string();
  throw std::runtime_error("found " + server.string() +
                           " but no mariadb-install-db or mysql_install_db beside it or in "
                           "/usr/bin; install them with: bash scripts/install-mysql-deps.sh");
}

fs::path temp_base(bool switching_user) {
  if (const char* d = std::getenv("SEAM_MYSQL_TMPDIR"); d && *d) return d;
  if (!switching_user)
    if (const char* d = std::getenv("TMPDIR"); d && *d) return d;
  return "/tmp";
}

// Directories a killed seam left behind (its server got the parent-death
// signal, nobody deleted the files): no live server and untouched for ten
// minutes, so a server another seam is still setting up is never touched.
void remove_abandoned(const fs::path& base) noexcept {
  std::error_code ec;
  static const std::regex name(R"(seam-my-[A-Za-z0-9]{6})");
  for (const auto& entry : fs::directory_iterator(base, ec)) {
    if (!std::regex_match(entry.path().filename().string(), name)) continue;
    struct stat st {};
    if (lstat(entry.path().c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    if (time(nullptr) - st.st_mtime < 600) continue;
    std::ifstream pidfile(entry.path() / "mysqld.pid");
    long pid = 0;
    if (pidfile >> pid && pid > 0 && (kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM))
      continue;
    fs::remove_all(entry.path(), ec);
  }
}

SpawnOptions spawn_options(const RunAs& user, const fs::path& cwd, int log_fd) {
  SpawnOptions o;
  o.user = user;
  o.cwd = cwd.string();
  o.stdout_fd = log_fd;
  o.stderr_fd = log_fd;
  o.unset_env = {"MYSQL_HOME", "MYSQL_UNIX_PORT", "MYSQL_TCP_PORT", "MYSQL_PWD", "LANGUAGE"};
  o.set_env = {"LC_ALL=C", "LANG=C", "TZ=UTC", "HOME=" + cwd.string()};
  return o;
}

}  // namespace

std::string find_server_binary(const std::string& bin_dir) {
  std::vector<fs::path> dirs;
  if (!bin_dir.empty()) {
    dirs.push_back(bin_dir);
  } else {
    if (const char* d = std::getenv("SEAM_MYSQL_BIN"); d && *d) dirs.push_back(d);
    for (const char* d : {"/usr/sbin", "/usr/bin", "/usr/local/mysql/bin"}) dirs.push_back(d);
  }
  std::string looked;
  for (const auto& d : dirs) {
    for (const char* name : {"mariadbd", "mysqld"}) {
      if (executable(d / name)) return (d / name).string();
      looked += (looked.empty() ? "" : ", ") + (d / name).string();
    }
  }
  throw std::runtime_error("no MariaDB/MySQL server binary found (looked for " + looked +
                           "); install it with: bash scripts/install-mysql-deps.sh, or name "
                           "its directory with SEAM_MYSQL_BIN");
}

DevServer::DevServer(DevServerOptions opts) {
  try {
    start(opts);
  } catch (...) {
    stop();
    throw;
  }
}

DevServer::~DevServer() {
  stop();
}

void DevServer::start(const DevServerOptions& opts) {
  server_bin_ = find_server_binary(opts.bin_dir);
  const std::string install_db = find_install_db(server_bin_);
  RunAs user = pg::server_account();
  fs::path base = temp_base(user.switch_user);
  remove_abandoned(base);
  std::string tmpl = (base / "seam-my-XXXXXX").string();
  if (!mkdtemp(tmpl.data()))
    throw std::runtime_error("could not create a temporary directory in " + base.string() + ": " +
                             strerror(errno));
  root_ = tmpl;
  const fs::path sock_dir = root_ / "sock";
  fs::create_directory(sock_dir);
  chmod(sock_dir.c_str(), 0700);
  socket_ = sock_dir / "mysqld.sock";
  if (socket_.string().size() >= 100)
    throw std::runtime_error("the socket path " + socket_.string() +
                             " is too long for a unix socket; set SEAM_MYSQL_TMPDIR to a short "
                             "directory");
  const fs::path install_log = root_ / "install.log";
  const fs::path server_log = root_ / "server.log";
  struct LogFile {
    int fd = -1;
    explicit LogFile(const fs::path& p) {
      fd = open(p.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
      if (fd < 0)
        throw std::runtime_error("could not create " + p.string() + ": " + strerror(errno));
    }
    ~LogFile() { close(fd); }
  } ilog(install_log), slog(server_log);
  if (user.switch_user) {
    for (const fs::path& p : {root_, sock_dir, install_log, server_log})
      if (chown(p.c_str(), user.uid, user.gid) != 0)
        throw std::runtime_error("could not chown " + p.string() + " to " + user.name + ": " +
                                 strerror(errno));
  }
  SpawnOptions so = spawn_options(user, root_, ilog.fd);
  const std::string datadir = (root_ / "data").string();
  // root@localhost without a password (normal authentication rather than the
  // unix_socket plugin, so a non-root seam can log in as root too); no test
  // database. --skip-name-resolve: no DNS lookups at install or start.
  std::vector<std::string> install = {install_db,
                                      "--no-defaults",
                                      "--datadir=" + datadir,
                                      "--auth-root-authentication-method=normal",
                                      "--skip-test-db",
                                      "--skip-name-resolve"};
  install.push_back("--basedir=" + fs::path(server_bin_).parent_path().parent_path().string());
  int rc = pg::wait_exit(pg::spawn(install, so));
  if (rc != 0)
    throw std::runtime_error(install_db + " failed with exit status " + std::to_string(rc) +
                             "; end of " + install_log.string() + ":\n" +
                             file_tail(install_log, 40));

  // Durability off (the server is deleted at exit); utf8mb4 with TiDB's
  // default collation (utf8mb4_bin: a column that names none compares equal to
  // the same column on TiDB), UTC and TiDB's default sql_mode so that what
  // loads here is what TiDB would accept.
  std::vector<std::string> server = {
      server_bin_,
      "--no-defaults",
      "--datadir=" + datadir,
      "--socket=" + socket_.string(),
      "--skip-networking",
      "--pid-file=" + (root_ / "mysqld.pid").string(),
      "--log-error=" + server_log.string(),
      "--skip-log-bin",
      "--skip-name-resolve",
      "--innodb-buffer-pool-size=32M",
      "--innodb-flush-log-at-trx-commit=0",
      "--innodb-doublewrite=0",
      "--innodb-use-native-aio=0",
      "--character-set-server=utf8mb4",
      "--collation-server=utf8mb4_bin",
      "--default-time-zone=+00:00",
      "--sql-mode=ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
      "ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION",
  };
  so.stdout_fd = so.stderr_fd = slog.fd;
  so.new_session = true;  // Ctrl-C reaches seam, which stops the server in order
  if (gettid() == getpid()) so.parent_death_signal = SIGTERM;
  pid_ = pg::spawn(server, so);
  wait_ready(opts.start_timeout);
}

void DevServer::wait_ready(std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last;
  for (;;) {
    if (auto rc = pg::poll_exit(pid_)) {
      pid_ = -1;
      throw std::runtime_error(server_bin_ + " exited with status " + std::to_string(*rc) +
                               " while starting; end of " + (root_ / "server.log").string() +
                               ":\n" + log_tail());
    }
    if (fs::exists(socket_)) {
      try {
        connect();
        return;
      } catch (const std::exception& e) {
        last = e.what();  // socket there, not accepting yet
      }
    }
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error(server_bin_ + " did not accept connections within " +
                               std::to_string(timeout.count()) + " s (" + last + "); end of " +
                               (root_ / "server.log").string() + ":\n" + log_tail());
    std::this_thread::sleep_for(50ms);
  }
}

Connection DevServer::connect(const std::string& database) const {
  return Connection::over_socket(socket_.string(), "root", "", database);
}

std::string DevServer::url() const {
  return "mysql://root@localhost/?socket=" + socket_.string();
}

std::string DevServer::log_tail(int lines) const {
  return file_tail(root_ / "server.log", lines);
}

bool DevServer::running() {
  if (pid_ <= 0) return false;
  if (pg::poll_exit(pid_)) {
    pid_ = -1;
    return false;
  }
  return true;
}

void DevServer::stop() noexcept {
  if (pid_ > 0) {
    // SIGTERM: orderly shutdown; SIGKILL when it hangs.
    const std::pair<int, std::chrono::milliseconds> steps[] = {{SIGTERM, 30s}, {SIGKILL, 10s}};
    for (const auto& [sig, grace] : steps) {
      if (pid_ <= 0) break;
      kill(pid_, sig);
      auto deadline = std::chrono::steady_clock::now() + grace;
      while (std::chrono::steady_clock::now() < deadline) {
        if (pg::poll_exit(pid_)) {
          pid_ = -1;
          break;
        }
        std::this_thread::sleep_for(20ms);
      }
    }
    pid_ = -1;
  }
  if (!root_.empty()) {
    std::error_code ec;
    fs::remove_all(root_, ec);
    root_.clear();
  }
}

}  // namespace seam::mysql
