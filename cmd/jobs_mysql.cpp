// See jobs_mysql.hpp. The URL's password is never printed.
#include "cmd/jobs_mysql.hpp"

#include <iostream>

#include "dialects/mysql/tidb_jobs.hpp"
#include "dialects/mysql/url.hpp"
#include "schema/errors.hpp"

namespace seam::cmd {

bool run_mysql_jobs(const std::string& verb, const std::string& url, int64_t job) {
  if (!mysql::is_mysql_url(url)) return false;
  mysql::JobVerb v;
  if (verb == "list")
    v = mysql::JobVerb::List;
  else if (verb == "show")
    v = mysql::JobVerb::Show;
  else if (verb == "pause")
    v = mysql::JobVerb::Pause;
  else if (verb == "resume")
    v = mysql::JobVerb::Resume;
  else if (verb == "cancel")
    v = mysql::JobVerb::Cancel;
  else
    throw UnsupportedError("seam jobs " + verb +
                           " on a MySQL-family server: seam apply does not run TiDB plans yet, "
                           "so there is no seam job to " +
                           verb +
                           "; TiDB's own DDL jobs take list, show, pause, resume and cancel");
  mysql::Url u = mysql::parse_url(url);
  mysql::Connection c = mysql::connect(u);
  std::cout << mysql::run_job_verb(c, v, job) << std::flush;
  return true;
}

}  // namespace seam::cmd
