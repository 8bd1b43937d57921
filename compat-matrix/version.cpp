// Server versions and version ranges of the compatibility matrix: parsing the
// spellings servers and users give ("16.2", "160002", SELECT version()), and
// deciding which entry covers a version. An unknown minor ("16") counts as the
// latest minor of its major, so a range that starts or ends inside a major
// (14.4+, 14.0-14.3) still picks exactly one entry.
#include <cctype>
#include <climits>

#include "compat-matrix/matrix.hpp"
#include "schema/errors.hpp"

namespace seam::compat {

namespace {

// Leading decimal digits of s from position i (advanced past them); -1 if none.
long digits(const std::string& s, size_t& i) {
  size_t start = i;
  long n = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
    if (n > 100000000) return -1;  // absurdly long: not a version
    n = n * 10 + (s[i] - '0');
    ++i;
  }
  return i == start ? -1 : n;
}

int minor_or_max(int minor) {
  return minor < 0 ? INT_MAX : minor;
}

}  // namespace

Version Version::parse(const std::string& text) {
  std::string s = text;
  size_t b = s.find_first_not_of(" \t\r\n");
  s = b == std::string::npos ? "" : s.substr(b);
  // SELECT version(): "PostgreSQL 16.2 (Debian 16.2-1) on x86_64-pc-linux-gnu, ..."
  if (s.rfind("PostgreSQL ", 0) == 0) s = s.substr(11);
  size_t i = 0;
  // CockroachDB and TiDB write "v24.1.3".
  if (s.size() > 1 && (s[0] == 'v' || s[0] == 'V') &&
      std::isdigit(static_cast<unsigned char>(s[1])))
    i = 1;
  long major = digits(s, i);
  if (major < 0)
    throw InputError("cannot read a server version from \"" + text +
                     "\" (expected e.g. 16, 16.2 or 160002)");
  Version v;
  v.minor = -1;
  if (i < s.size() && s[i] == '.') {
    ++i;
    long minor = digits(s, i);
    if (minor < 0)
      throw InputError("cannot read a server version from \"" + text +
                       "\": no minor version after the dot");
    v.major = static_cast<int>(major);
    v.minor = static_cast<int>(minor);
    // Patch and build components (24.1.3, 2024.2.9.0) do not select entries.
    while (i + 1 < s.size() && s[i] == '.' && std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
      ++i;
      if (digits(s, i) < 0) break;
    }
  } else if (major >= 100000) {  // server_version_num, 10+: MMmmmm
    v.major = static_cast<int>(major / 10000);
    v.minor = static_cast<int>(major % 10000);
  } else if (major >= 10000) {  // server_version_num before 10: MMmmpp (9.6.5 = 90605)
    v.major = static_cast<int>(major / 10000);
    v.minor = static_cast<int>((major / 100) % 100);
  } else {
    v.major = static_cast<int>(major);
  }
  // What may follow: end, a space (version() text), or a pre-release tag (16beta1, 18rc1, 17devel).
  if (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i])) &&
      !std::isalpha(static_cast<unsigned char>(s[i])))
    throw InputError("cannot read a server version from \"" + text +
                     "\" (expected e.g. 16, 16.2 or 160002)");
  if (v.major <= 0)
    throw InputError("cannot read a server version from \"" + text + "\": major version 0");
  return v;
}

std::string Version::str() const {
  return minor < 0 ? std::to_string(major) : std::to_string(major) + "." + std::to_string(minor);
}

bool Entry::covers(const Version& v) const {
  int vm = minor_or_max(v.minor);
  if (v.major < min_major || (v.major == min_major && vm < min_minor)) return false;
  if (max_major == 0) return true;
  if (v.major > max_major) return false;
  if (v.major == max_major && max_minor >= 0 && vm > max_minor) return false;
  return true;
}

std::string Entry::versions() const {
  if (min_major == 0 && max_major == 0) return "all";
  std::string lo = std::to_string(min_major);
  if (min_minor > 0 || max_minor >= 0) lo += "." + std::to_string(min_minor);
  if (max_major == 0) return lo + "+";
  std::string hi = std::to_string(max_major);
  if (max_minor >= 0) hi += "." + std::to_string(max_minor);
  return lo == hi || (max_minor < 0 && min_minor == 0 && min_major == max_major) ? hi
                                                                                 : lo + "-" + hi;
}

}  // namespace seam::compat
