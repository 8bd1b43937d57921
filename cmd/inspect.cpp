// `seam inspect`: dump a live database's schema as desired-state SQL, the
// starting point for managing an existing database with seam.
//
//   seam inspect --db postgresql://app@db/shop > schema/shop.sql
//   seam inspect --db "$DATABASE_URL" --schema-filter app --schema-filter billing --out schema/app.sql
//
// The script loads into an empty database with psql -v ON_ERROR_STOP=1 (see
// dialects/postgres/dump.hpp). Objects seam cannot represent are listed at its
// end and on stderr, never dropped silently.
//
// The product behind the URL is detected (dialects/pgwire/detect.hpp) and read
// with its inspector (dialects/pgwire/inspect.hpp); for CockroachDB,
// YugabyteDB and Spanner a warning says that inspector has not been verified
// against a live server of the product.
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cmd/commands.hpp"
#include "dialects/pgwire/detect.hpp"
#include "dialects/pgwire/inspect.hpp"
#include "dialects/postgres/conn.hpp"
#include "dialects/postgres/dump.hpp"
#include "dialects/postgres/inspect.hpp"

namespace seam::cmd {

namespace {

struct InspectArgs {
  std::string db;
  std::vector<std::string> schemas;
  std::string out;
};

void run_inspect(const InspectArgs& a) {
  // connect() names the target without its password when it fails.
  auto conn = pg::connect(a.db);
  pg::InspectOptions opts;
  opts.include_schemas = a.schemas;
  pgwire::Server server = pgwire::detect(*conn);
  if (pgwire::inspector_unverified(server))
    std::cerr << "seam: warning: " << pgwire::describe(server)
              << ": seam's inspector for this product has not been verified against a live "
                 "server; check the script before relying on it\n";
  schema::Catalog cat = pgwire::inspect(*conn, server, opts);
  std::string sql = pg::dump_catalog(cat);

  if (a.out.empty() || a.out == "-") {
    std::cout << sql << std::flush;
  } else {
    std::ofstream f(a.out, std::ios::binary | std::ios::trunc);
    if (!f) throw std::runtime_error("cannot open " + a.out + " for writing.");
    f << sql;
    f.close();
    if (!f) throw std::runtime_error("cannot write " + a.out + ".");
  }
  if (!cat.unsupported.empty())
    std::cerr << "seam: warning: " << cat.unsupported.size()
              << " object(s) in " << pg::describe_connection(*conn)
              << " are not in the dump because seam cannot represent them yet; they are listed at the end "
                 "of the script.\n";
}

}  // namespace

void register_inspect(CLI::App& app) {
  auto args = std::make_shared<InspectArgs>();
  CLI::App* sub = app.add_subcommand("inspect", "Print a live database's schema as desired-state SQL");
  sub->add_option("--db", args->db, "Connection URL or conninfo of the database to read (default: $DATABASE_URL)")
      ->envname("DATABASE_URL")
      ->required();
  sub->add_option("--schema-filter", args->schemas,
                  "Only these schemas (repeatable; default: every non-system schema)");
  sub->add_option("--out", args->out, "Write the script to this file instead of stdout");
  sub->callback([args] { run_inspect(*args); });
}

}  // namespace seam::cmd
