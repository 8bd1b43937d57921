// Golden TiDB plans (tests/cases/tidb/<case>/), live on MariaDB. For each case:
//
//  1. from.sql (MySQL syntax, may INSERT rows) runs statement by statement in
//     a fresh database on the MariaDB dev server and is inspected from
//     information_schema: the "live" catalog; to.sql goes through the
//     desired-state loader (dialects/mysql/load.hpp);
//  2. the differ diffs them and mysql::plan_tidb plans the change for every
//     version that has an expected file:
//       plan.<version>.expected   the plan as YAML (planner::to_yaml)
//       plan.<version>.error      the UnsupportedError's message (a refusal)
//     compared byte for byte; SEAM_UPDATE_GOLDEN=1 rewrites every existing
//     file (switching .expected and .error when the outcome changed); a new
//     version is added by creating an empty file of that name first. Every
//     regenerated plan is to be reviewed against compat-facts.md section 5
//     and the TiDB pages each case's SOURCES.md cites;
//  3. each plan is sound (plan_problems), reparses to itself, plans the same
//     twice, runs every step outside a transaction with no PostgreSQL-only
//     SQL, and carries a dialect-unverified hazard on every step that relies
//     on a matrix entry (all TiDB entries are unverified);
//  4. the plan for the newest version that plans at all is then RUN on
//     MariaDB against the database built from from.sql - every SQL step in
//     order, every backfill by primary-key ranges (mysql::run_backfill, in
//     batches of two rows so that there are several), checkpoints passed -
//     after which the database inspects equal to to.sql (an empty diff) and
//     the case's check.sql, if any, returns 1 (the data survived).
//     Statements MariaDB cannot run because TiDB's syntax differs (ADMIN ...)
//     would be skipped by name in mariadb_lacks(); none of the cases has one
//     (docs/dialects.md lists the differences).
// Table statistics are exact row counts, so the hazard messages are stable.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "dialects/mysql/dev_server.hpp"
#include "dialects/mysql/inspect.hpp"
#include "dialects/mysql/load.hpp"
#include "dialects/mysql/split.hpp"
#include "dialects/mysql/tidb_backfill.hpp"
#include "dialects/mysql/tidb_plan.hpp"
#include "dialects/postgres/fingerprint.hpp"
#include "differ/diff.hpp"
#include "planner/lint.hpp"
#include "planner/plan_render.hpp"
#include "planner/plan_yaml.hpp"
#include "schema/errors.hpp"

namespace fs = std::filesystem;
using namespace seam;

namespace {

const fs::path kCases = fs::path(SEAM_TEST_CASES_DIR) / "tidb";
const std::string kSchema = "shop";

mysql::DevServer& server() {
  static mysql::DevServer s;
  return s;
}

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

std::vector<std::string> case_names() {
  std::vector<std::string> out;
  if (!fs::exists(kCases)) return out;
  for (const auto& e : fs::directory_iterator(kCases))
    if (e.is_directory() && fs::exists(e.path() / "from.sql") && fs::exists(e.path() / "to.sql"))
      out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// Versions with an expected outcome, ascending.
std::vector<std::string> versions(const fs::path& dir) {
  static const std::regex name(R"(^plan\.(.+)\.(expected|error)$)");
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::smatch m;
    std::string f = e.path().filename().string();
    if (std::regex_match(f, m, name)) out.push_back(m[1].str());
  }
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    return compat::Version::parse(a) < compat::Version::parse(b);
  });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// Why MariaDB cannot run a statement of a TiDB plan ("" = it can). Every
// entry is a difference docs/dialects.md lists.
std::string mariadb_lacks(const std::string& sql) {
  if (sql.rfind("ADMIN ", 0) == 0) return "ADMIN statements are TiDB's own";
  return "";
}

void run_statements(mysql::Connection& c, const std::string& sql, const std::string& origin) {
  for (const auto& st : mysql::split_statements(sql, origin)) c.exec(st.text);
}

struct Loaded {
  std::string db;
  schema::Catalog live, desired;
  std::map<std::string, mysql::TableSize> stats;
};

