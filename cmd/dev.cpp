// `seam dev`: a throwaway PostgreSQL server for trying seam out and for scripts.
//
//   seam dev                       # prints the URL, serves until Ctrl-C / SIGTERM
//   seam dev --pg-version 17 --port 54317
//   seam dev -- psql -c 'select 1' # runs a command with DATABASE_URL set, then stops
//
// The URL is the only thing written to stdout (one line, flushed), so a script
// can start `seam dev > url.txt &` and wait for the file to fill.
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cmd/commands.hpp"
#include "dialects/postgres/embedded.hpp"
#include "dialects/postgres/spawn.hpp"

namespace seam::cmd {

namespace {

struct DevOptions {
  std::string pg_bin;
  int pg_version = 0;
  int port = 0;
  std::vector<std::string> command;
};

// The signals that end `seam dev`. They are blocked for the whole run and
// collected with sigtimedwait, so the server is always stopped by our own
// code path (destructors run) rather than by a handler interrupting anything.
sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

// Waits up to one second for a stop signal; returns it, or 0 on timeout.
int wait_signal(const sigset_t& set) {
  timespec one_second{1, 0};
  int sig = sigtimedwait(&set, nullptr, &one_second);
  return sig > 0 ? sig : 0;
}

void run_dev(const DevOptions& o) {
  sigset_t set = stop_signals();
  sigprocmask(SIG_BLOCK, &set, nullptr);

  pg::ServerOptions so;
  so.pg_bin = o.pg_bin;
  so.major = o.pg_version;
  so.port = o.port;
  pg::EmbeddedServer server(so);
  std::cerr << "seam dev: PostgreSQL " << server.version_major() << " (" << server.pg_bin()
            << ") on 127.0.0.1:" << server.port() << ", data in " << server.root_dir().string()
            << "\n";

  if (!o.command.empty()) {
    pg::SpawnOptions sp;
    sp.search_path = true;
    sp.stdin_fd = 0;
    sp.set_env = {"DATABASE_URL=" + server.url(), "SEAM_DEV_URL=" + server.url()};
    pid_t child = pg::spawn(o.command, sp);
    std::optional<int> rc;
    while (!(rc = pg::poll_exit(child))) {
      if (int sig = wait_signal(set)) kill(child, sig);  // pass Ctrl-C on, then wait for it
    }
    server.stop();
    std::cout.flush();
    // The command's status is seam's: `seam dev -- make test` fails when the tests do.
    std::exit(*rc);
  }

  std::cout << server.url() << std::endl;  // endl: the reader is usually waiting on this line
  std::cerr << "seam dev: Ctrl-C or SIGTERM stops the server and deletes its files\n";
  for (;;) {
    if (int sig = wait_signal(set)) {
      std::cerr << "seam dev: " << strsignal(sig) << ", stopping\n";
      return;  // ~EmbeddedServer stops and deletes
    }
    if (!server.running())
      throw std::runtime_error("the PostgreSQL server exited unexpectedly; end of " +
                               server.log_path().string() + ":\n" + server.log_tail());
  }
}

}  // namespace

void register_dev(CLI::App& app) {
  auto o = std::make_shared<DevOptions>();
  CLI::App* sub = app.add_subcommand(
      "dev", "Start a throwaway PostgreSQL server, print its URL, and delete it on Ctrl-C");
  auto* bin = sub->add_option("--pg-bin", o->pg_bin,
                              "Directory holding initdb and postgres (default: found by version)");
  sub->add_option("--pg-version", o->pg_version,
                  "PostgreSQL major version (default " + std::to_string(pg::default_pg_major()) +
                      "; others via scripts/install-pg-versions.sh)")
      ->check(CLI::Range(10, 99))
      ->excludes(bin);
  sub->add_option("--port", o->port, "TCP port on 127.0.0.1 (default: a free one)")
      ->check(CLI::Range(1, 65535));
  sub->add_option("command", o->command,
                  "After --: a command to run with DATABASE_URL set; the server stops when it "
                  "exits and seam exits with its status");
  sub->callback([o] { run_dev(*o); });
}

}  // namespace seam::cmd
