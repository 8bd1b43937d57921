// The HA staging cluster (scripts/staging: etcd, three Patroni nodes with
// PostgreSQL 15, HAProxy) driven from a test. Each test executable gets its own
// state directory, ports, subnet and link names, so a developer's own
// `scripts/staging up` cluster is left alone; ctest runs the staging tests one
// at a time (RESOURCE_LOCK staging).
//
//   seam::test::StagingCluster c = seam::test::StagingCluster::for_test("failover", 27600, 78);
//   c.up();                                   // leftovers of a crashed run are removed first
//   run_sql(c.write_url(), "...");            // HAProxy's write port
//   std::string old = c.kill_leader();        // SIGKILL Patroni + postgres
//   double t = c.wait_writable(60);           // seconds until a write commits again
//   c.down();                                 // also done by the destructor
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace seam::test {

class StagingCluster {
 public:
  // name: a short tag (state dir /tmp/seam-staging-<name>); port: the first of
  // the cluster's ports (it uses port..port+23); octet: the third octet of the
  // nodes' 10.213.<octet>.0/24 when network namespaces are used.
  static StagingCluster for_test(const std::string& name, int port, int octet);
  ~StagingCluster();
  StagingCluster(StagingCluster&&) = default;

  // Runs `scripts/staging ARGS...`; throws with the command's output on a
  // non-zero exit. Returns stdout and stderr together.
  std::string run(const std::vector<std::string>& args) const;
  // Same, returning the exit status instead of throwing.
  int run_status(const std::vector<std::string>& args, std::string* output = nullptr) const;

  void up(bool synchronous = false);
  void down();
  bool is_up() const { return up_; }

  // True when the nodes live in network namespaces (partitions possible).
  bool netns() const;
  std::string write_url() const;
  std::string read_url() const;
  std::string node_url(const std::string& node) const;

  // The current leader's name ("" when there is none right now).
  std::string leader() const;
  // SIGKILLs the leader's processes; returns its name.
  std::string kill_leader();
  void kill(const std::string& node);
  void start(const std::string& node);
  void freeze(const std::string& node);
  void thaw(const std::string& node);
  void partition(const std::string& node);
  void heal(const std::string& node);
  // Blocks until the write port commits a write (throws after `seconds`).
  void wait_writable(int seconds) const;
  // Blocks until there is one leader and two replicas streaming on its
  // timeline (throws after `seconds`).
  void wait_healthy(int seconds) const;
  // Epoch seconds of the last injected event of `kind` ("kill", "partition",
  // "freeze", ...) on `node` (any node when empty), from the events log.
  std::optional<double> last_event(const std::string& kind, const std::string& node = "") const;
  // A node's Patroni log (for failure messages).
  std::string logs(const std::string& what) const;

  const std::string& dir() const { return dir_; }

 private:
  StagingCluster() = default;
  std::vector<std::string> env() const;

  std::string dir_, name_;
  int port_ = 0, octet_ = 0;
  bool up_ = false;
};

// Epoch seconds now (same clock as the events log).
double epoch_now();

}  // namespace seam::test
