// Golden plan cases (tests/cases/<name>/): for each case, from.sql (which may
// INSERT rows, so tables are populated) is loaded into a fresh database and
// VACUUM ANALYZEd (stable statistics, nothing left for autovacuum), the
// differ diffs it against to.sql, the zero-downtime planner plans it for the
// server's version, and
//  * to_sql(plan) must equal the expected file byte for byte: plan.pg<N>.expected
//    when it exists for the server's major N, otherwise plan.expected (the
//    default server, 15); SEAM_UPDATE_GOLDEN=1 writes plan.expected on the
//    default major, and on another major writes plan.pg<N>.expected only
//    where the plan differs from plan.expected (run the default major first);
//    plan.pg<N>.error instead holds the refusal (UnsupportedError) on a major
//    that cannot make the change;
//  * plan_from_yaml(to_yaml(plan)) == plan, and planning again gives the
//    same YAML byte for byte;
//  * every step runs in order (tests/support/plan_runner.hpp), after which
//    the inspected catalog equals model(to.sql), a second diff is empty, and,
//    when the case has a check.sql, that query returns true (the data
//    survived: backfilled, shadowed and renamed columns hold the old values).
// Two allowances, both explicit: the server's version is written as
// "<server version>" in the expected files (plan.expected serves every major
// without a file of its own, and a minor upgrade changes no file), and a table's columns may end in
// another order than to.sql's when the plan moved them (a shadow or renamed column is appended;
// PostgreSQL cannot insert one) - but only a table that an app-compat hazard of the plan names, and
// with exactly the desired columns (tests/support/plan_check.hpp). Adding a case needs no code: a
// directory with from.sql and to.sql (and the diff's expected.sql, see golden_diff_test.cpp). ctest
// runs this on every installed major (golden_plan_test_pg<N>).
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "dialects/postgres/conn.hpp"
#include "dialects/postgres/inspect.hpp"
#include "dialects/postgres/plan.hpp"
#include "dialects/postgres/render_change.hpp"
#include "differ/diff.hpp"
#include "planner/plan_render.hpp"
#include "planner/plan_yaml.hpp"
#include "schema/compare.hpp"
#include "schema/errors.hpp"
#include "schema/load.hpp"
#include "tests/support/cases.hpp"
#include "tests/support/pg_fixture.hpp"
#include "tests/support/plan_check.hpp"
#include "tests/support/plan_input.hpp"
#include "tests/support/plan_runner.hpp"

namespace fs = std::filesystem;
using namespace seam;

namespace {

using seam::test::case_names;
std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool updating() {
  const char* u = std::getenv("SEAM_UPDATE_GOLDEN");
  return u && std::string(u) == "1";
}

planner::Plan plan_db(pqxx::connection& c, const schema::Catalog& desired) {
  schema::Catalog live = pg::inspect(c);
  return pg::make_plan(differ::diff(live, desired), live, desired,
                       test::plan_input(c, live, desired));
}

// The preview with the server's version (in its header) as "<server version>".
std::string golden_text(const planner::Plan& plan) {
  std::string sql = planner::to_sql(plan);
  std::string v = ", postgres " + plan.server_version + ",";
  size_t p = sql.find(v);
  if (p != std::string::npos) sql.replace(p, v.size(), ", postgres <server version>,");
  return sql;
}

// Compares (or, when updating, writes) the rendering for this server's major.
void check_golden(const fs::path& dir, const std::string& sql) {
  int major = test::test_pg_major();
  fs::path base = dir / "plan.expected";
  fs::path own = dir / ("plan.pg" + std::to_string(major) + ".expected");
  bool is_default = major == pg::default_pg_major();
  if (updating()) {
    if (is_default) {
      std::ofstream(base, std::ios::binary) << sql;
    } else if (fs::exists(base) && read(base) == sql) {
      fs::remove(own);  // the same as the default: no file of its own
    } else {
      std::ofstream(own, std::ios::binary) << sql;
    }
    return;
  }
  fs::path expected = !is_default && fs::exists(own) ? own : base;
  ASSERT_TRUE(fs::exists(expected)) << expected << " is missing (run with SEAM_UPDATE_GOLDEN=1)";
  EXPECT_EQ(read(expected), sql) << "the plan for PostgreSQL " << major << " differs from "
                                 << expected;
}

class GoldenPlan : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenPlan, MatchesRoundTripsAndReachesTheDesiredState) {
  fs::path dir = fs::path(SEAM_TEST_CASES_DIR) / GetParam();
  std::string url = test::fresh_database();
  test::run_psql_file(url, dir / "from.sql");
  auto conn = pg::connect(url);
  {
    pqxx::nontransaction tx(*conn);
    tx.exec("VACUUM ANALYZE");
  }
  schema::Catalog desired = schema::load_path((dir / "to.sql").string()).catalog;

  // plan.pg<N>.error: this major cannot do the change, and the plan must say
  // so (the UnsupportedError's message) rather than plan something else.
  fs::path refusal = dir / ("plan.pg" + std::to_string(test::test_pg_major()) + ".error");
  if (fs::exists(refusal)) {
    try {
      plan_db(*conn, desired);
      ADD_FAILURE() << "PostgreSQL " << test::test_pg_major() << " planned what " << refusal
                    << " says it refuses";
    } catch (const UnsupportedError& e) {
      if (updating())
        std::ofstream(refusal, std::ios::binary) << e.what() << "\n";
      else
        EXPECT_EQ(read(refusal), std::string(e.what()) + "\n");
    }
    return;
  }

  planner::Plan plan = plan_db(*conn, desired);
  ASSERT_FALSE(plan.empty()) << "a golden case must change something";
  std::string yaml = planner::to_yaml(plan);
  EXPECT_EQ(yaml, planner::to_yaml(plan_db(*conn, desired))) << "planning again gives another plan";
  planner::Plan parsed;
  ASSERT_NO_THROW(parsed = planner::plan_from_yaml(yaml, GetParam() + ".yaml")) << yaml;
  EXPECT_TRUE(parsed == plan) << "plan_from_yaml(to_yaml(plan)) differs from the plan:\n"
                              << yaml << "\n---- reparsed:\n"
                              << planner::to_yaml(parsed);

  std::string sql = golden_text(plan);
  check_golden(dir, sql);

  ASSERT_NO_THROW(test::run_plan_sequentially(*conn, plan)) << sql;

  schema::Catalog after = pg::inspect(*conn);
  EXPECT_EQ("", pg::migration_script(differ::diff(after, desired))) << "not converged; plan:\n"
                                                                    << sql;
  auto d = test::compare_after_plan(desired, after, plan);
  EXPECT_TRUE(d.empty()) << "after running the plan:\n"
                         << schema::format_differences(d) << "plan:\n"
                         << sql;

  if (fs::exists(dir / "check.sql")) {
    std::string ok;
    ASSERT_NO_THROW(ok = test::query_value(url, read(dir / "check.sql")));
    EXPECT_EQ("t", ok) << dir / "check.sql"
                       << " does not hold after running the plan:\n"
                       << sql;
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, GoldenPlan, ::testing::ValuesIn(case_names()),
                         [](const auto& info) { return info.param; });

}  // namespace
