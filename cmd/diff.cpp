// `seam diff --db URL --schema PATH`: the DDL that takes the live database to
// the desired state. In sync: prints nothing, exits 0. Differences: prints the
// script (psql -v ON_ERROR_STOP=1 runs it as is); with --exit-code, exits 2.
// Hazards (data loss, possible renames, recreated objects) are comment lines
// in the script and are repeated on stderr as warnings. The live side is read
// with the detected product's inspector (dialects/pgwire/inspect.hpp); for a
// product other than PostgreSQL a warning says it is unverified there.
#include <cstdlib>
#include <iostream>

#include "cmd/commands.hpp"
#include "cmd/desired.hpp"
#include "dialects/pgwire/detect.hpp"
#include "dialects/pgwire/inspect.hpp"
#include "dialects/postgres/conn.hpp"
#include "dialects/postgres/inspect.hpp"
#include "dialects/postgres/render_change.hpp"
#include "differ/diff.hpp"
#include "schema/errors.hpp"

namespace seam::cmd {

namespace {

struct DiffArgs {
  std::string db, schema_path, dev_url;
  bool exit_code = false;
  bool quiet_warnings = false;
};

int run_diff(const DiffArgs& a) {
  schema::Catalog desired = load_desired(a.schema_path, a.dev_url, a.quiet_warnings);
  auto conn = pg::connect(a.db);
  pgwire::Server server = pgwire::detect(*conn);
  if (pgwire::inspector_unverified(server))
    std::cerr << "seam: warning: " << pgwire::describe(server)
              << ": seam's inspector for this product has not been verified against a live "
                 "server, and the script is PostgreSQL DDL; review it before running it\n";
  schema::Catalog live = pgwire::inspect(*conn, server);
  if (!a.quiet_warnings)
    for (const auto& u : live.unsupported)
      std::cerr << "seam: warning: " << u << " (in the database; seam leaves it alone)\n";
  differ::ChangeSet cs = differ::diff(live, desired, {});
  std::string script = pg::migration_script(cs);
  if (script.empty()) return kOk;
  if (!a.quiet_warnings)
    for (const auto& h : cs.hazards()) std::cerr << "seam: hazard " << differ::to_string(h.kind) << ": " << h.message << "\n";
  std::cout << script << std::flush;
  return a.exit_code ? kDifferences : kOk;
}

}  // namespace

void register_diff(CLI::App& app) {
  auto args = std::make_shared<DiffArgs>();
  CLI::App* sub = app.add_subcommand("diff", "Print the DDL that takes the database to the desired state");
  sub->add_option("--db", args->db, "Connection URL of the live database (default: $DATABASE_URL)")
      ->envname("DATABASE_URL")
      ->required();
  sub->add_option("--schema", args->schema_path, "Desired-state .sql file or directory")->required();
  sub->add_option("--dev-url", args->dev_url,
                  "Load the desired state through a scratch database on this server (exact path; needed for "
                  "PostgreSQL 16+ syntax)");
  sub->add_flag("--exit-code", args->exit_code, "Exit 2 when there are differences (for CI drift checks)");
  sub->add_flag("--no-warnings", args->quiet_warnings, "Do not print skipped-statement warnings and hazards on stderr");
  sub->callback([args] {
    int rc = run_diff(*args);
    // main() maps CLI11's own exit codes to kUsage; exit 2 directly (the
    // connection is closed and stdout flushed by now).
    if (rc != kOk) std::exit(rc);
  });
}

}  // namespace seam::cmd
