// The measuring and reporting helpers of measure.hpp.
#include "bench/measure.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pqxx/pqxx>

#include "dialects/postgres/embedded.hpp"
#include "dialects/postgres/spawn.hpp"

namespace fs = std::filesystem;

namespace seam::bench {

namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}
}  // namespace

double cpu_of(const rusage& ru) {
  auto tv = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return tv(ru.ru_utime) + tv(ru.ru_stime);
}

double cpu_from_proc_stat(const std::string& line, bool waited_children) {
  size_t paren = line.rfind(')');
  if (paren == std::string::npos) return -1;
  std::istringstream in(line.substr(paren + 1));
  std::vector<std::string> f;
  std::string tok;
  while (in >> tok) f.push_back(tok);
  // Fields after "(comm)": state is field 3, utime 14, stime 15, cutime 16, cstime 17.
  if (f.size() < 15) return -1;
  size_t k = waited_children ? 13 : 11;
  try {
    return static_cast<double>(std::stoll(f[k]) + std::stoll(f[k + 1])) /
           static_cast<double>(sysconf(_SC_CLK_TCK));
  } catch (const std::exception&) {
    return -1;
  }
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("signal ") + strsignal(WTERMSIG(status));
  return "status " + std::to_string(status);
}

namespace {
void write_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}
}  // namespace

Sample in_child(const std::string& what, const std::function<double(std::string&)>& fn) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe: " + std::string(strerror(errno)));
  std::cout.flush();
  std::cerr.flush();
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork: " + std::string(strerror(errno)));
  if (pid == 0) {
    ::close(fds[0]);
    std::string msg;
    int code = 0;
    try {
      std::string info;
      double s = fn(info);
      char buf[64];
      std::snprintf(buf, sizeof buf, "ok %.9f\n", s);
      msg = buf + info;
    } catch (const std::exception& e) {
      msg = std::string("error\n") + e.what();
      code = 1;
    }
    write_all(fds[1], msg);
    _exit(code);
  }
  ::close(fds[1]);
  std::string msg;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    msg.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  rusage ru{};
  while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
  }
  if (msg.rfind("ok ", 0) != 0) {
    if (msg.rfind("error\n", 0) == 0) throw std::runtime_error(what + " failed: " + msg.substr(6));
    throw std::runtime_error(what + " failed (" + describe_status(status) + ")");
  }
  Sample s;
  size_t nl = msg.find('\n');
  s.seconds = std::stod(msg.substr(3, nl - 3));
  s.info = msg.substr(nl + 1);
  s.maxrss_kb = ru.ru_maxrss;
  s.cpu_seconds = cpu_of(ru);
  return s;
}

Sample exec_tool(const std::string& what, const std::vector<std::string>& argv, const fs::path& log,
                 const fs::path& out) {
  int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot write " + log.string() + ": " + strerror(errno));
  int out_fd = fd;
  if (!out.empty()) {
    out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out_fd < 0) {
      ::close(fd);
      throw std::runtime_error("cannot write " + out.string() + ": " + strerror(errno));
    }
  }
  seam::pg::SpawnOptions so;
  so.stderr_fd = fd;
  so.stdout_fd = out_fd;
  std::cout.flush();
  std::cerr.flush();
  auto t0 = Clock::now();
  pid_t pid = -1;
  try {
    pid = seam::pg::spawn(argv, so);
  } catch (...) {
    ::close(fd);
    if (out_fd != fd) ::close(out_fd);
    throw;
  }
  ::close(fd);
  if (out_fd != fd) ::close(out_fd);
  int status = 0;
  rusage ru{};
  while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
  }
  Sample s;
  s.seconds = since(t0);
  s.maxrss_kb = ru.ru_maxrss;
  s.cpu_seconds = cpu_of(ru);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::ifstream in(log);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    if (text.size() > 4000) text = "..." + text.substr(text.size() - 4000);
    throw std::runtime_error(what + " failed (" + describe_status(status) + "):\n" + text);
  }
  return s;
}

Stat summarize(const std::vector<Sample>& v) {
  Stat st;
  if (v.empty()) return st;
  std::vector<double> t;
  std::vector<long> m;
  std::vector<double> c;
  for (const auto& s : v) {
    t.push_back(s.seconds);
    m.push_back(s.maxrss_kb);
    c.push_back(s.cpu_seconds);
  }
  std::sort(t.begin(), t.end());
  std::sort(m.begin(), m.end());
  std::sort(c.begin(), c.end());
  size_t n = t.size();
  st.seconds = n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
  st.cpu_seconds = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
  std::vector<double> sc;
  for (const auto& s : v)
    if (s.server_cpu >= 0) sc.push_back(s.server_cpu);
  std::sort(sc.begin(), sc.end());
  if (sc.size() == n) st.server_cpu = n % 2 ? sc[n / 2] : (sc[n / 2 - 1] + sc[n / 2]) / 2;
  st.maxrss_kb = n % 2 ? m[n / 2] : (m[n / 2 - 1] + m[n / 2]) / 2;
  st.min = t.front();
  st.max = t.back();
  return st;
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}
std::string secs(double s) {
  return s < 10 ? fmt("%.3f s", s) : fmt("%.1f s", s);
}
std::string mib(long kb) {
  return fmt("%.1f MiB", static_cast<double>(kb) / 1024.0);
}
std::string thousands(long n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out = n < 0 ? "-" : "";
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}
std::string range(const Stat& s) {
  return fmt("%.3f", s.min) + "–" + fmt("%.3f", s.max) + " s";
}

