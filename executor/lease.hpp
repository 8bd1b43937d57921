// The applier lease: one applier per database, and fencing of one that lost it.
//
// Taking the lease: a session advisory lock (pg_try_advisory_lock on the
// lease's own connection) plus the ledger's single `lease` row, whose epoch
// is incremented by every new holder. A second applier whose try fails reads
// the row: a fresh heartbeat means someone is alive, and it exits at once
// naming the holder (LeaseHeldError); a heartbeat older than the holder's ttl
// means the holder hangs (stopped, partitioned), and the lease is taken over:
// the holder's lease session is terminated (which frees the advisory lock)
// and the epoch incremented.
//
// Fencing: every write the applier makes runs in a transaction that first
// reads the lease row FOR KEY SHARE and compares the epoch with its own
// (check_epoch). A takeover locks the row FOR UPDATE, which conflicts, so a
// write is serialised either wholly before a takeover or sees the new epoch
// and is refused (FencedError: nothing written). The heartbeat (a thread on
// the lease's connection, every ttl/3) updates only non-key columns, so it
// never waits for those writes.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include <pqxx/connection>
#include <pqxx/transaction_base>

#include "executor/ledger.hpp"
#include "executor/metrics.hpp"

namespace seam::executor {

// Another applier holds the lease and is alive.
struct LeaseHeldError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// This applier lost the lease (taken over, or its lease session ended).
struct FencedError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct LeaseOptions {
  int64_t ttl_ms = 30000;  // a heartbeat older than this lets another applier take over
  std::string host;        // "" = gethostname()
  int pid = 0;             // 0 = getpid()
  Metrics* metrics =
      nullptr;  // lease_renewals_total, lease_takeovers_total, lease_last_renewal_timestamp_seconds
};

class Lease {
 public:
  // Takes the lease for `work`'s session (recorded so `seam jobs show` can
  // look up what it waits on). Throws LeaseHeldError naming a live holder.
  static std::unique_ptr<Lease> acquire(const std::string& url, const Ledger& l,
                                        const LeaseOptions& o, pqxx::connection& work);
  ~Lease();
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  int64_t epoch() const { return epoch_; }
  // "took over the lease from host H pid P (...)", "" when the lease was free.
  const std::string& takeover() const { return takeover_; }
  // Throws FencedError when the heartbeat found the lease lost.
  void check() const;
  // Inside a write transaction: refuses (FencedError) unless we still hold
  // epoch(); keeps the row locked FOR KEY SHARE until the transaction ends.
  void check_epoch(pqxx::transaction_base& tx) const;
  // Records the job being worked on in the lease row (for `seam jobs`).
  void set_job(pqxx::transaction_base& tx, int64_t job) const;
  // Asks the database on a fresh connection whether epoch() is still current
  // (after an error on our own connections, to tell "fenced" from other failures).
  bool still_held(const std::string& url) const;
  // Stops the heartbeat and gives the lease back (best effort).
  void release();

 private:
  Lease() = default;
  void heartbeat_loop();
  void fence(const std::string& why) const;

  Ledger ledger_;
  LeaseOptions opts_;
  std::unique_ptr<pqxx::connection> conn_;
  int64_t epoch_ = 0;
  std::string takeover_;
  mutable std::mutex mu_;
  mutable std::string lost_;  // why, once lost
  mutable std::atomic<bool> lost_flag_{false};
  bool stop_ = false;
  std::condition_variable cv_;
  std::thread thread_;
};

}  // namespace seam::executor
