// The zero-downtime planner for PostgreSQL: compiles the differ's ChangeSet,
// through the compatibility matrix for the target server version, into a
// planner::Plan of online steps (expand -> dual-write -> backfill ->
// contract). docs/planner.md describes every strategy.
//
//   auto conn = pg::connect(url);
//   pg::PlanInput in;
//   in.version = compat::Version::parse(conn->server_version() ...);
//   in.matrix = &compat::builtin("postgres");
//   in.stats = pg::table_stats(*conn);
//   planner::Plan p = pg::make_plan(cs, live, desired, in);
//
// Strategy selection depends only on the ChangeSet, the catalogs and the
// matrix entry for the version - never on row counts - so plans are stable;
// the statistics only feed lock-duration estimates, backfill row estimates
// and hazard messages.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <pqxx/pqxx>

#include "compat-matrix/matrix.hpp"
#include "differ/changes.hpp"
#include "planner/plan.hpp"
#include "schema/model.hpp"

namespace seam::pg {

// pg_class statistics of one table. reltuples < 0: never analyzed (PG14+).
struct TableStats {
  double reltuples = 0;
  int64_t relpages = 0;
};

struct PlanInput {
  compat::Version version;
  const compat::Matrix* matrix = nullptr;   // nullptr: every step is dialect-unverified
  std::map<std::string, TableStats> stats;  // "schema.table" (unquoted) -> stats
  planner::Throttle throttle;
  std::string seam_version, source_fingerprint, desired_fingerprint;
};

// `from` is the live catalog the ChangeSet was computed from, `to` the
// desired one. Deterministic: equal inputs give equal plans. Throws
// planner::CycleError when the steps cannot be ordered.
planner::Plan make_plan(const differ::ChangeSet& cs, const schema::Catalog& from,
                        const schema::Catalog& to, const PlanInput& in);

// Is a column default evaluated per row? Conservative: any function call but
// the stable clock functions counts as volatile, so an unknown function gets
// the backfill strategy, which is always safe. Shared with the other
// PostgreSQL-wire products' planner (dialects/pgwire).
bool volatile_default(const std::string& default_sql);

// Statistics of every ordinary and partitioned table outside the system schemas.
std::map<std::string, TableStats> table_stats(pqxx::connection& c);

// Assumed sequential read rate for lock-duration estimates (docs/planner.md).
constexpr double kScanBytesPerSecond = 200.0 * 1024 * 1024;

}  // namespace seam::pg
