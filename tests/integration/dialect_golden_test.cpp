// Golden plans for the PostgreSQL-wire products (tests/cases/<dialect>/<case>/
// for cockroachdb, yugabytedb and spanner-pg): the pgwire planner
// (dialects/pgwire/plan.hpp) plans each case for every version that has an
// expected file, and the result must equal that file byte for byte:
//
//   plan.<version>.expected   the plan as YAML (planner::to_yaml)
//   plan.<version>.error      the UnsupportedError's message, for a change the
//                             product or its matrix cannot do
//
// <version> is what the plan is for ("23.2", "2024.2", "all" for Spanner).
// SEAM_UPDATE_GOLDEN=1 rewrites every existing file (switching .expected and
// .error when the outcome changed); a new version is added by creating an
// empty file of that name first. Every regenerated file is to be reviewed
// against ../shared/reference/compat-facts.md and the product's documentation
// (each case's SOURCES.md).
//
// None of these products runs here. The "live" catalog is from.sql loaded
// into a throwaway PostgreSQL 15 and read back with pg::inspect. That is a
// sound stand-in for what the planner consumes: the cases are plain tables,
// columns, indexes, constraints and enum types written in PostgreSQL syntax
// that each product accepts, the planner reads only the model (never the
// server), and pg::inspect gives exactly the model that pgwire::inspect is
// meant to give for those objects on the product. What it does not show -
// whether the product runs the SQL as its matrix says - is what the plans'
// dialect-unverified hazards say. No statistics are passed (they would be
// PostgreSQL's, not the product's), as with `seam plan --from`.
//
// Besides the byte comparison, every plan must be sound (plan_problems),
// reparse to itself, plan identically twice, run no step inside a
// transaction block or with CONCURRENTLY, and carry a dialect-unverified
// hazard on every step whose matrix entry is unverified.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "compat-matrix/matrix.hpp"
#include "dialects/pgwire/plan.hpp"
#include "dialects/postgres/conn.hpp"
#include "dialects/postgres/fingerprint.hpp"
#include "dialects/postgres/inspect.hpp"
#include "differ/diff.hpp"
#include "planner/lint.hpp"
#include "planner/plan_yaml.hpp"
#include "schema/errors.hpp"
#include "schema/load.hpp"
#include "tests/support/cases.hpp"
#include "tests/support/pg_fixture.hpp"

namespace fs = std::filesystem;
using namespace seam;

