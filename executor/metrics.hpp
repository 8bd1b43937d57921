// Prometheus metrics of an applier, and the tiny HTTP endpoint that serves
// them (`seam apply --metrics-addr HOST:PORT`, GET /metrics, text format
// 0.0.4). Names (all prefixed seam_), one per line:
//
//   backfill_rows_total{step,table}         rows updated by backfill batches
//   backfill_batches_total{step,table}      batches committed
//   backfill_batch_seconds{step}            histogram of batch durations
//   backfill_heap_blocks_read_total{table}  pg_statio heap_blks_read delta over batches
//   backfill_heap_blocks_hit_total{table}   pg_statio heap_blks_hit delta over batches
//   backfill_wal_bytes_total                server WAL written while batches ran
//   backfill_io_writes_total                pg_stat_io writes while batches ran (16+)
//   lock_timeouts_total{step}               each a retry, or the give-up
//   step_blocking_sessions{step}            sessions blocking the running step now
//   step_sessions_queued{step}              sessions queued behind it now
//   blockers_terminated_total               by --terminate-blockers-after-ms
//   throttle_pauses_total{reason}           pause-flag | replica-lag
//   throttle_paused{reason}                 1 while paused for that reason
//   lease_renewals_total                    heartbeats written
//   lease_takeovers_total                   stale leases taken over
//   lease_last_renewal_timestamp_seconds    unix time of the last heartbeat
//   job_resumes_total                       apply resumed an existing job
//   step_duration_seconds{step}             how long each finished step took
//   steps_done_total                        steps this applier completed
//   job_state{job,state}                    1 for the job's current state
//   job_start_timestamp_seconds{job}        when this applier started the job
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace seam::executor {

class Metrics {
 public:
  // Label sets are written as Prometheus label text: step="a",table="b".
  void add(const std::string& name, const std::string& labels, double v);
  void set(const std::string& name, const std::string& labels, double v);
  void observe(const std::string& name, const std::string& labels, double seconds);  // histogram
  // Drops every series of `name` (e.g. job_state before setting the new state).
  void clear(const std::string& name);
  std::string exposition() const;  // the text format, series sorted

  // label="value" pair, value escaped.
  static std::string label(const std::string& key, const std::string& value);

 private:
  struct Hist {
    std::vector<double> counts;  // per bucket (cumulative on output)
    double sum = 0;
    uint64_t count = 0;
  };
  mutable std::mutex mu_;
  std::map<std::string, std::map<std::string, double>> counters_, gauges_;
  std::map<std::string, std::map<std::string, Hist>> hists_;
};

// Serves `metrics` on HOST:PORT until destroyed. Throws std::runtime_error
// when the address cannot be bound. Port 0 picks a free port (port()).
class MetricsServer {
 public:
  MetricsServer(const std::string& host_port, const Metrics& metrics);
  ~MetricsServer();
  int port() const { return port_; }

 private:
  void loop();
  const Metrics& metrics_;
  int fd_ = -1, port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace seam::executor
