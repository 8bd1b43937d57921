// The zero-downtime planner end to end on a real server: for every case in
// tests/cases (from.sql / to.sql), make_plan's steps are executed in order by
// the sequential runner and must reach the desired state (inspected catalog
// equals model(to.sql), with column order ignored: the shadow-column and
// copy-rename strategies append the new column at the end of its table), and
// the plan must be deterministic. Further tests check properties of the
// strategies on populated tables: data survives a type change and a rename,
// drops wait behind the checkpoint, and the NOT NULL strategy follows the
// server's major. golden_plan_test.cpp compares the plans with expected files.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "dialects/postgres/conn.hpp"
#include "dialects/postgres/inspect.hpp"
#include "dialects/postgres/plan.hpp"
#include "dialects/postgres/render_change.hpp"
#include "differ/diff.hpp"
#include "schema/compare.hpp"
#include "schema/errors.hpp"
#include "schema/load.hpp"
#include "schema/sql_file.hpp"
#include "tests/support/cases.hpp"
#include "tests/support/pg_fixture.hpp"
#include "tests/support/plan_input.hpp"
#include "tests/support/plan_runner.hpp"

namespace fs = std::filesystem;
using namespace seam;

namespace {

using seam::test::case_names;
// Column order aside (see the file comment), everything must match.
using seam::test::columns_by_name;

planner::Plan plan_for(pqxx::connection& c, const schema::Catalog& desired) {
  schema::Catalog live = pg::inspect(c);
  return pg::make_plan(differ::diff(live, desired), live, desired,
                       test::plan_input(c, live, desired));
}

std::string plan_text(const planner::Plan& p) {
  std::string s;
  for (const auto& st : p.steps)
    s += "-- " + st.id + (st.transactional ? "" : " (no transaction)") + "\n" + st.sql;
  return s;
}

void expect_reaches(const std::string& url, pqxx::connection& c, const schema::Catalog& desired,
                    const planner::Plan& plan) {
  ASSERT_NO_THROW(test::run_plan_sequentially(c, plan)) << plan_text(plan);
  schema::Catalog after = pg::inspect(c);
  auto d = schema::compare(columns_by_name(desired), columns_by_name(after));
  EXPECT_TRUE(d.empty()) << "after running the plan:\n"
                         << schema::format_differences(d) << "plan:\n"
                         << plan_text(plan);
  EXPECT_EQ("", pg::migration_script(differ::diff(after, desired))) << "not converged; plan:\n"
                                                                    << plan_text(plan);
}

schema::Catalog load_text(const std::string& sql) {
  return schema::load_files({schema::make_sql_file(sql, "to.sql")}).catalog;
}

void expect_invariants(const planner::Plan& p);

class PlanApply : public ::testing::TestWithParam<std::string> {};

TEST_P(PlanApply, ReachesTheDesiredStateDeterministically) {
  fs::path dir = fs::path(SEAM_TEST_CASES_DIR) / GetParam();
  std::string url = test::fresh_database();
  test::run_psql_file(url, dir / "from.sql");
  auto conn = pg::connect(url);
  schema::Catalog desired = schema::load_path((dir / "to.sql").string()).catalog;
  // A case this major refuses (plan.pg<N>.error, see golden_plan_test.cpp):
  // the refusal is the outcome, checked word for word there.
  if (fs::exists(dir / ("plan.pg" + std::to_string(test::test_pg_major()) + ".error"))) {
    EXPECT_THROW(plan_for(*conn, desired), UnsupportedError);
    return;
  }
  planner::Plan plan = plan_for(*conn, desired);
  ASSERT_FALSE(plan.empty());
  EXPECT_TRUE(plan == plan_for(*conn, desired)) << "planning twice gives different plans";
  expect_invariants(plan);
  expect_reaches(url, *conn, desired, plan);
}

INSTANTIATE_TEST_SUITE_P(Cases, PlanApply, ::testing::ValuesIn(case_names()),
                         [](const auto& info) { return info.param; });

// Order invariants of every plan: phases never go back, every drop waits in
// contract behind the checkpoint, ids are unique.
void expect_invariants(const planner::Plan& p) {
  int last = 0;
  bool checkpoint = false;
  std::set<std::string> ids;
  for (const auto& s : p.steps) {
    EXPECT_TRUE(ids.insert(s.id).second) << "duplicate id " << s.id;
    int ph = static_cast<int>(s.phase);
    EXPECT_GE(ph, last) << s.id << " comes after a step of a later phase";
    last = ph;
    if (s.kind == planner::StepKind::Checkpoint) checkpoint = true;
    // A generated column's expression changing is one ALTER TABLE ... DROP
    // COLUMN c, ADD COLUMN c: values are recomputed, none lost (no data-loss
    // hazard), so it may run in expand.
    bool regenerated =
        s.op == "replace_generated_column" &&
        std::none_of(s.hazards.begin(), s.hazards.end(), [](const planner::Hazard& h) {
          return h.type == planner::HazardType::DataLoss;
        });
    if (s.sql.rfind("DROP TABLE", 0) == 0 ||
        (s.sql.find("DROP COLUMN") != std::string::npos && !regenerated)) {
      EXPECT_EQ(planner::Phase::Contract, s.phase) << s.id;
      EXPECT_TRUE(checkpoint) << s.id << " drops before the checkpoint";
    }
    if (!s.transactional && s.kind == planner::StepKind::Sql) {
      EXPECT_EQ(1, std::count(s.sql.begin(), s.sql.end(), ';'))
          << s.id << ": a non-transactional step is one statement";
    }
  }
}

const char* kShopFrom = R"(
CREATE TABLE public.accounts (id bigint PRIMARY KEY, email text);
CREATE TABLE public.orders (
  id bigint PRIMARY KEY,
  account_id bigint,
  qty integer NOT NULL DEFAULT 1,
  note character varying(20),
  legacy text
);
CREATE INDEX orders_qty_idx ON public.orders (qty);
INSERT INTO public.accounts SELECT g, 'u' || g || '@x' FROM generate_series(1, 500) g;
INSERT INTO public.orders SELECT g, 1 + g % 500, g, 'n' || g, 'l' FROM generate_series(1, 3000) g;
)";