Loaded load_case(const std::string& name) {
  fs::path dir = kCases / name;
  Loaded l;
  l.db = "tidb_" + name;
  auto c = server().connect();
  c.exec("DROP DATABASE IF EXISTS " + mysql::quote_ident(l.db));
  c.exec("CREATE DATABASE " + mysql::quote_ident(l.db));
  {
    auto t = server().connect(l.db);
    run_statements(t, read(dir / "from.sql"), (dir / "from.sql").string());
  }
  l.live = mysql::inspect(c, l.db, {.as_schema = kSchema});
  mysql::LoadResult r =
      mysql::load_files(c, {{"to.sql", read(dir / "to.sql")}}, {.schema_name = kSchema});
  EXPECT_TRUE(r.warnings.empty()) << r.warnings.front();
  l.desired = r.catalog;
  for (const auto& [n, t] : l.live.tables)
    l.stats[n.schema + "." + n.name].rows = std::stoll(
        c.value("SELECT COUNT(*) FROM " + mysql::quote_qual(l.db, n.name)).value_or("0"));
  return l;
}

planner::Plan plan(const Loaded& l, const std::string& version) {
  mysql::TidbPlanInput in;
  in.version = compat::Version::parse(version);
  in.server_version = version;
  in.stats = l.stats;
  in.seam_version = "test";
  in.source_fingerprint = pg::catalog_fingerprint(l.live);
  in.desired_fingerprint = pg::catalog_fingerprint(l.desired);
  return mysql::plan_tidb(differ::diff(l.live, l.desired), l.live, l.desired, in);
}

// Compares (or, when updating, writes) one version's outcome.
void check_golden(const fs::path& dir, const std::string& version, const std::string& text,
                  bool is_error) {
  fs::path expected = dir / ("plan." + version + ".expected");
  fs::path error = dir / ("plan." + version + ".error");
  if (updating()) {
    fs::remove(is_error ? expected : error);
    std::ofstream(is_error ? error : expected, std::ios::binary) << text;
    return;
  }
  fs::path want = is_error ? error : expected;
  ASSERT_TRUE(fs::exists(want)) << "TiDB " << version << ": the outcome is "
                                << (is_error ? "a refusal" : "a plan") << " but " << want
                                << " does not exist:\n"
                                << text;
  EXPECT_EQ(read(want), text) << "TiDB " << version << " differs from " << want;
}

void check_plan(const planner::Plan& p, const std::string& name) {
  EXPECT_EQ(p.dialect, "tidb");
  EXPECT_TRUE(planner::plan_problems(p).empty()) << planner::plan_problems(p).front();
  std::string yaml = planner::to_yaml(p);
  planner::Plan parsed;
  ASSERT_NO_THROW(parsed = planner::plan_from_yaml(yaml, name + ".yaml")) << yaml;
  EXPECT_TRUE(parsed == p) << "plan_from_yaml(to_yaml(plan)) differs:\n" << yaml;
  std::string preview = planner::to_sql(p);
  for (const auto& s : p.steps) {
    if (s.kind == planner::StepKind::Checkpoint) continue;
    if (s.kind == planner::StepKind::Sql) {
      EXPECT_FALSE(s.transactional) << s.id << ": TiDB commits around every DDL";
      EXPECT_TRUE(s.locks.empty()) << s.id << ": TiDB DDL takes no PostgreSQL table locks";
      for (const char* pg_only : {"BEGIN", "COMMIT", "lock_timeout", "CONCURRENTLY", "\""})
        EXPECT_EQ(s.sql.find(pg_only), std::string::npos) << s.id << ": " << s.sql;
    }
    if (!s.op.empty()) {
      bool unverified = std::any_of(s.hazards.begin(), s.hazards.end(), [&](const auto& h) {
        return h.type == planner::HazardType::DialectUnverified &&
               h.message.find(s.op == "multi_schema_change" ? "multi_schema_change" : s.op) !=
                   std::string::npos;
      });
      EXPECT_TRUE(unverified) << s.id << " relies on unverified " << s.op << " without saying so";
    }
    if (s.backfill) {
      // The preview shows the statements run_backfill runs.
      std::string cursor = "<cursor>", end = "<batch end>";
      EXPECT_NE(preview.find(mysql::batch_end_sql(*s.backfill, p.throttle.batch_size, &cursor)),
                std::string::npos)
          << preview;
      EXPECT_NE(preview.find(mysql::batch_update_sql(*s.backfill, &cursor, &end)),
                std::string::npos)
          << preview;
    }
  }
  // `seam lint`'s default policy warns on every unverified step.
  auto findings = planner::lint(p, planner::Policy::defaults());
  EXPECT_TRUE(std::any_of(findings.begin(), findings.end(), [](const planner::Finding& f) {
    return f.hazard == planner::HazardType::DialectUnverified && f.level == planner::Level::Warn;
  }));
}

