// A small TCP proxy for failure tests: forwards connections from a local port
// to a target (in the staging tests, HAProxy's write port) and can delay,
// stall or cut them. tc/netem is not available in this kernel, so this is how
// the tests put a slow or broken network between seam and the database.
//
//   seam::test::TcpProxy proxy("127.0.0.1", write_port);
//   std::string url = "postgresql://postgres@127.0.0.1:" + std::to_string(proxy.port()) + "/postgres";
//   proxy.set_latency(std::chrono::milliseconds(200));  // each chunk, each way
//   proxy.cut();                                        // RST every open connection
//   proxy.set_refusing(true);                           // new connections closed at once
//   proxy.set_stalled(true);                            // nothing moves; sockets stay open
//
// One thread, poll(); everything it forwards is in memory until written, at
// most kMaxQueued bytes per direction (reading stops above that).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace seam::test {

class TcpProxy {
 public:
  static constexpr size_t kMaxQueued = 4u << 20;

  // Listens on 127.0.0.1 on a free port; connects each accepted client to
  // target_host:target_port (an IPv4 address). Throws std::runtime_error when
  // it cannot listen.
  TcpProxy(std::string target_host, int target_port);
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  int port() const { return port_; }

  // Every chunk read from either side is written to the other no earlier than
  // this long after it was read (0: forwarded at once). Applies to chunks read
  // from now on.
  void set_latency(std::chrono::milliseconds one_way);
  // Closes every open connection on both sides with a reset (SO_LINGER 0).
  // Returns how many client connections were cut.
  size_t cut();
  // While set, new connections are accepted and reset at once (the target
  // looks unreachable); open ones are left alone.
  void set_refusing(bool on);
  // While set, nothing is read or written on any connection (a network that
  // drops packets without resets); data queued before is held until unset.
  void set_stalled(bool on);

  // Client connections accepted so far, and open now.
  size_t accepted() const { return accepted_.load(); }
  size_t open_connections() const { return open_.load(); }
  // Bytes forwarded client -> target and target -> client.
  uint64_t bytes_up() const { return bytes_up_.load(); }
  uint64_t bytes_down() const { return bytes_down_.load(); }

 private:
  void run();
  void wake();

  std::string host_;
  int target_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  int wake_pipe_[2] = {-1, -1};
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> latency_ms_{0};
  std::atomic<bool> refusing_{false};
  std::atomic<bool> stalled_{false};
  // cut(): the caller bumps cut_requested_ and waits until the proxy thread
  // has closed everything and set cut_done_ to the same number.
  std::mutex cut_mutex_;
  std::condition_variable cut_cv_;
  uint64_t cut_requested_ = 0, cut_done_ = 0;
  size_t last_cut_count_ = 0;
  std::atomic<size_t> accepted_{0}, open_{0};
  std::atomic<uint64_t> bytes_up_{0}, bytes_down_{0};
  std::thread thread_;
};

}  // namespace seam::test