const char* kShopTo = R"(
CREATE TABLE public.accounts (id bigint PRIMARY KEY, email text NOT NULL);
CREATE UNIQUE INDEX accounts_email_idx ON public.accounts (email);
CREATE TABLE public.orders (
  id bigint PRIMARY KEY,
  account_id bigint REFERENCES public.accounts (id),
  qty bigint NOT NULL DEFAULT 1,
  note text,
  -- seam:renamed-from legacy
  origin text,
  token double precision DEFAULT random() NOT NULL,
  CHECK (id > 0)
);
CREATE INDEX orders_qty_idx ON public.orders (qty);
)";

TEST(PlanStrategies, PopulatedTablesKeepTheirDataAndReachTheDesiredState) {
  std::string url = test::fresh_database("shop");
  test::run_sql(url, kShopFrom);
  test::run_sql(url, "ANALYZE");
  auto conn = pg::connect(url);
  schema::Catalog desired = load_text(kShopTo);
  planner::Plan plan = plan_for(*conn, desired);
  expect_invariants(plan);
  std::string text = plan_text(plan);
  // The strategies chosen (not the plain DDL of `seam diff`).
  EXPECT_NE(std::string::npos, text.find("CREATE UNIQUE INDEX CONCURRENTLY accounts_email_idx"))
      << text;
  EXPECT_NE(std::string::npos, text.find("NOT VALID")) << text;
  EXPECT_NE(std::string::npos, text.find("ADD COLUMN qty_seam_new bigint"))
      << text;  // integer -> bigint: shadow column
  EXPECT_NE(std::string::npos, text.find("TYPE text"))
      << text;  // varchar -> text: binary coercible
  EXPECT_NE(std::string::npos, text.find("ADD COLUMN origin text")) << text;  // rename: copy
  bool has_backfill = std::any_of(plan.steps.begin(), plan.steps.end(), [](const auto& s) {
    return s.kind == planner::StepKind::Backfill;
  });
  EXPECT_TRUE(has_backfill);
  EXPECT_EQ(3000, plan.summary.rows_to_backfill / 3)
      << "three backfills of orders (token, qty, origin)";
  expect_reaches(url, *conn, desired, plan);
  EXPECT_EQ(
      "3000",
      test::query_value(
          url,
          "SELECT count(*) FROM orders WHERE qty = id AND origin = 'l' AND token IS NOT NULL"));
  EXPECT_EQ("bigint", test::query_value(url,
                                        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                                        "WHERE attrelid = 'orders'::regclass AND attname = 'qty'"));
  EXPECT_EQ(
      "",
      test::query_value(
          url,
          "SELECT string_agg(indexrelid::regclass::text, ',') FROM pg_index WHERE NOT indisvalid"));
}

