// HaWriter (ha_writer.hpp).
#include "tests/support/ha_writer.hpp"

#include <chrono>

#include <pqxx/pqxx>

#include "schema/canon.hpp"
#include "tests/support/staging.hpp"

namespace seam::test {

namespace {

// connect_timeout bounds a connection attempt to a node that is gone;
// statement_timeout bounds a commit stuck on a partitioned server.
std::string with_timeouts(const std::string& url) {
  std::string sep = url.find('?') == std::string::npos ? "?" : "&";
  return url + sep + "connect_timeout=2&options=-c%20statement_timeout%3D5000";
}

}  // namespace

HaWriter::HaWriter(std::string url, std::string table) : url_(std::move(url)), table_(std::move(table)) {
  pqxx::connection c(with_timeouts(url_));
  pqxx::nontransaction tx(c);
  tx.exec0("CREATE TABLE IF NOT EXISTS " + schema::quote_ident(table_) +
           " (id bigint PRIMARY KEY, server text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())");
}

HaWriter::~HaWriter() { stop(); }

void HaWriter::start() {
  stop_ = false;
  thread_ = std::thread([this] { run(); });
}

void HaWriter::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void HaWriter::run() {
  std::unique_ptr<pqxx::connection> c;
  std::string insert = "INSERT INTO " + schema::quote_ident(table_) +
                       " (id, server) VALUES ($1, host(inet_server_addr()) || ':' || "
                       "inet_server_port()) RETURNING server";
  int64_t next = 1;
  {
    std::lock_guard lock(m_);
    if (!acks_.empty()) next = acks_.back().id + 1;
    for (auto u : unknown_) next = std::max(next, u + 1);
  }
  while (!stop_) {
    int64_t id = next++;
    try {
      if (!c) c = std::make_unique<pqxx::connection>(with_timeouts(url_));
      pqxx::work tx(*c);
      std::string server = tx.exec_params1(insert, id)[0].as<std::string>();
      tx.commit();
      double at = epoch_now();
      std::lock_guard lock(m_);
      acks_.push_back(HaAck{id, at, server});
    } catch (const std::exception&) {
      ++errors_;
      c.reset();
      {
        std::lock_guard lock(m_);
        unknown_.push_back(id);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::vector<HaAck> HaWriter::acks() const {
  std::lock_guard lock(m_);
  return acks_;
}

std::vector<int64_t> HaWriter::unknown() const {
  std::lock_guard lock(m_);
  return unknown_;
}

std::optional<HaAck> HaWriter::first_ack_after(double t, const std::string& not_server) const {
  std::lock_guard lock(m_);
  for (const auto& a : acks_)
    if (a.at > t && (not_server.empty() || a.server != not_server)) return a;
  return std::nullopt;
}

std::optional<HaAck> HaWriter::last_ack_before(double t) const {
  std::lock_guard lock(m_);
  std::optional<HaAck> found;
  for (const auto& a : acks_)
    if (a.at <= t) found = a;
  return found;
}

}  // namespace seam::test
