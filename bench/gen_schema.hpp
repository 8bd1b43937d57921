// A deterministic generator of synthetic desired-state SQL for benchmarks:
// N tables spread over a few schemas, shaped like an application's schema
// (identity/serial/uuid keys, mixed column types, defaults, NOT NULL, CHECK,
// UNIQUE, foreign keys to earlier tables, secondary, partial, expression and
// GIN indexes, views, trigger functions and triggers, comments).
//
// The same (tables, seed) always yields the same text byte for byte on every
// machine: the generator uses its own PRNG (splitmix64), never the standard
// library's distributions, whose output is implementation-defined.
//
//   seam::bench::GenStats st;
//   std::string sql = seam::bench::generate_schema({.tables = 1000}, &st);
#pragma once

#include <cstdint>
#include <string>

namespace seam::bench {

struct GenOptions {
  int tables = 100;
  uint64_t seed = 1;
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
};

// PostgreSQL 13+ SQL (gen_random_uuid() is built in from 13 on).
std::string generate_schema(const GenOptions& opts, GenStats* stats = nullptr);

}  // namespace seam::bench
