// Product detection from the version string; see detect.hpp.
#include "dialects/mysql/detect.hpp"

#include <regex>

namespace seam::mysql {

std::string ServerKind::describe() const {
  std::string out = product + " " + version;
  if (product != "TiDB") out += " (SELECT VERSION() = '" + version_text + "')";
  return out;
}

ServerKind classify(const std::string& version_text) {
  static const std::regex tidb(R"(-TiDB-v?(\d+\.\d+(\.\d+)?))");
  static const std::regex leading(R"(^(\d+\.\d+(\.\d+)?))");
  ServerKind k;
  k.version_text = version_text;
  std::smatch m;
  if (std::regex_search(version_text, m, tidb)) {
    k.product = "TiDB";
    k.version = m[1].str();
    k.tidb = compat::Version::parse(k.version);
    return k;
  }
  k.product = version_text.find("MariaDB") != std::string::npos ? "MariaDB" : "MySQL";
  k.version = std::regex_search(version_text, m, leading) ? m[1].str() : version_text;
  return k;
}

ServerKind detect(Connection& c) {
  return classify(c.value("SELECT VERSION()").value_or(""));
}

}  // namespace seam::mysql