TEST(PlanStrategies, DualWriteKeepsRowsWrittenDuringTheMigrationInSync) {
  std::string url = test::fresh_database("dualwrite");
  test::run_sql(url,
                "CREATE TABLE t (id int PRIMARY KEY, v integer, old_name text);"
                "INSERT INTO t SELECT g, g, 'x' || g FROM generate_series(1, 100) g;");
  auto conn = pg::connect(url);
  schema::Catalog desired = load_text(
      "CREATE TABLE t (id int PRIMARY KEY, v bigint,\n  -- seam:renamed-from old_name\n  new_name "
      "text);");
  planner::Plan plan = plan_for(*conn, desired);
  bool backfilled = false;
  test::run_plan_sequentially(*conn, plan, [&](const planner::Step& s) {
    // Old code keeps writing while the copies are in place (before the backfill and after it).
    if (s.phase == planner::Phase::Backfill && !backfilled) {
      backfilled = true;
      test::run_sql(url,
                    "INSERT INTO t (id, v, old_name) VALUES (1000, 7, 'old code');"
                    "UPDATE t SET v = -v, old_name = 'changed' WHERE id = 5;");
    }
    if (s.kind == planner::StepKind::Checkpoint)
      test::run_sql(url, "INSERT INTO t (id, v, old_name) VALUES (1001, 8, 'late');");
  });
  ASSERT_TRUE(backfilled);
  EXPECT_EQ("7|old code",
            test::query_value(url, "SELECT v || '|' || new_name FROM t WHERE id = 1000"));
  EXPECT_EQ("-5|changed",
            test::query_value(url, "SELECT v || '|' || new_name FROM t WHERE id = 5"));
  EXPECT_EQ("8|late", test::query_value(url, "SELECT v || '|' || new_name FROM t WHERE id = 1001"));
  EXPECT_EQ(
      "0", test::query_value(url, "SELECT count(*) FROM pg_trigger WHERE tgrelid = 't'::regclass"));
}

TEST(PlanStrategies, SetNotNullFollowsTheServersMajor) {
  std::string url = test::fresh_database("notnull");
  test::run_sql(url,
                "CREATE TABLE t (id int PRIMARY KEY, c text); INSERT INTO t SELECT g, 'x' FROM "
                "generate_series(1, 50) g;");
  auto conn = pg::connect(url);
  schema::Catalog desired = load_text("CREATE TABLE t (id int PRIMARY KEY, c text NOT NULL);");
  planner::Plan plan = plan_for(*conn, desired);
  expect_invariants(plan);
  std::string text = plan_text(plan);
  if (test::test_pg_major() >= 18)
    EXPECT_NE(std::string::npos, text.find("NOT NULL c NOT VALID")) << text;
  else
    EXPECT_NE(std::string::npos, text.find("CHECK (c IS NOT NULL) NOT VALID")) << text;
  for (const auto& s : plan.steps)
    if (s.kind == planner::StepKind::Sql) {
      EXPECT_EQ(planner::Phase::Contract, s.phase) << s.id;
      for (const auto& l : s.locks) {
        if (l.mode == "ACCESS EXCLUSIVE") {
          EXPECT_FALSE(s.scan) << s.id << " scans under ACCESS EXCLUSIVE";
        }
      }
    }
  expect_reaches(url, *conn, desired, plan);
}

