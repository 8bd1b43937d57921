// Parsing an applier's JSON log lines (see rehearse_events.hpp): a small
// recursive-descent JSON reader that keeps only the fields rehearse uses.
#include "executor/rehearse_events.hpp"

#include <cstdlib>
#include <stdexcept>

namespace seam::executor {

namespace {

struct Reader {
  const std::string& s;
  size_t i = 0;
  AppEvent& ev;
  std::string path;  // "" top level, "detail" inside it

  [[noreturn]] static void bad() { throw std::invalid_argument("not JSON"); }
  void ws() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  }
  char peek() {
    ws();
    if (i >= s.size()) bad();
    return s[i];
  }
  void expect(char c) {
    if (peek() != c) bad();
    ++i;
  }
  static void utf8(std::string& out, unsigned cp) {
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
  unsigned hex4() {
    if (i + 4 > s.size()) bad();
    unsigned v = 0;
    for (int k = 0; k < 4; ++k) {
      char c = s[i++];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<unsigned>(c - 'A' + 10);
      else
        bad();
    }
    return v;
  }
  std::string str() {
    expect('"');
    std::string out;
    while (i < s.size() && s[i] != '"') {
      char c = s[i++];
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i >= s.size()) bad();
      char e = s[i++];
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xD800 && cp < 0xDC00 && i + 6 <= s.size() && s[i] == '\\' && s[i + 1] == 'u') {
            i += 2;
            unsigned lo = hex4();
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          utf8(out, cp);
          break;
        }
        default:
          out += e;
      }
    }
    if (i >= s.size()) bad();
    ++i;
    return out;
  }
  // A scalar as text ("" for null), or skips a nested value.
  std::string value(const std::string& key) {
    char c = peek();
    if (c == '"') return str();
    if (c == '{') {
      std::string saved = path;
      path = path.empty() ? key : path + "." + key;
      object();
      path = saved;
      return "";
    }
    if (c == '[') {
      ++i;
      if (peek() == ']') {
        ++i;
        return "";
      }
      for (;;) {
        value("");
        if (peek() == ',') {
          ++i;
          continue;
        }
        expect(']');
        return "";
      }
    }
    size_t start = i;
    while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ') ++i;
    if (start == i) bad();
    return s.substr(start, i - start);
  }
  void field(const std::string& key, const std::string& v) {
    if (path.empty()) {
      if (key == "kind")
        ev.kind = v;
      else if (key == "step")
        ev.step = v;
      else if (key == "message")
        ev.message = v;
      else if (key == "state")
        ev.state = v;
      else if (key == "job")
        ev.job = std::strtoll(v.c_str(), nullptr, 10);
    } else if (path == "detail" && key == "rows_done" && !v.empty()) {
      ev.rows_done = std::strtoll(v.c_str(), nullptr, 10);
    }
  }
  void object() {
    expect('{');
    if (peek() == '}') {
      ++i;
      return;
    }
    for (;;) {
      std::string key = str();
      expect(':');
      std::string v = value(key);
      field(key, v);
      if (peek() == ',') {
        ++i;
        continue;
      }
      expect('}');
      return;
    }
  }
};

}  // namespace

AppEvent parse_app_event(const std::string& line) {
  AppEvent ev;
  size_t first = line.find_first_not_of(" \t");
  if (first != std::string::npos && line[first] == '{') {
    try {
      Reader r{line, first, ev, ""};
      r.object();
      ev.json = true;
      return ev;
    } catch (const std::exception&) {
      ev = AppEvent{};
    }
  }
  ev.message = line;
  return ev;
}

}  // namespace seam::executor
