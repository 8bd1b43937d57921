// A deterministic generator of synthetic desired-state SQL for benchmarks:
// N tables spread over a few schemas, shaped like an application's schema
// (identity/serial/uuid keys, mixed column types, defaults, NOT NULL, CHECK,
// UNIQUE, foreign keys to earlier tables, secondary, partial, expression and
// GIN indexes, views, trigger functions and triggers, comments).
//
// With `changed`, the other side of a pair: the same schema after a release's
// worth of realistic changes (tables added and dropped; columns added,
// dropped, retyped, with new defaults and nullability; checks, indexes,
// triggers, views and comments added, dropped or changed; a function body
// and an enum label). Both sides make the same base choices table by table;
// the changes draw from a second PRNG seeded from the same seed.
//
// The same (tables, seed, changed) always yields the same text byte for byte
// on every machine: the generator uses its own PRNG (splitmix64), never the
// standard library's distributions, whose output is implementation-defined.
//
//   seam::bench::GenStats st;
//   std::string from = seam::bench::generate_schema({.tables = 1000}, &st);
//   std::string to = seam::bench::generate_schema({.tables = 1000, .changed = true});
#pragma once

#include <cstdint>
#include <string>

namespace seam::bench {

struct GenOptions {
  int tables = 100;
  uint64_t seed = 1;
  bool changed = false;  // the changed side of a pair (see above)
};

// The changes the changed side made, against the base of the same (tables,
// seed). A table drop takes the table's indexes, views, triggers and
// comments with it and counts once; a foreign key or a view of another table
// that needed the dropped one counts under foreign_keys_dropped / views_dropped.
struct ChangeStats {
  int tables_added = 0, tables_dropped = 0;
  int columns_added = 0, columns_dropped = 0, columns_retyped = 0, defaults_changed = 0, not_null_changed = 0;
  int checks_added = 0, foreign_keys_dropped = 0;
  int indexes_added = 0, indexes_dropped = 0;
  int views_added = 0, views_dropped = 0, views_changed = 0;
  int triggers_added = 0, triggers_dropped = 0;
  int comments_changed = 0;
  int functions_added = 0, functions_changed = 0, enum_labels_added = 0;
  int total() const {
    return tables_added + tables_dropped + columns_added + columns_dropped + columns_retyped + defaults_changed +
           not_null_changed + checks_added + foreign_keys_dropped + indexes_added + indexes_dropped + views_added +
           views_dropped + views_changed + triggers_added + triggers_dropped + comments_changed + functions_added +
           functions_changed + enum_labels_added;
  }
};

// What the generated text holds; reported next to benchmark results so a
// reader can judge how big "1,000 tables" is.
struct GenStats {
  int schemas = 0;
  int tables = 0;
  int columns = 0;
  int indexes = 0;       // CREATE INDEX statements (constraint indexes not counted)
  int foreign_keys = 0;
  int checks = 0;
  int uniques = 0;       // UNIQUE constraints
  int views = 0;
  int functions = 0;
  int triggers = 0;
  int comments = 0;
  size_t bytes = 0;
  ChangeStats changes;  // all 0 unless `changed`
};

// PostgreSQL 13+ SQL (gen_random_uuid() is built in from 13 on).
std::string generate_schema(const GenOptions& opts, GenStats* stats = nullptr);

}  // namespace seam::bench
