// The MySQL-dialect desired-state loader; see load.hpp.
#include "dialects/mysql/load.hpp"

#include <atomic>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <unistd.h>

#include "dialects/mysql/inspect.hpp"
#include "dialects/mysql/split.hpp"
#include "schema/errors.hpp"
#include "schema/sql_file.hpp"

namespace fs = std::filesystem;

namespace seam::mysql {

namespace {

// The first `n` words of a statement, upper case (an executable /*! */
// comment yields "/*!").
std::vector<std::string> first_words(const std::string& s, size_t n) {
  std::vector<std::string> out;
  size_t i = 0;
  while (out.size() < n && i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (s.compare(i, 3, "/*!") == 0) {
      out.push_back("/*!");
      break;
    }
    size_t b = i;
    while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_')) ++i;
    if (i == b) break;
    std::string w = s.substr(b, i - b);
    for (auto& ch : w) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    out.push_back(w);
  }
  return out;
}

std::string where(const SourceFile& f, const SplitStatement& st) {
  return f.name + ":" + std::to_string(st.line) + ":" + std::to_string(st.col);
}

std::string excerpt(const std::string& text) {
  std::string one;
  for (char ch : text.substr(0, 120)) one += (ch == '\n' || ch == '\r' || ch == '\t') ? ' ' : ch;
  return text.size() > 120 ? one + " ..." : one;
}

// For a syntax error ("... near 'xyz' at line 3"), the position of xyz in the
// file; otherwise the statement's start.
std::string error_position(const SourceFile& f, const SplitStatement& st, const std::string& msg) {
  static const std::regex near(R"(near '([\s\S]*)' at line (\d+)$)");
  std::smatch m;
  if (!std::regex_search(msg, m, near)) return where(f, st);
  int stmt_line = std::stoi(m[2].str());
  size_t line_start = 0;
  for (int l = 1; l < stmt_line; ++l) {
    size_t nl = st.text.find('\n', line_start);
    if (nl == std::string::npos) return where(f, st);
    line_start = nl + 1;
  }
  // The server quotes at most 80 characters of the rest of the statement.
  std::string near_text = m[1].str().substr(0, 20);
  size_t at = near_text.empty() ? std::string::npos : st.text.find(near_text, line_start);
  if (at == std::string::npos) at = line_start;
  auto [l, c] = line_col(f.text, st.offset + at);
  return f.name + ":" + std::to_string(l) + ":" + std::to_string(c);
}

// Skipped with a warning: per-environment or session-control statements.
const char* unmanaged(const std::vector<std::string>& w) {
  if (w.empty()) return nullptr;
  const std::string& a = w[0];
  if (a == "GRANT" || a == "REVOKE") return "privileges are not managed by seam";
  if (a == "LOCK" || a == "UNLOCK") return "table locks are a dump artefact";
  if (a == "START" || a == "BEGIN" || a == "COMMIT" || a == "ROLLBACK")
    return "transaction control has no meaning in a desired state";
  if (a == "CREATE" && w.size() > 1 && (w[1] == "USER" || w[1] == "ROLE"))
    return "users and roles are not managed by seam";
  return nullptr;
}

// An error: not schema, or would leave the scratch database.
std::string refused(const std::vector<std::string>& w) {
  if (w.empty()) return "";
  const std::string& a = w[0];
  static const std::vector<std::string> dml{"INSERT",   "UPDATE", "DELETE", "REPLACE", "LOAD",
                                            "SELECT",   "WITH",   "CALL",   "DO",      "HANDLER",
                                            "TRUNCATE", "TABLE",  "VALUES"};
  if (std::find(dml.begin(), dml.end(), a) != dml.end())
    return a +
           " is not schema: the desired state holds DDL only (load data with your own "
           "tooling)";
  if (a == "USE")
    return "USE switches databases; seam loads every file into one database, so remove it";
  if ((a == "CREATE" || a == "DROP" || a == "ALTER") && w.size() > 1 &&
      (w[1] == "DATABASE" || w[1] == "SCHEMA"))
    return a + " " + w[1] +
           ": the files describe the contents of one database; remove the statement";
  return "";
}

}  // namespace

LoadResult load_files(Connection& c, const std::vector<SourceFile>& files,
                      const LoadOptions& opts) {
  static std::atomic<int> counter{0};
  const std::string scratch =
      "seam_desired_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  const std::string q = quote_ident(scratch);
  c.exec("DROP DATABASE IF EXISTS " + q);
  c.exec("CREATE DATABASE " + q);
  struct Dropper {
    Connection& c;
    std::string q;
    ~Dropper() {
      try {
        c.exec("DROP DATABASE IF EXISTS " + q);
      } catch (...) {
      }
    }
  } dropper{c, q};
  c.exec("USE " + q);

  LoadResult res;
  for (const auto& f : files) {
    for (const auto& st : split_statements(f.text, f.name)) {
      auto w = first_words(st.text, 2);
      if (const char* why = unmanaged(w)) {
        res.warnings.push_back(where(f, st) + ": skipped " + w[0] + " (" + why + ")");
        continue;
      }
      if (std::string why = refused(w); !why.empty())
        throw InputError(where(f, st) + ": " + why + ": " + excerpt(st.text));
      try {
        c.exec(st.text);
      } catch (const ServerError& e) {
        throw InputError(error_position(f, st, e.what()) + ": the MySQL-dialect dev server (" +
                         c.server_info() + ") rejected this statement: " + e.what() + " (error " +
                         std::to_string(e.code) + ", SQLSTATE " + e.sqlstate +
                         "): " + excerpt(st.text));
      }
    }
  }
  res.catalog = inspect(c, scratch, InspectOptions{opts.schema_name});
  std::string names;
  for (const auto& f : files) names += (names.empty() ? "" : ", ") + f.name;
  res.catalog.source = "files: " + names + " (through " + c.server_info() + ")";
  return res;
}

LoadResult load_path(Connection& c, const std::string& path, const LoadOptions& opts) {
  std::vector<SourceFile> files;
  for (const auto& p : schema::list_sql_files(path)) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw InputError(p + ": cannot read the file");
    std::ostringstream ss;
    ss << in.rdbuf();
    files.push_back(SourceFile{p, ss.str()});
  }
  if (files.empty()) throw InputError(path + ": no .sql files");
  return load_files(c, files, opts);
}

}  // namespace seam::mysql
