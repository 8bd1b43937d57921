// Golden diff cases (tests/cases/<name>/): for each case, from.sql is loaded
// into a fresh database, the differ diffs it against to.sql (offline loader),
// and the script must
//  * equal expected.sql byte for byte (SEAM_UPDATE_GOLDEN=1 rewrites it),
//  * be byte-identical on a second run over the same inputs,
//  * run with psql -v ON_ERROR_STOP=1,
//  * leave a database whose inspected catalog equals model(to.sql), and
//  * diff to an empty script afterwards.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "dialects/postgres/conn.hpp"
#include "dialects/postgres/inspect.hpp"
#include "dialects/postgres/render_change.hpp"
#include "differ/diff.hpp"
#include "schema/compare.hpp"
#include "schema/load.hpp"
#include "tests/support/cases.hpp"
#include "tests/support/pg_fixture.hpp"

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

schema::Catalog inspect_url(const std::string& url) {
  auto c = pg::connect(url);
  return pg::inspect(*c);
}

class GoldenDiff : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenDiff, MatchesAppliesAndConverges) {
  fs::path dir = fs::path(SEAM_TEST_CASES_DIR) / GetParam();
  std::string url = test::fresh_database();
  test::run_psql_file(url, dir / "from.sql");
  schema::Catalog desired = schema::load_path((dir / "to.sql").string()).catalog;
  schema::Catalog live = inspect_url(url);

  std::string script = pg::migration_script(differ::diff(live, desired));
  EXPECT_EQ(script, pg::migration_script(differ::diff(live, desired))) << "a second run differs";
  EXPECT_FALSE(script.empty()) << "a golden case must change something";

  fs::path expected = dir / "expected.sql";
  const char* update = std::getenv("SEAM_UPDATE_GOLDEN");
  if (update && std::string(update) == "1") {
    std::ofstream(expected, std::ios::binary) << script;
  } else {
    ASSERT_TRUE(fs::exists(expected)) << expected << " is missing (run with SEAM_UPDATE_GOLDEN=1)";
    EXPECT_EQ(read(expected), script) << "the script differs from " << expected;
  }

  fs::path tmp = fs::temp_directory_path() / ("seam_golden_" + GetParam() + "_" + std::to_string(getpid()) + ".sql");
  std::ofstream(tmp, std::ios::binary) << script;
  ASSERT_NO_THROW(test::run_psql_file(url, tmp)) << script;
  fs::remove(tmp);

  schema::Catalog after = inspect_url(url);
  auto d = schema::compare(desired, after);
  EXPECT_TRUE(d.empty()) << "after applying:\n" << schema::format_differences(d) << "script:\n" << script;
  EXPECT_EQ("", pg::migration_script(differ::diff(after, desired))) << "not converged";
}

INSTANTIATE_TEST_SUITE_P(Cases, GoldenDiff, ::testing::ValuesIn(case_names()),
                         [](const auto& info) { return info.param; });

}  // namespace
