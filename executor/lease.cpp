// The applier lease and its heartbeat (see lease.hpp).
#include "executor/lease.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <vector>

#include <pqxx/except>
#include <pqxx/pqxx>
#include <pqxx/transaction>

#include "dialects/postgres/conn.hpp"

namespace seam::executor {

namespace {

std::string hostname() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown-host";
  return buf;
}

struct HolderInfo {
  std::string host, since;
  int pid = 0, lease_backend = 0;
  int64_t epoch = 0, job = 0, ttl_ms = 0;
  double heartbeat_age_s = 0;
  bool released = true;
  std::string describe() const {
    std::string s = "host " + host + " pid " + std::to_string(pid) + " (since " + since +
                    ", lease epoch " + std::to_string(epoch);
    if (job) s += ", job " + std::to_string(job);
    char buf[64];
    std::snprintf(buf, sizeof buf, ", last heartbeat %.1fs ago", heartbeat_age_s);
    return s + buf + ")";
  }
  std::string json() const {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3f", heartbeat_age_s);
    return "{\"host\": " + json_str(host) + ", \"pid\": " + std::to_string(pid) +
           ", \"since\": " + json_str(since) + ", \"epoch\": " + std::to_string(epoch) +
           ", \"heartbeat_age_s\": " + buf + "}";
  }
};

HolderInfo read_holder(pqxx::transaction_base& tx, const Ledger& l) {
  auto r = tx.exec1(
      "SELECT coalesce(holder_host, ''), coalesce(holder_pid, 0), "
      "coalesce(to_char(acquired_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''), "
      "epoch, "
      "coalesce(job_id, 0), ttl_ms, coalesce(extract(epoch FROM clock_timestamp() - "
      "heartbeat)::float8, 1e9), "
      "released, coalesce(lease_backend, 0) FROM " +
      l.q("lease") + " WHERE id = 1");
  HolderInfo h;
  h.host = r[0].as<std::string>();
  h.pid = r[1].as<int>();
  h.since = r[2].as<std::string>();
  h.epoch = r[3].as<int64_t>();
  h.job = r[4].as<int64_t>();
  h.ttl_ms = r[5].as<int64_t>();
  h.heartbeat_age_s = r[6].as<double>();
  h.released = r[7].as<bool>();
  h.lease_backend = r[8].as<int>();
  return h;
}

// Backends holding the lease's advisory lock (two-key form: classid, objid).
std::string lock_holders_sql() {
  return "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2 AND granted AND "
         "database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND "
         "classid::bigint = $1 AND objid::bigint = (hashtext($2)::bigint + 4294967296) % "
         "4294967296";
}

}  // namespace

