// Connecting to PostgreSQL, and talking about a connection string without
// leaking its password.
//
// Every place seam prints a connection target (errors, plan headers, the
// Catalog::source line) goes through redact_url() or describe_target(), so a
// password given in a URL or a keyword/value conninfo never reaches a log.
//
//   auto conn = seam::pg::connect(url);          // throws a readable error
//   std::cerr << seam::pg::redact_url(url);      // postgresql://app:***@db/shop
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <pqxx/connection>

namespace seam::pg {

// `url` with every password replaced by "***": the password part of a
// postgres(ql):// URL's user info, a `password=` query parameter, and the
// value of a `password` keyword in a keyword/value conninfo string (quoted or
// not, also when a dbname value is itself a connection string). When the text
// is too malformed to tell where the password ends, everything after the
// password keyword is replaced - redaction never errs toward showing more.
std::string redact_url(std::string_view url);

// "host:port/db" (user@ prefix when a user is given) for messages; fields the
// string leaves out are filled from PGHOST/PGPORT/PGDATABASE/PGUSER or shown
// as libpq's defaults ("local socket", 5432). Never contains a password.
std::string describe_target(std::string_view url);

// Opens a connection. On failure throws std::runtime_error naming the target
// (describe_target) and the server's reason with any password scrubbed, and
// saying what to check.
std::unique_ptr<pqxx::connection> connect(const std::string& url);

// "host:port/db" of an open connection, from what libpq actually used.
std::string describe_connection(pqxx::connection& c);

}  // namespace seam::pg
