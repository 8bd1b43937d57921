// The DDL compatibility matrix: per dialect and server version, what each
// schema operation does to the tables it touches (lock mode, rewrite, scan,
// whether it may run in a transaction block) and which online strategy the
// planner uses for it. Data, not code: compat-matrix/<dialect>.yaml, compiled
// into the binary (so a plan never depends on files beside it) and checked
// against real servers by tests/integration/compat_matrix_test.cpp.
//
//   const compat::Matrix& m = compat::builtin("postgres");
//   const compat::Entry& e = m.at("create_index", compat::Version::parse("16.4"));
//   if (!e.transactional) ...;        // CREATE INDEX CONCURRENTLY: own step
//
// Entries with the same op cover disjoint version ranges; `at` throws
// UnsupportedError when no entry covers the version (the plan must not guess).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace seam::compat {

struct Version {
  int major = 0, minor = 0;
  // "15", "15.4", "PostgreSQL 16.2 (Debian ...)", server_version_num "160002";
  // other products' spellings too: "v24.1.3" (CockroachDB), "2024.2.9.0"
  // (YugabyteDB), "8.5.1" (TiDB) - a leading "v" is skipped and components
  // after the minor are ignored, since ranges are major.minor.
  // A bare major ("15") has minor -1 (unknown): ranges treat it as the latest
  // minor of that major. Throws InputError for anything else.
  static Version parse(const std::string& s);
  std::string str() const;  // "16.2" ("16" when minor is unknown, i.e. -1)
  auto operator<=>(const Version&) const = default;
};

// How the test exercises an entry on a populated table (see the YAML schema
// in compat-matrix/README.md): `setup` runs first (autocommit), then
// `statement` inside BEGIN (or alone when the entry is not transactional)
// while a second connection reads pg_locks and pg_class.relfilenode of
// `table` (and of `other_table`, e.g. the referenced table of a foreign key).
struct Probe {
  std::string setup;
  std::string statement;
  std::string table;
  std::string other_table;
  // For a statement that cannot run in a transaction block: SQL a third
  // connection runs in an open REPEATABLE READ transaction before the
  // statement starts (an old snapshot or a lock on the table), so the
  // statement waits for it and its locks can be read meanwhile.
  std::string hold;
};

struct Entry {
  std::string op;          // operation id, e.g. "add_column_volatile_default"
  int min_major = 0;       // inclusive; 0 with max_major 0 = "all" (a versionless service)
  int max_major = 0;       // inclusive; 0 = no upper bound
  int min_minor = 0;       // lowest minor within min_major (e.g. 14.4 for CIC)
  int max_minor = -1;      // highest minor within max_major; -1 = every minor (e.g. 14.3)
  std::string lock;        // strongest lock on the altered table: "ACCESS EXCLUSIVE", "SHARE UPDATE
                           // EXCLUSIVE", "none"
  std::string other_lock;  // lock on a second table (FK referenced table), "" when none
  bool rewrite = false;    // the table (heap) is rewritten
  bool scan = false;       // the whole table is read (validation, index build)
  bool transactional = true;  // may run inside BEGIN ... COMMIT
  std::string strategy;  // the planner's online strategy id (compat-matrix/README.md lists them)
  std::string notes;     // one or two sentences for runbooks
  std::string source;    // documentation URL or "measured: <test>"
  Probe probe;           // empty statement = not measurable on PostgreSQL (explained in notes)
  // false (YAML `verified: false`): taken from documentation only, never
  // measured by seam against a server of these versions (products that cannot
  // run here). Absent in the YAML = true: the entry is the matrix test's to check.
  bool verified = true;

  bool covers(const Version& v) const;
  // The range as written in the YAML: "12+", "12-17", "14.4+", "14.0-14.3", "18", "all".
  std::string versions() const;
};

struct Matrix {
  std::string dialect;         // "postgres"
  std::string product;         // "PostgreSQL"
  std::vector<Entry> entries;  // file order

  // The entry for op at version v; nullptr when none covers it.
  const Entry* find(const std::string& op, const Version& v) const;
  // As find, but throws UnsupportedError naming the op, dialect and version.
  const Entry& at(const std::string& op, const Version& v) const;
  // Distinct op ids in file order.
  std::vector<std::string> ops() const;
};

// The strategy ids and lock names an entry may use (compat-matrix/README.md
// explains each strategy); parse() rejects anything else.
const std::vector<std::string>& strategies();
const std::vector<std::string>& lock_names();  // "ACCESS SHARE" ... "ACCESS EXCLUSIVE", then "none"
// Rank of a lock name in PostgreSQL's lock-mode order: "none" 0, ACCESS SHARE 1
// ... ACCESS EXCLUSIVE 8; -1 for an unknown name.
int lock_rank(const std::string& name);

// Parses one dialect's YAML text; `origin` names it in errors
// ("compat-matrix/postgres.yaml:12:3: ..."). Throws InputError.
Matrix parse(const std::string& yaml_text, const std::string& origin);

// The matrices compiled into the binary; throws UnsupportedError for an
// unknown dialect.
const Matrix& builtin(const std::string& dialect);
std::vector<std::string> builtin_dialects();

// Runbook renderings: a Markdown table or the YAML itself, optionally limited
// to the entries covering one version.
std::string render_markdown(const Matrix& m, const std::optional<Version>& v);
// explicit_verified writes `verified: true` too (override files say what was measured).
std::string render_yaml(const Matrix& m, const std::optional<Version>& v,
                        bool explicit_verified = false);

}  // namespace seam::compat