std::unique_ptr<Lease> Lease::acquire(const std::string& url, const Ledger& l,
                                      const LeaseOptions& o, pqxx::connection& work) {
  std::unique_ptr<Lease> lease(new Lease());
  lease->ledger_ = l;
  lease->opts_ = o;
  if (lease->opts_.host.empty()) lease->opts_.host = hostname();
  if (lease->opts_.pid == 0) lease->opts_.pid = static_cast<int>(::getpid());
  if (lease->opts_.ttl_ms < 300) lease->opts_.ttl_ms = 300;
  lease->conn_ = pg::connect(url);
  auto& c = *lease->conn_;
  {
    pqxx::nontransaction tx(c);
    tx.exec("SET application_name = 'seam lease'");
  }
  bool got;
  {
    pqxx::nontransaction tx(c);
    got = tx.exec_params1("SELECT pg_try_advisory_lock($1, hashtext($2))", kLeaseLockClass,
                          l.schema)[0]
              .as<bool>();
  }
  std::string event_kind = "lease-acquired";
  HolderInfo previous;
  if (!got) {
    // Who holds the advisory lock, and does the row describe that session? A
    // holder between taking the lock and writing the row still shows the
    // previous holder's row (released, or a crashed one's old heartbeat): wait
    // for it rather than mistake it for a hung holder.
    auto settle = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (;;) {
      std::vector<int> holders;
      {
        pqxx::read_transaction tx(c);
        previous = read_holder(tx, l);
        for (const auto& r : tx.exec_params(lock_holders_sql(), kLeaseLockClass, l.schema))
          holders.push_back(r[0].as<int>());
      }
      if (holders.empty()) {  // released meanwhile
        pqxx::nontransaction tx(c);
        got = tx.exec_params1("SELECT pg_try_advisory_lock($1, hashtext($2))", kLeaseLockClass,
                              l.schema)[0]
                  .as<bool>();
        if (got) break;
        continue;
      }
      bool row_is_holder = !previous.released && std::find(holders.begin(), holders.end(),
                                                           previous.lease_backend) != holders.end();
      if (row_is_holder) break;
      if (std::chrono::steady_clock::now() > settle)
        throw LeaseHeldError("another applier holds the lease on " + pg::describe_connection(c) +
                             " (database session pid " + std::to_string(holders[0]) +
                             ", still taking it over); wait for it to finish");
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  if (!got) {
    if (previous.heartbeat_age_s * 1000.0 <= static_cast<double>(previous.ttl_ms))
      throw LeaseHeldError("another applier holds the lease on " + pg::describe_connection(c) +
                           ": " + previous.describe() +
                           ". Only one applier runs per database; wait for it to finish, " +
                           "or stop it (its lease is taken over once its heartbeat is " +
                           std::to_string(previous.ttl_ms) + " ms old)");
    // The holder hangs: end its lease session, which frees the advisory lock.
    {
      pqxx::nontransaction tx(c);
      tx.exec_params("SELECT pg_terminate_backend(pid) FROM (" + lock_holders_sql() + ") h",
                     kLeaseLockClass, l.schema);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
      pqxx::nontransaction tx(c);
      if (tx.exec_params1("SELECT pg_try_advisory_lock($1, hashtext($2))", kLeaseLockClass,
                          l.schema)[0]
              .as<bool>())
        break;
      if (std::chrono::steady_clock::now() > deadline)
        throw LeaseHeldError("the stale lease of " + previous.describe() +
                             " could not be taken over: its session still holds the advisory lock");
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    event_kind = "lease-takeover";
  }
  // Bump the epoch. FOR UPDATE waits for writes of the previous holder that
  // are in flight (they hold the row FOR KEY SHARE); one that hangs inside a
  // transaction is ended after lock_timeout.
  int work_pid = work.backendpid();
  for (int attempt = 0;; ++attempt) {
    try {
      pqxx::work tx(c);
      tx.exec("SET LOCAL lock_timeout = '5s'");
      auto before = read_holder(tx, l);
      tx.exec("SELECT 1 FROM " + l.q("lease") + " WHERE id = 1 FOR UPDATE");
      if (event_kind == "lease-acquired" && !before.released) {
        event_kind = "lease-recovered";  // the previous holder ended without releasing (crash)
        previous = before;
      }
      auto r = tx.exec_params1(
          "UPDATE " + l.q("lease") +
              " SET epoch = epoch + 1, holder_host = $1, holder_pid = $2, "
              "lease_backend = pg_backend_pid(), work_backend = $3, job_id = NULL, ttl_ms = $4, "
              "acquired_at = clock_timestamp(), heartbeat = clock_timestamp(), released = false "
              "WHERE id = 1 RETURNING epoch",
          lease->opts_.host, lease->opts_.pid, work_pid, lease->opts_.ttl_ms);
      lease->epoch_ = r[0].as<int64_t>();
      std::string detail = "{\"host\": " + json_str(lease->opts_.host) +
                           ", \"pid\": " + std::to_string(lease->opts_.pid) +
                           ", \"epoch\": " + std::to_string(lease->epoch_);
      if (event_kind != "lease-acquired") detail += ", \"previous\": " + previous.json();
      detail += "}";
      tx.exec_params(
          "INSERT INTO " + l.q("events") + " (job_id, kind, detail) VALUES (NULL, $1, $2::jsonb)",
          event_kind, detail);
      tx.commit();
      break;
    } catch (const pqxx::sql_error& e) {
      if (e.sqlstate() != "55P03" || attempt >= 3) throw;
      pqxx::nontransaction tx(c);
      tx.exec("SELECT pg_terminate_backend(work_backend) FROM " + l.q("lease") +
              " WHERE id = 1 AND work_backend IS NOT NULL AND work_backend <> pg_backend_pid()");
    }
  }
  if (event_kind == "lease-takeover") {
    lease->takeover_ = "took over the lease from " + previous.describe();
    if (o.metrics) o.metrics->add("lease_takeovers_total", "", 1);
  }
  if (o.metrics) {
    o.metrics->add("lease_renewals_total", "", 0);
    o.metrics->set("lease_last_renewal_timestamp_seconds", "",
                   static_cast<double>(std::time(nullptr)));
  }
  lease->thread_ = std::thread([p = lease.get()] { p->heartbeat_loop(); });
  return lease;
}

void Lease::fence(const std::string& why) const {
  std::lock_guard g(mu_);
  if (lost_.empty()) lost_ = why;
  lost_flag_ = true;
}

void Lease::check() const {
  if (!lost_flag_) return;
  std::lock_guard g(mu_);
  throw FencedError("the lease was lost (" + lost_ +
                    "); this applier stops without writing anything more");
}

void Lease::check_epoch(pqxx::transaction_base& tx) const {
  check();
  auto r = tx.exec("SELECT epoch, coalesce(holder_host, ''), coalesce(holder_pid, 0) FROM " +
                   ledger_.q("lease") + " WHERE id = 1 FOR KEY SHARE");
  int64_t now = r[0][0].as<int64_t>();
  if (now != epoch_) {
    std::string why = "lease epoch is " + std::to_string(now) + ", ours was " +
                      std::to_string(epoch_) + "; taken over by host " + r[0][1].as<std::string>() +
                      " pid " + r[0][2].as<std::string>();
    fence(why);
    check();
  }
}

void Lease::set_job(pqxx::transaction_base& tx, int64_t job) const {
  tx.exec_params0("UPDATE " + ledger_.q("lease") + " SET job_id = $1 WHERE id = 1 AND epoch = $2",
                  job, epoch_);
}

void Lease::heartbeat_loop() {
  auto interval = std::chrono::milliseconds(opts_.ttl_ms / 3);
  std::unique_lock lk(mu_);
  while (!stop_) {
    if (cv_.wait_for(lk, interval, [this] { return stop_; })) break;
    lk.unlock();
    std::string why;
    try {
      pqxx::nontransaction tx(*conn_);
      auto r = tx.exec_params(
          "UPDATE " + ledger_.q("lease") +
              " SET heartbeat = clock_timestamp() WHERE id = 1 AND epoch = $1 RETURNING 1",
          epoch_);
      if (r.empty())
        why = "another applier took the lease over (our heartbeat found a newer epoch)";
      else if (opts_.metrics) {
        opts_.metrics->add("lease_renewals_total", "", 1);
        opts_.metrics->set("lease_last_renewal_timestamp_seconds", "",
                           static_cast<double>(std::time(nullptr)));
      }
    } catch (const pqxx::broken_connection& e) {
      // A takeover terminates our lease session; so does a server restart.
      why = std::string(
                "the lease session's connection was closed (a takeover by another applier "
                "or a server restart ends it): ") +
            e.what();
    } catch (const std::exception& e) {
      why = std::string("the lease session ended: ") + e.what();
    }
    lk.lock();
    if (!why.empty()) {
      if (lost_.empty()) lost_ = why;
      lost_flag_ = true;
      break;
    }
  }
}

void Lease::release() {
  {
    std::lock_guard g(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (lost_flag_ || !conn_) return;
  try {
    pqxx::nontransaction tx(*conn_);
    tx.exec_params("UPDATE " + ledger_.q("lease") +
                       " SET released = true, heartbeat = clock_timestamp(), job_id = NULL, "
                       "work_backend = NULL "
                       "WHERE id = 1 AND epoch = $1",
                   epoch_);
    tx.exec_params("SELECT pg_advisory_unlock($1, hashtext($2))", kLeaseLockClass, ledger_.schema);
  } catch (const std::exception&) {
    // Closing the session below frees the advisory lock anyway.
  }
  conn_.reset();
}

bool Lease::still_held(const std::string& url) const {
  if (lost_flag_) return false;
  try {
    auto c = pg::connect(url);
    pqxx::read_transaction tx(*c);
    return tx.exec("SELECT epoch FROM " + ledger_.q("lease") + " WHERE id = 1")[0][0]
               .as<int64_t>() == epoch_;
  } catch (const std::exception&) {
    return true;  // cannot tell: report the original error
  }
}

Lease::~Lease() {
  release();
}

}  // namespace seam::executor
