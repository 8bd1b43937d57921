// Shared text helpers of the PostgreSQL renderers (see render_util.hpp).
#include "dialects/postgres/render_util.hpp"

#include <cctype>
#include <cstdint>
#include <limits>

#include "dialects/postgres/render_create.hpp"
#include "schema/canon.hpp"

namespace seam::pg::render_detail {

using schema::quote_ident;

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::string ident_list(const std::vector<std::string>& names) {
  std::vector<std::string> q;
  q.reserve(names.size());
  for (const auto& n : names) q.push_back(quote_ident(n));
  return join(q, ", ");
}

const std::string& expr_text(const schema::Expr& e) { return e.text.empty() ? e.canon : e.text; }

bool has_expr(const std::optional<schema::Expr>& e) {
  return e && !(e->text.empty() && e->canon.empty());
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\n' || s[b] == '\r')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\n' || s[e - 1] == '\r')) --e;
  return std::string(s.substr(b, e - b));
}

// True when text is "( ... )" with the first parenthesis closing at the very
// end. Skips string literals and quoted identifiers so ')' inside them do not count.
static bool one_paren_group(std::string_view t) {
  if (t.size() < 2 || t.front() != '(' || t.back() != ')') return false;
  int depth = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    if (c == '\'' || c == '"') {
      for (++i; i < t.size(); ++i) {
        if (t[i] == c) {
          if (i + 1 < t.size() && t[i + 1] == c) {
            ++i;
            continue;
          }
          break;
        }
      }
      continue;
    }
    if (c == '(') ++depth;
    if (c == ')' && --depth == 0) return i == t.size() - 1;
  }
  return false;
}

std::string paren(std::string_view text) {
  std::string t = trim(text);
  if (one_paren_group(t)) return t;
  return "(" + t + ")";
}

std::string b_expr(std::string_view text) {
  std::string t = trim(text);
  // Split at top-level spaces (outside quotes and brackets).
  std::vector<std::string> tokens(1);
  int depth = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    if (c == '\'' || c == '"') {
      size_t j = i + 1;
      for (; j < t.size(); ++j) {
        if (t[j] == c) {
          if (j + 1 < t.size() && t[j + 1] == c) {
            ++j;
            continue;
          }
          break;
        }
      }
      tokens.back() += t.substr(i, j - i + 1);
      i = j;
      continue;
    }
    if (c == '(' || c == '[') ++depth;
    if (c == ')' || c == ']') --depth;
    if (depth == 0 && std::isspace(static_cast<unsigned char>(c))) {
      if (!tokens.back().empty()) tokens.emplace_back();
      continue;
    }
    tokens.back() += c;
  }
  if (tokens.size() == 1) return t;
  // "<operand>::multi word type": the words of PostgreSQL's SQL-standard type names.
  static const char* const kTypeWords[] = {"varying", "precision", "with", "without", "time", "zone", "to",
                                           "year", "month", "day", "hour", "minute", "second"};
  bool cast = tokens[0].find("::") != std::string::npos;
  for (size_t i = 1; cast && i < tokens.size(); ++i) {
    std::string w;
    for (char c : tokens[i]) {
      if (c == '(' || c == '[') break;
      w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    bool ok = false;
    for (const char* k : kTypeWords) ok = ok || w == k;
    cast = ok;
  }
  return cast ? t : paren(t);
}

std::string index_elem_sql(const schema::IndexElem& e) {
  std::string s;
  if (!e.column.empty()) {
    s = quote_ident(e.column);
  } else if (e.expr) {
    // An expression element must be parenthesised unless it is a bare
    // function call; parenthesising always is valid and unambiguous.
    s = paren(expr_text(*e.expr));
  }
  if (!e.collation.empty()) s += " COLLATE " + quote_collation(e.collation);
  if (!e.opclass.empty()) s += " " + e.opclass;
  if (e.desc) s += " DESC";
  if (e.nulls == 1) s += " NULLS FIRST";
  if (e.nulls == 2) s += " NULLS LAST";
  return s;
}

namespace {

struct Range {
  int64_t min, max;
};

Range type_range(const std::string& type) {
  if (type == "smallint") return {std::numeric_limits<int16_t>::min(), std::numeric_limits<int16_t>::max()};
  if (type == "integer") return {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
  return {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()};
}

}  // namespace

std::vector<std::string> sequence_option_clauses(const schema::SequenceOptions& o,
                                                 const std::string& type, bool with_as) {
  // The defaults CREATE SEQUENCE applies (DefineSequence/init_params): an
  // ascending sequence runs 1..type max, a descending one type min..-1, and
  // starts at its minimum (ascending) or maximum (descending).
  Range r = type_range(type);
  bool asc = o.increment > 0;
  int64_t def_min = asc ? 1 : r.min;
  int64_t def_max = asc ? r.max : -1;
  int64_t def_start = asc ? o.min : o.max;
  std::vector<std::string> out;
  if (with_as && type != "bigint") out.push_back("AS " + type);
  if (o.increment != 1) out.push_back("INCREMENT BY " + std::to_string(o.increment));
  if (o.min != def_min) out.push_back("MINVALUE " + std::to_string(o.min));
  if (o.max != def_max) out.push_back("MAXVALUE " + std::to_string(o.max));
  if (o.start != def_start) out.push_back("START WITH " + std::to_string(o.start));
  if (o.cache != 1) out.push_back("CACHE " + std::to_string(o.cache));
  if (o.cycle) out.push_back("CYCLE");
  return out;
}

// Byte length of the longest prefix of s not longer than n that does not cut
// a UTF-8 sequence (the server's pg_mbcliplen for UTF-8 databases).
static size_t clip_utf8(std::string_view s, size_t n) {
  if (n >= s.size()) return s.size();
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return n;
}

std::string make_object_name(std::string_view name1, std::string_view name2, std::string_view label) {
  constexpr size_t kMaxName = 63;  // NAMEDATALEN - 1
  size_t overhead = 0;
  if (!name2.empty()) overhead += 1;
  if (!label.empty()) overhead += label.size() + 1;
  size_t avail = kMaxName - overhead;
  size_t n1 = name1.size(), n2 = name2.size();
  while (n1 + n2 > avail) {
    if (n1 > n2)
      --n1;
    else
      --n2;
  }
  n1 = clip_utf8(name1, n1);
  n2 = clip_utf8(name2, n2);
  std::string out(name1.substr(0, n1));
  if (!name2.empty()) out += "_" + std::string(name2.substr(0, n2));
  if (!label.empty()) out += "_" + std::string(label);
  return out;
}

std::string comment_stmt(const std::string& what, const std::string& comment) {
  return "COMMENT ON " + what + " IS " + (comment.empty() ? std::string("NULL") : schema::quote_literal(comment)) +
         ";\n";
}

}  // namespace seam::pg::render_detail
