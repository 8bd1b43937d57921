// Runs one compatibility-matrix probe on a live server; see compat_probe.hpp.
//
// Three or four connections: S runs the setup, A runs the statement, B
// observes A from outside (pg_locks, pg_class, pg_stat_all_tables), and for a
// statement that cannot run in a transaction block, C holds an open
// transaction the statement must wait for, so that its locks can be read while
// it runs. Statistics reach pg_stat_all_tables asynchronously (a collector
// before 15, shared memory flushed lazily from 15 on), so each actor ends by
// scanning a marker table and disconnecting - which flushes its counters on
// every version - and B waits until the marker's scan count shows up.
#include "dialects/postgres/compat_probe.hpp"

#include <atomic>
#include <chrono>
#include <exception>
#include <map>
#include <memory>
#include <stdexcept>
#include <thread>

#include <pqxx/pqxx>

#include "dialects/postgres/conn.hpp"
#include "schema/canon.hpp"

namespace seam::pg {

namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kMarker = "seam_probe_marker";
constexpr auto kTimeout = std::chrono::seconds(60);

std::string value(pqxx::connection& c, const std::string& q) {
  pqxx::nontransaction n(c);
  pqxx::result r = n.exec(q);
  return r.empty() || r[0][0].is_null() ? "" : r[0][0].c_str();
}

template <typename T>
std::string value(pqxx::connection& c, const std::string& q, const T& arg) {
  pqxx::nontransaction n(c);
  pqxx::result r = n.exec_params(q, arg);
  return r.empty() || r[0][0].is_null() ? "" : r[0][0].c_str();
}

std::string resolve(pqxx::connection& c, const std::string& name) {
  return name.empty() ? "" : value(c, "SELECT to_regclass($1)::oid", name);
}

std::string relfilenode(pqxx::connection& b, const std::string& oid) {
  return oid.empty() ? "" : value(b, "SELECT relfilenode FROM pg_class WHERE oid = $1::oid", oid);
}

long seq_scans(pqxx::connection& b, const std::string& oid) {
  if (oid.empty()) return 0;
  value(b, "SELECT pg_stat_clear_snapshot()");
  return std::stol(value(
      b, "SELECT COALESCE((SELECT seq_scan FROM pg_stat_all_tables WHERE relid = $1::oid), 0)",
      oid));
}

// Waits until the marker table's seq_scan count reaches n, i.e. until the
// statistics of the actor that scanned it last (and disconnected) are visible.
void wait_for_marker(pqxx::connection& b, long n, const std::string& op) {
  auto start = Clock::now();
  for (;;) {
    value(b, "SELECT pg_stat_clear_snapshot()");
    std::string s = value(b, std::string("SELECT COALESCE((SELECT seq_scan FROM pg_stat_all_tables "
                                         "WHERE relid = to_regclass('") +
                                 kMarker + "')), 0)");
    if (!s.empty() && std::stol(s) >= n) return;
    if (Clock::now() - start > kTimeout)
      throw std::runtime_error("probe " + op +
                               ": table statistics did not arrive within 60 s (marker scan " +
                               std::to_string(n) + " never became visible)");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// Scans the marker and disconnects: flushes this backend's statistics.
void finish_actor(std::unique_ptr<pqxx::connection>& c) {
  value(*c, std::string("SELECT count(*) FROM ") + kMarker);
  c.reset();
}

struct HeldLock {
  std::string mode;  // matrix lock name
  bool waiting = false;
};

// oid -> strongest relation lock backend `pid` holds or waits for (a queued
// request blocks later requests just as a granted one does).
std::map<std::string, HeldLock> held_locks(pqxx::connection& b, int pid) {
  pqxx::nontransaction n(b);
  pqxx::result r = n.exec_params(
      "SELECT relation::oid::text, mode, granted FROM pg_locks WHERE pid = $1 AND locktype = "
      "'relation' "
      "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
      pid);
  std::map<std::string, HeldLock> out;
  for (const auto& row : r) {
    std::string name = lock_name_from_pg_locks(row[1].c_str());
    HeldLock& cur = out[row[0].c_str()];
    if (cur.mode.empty() || compat::lock_rank(name) > compat::lock_rank(cur.mode))
      cur = HeldLock{name, std::string(row[2].c_str()) != "t"};
  }
  return out;
}

bool has_waiting_lock(pqxx::connection& b, int pid) {
  return value(b, "SELECT count(*) FROM pg_locks WHERE pid = $1 AND NOT granted", pid) != "0";
}

std::string first_line(const std::string& s) {
  std::string l = s.substr(0, s.find('\n'));
  if (l.rfind("ERROR:", 0) == 0) l = l.substr(6);
  size_t b = l.find_first_not_of(' ');
  return b == std::string::npos ? l : l.substr(b);
}

bool rejected_in_transaction(const pqxx::sql_error& e) {
  return e.sqlstate() == "25001";
}

// A connection of the probe: with a scratch schema, search_path points there
// for the whole session (setup, statement, hold and the observer's
// to_regclass lookups all resolve the probe's unqualified names in it).
std::unique_ptr<pqxx::connection> probe_connection(const std::string& url,
                                                   const ProbeOptions& opts) {
  auto c = connect(url);
  if (!opts.schema.empty()) {
    pqxx::nontransaction n(*c);
    n.exec("SET search_path TO " + schema::quote_ident(opts.schema));
  }
  return c;
}

}  // namespace

std::string lock_name_from_pg_locks(const std::string& mode) {
  static const std::map<std::string, std::string> m{
      {"AccessShareLock", "ACCESS SHARE"},
      {"RowShareLock", "ROW SHARE"},
      {"RowExclusiveLock", "ROW EXCLUSIVE"},
      {"ShareUpdateExclusiveLock", "SHARE UPDATE EXCLUSIVE"},
      {"ShareLock", "SHARE"},
      {"ShareRowExclusiveLock", "SHARE ROW EXCLUSIVE"},
      {"ExclusiveLock", "EXCLUSIVE"},
      {"AccessExclusiveLock", "ACCESS EXCLUSIVE"},
  };
  auto it = m.find(mode);
  return it == m.end() ? "" : it->second;
}

ProbeObservation run_probe(const std::string& url, const compat::Entry& e,
                           const ProbeOptions& opts) {
  const compat::Probe& p = e.probe;
  const std::string op = e.op + " (" + e.versions() + ")";
  if (p.statement.empty()) throw std::runtime_error("probe " + op + ": the entry has no probe");
  ProbeObservation o;
  o.table.name = p.table;
  o.other.name = p.other_table;

  auto b = probe_connection(url, opts);
  o.server = compat::Version::parse(value(*b, "SHOW server_version_num"));

  {
    auto s = probe_connection(url, opts);
    try {
      if (!p.setup.empty()) value(*s, p.setup);
      value(*s, std::string("CREATE TABLE ") + kMarker + " (x int)");
    } catch (const std::exception& ex) {
      throw std::runtime_error("probe " + op + ": setup failed: " + first_line(ex.what()));
    }
    finish_actor(s);
  }
  wait_for_marker(*b, 1, op);

  std::string oid_t = resolve(*b, p.table), oid_o = resolve(*b, p.other_table);
  const bool existed_t = !oid_t.empty(), existed_o = !oid_o.empty();
  const std::string file_t = relfilenode(*b, oid_t), file_o = relfilenode(*b, oid_o);
  const long scans_t = seq_scans(*b, oid_t), scans_o = seq_scans(*b, oid_o);

  auto a = probe_connection(url, opts);
  const int pid = std::stoi(value(*a, "SELECT pg_backend_pid()"));
  std::map<std::string, HeldLock> locks;

  if (e.transactional) {
    o.lock_moment = "in transaction";
    pqxx::work tx(*a);
    try {
      tx.exec(p.statement);
    } catch (const pqxx::sql_error& ex) {
      if (!rejected_in_transaction(ex))
        throw std::runtime_error("probe " + op + ": " + first_line(ex.what()));
      o.transactional = false;
      o.rejection = first_line(ex.what());
      o.lock_moment = "not observed (rejected inside BEGIN)";
      return o;
    }
    // A relation the statement creates exists only in A's transaction.
    if (oid_t.empty()) oid_t = tx.exec_params("SELECT to_regclass($1)::oid", p.table)[0][0].c_str();
    if (oid_o.empty() && !p.other_table.empty())
      oid_o = tx.exec_params("SELECT to_regclass($1)::oid", p.other_table)[0][0].c_str();
    locks = held_locks(*b, pid);
    tx.commit();
  } else {
    // It must be refused inside a transaction block...
    {
      pqxx::work tx(*a);
      try {
        tx.exec(p.statement);
        o.transactional = true;  // accepted: rolled back when tx goes out of scope
        o.lock_moment = "not observed (accepted inside BEGIN)";
      } catch (const pqxx::sql_error& ex) {
        if (!rejected_in_transaction(ex))
          throw std::runtime_error("probe " + op + ": inside BEGIN: " + first_line(ex.what()));
        o.transactional = false;
        o.rejection = first_line(ex.what());
      }
    }
    if (o.transactional) return o;  // the matrix is wrong; compare() says so
    // ...and run on its own, waiting for C's transaction while B reads its locks.
    if (p.hold.empty())
      throw std::runtime_error("probe " + op +
                               ": a non-transactional statement needs a \"hold\" to be observed");
    auto c = probe_connection(url, opts);
    auto hold = std::make_unique<pqxx::transaction<pqxx::repeatable_read>>(*c);
    hold->exec(p.hold);
    std::exception_ptr failure;
    std::atomic<bool> done{false};
    std::thread runner([&] {
      try {
        pqxx::nontransaction n(*a);
        n.exec(p.statement);
      } catch (...) {
        failure = std::current_exception();
      }
      done = true;
    });
    bool waited = false;
    auto start = Clock::now();
    try {
      while (!done && Clock::now() - start < kTimeout) {
        if (has_waiting_lock(*b, pid)) {
          locks = held_locks(*b, pid);
          waited = true;
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      hold->commit();
    } catch (...) {
      hold.reset();
      runner.join();
      throw;
    }
    hold.reset();
    runner.join();
    if (failure) {
      try {
        std::rethrow_exception(failure);
      } catch (const std::exception& ex) {
        throw std::runtime_error("probe " + op + ": " + first_line(ex.what()));
      }
    }
    if (!waited)
      throw std::runtime_error("probe " + op +
                               ": the statement never waited for the hold transaction (\"" +
                               p.hold + "\"), so its locks could not be observed");
    o.lock_moment = "while it waits for the hold transaction";
  }
  finish_actor(a);
  wait_for_marker(*b, 2, op);

  auto fill = [&](RelationObservation& r, const std::string& oid, const std::string& file_before,
                  long scans_before, bool existed) {
    if (r.name.empty()) return;
    auto it = locks.find(oid);
    r.lock = it == locks.end() ? "none" : it->second.mode;
    r.waiting = it != locks.end() && it->second.waiting;
    std::string file_after = relfilenode(*b, oid);
    r.rewritten = !file_before.empty() && !file_after.empty() && file_before != "0" &&
                  file_after != file_before;
    // A relation the statement created has nothing to scan (and no counters before).
    r.scanned = existed && seq_scans(*b, oid) > scans_before;
  };
  fill(o.table, oid_t, file_t, scans_t, existed_t);
  fill(o.other, oid_o, file_o, scans_o, existed_o);
  return o;
}

std::vector<std::string> compare(const compat::Entry& e, const ProbeObservation& o) {
  std::vector<std::string> out;
  auto yn = [](bool b) { return b ? std::string("true") : std::string("false"); };
  if (e.transactional != o.transactional) {
    out.push_back("transactional: the matrix says " + yn(e.transactional) + ", but the server " +
                  (o.transactional ? "ran it inside BEGIN"
                                   : "rejected it inside BEGIN (" + o.rejection + ")"));
    return out;  // the locks were not observed in the way the entry describes
  }
  if (e.lock != o.table.lock)
    out.push_back("lock on " + o.table.name + ": the matrix says " + e.lock + ", observed " +
                  o.table.lock);
  if (!e.other_lock.empty() && e.other_lock != o.other.lock)
    out.push_back("lock on " + o.other.name + ": the matrix says " + e.other_lock + ", observed " +
                  o.other.lock);
  bool rewritten = o.table.rewritten || o.other.rewritten;
  if (e.rewrite != rewritten)
    out.push_back("rewrite: the matrix says " + yn(e.rewrite) + ", observed " + yn(rewritten) +
                  " (relfilenode)");
  bool scanned = o.table.scanned || o.other.scanned;
  if (e.scan != scanned)
    out.push_back("scan: the matrix says " + yn(e.scan) + ", observed " + yn(scanned) +
                  " (pg_stat_all_tables.seq_scan)");
  return out;
}

}  // namespace seam::pg
