// Starting child processes without a shell, optionally as another (unprivileged)
// user. Used by the embedded server: PostgreSQL refuses to run as root, so when
// seam is root, initdb and postgres are exec'd after setgid/setuid in the child.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace seam::pg {

// The account a child process runs as.
struct RunAs {
  bool switch_user = false;  // false: stay who we are
  uid_t uid = 0;
  gid_t gid = 0;
  std::string name;
};

// Who PostgreSQL processes should run as: ourselves unless we are root; as root
// the system user `seam-pg` when it exists, else `nobody`. Throws when neither
// exists.
RunAs server_account();

struct SpawnOptions {
  RunAs user;
  std::string cwd;           // empty = inherit
  int stdin_fd = -1;         // -1 = /dev/null
  int stdout_fd = -1;        // -1 = inherit
  int stderr_fd = -1;        // -1 = inherit
  bool new_session = false;  // setsid(): terminal signals (Ctrl-C) stay with seam
  int parent_death_signal = 0;  // sent to the child if seam dies first (Linux)
  // Environment: ours, minus these names, plus these NAME=value entries.
  std::vector<std::string> unset_env;
  std::vector<std::string> set_env;
  // Look argv[0] up in $PATH when it has no slash (otherwise it must be a path).
  bool search_path = false;
};

// fork + exec argv[0]. Throws std::runtime_error when the
// fork, the user switch or the exec fails, with the reason the child reported.
pid_t spawn(const std::vector<std::string>& argv, const SpawnOptions& opts);

// waitpid; returns the exit status, or 128 + signal number if it was killed.
int wait_exit(pid_t pid);
// Non-blocking: the exit status if the child has ended, nullopt if it still runs.
std::optional<int> poll_exit(pid_t pid);

struct Captured {
  int status = 0;
  std::string output;  // stdout and stderr interleaved
};
// Runs argv to completion and collects its output.
Captured run_capture(const std::vector<std::string>& argv, const SpawnOptions& opts = {});

}  // namespace seam::pg
