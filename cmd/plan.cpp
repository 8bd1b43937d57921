// `seam plan --db URL --schema PATH [--dev-url URL] [--format yaml|json|md|sql]
// [--out FILE] [--server-version V] [--config seam.yaml] [--matrix-override FILE]
// [--exit-code]`:
// (`--dialect tidb` plans a TiDB database from MySQL-dialect files instead:
// cmd/plan_mysql.cpp; `--dialect cockroachdb|yugabytedb|spanner-pg`, or a
// --db server that is one of those, goes to cmd/plan_pgwire.cpp)
// the zero-downtime plan that takes the live database to the desired state
// (dialects/postgres/plan.hpp, docs/planner.md). The live catalog, the
// server's version and the tables' statistics come from the connection;
// --server-version plans for another version (a staging copy on a newer
// major, say). The plan is always rendered in the chosen format - in sync
// gives an empty plan document (no steps) - and exits 0; with --exit-code a
// non-empty plan exits 2. Hazard counts go to stderr unless --no-warnings.
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "cmd/commands.hpp"
#include "cmd/plan_output.hpp"
#include "cmd/desired.hpp"
#include "cmd/plan_mysql.hpp"
#include "cmd/plan_pgwire.hpp"
#include "compat-matrix/matrix.hpp"
#include "compat-matrix/override.hpp"
#include "dialects/pgwire/detect.hpp"
#include "dialects/postgres/conn.hpp"
#include "dialects/postgres/fingerprint.hpp"
#include "dialects/postgres/inspect.hpp"
#include "dialects/postgres/plan.hpp"
#include "differ/diff.hpp"
#include "planner/config.hpp"
#include "planner/plan_render.hpp"
#include "planner/plan_yaml.hpp"
#include "schema/errors.hpp"

namespace seam::cmd {

namespace {

struct PlanArgs {
  std::string db, schema_path, dev_url, format = "yaml", out, server_version, config,
                                        matrix_override, dialect = "postgres", from;
  bool exit_code = false;
  bool quiet_warnings = false;
};

PgwirePlanArgs pgwire_args(const PlanArgs& a) {
  PgwirePlanArgs p;
  p.dialect = a.dialect;
  p.db = a.db;
  p.from = a.from;
  p.schema_path = a.schema_path;
  p.dev_url = a.dev_url;
  p.format = a.format;
  p.out = a.out;
  p.server_version = a.server_version;
  p.config = a.config;
  p.matrix_override = a.matrix_override;
  p.exit_code = a.exit_code;
  p.quiet_warnings = a.quiet_warnings;
  return p;
}

int run_plan(const PlanArgs& a) {
  schema::Catalog desired = load_desired(a.schema_path, a.dev_url, a.quiet_warnings);
  auto conn = pg::connect(a.db);
  // CockroachDB, YugabyteDB and Spanner speak the same protocol: plan them
  // from their own matrices (cmd/plan_pgwire.cpp).
  if (auto server = pgwire::detect(*conn); server.dialect != "postgres")
    return plan_pgwire_live(*conn, server, pgwire_args(a), &desired);
  schema::Catalog live = pg::inspect(*conn);
  if (!a.quiet_warnings)
    for (const auto& u : live.unsupported)
      std::cerr << "seam: warning: " << u << " (in the database; seam leaves it alone)\n";

  pg::PlanInput in;
  in.version = compat::Version::parse(
      a.server_version.empty() ? std::to_string(conn->server_version()) : a.server_version);
  in.stats = pg::table_stats(*conn);
  const compat::Matrix matrix = plan_matrix("postgres", a.matrix_override, a.config, &in.throttle);
  in.matrix = &matrix;
  in.seam_version = SEAM_VERSION;
  in.source_fingerprint = pg::catalog_fingerprint(live);
  in.desired_fingerprint = pg::catalog_fingerprint(desired);

  planner::Plan plan = pg::make_plan(differ::diff(live, desired, {}), live, desired, in);
  return emit_plan(plan, a.format, a.out, a.quiet_warnings, a.exit_code);
}

}  // namespace

void register_plan(CLI::App& app) {
  auto args = std::make_shared<PlanArgs>();
  CLI::App* sub = app.add_subcommand(
      "plan", "Plan online steps (expand, dual-write, backfill, contract) to the desired state");
  sub->add_option("--db", args->db, "Connection URL of the live database (default: $DATABASE_URL)")
      ->envname("DATABASE_URL");
  sub->add_option("--dialect", args->dialect,
                  "Target product: postgres (default; a --db that is CockroachDB, YugabyteDB or "
                  "Spanner is planned as that product), cockroachdb, yugabytedb, spanner-pg, or "
                  "tidb (MySQL-dialect files and a mysql:// URL, through a MariaDB dev server)");
  sub->add_option("--from", args->from,
                  "With a --dialect other than postgres: plan offline from these schema files "
                  "(the current state) instead of a live --db (needs --server-version, except "
                  "for spanner-pg)");
  sub->add_option("--schema", args->schema_path, "Desired-state .sql file or directory")
      ->required();
  sub->add_option("--dev-url", args->dev_url,
                  "Load the desired state through a scratch database on this server (needed for "
                  "PostgreSQL 16+ syntax)");
  sub->add_option("--format", args->format, "Output format")
      ->check(CLI::IsMember({"yaml", "json", "md", "sql"}));
  sub->add_option("--out", args->out, "Write the plan to this file instead of stdout");
  sub->add_option(
      "--server-version", args->server_version,
      "Plan for this PostgreSQL version (\"16\", \"14.4\") instead of the connected server's");
  sub->add_option("--config", args->config, "seam.yaml whose throttle defaults go into the plan");
  sub->add_option("--matrix-override", args->matrix_override,
                  "Compatibility-matrix override (e.g. from seam compat verify --write-override) "
                  "layered over the built-in matrix; default: compat_override in --config");
  sub->add_flag("--exit-code", args->exit_code, "Exit 2 when the plan has steps");
  sub->add_flag("--no-warnings", args->quiet_warnings,
                "Do not print warnings and hazard counts on stderr");
  sub->callback([args] {
    if (args->dialect == "tidb") {
      // Offline, a --db that only came from $DATABASE_URL is not meant.
      const char* env = std::getenv("DATABASE_URL");
      std::string db = !args->from.empty() && env && args->db == env ? "" : args->db;
      int rc = run_plan_mysql({db, args->from, args->schema_path, args->format, args->out,
                               args->server_version, args->config, args->matrix_override,
                               args->exit_code, args->quiet_warnings});
      if (rc != kOk) std::exit(rc);
      return;
    }
    if (is_pgwire_dialect(args->dialect)) {
      PgwirePlanArgs p = pgwire_args(*args);
      const char* env = std::getenv("DATABASE_URL");
      if (!p.from.empty() && env && p.db == env) p.db.clear();
      int rc = run_plan_pgwire(p);
      if (rc != kOk) std::exit(rc);
      return;
    }
    if (args->dialect != "postgres")
      throw CLI::ValidationError("--dialect", "unknown dialect \"" + args->dialect + "\"");
    if (args->db.empty()) throw CLI::RequiredError("--db");
    if (!args->from.empty())
      throw CLI::ValidationError("--from", "only with a --dialect other than postgres");
    int rc = run_plan(*args);
    if (rc != kOk) std::exit(rc);
  });
}

}  // namespace seam::cmd
