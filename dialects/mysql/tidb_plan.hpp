// The zero-downtime planner for TiDB (MySQL dialect): compiles the differ's
// ChangeSet between two MySQL-family catalogs (dialects/mysql/inspect.hpp,
// load.hpp), through compat-matrix/tidb.yaml for the target version, into a
// planner::Plan (dialect "tidb") ordered by planner::assemble. Statements
// come from tidb_render.hpp; docs/dialects.md describes every strategy.
//
//   mysql::TidbPlanInput in;
//   in.version = compat::Version::parse("8.5.1");
//   in.stats = mysql::table_sizes(conn, "shop", "shop");
//   planner::Plan p = mysql::plan_tidb(differ::diff(live, desired), live, desired, in);
//
// What the plan does, change by change:
//  * every step is one DDL outside any transaction (TiDB commits the open
//    transaction around a DDL), tagged with its tidb.yaml op; no PostgreSQL
//    table locks (TiDB DDL is online, lock: none);
//  * ADD COLUMN (nullable, constant DEFAULT) is instant; a column whose
//    DEFAULT is an expression evaluated per row (UUID(), RAND() ...) is added
//    nullable, gets the default for new rows, existing rows are backfilled in
//    batches of primary-key ranges, and a NOT NULL column becomes NOT NULL in
//    the contract phase (TiDB checks for NULLs, no reorg);
//  * ADD INDEX / ADD UNIQUE / ADD PRIMARY KEY / ADD FOREIGN KEY (8.5+, refused
//    before) are online DDL jobs: full-scan and long-running hazards that name
//    the job verbs (`seam jobs`, ADMIN SHOW/PAUSE/RESUME/CANCEL DDL JOBS);
//  * MODIFY COLUMN is lossless (metadata only), an appended ENUM member
//    (metadata only) or lossy (a Reorg-Data job rewriting every row: TiDB's
//    own online shadow column, as the matrix's online_job says);
//  * drops are contract-only, behind the manual checkpoint;
//  * metadata-only changes of one table that end up next to each other in
//    one phase are one multi-schema change (one ALTER TABLE, one job, one
//    schema-version wait); DDL jobs that read the table stay alone, so each
//    can be paused or cancelled without undoing anything else;
//  * every step whose matrix entry is unverified (all of them today) carries a
//    dialect-unverified hazard naming the op, the version and how to check it.
// Anything else is an UnsupportedError naming the change. Deterministic:
// equal inputs give equal plans, byte for byte.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "compat-matrix/matrix.hpp"
#include "dialects/mysql/client.hpp"
#include "differ/changes.hpp"
#include "planner/plan.hpp"
#include "schema/model.hpp"

namespace seam::mysql {

// What seam knows of a table's size; it only feeds messages and backfill
// estimates, never the choice of strategy.
struct TableSize {
  int64_t rows = 0;   // estimated rows (TiDB: statistics; may be 0 when never analyzed)
  int64_t bytes = 0;  // data length, 0 when unknown
};

struct TidbPlanInput {
  compat::Version version;  // the TiDB version planned for
  const compat::Matrix* matrix =
      nullptr;                 // nullptr: compat::builtin("tidb") (else e.g. an override)
  std::string server_version;  // as the plan records it ("8.5.1"); "" = version.str()
  std::map<std::string, TableSize> stats;  // "schema.table" (unquoted) -> size
  planner::Throttle throttle;
  std::string seam_version, source_fingerprint, desired_fingerprint;
};

// `from` is the live catalog the ChangeSet was computed from, `to` the
// desired one. Throws UnsupportedError (a change TiDB or seam cannot do
// online, a version the matrix does not cover) and planner::CycleError.
planner::Plan plan_tidb(const differ::ChangeSet& cs, const schema::Catalog& from,
                        const schema::Catalog& to, const TidbPlanInput& in);

// information_schema.TABLES estimates (TABLE_ROWS, DATA_LENGTH) of the base
// tables of `database`, keyed "<as_schema>.<table>".
std::map<std::string, TableSize> table_sizes(Connection& c, const std::string& database,
                                             const std::string& as_schema);

}  // namespace seam::mysql
