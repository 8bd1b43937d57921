// ISO date/time literals in the spelling the server prints them (DateStyle
// ISO, TimeZone UTC - the inspector's session settings), so that a column
// default '2020-01-01 10:00' compares equal to the stored
// '2020-01-01 10:00:00'::timestamp without time zone.
#include <cstdio>
#include <optional>
#include <regex>
#include <string>

#include "schema/load_ctx.hpp"

namespace seam::schema {

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
long long days_from_civil(long long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

void civil_from_days(long long z, long long& y, unsigned& m, unsigned& d) {
  z += 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<long long>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp + (mp < 10 ? 3 : -9);
  y += m <= 2;
}

std::string two(int v) {
  char b[8];
  std::snprintf(b, sizeof b, "%02d", v);
  return b;
}

}  // namespace

// money in the C locale the server's lc_monetary defaults to: $1,234.57
std::optional<std::string> normalize_money_literal(const std::string& v) {
  static const std::regex num(R"(^\s*(-)?\$?\s*([0-9,]*)(?:\.([0-9]*))?\s*$)");
  std::smatch m;
  if (!std::regex_match(v, m, num)) return std::nullopt;
  std::string ip;
  for (char c : m[2].str())
    if (c != ',') ip += c;
  if (ip.empty()) ip = "0";
  std::string fp = m[3].matched ? m[3].str() : "";
  long long cents = std::stoll(ip) * 100;
  long long frac = 0;
  for (size_t i = 0; i < 3; i++) frac = frac * 10 + (i < fp.size() ? fp[i] - '0' : 0);
  cents += (frac + 5) / 10;  // round half up at the third decimal
  std::string digits = std::to_string(cents / 100);
  std::string grouped;
  for (size_t i = 0; i < digits.size(); i++) {
    if (i && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  return std::string(m[1].matched ? "-" : "") + "$" + grouped + "." + two(static_cast<int>(cents % 100));
}

std::optional<std::string> normalize_datetime_literal(const std::string& type, const std::string& v) {
  if (type == "money") return normalize_money_literal(v);
  static const std::regex date_re(R"(^(\d{4})-(\d{2})-(\d{2})$)");
  static const std::regex ts_re(
      R"(^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$)");
  static const std::regex time_re(R"(^(\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?$)");
  std::smatch m;
  if (type == "date") {
    if (std::regex_match(v, m, date_re)) return v;
    if (std::regex_match(v, m, ts_re) && !m[4].matched) return m[1].str() + "-" + m[2].str() + "-" + m[3].str();
    return std::nullopt;
  }
  bool tz = type.rfind("timestamp", 0) == 0 && type.find("with time zone") != std::string::npos &&
            type.find("without") == std::string::npos;
  if (type.rfind("timestamp", 0) == 0) {
    if (!std::regex_match(v, m, ts_re)) return std::nullopt;
    if (!tz && m[8].matched) return std::nullopt;  // an offset on a timestamp without time zone is ignored; rare
    long long y = std::stoll(m[1].str());
    unsigned mo = std::stoul(m[2].str()), d = std::stoul(m[3].str());
    int h = m[4].matched ? std::stoi(m[4].str()) : 0, mi = m[5].matched ? std::stoi(m[5].str()) : 0;
    int s = m[6].matched ? std::stoi(m[6].str()) : 0;
    std::string frac = m[7].matched ? m[7].str() : "";
    while (!frac.empty() && frac.back() == '0') frac.pop_back();
    if (frac == ".") frac.clear();
    if (tz && m[8].matched && m[8].str() != "Z") {
      // to UTC: subtract the offset
      std::string off = m[8].str();
      int sign = off[0] == '-' ? -1 : 1;
      std::string digits;
      for (char c : off.substr(1))
        if (isdigit(static_cast<unsigned char>(c))) digits += c;
      int oh = std::stoi(digits.substr(0, 2)), om = digits.size() >= 4 ? std::stoi(digits.substr(2, 2)) : 0;
      long long total = (days_from_civil(y, mo, d) * 24 + h) * 60 + mi - sign * (oh * 60 + om);
      long long days = total >= 0 ? total / 1440 : -((-total + 1439) / 1440);
      long long rem = total - days * 1440;
      civil_from_days(days, y, mo, d);
      h = static_cast<int>(rem / 60);
      mi = static_cast<int>(rem % 60);
    }
    std::string out = std::to_string(y) + "-" + two(mo) + "-" + two(d) + " " + two(h) + ":" + two(mi) + ":" + two(s) + frac;
    return tz ? out + "+00" : out;
  }
  if (type.rfind("time without time zone", 0) == 0 ||
      (type.rfind("time(", 0) == 0 && type.find("without") != std::string::npos)) {
    if (!std::regex_match(v, m, time_re)) return std::nullopt;
    std::string frac = m[4].matched ? m[4].str() : "";
    while (!frac.empty() && frac.back() == '0') frac.pop_back();
    if (frac == ".") frac.clear();
    return two(std::stoi(m[1].str())) + ":" + m[2].str() + ":" + (m[3].matched ? m[3].str() : "00") + frac;
  }
  return std::nullopt;
}

}  // namespace seam::schema
