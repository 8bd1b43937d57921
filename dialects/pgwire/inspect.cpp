#include "dialects/pgwire/inspect.hpp"

#include "dialects/postgres/inspect.hpp"
#include "schema/errors.hpp"

namespace seam::pgwire {

schema::Catalog inspect(pqxx::connection& c, const Server& s) {
  if (s.dialect == "postgres" || s.dialect == "yugabytedb") return pg::inspect(c);
  throw UnsupportedError("inspecting a live " + s.product +
                         " database is not supported yet: seam inspect/diff work on "
                         "PostgreSQL and YugabyteDB only");
}

}  // namespace seam::pgwire
