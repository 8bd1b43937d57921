// TcpProxy (tcp_proxy.hpp): one poll() loop over the listening socket, a wake
// pipe and both sockets of every forwarded connection. Each direction keeps a
// queue of chunks stamped with the time they may be written (read time +
// latency), which is how delay is added without reordering bytes.
#include "tests/support/tcp_proxy.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <list>
#include <stdexcept>
#include <vector>

namespace seam::test {

namespace {

using Clock = std::chrono::steady_clock;

struct Chunk {
  Clock::time_point due;
  std::string data;
  size_t off = 0;
};

// One direction of a connection: bytes read from `from`, waiting for `to`.
struct Flow {
  std::deque<Chunk> queue;
  size_t queued = 0;
  bool eof = false;      // `from` sent FIN: shut `to` for writing once drained
  bool shut = false;     // done that
};

struct Conn {
  int client = -1, server = -1;
  Flow up, down;  // client -> server, server -> client
  bool dead = false;
};

std::runtime_error sys_error(const std::string& what) {
  return std::runtime_error("tcp proxy: " + what + ": " + std::strerror(errno));
}

void set_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Close with a reset rather than a FIN: the peer sees ECONNRESET at once, as it
// would when a middlebox drops the connection.
void close_reset(int fd) {
  if (fd < 0) return;
  linger l{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  close(fd);
}

int connect_to(const std::string& host, int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  timeval tv{2, 0};  // connect() honours the send timeout
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &a.sin_addr) != 1 ||
      connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  set_nonblocking(fd);
  return fd;
}

// Reads what `from` has into the flow. False when the connection broke.
bool pull(int from, Flow& f, std::chrono::milliseconds latency, std::atomic<uint64_t>& counter) {
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = read(from, buf, sizeof buf);
    if (n > 0) {
      f.queue.push_back(Chunk{Clock::now() + latency, std::string(buf, static_cast<size_t>(n)), 0});
      f.queued += static_cast<size_t>(n);
      counter += static_cast<uint64_t>(n);
      if (f.queued >= TcpProxy::kMaxQueued) return true;
      continue;
    }
    if (n == 0) {
      f.eof = true;
      return true;
    }
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
  }
}

// Writes the chunks that are due. False when the connection broke.
bool push(int to, Flow& f) {
  auto now = Clock::now();
  while (!f.queue.empty() && f.queue.front().due <= now) {
    Chunk& c = f.queue.front();
    ssize_t n = send(to, c.data.data() + c.off, c.data.size() - c.off, MSG_NOSIGNAL);
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    c.off += static_cast<size_t>(n);
    f.queued -= static_cast<size_t>(n);
    if (c.off < c.data.size()) return true;
    f.queue.pop_front();
  }
  if (f.queue.empty() && f.eof && !f.shut) {
    shutdown(to, SHUT_WR);
    f.shut = true;
  }
  return true;
}

}  // namespace

TcpProxy::TcpProxy(std::string target_host, int target_port)
    : host_(std::move(target_host)), target_port_(target_port) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw sys_error("socket");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(listen_fd_, 64) != 0 ||
      getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    auto e = sys_error("listen on 127.0.0.1");
    close(listen_fd_);
    throw e;
  }
  port_ = ntohs(a.sin_port);
  set_nonblocking(listen_fd_);
  if (pipe2(wake_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) {
    auto e = sys_error("pipe");
    close(listen_fd_);
    throw e;
  }
  thread_ = std::thread([this] { run(); });
}

TcpProxy::~TcpProxy() {
  stop_ = true;
  wake();
  thread_.join();
  close(listen_fd_);
  close(wake_pipe_[0]);
  close(wake_pipe_[1]);
}

void TcpProxy::wake() {
  char c = 1;
  [[maybe_unused]] ssize_t n = write(wake_pipe_[1], &c, 1);
}

void TcpProxy::set_latency(std::chrono::milliseconds one_way) {
  latency_ms_ = one_way.count();
  wake();
}

void TcpProxy::set_refusing(bool on) {
  refusing_ = on;
  wake();
}

void TcpProxy::set_stalled(bool on) {
  stalled_ = on;
  wake();
}

size_t TcpProxy::cut() {
  std::unique_lock lock(cut_mutex_);
  uint64_t mine = ++cut_requested_;
  wake();
  cut_cv_.wait(lock, [&] { return cut_done_ >= mine; });
  return last_cut_count_;
}

