// `seam diff --db URL --schema PATH`: compare the desired state with a live
// database. In sync: prints nothing, exits 0. Differences: rendering them as
// DDL is the differ's job (not built yet), so they are listed and reported as
// "not supported yet" rather than silently ignored.
#include <iostream>

#include "cmd/commands.hpp"
#include "dialects/postgres/conn.hpp"
#include "dialects/postgres/devdb.hpp"
#include "dialects/postgres/inspect.hpp"
#include "schema/compare.hpp"
#include "schema/errors.hpp"
#include "schema/load.hpp"

namespace seam::cmd {

namespace {

struct DiffArgs {
  std::string db, schema_path, dev_url;
  bool exit_code = false;
  bool quiet_warnings = false;
};

void run_diff(const DiffArgs& a) {
  schema::Catalog desired;
  if (!a.dev_url.empty()) {
    std::vector<schema::SqlFile> files;
    for (const auto& p : schema::list_sql_files(a.schema_path)) files.push_back(schema::read_sql_file(p, p));
    desired = pg::load_via_dev(files, a.dev_url);
  } else {
    auto r = schema::load_path(a.schema_path);
    if (!a.quiet_warnings)
      for (const auto& w : r.warnings) std::cerr << "seam: warning: " << w << "\n";
    desired = std::move(r.catalog);
  }
  auto conn = pg::connect(a.db);
  schema::Catalog live = pg::inspect(*conn);
  auto diffs = schema::compare(desired, live);
  if (diffs.empty()) return;
  throw UnsupportedError("the database " + pg::describe_target(a.db) + " differs from " + a.schema_path + " in " +
                         std::to_string(diffs.size()) +
                         " place(s); generating DDL for differences is not supported yet:\n" +
                         schema::format_differences(diffs));
}

}  // namespace

void register_diff(CLI::App& app) {
  auto args = std::make_shared<DiffArgs>();
  CLI::App* sub = app.add_subcommand("diff", "Print the DDL that takes the database to the desired state");
  sub->add_option("--db", args->db, "Connection URL of the live database")->required();
  sub->add_option("--schema", args->schema_path, "Desired-state .sql file or directory")->required();
  sub->add_option("--dev-url", args->dev_url,
                  "Load the desired state through a scratch database on this server (exact path; needed for "
                  "PostgreSQL 16+ syntax)");
  sub->add_flag("--exit-code", args->exit_code, "Exit 2 when there are differences (for CI drift checks)");
  sub->add_flag("--no-warnings", args->quiet_warnings, "Do not print skipped-statement warnings");
  sub->callback([args] { run_diff(*args); });
}

}  // namespace seam::cmd
