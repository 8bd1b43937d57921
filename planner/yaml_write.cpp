// Scalar spelling for hand-written YAML (see yaml_write.hpp).
#include "planner/yaml_write.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace seam::planner::yamlio {

namespace {

// Decodes UTF-8; false on malformed input (overlong, surrogates, > U+10FFFF).
bool decode(std::string_view s, std::vector<char32_t>& cps) {
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    char32_t cp;
    int n;
    if (c < 0x80) {
      cp = c;
      n = 1;
    } else if ((c & 0xE0) == 0xC0) {
      cp = c & 0x1F;
      n = 2;
    } else if ((c & 0xF0) == 0xE0) {
      cp = c & 0x0F;
      n = 3;
    } else if ((c & 0xF8) == 0xF0) {
      cp = c & 0x07;
      n = 4;
    } else
      return false;
    if (i + n > s.size()) return false;
    for (int k = 1; k < n; ++k) {
      unsigned char d = s[i + k];
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    static const char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    cps.push_back(cp);
    i += n;
  }
  return true;
}

// Code points a YAML reader may not take literally (control characters,
// line separators, BOM, non-characters); \n and \t are handled by callers.
bool must_escape(char32_t cp) {
  return (cp < 0x20 && cp != '\n' && cp != '\t') || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) ||
         cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF || cp == 0xFFFE || cp == 0xFFFF;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

// Whether a literal block carries `s` exactly (and is wanted: several lines,
// or SQL that should read verbatim even on one line): nothing to
// escape, and no line that is only blanks where block parsing would fold it
// into indentation or chomping (the first and the last content line).
bool literal_ok(std::string_view s, bool prefer_block) {
  if (!prefer_block && s.find('\n') == std::string_view::npos) return false;
  std::vector<char32_t> cps;
  if (!decode(s, cps)) return false;
  for (char32_t cp : cps)
    if (must_escape(cp)) return false;
  std::string_view body = s.substr(0, s.find_last_not_of('\n') + 1);
  if (body.empty()) return false;  // only line breaks
  // Lines of only blanks are content when they have more spaces than the
  // indentation - but a tab-only line, and blank lines at the end, are
  // where readers disagree; keep those double-quoted.
  std::size_t start = 0;
  while (start <= body.size()) {
    std::size_t end = body.find('\n', start);
    if (end == std::string_view::npos) end = body.size();
    std::string_view line = body.substr(start, end - start);
    bool blank = !line.empty();
    for (char c : line) blank = blank && is_space(c);
    if (blank && (line.find('\t') != std::string_view::npos || end == body.size())) return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

void check_utf8(std::string_view s, std::string_view what) {
  std::vector<char32_t> cps;
  if (!decode(s, cps))
    throw std::invalid_argument("plan text is not valid UTF-8 in " + std::string(what) +
                                "; plan files carry UTF-8 only");
}

bool plain_ok(std::string_view s) {
  if (s.empty()) return false;
  char f = s.front();
  // Starting with a letter rules out every indicator, number, .inf and ~.
  if (!((f >= 'A' && f <= 'Z') || (f >= 'a' && f <= 'z') || f == '_')) return false;
  if (s.back() == ' ' || s.back() == ':') return false;
  if (s.find(": ") != std::string_view::npos || s.find(" #") != std::string_view::npos)
    return false;
  std::vector<char32_t> cps;
  if (!decode(s, cps)) return false;
  for (char32_t cp : cps)
    if (cp == '\n' || cp == '\t' || must_escape(cp)) return false;
  // Words YAML 1.1 readers (PyYAML, older tools) take for booleans or null.
  static const char* const kReserved[] = {"y",     "Y",     "yes",  "Yes",  "YES",  "n",    "N",
                                          "no",    "No",    "NO",   "true", "True", "TRUE", "false",
                                          "False", "FALSE", "on",   "On",   "ON",   "off",  "Off",
                                          "OFF",   "null",  "Null", "NULL"};
  for (const char* r : kReserved)
    if (s == r) return false;
  return true;
}

std::string double_quoted(std::string_view s) {
  std::vector<char32_t> cps;
  if (!decode(s, cps)) throw std::invalid_argument("plan text is not valid UTF-8");
  std::string out = "\"";
  for (char32_t cp : cps) {
    switch (cp) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (must_escape(cp)) {
          static const char* hex = "0123456789ABCDEF";
          out += "\\u";
          for (int shift = 12; shift >= 0; shift -= 4) out += hex[(cp >> shift) & 0xF];
        } else {
          append_utf8(out, cp);
        }
    }
  }
  out += '"';
  return out;
}

std::string inline_scalar(std::string_view s) {
  return plain_ok(s) ? std::string(s) : double_quoted(s);
}

void scalar_line(std::string& out, std::string_view lead, int indent, std::string_view key,
                 std::string_view s, bool prefer_block) {
  out += lead;
  out += key;
  out += ':';
  if (!literal_ok(s, prefer_block)) {
    out += ' ';
    out += inline_scalar(s);
    out += '\n';
    return;
  }
  std::size_t body_len = s.find_last_not_of('\n') + 1;
  std::size_t trailing = s.size() - body_len;
  out += " |";
  // An explicit indentation when the text itself starts with blanks or an
  // empty line (auto-detection would take those for indentation).
  if (s.front() == ' ' || s.front() == '\t' || s.front() == '\n') out += '2';
  out += trailing == 0 ? "-" : trailing == 1 ? "" : "+";
  out += '\n';
  std::string pad(indent + 2, ' ');
  std::string_view body = s.substr(0, body_len);
  std::size_t start = 0;
  while (start <= body.size()) {
    std::size_t end = body.find('\n', start);
    if (end == std::string_view::npos) end = body.size();
    std::string_view line = body.substr(start, end - start);
    if (!line.empty()) out += pad;  // no trailing blanks on empty lines
    out += line;
    out += '\n';
    start = end + 1;
  }
  for (std::size_t i = 1; i < trailing; ++i) out += '\n';
}

std::string number(double v) {
  if (std::isnan(v)) return ".nan";
  if (std::isinf(v)) return v > 0 ? ".inf" : "-.inf";
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, p);
}

}  // namespace seam::planner::yamlio
