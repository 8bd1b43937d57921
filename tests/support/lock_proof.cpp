// The lock proof's scenario, runs and report; see lock_proof.hpp.
#include "tests/support/lock_proof.hpp"

#include <chrono>
#include <iomanip>
#include <sstream>

#include <pqxx/pqxx>

#include "dialects/postgres/conn.hpp"
#include "dialects/postgres/inspect.hpp"
#include "dialects/postgres/plan.hpp"
#include "dialects/postgres/render_change.hpp"
#include "differ/diff.hpp"
#include "planner/graph.hpp"
#include "schema/compare.hpp"
#include "schema/load.hpp"
#include "tests/support/plan_check.hpp"
#include "tests/support/plan_input.hpp"
#include "tests/support/plan_runner.hpp"

namespace seam::test {

namespace {

const std::vector<std::string> kTables = {"public.orders", "public.customers"};
constexpr int64_t kCustomers = 10000;

// Every original value is still where the desired state puts it.
std::string data_check_sql(int64_t rows) {
  return "SELECT count(*) = " + std::to_string(rows) +
         " AND bool_and(quantity = id % 1000) AND bool_and(email = 'order' || id || '@example.com')"
         " AND bool_and(customer_id = 1 + id % " + std::to_string(kCustomers) +
         ") AND bool_and(total = id % 997) AND count(seen_at) = count(*) FROM orders";
}

void load_source(const std::string& url, int64_t rows) {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  tx.exec(lock_proof_from_sql(rows));
  tx.exec("VACUUM ANALYZE");
}

std::string value(pqxx::connection& c, const std::string& query) {
  pqxx::nontransaction tx(c);
  return tx.exec1(query)[0].as<std::string>();
}

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

// `plan` null: the plain script, compared exactly.
std::string finish(const std::string& url, const schema::Catalog& desired, const planner::Plan* plan, int64_t rows,
                   bool& data_ok) {
  auto c = pg::connect(url);
  schema::Catalog after = pg::inspect(*c);
  std::string out = schema::format_differences(
      plan ? compare_after_plan(desired, after, *plan) : schema::compare(desired, after), 20);
  pqxx::nontransaction tx(*c);
  data_ok = tx.exec1(data_check_sql(rows))[0].as<bool>();
  return out;
}

std::string backfill_shape(const planner::Backfill& b) {
  std::string set;
  for (const auto& a : b.set) set += (set.empty() ? "" : ", ") + a.column + " = " + a.expression;
  return "UPDATE " + b.table + " SET " + set + (b.where.empty() ? "" : " WHERE " + b.where) + " -- in batches by (" +
         [&] {
           std::string k;
           for (const auto& x : b.key) k += (k.empty() ? "" : ", ") + x;
           return k;
         }() + ")";
}

}  // namespace

std::string lock_proof_from_sql(int64_t rows) {
  return "CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL);\n"
         "CREATE TABLE orders (\n"
         "  id integer PRIMARY KEY,\n"
         "  customer_id integer NOT NULL,\n"
         "  quantity integer NOT NULL,\n"
         "  email text,\n"
         "  total numeric NOT NULL,\n"
         "  note text\n"
         ");\n"
         "INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, " +
         std::to_string(kCustomers) +
         ") g;\n"
         "INSERT INTO orders SELECT g, 1 + g % " +
         std::to_string(kCustomers) +
         ", g % 1000, 'order' || g || '@example.com', g % 997, 'note ' || g FROM generate_series(1, " +
         std::to_string(rows) + ") g;\n";
}

std::string lock_proof_to_sql() {
  return "CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL);\n"
         "CREATE TABLE orders (\n"
         "  id integer PRIMARY KEY,\n"
         "  customer_id integer NOT NULL,\n"
         "  quantity bigint NOT NULL,\n"
         "  email text NOT NULL,\n"
         "  total numeric NOT NULL,\n"
         "  note text,\n"
         "  seen_at timestamp with time zone NOT NULL DEFAULT clock_timestamp(),\n"
         "  CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id),\n"
         "  CONSTRAINT orders_email_key UNIQUE (email),\n"
         "  CONSTRAINT orders_total_check CHECK (total >= 0)\n"
         ");\n"
         "CREATE INDEX orders_customer_id_idx ON orders (customer_id);\n";
}

LockProofRun run_lock_proof(pg::EmbeddedServer& srv, const LockProofOptions& opts) {
  LockProofRun run;
  run.rows = opts.rows;
  schema::Catalog desired = schema::load_sql(lock_proof_to_sql(), "lock-proof-desired.sql").catalog;

  // --- the plan ---------------------------------------------------------------
  srv.create_database("lockproof_plan");
  std::string url = srv.url_for("lockproof_plan");
  load_source(url, opts.rows);
  planner::Plan plan;
  {
    auto exec = pg::connect(url);
    run.server_version = value(*exec, "SELECT split_part(current_setting('server_version'), ' ', 1)");
    schema::Catalog live = pg::inspect(*exec);
    pg::PlanInput in = plan_input(*exec, live, desired);
    if (opts.batch_size > 0) in.throttle.batch_size = opts.batch_size;
    plan = pg::make_plan(differ::diff(live, desired), live, desired, in);
    int pid = std::stoi(value(*exec, "SELECT pg_backend_pid()"));
    LockObserver obs(url, kTables, opts.sample_interval_ms);
    auto t0 = std::chrono::steady_clock::now();
    for (const auto& s : plan.steps) {
      ObservedStep o;
      o.id = s.id;
      o.phase = planner::to_string(s.phase);
      o.op = s.op;
      o.sql = s.kind == planner::StepKind::Backfill && s.backfill ? backfill_shape(*s.backfill) : s.sql;
      for (const auto& l : s.locks) o.declared_lock += (o.declared_lock.empty() ? "" : ", ") + l.mode + " " + l.table;
      o.declared_rewrite = s.rewrite;
      o.declared_scan = s.scan;
      obs.begin(pid);
      run_step(*exec, plan, s);
      o.seen = obs.end(*exec);
      run.plan.push_back(std::move(o));
    }
    run.plan_ms = ms_since(t0);
  }
  run.plan_differences = finish(url, desired, &plan, opts.rows, run.plan_data_ok);

  if (!opts.plain_diff) return run;
  // --- the plain diff, statement by statement, each in autocommit as psql runs it
  srv.create_database("lockproof_script");
  url = srv.url_for("lockproof_script");
  load_source(url, opts.rows);
  {
    auto exec = pg::connect(url);
    schema::Catalog live = pg::inspect(*exec);
    auto stmts = pg::plan_statements(differ::diff(live, desired));
    int pid = std::stoi(value(*exec, "SELECT pg_backend_pid()"));
    LockObserver obs(url, kTables, opts.sample_interval_ms);
    auto t0 = std::chrono::steady_clock::now();
    int n = 0;
    for (size_t i : planner::order(stmts)) {
      ObservedStep o;
      o.id = "statement " + std::to_string(++n);
      o.sql = stmts[i].sql;
      obs.begin(pid);
      {
        pqxx::nontransaction tx(*exec);
        tx.exec(stmts[i].sql);
      }
      o.seen = obs.end(*exec);
      run.script.push_back(std::move(o));
    }
    run.script_ms = ms_since(t0);
  }
  run.script_differences = finish(url, desired, nullptr, opts.rows, run.script_data_ok);
  return run;
}

namespace {

std::string fixed(double v, int prec) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(prec) << v;
  return o.str();
}

// One line of SQL for a table cell: whitespace folded, '|' escaped, shortened.
std::string cell_sql(const std::string& sql) {
  std::string out;
  bool space = false;
  for (char ch : sql) {
    if (ch == '\n' || ch == '\t' || ch == ' ' || ch == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    if (ch == '|') out += "\\|";
    else if (ch == '`') out += '\'';
    else out += ch;
  }
  if (out.size() > 110) out = out.substr(0, 107) + "...";
  return "`" + out + "`";
}

void table(std::ostringstream& o, const std::vector<ObservedStep>& steps, bool is_plan) {
  o << "| # | step | " << (is_plan ? "phase | declared lock | " : "")
    << "observed lock on orders | blocking lock held on orders (ms) | of which ACCESS EXCLUSIVE (ms) | "
       "observed lock on customers | rewrote orders | rows of orders read | step duration (ms) | blocks while "
       "scanning/rewriting |\n";
  o << "|---:|---|" << (is_plan ? "---|---|" : "") << "---|---:|---:|---|---|---:|---:|---|\n";
  int n = 0;
  for (const auto& s : steps) {
    const TableObservation* orders = s.seen.tables.size() > 0 ? &s.seen.tables[0] : nullptr;
    const TableObservation* customers = s.seen.tables.size() > 1 ? &s.seen.tables[1] : nullptr;
    o << "| " << ++n << " | " << (is_plan ? "`" + s.id + "`<br>" : "") << cell_sql(s.sql) << " | ";
    if (is_plan) o << s.phase << " | " << (s.declared_lock.empty() ? "none" : s.declared_lock) << " | ";
    o << (orders && !orders->strongest.empty() ? orders->strongest : "-") << " | "
      << (orders ? fixed(orders->blocking_ms, 1) : "-") << " | " << (orders ? fixed(orders->access_exclusive_ms, 1) : "-")
      << " | " << (customers && !customers->strongest.empty() ? customers->strongest : "-") << " | "
      << (orders && orders->rewritten ? "**yes**" : "no") << " | " << (orders ? std::to_string(orders->rows_read) : "-")
      << " | " << fixed(s.seen.duration_ms, 1) << " | "
      << (s.seen.blocks_while_scanning_or_rewriting() ? "**YES**" : "no") << " |\n";
  }
}

}  // namespace

std::string lock_proof_markdown(const LockProofRun& run, const std::string& command) {
  std::ostringstream o;
  int plan_bad = 0, script_bad = 0;
  double plan_block = 0, script_block = 0, plan_ae = 0, script_ae = 0;
  for (const auto& s : run.plan) {
    plan_bad += s.seen.blocks_while_scanning_or_rewriting();
    if (!s.seen.tables.empty()) {
      plan_block = std::max(plan_block, s.seen.tables[0].blocking_ms);
      plan_ae = std::max(plan_ae, s.seen.tables[0].access_exclusive_ms);
    }
  }
  for (const auto& s : run.script) {
    script_bad += s.seen.blocks_while_scanning_or_rewriting();
    if (!s.seen.tables.empty()) {
      script_block = std::max(script_block, s.seen.tables[0].blocking_ms);
      script_ae = std::max(script_ae, s.seen.tables[0].access_exclusive_ms);
    }
  }
  o << "# Lock proof: " << run.rows << " rows, PostgreSQL " << run.server_version << "\n\n";
  o << "Generated by `" << command << "` (tests/support/lock_proof.cpp; the scenario, the observer and the "
       "property are described there and in tests/support/lock_observer.hpp).\n\n";
  o << "Table `orders` (" << run.rows
    << " rows) referencing `customers` (10,000 rows) is taken, in one desired state, through every planner "
       "strategy that touches a populated table: `quantity` integer → bigint, a new `seen_at timestamptz NOT NULL "
       "DEFAULT clock_timestamp()`, `email` SET NOT NULL, a CHECK, a FOREIGN KEY to `customers`, a UNIQUE "
       "constraint and an index. Each step runs on its own connection (tests/support/plan_runner.hpp) while a "
       "monitor connection samples `pg_locks` for that backend every few milliseconds; before and after the step "
       "the table's `relfilenode` (changed = rewritten) and its read counters (`seq_tup_read + idx_tup_fetch` "
       "from `pg_stat_all_tables`, flushed with `pg_stat_force_next_flush()`) are read. Autovacuum is off, so "
       "the counters are the step's own. \"Blocking\" means SHARE or stronger (blocks writers; ACCESS EXCLUSIVE "
       "blocks readers too). Held times are sums of sampling intervals, so a lock held for less than an "
       "interval can go unseen; a lock held across a scan of the table cannot.\n\n";
  o << "**Property:** no step holds a blocking lock on the table while it rewrites it or reads at least half of "
       "its rows.\n\n";
  o << "| | steps | violating steps | longest blocking lock on orders (ms) | longest ACCESS EXCLUSIVE (ms) | total "
       "(s) | reaches the desired state | data intact |\n|---|---:|---:|---:|---:|---:|---|---|\n";
  o << "| seam plan | " << run.plan.size() << " | " << plan_bad << " | " << fixed(plan_block, 1) << " | "
    << fixed(plan_ae, 1) << " | " << fixed(run.plan_ms / 1000, 1) << " | "
    << (run.plan_differences.empty() ? "yes" : "**no**") << " | " << (run.plan_data_ok ? "yes" : "**no**") << " |\n";
  if (!run.script.empty())
    o << "| plain diff (`seam diff`) | " << run.script.size() << " | " << script_bad << " | "
      << fixed(script_block, 1) << " | " << fixed(script_ae, 1) << " | " << fixed(run.script_ms / 1000, 1) << " | "
      << (run.script_differences.empty() ? "yes" : "**no**") << " | " << (run.script_data_ok ? "yes" : "**no**")
      << " |\n";
  o << "\nReading the tables: \"rows of orders read\" counts heap rows returned by sequential scans and index "
       "fetches, so a concurrent index build shows the table twice (build and validation passes) and a backfill "
       "shows the rows it visited in batches, each batch its own short transaction under ROW EXCLUSIVE (readers "
       "and writers continue). The steps that take ACCESS EXCLUSIVE in the plan are catalog-only (add a "
       "nullable column, NOT VALID constraints, SET NOT NULL once a validated check proves it, the swap's "
       "renames, drops): their rows-read and rewrite columns stay at zero. Durations come from a shared "
       "two-core machine and vary from run to run; the rows-read and rewrite columns do not.\n";
  o << "\n## The plan, step by step\n\n";
  table(o, run.plan, true);
  if (!run.plan_differences.empty())
    o << "\nAfter the plan the catalog differs from the desired state:\n\n```\n" << run.plan_differences << "```\n";
  if (!run.script.empty()) {
    o << "\n## For contrast: the plain diff, statement by statement (autocommit, as psql runs it)\n\n";
    table(o, run.script, false);
    if (!run.script_differences.empty())
      o << "\nAfter the script the catalog differs from the desired state:\n\n```\n"
        << run.script_differences << "```\n";
  }
  return o.str();
}

}  // namespace seam::test
