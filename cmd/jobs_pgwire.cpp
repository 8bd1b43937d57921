// See jobs_pgwire.hpp. Nothing here has run against CockroachDB.
#include "cmd/jobs_pgwire.hpp"

#include <iostream>

#include "dialects/cockroachdb/jobs.hpp"
#include "dialects/pgwire/detect.hpp"
#include "dialects/postgres/conn.hpp"
#include "schema/errors.hpp"

namespace seam::cmd {

namespace {

// One product's schema-change jobs behind seam's verbs.
struct DbJobs {
  const char* dialect;
  std::string (*list)(pqxx::connection&);
  std::string (*show)(pqxx::connection&, int64_t);
  std::string (*control)(pqxx::connection&, const std::string& verb, int64_t);
};

std::string crdb_list(pqxx::connection& c) {
  return cockroachdb::format_jobs(cockroachdb::list_jobs(c));
}

std::string crdb_show(pqxx::connection& c, int64_t id) {
  auto j = cockroachdb::find_job(c, id);
  if (!j)
    throw InputError("CockroachDB has no job " + std::to_string(id) +
                     " (seam jobs list --db-jobs lists them)");
  return cockroachdb::format_job(*j);
}

std::string crdb_control(pqxx::connection& c, const std::string& verb, int64_t id) {
  auto v = verb == "pause"    ? cockroachdb::JobVerb::Pause
           : verb == "resume" ? cockroachdb::JobVerb::Resume
                              : cockroachdb::JobVerb::Cancel;
  return "seam: " + cockroachdb::control_job(c, v, id) + "\n";
}

const DbJobs kProducts[] = {
    {"cockroachdb", crdb_list, crdb_show, crdb_control},
};

// Why a product has no row, and what to watch instead.
std::string no_jobs(const pgwire::Server& s) {
  if (s.dialect == "postgres")
    return "PostgreSQL runs a schema change in the session that sent it and has no jobs of its "
           "own; drop "
           "--db-job(s) to see and steer seam's jobs";
  if (s.dialect == "yugabytedb")
    return "YugabyteDB runs schema changes in the session that sent them (no job to pause or "
           "cancel); "
           "pg_stat_progress_create_index shows an index backfill";
  if (s.dialect == "spanner-pg")
    return "Spanner runs schema changes as long-running operations that SQL cannot see; use "
           "`gcloud spanner "
           "operations list --type=DATABASE_UPDATE_DDL` and `gcloud spanner operations cancel`";
  return pgwire::describe(s) + " has no schema-change jobs seam knows how to control";
}

}  // namespace

void run_pgwire_db_jobs(const std::string& verb, const std::string& url, int64_t job) {
  auto c = pg::connect(url);
  pgwire::Server s = pgwire::detect(*c);
  const DbJobs* p = nullptr;
  for (const auto& row : kProducts)
    if (s.dialect == row.dialect) p = &row;
  if (!p)
    throw UnsupportedError("seam jobs " + verb + " --db-job" + (verb == "list" ? "s" : "") + ": " +
                           no_jobs(s));
  if (verb == "list")
    std::cout << p->list(*c);
  else if (verb == "show")
    std::cout << p->show(*c, job);
  else
    std::cout << p->control(*c, verb, job);
  std::cout << std::flush;
}

}  // namespace seam::cmd
