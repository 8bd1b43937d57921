// Which product is behind a PostgreSQL-wire connection, and its version.
// CockroachDB, YugabyteDB and Spanner's PostgreSQL interface all speak the
// PostgreSQL protocol and report a PostgreSQL-looking server_version, so the
// product is read from `SELECT version()` (and, for Spanner, which reports a
// bare PostgreSQL version, from its information_schema.database_options):
//
//   CockroachDB  "CockroachDB CCL v24.1.3 (x86_64-pc-linux-gnu, built ...)"
//   YugabyteDB   "PostgreSQL 11.2-YB-2.20.1.0-b0 on x86_64-pc-linux-gnu, ..."
//                "PostgreSQL 15.2-YB-2025.1.0.0-b0 on ..."
//   Spanner      "PostgreSQL 14.1" (PGAdapter answers version() itself with
//                its server_version setting, default 14.1)
//   PostgreSQL   "PostgreSQL 16.4 (Debian 16.4-1) on x86_64-pc-linux-gnu, ..."
//
// Only the PostgreSQL case has run against a server here; the other strings
// come from the products' documentation and sources (tests/unit/
// pgwire_detect_test.cpp cites each).
//
// The dialect names are the compat-matrix file names.
//
//   auto s = seam::pgwire::detect(*conn);
//   const auto& m = seam::compat::builtin(s.dialect);   // s.version for Matrix::at
#pragma once

#include <string>

#include <pqxx/connection>

#include "compat-matrix/matrix.hpp"

namespace seam::pgwire {

struct Server {
  std::string dialect;  // "postgres", "cockroachdb", "yugabytedb", "spanner-pg"
  std::string
      product;  // "PostgreSQL", "CockroachDB", "YugabyteDB", "Spanner (PostgreSQL interface)"
  compat::Version version;   // the product's own version (YugabyteDB: 2.20, not 11.2)
  std::string version_text;  // what the server said
};

// From the text of `SELECT version()` alone. Spanner is not recognisable from
// it (is_spanner says so). Throws UnsupportedError for a text that is none of
// the known products.
Server from_version_text(const std::string& version_text, bool is_spanner = false);

// True for a version() text that is a bare "PostgreSQL <version>", as
// PGAdapter (Spanner) prints it; PostgreSQL itself always adds its platform.
bool looks_like_pgadapter(const std::string& version_text);

// Asks the server. Throws UnsupportedError naming what the server reported
// when it is not a product seam knows.
Server detect(pqxx::connection& c);

// "CockroachDB 24.1", "YugabyteDB 2.20", "Spanner (PostgreSQL interface)"
// (versionless), "PostgreSQL 16.4": for messages.
std::string describe(const Server& s);

// Throws UnsupportedError unless `s` is the dialect the user asked for
// ("--dialect cockroachdb" against a PostgreSQL server is a mistake worth
// stopping at): the message names both and what to do.
void expect_dialect(const Server& s, const std::string& dialect);

}  // namespace seam::pgwire
