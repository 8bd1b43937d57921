// The MySQL-dialect desired-state loader (TiDB): libpg_query cannot parse
// MySQL, so the files are executed statement by statement in a scratch
// database on a MySQL-compatible dev server (normally the MariaDB DevServer)
// and the result is read back with the information_schema inspector.
//
// Files: a directory's .sql files (sorted, recursive) or one file, split by
// dialects/mysql/split.hpp. Statements seam does not manage (GRANT, REVOKE,
// LOCK/UNLOCK TABLES, transaction control) are skipped with a warning naming
// file:line:col; data changes and queries (INSERT, UPDATE, DELETE, REPLACE,
// LOAD, SELECT, CALL, ...), USE and CREATE/DROP DATABASE are errors; every
// statement the server rejects is an InputError naming file:line:col (for a
// syntax error, the position of the text the server complains about).
//
//   mysql::DevServer dev;
//   auto conn = dev.connect();
//   mysql::LoadResult r = mysql::load_path(conn, "schema/", {.schema_name = "shop"});
#pragma once

#include <string>
#include <vector>

#include "dialects/mysql/client.hpp"
#include "schema/model.hpp"

namespace seam::mysql {

struct LoadOptions {
  // The schema name the loaded database gets in the model: the name of the
  // live database it will be compared with.
  std::string schema_name = "app";
};

struct LoadResult {
  schema::Catalog catalog;
  std::vector<std::string> warnings;  // "file:line:col: skipped GRANT (privileges are not managed)"
};

struct SourceFile {
  std::string name;  // as shown in messages
  std::string text;
};

// Creates a scratch database (dropped again before returning), runs every
// statement of `files` in order in it, and inspects it.
LoadResult load_files(Connection& c, const std::vector<SourceFile>& files,
                      const LoadOptions& opts = {});
LoadResult load_path(Connection& c, const std::string& path, const LoadOptions& opts = {});

}  // namespace seam::mysql
