// The executor's pieces that need no server: the Prometheus exposition
// (types, label escaping, cumulative histogram buckets), JSON string
// escaping for event details, and the undo derivation of rollback.
#include <gtest/gtest.h>

#include "executor/ledger.hpp"
#include "executor/metrics.hpp"
#include "executor/rollback.hpp"
#include "schema/errors.hpp"

namespace {

using seam::executor::Metrics;

TEST(ExecutorMetrics, ExpositionHasTypesHelpAndSortedSeries) {
  Metrics m;
  m.add("lock_timeouts_total", Metrics::label("step", "b"), 1);
  m.add("lock_timeouts_total", Metrics::label("step", "a"), 2);
  m.add("lock_timeouts_total", Metrics::label("step", "a"), 1);
  m.set("throttle_paused", Metrics::label("reason", "pause-flag"), 1);
  std::string e = m.exposition();
  EXPECT_NE(e.find("# HELP seam_lock_timeouts_total "), std::string::npos) << e;
  EXPECT_NE(e.find("# TYPE seam_lock_timeouts_total counter\n"
                   "seam_lock_timeouts_total{step=\"a\"} 3\n"
                   "seam_lock_timeouts_total{step=\"b\"} 1\n"),
            std::string::npos)
      << e;
  EXPECT_NE(
      e.find("# TYPE seam_throttle_paused gauge\nseam_throttle_paused{reason=\"pause-flag\"} 1\n"),
      std::string::npos)
      << e;
  EXPECT_EQ(e, m.exposition());  // deterministic
  m.clear("throttle_paused");
  EXPECT_EQ(m.exposition().find("seam_throttle_paused"), std::string::npos);
}

TEST(ExecutorMetrics, HistogramBucketsAreCumulative) {
  Metrics m;
  m.observe("backfill_batch_seconds", Metrics::label("step", "s"), 0.003);
  m.observe("backfill_batch_seconds", Metrics::label("step", "s"), 0.2);
  m.observe("backfill_batch_seconds", Metrics::label("step", "s"), 100);
  std::string e = m.exposition();
  EXPECT_NE(e.find("seam_backfill_batch_seconds_bucket{step=\"s\",le=\"0.005\"} 1\n"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("seam_backfill_batch_seconds_bucket{step=\"s\",le=\"0.25\"} 2\n"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("seam_backfill_batch_seconds_bucket{step=\"s\",le=\"30\"} 2\n"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("seam_backfill_batch_seconds_bucket{step=\"s\",le=\"+Inf\"} 3\n"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("seam_backfill_batch_seconds_sum{step=\"s\"} 100.203\n"), std::string::npos)
      << e;
  EXPECT_NE(e.find("seam_backfill_batch_seconds_count{step=\"s\"} 3\n"), std::string::npos) << e;
}

TEST(ExecutorMetrics, LabelValuesAreEscaped) {
  EXPECT_EQ(Metrics::label("step", "a\"b\\c\nd"), "step=\"a\\\"b\\\\c\\nd\"");
}

TEST(ExecutorLedger, JsonStringsAreEscaped) {
  EXPECT_EQ(seam::executor::json_str("plain"), "\"plain\"");
  EXPECT_EQ(seam::executor::json_str("a\"b\\c\n\t\x01"), "\"a\\\"b\\\\c\\n\\t\\u0001\"");
}

seam::planner::Step sql(const std::string& id, const std::string& text, bool transactional = true) {
  seam::planner::Step s;
  s.id = id;
  s.sql = text;
  s.transactional = transactional;
  return s;
}

TEST(ExecutorRollback, UndoOfEachUndoableStatementNewestFirst) {
  auto s = sql("expand-001",
               "ALTER TABLE app.t ADD COLUMN \"New Col\" integer; "
               "ALTER TABLE app.t ADD CONSTRAINT t_chk CHECK (\"New Col\" > 0) NOT VALID;");
  auto u = seam::executor::undo_of(s, {});
  ASSERT_EQ(u.size(), 2u);
  EXPECT_EQ(u[0].sql, "ALTER TABLE app.t DROP CONSTRAINT IF EXISTS t_chk;");
  EXPECT_EQ(u[1].sql, "ALTER TABLE app.t DROP COLUMN IF EXISTS \"New Col\";");
  auto idx = seam::executor::undo_of(
      sql("expand-002", "CREATE UNIQUE INDEX CONCURRENTLY i ON app.t (a);", false), {});
  ASSERT_EQ(idx.size(), 1u);
  EXPECT_EQ(idx[0].sql, "DROP INDEX CONCURRENTLY IF EXISTS app.i;");
  EXPECT_FALSE(idx[0].transactional);
  auto trg = seam::executor::undo_of(
      sql("dual-write-003",
          "CREATE TRIGGER g BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION f();"),
      {});
  ASSERT_EQ(trg.size(), 1u);
  EXPECT_EQ(trg[0].sql, "DROP TRIGGER IF EXISTS g ON t;");
}

TEST(ExecutorRollback, RefusesWhatCannotBeRestoredExactly) {
  for (const char* text : {"ALTER TYPE mood ADD VALUE 'meh';", "UPDATE t SET a = 1;",
                           "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
                           "ALTER TABLE t ALTER COLUMN a SET NOT NULL;",
                           "ALTER TABLE t VALIDATE CONSTRAINT someone_elses;"}) {
    EXPECT_THROW(seam::executor::undo_of(sql("x", text), {}), seam::UnsupportedError) << text;
  }
  // Validating a constraint this job added is fine: dropping it undoes both.
  auto add = sql("a", "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;");
  EXPECT_TRUE(
      seam::executor::undo_of(sql("b", "ALTER TABLE t VALIDATE CONSTRAINT c;"), {&add}).empty());
}

}  // namespace
