// TcpProxy (tests/support/tcp_proxy.hpp) against an in-process echo server:
// bytes arrive intact both ways, latency delays them, cut() resets open
// connections, refusing and stalled do what the failure tests rely on.
#include "tests/support/tcp_proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Echoes every byte back on each accepted connection until the client's EOF,
// then closes.
class EchoServer {
 public:
  EchoServer() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd_, 16) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error("echo server: cannot listen");
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] {
      for (;;) {
        int c = accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        if (stop_) {
          close(c);
          return;
        }
        workers_.emplace_back([c] {
          char buf[16384];
          for (;;) {
            ssize_t n = read(c, buf, sizeof buf);
            if (n <= 0) break;
            for (ssize_t off = 0; off < n;) {
              ssize_t w = write(c, buf + off, static_cast<size_t>(n - off));
              if (w <= 0) {
                close(c);
                return;
              }
              off += w;
            }
          }
          close(c);
        });
      }
    });
  }
  ~EchoServer() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
    for (auto& w : workers_) w.join();
  }
  int port() const { return port_; }

 private:
  int fd_ = -1, port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::vector<std::thread> workers_;
};

int dial(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

void send_all(int fd, const std::string& s) {
  for (size_t off = 0; off < s.size();) {
    ssize_t w = send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    ASSERT_GT(w, 0) << std::strerror(errno);
    off += static_cast<size_t>(w);
  }
}

// Reads exactly n bytes, or what arrived before the deadline / EOF / an error
// (errno_out gets the error, 0 on EOF or timeout).
std::string recv_n(int fd, size_t n, std::chrono::milliseconds deadline, int* errno_out = nullptr) {
  std::string out;
  auto until = Clock::now() + deadline;
  if (errno_out) *errno_out = 0;
  while (out.size() < n) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
    if (left <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) break;
    char buf[65536];
    ssize_t r = read(fd, buf, std::min(sizeof buf, n - out.size()));
    if (r < 0 && errno_out) *errno_out = errno;
    if (r <= 0) break;
    out.append(buf, static_cast<size_t>(r));
  }
  return out;
}

std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
  return s;
}

TEST(TcpProxy, ForwardsBothWaysIntact) {
  EchoServer echo;
  seam::test::TcpProxy proxy("127.0.0.1", echo.port());
  int fd = dial(proxy.port());
  ASSERT_GE(fd, 0);
  // More than the proxy's read buffer and queue bound, so chunking and
  // back-pressure are exercised.
  std::string data = pattern(6u << 20);
  std::thread sender([&] { send_all(fd, data); });
  std::string back = recv_n(fd, data.size(), 30s);
  sender.join();
  EXPECT_EQ(back.size(), data.size());
  EXPECT_TRUE(back == data);
  EXPECT_EQ(proxy.accepted(), 1u);
  EXPECT_EQ(proxy.open_connections(), 1u);
  EXPECT_EQ(proxy.bytes_up(), data.size());
  EXPECT_EQ(proxy.bytes_down(), data.size());
  close(fd);
}

TEST(TcpProxy, HalfCloseReachesTheTarget) {
  EchoServer echo;
  seam::test::TcpProxy proxy("127.0.0.1", echo.port());
  int fd = dial(proxy.port());
  send_all(fd, "bye");
  shutdown(fd, SHUT_WR);  // the echo server closes on our EOF
  EXPECT_EQ(recv_n(fd, 3, 5s), "bye");
  int err = -1;
  EXPECT_EQ(recv_n(fd, 1, 5s, &err), "");  // EOF, not a timeout or reset
  EXPECT_EQ(err, 0);
  close(fd);
  for (int i = 0; i < 100 && proxy.open_connections() != 0; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(proxy.open_connections(), 0u);
}

TEST(TcpProxy, LatencyDelaysEachWay) {
  EchoServer echo;
  seam::test::TcpProxy proxy("127.0.0.1", echo.port());
  proxy.set_latency(150ms);
  int fd = dial(proxy.port());
  auto start = Clock::now();
  send_all(fd, "ping");
  EXPECT_EQ(recv_n(fd, 4, 10s), "ping");
  // Up and down each wait at least the latency: a lower bound, not a speed claim.
  EXPECT_GE(Clock::now() - start, 300ms);
  proxy.set_latency(0ms);
  send_all(fd, "pong");
  EXPECT_EQ(recv_n(fd, 4, 10s), "pong");
  close(fd);
}

TEST(TcpProxy, CutResetsOpenConnectionsAndNewOnesWork) {
  EchoServer echo;
  seam::test::TcpProxy proxy("127.0.0.1", echo.port());
  int a = dial(proxy.port()), b = dial(proxy.port());
  send_all(a, "x");
  send_all(b, "y");
  ASSERT_EQ(recv_n(a, 1, 5s), "x");
  ASSERT_EQ(recv_n(b, 1, 5s), "y");
  EXPECT_EQ(proxy.cut(), 2u);
  EXPECT_EQ(proxy.open_connections(), 0u);
  int err = 0;
  EXPECT_EQ(recv_n(a, 1, 5s, &err), "");
  EXPECT_EQ(err, ECONNRESET);
  close(a);
  close(b);
  int c = dial(proxy.port());
  send_all(c, "again");
  EXPECT_EQ(recv_n(c, 5, 5s), "again");
  close(c);
}

TEST(TcpProxy, RefusingResetsNewConnectionsOnly) {
  EchoServer echo;
  seam::test::TcpProxy proxy("127.0.0.1", echo.port());
  int old = dial(proxy.port());
  send_all(old, "1");
  ASSERT_EQ(recv_n(old, 1, 5s), "1");
  proxy.set_refusing(true);
  int fresh = dial(proxy.port());  // the kernel accepts; the proxy resets it
  ASSERT_GE(fresh, 0);
  int err = 0;
  EXPECT_EQ(recv_n(fresh, 1, 5s, &err), "");
  EXPECT_EQ(err, ECONNRESET);
  close(fresh);
  send_all(old, "2");
  EXPECT_EQ(recv_n(old, 1, 5s), "2");
  proxy.set_refusing(false);
  int later = dial(proxy.port());
  send_all(later, "3");
  EXPECT_EQ(recv_n(later, 1, 5s), "3");
  close(old);
  close(later);
}

TEST(TcpProxy, StalledHoldsDataUntilReleased) {
  EchoServer echo;
  seam::test::TcpProxy proxy("127.0.0.1", echo.port());
  int fd = dial(proxy.port());
  proxy.set_stalled(true);
  send_all(fd, "held");
  EXPECT_EQ(recv_n(fd, 4, 400ms), "");
  EXPECT_EQ(proxy.bytes_up(), 0u);
  proxy.set_stalled(false);
  EXPECT_EQ(recv_n(fd, 4, 5s), "held");
  close(fd);
}

TEST(TcpProxy, TargetDownResetsTheClient) {
  int port;
  {
    EchoServer gone;
    port = gone.port();
  }
  seam::test::TcpProxy proxy("127.0.0.1", port);
  int fd = dial(proxy.port());
  ASSERT_GE(fd, 0);
  int err = 0;
  EXPECT_EQ(recv_n(fd, 1, 5s, &err), "");
  EXPECT_EQ(err, ECONNRESET);
  EXPECT_EQ(proxy.open_connections(), 0u);
  close(fd);
}

}  // namespace
