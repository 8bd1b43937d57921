// Policy and lint (planner/lint.hpp) and seam.yaml (planner/config.hpp) on
// hand-built plans: the default policy's levels and its non-empty
// condition, allow entries, rule overrides, and config errors naming
// file:line:col - passwords refused, ${VAR} references resolved.
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "planner/config.hpp"
#include "planner/lint.hpp"
#include "schema/errors.hpp"
#include "tests/support/sample_plans.hpp"

namespace {

using namespace seam::planner;

// "level step hazard" per finding, for compact expectations.
std::vector<std::string> summary(const std::vector<Finding>& fs) {
  std::vector<std::string> out;
  for (const auto& f : fs)
    out.push_back(std::string(to_string(f.level)) + " " + f.step + " " + to_string(f.hazard));
  return out;
}

TEST(Lint, DefaultPolicyOnAPopulatedTable) {
  Plan p = seam::test::sample_plan(1'000'000);
  auto fs = lint(p, Policy::defaults());
  EXPECT_EQ(summary(fs), (std::vector<std::string>{
                             "error contract-001-swap-orders-id blocking-lock",
                             "error contract-002-drop-column-users-legacy data-loss",
                             "error contract-002-drop-column-users-legacy blocking-lock",
                             "error contract-003-set-type-audit-payload table-rewrite",
                             "warn contract-003-set-type-audit-payload dialect-unverified",
                         }));
  EXPECT_EQ(fs[1].message, "Dropping public.users.legacy deletes its data.");
}

TEST(Lint, EmptyTablesOnlyWarnOfLocksAndRewrites) {
  Plan p = seam::test::sample_plan(0);  // every lock estimate is 0
  p.steps[5].locks[0].est_seconds = 0;
  auto fs = lint(p, Policy::defaults());
  EXPECT_EQ(summary(fs), (std::vector<std::string>{
                             "warn contract-001-swap-orders-id blocking-lock",
                             "error contract-002-drop-column-users-legacy data-loss",
                             "warn contract-002-drop-column-users-legacy blocking-lock",
                             "warn contract-003-set-type-audit-payload table-rewrite",
                             "warn contract-003-set-type-audit-payload dialect-unverified",
                         }));
}

TEST(Lint, MinLockThresholdDecidesNonEmpty) {
  Plan p = seam::test::sample_plan();
  HazardRule r{Level::Error, true, 5, Level::Warn};  // over 5 ms
  p.steps[5].locks[0].est_seconds = 0.005;
  EXPECT_EQ(rule_level(r, p.steps[5]), Level::Warn);  // not over
  p.steps[5].locks[0].est_seconds = 0.0051;
  EXPECT_EQ(rule_level(r, p.steps[5]), Level::Error);
  r.non_empty_only = false;
  p.steps[5].locks[0].est_seconds = 0;
  EXPECT_EQ(rule_level(r, p.steps[5]), Level::Error);
}

TEST(Lint, AllowEntriesPassOneHazardWithTheirReason) {
  Plan p = seam::test::sample_plan();
  Policy pol = Policy::defaults();
  pol.allow.push_back({"contract-002-drop-column-users-legacy", "", HazardType::DataLoss,
                       "legacy is empty since v41"});
  pol.allow.push_back(
      {"", "public.audit", HazardType::TableRewrite, "audit is rewritten at night"});
  pol.allow.push_back(
      {"", "public.orders", HazardType::DataLoss, "never matches: no data-loss on orders"});
  auto fs = lint(p, pol);
  EXPECT_EQ(summary(fs), (std::vector<std::string>{
                             "error contract-001-swap-orders-id blocking-lock",
                             "allow contract-002-drop-column-users-legacy data-loss",
                             "error contract-002-drop-column-users-legacy blocking-lock",
                             "allow contract-003-set-type-audit-payload table-rewrite",
                             "warn contract-003-set-type-audit-payload dialect-unverified",
                         }));
  EXPECT_EQ(fs[1].reason, "legacy is empty since v41");
  EXPECT_EQ(fs[1].policy_level, Level::Error);
  EXPECT_EQ(fs[3].reason, "audit is rewritten at night");
  // An object named only in the step's change matches as a whole word.
  pol.allow = {{"", "public.users.legacy", HazardType::DataLoss, "r"}};
  EXPECT_EQ(lint(p, pol)[1].level, Level::Allow);
  pol.allow = {{"", "public.users.leg", HazardType::DataLoss, "r"}};
  EXPECT_EQ(lint(p, pol)[1].level, Level::Error);
}

TEST(Lint, RulesCanForbidAnyHazardOrAllowAll) {
  Plan p = seam::test::sample_plan();
  Policy pol;
  pol.rules[HazardType::NotTransactional] = {Level::Error};
  EXPECT_EQ(summary(lint(p, pol)),
            (std::vector<std::string>{
                "error expand-001-create-index-users-email-idx not-transactional"}));
  EXPECT_TRUE(lint(p, Policy{}).empty());
  EXPECT_TRUE(lint(Plan{}, Policy::defaults()).empty());
}

// --- seam.yaml ---------------------------------------------------------------

std::string config_error(const std::string& text) {
  try {
    config_from_yaml(text, "seam.yaml");
  } catch (const seam::InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Config, FullFile) {
  Config c = config_from_yaml(R"(
policy:
  hazards:
    data-loss: error
    blocking-lock: {level: error, when: non-empty, min_lock_ms: 500, otherwise: allow}
    full-scan: warn
    dialect-unverified: allow
  allow:
    - step: contract-002-drop-column-users-legacy
      hazard: data-loss
      reason: "emptied in #1234: nothing reads it"
    - object: public.audit
      hazard: table-rewrite
      reason: small table
throttle:
  batch_size: 2000
  lock_timeout_ms: 3000
environments:
  staging:
    db: ${STAGING_DATABASE_URL}
  production:
    db: postgresql://app:${PROD_DB_PASSWORD}@db.internal:5432/shop
    server_version: 16
    throttle: {rows_per_second: 20000, max_replica_lag_ms: 5000}
)",
                              "seam.yaml");
  EXPECT_EQ(c.policy.rules.at(HazardType::BlockingLock),
            (HazardRule{Level::Error, true, 500, Level::Allow}));
  EXPECT_EQ(c.policy.rules.at(HazardType::FullScan), HazardRule{Level::Warn});
  EXPECT_EQ(c.policy.rules.at(HazardType::DialectUnverified), HazardRule{Level::Allow});
  // Types the file does not mention keep the default rule.
  EXPECT_EQ(c.policy.rules.at(HazardType::TableRewrite),
            Policy::defaults().rules.at(HazardType::TableRewrite));
  ASSERT_EQ(c.policy.allow.size(), 2u);
  EXPECT_EQ(c.policy.allow[0].reason, "emptied in #1234: nothing reads it");
  EXPECT_EQ(c.policy.allow[1].object, "public.audit");
  EXPECT_EQ(c.throttle.batch_size, 2000);
  EXPECT_EQ(c.throttle.max_retries, Throttle{}.max_retries);
  ASSERT_EQ(c.environments.size(), 2u);
  EXPECT_EQ(c.environments[0].name, "staging");
  EXPECT_EQ(c.environments[0].throttle, c.throttle);
  const Environment* prod = c.environment("production");
  ASSERT_NE(prod, nullptr);
  EXPECT_EQ(prod->server_version, "16");
  EXPECT_EQ(prod->throttle.batch_size, 2000);  // the file's default
  EXPECT_EQ(prod->throttle.rows_per_second, 20000);
  EXPECT_EQ(prod->throttle.max_replica_lag_ms, 5000);
  EXPECT_EQ(c.environment("nope"), nullptr);

  std::map<std::string, std::string> env = {{"PROD_DB_PASSWORD", "s3cret"}};
  auto getenv = [&](const char* n) -> const char* {
    auto it = env.find(n);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  EXPECT_EQ(resolve_db_url(*prod, getenv), "postgresql://app:s3cret@db.internal:5432/shop");
  try {
    resolve_db_url(c.environments[0], getenv);
    FAIL() << "unset variable accepted";
  } catch (const seam::InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "environment 'staging': db refers to ${STAGING_DATABASE_URL}, which is not set; "
              "export it (in CI, "
              "from a secret)");
  }
}

TEST(Config, EmptyFileMeansDefaults) {
  Config c = config_from_yaml("", "seam.yaml");
  EXPECT_EQ(c.policy, Policy::defaults());
  EXPECT_EQ(c.throttle, Throttle{});
  EXPECT_TRUE(c.environments.empty());
}

TEST(Config, ErrorsNameFileLineColumnAndKey) {
  EXPECT_EQ(config_error("policy:\n  hazard:\n    data-loss: warn\n"),
            "seam.yaml:2:3: policy.hazard: unknown key (expected one of: hazards, allow)");
  EXPECT_EQ(
      config_error("policy:\n  hazards:\n    data-los: warn\n"),
      "seam.yaml:3:5: policy.hazards.data-los: unknown key (expected one of: data-loss, "
      "blocking-lock, "
      "table-rewrite, full-scan, long-running, app-compat, not-transactional, dialect-unverified, "
      "maybe-rename)");
  EXPECT_EQ(config_error("policy:\n  hazards:\n    data-loss: fatal\n"),
            "seam.yaml:3:16: policy.hazards.data-loss: unknown level 'fatal' (expected error, warn "
            "or allow)");
  EXPECT_EQ(
      config_error("policy:\n  hazards:\n    full-scan: {level: warn, min_lock_ms: 3}\n"),
      "seam.yaml:3:43: policy.hazards.full-scan.min_lock_ms: only applies with `when: non-empty`");
  EXPECT_EQ(config_error("policy:\n  allow:\n    - {step: s, hazard: data-loss}\n"),
            "seam.yaml:3:7: policy.allow[0]: an allow entry needs a `reason` saying why the hazard "
            "is acceptable");
  EXPECT_EQ(
      config_error("policy:\n  allow:\n    - {step: s, object: o, hazard: data-loss, reason: r}\n"),
      "seam.yaml:3:7: policy.allow[0]: give exactly one of `step` (a step id) or `object` (a table "
      "or other "
      "object name)");
  EXPECT_EQ(config_error("throttle:\n  batch_size: -5\n"),
            "seam.yaml:2:15: throttle.batch_size: must not be negative");
  EXPECT_EQ(config_error("throttle:\n  batchsize: 5\n").substr(0, 47),
            "seam.yaml:2:3: throttle.batchsize: unknown key ");
  EXPECT_EQ(config_error("environments:\n  prod:\n    url: x\n").substr(0, 51),
            "seam.yaml:3:5: environments.prod.url: unknown key (");
  EXPECT_EQ(config_error("environments:\n  prod:\n    dialect: postgres\n"),
            "seam.yaml:3:5: environments.prod: missing required key 'db'");
  EXPECT_EQ(config_error("environments:\n  prod:\n    db: ${PROD\n"),
            "seam.yaml:3:9: environments.prod.db: malformed variable reference in '${PROD' "
            "(expected ${NAME})");
  EXPECT_NE(config_error("environments:\n  prod:\n    db: x\n    dialect: oracle\n")
                .find("seam.yaml:4:14: environments.prod.dialect: unknown dialect 'oracle'"),
            std::string::npos);
  EXPECT_NE(config_error("polcy: {}\n").find("seam.yaml:1:1: polcy: unknown key"),
            std::string::npos);
  EXPECT_NE(config_error("policy: [\n").find("seam.yaml:"), std::string::npos);
}

TEST(Config, PasswordsAreRefused) {
  for (const char* db :
       {"postgresql://app:hunter2@db/shop", "postgres://app:${USER}x@db/shop",
        "host=db user=app password=hunter2", "postgresql://app@db/shop?password=hunter2",
        "postgresql://app:pw@${HOST}/shop"}) {
    SCOPED_TRACE(db);
    std::string e = config_error(std::string("environments:\n  prod:\n    db: \"") + db + "\"\n");
    EXPECT_NE(e.find("seam.yaml:3:9: environments.prod.db: holds a password; passwords never go in "
                     "seam.yaml"),
              std::string::npos)
        << e;
    EXPECT_EQ(e.find("hunter2"), std::string::npos) << "the error repeats the password: " << e;
  }
  // References and password-less URLs are fine.
  for (const char* db :
       {"${DATABASE_URL}", "postgresql://app:${PW}@db/shop", "postgresql://localhost/dev",
        "postgresql://app@db:5432/shop", "host=/tmp dbname=dev"})
    EXPECT_EQ(config_error(std::string("environments:\n  dev:\n    db: \"") + db + "\"\n"),
              "(no error)")
        << db;
}

}  // namespace

