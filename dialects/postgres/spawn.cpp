// fork/exec with an optional privilege drop; see spawn.hpp.
#include "dialects/postgres/spawn.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace seam::pg {

namespace {

// What the child failed at before exec, sent back over a close-on-exec pipe so
// the parent can say precisely why the child could not start.
enum Step : int { kSetsid = 1, kDup, kSetgroups, kSetgid, kSetuid, kChdir, kExec };

const char* step_name(int step) {
  switch (step) {
    case kSetsid: return "setsid";
    case kDup: return "redirecting stdio";
    case kSetgroups: return "setgroups";
    case kSetgid: return "setgid";
    case kSetuid: return "setuid";
    case kChdir: return "chdir";
    case kExec: return "exec";
  }
  return "?";
}

[[noreturn]] void child_fail(int fd, int step) {
  int msg[2] = {step, errno};
  [[maybe_unused]] ssize_t n = write(fd, msg, sizeof msg);
  _exit(127);
}

std::vector<std::string> child_environment(const SpawnOptions& opts) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string entry = *e;
    std::string name = entry.substr(0, entry.find('='));
    bool drop = false;
    for (const auto& u : opts.unset_env) drop = drop || u == name;
    for (const auto& s : opts.set_env) drop = drop || s.substr(0, s.find('=')) == name;
    if (!drop) env.push_back(std::move(entry));
  }
  env.insert(env.end(), opts.set_env.begin(), opts.set_env.end());
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}

}  // namespace

RunAs server_account() {
  RunAs r;
  if (geteuid() != 0) return r;
  for (const char* name : {"seam-pg", "nobody"}) {
    if (const passwd* pw = getpwnam(name)) {
      r.switch_user = true;
      r.uid = pw->pw_uid;
      r.gid = pw->pw_gid;
      r.name = name;
      return r;
    }
  }
  throw std::runtime_error(
      "running as root, but neither the user 'seam-pg' nor 'nobody' exists to run PostgreSQL "
      "as; create one with: bash scripts/install-deps.sh");
}

pid_t spawn(const std::vector<std::string>& argv_in, const SpawnOptions& opts) {
  if (argv_in.empty()) throw std::runtime_error("spawn: empty command");
  // Everything the child needs is prepared before fork: between fork and exec
  // only async-signal-safe calls are allowed.
  std::vector<std::string> argv_store = argv_in;
  std::vector<char*> argv = c_strings(argv_store);
  std::vector<std::string> env_store = child_environment(opts);
  std::vector<char*> envp = c_strings(env_store);

  int devnull = -1;
  if (opts.stdin_fd < 0) {
    devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull < 0) throw std::runtime_error(std::string("open /dev/null: ") + strerror(errno));
  }
  int in_fd = opts.stdin_fd >= 0 ? opts.stdin_fd : devnull;

  int errpipe[2];
  if (pipe2(errpipe, O_CLOEXEC) != 0) {
    if (devnull >= 0) close(devnull);
    throw std::runtime_error(std::string("pipe: ") + strerror(errno));
  }
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(errpipe[0]);
    close(errpipe[1]);
    if (devnull >= 0) close(devnull);
    throw std::runtime_error(std::string("fork: ") + strerror(e));
  }
  if (pid == 0) {
    int efd = errpipe[1];
    if (opts.new_session && setsid() < 0) child_fail(efd, kSetsid);
    if (dup2(in_fd, 0) < 0) child_fail(efd, kDup);
    if (opts.stdout_fd >= 0 && dup2(opts.stdout_fd, 1) < 0) child_fail(efd, kDup);
    if (opts.stderr_fd >= 0 && dup2(opts.stderr_fd, 2) < 0) child_fail(efd, kDup);
    // No descriptor of seam's (sockets, test-runner pipes) may outlive it in a
    // long-running postmaster.
    if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
      for (int fd = 3; fd < 4096; ++fd) fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    if (opts.user.switch_user) {
      // Group first: after setuid we could no longer change it.
      if (setgroups(1, &opts.user.gid) != 0) child_fail(efd, kSetgroups);
      if (setgid(opts.user.gid) != 0) child_fail(efd, kSetgid);
      if (setuid(opts.user.uid) != 0) child_fail(efd, kSetuid);
    }
    // After setuid: a credential change clears the parent-death signal.
    if (opts.parent_death_signal != 0) {
      prctl(PR_SET_PDEATHSIG, opts.parent_death_signal);
      if (getppid() != parent) _exit(1);  // seam already died
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig : {SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGPIPE, SIGCHLD, SIGUSR1, SIGUSR2})
      signal(sig, SIG_DFL);
    if (!opts.cwd.empty() && chdir(opts.cwd.c_str()) != 0) child_fail(efd, kChdir);
    if (opts.search_path)
      execvpe(argv[0], argv.data(), envp.data());
    else
      execve(argv[0], argv.data(), envp.data());
    child_fail(efd, kExec);
  }
  close(errpipe[1]);
  if (devnull >= 0) close(devnull);
  int msg[2] = {0, 0};
  ssize_t n;
  do {
    n = read(errpipe[0], msg, sizeof msg);
  } while (n < 0 && errno == EINTR);
  close(errpipe[0]);
  if (n > 0) {
    waitpid(pid, nullptr, 0);
    std::string who = opts.user.switch_user ? " as user '" + opts.user.name + "'" : "";
    throw std::runtime_error("could not start " + argv_in[0] + who + ": " + step_name(msg[0]) +
                             " failed: " + strerror(msg[1]));
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return 255;
  }
  return decode_status(status);
}

std::optional<int> poll_exit(pid_t pid) {
  int status = 0;
  pid_t r = waitpid(pid, &status, WNOHANG);
  if (r == 0) return std::nullopt;
  if (r < 0) return 255;  // not our child any more: treat as gone
  return decode_status(status);
}

Captured run_capture(const std::vector<std::string>& argv, const SpawnOptions& opts_in) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + strerror(errno));
  SpawnOptions opts = opts_in;
  opts.stdout_fd = out[1];
  opts.stderr_fd = out[1];
  pid_t pid;
  try {
    pid = spawn(argv, opts);
  } catch (...) {
    close(out[0]);
    close(out[1]);
    throw;
  }
  close(out[1]);
  Captured c;
  char buf[4096];
  for (;;) {
    ssize_t n = read(out[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    c.output.append(buf, static_cast<size_t>(n));
  }
  close(out[0]);
  c.status = wait_exit(pid);
  return c;
}

}  // namespace seam::pg
