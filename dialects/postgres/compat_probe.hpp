// Measuring a compatibility-matrix entry on a real PostgreSQL server: runs the
// entry's probe (compat-matrix/README.md, "Probes") in a database of its own
// and reports what the server did - the strongest lock the statement's backend
// held on each probed relation (read from pg_locks by a second connection),
// whether the table's relfilenode changed (rewrite), whether its sequential
// scan counter moved (scan), and whether the statement may run inside BEGIN.
// compare() lists where the matrix says otherwise. Used by
// tests/integration/compat_matrix_test.cpp on every installed major (each
// probe in a fresh database) and by `seam compat verify --db URL` (each probe
// in a scratch schema of the user's database: managed services often refuse
// CREATE DATABASE).
//
//   auto obs = seam::pg::run_probe(scratch_db_url, entry);
//   auto obs2 = seam::pg::run_probe(url, entry, {.schema = "seam_verify_x"});
//   for (const auto& d : seam::pg::compare(entry, obs)) std::cerr << d << "\n";
#pragma once

#include <string>
#include <vector>

#include "compat-matrix/matrix.hpp"

namespace seam::pg {

struct RelationObservation {
  std::string name;  // as named in the probe
  std::string lock =
      "none";  // strongest mode held by the statement's backend ("ACCESS EXCLUSIVE", "none")
  bool waiting = false;  // that mode was requested and still queued (non-transactional statements)
  bool rewritten = false;  // relfilenode changed (a dropped relation counts as not rewritten)
  bool scanned = false;    // pg_stat_all_tables.seq_scan went up
};

struct ProbeObservation {
  compat::Version server;  // from server_version_num
  RelationObservation table;
  RelationObservation other;  // empty name when the probe has no other_table
  bool transactional = true;  // ran inside BEGIN (false: the server rejected it there)
  std::string rejection;      // the server's message when it was rejected inside BEGIN
  // How the locks were read: "in transaction" (held until COMMIT) or "while it
  // waits for the hold transaction" (non-transactional statements).
  std::string lock_moment;
};

struct ProbeOptions {
  // Empty: the probe fills the database's default schema (use an empty scratch
  // database). Otherwise an existing, empty schema: every connection of the
  // probe sets search_path to it, so setup and statement create their objects
  // there and the probe's unqualified names resolve there.
  std::string schema;
};

// Runs e.probe against `url`. Throws std::runtime_error naming the op when the
// probe cannot run (no probe, setup fails, the statement fails, a
// non-transactional statement never waits for its hold so its locks cannot be
// seen).
ProbeObservation run_probe(const std::string& url, const compat::Entry& e,
                           const ProbeOptions& opts = {});

// Where `e` disagrees with `o` (lock, other_lock, rewrite, scan,
// transactional), one sentence each; empty when they agree.
std::vector<std::string> compare(const compat::Entry& e, const ProbeObservation& o);

// pg_locks.mode ("ShareUpdateExclusiveLock") as a matrix lock name
// ("SHARE UPDATE EXCLUSIVE"); "" for an unknown mode.
std::string lock_name_from_pg_locks(const std::string& mode);

}  // namespace seam::pg
