// Reading desired-state SQL: files and directories (sorted, recursive), psql
// meta-commands blanked out, statements located by line and column, and
// `-- seam:` annotations collected. Shared by the offline loader and the
// dev-database path, so both report the same file:line:col.
#pragma once

#include <string>
#include <vector>

#include "schema/model.hpp"

namespace seam::schema {

struct SqlFile {
  std::string path;  // as given/relative, used in messages
  std::string text;  // psql meta-command lines replaced by spaces (offsets preserved)
  std::vector<size_t> line_starts;
  SourcePos pos_at(size_t offset) const;  // 0-based byte offset -> 1-based line:col
};

struct Annotation {
  int line = 0;
  std::string key, value;
};

struct Statement {
  const SqlFile* file = nullptr;
  size_t offset = 0;  // start of the statement text (after leading space/comments)
  size_t length = 0;
  std::string text() const { return file->text.substr(offset, length); }
  SourcePos pos() const { return file->pos_at(offset); }
};

// All .sql files below a directory, sorted by path (or the single file given).
std::vector<std::string> list_sql_files(const std::string& path);
SqlFile read_sql_file(const std::string& path, const std::string& display_name);
SqlFile make_sql_file(std::string text, const std::string& display_name);

// `-- seam:key value` comments in a file, in line order.
std::vector<Annotation> find_annotations(const SqlFile& f);

// Split into statements with libpg_query's scanner (works for syntax the
// offline parser does not know, e.g. PostgreSQL 16+). Throws InputError
// naming file:line:col on unterminated quotes/comments.
std::vector<Statement> split_statements(const SqlFile& f);

}  // namespace seam::schema
