#include "dialects/cockroachdb/jobs.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include <pqxx/pqxx>

#include "schema/canon.hpp"
#include "schema/errors.hpp"

namespace seam::cockroachdb {

namespace {

const char* kColumns =
    "job_id, job_type, status, running_status, fraction_completed, description, created::STRING, "
    "error";

std::string type_list() {
  std::string out;
  for (const auto& t : schema_change_job_types())
    out += (out.empty() ? "" : ", ") + schema::quote_literal(t);
  return out;
}

Job job_of(const pqxx::row& r) {
  auto s = [](const pqxx::field& f) { return f.is_null() ? std::string() : f.as<std::string>(); };
  Job j;
  j.id = r[0].as<int64_t>();
  j.type = s(r[1]);
  j.status = s(r[2]);
  j.running_status = s(r[3]);
  if (!r[4].is_null()) j.fraction_completed = r[4].as<double>();
  j.description = s(r[5]);
  j.created = s(r[6]);
  j.error = s(r[7]);
  return j;
}

bool is_schema_change(const Job& j) {
  const auto& t = schema_change_job_types();
  return std::find(t.begin(), t.end(), j.type) != t.end();
}

std::string percent(const std::optional<double>& f) {
  if (!f) return "-";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.0f%%", *f * 100);
  return buf;
}

}  // namespace

const std::vector<std::string>& schema_change_job_types() {
  static const std::vector<std::string> types{"SCHEMA CHANGE", "NEW SCHEMA CHANGE",
                                              "TYPEDESC SCHEMA CHANGE", "SCHEMA CHANGE GC"};
  return types;
}

const char* to_string(JobVerb v) {
  switch (v) {
    case JobVerb::Pause:
      return "pause";
    case JobVerb::Resume:
      return "resume";
    case JobVerb::Cancel:
      return "cancel";
  }
  return "?";
}

std::string list_jobs_sql() {
  return std::string("SELECT ") + kColumns + " FROM [SHOW JOBS] WHERE job_type IN (" + type_list() +
         ") ORDER BY created DESC, job_id";
}

std::string find_job_sql() {
  return std::string("SELECT ") + kColumns + " FROM crdb_internal.jobs WHERE job_id = $1";
}

std::string control_job_sql(JobVerb v, int64_t id) {
  if (id <= 0)
    throw InputError("a CockroachDB job id is a positive integer, not " + std::to_string(id));
  const char* verb = v == JobVerb::Pause ? "PAUSE" : v == JobVerb::Resume ? "RESUME" : "CANCEL";
  return std::string(verb) + " JOB " + std::to_string(id);
}

std::vector<Job> list_jobs(pqxx::connection& c) {
  pqxx::nontransaction tx(c);
  std::vector<Job> out;
  for (const auto& r : tx.exec(list_jobs_sql())) out.push_back(job_of(r));
  return out;
}

std::optional<Job> find_job(pqxx::connection& c, int64_t id) {
  pqxx::nontransaction tx(c);
  auto r = tx.exec_params(find_job_sql(), id);
  if (r.empty()) return std::nullopt;
  return job_of(r[0]);
}

std::string control_job(pqxx::connection& c, JobVerb v, int64_t id) {
  std::string sql = control_job_sql(v, id);  // validates the id first
  auto j = find_job(c, id);
  if (!j)
    throw InputError("CockroachDB has no job " + std::to_string(id) +
                     " (seam jobs list --db-jobs lists them)");
  if (!is_schema_change(*j))
    throw InputError("CockroachDB job " + std::to_string(id) + " is a " + j->type +
                     " job, not a schema change; seam controls schema-change jobs only");
  // The states each statement accepts (docs: pause-job, resume-job, cancel-job).
  bool ok = v == JobVerb::Pause ? j->status == "running" || j->status == "pending"
            : v == JobVerb::Resume
                ? j->status == "paused"
                : j->status == "running" || j->status == "pending" || j->status == "paused";
  if (!ok)
    throw InputError("CockroachDB job " + std::to_string(id) + " is " + j->status + "; cannot " +
                     to_string(v) + " it");
  pqxx::nontransaction tx(c);
  tx.exec(sql);
  return std::string("CockroachDB job ") + std::to_string(id) + ": " + sql + " sent (it was " +
         j->status + "; `seam jobs show --db-job " + std::to_string(id) + "` shows its state)";
}

std::string format_jobs(const std::vector<Job>& jobs) {
  if (jobs.empty())
    return "no schema-change jobs (SHOW JOBS: running ones and those of the last 12 hours)\n";
  std::ostringstream o;
  o << "job_id               status     done  type                    description\n";
  for (const auto& j : jobs) {
    char line[96];
    std::snprintf(line, sizeof line, "%-20lld %-10s %4s  %-23s ", static_cast<long long>(j.id),
                  j.status.c_str(), percent(j.fraction_completed).c_str(), j.type.c_str());
    std::string d = j.description;
    std::replace(d.begin(), d.end(), '\n', ' ');
    o << line << d << "\n";
  }
  return o.str();
}

std::string format_job(const Job& j) {
  std::ostringstream o;
  o << "job " << j.id << " (CockroachDB " << j.type << ")\n"
    << "  status:          " << j.status << "\n"
    << "  running status:  " << (j.running_status.empty() ? "-" : j.running_status) << "\n"
    << "  done:            " << percent(j.fraction_completed) << "\n"
    << "  created:         " << j.created << "\n"
    << "  statement:       " << j.description << "\n";
  if (!j.error.empty()) o << "  error:           " << j.error << "\n";
  return o.str();
}

}  // namespace seam::cockroachdb