TEST(PlanStrategies, PartitionedIndexEndsValidAndAttached) {
  std::string url = test::fresh_database("partidx");
  std::string from =
      "CREATE TABLE public.e (id bigint NOT NULL, at date NOT NULL, v text) PARTITION BY RANGE "
      "(at);\n"
      "CREATE TABLE public.e_2024 PARTITION OF public.e FOR VALUES FROM ('2024-01-01') TO "
      "('2025-01-01');\n"
      "CREATE TABLE public.e_2025 PARTITION OF public.e FOR VALUES FROM ('2025-01-01') TO "
      "('2026-01-01');\n";
  test::run_sql(url, from +
                         "INSERT INTO public.e SELECT g, date '2024-03-01' + (g % 600), 'v' || g "
                         "FROM generate_series(1, 5000) g;");
  auto conn = pg::connect(url);
  schema::Catalog desired =
      load_text(from + "CREATE UNIQUE INDEX e_id_at_key ON public.e (id, at);\n");
  planner::Plan plan = plan_for(*conn, desired);
  expect_invariants(plan);
  EXPECT_NE(std::string::npos, plan_text(plan).find("ON ONLY public.e")) << plan_text(plan);
  expect_reaches(url, *conn, desired, plan);
  EXPECT_EQ(
      "t",
      test::query_value(
          url,
          "SELECT indisvalid FROM pg_index WHERE indexrelid = 'public.e_id_at_key'::regclass"));
  EXPECT_EQ(
      "2",
      test::query_value(
          url,
          "SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.e_id_at_key'::regclass"));
}

TEST(PlanStrategies, NewIdentityColumnIsBackfilledAndContinuesItsSequence) {
  std::string url = test::fresh_database("identity");
  test::run_sql(url,
                "CREATE TABLE public.t (id text PRIMARY KEY); INSERT INTO public.t SELECT 'k' || g "
                "FROM generate_series(1, 1500) g;");
  auto conn = pg::connect(url);
  schema::Catalog desired = load_text(
      "CREATE TABLE public.t (id text PRIMARY KEY, n bigint GENERATED ALWAYS AS IDENTITY);");
  planner::Plan plan = plan_for(*conn, desired);
  expect_invariants(plan);
  for (const auto& s : plan.steps) EXPECT_FALSE(s.rewrite) << s.id;
  bool inserted = false;
  test::run_plan_sequentially(*conn, plan, [&](const planner::Step& s) {
    if (s.kind == planner::StepKind::Checkpoint) {  // new rows while the migration runs
      test::run_sql(url, "INSERT INTO public.t (id) VALUES ('during')");
      inserted = true;
    }
  });
  ASSERT_TRUE(inserted);
  auto d = schema::compare(columns_by_name(desired), columns_by_name(pg::inspect(*conn)));
  EXPECT_TRUE(d.empty()) << schema::format_differences(d) << plan_text(plan);
  test::run_sql(url, "INSERT INTO public.t (id) VALUES ('after')");
  EXPECT_EQ("1502|1502",
            test::query_value(url, "SELECT count(DISTINCT n) || '|' || count(*) FROM public.t"));
  EXPECT_EQ("1502", test::query_value(url, "SELECT n FROM public.t WHERE id = 'after'"));
}

TEST(PlanStrategies, AttachOfAPopulatedTableIsPrechecked) {
  std::string url = test::fresh_database("attach");
  std::string parent =
      "CREATE TABLE public.e (id bigint NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);\n"
      "CREATE TABLE public.e_old PARTITION OF public.e FOR VALUES FROM (MINVALUE) TO "
      "('2025-01-01');\n"
      "CREATE TABLE public.e_rest PARTITION OF public.e DEFAULT;\n";
  test::run_sql(url, parent +
                         "CREATE TABLE public.e_2025 (id bigint NOT NULL, at date NOT NULL);"
                         "INSERT INTO public.e_2025 SELECT g, date '2025-01-01' + g % 365 FROM "
                         "generate_series(1, 4000) g;");
  auto conn = pg::connect(url);
  schema::Catalog desired = load_text(parent +
                                      "CREATE TABLE public.e_2025 PARTITION OF public.e FOR VALUES "
                                      "FROM ('2025-01-01') TO ('2026-01-01');\n");
  planner::Plan plan = plan_for(*conn, desired);
  expect_invariants(plan);
  std::string text = plan_text(plan);
  EXPECT_NE(
      std::string::npos,
      text.find("CHECK (at IS NOT NULL AND at >= '2025-01-01' AND at < '2026-01-01') NOT VALID"))
      << text;
  expect_reaches(url, *conn, desired, plan);
  EXPECT_EQ("4000",
            test::query_value(url, "SELECT count(*) FROM public.e WHERE at >= '2025-01-01'"));
  EXPECT_EQ("0", test::query_value(
                     url, "SELECT count(*) FROM pg_constraint WHERE conname LIKE '%seam%'"));
}

}  // namespace
