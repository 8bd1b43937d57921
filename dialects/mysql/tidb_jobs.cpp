// TiDB job control; see tidb_jobs.hpp.
#include "dialects/mysql/tidb_jobs.hpp"

#include <algorithm>

#include "dialects/mysql/detect.hpp"
#include "schema/errors.hpp"

namespace seam::mysql {

const char* to_string(JobVerb v) {
  switch (v) {
    case JobVerb::List:
      return "list";
    case JobVerb::Show:
      return "show";
    case JobVerb::Pause:
      return "pause";
    case JobVerb::Resume:
      return "resume";
    case JobVerb::Cancel:
      return "cancel";
  }
  return "?";
}

int64_t parse_job_id(const std::string& text) {
  bool digits = !text.empty() && text.size() <= 18 &&
                std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits || std::stoll(text) <= 0)
    throw InputError("job id \"" + text +
                     "\": expected a positive integer (ADMIN SHOW DDL JOBS, JOB_ID)");
  return std::stoll(text);
}

std::vector<std::string> job_statements(JobVerb verb, int64_t id, const compat::Version& v) {
  if (verb != JobVerb::List && id <= 0)
    throw InputError("job id " + std::to_string(id) +
                     ": expected a positive integer (ADMIN SHOW DDL JOBS, JOB_ID)");
  const std::string n = std::to_string(id);
  if (verb == JobVerb::Pause || verb == JobVerb::Resume) {
    const compat::Entry& e = compat::builtin("tidb").at("ddl_job_control", v);
    if (e.strategy == "unsupported")
      throw UnsupportedError("seam jobs " + std::string(to_string(verb)) + " on TiDB " + v.str() +
                             ": " + e.notes + " (compat-matrix/tidb.yaml ddl_job_control " +
                             e.versions() + ")");
  }
  switch (verb) {
    case JobVerb::List:
      return {"ADMIN SHOW DDL JOBS"};
    case JobVerb::Show:
      return {"ADMIN SHOW DDL JOBS 1000 WHERE JOB_ID = " + n, "ADMIN SHOW DDL JOB QUERIES " + n};
    case JobVerb::Pause:
      return {"ADMIN PAUSE DDL JOBS " + n};
    case JobVerb::Resume:
      return {"ADMIN RESUME DDL JOBS " + n};
    case JobVerb::Cancel:
      return {"ADMIN CANCEL DDL JOBS " + n};
  }
  return {};
}

std::string format_table(const std::vector<std::string>& columns, const std::vector<Row>& rows) {
  std::vector<size_t> width(columns.size());
  auto cell = [](const Row& r, size_t i) {
    return i < r.size() && r[i] ? *r[i] : std::string("NULL");
  };
  for (size_t i = 0; i < columns.size(); ++i) {
    width[i] = columns[i].size();
    for (const auto& r : rows) width[i] = std::max(width[i], cell(r, i).size());
  }
  auto line = [&](auto get) {
    std::string out;
    for (size_t i = 0; i < columns.size(); ++i) {
      std::string v = get(i);
      out += (i ? "  " : "") + v +
             (i + 1 < columns.size() ? std::string(width[i] - v.size(), ' ') : "");
    }
    return out + "\n";
  };
  std::string out = line([&](size_t i) { return columns[i]; });
  out += line([&](size_t i) { return std::string(width[i], '-'); });
  for (const auto& r : rows) out += line([&](size_t i) { return cell(r, i); });
  if (rows.empty()) out += "(no rows)\n";
  return out;
}

std::string run_job_verb(Connection& c, JobVerb verb, int64_t id) {
  ServerKind k = detect(c);
  if (!k.tidb)
    throw UnsupportedError("seam jobs " + std::string(to_string(verb)) + ": the server is " +
                           k.describe() +
                           ", not TiDB; ADMIN SHOW/PAUSE/RESUME/CANCEL DDL JOBS exist only on "
                           "TiDB, and seam apply keeps no job ledger on MySQL-family servers");
  std::string out;
  for (const auto& sql : job_statements(verb, id, *k.tidb)) {
    std::vector<std::string> columns;
    auto rows = c.query(sql, &columns);
    if (!out.empty()) out += "\n";
    out += columns.empty() ? "" : format_table(columns, rows);
  }
  return out;
}

}  // namespace seam::mysql
