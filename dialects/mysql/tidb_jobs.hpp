// seam's job verbs on TiDB: TiDB runs every DDL as a job of its own, so
// `seam jobs list|show|pause|resume|cancel` against a TiDB URL act on those
// jobs (compat-matrix/tidb.yaml `ddl_job_control`):
//
//   list          ADMIN SHOW DDL JOBS
//   show JOB      ADMIN SHOW DDL JOBS 1000 WHERE JOB_ID = JOB; ADMIN SHOW DDL JOB QUERIES JOB
//   pause JOB     ADMIN PAUSE DDL JOBS JOB      (7.2+)
//   resume JOB    ADMIN RESUME DDL JOBS JOB     (7.2+)
//   cancel JOB    ADMIN CANCEL DDL JOBS JOB
//
// Job ids are validated as positive integers before they reach SQL. Against a
// server that is not TiDB (MariaDB, MySQL) every verb refuses, naming the
// server it found; pause/resume refuse on TiDB 7.0-7.1. Not run against a real
// TiDB here (none runs on seam's machines): the statements follow the ADMIN
// pages compat-facts.md section 5 cites.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compat-matrix/matrix.hpp"
#include "dialects/mysql/client.hpp"

namespace seam::mysql {

enum class JobVerb { List, Show, Pause, Resume, Cancel };
const char* to_string(JobVerb v);  // "list", ...

// "42" -> 42; anything but a positive decimal integer is an InputError.
int64_t parse_job_id(const std::string& text);

// The statements of a verb for TiDB version `v` (id ignored by List). Throws
// InputError for an id <= 0, UnsupportedError for pause/resume where the
// matrix says the version has no ADMIN PAUSE/RESUME DDL JOBS.
std::vector<std::string> job_statements(JobVerb verb, int64_t id, const compat::Version& v);

// Detects the server, refuses anything but TiDB, runs the statements and
// renders their results as text tables.
std::string run_job_verb(Connection& c, JobVerb verb, int64_t id);

// A result as a text table: header, rule, one line per row (NULL as "NULL").
std::string format_table(const std::vector<std::string>& columns, const std::vector<Row>& rows);

}  // namespace seam::mysql
