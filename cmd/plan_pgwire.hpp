// `seam plan` for the PostgreSQL-wire distributed products (CockroachDB,
// YugabyteDB, Spanner's PostgreSQL interface): the hook in cmd/plan.cpp calls
// run_plan_pgwire for `--dialect cockroachdb|yugabytedb|spanner-pg`, and
// plan_pgwire_live when the server behind a plain `seam plan --db` turns out
// not to be PostgreSQL (pgwire::detect).
#pragma once

#include <string>

#include <pqxx/connection>

#include "dialects/pgwire/detect.hpp"
#include "schema/model.hpp"

namespace seam::cmd {

struct PgwirePlanArgs {
  std::string dialect;  // "cockroachdb", "yugabytedb", "spanner-pg"
  std::string db, from, schema_path, dev_url, format = "yaml", out, server_version, config,
                                              matrix_override;
  bool exit_code = false;
  bool quiet_warnings = false;
};

// The dialects this path plans.
bool is_pgwire_dialect(const std::string& dialect);

// --from PATH (offline: the current state read from SQL files, no
// statistics; --server-version required but for spanner-pg) or --db URL
// (connects, detects the product and checks it is a.dialect). Returns the
// exit code (kOk, or kDifferences with exit_code and a non-empty plan).
int run_plan_pgwire(const PgwirePlanArgs& a);

// The live path on an open connection to `server` (not PostgreSQL);
// `desired`, when given, is the desired state already loaded from a.schema_path.
int plan_pgwire_live(pqxx::connection& c, const pgwire::Server& server, const PgwirePlanArgs& a,
                     const schema::Catalog* desired = nullptr);

}  // namespace seam::cmd
