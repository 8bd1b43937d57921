// What the online-DDL planner for the PostgreSQL-wire products
// (dialects/pgwire/plan.hpp) needs to know about each product beyond its
// compatibility matrix: plain data and a few pure functions, one value per
// product, defined where the product differs (dialects/cockroachdb/,
// dialects/yugabytedb/, dialects/spanner/). The matrix says what an operation
// does and which strategy to use; this says how the product spells it, how
// it runs a background job, and which type changes are which matrix op.
//
//   const pgwire::Product& p = pgwire::product("cockroachdb");
//   std::string t = p.column_type("integer");   // "int4": CockroachDB's INTEGER is 64-bit
//
// Nothing here was run against a server of these products (none runs on
// seam's machines); every fact cites its documentation where it is defined.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "schema/model.hpp"

namespace seam::pgwire {

struct Product {
  std::string dialect;  // compat-matrix file name: "cockroachdb", "yugabytedb", "spanner-pg"
  std::string name;     // "CockroachDB"
  // A managed service without versions (Spanner): plans say "all".
  bool versionless = false;

  // How the product runs a step whose strategy is online_job, for the step's
  // message: "a schema-change job", and how an operator watches and controls
  // it. job_control_op names the matrix op that documents those verbs ("" when
  // the product has none).
  std::string job;
  std::string job_control;
  std::string job_control_op;
  // What a metadata-only (instant) step waits for, for the step's message.
  std::string instant_wait;

  // The final swap of a shadow column (old name away, shadow to the name) as
  // one ALTER TABLE with two RENAME COLUMN subcommands (CockroachDB, whose
  // rename_column entry documents combining subcommands atomically); else two
  // statements, each its own step.
  bool combined_rename_swap = false;

  // The clause CREATE VIEW needs between the view's name and AS ("" = none).
  // Spanner requires SQL SECURITY { INVOKER | DEFINER } and its syntax has no
  // column list there (https://cloud.google.com/spanner/docs/reference/
  // postgresql/data-definition-language#create_view); a product that sets
  // this gets "CREATE VIEW name <clause> AS query" and a view with an
  // explicit column list is refused.
  std::string view_security;

  // DROP TABLE is refused while the table still has secondary indexes
  // (Spanner): the plan drops each of the table's indexes, from the live
  // catalog, in its own contract step before the table.
  bool drop_indexes_before_table = false;

  // ALTER TABLE ... DROP CONSTRAINT cannot drop a UNIQUE constraint
  // (CockroachDB before 26.2, cockroach#42840): its index goes with
  // DROP INDEX table@name CASCADE, matrix op drop_unique_constraint.
  bool drop_unique_by_index = false;

  // Keyset batches compare row values ("(a, b) > (x, y)"): "" when the
  // product documents it, otherwise the sentence a backfill over a composite
  // key carries as a hazard.
  std::string composite_key_note;

  // The type name to render for a column of model type `pg_type` (format_type
  // spelling). Throws UnsupportedError (naming the type, the product and what
  // to write instead) for a type the product does not have.
  std::string (*column_type)(const std::string& pg_type) = nullptr;
  // True when changing a column from `from` to `to` is the product's
  // alter_type_binary_coercible operation (no data rewrite); every other type
  // change is alter_type_rewrite. The products' lists differ from
  // PostgreSQL's binary coercion (compat-matrix/README.md).
  bool (*no_rewrite_type_change)(const schema::Column& from, const schema::Column& to) = nullptr;

  // Per matrix op: what to do instead when the product lacks the operation
  // (no entry, or strategy unsupported), appended to the UnsupportedError.
  std::map<std::string, std::string> advice;
};

// The product of a compat-matrix dialect name; throws UnsupportedError for
// any other (including "postgres", which pg::make_plan plans).
const Product& product(const std::string& dialect);

// The dialects this planner serves, sorted: cockroachdb, spanner-pg, yugabytedb.
std::vector<std::string> product_dialects();

}  // namespace seam::pgwire
