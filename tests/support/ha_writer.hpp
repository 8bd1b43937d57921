// A foreground writer for the staging failure tests: one thread committing
// single-row INSERTs through a URL (HAProxy's write port) as fast as it can
// with a short pause, reconnecting after every error. It records which ids
// were acknowledged, by which server (inet_server_addr:port) and when, so a
// test can tell how long writes were refused during a failover and whether an
// acknowledged row was lost.
//
//   HaWriter w(url, "ha_writes");   // creates the table
//   w.start();  ... fault ...  w.stop();
//   auto gap = w.first_ack_after(kill_time, old_leader_server);
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace seam::test {

struct HaAck {
  int64_t id;
  double at;           // epoch seconds when the commit returned
  std::string server;  // "addr:port" of the PostgreSQL that committed it
};

class HaWriter {
 public:
  HaWriter(std::string url, std::string table);
  ~HaWriter();

  void start();
  void stop();

  std::vector<HaAck> acks() const;
  // Ids tried whose commit failed or whose outcome is unknown (the connection
  // broke before the reply): they may or may not be in the table.
  std::vector<int64_t> unknown() const;
  size_t errors() const { return errors_.load(); }

  // The first acknowledged write after `t` committed by a server other than
  // `not_server` ("" for any).
  std::optional<HaAck> first_ack_after(double t, const std::string& not_server = "") const;
  // The last acknowledged write at or before `t`.
  std::optional<HaAck> last_ack_before(double t) const;

 private:
  void run();

  std::string url_, table_;
  std::atomic<bool> stop_{false};
  std::atomic<size_t> errors_{0};
  mutable std::mutex m_;
  std::vector<HaAck> acks_;
  std::vector<int64_t> unknown_;
  std::thread thread_;
};

}  // namespace seam::test
