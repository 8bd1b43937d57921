// The desired-state loader: SQL files -> schema::Catalog, offline, with
// libpg_query. Every CREATE / ALTER / COMMENT statement is applied to the
// model in file order (directories: all .sql files, sorted, recursively).
// Anything it does not understand is an InputError or UnsupportedError that
// names file:line:col - never silently skipped.
//
//   schema::LoadResult r = schema::load_path("schema/");
//   for (auto& w : r.warnings) std::cerr << w << "\n";
//   use(r.catalog);
#pragma once

#include <string>
#include <vector>

#include "schema/model.hpp"
#include "schema/sql_file.hpp"

namespace seam::schema {

struct LoadOptions {
  // Statements seam does not manage (GRANT, REVOKE, OWNER TO, ALTER DEFAULT
  // PRIVILEGES, SET, pg_dump's set_config): skipped with a warning when true,
  // an error when false.
  bool skip_unmanaged = true;
};

struct LoadResult {
  Catalog catalog;
  std::vector<std::string> warnings;  // "file:line:col: skipped GRANT (privileges are not managed by seam)"
};

LoadResult load_path(const std::string& path, const LoadOptions& opts = {});
LoadResult load_files(const std::vector<SqlFile>& files, const LoadOptions& opts = {});
// Convenience for tests: one in-memory file.
LoadResult load_sql(const std::string& sql, const std::string& name = "input.sql",
                    const LoadOptions& opts = {});

}  // namespace seam::schema
