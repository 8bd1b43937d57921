#include "dialects/pgwire/inspect.hpp"

#include <pqxx/pqxx>

#include "dialects/pgwire/inspect_infoschema.hpp"
#include "dialects/postgres/inspect.hpp"
#include "schema/errors.hpp"

namespace seam::pgwire {

bool inspector_unverified(const Server& s) {
  return s.dialect != "postgres";
}

schema::Catalog inspect(pqxx::connection& c, const Server& s, const pg::InspectOptions& o) {
  if (s.dialect == "postgres") return pg::inspect(c, o);
  if (s.dialect == "yugabytedb") {
    // YSQL keeps PostgreSQL's catalogs (a fork of 11.2, of 15 from 2025.1),
    // so the PostgreSQL inspector reads it; a catalog query the fork does
    // not answer stops with the product named rather than a bare SQL error.
    // Not run against YugabyteDB here. Its index access method is lsm and
    // its first key column HASH-sharded by default, which pg::inspect reads
    // as printed (a desired `CREATE INDEX ... (a)` then differs).
    try {
      schema::Catalog cat = pg::inspect(c, o);
      cat.source += " (" + describe(s) + ")";
      return cat;
    } catch (const pqxx::sql_error& e) {
      throw UnsupportedError(
          "reading the catalog of " + describe(s) + " with seam's PostgreSQL inspector failed: " +
          e.what() + " (the inspector has not been run against YugabyteDB; please report it)");
    }
  }
  if (s.dialect == "cockroachdb" || s.dialect == "spanner-pg")
    return inspect_infoschema(c, profile_for(s), o);
  throw UnsupportedError("inspecting a live " + describe(s) + " database is not supported");
}

}  // namespace seam::pgwire
