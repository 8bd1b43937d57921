// The no-op property on the shipped examples, on every installed PostgreSQL
// major (seam_add_pg_matrix_test): each schema directory under examples/ is
//   - loaded offline (schema::load_path),
//   - loaded into a fresh database with psql, file by file, and inspected,
//   - loaded through the dev-database path (pg::load_via_dev),
// and the three models must be identical: compare() lists no difference
// between offline and live, dev and live, offline and dev, and the differ's
// migration script from live to offline is empty. A difference here means
// `seam diff` would propose a change for a database that already matches its
// files.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dialects/postgres/conn.hpp"
#include "dialects/postgres/devdb.hpp"
#include "dialects/postgres/inspect.hpp"
#include "dialects/postgres/render_change.hpp"
#include "differ/diff.hpp"
#include "schema/compare.hpp"
#include "schema/load.hpp"
#include "tests/support/pg_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using seam::schema::Catalog;

// Directories under examples/ that hold a PostgreSQL desired-state schema: any
// with .sql files, except examples/ci (CI configuration, not a schema) and
// those whose DIALECT file names another dialect (examples/tidb-shop: MySQL).
std::vector<fs::path> example_schemas() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(fs::path(SEAM_SOURCE_DIR) / "examples")) {
    if (!e.is_directory() || e.path().filename() == "ci") continue;
    if (std::ifstream d{e.path() / "DIALECT"}) {
      std::string dialect;
      d >> dialect;
      if (dialect != "postgres") continue;
    }
    bool has_sql = false;
    for (const auto& f : fs::recursive_directory_iterator(e.path()))
      if (f.is_regular_file() && f.path().extension() == ".sql") has_sql = true;
    if (has_sql) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string show(const std::vector<seam::schema::Difference>& d) { return seam::schema::format_differences(d, 200); }

size_t object_count(const Catalog& c) {
  return c.types.size() + c.sequences.size() + c.tables.size() + c.indexes.size() + c.views.size() +
         c.functions.size() + c.triggers.size();
}

TEST(NoopExamples, ShopIsAmongTheExamples) {
  auto dirs = example_schemas();
  EXPECT_TRUE(std::any_of(dirs.begin(), dirs.end(), [](const fs::path& p) { return p.filename() == "shop"; }));
}

TEST(NoopExamples, OfflineLiveAndDevModelsAgree) {
  auto dirs = example_schemas();
  ASSERT_FALSE(dirs.empty());
  for (const auto& dir : dirs) {
    SCOPED_TRACE(dir.string());
    std::vector<std::string> paths = seam::schema::list_sql_files(dir.string());

    // Offline.
    seam::schema::LoadResult offline = seam::schema::load_path(dir.string());
    EXPECT_GT(object_count(offline.catalog), 0u) << "the example declares nothing";

    // Live: psql runs the files in the loader's order (sorted paths).
    std::string url = seam::test::fresh_database("noop_" + dir.filename().string());
    for (const auto& p : paths) seam::test::run_psql_file(url, p);
    Catalog live;
    {
      auto conn = seam::pg::connect(url);
      live = seam::pg::inspect(*conn);
    }
    EXPECT_TRUE(live.unsupported.empty()) << ::testing::PrintToString(live.unsupported);
    EXPECT_EQ(object_count(live), object_count(offline.catalog));
    auto d1 = seam::schema::compare(offline.catalog, live);
    EXPECT_TRUE(d1.empty()) << "offline vs live for " << dir << ":\n" << show(d1);
    // What `seam diff` would print: nothing.
    EXPECT_EQ(seam::pg::migration_script(seam::differ::diff(live, offline.catalog, {})), "");

    // Dev-database path on the fixture's server.
    std::vector<seam::schema::SqlFile> files;
    for (const auto& p : paths) files.push_back(seam::schema::read_sql_file(p, p));
    Catalog dev = seam::pg::load_via_dev(files, seam::test::server().url());
    auto d2 = seam::schema::compare(dev, live);
    EXPECT_TRUE(d2.empty()) << "dev vs live for " << dir << ":\n" << show(d2);
    auto d3 = seam::schema::compare(offline.catalog, dev);
    EXPECT_TRUE(d3.empty()) << "offline vs dev for " << dir << ":\n" << show(d3);
  }
}

}  // namespace
