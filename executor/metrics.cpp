// Metrics registry and the /metrics endpoint (see metrics.hpp).
#include "executor/metrics.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <stdexcept>

namespace seam::executor {

namespace {

const double kBuckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
constexpr size_t kNumBuckets = sizeof(kBuckets) / sizeof(kBuckets[0]);

// Shortest text that reads back as the same double ("0.005", not 0.0050000000000000001).
std::string num(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// # HELP text per family (metrics.hpp lists the same names).
const std::map<std::string, const char*>& help() {
  static const std::map<std::string, const char*> h = {
      {"seam_backfill_rows_total", "Rows updated by backfill batches."},
      {"seam_backfill_batches_total", "Backfill batches committed."},
      {"seam_backfill_batch_seconds", "Duration of backfill batches."},
      {"seam_backfill_heap_blocks_read_total",
       "Heap blocks of the backfilled table read from disk (pg_statio)."},
      {"seam_backfill_heap_blocks_hit_total",
       "Heap blocks of the backfilled table found in shared buffers (pg_statio)."},
      {"seam_backfill_wal_bytes_total", "WAL bytes the server generated while the backfill ran."},
      {"seam_backfill_io_writes_total",
       "pg_stat_io writes of the server while the backfill ran (PostgreSQL 16+)."},
      {"seam_lock_timeouts_total", "Lock timeouts of a step (each a retry, or the give-up)."},
      {"seam_step_blocking_sessions", "Sessions blocking the running step."},
      {"seam_step_sessions_queued", "Sessions queued behind the running step."},
      {"seam_blockers_terminated_total",
       "Blocking sessions terminated by --terminate-blockers-after-ms."},
      {"seam_throttle_pauses_total", "Times the backfill paused, by reason."},
      {"seam_throttle_paused", "1 while the backfill is paused for the reason."},
      {"seam_lease_renewals_total", "Lease heartbeats written."},
      {"seam_lease_takeovers_total", "Stale leases this applier took over."},
      {"seam_lease_last_renewal_timestamp_seconds", "Unix time of the last lease heartbeat."},
      {"seam_job_resumes_total", "Jobs this applier resumed from the ledger."},
      {"seam_step_duration_seconds", "How long a finished step took in this applier."},
      {"seam_steps_done_total", "Steps this applier completed."},
      {"seam_job_state", "1 for the job's current state."},
      {"seam_job_start_timestamp_seconds", "Unix time this applier started or resumed the job."},
  };
  return h;
}

void head(std::ostream& out, const std::string& name, const char* type) {
  auto it = help().find(name);
  if (it != help().end()) out << "# HELP " << name << " " << it->second << "\n";
  out << "# TYPE " << name << " " << type << "\n";
}

std::string series(const std::string& name, const std::string& labels) {
  return labels.empty() ? name : name + "{" + labels + "}";
}

}  // namespace

std::string Metrics::label(const std::string& key, const std::string& value) {
  std::string out = key + "=\"";
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

void Metrics::add(const std::string& name, const std::string& labels, double v) {
  std::lock_guard g(mu_);
  counters_["seam_" + name][labels] += v;
}

void Metrics::set(const std::string& name, const std::string& labels, double v) {
  std::lock_guard g(mu_);
  gauges_["seam_" + name][labels] = v;
}

void Metrics::clear(const std::string& name) {
  std::lock_guard g(mu_);
  gauges_.erase("seam_" + name);
  counters_.erase("seam_" + name);
}

void Metrics::observe(const std::string& name, const std::string& labels, double seconds) {
  std::lock_guard g(mu_);
  Hist& h = hists_["seam_" + name][labels];
  if (h.counts.empty()) h.counts.assign(kNumBuckets, 0);
  for (size_t i = 0; i < kNumBuckets; ++i)
    if (seconds <= kBuckets[i]) h.counts[i] += 1;
  h.sum += seconds;
  h.count += 1;
}

std::string Metrics::exposition() const {
  std::lock_guard g(mu_);
  std::ostringstream out;
  for (const auto& [name, s] : counters_) {
    head(out, name, "counter");
    for (const auto& [labels, v] : s) out << series(name, labels) << " " << num(v) << "\n";
  }
  for (const auto& [name, s] : gauges_) {
    head(out, name, "gauge");
    for (const auto& [labels, v] : s) out << series(name, labels) << " " << num(v) << "\n";
  }
  for (const auto& [name, s] : hists_) {
    head(out, name, "histogram");
    for (const auto& [labels, h] : s) {
      std::string sep = labels.empty() ? "" : labels + ",";
      for (size_t i = 0; i < kNumBuckets; ++i)
        out << name << "_bucket{" << sep << "le=\"" << num(kBuckets[i]) << "\"} "
            << num(h.counts[i]) << "\n";
      out << name << "_bucket{" << sep << "le=\"+Inf\"} " << h.count << "\n";
      out << series(name + "_sum", labels) << " " << num(h.sum) << "\n";
      out << series(name + "_count", labels) << " " << h.count << "\n";
    }
  }
  return out.str();
}

MetricsServer::MetricsServer(const std::string& host_port, const Metrics& metrics)
    : metrics_(metrics) {
  auto colon = host_port.rfind(':');
  if (colon == std::string::npos)
    throw std::runtime_error("--metrics-addr '" + host_port +
                             "': expected HOST:PORT, e.g. 127.0.0.1:9187");
  std::string host = host_port.substr(0, colon);
  int port;
  try {
    port = std::stoi(host_port.substr(colon + 1));
  } catch (const std::exception&) {
    throw std::runtime_error("--metrics-addr '" + host_port + "': the port is not a number");
  }
  if (host.empty() || host == "*") host = "0.0.0.0";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (host == "localhost") host = "127.0.0.1";
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1)
    throw std::runtime_error("--metrics-addr '" + host_port +
                             "': the host must be an IPv4 address");
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(fd_, 16) != 0) {
    std::string why = std::strerror(errno);
    if (fd_ >= 0) ::close(fd_);
    throw std::runtime_error("--metrics-addr '" + host_port + "': cannot listen: " + why);
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { loop(); });
}

MetricsServer::~MetricsServer() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) ::close(fd_);
}

void MetricsServer::loop() {
  while (!stop_) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) continue;
    // Read the request head (bounded); only the path matters.
    std::string req;
    char buf[1024];
    pollfd cp{c, POLLIN, 0};
    while (req.find("\r\n\r\n") == std::string::npos && req.size() < 8192 &&
           ::poll(&cp, 1, 1000) > 0) {
      ssize_t n = ::read(c, buf, sizeof buf);
      if (n <= 0) break;
      req.append(buf, static_cast<size_t>(n));
    }
    std::string status = "200 OK", type = "text/plain; version=0.0.4; charset=utf-8", body;
    if (req.rfind("GET /metrics", 0) == 0 || req.rfind("GET / ", 0) == 0)
      body = metrics_.exposition();
    else {
      status = "404 Not Found";
      type = "text/plain";
      body = "seam serves GET /metrics\n";
    }
    std::string resp = "HTTP/1.1 " + status + "\r\nContent-Type: " + type +
                       "\r\nContent-Length: " + std::to_string(body.size()) +
                       "\r\nConnection: close\r\n\r\n" + body;
    size_t off = 0;
    while (off < resp.size()) {
      ssize_t n = ::send(c, resp.data() + off, resp.size() - off, MSG_NOSIGNAL);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    ::close(c);
  }
}

}  // namespace seam::executor
