// Hand-built plans and their databases for the executor's tests, shared by
// the tests and by executor_driver (the applier the crash and fencing tests
// run as a separate process so they can SIGKILL and SIGSTOP it).
//
// "backfill": a table `t` of N rows (bigint key) and a table `c` with a
// composite key, each with a counting trigger: every UPDATE of the
// backfilled column increments the row's `cnt`, so a row updated twice shows
// cnt = 2 (exactly-once proof). Steps: a transactional step that also logs
// itself into applied_log (run twice = two rows), a concurrent index
// (non-transactional, with cleanup), two backfills, a checkpoint, and a
// contract step.
#pragma once

#include <string>

#include "dialects/postgres/conn.hpp"
#include "dialects/postgres/fingerprint.hpp"
#include "dialects/postgres/inspect.hpp"
#include "planner/plan.hpp"
#include "tests/support/pg_fixture.hpp"

namespace seam::test {

inline void setup_backfill_db(const std::string& url, int rows, int composite_rows) {
  run_sql(url, R"sql(
CREATE TABLE t (id bigint PRIMARY KEY, v integer NOT NULL, v2 bigint, cnt integer NOT NULL DEFAULT 0);
CREATE TABLE c (a integer, b integer, x integer NOT NULL, y integer, cnt integer NOT NULL DEFAULT 0, PRIMARY KEY (a, b));
CREATE TABLE applied_log (step text NOT NULL, at timestamptz NOT NULL DEFAULT now());
CREATE FUNCTION count_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.cnt := OLD.cnt + 1; RETURN NEW; END $$;
CREATE TRIGGER t_count BEFORE UPDATE OF v2 ON t FOR EACH ROW EXECUTE FUNCTION count_update();
CREATE TRIGGER c_count BEFORE UPDATE OF y ON c FOR EACH ROW EXECUTE FUNCTION count_update();
)sql");
  run_sql(url,
          "INSERT INTO t (id, v) SELECT g, (g * 7) % 1000 FROM generate_series(1, " +
              std::to_string(rows) +
              ") g; INSERT INTO c (a, b, x) SELECT g / 100, g % 100, g FROM generate_series(1, " +
              std::to_string(composite_rows) + ") g; ANALYZE t; ANALYZE c");
}

inline std::string live_fingerprint(const std::string& url) {
  auto conn = seam::pg::connect(url);
  return seam::pg::catalog_fingerprint(seam::pg::inspect(*conn));
}

inline planner::Step sql_step(std::string id, planner::Phase ph, std::string sql,
                              bool transactional = true, std::string on_failure = "") {
  planner::Step s;
  s.id = std::move(id);
  s.kind = planner::StepKind::Sql;
  s.phase = ph;
  s.sql = std::move(sql);
  s.transactional = transactional;
  s.on_failure = std::move(on_failure);
  return s;
}

inline planner::Step checkpoint_step(std::string id, std::string message) {
  planner::Step s;
  s.id = std::move(id);
  s.kind = planner::StepKind::Checkpoint;
  s.phase = planner::Phase::Contract;
  s.message = std::move(message);
  return s;
}

inline planner::Step backfill_step(std::string id, std::string table, std::vector<std::string> key,
                                   std::string column, std::string expr) {
  planner::Step s;
  s.id = std::move(id);
  s.kind = planner::StepKind::Backfill;
  s.phase = planner::Phase::Backfill;
  planner::Backfill b;
  b.table = std::move(table);
  b.key = std::move(key);
  b.set.push_back({std::move(column), std::move(expr)});
  s.backfill = b;
  return s;
}

inline planner::Plan backfill_plan(const std::string& source_fp) {
  using planner::Phase;
  planner::Plan p;
  p.seam_version = "test";
  p.dialect = "postgres";
  p.source_fingerprint = source_fp;
  p.steps.push_back(sql_step(
      "expand-001-add-column-t-w", Phase::Expand,
      "ALTER TABLE public.t ADD COLUMN w integer; INSERT INTO public.applied_log (step) VALUES "
      "('expand-001');"));
  p.steps.push_back(sql_step("expand-002-create-index-t-v-idx", Phase::Expand,
                             "CREATE INDEX CONCURRENTLY t_v_idx ON public.t (v);", false,
                             "DROP INDEX CONCURRENTLY IF EXISTS public.t_v_idx;"));
  p.steps.push_back(
      backfill_step("backfill-003-t-v2", "public.t", {"id"}, "v2", "\"v\"::bigint * 2"));
  p.steps.push_back(backfill_step("backfill-004-c-y", "public.c", {"a", "b"}, "y", "\"x\" + 1"));
  p.steps.push_back(
      checkpoint_step("checkpoint-005-before-contract", "the application no longer reads t.v"));
  p.steps.push_back(sql_step(
      "contract-006-t-v2-not-null", Phase::Contract,
      "ALTER TABLE public.t ALTER COLUMN v2 SET NOT NULL; INSERT INTO public.applied_log (step) "
      "VALUES ('contract-006');"));
  return p;
}

}  // namespace seam::test
