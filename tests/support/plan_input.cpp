// See plan_input.hpp.
#include "tests/support/plan_input.hpp"

#include <string>

#include "compat-matrix/matrix.hpp"
#include "dialects/postgres/fingerprint.hpp"

namespace seam::test {

pg::PlanInput plan_input(pqxx::connection& c, const schema::Catalog& live, const schema::Catalog& desired) {
  pg::PlanInput in;
  in.version = compat::Version::parse(std::to_string(c.server_version()));
  in.matrix = &compat::builtin("postgres");
  in.stats = pg::table_stats(c);
  in.seam_version = "test";
  in.source_fingerprint = pg::catalog_fingerprint(live);
  in.desired_fingerprint = pg::catalog_fingerprint(desired);
  return in;
}

}  // namespace seam::test