void TcpProxy::run() {
  std::list<Conn> conns;
  auto drop = [&](Conn& c, bool reset) {
    if (reset) {
      close_reset(c.client);
      close_reset(c.server);
    } else {
      close(c.client);
      close(c.server);
    }
    c.client = c.server = -1;
    c.dead = true;
    --open_;
  };

  std::vector<pollfd> fds;
  std::vector<Conn*> owners;  // fds[i] belongs to owners[i] (nullptr: pipe/listener)
  while (!stop_) {
    // Cut requests first, so cut() returns with nothing left open.
    {
      std::lock_guard lock(cut_mutex_);
      if (cut_done_ < cut_requested_) {
        size_t n = 0;
        for (Conn& c : conns)
          if (!c.dead) {
            drop(c, true);
            ++n;
          }
        conns.clear();
        last_cut_count_ = n;
        cut_done_ = cut_requested_;
        cut_cv_.notify_all();
      }
    }
    conns.remove_if([](const Conn& c) { return c.dead; });

    bool stalled = stalled_;
    auto now = Clock::now();
    int timeout = -1;
    fds.clear();
    owners.clear();
    fds.push_back({wake_pipe_[0], POLLIN, 0});
    owners.push_back(nullptr);
    fds.push_back({listen_fd_, POLLIN, 0});
    owners.push_back(nullptr);
    for (Conn& c : conns) {
      short ce = 0, se = 0;
      if (!stalled) {
        if (!c.up.eof && c.up.queued < kMaxQueued) ce |= POLLIN;
        if (!c.down.eof && c.down.queued < kMaxQueued) se |= POLLIN;
        for (auto [flow, ev] : {std::pair{&c.up, &se}, std::pair{&c.down, &ce}}) {
          if (flow->queue.empty()) {
            if (flow->eof && !flow->shut) timeout = 0;  // shut it down now
            continue;
          }
          auto due = flow->queue.front().due;
          if (due <= now) {
            *ev |= POLLOUT;
          } else {
            int ms = static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(due - now).count());
            timeout = timeout < 0 ? ms : std::min(timeout, ms);
          }
        }
      }
      // A negative fd is skipped by poll(): a socket that has nothing to do
      // (stalled, or its peer hung up and nothing is left to write) would
      // otherwise report POLLHUP in a busy loop.
      bool watch_client = !stalled && (ce != 0 || !c.up.eof);
      bool watch_server = !stalled && (se != 0 || !c.down.eof);
      fds.push_back({watch_client ? c.client : -1, ce, 0});
      owners.push_back(&c);
      fds.push_back({watch_server ? c.server : -1, se, 0});
      owners.push_back(&c);
    }

    int r = poll(fds.data(), fds.size(), timeout);
    if (r < 0 && errno != EINTR) break;
    if (fds[0].revents & POLLIN) {
      char buf[256];
      while (read(wake_pipe_[0], buf, sizeof buf) > 0) {
      }
    }
    if (fds[1].revents & POLLIN) {
      for (;;) {
        int cfd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (cfd < 0) break;
        ++accepted_;
        if (refusing_) {
          close_reset(cfd);
          continue;
        }
        int sfd = connect_to(host_, target_port_);
        if (sfd < 0) {
          close_reset(cfd);
          continue;
        }
        int one = 1;
        setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        set_nonblocking(cfd);
        Conn c;
        c.client = cfd;
        c.server = sfd;
        conns.push_back(std::move(c));
        ++open_;
      }
    }
    if (stalled) continue;
    auto latency = std::chrono::milliseconds(latency_ms_.load());
    for (size_t i = 2; i < fds.size(); i += 2) {
      Conn& c = *owners[i];
      if (c.dead) continue;
      short cr = fds[i].revents, sr = fds[i + 1].revents;
      bool ok = true;
      if (cr & (POLLIN | POLLHUP | POLLERR)) ok = ok && pull(c.client, c.up, latency, bytes_up_);
      if (sr & (POLLIN | POLLHUP | POLLERR)) ok = ok && pull(c.server, c.down, latency, bytes_down_);
      ok = ok && push(c.server, c.up) && push(c.client, c.down);
      // A broken side resets the other, as a dropped connection would.
      if (!ok) {
        drop(c, true);
      } else if (c.up.shut && c.down.shut) {
        drop(c, false);
      }
    }
  }
  for (Conn& c : conns)
    if (!c.dead) drop(c, true);
}

}  // namespace seam::test
