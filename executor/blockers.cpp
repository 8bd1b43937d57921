// Sampling what a step waits on (see blockers.hpp).
#include "executor/blockers.hpp"

#include <chrono>
#include <cstdio>

#include <pqxx/pqxx>

#include "dialects/postgres/conn.hpp"
#include "executor/ledger.hpp"

namespace seam::executor {

std::string WaitInfo::json() const {
  std::string s = "{\"blockers\": [";
  for (size_t i = 0; i < blockers.size(); ++i) {
    const auto& b = blockers[i];
    char age[32];
    std::snprintf(age, sizeof age, "%.1f", b.xact_age_s);
    s += (i ? ", " : "") + std::string("{\"pid\": ") + std::to_string(b.pid) +
         ", \"application\": " + json_str(b.application) + ", \"state\": " + json_str(b.state) +
         ", \"xact_age_s\": " + age + ", \"query_start\": " + json_str(b.query_start) +
         ", \"query\": " + json_str(b.query) + "}";
  }
  return s + "], \"queued_behind\": " + std::to_string(queued_behind) + "}";
}

std::string WaitInfo::describe() const {
  std::string s;
  for (const auto& b : blockers) {
    char age[32];
    std::snprintf(age, sizeof age, "%.1fs", b.xact_age_s);
    if (!s.empty()) s += "; ";
    s += "pid " + std::to_string(b.pid) + " (application '" + b.application + "', " + b.state +
         ", transaction " + age + " old, query started " + b.query_start + ")";
  }
  if (s.empty()) s = "no blocking session seen";
  return s + "; " + std::to_string(queued_behind) + " session(s) queued behind";
}

WaitInfo sample_wait(pqxx::transaction_base& tx, int pid) {
  WaitInfo w;
  for (const auto& r : tx.exec_params(
           "SELECT a.pid, coalesce(a.application_name, ''), coalesce(a.state, ''), "
           "coalesce(extract(epoch FROM clock_timestamp() - a.xact_start)::float8, 0), "
           "coalesce(to_char(a.query_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
           "''), "
           "left(coalesce(a.query, ''), 200) "
           "FROM pg_stat_activity a WHERE a.pid = ANY (pg_blocking_pids($1)) ORDER BY a.pid",
           pid)) {
    Blocker b;
    b.pid = r[0].as<int>();
    b.application = r[1].as<std::string>();
    b.state = r[2].as<std::string>();
    b.xact_age_s = r[3].as<double>();
    b.query_start = r[4].as<std::string>();
    b.query = r[5].as<std::string>();
    w.blockers.push_back(std::move(b));
  }
  w.queued_behind = tx.exec_params1(
                          "SELECT count(*) FROM pg_stat_activity WHERE pid <> $1 AND $1 = ANY "
                          "(pg_blocking_pids(pid))",
                          pid)[0]
                        .as<int>();
  return w;
}

WaitWatcher::WaitWatcher(const std::string& url, int pid, int interval_ms,
                         std::function<void(const WaitInfo&)> on_change)
    : conn_(pg::connect(url)),
      pid_(pid),
      interval_ms_(interval_ms),
      on_change_(std::move(on_change)) {
  {
    pqxx::nontransaction tx(*conn_);
    tx.exec("SET application_name = 'seam watcher'");
  }
  thread_ = std::thread([this] { loop(); });
}

WaitWatcher::~WaitWatcher() {
  {
    std::lock_guard g(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

WaitInfo WaitWatcher::last() const {
  std::lock_guard g(mu_);
  return last_;
}

WaitInfo WaitWatcher::take() {
  std::lock_guard g(mu_);
  WaitInfo w = last_;
  last_ = {};
  return w;
}

void WaitWatcher::loop() {
  std::unique_lock lk(mu_);
  while (!stop_) {
    if (cv_.wait_for(lk, std::chrono::milliseconds(interval_ms_), [this] { return stop_; })) break;
    lk.unlock();
    WaitInfo w;
    bool ok = true;
    try {
      pqxx::nontransaction tx(*conn_);
      w = sample_wait(tx, pid_);
    } catch (const std::exception&) {
      ok = false;  // observation only: a failed sample is not the step's failure
    }
    bool changed = false;
    lk.lock();
    if (ok) {
      // Ages grow every sample; "changed" means other sessions or queue length.
      auto key = [](const WaitInfo& x) {
        std::string k;
        for (const auto& b : x.blockers) k += std::to_string(b.pid) + ",";
        return k + "|" + std::to_string(x.queued_behind);
      };
      changed = key(w) != key(current_);
      current_ = w;
      if (!w.blockers.empty()) last_ = w;
    }
    if (changed && on_change_) {
      lk.unlock();
      try {
        on_change_(w);
      } catch (const std::exception&) {
      }
      lk.lock();
    }
  }
}

}  // namespace seam::executor