// Runs every step of `plan` on database `db` of the dev server: SQL steps
// statement by statement, backfills by primary-key ranges in batches of two
// rows, checkpoints passed. Returns how many backfills ran.
int run_on_mariadb(const planner::Plan& plan, const std::string& db) {
  auto t = server().connect(db);
  int backfills = 0;
  for (const auto& s : plan.steps) {
    SCOPED_TRACE(s.id);
    if (s.kind == planner::StepKind::Backfill) {
      auto before = s.backfill->est_rows;
      mysql::BackfillRun r = mysql::run_backfill(t, *s.backfill, 2);
      EXPECT_EQ(r.rows, before) << "every row needs the backfill in these cases";
      EXPECT_GT(r.batches, before / 2) << "batches of two rows";
      ++backfills;
      continue;
    }
    if (s.kind != planner::StepKind::Sql) continue;
    for (const auto& st : mysql::split_statements(s.sql, s.id)) {
      std::string why = mariadb_lacks(st.text);
      if (!why.empty()) {
        ADD_FAILURE() << "step " << s.id << " has a statement MariaDB cannot run (" << why
                      << "); no case here should need one: " << st.text;
        continue;
      }
      try {
        t.exec(st.text);
      } catch (const mysql::ServerError& e) {
        ADD_FAILURE() << "MariaDB refused " << st.text << "\n" << e.what();
      }
    }
  }
  return backfills;
}

class TidbGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(TidbGolden, MatchesAndRunsOnMariaDb) {
  const std::string name = GetParam();
  const fs::path dir = kCases / name;
  ASSERT_TRUE(fs::exists(dir / "SOURCES.md")) << "every case cites its sources";
  Loaded l = load_case(name);
  ASSERT_TRUE(l.live.unsupported.empty()) << l.live.unsupported.front();
  ASSERT_FALSE(differ::diff(l.live, l.desired).empty()) << "a golden case must change something";
  std::vector<std::string> vs = versions(dir);
  ASSERT_FALSE(vs.empty()) << "create plan.<version>.expected (empty) for the versions to plan";

  std::optional<planner::Plan> newest;
  for (const auto& v : vs) {
    SCOPED_TRACE("TiDB " + v);
    planner::Plan p;
    try {
      p = plan(l, v);
    } catch (const UnsupportedError& e) {
      check_golden(dir, v, std::string(e.what()) + "\n", true);
      continue;
    }
    ASSERT_FALSE(p.empty());
    std::string yaml = planner::to_yaml(p);
    EXPECT_EQ(yaml, planner::to_yaml(plan(l, v))) << "planning again gives another plan";
    check_plan(p, name);
    check_golden(dir, v, yaml, false);
    newest = p;
  }
  ASSERT_TRUE(newest) << "no version plans this case: nothing to run";

  // Run the newest plan on MariaDB.
  run_on_mariadb(*newest, l.db);
  auto t = server().connect(l.db);
  auto c = server().connect();
  schema::Catalog applied = mysql::inspect(c, l.db, {.as_schema = kSchema});
  differ::ChangeSet rest = differ::diff(applied, l.desired);
  EXPECT_TRUE(rest.empty()) << rest.changes.size() << " changes left after the plan, the first: "
                            << differ::describe(rest.changes.front()) << "\n"
                            << planner::to_sql(*newest);
  if (fs::exists(dir / "check.sql")) {
    std::optional<std::string> ok;
    ASSERT_NO_THROW(ok = t.value(read(dir / "check.sql")));
    EXPECT_EQ(ok.value_or("NULL"), "1") << dir / "check.sql"
                                        << " does not hold after the plan";
  }
  c.exec("DROP DATABASE " + mysql::quote_ident(l.db));
}

INSTANTIATE_TEST_SUITE_P(Cases, TidbGolden, ::testing::ValuesIn(case_names()),
                         [](const auto& info) { return info.param; });

