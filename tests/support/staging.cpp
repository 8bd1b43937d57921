// StagingCluster (staging.hpp): runs scripts/staging with this test's
// settings in the environment and parses the little it prints.
#include "tests/support/staging.hpp"

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "dialects/postgres/spawn.hpp"

namespace seam::test {

namespace {

std::string script() { return std::string(SEAM_SOURCE_DIR) + "/scripts/staging"; }

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// The last line of a command's output (the commands print their answer last;
// progress goes before it on stderr).
std::string last_line(const std::string& out) {
  std::string t = trim(out);
  auto nl = t.rfind('\n');
  return nl == std::string::npos ? t : t.substr(nl + 1);
}

}  // namespace

double epoch_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

StagingCluster StagingCluster::for_test(const std::string& name, int port, int octet) {
  StagingCluster c;
  c.name_ = name;
  c.dir_ = "/tmp/seam-staging-" + name;
  c.port_ = port;
  c.octet_ = octet;
  return c;
}

StagingCluster::~StagingCluster() {
  if (up_ && !dir_.empty()) {
    try {
      down();
    } catch (...) {
    }
  }
}

std::vector<std::string> StagingCluster::env() const {
  // Link names are <prefix>br / <prefix>h1..: keep the prefix short and unique
  // per test executable.
  return {"SEAM_STAGING_DIR=" + dir_, "SEAM_STAGING_PORT=" + std::to_string(port_),
          "SEAM_STAGING_NAME=st" + std::to_string(octet_),
          "SEAM_STAGING_SUBNET=10.213." + std::to_string(octet_)};
}

int StagingCluster::run_status(const std::vector<std::string>& args, std::string* output) const {
  std::vector<std::string> argv{"bash", script()};
  argv.insert(argv.end(), args.begin(), args.end());
  seam::pg::SpawnOptions o;
  o.set_env = env();
  o.search_path = true;
  auto r = seam::pg::run_capture(argv, o);
  if (output) *output = r.output;
  return r.status;
}

std::string StagingCluster::run(const std::vector<std::string>& args) const {
  std::string out;
  int st = run_status(args, &out);
  if (st != 0) {
    std::string cmd = "scripts/staging";
    for (const auto& a : args) cmd += " " + a;
    throw std::runtime_error(cmd + " exited with " + std::to_string(st) + ":\n" + out);
  }
  return out;
}

void StagingCluster::up(bool synchronous) {
  run_status({"down"});  // a crashed earlier run's leftovers
  up_ = true;            // from here on the destructor tears down
  if (synchronous)
    run({"up", "--sync"});
  else
    run({"up"});
}

void StagingCluster::down() {
  run({"down"});
  up_ = false;
}

bool StagingCluster::netns() const {
  std::string out = run({"env"});
  return out.find("SEAM_STAGING_NETNS=1") != std::string::npos;
}

std::string StagingCluster::write_url() const { return last_line(run({"url", "write"})); }
std::string StagingCluster::read_url() const { return last_line(run({"url", "read"})); }
std::string StagingCluster::node_url(const std::string& node) const { return last_line(run({"url", node})); }

std::string StagingCluster::leader() const {
  std::string out;
  if (run_status({"leader"}, &out) != 0) return "";
  return last_line(out);
}

std::string StagingCluster::kill_leader() { return last_line(run({"kill-leader"})); }
void StagingCluster::kill(const std::string& node) { run({"kill", node}); }
void StagingCluster::start(const std::string& node) { run({"start", node}); }
void StagingCluster::freeze(const std::string& node) { run({"freeze", node}); }
void StagingCluster::thaw(const std::string& node) { run({"thaw", node}); }
void StagingCluster::partition(const std::string& node) { run({"partition", node}); }
void StagingCluster::heal(const std::string& node) { run({"heal", node}); }

void StagingCluster::wait_writable(int seconds) const { run({"wait-writable", std::to_string(seconds)}); }
void StagingCluster::wait_healthy(int seconds) const { run({"wait-healthy", std::to_string(seconds)}); }

std::optional<double> StagingCluster::last_event(const std::string& kind, const std::string& node) const {
  std::ifstream in(dir_ + "/events");
  std::optional<double> found;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    double t;
    std::string k, n;
    if (!(ls >> t >> k >> n)) continue;
    if (k == kind && (node.empty() || n == node)) found = t;
  }
  return found;
}

std::string StagingCluster::logs(const std::string& what) const {
  std::string out;
  run_status({"logs", what}, &out);
  return out;
}

}  // namespace seam::test
