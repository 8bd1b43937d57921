// Hand-built plans for tests (see sample_plans.hpp).
#include "tests/support/sample_plans.hpp"

namespace seam::test {

using namespace planner;

Plan sample_plan(int64_t rows) {
  // Lock estimates as the planner would derive them from the table size.
  double scan = rows * 2e-6, rewrite = rows * 8e-6;
  Plan p;
  p.seam_version = "0.1.0";
  p.dialect = "postgres";
  p.server_version = "16.4";
  p.source_fingerprint = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
  p.desired_fingerprint = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
  p.throttle.batch_size = 5000;
  p.throttle.rows_per_second = 25000.5;

  Step idx;
  idx.id = "expand-001-create-index-users-email-idx";
  idx.phase = Phase::Expand;
  idx.op = "create_index";
  idx.change = "add index public.users_email_idx";
  idx.sql = "CREATE INDEX CONCURRENTLY \"users_email_idx\" ON \"public\".\"users\" (\"email\");";
  idx.transactional = false;
  idx.locks = {{"SHARE UPDATE EXCLUSIVE", "public.users", scan}};
  idx.scan = true;
  idx.hazards = {
      {HazardType::FullScan, "Building public.users_email_idx reads all of public.users."},
      {HazardType::NotTransactional,
       "CREATE INDEX CONCURRENTLY runs outside a transaction; a failed build leaves an "
       "INVALID index, which on_failure drops."}};
  idx.on_failure = "DROP INDEX CONCURRENTLY IF EXISTS \"public\".\"users_email_idx\";";

  Step shadow;
  shadow.id = "expand-002-add-shadow-column-orders-id";
  shadow.phase = Phase::Expand;
  shadow.op = "add_column_nullable";
  shadow.change = "alter column public.orders.id type bigint";
  shadow.sql = "ALTER TABLE \"public\".\"orders\" ADD COLUMN \"id_new\" bigint;";
  shadow.locks = {{"ACCESS EXCLUSIVE", "public.orders", 0}};

  Step trig;
  trig.id = "dual-write-001-sync-orders-id";
  trig.phase = Phase::DualWrite;
  trig.op = "create_trigger";
  trig.change = "alter column public.orders.id type bigint";
  trig.sql =
      "CREATE FUNCTION \"public\".\"seam_sync_orders_id\"() RETURNS trigger\n"
      "LANGUAGE plpgsql AS $$\n"
      "BEGIN\n"
      "  NEW.\"id_new\" := NEW.\"id\";\n"
      "  RETURN NEW;\n"
      "END\n"
      "$$;\n"
      "CREATE TRIGGER \"seam_sync_orders_id\" BEFORE INSERT OR UPDATE ON \"public\".\"orders\"\n"
      "  FOR EACH ROW EXECUTE FUNCTION \"public\".\"seam_sync_orders_id\"();";
  trig.locks = {{"SHARE ROW EXCLUSIVE", "public.orders", 0}};
  trig.hazards = {{HazardType::AppCompat,
                   "Writes to public.orders also fill id_new until the contract phase."}};
  trig.depends_on = {shadow.id};

  Step fill;
  fill.id = "backfill-001-orders-id-new";
  fill.phase = Phase::Backfill;
  fill.kind = StepKind::Backfill;
  fill.op = "backfill";
  fill.change = "alter column public.orders.id type bigint";
  fill.backfill = Backfill{"public.orders",      {"id"}, {{"id_new", "\"id\"::bigint"}},
                           "\"id_new\" IS NULL", 0,      rows};
  fill.locks = {{"ROW EXCLUSIVE", "public.orders", 0}};
  fill.hazards = {{HazardType::LongRunning, "Copies id into id_new for about " +
                                                std::to_string(rows) + " rows of public.orders."}};
  fill.depends_on = {trig.id};

  Step check;
  check.id = "contract-000-checkpoint";
  check.phase = Phase::Contract;
  check.kind = StepKind::Checkpoint;
  check.message =
      "Deploy the application version that no longer reads orders.id as integer\n"
      "and no longer writes users.legacy; then approve.";
  check.depends_on = {fill.id, idx.id};

  Step swap;
  swap.id = "contract-001-swap-orders-id";
  swap.phase = Phase::Contract;
  swap.op = "alter_type_rewrite";
  swap.change = "alter column public.orders.id type bigint";
  swap.sql =
      "SET LOCAL lock_timeout = '2s';\n"
      "ALTER TABLE \"public\".\"orders\" RENAME COLUMN \"id\" TO \"id_old\";\n"
      "ALTER TABLE \"public\".\"orders\" RENAME COLUMN \"id_new\" TO \"id\";\n"
      "DROP TRIGGER \"seam_sync_orders_id\" ON \"public\".\"orders\";";
  swap.locks = {{"ACCESS EXCLUSIVE", "public.orders", 0.002}};
  swap.hazards = {{HazardType::BlockingLock,
                   "Renaming holds ACCESS EXCLUSIVE on public.orders briefly (lock_timeout 2s)."}};
  swap.depends_on = {check.id};

  Step drop;
  drop.id = "contract-002-drop-column-users-legacy";
  drop.phase = Phase::Contract;
  drop.op = "drop_column";
  drop.change = "drop column public.users.legacy";
  drop.sql = "ALTER TABLE \"public\".\"users\" DROP COLUMN \"legacy\";";
  drop.locks = {{"ACCESS EXCLUSIVE", "public.users", rows ? 0.001 : 0}};
  drop.hazards = {{HazardType::DataLoss, "Dropping public.users.legacy deletes its data."},
                  {HazardType::BlockingLock,
                   "ALTER TABLE ... DROP COLUMN holds ACCESS EXCLUSIVE on public.users."}};
  drop.depends_on = {check.id};

  Step rw;
  rw.id = "contract-003-set-type-audit-payload";
  rw.phase = Phase::Contract;
  rw.op = "alter_type_rewrite";
  rw.change = "alter column public.audit.payload type jsonb";
  rw.sql =
      "ALTER TABLE \"public\".\"audit\" ALTER COLUMN \"payload\" TYPE jsonb USING "
      "\"payload\"::jsonb;";
  rw.locks = {{"ACCESS EXCLUSIVE", "public.audit", rewrite}};
  rw.rewrite = true;
  rw.hazards = {
      {HazardType::TableRewrite, "public.audit is rewritten under ACCESS EXCLUSIVE."},
      {HazardType::DialectUnverified, "alter_type_rewrite has no measured entry for 16.4."}};
  rw.depends_on = {check.id};

  p.steps = {idx, shadow, trig, fill, check, swap, drop, rw};

  p.summary.objects = {"public.audit", "public.orders", "public.users", "public.users_email_idx"};
  p.summary.rows_to_backfill = rows;
  p.summary.longest_lock_step = rw.id;
  p.summary.longest_lock = rw.locks[0];
  p.summary.hazard_counts = {{"app-compat", 1},         {"blocking-lock", 2}, {"data-loss", 1},
                             {"dialect-unverified", 1}, {"full-scan", 1},     {"long-running", 1},
                             {"not-transactional", 1},  {"table-rewrite", 1}};
  return p;
}

}  // namespace seam::test