std::string read_first_line_with(const char* path, const std::string& key) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) {
      auto colon = line.find(':');
      std::string v = colon == std::string::npos ? line : line.substr(colon + 1);
      v.erase(0, v.find_first_not_of(" \t"));
      return v;
    }
  }
  return "unknown";
}

std::string machine_summary() {
  return std::to_string(sysconf(_SC_NPROCESSORS_ONLN)) + " CPUs (nproc), " +
         read_first_line_with("/proc/cpuinfo", "model name") + ", " +
         fmt("%.1f GiB",
             std::atof(read_first_line_with("/proc/meminfo", "MemTotal").c_str()) / 1048576.0) +
         " memory";
}

std::string loadavg() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string capture(const std::vector<std::string>& argv) {
  seam::pg::SpawnOptions so;
  so.search_path = true;
  try {
    auto r = seam::pg::run_capture(argv, so);
    return r.status == 0 ? trim(r.output) : std::string();
  } catch (const std::exception&) {
    return {};
  }
}

std::string commit_description(const std::string& source_dir) {
  std::string head = capture({"git", "-C", source_dir, "rev-parse", "--short=12", "HEAD"});
  if (head.empty()) return "unknown (not a git checkout)";
  std::string dirty =
      capture({"git", "-C", source_dir, "status", "--porcelain", "--untracked-files=no"});
  return head + (dirty.empty() ? "" : " (with uncommitted changes in the working tree)");
}

std::string client_binary(const seam::pg::EmbeddedServer& srv, const std::string& name) {
  for (const fs::path& dir :
       {fs::path(srv.pg_bin()),
        fs::path("/usr/lib/postgresql/" + std::to_string(seam::pg::default_pg_major()) + "/bin")}) {
    if (fs::exists(dir / name)) return (dir / name).string();
  }
  return "/usr/bin/" + name;
}

std::vector<int> parse_tables(const std::string& s) {
  std::vector<int> out;
  std::stringstream ss(s);
  std::string part;
  while (std::getline(ss, part, ',')) {
    part.erase(std::remove(part.begin(), part.end(), '_'), part.end());
    size_t used = 0;
    int v = 0;
    try {
      v = std::stoi(part, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != part.size() || v <= 0)
      throw std::invalid_argument(
          "--tables wants a comma-separated list of positive numbers, got '" + s + "'");
    out.push_back(v);
  }
  if (out.empty()) throw std::invalid_argument("--tables is empty");
  return out;
}

uint64_t parse_number(const std::string& opt, const std::string& text) {
  size_t used = 0;
  uint64_t v = 0;
  try {
    v = std::stoull(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || text[0] == '-')
    throw std::invalid_argument(opt + " wants a non-negative integer, got '" + text + "'");
  return v;
}

std::string ratio(const Stat& num, const Stat& den) {
  if (den.seconds <= 0) return "–";
  double r = num.seconds / den.seconds;
  return r < 0.1 ? fmt("%.3f", r) : r < 10 ? fmt("%.2f", r) : fmt("%.1f", r);
}

fs::path make_temp_dir(const std::string& prefix) {
  std::string tmpl = (fs::temp_directory_path() / (prefix + "XXXXXX")).string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp: " + std::string(strerror(errno)));
  return tmpl;
}

std::string utc_now() {
  time_t now = time(nullptr);
  char when[64];
  strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", gmtime(&now));
  return when;
}

std::string server_version(const std::string& url) {
  pqxx::connection c{url};
  pqxx::nontransaction tx{c};
  return tx.exec("SHOW server_version")[0][0].c_str();
}

bool parse_run_option(int argc, char** argv, int& i, RunOptions& o) {
  const std::string a = argv[i];
  auto value = [&]() -> std::string {
    if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
    return argv[++i];
  };
  if (a == "--tables") {
    o.tables = parse_tables(value());
  } else if (a == "--repeat") {
    o.repeat = static_cast<int>(parse_number(a, value()));
    if (o.repeat < 1) throw std::invalid_argument("--repeat must be at least 1");
  } else if (a == "--seed") {
    o.seed = parse_number(a, value());
  } else if (a == "--out") {
    o.out = value();
  } else if (a == "--keep") {
    o.keep = true;
  } else {
    return false;
  }
  return true;
}

}  // namespace seam::bench