// The strategies the golden cases do not show, each planned from MariaDB
// catalogs (from: a database built from `from` with its rows; to: the
// desired-state loader) and, where it plans, run on MariaDB.
struct Scenario {
  Loaded l;
  std::optional<planner::Plan> plan;
  std::string error;
};

Scenario scenario(const std::string& name, const std::string& from, const std::string& to,
                  const std::string& version = "8.5") {
  Scenario sc;
  sc.l.db = "tidb_s_" + name;
  auto c = server().connect();
  c.exec("DROP DATABASE IF EXISTS " + mysql::quote_ident(sc.l.db));
  c.exec("CREATE DATABASE " + mysql::quote_ident(sc.l.db));
  {
    auto t = server().connect(sc.l.db);
    run_statements(t, from, name + "/from.sql");
  }
  sc.l.live = mysql::inspect(c, sc.l.db, {.as_schema = kSchema});
  sc.l.desired = mysql::load_files(c, {{"to.sql", to}}, {.schema_name = kSchema}).catalog;
  try {
    sc.plan = plan(sc.l, version);
    check_plan(*sc.plan, name);
  } catch (const UnsupportedError& e) {
    sc.error = e.what();
  }
  return sc;
}

// Runs the scenario's plan and expects the desired state.
void converges(const Scenario& sc) {
  ASSERT_TRUE(sc.plan) << sc.error;
  run_on_mariadb(*sc.plan, sc.l.db);
  auto c = server().connect();
  differ::ChangeSet rest =
      differ::diff(mysql::inspect(c, sc.l.db, {.as_schema = kSchema}), sc.l.desired);
  EXPECT_TRUE(rest.empty()) << differ::describe(rest.changes.front()) << "\n"
                            << planner::to_sql(*sc.plan);
}

const planner::Hazard* hazard(const planner::Step& s, planner::HazardType t) {
  for (const auto& h : s.hazards)
    if (h.type == t) return &h;
  return nullptr;
}

TEST(TidbPlanner, LossyModifyIsARewritingJob) {
  Scenario sc = scenario("lossy",
                         "CREATE TABLE t (id BIGINT NOT NULL PRIMARY KEY, code VARCHAR(20) NULL,\n"
                         "  kind ENUM('a','b') NOT NULL DEFAULT 'a');\n"
                         "INSERT INTO t VALUES (1, '17', 'a'), (2, '42', 'b'), (3, NULL, 'b');",
                         "CREATE TABLE t (id BIGINT NOT NULL PRIMARY KEY, code BIGINT NULL,\n"
                         "  kind ENUM('b','a') NOT NULL DEFAULT 'a');");
  ASSERT_TRUE(sc.plan) << sc.error;
  ASSERT_EQ(sc.plan->steps.size(), 2u) << planner::to_yaml(*sc.plan);  // two jobs, not folded
  for (const auto& s : sc.plan->steps) {
    EXPECT_EQ(s.op, "modify_column_lossy");
    EXPECT_EQ(s.phase, planner::Phase::Expand);
    EXPECT_TRUE(s.rewrite);
    const auto* rw = hazard(s, planner::HazardType::TableRewrite);
    ASSERT_NE(rw, nullptr);
    EXPECT_NE(rw->message.find("online Reorg-Data job"), std::string::npos) << rw->message;
    EXPECT_NE(hazard(s, planner::HazardType::LongRunning), nullptr);
    EXPECT_NE(hazard(s, planner::HazardType::AppCompat), nullptr);
  }
  EXPECT_NE(hazard(sc.plan->steps[1], planner::HazardType::TableRewrite)
                ->message.find("members removed or moved"),
            std::string::npos);
  converges(sc);

  // Not on a primary-key column (TiDB refuses a Reorg-Data change there).
  Scenario pk = scenario("lossy_pk", "CREATE TABLE t (id INT NOT NULL PRIMARY KEY);",
                         "CREATE TABLE t (id SMALLINT NOT NULL PRIMARY KEY);");
  EXPECT_NE(pk.error.find("primary-key column"), std::string::npos) << pk.error;
}

