// `seam plan --dialect cockroachdb|yugabytedb|spanner-pg --schema PATH
// (--db URL | --from PATH) [--server-version V] ...`: plans with the pgwire
// planner (dialects/pgwire/plan.hpp) from the product's compatibility matrix,
// layered with --matrix-override / seam.yaml's compat_override.
//
// Live (--db): pgwire::detect names the product and its version (the
// version --server-version overrides), pgwire::inspect reads the catalog. No
// table statistics are used: these products' pg_class figures are emulated
// or absent, so plans say "no statistics" rather than a wrong row count.
//
// Offline (--from PATH): the current state is read from SQL files like the
// desired state (a dump of the live schema, say), for review and for testing
// without the product; --server-version names the version the plan is for
// (Spanner has none: "all" is assumed).
//
// None of this has run against a server of these products: the live path
// is exercised on PostgreSQL only (where it is not taken).
#include "cmd/plan_pgwire.hpp"

#include <algorithm>
#include <fstream>
#include <iostream>

#include "cmd/commands.hpp"
#include "cmd/plan_output.hpp"
#include "cmd/desired.hpp"
#include "compat-matrix/override.hpp"
#include "dialects/pgwire/inspect.hpp"
#include "dialects/pgwire/plan.hpp"
#include "dialects/pgwire/product.hpp"
#include "dialects/postgres/conn.hpp"
#include "dialects/postgres/fingerprint.hpp"
#include "differ/diff.hpp"
#include "planner/config.hpp"
#include "planner/plan_render.hpp"
#include "planner/plan_yaml.hpp"
#include "schema/errors.hpp"

namespace seam::cmd {

namespace {

compat::Version version_of(const std::string& dialect, const std::string& text) {
  // A versionless service: every entry covers "all"; any version selects them.
  if (pgwire::product(dialect).versionless) {
    if (!text.empty() && text != "all")
      throw CLI::ValidationError("--server-version",
                                 pgwire::product(dialect).name +
                                     " has no versions: leave --server-version out (or say all)");
    return compat::Version{1, -1};
  }
  return compat::Version::parse(text);
}

int plan_and_write(const PgwirePlanArgs& a, const schema::Catalog& live,
                   const compat::Version& version, const schema::Catalog* loaded) {
  schema::Catalog desired =
      loaded ? *loaded : load_desired(a.schema_path, a.dev_url, a.quiet_warnings);
  if (!a.quiet_warnings)
    for (const auto& u : live.unsupported)
      std::cerr << "seam: warning: " << u << " (in the current state; seam leaves it alone)\n";
  pgwire::PlanInput in;
  in.dialect = a.dialect;
  in.version = version;
  const compat::Matrix matrix = plan_matrix(a.dialect, a.matrix_override, a.config, &in.throttle);
  in.matrix = &matrix;
  in.seam_version = SEAM_VERSION;
  in.source_fingerprint = pg::catalog_fingerprint(live);
  in.desired_fingerprint = pg::catalog_fingerprint(desired);
  planner::Plan plan = pgwire::make_plan(differ::diff(live, desired, {}), live, desired, in);

  return emit_plan(plan, a.format, a.out, a.quiet_warnings, a.exit_code);
}

}  // namespace

bool is_pgwire_dialect(const std::string& dialect) {
  auto d = pgwire::product_dialects();
  return std::find(d.begin(), d.end(), dialect) != d.end();
}

int plan_pgwire_live(pqxx::connection& c, const pgwire::Server& server, const PgwirePlanArgs& a,
                     const schema::Catalog* desired) {
  PgwirePlanArgs args = a;
  args.dialect = server.dialect;
  compat::Version v =
      a.server_version.empty() ? server.version : version_of(server.dialect, a.server_version);
  if (!a.quiet_warnings)
    std::cerr << "seam: planning for " << pgwire::describe(server)
              << (a.server_version.empty() ? "" : " as --server-version " + a.server_version)
              << " from compat-matrix/" << server.dialect
              << ".yaml (documentation only, not measured by seam)\n";
  schema::Catalog live = pgwire::inspect(c, server);
  return plan_and_write(args, live, v, desired);
}

int run_plan_pgwire(const PgwirePlanArgs& a) {
  if (a.db.empty() == a.from.empty())
    throw CLI::ValidationError("--db/--from", "seam plan --dialect " + a.dialect +
                                                  " needs either --db URL (the live database) or "
                                                  "--from PATH (its schema files, offline), not "
                                                  "both");
  if (!a.from.empty()) {
    if (a.server_version.empty() && !pgwire::product(a.dialect).versionless)
      throw CLI::ValidationError("--server-version",
                                 "an offline plan (--from) needs --server-version, the " +
                                     pgwire::product(a.dialect).name +
                                     " version the plan is for (e.g. 24.3)");
    compat::Version v = version_of(a.dialect, a.server_version);
    schema::Catalog live = load_desired(a.from, a.dev_url, a.quiet_warnings);
    return plan_and_write(a, live, v, nullptr);
  }
  auto conn = pg::connect(a.db);
  pgwire::Server server = pgwire::detect(*conn);
  pgwire::expect_dialect(server, a.dialect);
  return plan_pgwire_live(*conn, server, a);
}

}  // namespace seam::cmd
