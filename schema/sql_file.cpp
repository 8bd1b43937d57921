#include "schema/sql_file.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "schema/errors.hpp"
#include "schema/pgq.hpp"

namespace fs = std::filesystem;

namespace seam::schema {

SourcePos SqlFile::pos_at(size_t offset) const {
  auto it = std::upper_bound(line_starts.begin(), line_starts.end(), offset);
  size_t line = it - line_starts.begin();  // 1-based since line_starts[0] == 0
  size_t col = offset - line_starts[line - 1] + 1;
  return {path, static_cast<int>(line), static_cast<int>(col)};
}

std::vector<std::string> list_sql_files(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec))
    throw InputError("schema path " + path + " does not exist; pass a .sql file or a directory of .sql files");
  if (!fs::is_directory(path, ec)) return {path};
  std::vector<std::string> out;
  for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::follow_directory_symlink);
       it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_regular_file() && it->path().extension() == ".sql") out.push_back(it->path().string());
  }
  std::sort(out.begin(), out.end());
  if (out.empty()) throw InputError("no .sql files found under " + path);
  return out;
}

// psql meta-commands (\restrict, \connect, \set ...) are not SQL: blank them
// so libpg_query sees valid input while byte offsets stay the same.
static void blank_meta_commands(std::string& text) {
  size_t i = 0;
  while (i < text.size()) {
    size_t eol = text.find('\n', i);
    if (eol == std::string::npos) eol = text.size();
    size_t j = i;
    while (j < eol && (text[j] == ' ' || text[j] == '\t')) j++;
    if (j < eol && text[j] == '\\')
      for (size_t k = j; k < eol; k++) text[k] = ' ';
    i = eol + 1;
  }
}

SqlFile make_sql_file(std::string text, const std::string& display_name) {
  SqlFile f;
  f.path = display_name;
  f.text = std::move(text);
  blank_meta_commands(f.text);
  f.line_starts.push_back(0);
  for (size_t i = 0; i < f.text.size(); i++)
    if (f.text[i] == '\n') f.line_starts.push_back(i + 1);
  return f;
}

SqlFile read_sql_file(const std::string& path, const std::string& display_name) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return make_sql_file(ss.str(), display_name);
}

std::vector<Annotation> find_annotations(const SqlFile& f) {
  std::vector<Annotation> out;
  // Only real comments count: take comment tokens from the scanner.
  std::string err;
  auto toks = pgq::scan(f.text, &err);
  for (const auto& t : toks) {
    if (t.token != PG_QUERY__TOKEN__SQL_COMMENT) continue;
    std::string_view c(f.text.data() + t.start, t.end - t.start);
    size_t p = c.find("seam:");
    if (c.substr(0, 2) != "--" || p == std::string_view::npos) continue;
    std::string_view body = c.substr(p + 5);
    size_t sp = body.find_first_of(" \t");
    Annotation a;
    a.line = f.pos_at(t.start).line;
    a.key = std::string(body.substr(0, sp));
    if (sp != std::string_view::npos) {
      std::string_view v = body.substr(sp);
      size_t b = v.find_first_not_of(" \t");
      size_t e = v.find_last_not_of(" \t\r");
      if (b != std::string_view::npos) a.value = std::string(v.substr(b, e - b + 1));
    }
    out.push_back(a);
  }
  return out;
}

std::vector<Statement> split_statements(const SqlFile& f) {
  std::string err;
  auto toks = pgq::scan(f.text, &err);
  if (!err.empty()) {
    // The scanner reports no position; find the unterminated construct by
    // splitting with the scanner API, which does.
    PgQuerySplitResult r = pg_query_split_with_scanner(f.text.c_str());
    SourcePos p = f.pos_at(r.error && r.error->cursorpos > 0 ? r.error->cursorpos - 1 : 0);
    std::string msg = r.error && r.error->message ? r.error->message : err;
    pg_query_free_split_result(r);
    throw InputError(p.str() + ": " + msg);
  }
  std::vector<Statement> out;
  size_t start = std::string::npos;
  size_t last_end = 0;
  // Inside a BEGIN ATOMIC ... END function body, semicolons end inner statements.
  int atomic_depth = 0;
  int prev = 0;
  for (const auto& t : toks) {
    if (t.token == PG_QUERY__TOKEN__SQL_COMMENT || t.token == PG_QUERY__TOKEN__C_COMMENT) continue;
    if (t.token == PG_QUERY__TOKEN__ATOMIC && prev == PG_QUERY__TOKEN__BEGIN_P) atomic_depth = 1;
    else if (atomic_depth && t.token == PG_QUERY__TOKEN__CASE) atomic_depth++;
    else if (atomic_depth && t.token == PG_QUERY__TOKEN__END_P) atomic_depth--;
    prev = t.token;
    if (t.token == ';' && atomic_depth == 0) {
      if (start != std::string::npos) out.push_back({&f, start, last_end - start});
      start = std::string::npos;
      continue;
    }
    if (start == std::string::npos) start = t.start;
    last_end = t.end;
  }
  if (start != std::string::npos) out.push_back({&f, start, last_end - start});
  return out;
}

}  // namespace seam::schema
