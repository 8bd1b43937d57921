// The lock observer of lock_observer.hpp: a sampling thread on its own
// connection, counters read on another.
#include "tests/support/lock_observer.hpp"

#include <stdexcept>

#include "schema/canon.hpp"

namespace seam::test {

namespace {

const char* const kModes[] = {"ACCESS SHARE",         "ROW SHARE", "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE",
                              "SHARE",                "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE"};

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

std::string lock_mode_name(const std::string& m) {
  // "AccessExclusiveLock" -> "ACCESS EXCLUSIVE"
  std::string out;
  std::string s = m.size() > 4 && m.substr(m.size() - 4) == "Lock" ? m.substr(0, m.size() - 4) : m;
  for (size_t i = 0; i < s.size(); i++) {
    char ch = s[i];
    if (i > 0 && ch >= 'A' && ch <= 'Z') out += ' ';
    out += static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch);
  }
  return out;
}

int lock_strength(const std::string& mode) {
  for (int i = 0; i < 8; i++)
    if (mode == kModes[i]) return i + 1;
  return 0;
}

bool blocks_writes(const std::string& mode) { return lock_strength(mode) >= lock_strength("SHARE"); }

bool StepObservation::blocks_while_scanning_or_rewriting() const {
  for (const auto& t : tables)
    if (blocks_writes(t.strongest) && (t.rewritten || t.scanned())) return true;
  return false;
}

LockObserver::LockObserver(const std::string& url, std::vector<std::string> tables, int sample_interval_ms)
    : url_(url), tables_(std::move(tables)), interval_ms_(sample_interval_ms) {
  control_ = std::make_unique<pqxx::connection>(url_);
  sampler_ = std::make_unique<pqxx::connection>(url_);
  pqxx::nontransaction tx(*control_);
  int v = tx.exec1("SELECT current_setting('server_version_num')::int")[0].as<int>();
  if (v < 150000)
    throw std::runtime_error("the lock observer needs PostgreSQL 15 or later (pg_stat_force_next_flush); server is " +
                             std::to_string(v));
  for (const auto& t : tables_)
    oids_.push_back(tx.exec1("SELECT " + tx.quote(t) + "::regclass::oid::text")[0].as<std::string>());
  sampler_->prepare("seam_locks",
                    "SELECT relation::text, mode FROM pg_locks WHERE locktype = 'relation' AND granted AND pid = $1 "
                    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");
}

LockObserver::~LockObserver() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

std::map<std::string, LockObserver::Counters> LockObserver::read_counters() {
  std::map<std::string, Counters> out;
  pqxx::nontransaction tx(*control_);
  tx.exec("SELECT pg_stat_clear_snapshot()");
  for (size_t i = 0; i < tables_.size(); i++) {
    auto r = tx.exec("SELECT c.relfilenode::text, coalesce(s.seq_tup_read, 0) + coalesce(s.idx_tup_fetch, 0), "
                     "greatest(c.reltuples, 0)::bigint FROM pg_class c LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid "
                     "WHERE c.oid = " + oids_[i]);
    if (r.empty()) continue;  // dropped
    out[tables_[i]] = {r[0][0].as<std::string>(), r[0][1].as<int64_t>(), r[0][2].as<int64_t>()};
  }
  return out;
}

void LockObserver::begin(int pid) {
  if (thread_.joinable()) throw std::logic_error("LockObserver::begin called twice");
  before_ = read_counters();
  seen_.clear();
  for (const auto& t : tables_) seen_.push_back({.table = t});
  samples_ = 0;
  stop_ = false;
  t0_ = std::chrono::steady_clock::now();
  thread_ = std::thread([this, pid] { sample_loop(pid); });
}

void LockObserver::sample_loop(int pid) {
  auto prev = std::chrono::steady_clock::now();
  while (!stop_) {
    pqxx::result r;
    try {
      pqxx::nontransaction tx(*sampler_);
      r = tx.exec_prepared("seam_locks", pid);
    } catch (const std::exception&) {
      break;  // connection lost: end() reports what was seen so far
    }
    auto now = std::chrono::steady_clock::now();
    double dt = std::chrono::duration<double, std::milli>(now - prev).count();
    prev = now;
    samples_++;
    // Strongest mode per watched table in this sample.
    for (size_t i = 0; i < oids_.size(); i++) {
      std::string strongest;
      for (const auto& row : r)
        if (row[0].as<std::string>() == oids_[i]) {
          std::string m = lock_mode_name(row[1].as<std::string>());
          if (lock_strength(m) > lock_strength(strongest)) strongest = m;
        }
      auto& s = seen_[i];
      if (lock_strength(strongest) > lock_strength(s.strongest)) s.strongest = strongest;
      // The interval that ends with this sample is charged to what it saw.
      if (blocks_writes(strongest)) s.blocking_ms += dt;
      if (strongest == "ACCESS EXCLUSIVE") s.access_exclusive_ms += dt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms_));
  }
}

StepObservation LockObserver::end(pqxx::connection& exec) {
  StepObservation o;
  o.duration_ms = ms_since(t0_);
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  {
    // The executing backend's counters reach shared memory when it is idle
    // next; force that now rather than within the next second.
    pqxx::nontransaction tx(exec);
    tx.exec("SELECT pg_stat_force_next_flush()");
  }
  auto after = read_counters();
  o.samples = samples_;
  o.tables = seen_;
  for (auto& t : o.tables) {
    auto b = before_.find(t.table);
    auto a = after.find(t.table);
    if (b == before_.end()) continue;
    t.rows_in_table = b->second.reltuples;
    if (a == after.end()) continue;  // dropped by the step
    t.rewritten = a->second.relfilenode != b->second.relfilenode;
    t.rows_read = a->second.reads - b->second.reads;
  }
  return o;
}

}  // namespace seam::test
