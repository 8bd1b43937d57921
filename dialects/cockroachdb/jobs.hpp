// CockroachDB's own schema-change jobs: every schema change runs as a
// background job (SHOW JOBS) that can be paused, resumed and cancelled
// (PAUSE JOB / RESUME JOB / CANCEL JOB). `seam jobs ... --db-job ID` uses
// these on a CockroachDB server (cmd/db_jobs.cpp).
//
// NOT run against CockroachDB (no server runs on seam's machines); the
// statements follow https://www.cockroachlabs.com/docs/stable/show-jobs,
// pause-job, resume-job, cancel-job. Unit-tested for the SQL each verb sends
// (tests/unit/crdb_jobs_test.cpp).
//
//   auto jobs = seam::cockroachdb::list_jobs(*conn);
//   std::cout << seam::cockroachdb::format_jobs(jobs);
//   std::cout << seam::cockroachdb::control_job(*conn, JobVerb::Pause, 977360183726817281);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/connection>

namespace seam::cockroachdb {

// The job types a schema change runs as (SHOW JOBS' job_type): the legacy
// and the declarative schema changer, type-descriptor changes (ALTER TYPE
// ... ADD/DROP VALUE), and the garbage collection a DROP leaves behind.
const std::vector<std::string>& schema_change_job_types();

struct Job {
  int64_t id = 0;
  std::string type, status, running_status, description, created, error;
  std::optional<double> fraction_completed;
};

enum class JobVerb { Pause, Resume, Cancel };
const char* to_string(JobVerb v);  // "pause"

// The statements: the schema-change jobs SHOW JOBS lists (its default
// window: running jobs and those of the last 12 hours), one job by id ($1,
// bound) from crdb_internal.jobs, and the control statement for a job id.
// The id is an integer rendered by seam, never text from the command line:
// PAUSE/RESUME/CANCEL JOB take it as a literal. Throws InputError for an id
// that is not positive.
std::string list_jobs_sql();
std::string find_job_sql();
std::string control_job_sql(JobVerb v, int64_t id);

std::vector<Job> list_jobs(pqxx::connection& c);
std::optional<Job> find_job(pqxx::connection& c, int64_t id);
// Checks that `id` is a schema-change job in a state the verb applies to,
// sends the statement, and returns a one-line message. InputError for an
// unknown id or another kind of job (seam controls schema changes only).
std::string control_job(pqxx::connection& c, JobVerb v, int64_t id);

// Human-readable: a table, one line per job; one job in detail.
std::string format_jobs(const std::vector<Job>& jobs);
std::string format_job(const Job& j);

}  // namespace seam::cockroachdb
