// What a waiting step waits on: the sessions blocking it (pg_blocking_pids,
// pg_stat_activity) and how many sessions queue behind it. Sampled while a
// step runs so a stuck DDL is visible in the ledger and `seam jobs show`
// while it waits, not only after it gave up.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <pqxx/connection>
#include <pqxx/transaction_base>

namespace seam::executor {

struct Blocker {
  int pid = 0;
  std::string application, state, query_start, query;
  double xact_age_s = 0;  // age of the blocker's transaction (0 = none)
  bool operator==(const Blocker&) const = default;
};

struct WaitInfo {
  std::vector<Blocker> blockers;  // sorted by pid
  int queued_behind = 0;          // sessions waiting for the step's session
  bool empty() const { return blockers.empty() && queued_behind == 0; }
  bool operator==(const WaitInfo&) const = default;
  // {"blockers": [...], "queued_behind": n}
  std::string json() const;
  // "pid 123 (application 'psql', idle in transaction, transaction 12.0s old, ...)"
  std::string describe() const;
};

// One sample for backend `pid`.
WaitInfo sample_wait(pqxx::transaction_base& tx, int pid);

// Samples backend `pid` every `interval_ms` on its own connection while it
// lives; calls on_change (in its thread) when what it waits on changes.
class WaitWatcher {
 public:
  WaitWatcher(const std::string& url, int pid, int interval_ms,
              std::function<void(const WaitInfo&)> on_change);
  ~WaitWatcher();
  // The last non-empty sample (what it waited on most recently).
  WaitInfo last() const;
  // last(), then forgets it (so a later wait is not blamed on an old blocker).
  WaitInfo take();

 private:
  void loop();
  std::unique_ptr<pqxx::connection> conn_;
  int pid_, interval_ms_;
  std::function<void(const WaitInfo&)> on_change_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  WaitInfo last_, current_;
  std::thread thread_;
};

}  // namespace seam::executor