namespace {

TEST(PlanProblems, SoundPlansHaveNone) {
  EXPECT_TRUE(plan_problems(seam::test::sample_plan()).empty());
  EXPECT_TRUE(plan_problems(Plan{}).empty());
}

TEST(PlanProblems, EachProblemNamesItsStep) {
  Plan p = seam::test::sample_plan();
  p.steps[1].id = p.steps[0].id;                           // duplicate
  p.steps[2].depends_on = {"nowhere"};                     // unknown
  p.steps[0].depends_on = {"backfill-001-orders-id-new"};  // runs later
  p.steps[3].backfill->key.clear();
  p.steps[5].sql.clear();
  Step cp = p.steps[4];
  cp.id = "";
  p.steps.push_back(cp);
  EXPECT_EQ(
      plan_problems(p),
      (std::vector<std::string>{
          "step expand-001-create-index-users-email-idx depends on "
          "backfill-001-orders-id-new, which runs after it.",
          "step expand-001-create-index-users-email-idx appears more than once.",
          "step dual-write-001-sync-orders-id depends on nowhere, which is not in the plan.",
          "step backfill-001-orders-id-new is a backfill without table, key or columns to set.",
          "step contract-001-swap-orders-id is a sql step without SQL.",
          "step 9 has no id.",
      }));
  p = seam::test::sample_plan();
  p.steps[3].backfill.reset();
  EXPECT_EQ(plan_problems(p),
            (std::vector<std::string>{
                "step backfill-001-orders-id-new is a backfill step without backfill settings."}));
}

}  // namespace
