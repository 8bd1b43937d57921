#include "dialects/pgwire/detect.hpp"

#include <regex>

#include <pqxx/pqxx>

#include "schema/errors.hpp"

namespace seam::pgwire {

Server from_version_text(const std::string& text, bool is_spanner) {
  std::smatch m;
  static const std::regex crdb(R"(CockroachDB\s+\S+\s+(v?\d+\.\d+(\.\d+)?))");
  static const std::regex yb(R"(PostgreSQL\s+\d+(\.\d+)*-YB-(\d+\.\d+(\.\d+)*))");
  static const std::regex pg(R"(^\s*PostgreSQL\s+(\d+(\.\d+)?))");
  if (std::regex_search(text, m, crdb))
    return {"cockroachdb", "CockroachDB", compat::Version::parse(m[1].str()), text};
  if (std::regex_search(text, m, yb))
    return {"yugabytedb", "YugabyteDB", compat::Version::parse(m[2].str()), text};
  if (is_spanner)
    // A managed service without versions: the spanner-pg matrix covers "all".
    return {"spanner-pg", "Spanner (PostgreSQL interface)", compat::Version{0, -1}, text};
  if (std::regex_search(text, m, pg))
    return {"postgres", "PostgreSQL", compat::Version::parse(m[1].str()), text};
  throw UnsupportedError("the server reports version \"" + text +
                         "\", which is none of the products seam knows (PostgreSQL, "
                         "CockroachDB, YugabyteDB, Spanner's PostgreSQL interface)");
}

Server detect(pqxx::connection& c) {
  pqxx::nontransaction tx(c);
  std::string text = tx.query_value<std::string>("SELECT version()");
  bool spanner = false;
  // Only Spanner has information_schema.database_options with a
  // database_dialect option; elsewhere the relation does not exist, which the
  // to_regclass test answers without an error.
  if (text.find("CockroachDB") == std::string::npos && text.find("-YB-") == std::string::npos) {
    auto r = tx.exec(
        "SELECT to_regclass('information_schema.database_options') IS NOT NULL");
    if (r.size() == 1 && r[0][0].as<bool>()) {
      auto d = tx.exec(
          "SELECT count(*) FROM information_schema.database_options "
          "WHERE option_name = 'database_dialect' AND option_value = 'POSTGRESQL'");
      spanner = d.size() == 1 && d[0][0].as<long>() > 0;
    }
  }
  return from_version_text(text, spanner);
}

void expect_dialect(const Server& s, const std::string& dialect) {
  if (s.dialect == dialect) return;
  throw UnsupportedError("the server is " + s.product + " " + s.version.str() + " (\"" +
                         s.version_text + "\"), not " + dialect +
                         ": drop --dialect to use the detected product, or connect to a " +
                         dialect + " server");
}

}  // namespace seam::pgwire
