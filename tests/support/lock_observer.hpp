// Watches what one backend does to a set of tables while it runs a statement
// or a plan step, from the outside, the way an operator would: a monitor
// connection samples pg_locks for the executing backend's pid every few
// milliseconds, and before/after the step it reads each table's relfilenode
// (changed = the table was rewritten) and its read counters from
// pg_stat_all_tables (seq_tup_read + idx_tup_fetch: how many rows the step
// read, i.e. whether it scanned the table).
//
//   LockObserver obs(url, {"public.orders", "public.customers"});
//   obs.begin(exec_pid);
//   run_step(exec, plan, step);
//   StepObservation o = obs.end(exec);   // flushes exec's statistics first
//
// Requirements: PostgreSQL 15+ (pg_stat_force_next_flush makes the executing
// backend's counters visible at once) and no other activity on the tables
// (start the server with autovacuum off). A lock held for less than the
// sampling interval can be missed; a lock held during a scan or rewrite of a
// populated table is held far longer than that, which is what the lock
// proof is about.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <pqxx/pqxx>

namespace seam::test {

// "ACCESS EXCLUSIVE" for pg_locks' "AccessExclusiveLock"; "" stays "".
std::string lock_mode_name(const std::string& pg_locks_mode);
// 1 (ACCESS SHARE) .. 8 (ACCESS EXCLUSIVE); 0 for "" / unknown.
int lock_strength(const std::string& mode_name);
// SHARE and stronger: blocks writers (ACCESS EXCLUSIVE also blocks readers).
bool blocks_writes(const std::string& mode_name);

struct TableObservation {
  std::string table;           // qualified, as given
  std::string strongest;       // strongest mode seen held ("" = none seen), e.g. "ACCESS EXCLUSIVE"
  double blocking_ms = 0;      // time a write- or read-blocking mode was seen held
  double access_exclusive_ms = 0;
  bool rewritten = false;      // relfilenode changed
  int64_t rows_read = 0;       // seq_tup_read + idx_tup_fetch during the step
  int64_t rows_in_table = 0;   // pg_class.reltuples before the step (ANALYZEd)
  // Read at least half of the table's rows: a scan (or a batched pass over it).
  bool scanned() const { return rows_in_table > 0 && rows_read * 2 >= rows_in_table; }
};

struct StepObservation {
  double duration_ms = 0;
  int samples = 0;
  std::vector<TableObservation> tables;  // in the order given to the observer
  // The property the lock proof checks: a write-blocking lock held while the
  // table was rewritten or scanned.
  bool blocks_while_scanning_or_rewriting() const;
};

class LockObserver {
 public:
  // `tables`: qualified names ("public.orders") that exist now.
  LockObserver(const std::string& url, std::vector<std::string> tables, int sample_interval_ms = 2);
  ~LockObserver();
  LockObserver(const LockObserver&) = delete;
  LockObserver& operator=(const LockObserver&) = delete;

  // Starts sampling the locks of backend `pid`.
  void begin(int pid);
  // Stops sampling; flushes `exec`'s statistics (it must be idle, outside a
  // transaction) and returns what was seen since begin().
  StepObservation end(pqxx::connection& exec);

 private:
  struct Counters {
    std::string relfilenode;
    int64_t reads = 0;
    int64_t reltuples = 0;
  };
  std::map<std::string, Counters> read_counters();
  void sample_loop(int pid);

  std::string url_;
  std::vector<std::string> tables_;
  std::vector<std::string> oids_;  // parallel to tables_
  int interval_ms_;
  std::unique_ptr<pqxx::connection> control_;  // counters before/after
  std::unique_ptr<pqxx::connection> sampler_;  // pg_locks, from the thread
  std::map<std::string, Counters> before_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  // Written by the sampling thread, read after join.
  std::vector<TableObservation> seen_;
  int samples_ = 0;
  std::chrono::steady_clock::time_point t0_;
};

}  // namespace seam::test
