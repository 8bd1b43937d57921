// `seam plan --dialect tidb --schema DIR (--db mysql://user:pass@host:port/db
// | --from DIR) [--server-version V] ...`: the TiDB plan
// (dialects/mysql/tidb_plan.hpp). libpg_query cannot read MySQL, so the
// desired state - and with --from the current state too - is loaded into a
// throwaway MariaDB dev server and inspected from information_schema; a live
// --db is inspected the same way over libmariadb. The TiDB version comes from
// the server (`SELECT VERSION()` = "8.0.11-TiDB-v8.5.1") unless
// --server-version says otherwise; against MariaDB or MySQL (a stand-in, a
// staging copy) --server-version is required and a warning says the server is
// not TiDB. Offline (--from) plans have no table statistics. The password of
// the URL is never printed.
#include "cmd/plan_mysql.hpp"

#include <fstream>
#include <iostream>

#include "cmd/commands.hpp"
#include "cmd/plan_output.hpp"
#include "compat-matrix/override.hpp"
#include "dialects/mysql/detect.hpp"
#include "dialects/mysql/dev_server.hpp"
#include "dialects/mysql/inspect.hpp"
#include "dialects/mysql/load.hpp"
#include "dialects/mysql/tidb_plan.hpp"
#include "dialects/mysql/url.hpp"
#include "dialects/postgres/fingerprint.hpp"
#include "differ/diff.hpp"
#include "planner/config.hpp"
#include "planner/plan_render.hpp"
#include "planner/plan_yaml.hpp"
#include "schema/errors.hpp"

namespace seam::cmd {

namespace {

// The schema name both sides get in the model when no live database names it.
const std::string kOfflineSchema = "app";

mysql::LoadResult load(mysql::Connection& dev, const std::string& path, const std::string& schema,
                       bool quiet) {
  mysql::LoadResult r = mysql::load_path(dev, path, {.schema_name = schema});
  if (!quiet)
    for (const auto& w : r.warnings) std::cerr << "seam: warning: " << w << "\n";
  return r;
}

}  // namespace

int run_plan_mysql(const MysqlPlanArgs& a) {
  if (a.db.empty() == a.from.empty())
    throw CLI::ValidationError("--db/--from",
                               "seam plan --dialect tidb needs either --db mysql://... (the live "
                               "database) or --from DIR (its schema files, offline), not both");
  if (!a.db.empty() && !mysql::is_mysql_url(a.db))
    throw CLI::ValidationError("--db",
                               "seam plan --dialect tidb connects with a mysql:// URL "
                               "(mysql://user:password@host:4000/database)");
  mysql::TidbPlanInput in;
  schema::Catalog live;
  std::string schema = kOfflineSchema;
  std::optional<mysql::Connection> conn;
  if (!a.db.empty()) {
    mysql::Url url = mysql::parse_url(a.db);
    if (url.database.empty())
      throw InputError("connection URL " + url.redacted() +
                       ": name the database to plan for (mysql://user@host:port/database)");
    conn.emplace(mysql::connect(url));
    mysql::ServerKind kind = mysql::detect(*conn);
    if (kind.tidb) {
      in.server_version = a.server_version.empty() ? kind.version : a.server_version;
    } else if (a.server_version.empty()) {
      throw UnsupportedError("the server at " + url.redacted() + " is " + kind.describe() +
                             ", not TiDB: seam plans TiDB changes for it only with "
                             "--server-version V, the TiDB version the plan is for");
    } else {
      in.server_version = a.server_version;
      if (!a.quiet_warnings)
        std::cerr << "seam: warning: the server at " << url.redacted() << " is " << kind.describe()
                  << ", not TiDB: planning for TiDB " << a.server_version
                  << " as --server-version says; what each step costs comes from "
                     "compat-matrix/tidb.yaml, not from this server\n";
    }
    schema = url.database;
    live = mysql::inspect(*conn, url.database);
    in.stats = mysql::table_sizes(*conn, url.database, schema);
  } else if (a.server_version.empty()) {
    throw CLI::ValidationError("--server-version",
                               "an offline plan (--from) needs --server-version, the TiDB "
                               "version the plan is for (e.g. 8.5)");
  } else {
    in.server_version = a.server_version;
  }
  in.version = compat::Version::parse(in.server_version);

  mysql::DevServer dev;
  mysql::Connection dc = dev.connect();
  if (!a.from.empty()) live = load(dc, a.from, schema, a.quiet_warnings).catalog;
  schema::Catalog desired = load(dc, a.schema_path, schema, a.quiet_warnings).catalog;
  if (!a.quiet_warnings) {
    for (const auto& u : live.unsupported)
      std::cerr << "seam: warning: " << u << " (in the current state; seam leaves it alone)\n";
    for (const auto& u : desired.unsupported)
      std::cerr << "seam: warning: " << u << " (in the desired state; not planned)\n";
  }

  const compat::Matrix matrix = plan_matrix("tidb", a.matrix_override, a.config, &in.throttle);
  in.matrix = &matrix;
  in.seam_version = SEAM_VERSION;
  in.source_fingerprint = pg::catalog_fingerprint(live);
  in.desired_fingerprint = pg::catalog_fingerprint(desired);
  planner::Plan plan = mysql::plan_tidb(differ::diff(live, desired), live, desired, in);

  return emit_plan(plan, a.format, a.out, a.quiet_warnings, a.exit_code);
}

}  // namespace seam::cmd
