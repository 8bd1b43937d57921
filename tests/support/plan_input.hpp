// The planner's input for tests and tools, assembled the way `seam plan`
// does from a live database: the server's version, the built-in PostgreSQL
// compatibility matrix, the tables' pg_class statistics and the catalogs'
// fingerprints.
//
//   auto c = seam::pg::connect(url);
//   schema::Catalog live = pg::inspect(*c);
//   planner::Plan p = pg::make_plan(differ::diff(live, desired), live, desired,
//                                   seam::test::plan_input(*c, live, desired));
#pragma once

#include <pqxx/pqxx>

#include "dialects/postgres/plan.hpp"
#include "schema/model.hpp"

namespace seam::test {

// seam_version is fixed ("test") so that plans rendered by tests do not
// change with every release.
pg::PlanInput plan_input(pqxx::connection& c, const schema::Catalog& live, const schema::Catalog& desired);

}  // namespace seam::test
