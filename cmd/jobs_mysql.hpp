// `seam jobs` against a mysql:// URL: TiDB's own DDL jobs behind seam's job
// verbs (dialects/mysql/tidb_jobs.hpp). The dialect dispatch of cmd/jobs.cpp.
#pragma once

#include <cstdint>
#include <string>

namespace seam::cmd {

// Handles `seam jobs <verb>` when `url` is a mysql:// URL and returns true;
// returns false for any other URL. Verbs TiDB has no counterpart for
// (approve, rollback) and servers that are not TiDB are UnsupportedErrors.
bool run_mysql_jobs(const std::string& verb, const std::string& url, int64_t job);

}  // namespace seam::cmd
