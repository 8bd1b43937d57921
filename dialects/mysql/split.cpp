// The MySQL statement splitter; see split.hpp.
#include "dialects/mysql/split.hpp"

#include <cctype>

#include "schema/errors.hpp"

namespace seam::mysql {

namespace {

bool space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// MySQL needs whitespace (or the end) after "--" for a comment.
bool dash_comment_at(const std::string& s, size_t i) {
  return s.compare(i, 2, "--") == 0 && (i + 2 == s.size() || space(s[i + 2]));
}

[[noreturn]] void unterminated(const std::string& text, const std::string& file, size_t at,
                               const std::string& what) {
  auto [l, c] = line_col(text, at);
  throw InputError(file + ":" + std::to_string(l) + ":" + std::to_string(c) + ": unterminated " +
                   what + " starting here");
}

// Index just past the comment or quoted run starting at i, or i when there is none.
size_t skip_quoted_or_comment(const std::string& s, size_t i, const std::string& file) {
  char c = s[i];
  if (c == '\'' || c == '"' || c == '`') {
    size_t j = i + 1;
    for (;;) {
      if (j >= s.size())
        unterminated(
            s, file, i,
            c == '`' ? "quoted identifier" : std::string("string (") + c + "..." + c + ")");
      if (s[j] == '\\' && c != '`') {
        j += 2;
        continue;
      }
      if (s[j] == c) {
        if (j + 1 < s.size() && s[j + 1] == c) {  // doubled quote
          j += 2;
          continue;
        }
        return j + 1;
      }
      ++j;
    }
  }
  if (c == '#' || dash_comment_at(s, i)) {
    size_t j = s.find('\n', i);
    return j == std::string::npos ? s.size() : j + 1;
  }
  if (s.compare(i, 2, "/*") == 0) {
    size_t j = s.find("*/", i + 2);
    if (j == std::string::npos) unterminated(s, file, i, "comment (/* ... */)");
    return j + 2;
  }
  return i;
}

bool starts_word_ci(const std::string& s, size_t i, const std::string& word) {
  if (s.size() - i < word.size()) return false;
  for (size_t k = 0; k < word.size(); ++k)
    if (std::toupper(static_cast<unsigned char>(s[i + k])) != word[k]) return false;
  return i + word.size() == s.size() || space(s[i + word.size()]);
}

}  // namespace

std::pair<int, int> line_col(const std::string& text, size_t offset) {
  int line = 1, col = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

std::vector<SplitStatement> split_statements(const std::string& s, const std::string& file) {
  std::vector<SplitStatement> out;
  std::string delim = ";";
  size_t i = 0;
  size_t cursor = 0;  // line:col of `cursor` is (line, col)
  int line = 1, col = 1;
  while (i < s.size()) {
    // Leading space and comments (an executable /*! */ comment is a statement).
    if (space(s[i])) {
      ++i;
      continue;
    }
    if (s.compare(i, 3, "/*!") != 0) {
      size_t j = (s[i] == '#' || dash_comment_at(s, i) || s.compare(i, 2, "/*") == 0)
                     ? skip_quoted_or_comment(s, i, file)
                     : i;
      if (j != i) {
        i = j;
        continue;
      }
    }
    // A client-side DELIMITER line (mysql's command-line client syntax).
    if (starts_word_ci(s, i, "DELIMITER")) {
      size_t eol = s.find('\n', i);
      if (eol == std::string::npos) eol = s.size();
      std::string rest = s.substr(i + 9, eol - i - 9);
      size_t b = rest.find_first_not_of(" \t\r");
      size_t e = rest.find_last_not_of(" \t\r");
      if (b == std::string::npos) {
        auto [l, c] = line_col(s, i);
        throw InputError(file + ":" + std::to_string(l) + ":" + std::to_string(c) +
                         ": DELIMITER needs a delimiter (e.g. DELIMITER $$)");
      }
      delim = rest.substr(b, e - b + 1);
      i = eol;
      continue;
    }
    // The statement: up to the delimiter outside quotes and comments.
    size_t start = i, end = s.size(), next = s.size();
    while (i < s.size()) {
      if (s.compare(i, delim.size(), delim) == 0) {
        end = i;
        next = i + delim.size();
        break;
      }
      size_t j = skip_quoted_or_comment(s, i, file);
      i = j == i ? i + 1 : j;
    }
    if (i >= s.size()) end = next = s.size();
    size_t stop = end;
    while (stop > start && space(s[stop - 1])) --stop;
    if (stop > start) {
      SplitStatement st;
      st.offset = start;
      st.text = s.substr(start, stop - start);
      // Advance a cursor instead of rescanning from the top: statements come in
      // order, so a whole file costs one pass (dumps have thousands of them).
      for (; cursor < start; ++cursor) {
        if (s[cursor] == '\n') {
          ++line;
          col = 1;
        } else {
          ++col;
        }
      }
      st.line = line;
      st.col = col;
      out.push_back(std::move(st));
    }
    i = next;
  }
  return out;
}

}  // namespace seam::mysql