namespace {

const std::vector<std::string> kDialects = {"cockroachdb", "spanner-pg", "yugabytedb"};

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

// "<dialect>/<case>" for every case directory with from.sql and to.sql.
std::vector<std::string> dialect_cases() {
  std::vector<std::string> out;
  for (const auto& d : kDialects) {
    fs::path dir = fs::path(SEAM_TEST_CASES_DIR) / d;
    if (!fs::is_directory(dir)) continue;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_directory() && fs::exists(e.path() / "from.sql") && fs::exists(e.path() / "to.sql"))
        out.push_back(d + "/" + e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct Golden {
  std::string version;  // "23.2", "all"
  fs::path file;
  bool error;  // .error (an UnsupportedError) rather than .expected (a plan)
};

std::vector<Golden> goldens(const fs::path& dir) {
  std::vector<Golden> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string n = e.path().filename().string();
    for (const char* ext : {".expected", ".error"}) {
      std::string x = ext;
      if (n.rfind("plan.", 0) == 0 && n.size() > 5 + x.size() &&
          n.compare(n.size() - x.size(), x.size(), x) == 0)
        out.push_back({n.substr(5, n.size() - 5 - x.size()), e.path(), x == ".error"});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const Golden& a, const Golden& b) { return a.file < b.file; });
  return out;
}

compat::Version version_of(const std::string& v) {
  return v == "all" ? compat::Version{1, -1} : compat::Version::parse(v);
}

// The plan as YAML, or the planner's UnsupportedError message; `error` says which.
std::string outcome(const differ::ChangeSet& cs, const schema::Catalog& live,
                    const schema::Catalog& desired, const pgwire::PlanInput& in, bool* error,
                    planner::Plan* plan) {
  try {
    *plan = pgwire::make_plan(cs, live, desired, in);
    *error = false;
    return planner::to_yaml(*plan);
  } catch (const UnsupportedError& e) {
    *error = true;
    return std::string(e.what()) + "\n";
  }
}

class DialectGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(DialectGolden, PlansMatchTheReviewedFiles) {
  fs::path dir = fs::path(SEAM_TEST_CASES_DIR) / GetParam();
  std::string dialect = GetParam().substr(0, GetParam().find('/'));
  auto files = goldens(dir);
  ASSERT_FALSE(files.empty()) << dir << " has no plan.<version>.expected or .error file";
  EXPECT_TRUE(fs::exists(dir / "SOURCES.md")) << dir << ": every case cites its sources";

  std::string url = test::fresh_database();
  test::run_psql_file(url, dir / "from.sql");
  auto conn = pg::connect(url);
  schema::Catalog live = pg::inspect(*conn);
  schema::Catalog desired = schema::load_path((dir / "to.sql").string()).catalog;
  differ::ChangeSet cs = differ::diff(live, desired);
  ASSERT_FALSE(cs.empty()) << "a golden case must change something";

  const compat::Matrix& matrix = compat::builtin(dialect);
  for (const auto& g : files) {
    SCOPED_TRACE(g.file.string());
    pgwire::PlanInput in;
    in.dialect = dialect;
    in.version = version_of(g.version);
    in.matrix = &matrix;
    in.seam_version = "test";
    in.source_fingerprint = pg::catalog_fingerprint(live);
    in.desired_fingerprint = pg::catalog_fingerprint(desired);
    bool error = false;
    planner::Plan plan;
    std::string got = outcome(cs, live, desired, in, &error, &plan);
    if (updating()) {
      fs::path target = dir / ("plan." + g.version + (error ? ".error" : ".expected"));
      if (target != g.file) fs::remove(g.file);
      std::ofstream(target, std::ios::binary) << got;
      continue;
    }
    EXPECT_EQ(error, g.error) << (error ? "the planner refused: " : "the planner planned: ") << got;
    EXPECT_EQ(read(g.file), got);
    if (error) continue;

    bool again_error = false;
    planner::Plan again;
    EXPECT_EQ(got, outcome(cs, live, desired, in, &again_error, &again))
        << "planning again differs";
    planner::Plan parsed = planner::plan_from_yaml(got, g.file.string());
    EXPECT_TRUE(parsed == plan) << "plan_from_yaml(to_yaml(plan)) differs";
    EXPECT_TRUE(planner::plan_problems(plan).empty()) << planner::plan_problems(plan).front();
    EXPECT_EQ(plan.dialect, dialect);
    EXPECT_EQ(plan.server_version, g.version);
    for (const auto& s : plan.steps) {
      if (s.kind != planner::StepKind::Sql) continue;
      EXPECT_FALSE(s.transactional) << s.id << ": every DDL runs on its own";
      EXPECT_EQ(s.sql.find("CONCURRENTLY"), std::string::npos) << s.id;
      EXPECT_TRUE(s.locks.empty()) << s.id << ": these products take no table locks";
      const compat::Entry* e = matrix.find(s.op, in.version);
      ASSERT_NE(e, nullptr) << s.id << ": op " << s.op
                            << " has no entry, so it must not be planned";
      bool flagged = std::any_of(s.hazards.begin(), s.hazards.end(), [&](const planner::Hazard& h) {
        return h.type == planner::HazardType::DialectUnverified &&
               h.message.find(s.op) != std::string::npos;
      });
      EXPECT_EQ(flagged, !e->verified)
          << s.id << ": the dialect-unverified hazard follows the entry";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, DialectGolden, ::testing::ValuesIn(dialect_cases()),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (auto& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

// The PostgreSQL harnesses list only directories with from.sql and to.sql
// directly under tests/cases, so the dialects' folders stay out of them.
TEST(DialectGoldenLayout, DialectFoldersAreNotPostgresCases) {
  auto names = test::case_names();
  for (const auto& d : kDialects) {
    EXPECT_EQ(std::find(names.begin(), names.end(), d), names.end()) << d;
    EXPECT_FALSE(fs::exists(fs::path(SEAM_TEST_CASES_DIR) / d / "from.sql")) << d;
  }
  EXPECT_FALSE(dialect_cases().empty());
}

}  // namespace
