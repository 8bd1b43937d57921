// The lexical name scan of name_scan.hpp. Not a parser: it only has to know
// where names cannot be (literals, comments, dollar quotes, numbers) and how a
// qualified, quoted name is spelled.
#include "schema/name_scan.hpp"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

namespace seam::schema {

namespace {

bool ident_start(unsigned char c) {
  return std::isalpha(c) || c == '_' || c >= 0x80;
}
bool ident_char(unsigned char c) {
  return std::isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

// Reads a (possibly qualified, possibly quoted) name at t[i]; advances i.
std::vector<std::string> read_name(std::string_view t, size_t& i) {
  std::vector<std::string> parts;
  size_t n = t.size();
  while (i < n) {
    std::string part;
    if (t[i] == '"') {
      for (++i; i < n; ++i) {
        if (t[i] == '"') {
          if (i + 1 < n && t[i + 1] == '"') {
            part += '"';
            ++i;
            continue;
          }
          ++i;
          break;
        }
        part += t[i];
      }
    } else {
      while (i < n && ident_char(t[i])) {
        char ch = t[i++];
        part += (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
      }
    }
    parts.push_back(std::move(part));
    if (i + 1 < n && t[i] == '.' && (ident_start(t[i + 1]) || t[i + 1] == '"'))
      ++i;
    else
      break;
  }
  return parts;
}

void add_parts(const std::vector<std::string>& parts, bool call, NameRefs& out) {
  if (parts.empty()) return;
  auto& dst = call ? out.calls : out.names;
  if (parts.size() == 1) {
    dst.insert({"public", parts[0]});
    return;
  }
  dst.insert({parts[0], parts[1]});                     // schema.name (or table.column)
  dst.insert({parts[parts.size() - 2], parts.back()});  // database.schema.name
  out.names.insert({"public", parts[0]});               // table.column
}

// The string literal starting at t[i] (a quote); returns its text and leaves
// i after the closing quote. E'' strings take backslash escapes.
std::string read_literal(std::string_view t, size_t& i) {
  size_t n = t.size();
  bool esc = i > 0 && (t[i - 1] == 'E' || t[i - 1] == 'e');
  std::string lit;
  for (++i; i < n; ++i) {
    if (esc && t[i] == '\\') {
      if (++i < n) lit += t[i];
      continue;
    }
    if (t[i] == '\'') {
      if (i + 1 < n && t[i + 1] == '\'') {
        lit += '\'';
        ++i;
        continue;
      }
      break;
    }
    lit += t[i];
  }
  ++i;
  return lit;
}

}  // namespace

void scan_names(std::string_view t, NameRefs& out) {
  size_t i = 0, n = t.size();
  while (i < n) {
    unsigned char c = t[i];
    if (c == '\'') {
      std::string lit = read_literal(t, i);
      if (t.substr(std::min(i, n), 10) == "::regclass") {
        size_t j = 0;
        add_parts(read_name(lit, j), false, out);
      }
    } else if (c == '-' && i + 1 < n && t[i + 1] == '-') {
      while (i < n && t[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < n && t[i + 1] == '*') {
      size_t e = t.find("*/", i + 2);
      i = e == std::string_view::npos ? n : e + 2;
    } else if (c == '$') {
      // $tag$ ... $tag$ is skipped whole; $1 (a parameter) is not a quote.
      size_t j = i + 1;
      while (j < n && ident_char(t[j]) && t[j] != '$' &&
             !std::isdigit(static_cast<unsigned char>(t[i + 1])))
        ++j;
      if (j < n && t[j] == '$') {
        std::string_view tag = t.substr(i, j - i + 1);
        size_t e = t.find(tag, j + 1);
        i = e == std::string_view::npos ? n : e + tag.size();
      } else {
        i = j + 1;
      }
    } else if (std::isdigit(c)) {
      while (i < n && (ident_char(t[i]) || t[i] == '.')) ++i;
    } else if (ident_start(c) || c == '"') {
      auto parts = read_name(t, i);
      size_t j = i;
      while (j < n && std::isspace(static_cast<unsigned char>(t[j]))) ++j;
      add_parts(parts, j < n && t[j] == '(', out);
    } else {
      ++i;
    }
  }
}

bool mentions(std::string_view text, std::string_view word) {
  if (word.empty()) return false;
  for (size_t p = text.find(word); p != std::string_view::npos; p = text.find(word, p + 1)) {
    auto ident = [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
    };
    bool before = p == 0 || !ident(text[p - 1]);
    bool after = p + word.size() >= text.size() || !ident(text[p + word.size()]);
    if (before && after) return true;
  }
  return false;
}

bool index_mentions(const Index& ix, const std::string& col) {
  for (const auto& e : ix.elems)
    if (e.column == col || (e.expr && mentions(e.expr->text, col))) return true;
  if (std::find(ix.include.begin(), ix.include.end(), col) != ix.include.end()) return true;
  return ix.where && mentions(ix.where->text, col);
}

bool constraint_mentions(const Constraint& k, const std::string& col) {
  if (std::find(k.columns.begin(), k.columns.end(), col) != k.columns.end()) return true;
  if (std::find(k.include.begin(), k.include.end(), col) != k.include.end()) return true;
  for (const auto& e : k.elems)
    if (e.column == col || (e.expr && mentions(e.expr->text, col))) return true;
  return (k.check && mentions(k.check->text, col)) || (k.where && mentions(k.where->text, col));
}

}  // namespace seam::schema