TEST(TidbPlanner, MetadataOnlyNeighboursShareOneAlter) {
  Scenario sc =
      scenario("fold",
               "CREATE TABLE t (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, a INT NOT NULL,\n"
               "  legacy CHAR(4) NULL, old1 INT NULL, old2 INT NULL, KEY t_legacy_idx (legacy));\n"
               "INSERT INTO t (a) VALUES (1), (2), (3);",
               "CREATE TABLE t (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, a BIGINT NOT NULL,\n"
               "  x INT NULL, y VARCHAR(5) NOT NULL DEFAULT 'n', KEY t_a_idx (a));");
  ASSERT_TRUE(sc.plan) << sc.error;
  std::vector<std::string> got;
  for (const auto& s : sc.plan->steps) got.push_back(to_string(s.phase) + std::string(" ") + s.op);
  // Expand: the two widenings and the two new columns in one ALTER, the
  // index a job of its own; contract: the index on `legacy` dropped before
  // the column (not folded with it), the other drops in one ALTER.
  EXPECT_EQ(got, (std::vector<std::string>{"expand multi_schema_change", "expand create_index",
                                           "contract ", "contract drop_index",
                                           "contract multi_schema_change"}))
      << planner::to_yaml(*sc.plan);
  EXPECT_NE(sc.plan->steps[0].sql.find("MODIFY COLUMN `id` bigint"), std::string::npos);
  EXPECT_NE(sc.plan->steps[0].sql.find("ADD COLUMN `y` varchar(5)"), std::string::npos);
  EXPECT_NE(sc.plan->steps[4].sql.find("DROP COLUMN `legacy`"), std::string::npos);
  EXPECT_NE(sc.plan->steps[4].sql.find("DROP COLUMN `old2`"), std::string::npos);
  EXPECT_NE(hazard(sc.plan->steps[4], planner::HazardType::DataLoss), nullptr);
  converges(sc);
}

TEST(TidbPlanner, SetNotNullInContract) {
  Scenario sc =
      scenario("not_null",
               "CREATE TABLE t (id INT NOT NULL PRIMARY KEY, note VARCHAR(10) NULL);\n"
               "INSERT INTO t VALUES (1, 'x'), (2, 'y');",
               "CREATE TABLE t (id INT NOT NULL PRIMARY KEY, note VARCHAR(10) NOT NULL);");
  ASSERT_TRUE(sc.plan) << sc.error;
  ASSERT_EQ(sc.plan->steps.size(), 2u);
  const planner::Step& s = sc.plan->steps[1];
  EXPECT_EQ(s.op, "set_not_null");
  EXPECT_EQ(s.phase, planner::Phase::Contract);
  EXPECT_TRUE(s.scan);
  EXPECT_NE(hazard(s, planner::HazardType::FullScan), nullptr);
  converges(sc);
}

TEST(TidbPlanner, RefusesWhatTidbCannotDoOnline) {
  auto refused = [](const std::string& name, const std::string& from, const std::string& to,
                    const std::string& why) {
    Scenario sc = scenario(name, from, to);
    EXPECT_FALSE(sc.plan) << name << ": " << (sc.plan ? planner::to_yaml(*sc.plan) : "");
    EXPECT_NE(sc.error.find(why), std::string::npos) << name << ": " << sc.error;
  };
  refused("nn_no_default", "CREATE TABLE t (id INT NOT NULL PRIMARY KEY);",
          "CREATE TABLE t (id INT NOT NULL PRIMARY KEY, n INT NOT NULL);",
          "NOT NULL without a DEFAULT");
  refused("add_auto_inc", "CREATE TABLE t (id INT NOT NULL PRIMARY KEY);",
          "CREATE TABLE t (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY);",
          "cannot add AUTO_INCREMENT");
  refused("check", "CREATE TABLE t (id INT NOT NULL PRIMARY KEY, n INT);",
          "CREATE TABLE t (id INT NOT NULL PRIMARY KEY, n INT, CONSTRAINT t_n CHECK (n > 0));",
          "add_check");
  refused("fk_column_type",
          "CREATE TABLE p (id INT NOT NULL PRIMARY KEY);\n"
          "CREATE TABLE c (id INT NOT NULL PRIMARY KEY, p_id INT NOT NULL,\n"
          "  CONSTRAINT c_p_fk FOREIGN KEY (p_id) REFERENCES p (id));",
          "CREATE TABLE p (id BIGINT NOT NULL PRIMARY KEY);\n"
          "CREATE TABLE c (id INT NOT NULL PRIMARY KEY, p_id BIGINT NOT NULL,\n"
          "  CONSTRAINT c_p_fk FOREIGN KEY (p_id) REFERENCES p (id));",
          "foreign key c_p_fk");
  refused("table_comment", "CREATE TABLE t (id INT NOT NULL PRIMARY KEY) COMMENT 'a';",
          "CREATE TABLE t (id INT NOT NULL PRIMARY KEY) COMMENT 'b';",
          "comments other than column comments");
  refused("per_row_no_pk", "CREATE TABLE t (n INT NULL);",
          "CREATE TABLE t (n INT NULL, u CHAR(36) NULL DEFAULT (uuid()));", "no primary key");
}

