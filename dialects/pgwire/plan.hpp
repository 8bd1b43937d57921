// The online-DDL planner for the PostgreSQL-wire distributed products:
// CockroachDB, YugabyteDB (YSQL) and Spanner's PostgreSQL interface. It
// compiles the differ's ChangeSet, through the product's compatibility matrix
// (compat-matrix/<dialect>.yaml) for the target version, into a planner::Plan
// with the same phases, backfills and checkpoint as PostgreSQL plans
// (docs/planner.md), rendered in the SQL the product accepts.
//
//   pgwire::PlanInput in;
//   in.dialect = "cockroachdb";
//   in.version = compat::Version::parse("24.3");
//   in.matrix = &compat::builtin("cockroachdb");   // or a layered override
//   planner::Plan p = pgwire::make_plan(differ::diff(live, desired), live, desired, in);
//
// What differs from pg::make_plan, all from the matrix and the product's
// traits (dialects/pgwire/product.hpp):
//  * every DDL is its own non-transactional step: none of these products runs
//    DDL atomically inside a transaction (each matrix's ddl_in_transaction);
//  * no table locks (lock: none), no CONCURRENTLY: an index is a plain
//    CREATE INDEX, which each product builds online by itself;
//  * each change maps to the product's matrix op and honours its strategy:
//    direct / instant / online_job -> one step (online_job steps say which
//    background job runs them and how to watch and control it);
//    not_valid_validate -> ADD ... NOT VALID, VALIDATE in contract;
//    expand_backfill -> nullable column, default, batched backfill, then the
//    product's NOT NULL; unique_index_then_constraint -> unique index, then
//    ADD CONSTRAINT ... USING INDEX; shadow_column -> shadow column, sync
//    trigger, backfill, checkpoint, swap; app_dual_write -> shadow column,
//    backfill, a checkpoint at which the APPLICATION must write both columns,
//    a catch-up backfill, swap; contract_only -> drop behind the checkpoint;
//    blocking -> one step with its hazards; unsupported / refuse, a missing
//    entry, or a change no matrix op covers -> UnsupportedError naming the
//    change, product, version and the entry's notes (never a guess);
//  * every step whose entry is verified: false carries a dialect-unverified
//    hazard naming the op, product and version and how to check it.
//
// Deterministic: equal inputs give byte-identical plans. Nothing here was
// run against a server of these products; tests/cases/<dialect>/ holds the
// reviewed plans (tests/integration/dialect_golden_test.cpp).
#pragma once

#include <map>
#include <string>

#include "compat-matrix/matrix.hpp"
#include "dialects/postgres/plan.hpp"
#include "differ/changes.hpp"
#include "planner/plan.hpp"
#include "schema/model.hpp"

namespace seam::pgwire {

struct PlanInput {
  std::string dialect;      // "cockroachdb", "yugabytedb", "spanner-pg"
  compat::Version version;  // Spanner: any (its entries cover "all"); plans say "all"
  // The dialect's matrix, possibly an override layered over the built-in one;
  // required (nullptr: UnsupportedError).
  const compat::Matrix* matrix = nullptr;
  // "schema.table" -> statistics, for row estimates and messages; empty when
  // the product has no pg_class statistics or the plan is made offline.
  std::map<std::string, pg::TableStats> stats;
  planner::Throttle throttle;
  std::string seam_version, source_fingerprint, desired_fingerprint;
};

// `from` is the live catalog the ChangeSet was computed from, `to` the
// desired one. Throws UnsupportedError as above, planner::CycleError when
// the steps cannot be ordered.
planner::Plan make_plan(const differ::ChangeSet& cs, const schema::Catalog& from,
                        const schema::Catalog& to, const PlanInput& in);

// The server version as a plan records it: "all" for a versionless service.
std::string version_text(const std::string& dialect, const compat::Version& v);

}  // namespace seam::pgwire
