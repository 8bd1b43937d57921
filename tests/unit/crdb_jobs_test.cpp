// CockroachDB job control (dialects/cockroachdb/jobs.hpp): the SQL each verb
// sends and the rendering, without a server (none runs here; the statements
// have NOT been run against CockroachDB).
#include <gtest/gtest.h>

#include "dialects/cockroachdb/jobs.hpp"
#include "schema/errors.hpp"

namespace {

using namespace seam::cockroachdb;

TEST(CrdbJobs, ListSelectsSchemaChangeJobsFromShowJobs) {
  EXPECT_EQ(list_jobs_sql(),
            "SELECT job_id, job_type, status, running_status, fraction_completed, description, "
            "created::STRING, "
            "error FROM [SHOW JOBS] WHERE job_type IN ('SCHEMA CHANGE', 'NEW SCHEMA CHANGE', "
            "'TYPEDESC SCHEMA "
            "CHANGE', 'SCHEMA CHANGE GC') ORDER BY created DESC, job_id");
}

TEST(CrdbJobs, ShowBindsTheId) {
  EXPECT_EQ(find_job_sql(),
            "SELECT job_id, job_type, status, running_status, fraction_completed, description, "
            "created::STRING, "
            "error FROM crdb_internal.jobs WHERE job_id = $1");
}

TEST(CrdbJobs, ControlStatements) {
  EXPECT_EQ(control_job_sql(JobVerb::Pause, 977360183726817281), "PAUSE JOB 977360183726817281");
  EXPECT_EQ(control_job_sql(JobVerb::Resume, 42), "RESUME JOB 42");
  EXPECT_EQ(control_job_sql(JobVerb::Cancel, 7), "CANCEL JOB 7");
  EXPECT_THROW(control_job_sql(JobVerb::Pause, 0), seam::InputError);
  EXPECT_THROW(control_job_sql(JobVerb::Cancel, -3), seam::InputError);
}

TEST(CrdbJobs, Rendering) {
  Job j;
  j.id = 977360183726817281;
  j.type = "NEW SCHEMA CHANGE";
  j.status = "running";
  j.fraction_completed = 0.42;
  j.description = "CREATE INDEX users_email_idx ON defaultdb.public.users (email)";
  j.created = "2024-08-12 17:44:52.123456";
  EXPECT_EQ(format_jobs({j}),
            "job_id               status     done  type                    description\n"
            "977360183726817281   running     42%  NEW SCHEMA CHANGE       CREATE INDEX "
            "users_email_idx ON "
            "defaultdb.public.users (email)\n");
  std::string one = format_job(j);
  EXPECT_NE(one.find("job 977360183726817281 (CockroachDB NEW SCHEMA CHANGE)"), std::string::npos)
      << one;
  EXPECT_NE(one.find("done:            42%"), std::string::npos) << one;
  EXPECT_EQ(one.find("error:"), std::string::npos) << one;
  EXPECT_NE(format_jobs({}).find("no schema-change jobs"), std::string::npos);
}

}  // namespace
