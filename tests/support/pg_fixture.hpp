// Test harness for integration tests: one real PostgreSQL server per test
// process, started on first use and removed at exit, plus helpers to make
// databases and load SQL into them.
//
// The major version comes from $SEAM_TEST_PG_VERSION (default 15), so ctest
// can run the same test binary against every installed major
// (tests/CMakeLists.txt: seam_add_pg_matrix_test).
//
//   TEST(Inspect, Enum) {
//     std::string url = seam::test::fresh_database();
//     seam::test::run_sql(url, "CREATE TYPE mood AS ENUM ('ok', 'sad')");
//     ...
//   }
#pragma once

#include <filesystem>
#include <string>

#include "dialects/postgres/embedded.hpp"

namespace seam::test {

// $SEAM_TEST_PG_VERSION, or seam::pg::default_pg_major().
int test_pg_major();

// The process-wide server, started on first call (throws when it cannot start;
// the message carries the server log). Stopped and deleted at process exit.
seam::pg::EmbeddedServer& server();

// CREATE DATABASE with a new unique name (seam_t<pid>_<n>, plus `hint` when
// given, for readable logs); returns its URL.
std::string fresh_database(const std::string& hint = "");

// Runs SQL text (any number of statements, $$-quoted bodies included) in one
// implicit transaction via libpqxx; throws with the server's message on error.
void run_sql(const std::string& url, const std::string& sql);
// Same for the contents of a file; the error names the file.
void run_sql_file(const std::string& url, const std::filesystem::path& file);
// Runs a file through psql with ON_ERROR_STOP (psql -f semantics: statement by
// statement, \ meta-commands allowed). Throws with psql's output on failure.
void run_psql_file(const std::string& url, const std::filesystem::path& file);

// A single value: the first column of the first row of `query`, as text
// ("" for NULL). Handy for asserting on catalog state.
std::string query_value(const std::string& url, const std::string& query);

}  // namespace seam::test
