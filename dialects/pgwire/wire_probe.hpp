// The generic "wire probe" of `seam compat verify` for PostgreSQL-wire
// products that have no pg_locks to read (CockroachDB, YugabyteDB, Spanner's
// PostgreSQL interface): it runs an operation's probe from postgres.yaml
// (PostgreSQL syntax, which these products accept for the basic operations)
// in a scratch schema and observes what the product exposes:
//
//   (a) is the statement accepted inside BEGIN, and does ROLLBACK undo it
//       (atomic)? Compared with the entry's `transactional`;
//   (b) did it create a schema-change job (CockroachDB: SHOW JOBS)? Compared
//       with strategy online_job;
//   (c) did the table's storage id change (pg_class.relfilenode; CockroachDB:
//       the primary index id)? Compared with `rewrite`.
//
// What a product exposes is an Observer: a few queries, as data. Where a query
// is empty the product does not expose that fact and the verdict says so.
//
// Tested against PostgreSQL with the PostgreSQL observer
// (tests/integration/wire_probe_test.cpp); the CockroachDB, YugabyteDB and
// Spanner observers have NOT been run against those products (they cannot
// run on seam's machines) - only their catalog ("shape") queries are checked
// to be valid SQL on PostgreSQL. docs/dialects.md says so too.
//
//   const auto& obs = pgwire::observer("cockroachdb");
//   pgwire::ScratchSchema s(url, "add_column_nullable");
//   auto w = pgwire::run_wire_probe(url, s.name(), *pgwire::postgres_probe("add_column_nullable"),
//   obs); auto v = pgwire::compare(entry, w, obs);   // v.differences empty: agrees
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compat-matrix/matrix.hpp"

namespace seam::pgwire {

struct Observer {
  std::string dialect;  // compat-matrix dialect: "postgres", "yugabytedb", ...
  std::string product;  // for messages
  // $1 = schema name -> rows of one text column, each describing an object of
  // the schema (relations, columns with type, nullability and default,
  // constraints, indexes, views ...). Compared before and after, sorted, to
  // tell whether ROLLBACK undid the statement.
  std::string shape;
  // $1 = schema, $2 = table -> a key of the table that survives renames
  // (pg_class.oid, CockroachDB's descriptor id); no row when it does not exist.
  // "" = storage ids are not exposed.
  std::string relation_key;
  // $1 = that key -> the table's storage id.
  std::string storage_id;
  std::string storage_id_name;  // "pg_class.relfilenode", ...
  // $1 = schema name -> number of schema-change jobs that name the schema. "" =
  // the product has no SQL-visible jobs (`jobs_absent` says why).
  std::string job_count;
  std::string jobs_name;    // "SHOW JOBS"
  std::string jobs_absent;  // e.g. "PostgreSQL runs DDL in the session, without jobs"
};

// The observer of a PostgreSQL-wire dialect; throws UnsupportedError for others.
const Observer& observer(const std::string& dialect);
std::vector<std::string> observer_dialects();

struct WireObservation {
  bool accepted_in_transaction = false;
  std::string rejection;  // the server's message when BEGIN; <statement> failed
  // ROLLBACK undid the statement; nullopt when rejected, or when the statement
  // changes nothing the shape query shows (`not_observed` says so).
  std::optional<bool> atomic;
  // The storage id of the table (or the probe's other table) changed.
  std::optional<bool> rewritten;
  std::string storage_before, storage_after;  // of the table, for messages
  std::optional<long> jobs;                   // schema-change jobs the statement created
  std::vector<std::string> not_observed;      // one sentence per fact the product did not show

  // accepted and atomic; false when rejected or not atomic; nullopt when unknown.
  std::optional<bool> transactional() const;
};

// Runs `p` in `schema` (existing and empty) of the database at `url`: setup in
// autocommit, the statement inside BEGIN then ROLLBACK, and - unless that
// already left its effect - the statement again on its own. Throws
// std::runtime_error when setup fails or the statement fails on its own too.
WireObservation run_wire_probe(const std::string& url, const std::string& schema,
                               const compat::Probe& p, const Observer& o);

struct WireVerdict {
  std::vector<std::string> differences;  // where the entry disagrees, one sentence each
  std::vector<std::string> measured;     // what was compared ("transactional", ...)
  std::vector<std::string> unmeasured;   // what could not be, and why
};

// Compares `e` (any dialect's entry) with what was observed.
WireVerdict compare(const compat::Entry& e, const WireObservation& w, const Observer& o);

// The probe postgres.yaml has for `op` (its last entry with one), nullptr when
// none: the wire probe borrows it for other products.
const compat::Probe* postgres_probe(const std::string& op);

}  // namespace seam::pgwire
