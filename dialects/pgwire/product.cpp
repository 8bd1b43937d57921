#include "dialects/pgwire/product.hpp"

#include "dialects/cockroachdb/product.hpp"
#include "dialects/spanner/product.hpp"
#include "dialects/yugabytedb/product.hpp"
#include "schema/errors.hpp"

namespace seam::pgwire {

const Product& product(const std::string& dialect) {
  if (dialect == "cockroachdb") return cockroachdb::product();
  if (dialect == "yugabytedb") return yugabytedb::product();
  if (dialect == "spanner-pg") return spanner::product();
  throw UnsupportedError("the pgwire planner does not plan for dialect \"" + dialect +
                         "\" (it plans cockroachdb, yugabytedb and spanner-pg; PostgreSQL plans "
                         "come from the postgres planner)");
}

std::vector<std::string> product_dialects() {
  return {"cockroachdb", "spanner-pg", "yugabytedb"};
}

}  // namespace seam::pgwire
