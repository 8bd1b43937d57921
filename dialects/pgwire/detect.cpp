#include "dialects/pgwire/detect.hpp"

#include <regex>

#include <pqxx/pqxx>

#include "schema/errors.hpp"

namespace seam::pgwire {

Server from_version_text(const std::string& text, bool is_spanner) {
  std::smatch m;
  // "CockroachDB CCL v24.1.3 (...)", "CockroachDB OSS v19.2.0 (...)": the
  // word after the product is the build flavour.
  static const std::regex crdb(R"(CockroachDB\s+\S+\s+(v?\d+\.\d+(\.\d+)?))");
  // "PostgreSQL 11.2-YB-2.20.1.0-b0 on ...": the PostgreSQL base, then YB's own version.
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

bool looks_like_pgadapter(const std::string& text) {
  // PostgreSQL itself always names its platform ("PostgreSQL 16.4 on
  // x86_64-pc-linux-gnu, compiled by ..."); PGAdapter answers `SELECT
  // version()` itself with "PostgreSQL " + its server_version setting
  // (default "14.1"; see GoogleCloudPlatform/pgadapter
  // statements/local/SelectVersionStatement.java and
  // metadata/OptionsMetadata.java DEFAULT_SERVER_VERSION).
  static const std::regex bare(R"(^\s*PostgreSQL\s+[0-9][0-9.]*\s*$)");
  return std::regex_search(text, bare);
}

Server detect(pqxx::connection& c) {
  pqxx::nontransaction tx(c);
  std::string text = tx.exec1("SELECT version()")[0].as<std::string>();
  if (text.find("CockroachDB") != std::string::npos || text.find("-YB-") != std::string::npos)
    return from_version_text(text);
  // Spanner's version() is a bare PostgreSQL version (PGAdapter's setting), so
  // the product is told by information_schema.database_options, a Spanner
  // table (cloud.google.com/spanner/docs/information-schema-pg: "Some tables
  // that are available with Spanner but not open source PostgreSQL, such as
  // database_options, index_columns, indexes ... are available"; its
  // database_dialect option is POSTGRESQL for these databases - the GoogleSQL
  // page documents the option, the PostgreSQL page only the table: assumed
  // the same). information_schema.tables answers whether the table exists
  // without an error on every product; a version text without the platform
  // PostgreSQL prints also triggers the probe (in case Spanner's
  // information_schema.tables does not list information_schema itself). The
  // probe runs autocommit, so a failing statement leaves nothing behind.
  bool probe = looks_like_pgadapter(text);
  if (!probe) {
    auto r = tx.exec(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema = 'information_schema' AND table_name = 'database_options'");
    probe = r.size() == 1 && r[0][0].as<long>() > 0;
  }
  bool spanner = false;
  if (probe) {
    try {
      auto d = tx.exec(
          "SELECT count(*) FROM information_schema.database_options "
          "WHERE option_name = 'database_dialect' AND upper(option_value) = 'POSTGRESQL'");
      spanner = d.size() == 1 && d[0][0].as<long>() > 0;
    } catch (const pqxx::sql_error&) {
      spanner = false;  // no such table: not Spanner
    }
  }
  return from_version_text(text, spanner);
}

std::string describe(const Server& s) {
  if (s.dialect == "spanner-pg") return s.product;
  return s.product + " " + s.version.str();
}

void expect_dialect(const Server& s, const std::string& dialect) {
  if (s.dialect == dialect) return;
  throw UnsupportedError(
      "the server is " + describe(s) + " (\"" + s.version_text + "\"), not " + dialect +
      ": drop --dialect to use the detected product, or connect to a " + dialect + " server");
}

}  // namespace seam::pgwire