// The example MySQL-dialect schema: a database built from its files and the
// files loaded as the desired state plan to nothing, for every version.
TEST(TidbPlanner, ExampleShopInSyncPlansNothing) {
  const fs::path shop = fs::path(SEAM_SOURCE_DIR) / "examples" / "tidb-shop";
  auto c = server().connect();
  c.exec("DROP DATABASE IF EXISTS tidb_shop_noop");
  c.exec("CREATE DATABASE tidb_shop_noop");
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(shop))
    if (e.path().extension() == ".sql") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());
  {
    auto t = server().connect("tidb_shop_noop");
    for (const auto& f : files) run_statements(t, read(f), f.string());
  }
  Loaded l;
  l.live = mysql::inspect(c, "tidb_shop_noop", {.as_schema = "shop"});
  l.desired = mysql::load_path(c, shop.string(), {.schema_name = "shop"}).catalog;
  ASSERT_FALSE(l.live.tables.empty());
  for (const char* v : {"7.1", "7.5", "8.5"}) {
    planner::Plan p = plan(l, v);
    EXPECT_TRUE(p.empty()) << v << ":\n" << planner::to_yaml(p);
    EXPECT_EQ(p.dialect, "tidb");
  }
  c.exec("DROP DATABASE tidb_shop_noop");
}

// What the executor's batch statement would need on MariaDB: the shape
// planner/plan.hpp documents (LIMIT inside an IN subquery on the updated
// table) is refused, which is why TiDB plans batch by primary-key ranges.
TEST(TidbBackfill, PostgresBatchShapeIsRefusedByMariaDbRangeBatchesWork) {
  auto c = server().connect();
  c.exec("DROP DATABASE IF EXISTS tidb_batches");
  c.exec("CREATE DATABASE tidb_batches");
  auto t = server().connect("tidb_batches");
  t.exec("CREATE TABLE t (a INT NOT NULL, b VARCHAR(10) NOT NULL, v INT NULL, PRIMARY KEY (a, b))");
  t.exec(
      "INSERT INTO t VALUES (1, 'x', NULL), (1, 'y', NULL), (2, 'It''s', NULL), (3, 'a', 7), "
      "(3, 'b', NULL)");
  try {
    t.exec(
        "UPDATE t SET v = 0 WHERE (a, b) IN (SELECT a, b FROM t WHERE (a, b) > (0, '') "
        "ORDER BY a, b LIMIT 2)");
    ADD_FAILURE() << "MariaDB ran the LIMIT-in-IN batch shape";
  } catch (const mysql::ServerError& e) {
    EXPECT_EQ(e.code, 1235u)
        << e.what();  // "doesn't yet support 'LIMIT & IN/ALL/ANY/SOME subquery'"
  }
  planner::Backfill b;
  b.table = "shop.t";
  b.key = {"a", "b"};
  b.set = {{"v", "a * 10"}};
  b.where = "`v` IS NULL";
  mysql::BackfillRun r = mysql::run_backfill(t, b, 2);
  EXPECT_EQ(r.rows, 4);
  EXPECT_EQ(r.batches, 3);  // (1,x)(1,y) | (2,It's)(3,a) | (3,b) and the open end
  EXPECT_EQ(t.value("SELECT GROUP_CONCAT(v ORDER BY a, b) FROM t").value_or(""), "10,10,20,7,30");
  std::string after = "(1, 'y')";
  EXPECT_EQ(mysql::batch_end_sql(b, 2, &after),
            "SELECT `a`, `b` FROM `t` WHERE (`a`, `b`) > (1, 'y') ORDER BY `a`, `b` LIMIT 1 "
            "OFFSET 1");
  c.exec("DROP DATABASE tidb_batches");
}

}  // namespace
