// Splitting a MySQL-dialect SQL file into statements without parsing it (the
// server parses; libpg_query cannot): statements end at the delimiter (`;`, or
// what a client-style `DELIMITER $$` line sets) outside '...' and "..."
// strings (backslash escapes, doubled quotes), `...` identifiers and comments
// (`-- `, `#`, `/* */`; `/*! ... */` executable comments stay part of the
// statement text). Each statement keeps its byte offset and 1-based line:col
// so that every error can name file:line:col.
#pragma once

#include <string>
#include <vector>

namespace seam::mysql {

struct SplitStatement {
  size_t offset = 0;  // first byte of the statement (after leading space and comments)
  std::string text;   // without the delimiter and trailing space
  int line = 1, col = 1;
};

// Throws InputError "file:line:col: unterminated ..." for a string, quoted
// identifier or comment that never ends.
std::vector<SplitStatement> split_statements(const std::string& text, const std::string& file);

// 1-based line:col of byte `offset` in `text`.
std::pair<int, int> line_col(const std::string& text, size_t offset);

}  // namespace seam::mysql
