// Loader driver: files -> parse -> statements applied in order -> finish().
#include <algorithm>
#include <cctype>

#include "schema/load_ctx.hpp"

namespace seam::schema {

SourcePos Loader::pos(int location) const {
  size_t off = location >= 0 ? static_cast<size_t>(location) : stmt_off;
  return file->pos_at(std::min(off, file->text.size()));
}

std::string Loader::excerpt() const {
  std::string t = file->text.substr(stmt_off, stmt_len);
  size_t nl = t.find('\n');
  if (nl != std::string::npos) t = t.substr(0, nl) + " ...";
  if (t.size() > 160) t = t.substr(0, 157) + "...";
  return t;
}

void Loader::fail(int location, const std::string& msg) const {
  throw InputError(pos(location).str() + ": " + msg + "\n  in statement: " + excerpt());
}

void Loader::unsupported(int location, const std::string& what) const {
  throw UnsupportedError(pos(location).str() + ": " + what + "\n  in statement: " + excerpt());
}

void Loader::warn(int location, const std::string& msg) {
  res.warnings.push_back(pos(location).str() + ": " + msg);
}

Annotations Loader::annotations(int from_line, int to_line) const {
  Annotations out;
  for (const auto& a : file_anns)
    if (a.line >= from_line && a.line <= to_line) out[a.key] = a.value;
  return out;
}

Annotations Loader::stmt_annotations() const {
  // Comments directly above the statement (contiguous comment lines) and on its first line.
  int first = pos(-1).line;
  int from = first;
  while (from > 1) {
    size_t ls = file->line_starts[from - 2];
    size_t le = file->line_starts[from - 1];
    std::string_view l(file->text.data() + ls, le - ls);
    size_t b = l.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos || l.substr(b, 2) != "--") break;
    from--;
  }
  return annotations(from, first);
}

std::string stmt_keyword_summary(std::string_view text) {
  std::string out;
  int words = 0;
  size_t i = 0;
  while (i < text.size() && words < 3) {
    while (i < text.size() && isspace(static_cast<unsigned char>(text[i]))) i++;
    size_t b = i;
    while (i < text.size() && isalpha(static_cast<unsigned char>(text[i]))) i++;
    if (i == b) break;
    std::string w(text.substr(b, i - b));
    for (auto& c : w) c = static_cast<char>(toupper(c));
    if (words && (w == "IF" || w == "OR")) break;
    out += (words ? " " : "") + w;
    words++;
    // a third word only where it is part of the statement's name (CREATE FOREIGN TABLE)
    static const char* multi[] = {"FOREIGN", "EVENT", "MATERIALIZED", "DEFAULT", "TEXT", "UNIQUE", "ACCESS", "OPERATOR", "USER", "UNLOGGED", "TEMP", "TEMPORARY", "CONSTRAINT"};
    if (words == 2 && std::none_of(std::begin(multi), std::end(multi), [&](const char* m) { return w == m; })) break;
  }
  return out.empty() ? "this statement" : out;
}

namespace {

void load_one(Loader& L, const SqlFile& f) {
  L.file = &f;
  L.file_anns = find_annotations(f);
  pgq::Tree t = pgq::parse(f.text);
  if (!t.ok()) {
    // cursorpos counts characters; the file is indexed by bytes
    size_t chars = t.cursor > 0 ? t.cursor - 1 : 0, off = 0;
    while (off < f.text.size() && chars > 0) {
      off++;
      while (off < f.text.size() && (static_cast<unsigned char>(f.text[off]) & 0xC0) == 0x80) off++;
      chars--;
    }
    SourcePos p = f.pos_at(off);
    throw InputError(p.str() + ": " + t.error +
                     " (offline parse with libpg_query, PostgreSQL 15 grammar; a schema that "
                     "uses PostgreSQL 16+ syntax must go through the dev-database path: "
                     "--dev-url or --dev embedded)");
  }
  for (size_t i = 0; i < t.result->n_stmts; i++) {
    const PgQuery__RawStmt* rs = t.result->stmts[i];
    L.stmt_off = rs->stmt_location;
    L.stmt_len = rs->stmt_len ? rs->stmt_len : f.text.size() - rs->stmt_location;
    // stmt_location points at the first byte after the previous ';' - skip
    // whitespace and comments so positions name the statement's first token.
    size_t off = L.stmt_off;
    size_t end = L.stmt_off + L.stmt_len;
    while (off < end) {
      if (isspace(static_cast<unsigned char>(f.text[off]))) {
        off++;
      } else if (f.text.compare(off, 2, "--") == 0) {
        size_t nl = f.text.find('\n', off);
        off = nl == std::string::npos ? end : nl + 1;
      } else if (f.text.compare(off, 2, "/*") == 0) {
        size_t ce = f.text.find("*/", off + 2);
        off = ce == std::string::npos ? end : ce + 2;
      } else {
        break;
      }
    }
    L.stmt_len = end - off;
    L.stmt_off = off;
    L.apply(rs->stmt);
  }
}

}  // namespace

LoadResult load_files(const std::vector<SqlFile>& files, const LoadOptions& opts) {
  Loader L;
  L.opts = opts;
  L.cat.source = "desired state";
  L.cat.schemas["public"] = Schema{"public", "", {}};
  for (const auto& f : files) {
    L.search_path = {"public"};  // each file starts with a fresh session
    load_one(L, f);
  }
  L.finish();
  return std::move(L.res);
}

LoadResult load_path(const std::string& path, const LoadOptions& opts) {
  std::vector<SqlFile> files;
  for (const auto& p : list_sql_files(path)) files.push_back(read_sql_file(p, p));
  LoadResult r = load_files(files, opts);
  r.catalog.source = "desired state: " + path;
  return r;
}

LoadResult load_sql(const std::string& sql, const std::string& name, const LoadOptions& opts) {
  std::vector<SqlFile> files;
  files.push_back(make_sql_file(sql, name));
  return load_files(files, opts);
}

}  // namespace seam::schema
