// The integration-test server and SQL helpers; see pg_fixture.hpp.
#include "tests/support/pg_fixture.hpp"

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include <unistd.h>

#include <pqxx/pqxx>

#include "dialects/postgres/spawn.hpp"

namespace seam::test {

int test_pg_major() {
  const char* v = std::getenv("SEAM_TEST_PG_VERSION");
  if (!v || !*v) return seam::pg::default_pg_major();
  try {
    return std::stoi(v);
  } catch (const std::exception&) {
    throw std::runtime_error(std::string("SEAM_TEST_PG_VERSION='") + v +
                             "' is not a PostgreSQL major version number");
  }
}

namespace {
std::mutex server_mutex;
// A static unique_ptr: destroyed at normal process exit, which stops the
// server and deletes its directory.
std::unique_ptr<seam::pg::EmbeddedServer> the_server;
std::atomic<int> db_counter{0};
}  // namespace

seam::pg::EmbeddedServer& server() {
  std::lock_guard lock(server_mutex);
  if (!the_server) {
    seam::pg::ServerOptions o;
    o.major = test_pg_major();
    the_server = std::make_unique<seam::pg::EmbeddedServer>(o);
  }
  return *the_server;
}

std::string fresh_database(const std::string& hint) {
  auto& s = server();
  std::string name = "seam_t" + std::to_string(getpid()) + "_" + std::to_string(++db_counter);
  if (!hint.empty()) name += "_" + hint;
  if (name.size() > 63) name.resize(63);  // NAMEDATALEN - 1
  s.create_database(name);
  return s.url_for(name);
}

void run_sql(const std::string& url, const std::string& sql) {
  pqxx::connection c{url};
  pqxx::nontransaction tx{c};
  // One simple-protocol query: the server runs all statements in it in one
  // implicit transaction, so a failure leaves nothing half-applied.
  tx.exec(sql);
}

void run_sql_file(const std::string& url, const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    run_sql(url, ss.str());
  } catch (const std::exception& e) {
    throw std::runtime_error(file.string() + ": " + e.what());
  }
}

void run_psql_file(const std::string& url, const std::filesystem::path& file) {
  // Debian's psql (any major server speaks its protocol); the npm packages for
  // other majors ship no client.
  auto r = seam::pg::run_capture({"/usr/bin/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url,
                                  "-f", file.string()});
  if (r.status != 0)
    throw std::runtime_error("psql -f " + file.string() + " failed (exit " +
                             std::to_string(r.status) + "):\n" + r.output);
}

std::string query_value(const std::string& url, const std::string& query) {
  pqxx::connection c{url};
  pqxx::nontransaction tx{c};
  pqxx::result r = tx.exec(query);
  if (r.empty() || r.columns() == 0)
    throw std::runtime_error("query returned no value: " + query);
  return r[0][0].is_null() ? std::string() : r[0][0].c_str();
}

}  // namespace seam::test
