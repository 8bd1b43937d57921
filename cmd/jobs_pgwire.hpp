// `seam jobs <verb> --db-job ID` (and `seam jobs list --db-jobs`) against a
// PostgreSQL-wire server: the database's own schema-change jobs instead of
// seam's ledger, for the products that run schema changes as jobs. The
// product is detected (dialects/pgwire/detect.hpp); what each one offers is
// one row of a small table in jobs_pgwire.cpp (CockroachDB today). TiDB's
// ADMIN ... DDL JOBS are reached through mysql:// URLs (cmd/jobs_mysql.hpp).
#pragma once

#include <cstdint>
#include <string>

namespace seam::cmd {

// verb: list, show, pause, resume, cancel. `job` is ignored by list.
// Prints the result; UnsupportedError for a product without jobs of its own
// (PostgreSQL, YugabyteDB, Spanner) naming what to use instead.
void run_pgwire_db_jobs(const std::string& verb, const std::string& url, int64_t job);

}  // namespace seam::cmd
