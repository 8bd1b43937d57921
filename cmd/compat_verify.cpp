// `seam compat verify --db URL [--dialect D] [--matrix FILE] [--write-override
// FILE] [--only OP]...`: measures the compatibility matrix on the user's own
// server and prints every entry where the server disagrees. Each entry
// covering the server's version runs its probe in a scratch schema of its own
// (seam_verify_<op>_<random>, dropped afterwards, also on failure), since
// managed services often refuse CREATE DATABASE:
//
//   PostgreSQL: the matrix test's probe (dialects/postgres/compat_probe.hpp):
//     locks from pg_locks, rewrite from relfilenode, scan from
//     pg_stat_all_tables, transactional from BEGIN;
//   CockroachDB, YugabyteDB, Spanner: the wire probe
//     (dialects/pgwire/wire_probe.hpp): accepted and atomic inside BEGIN,
//     schema-change jobs, storage id.
//
// With --write-override the measurements become a matrix override for exactly
// the server's major.minor (compat-matrix/override.hpp), which `seam plan
// --matrix-override` layers over the built-in matrix. Exit 0 when no entry
// disagrees, 2 (kDifferences) when one does.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <optional>

#include "cmd/commands.hpp"
#include "compat-matrix/matrix.hpp"
#include "compat-matrix/override.hpp"
#include "dialects/pgwire/detect.hpp"
#include "dialects/pgwire/scratch_schema.hpp"
#include "dialects/pgwire/wire_probe.hpp"
#include "dialects/postgres/compat_probe.hpp"
#include "dialects/postgres/conn.hpp"
#include "schema/errors.hpp"

namespace seam::cmd {

namespace {

struct VerifyArgs {
  std::string db, dialect, matrix, write_override;
  std::vector<std::string> only;
};

enum class Status { Agrees, Disagrees, NotMeasurable };

struct Outcome {
  Status status = Status::NotMeasurable;
  std::string detail;                   // after "op (versions): " on the entry's line
  std::optional<compat::Entry> record;  // the override entry, when measured
};

// The entry as measured: exactly this version, seam's observations, the
// built-in entry's strategy and notes.
compat::Entry measured_entry(const compat::Entry& e, const compat::Entry* builtin,
                             const pgwire::Server& server) {
  compat::Entry m = e;
  if (builtin) {
    m.strategy = builtin->strategy;
    m.notes = builtin->notes;
  }
  m.min_major = m.max_major = server.version.major;
  m.min_minor = m.max_minor = server.version.minor < 0 ? 0 : server.version.minor;
  if (server.version.major == 0) m.min_minor = 0, m.max_minor = -1;  // "all": a versionless service
  m.verified = true;
  m.source = "measured: seam compat verify on " + server.product +
             (server.version.major == 0 ? "" : " " + server.version.str());
  return m;
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

// Drops a probe's scratch schema. A failed drop stops the run (exit 1): it
// names the schema to drop by hand, and what the probe itself reported.
void drop_scratch(pgwire::ScratchSchema& s, const std::string& probe_failure) {
  try {
    s.drop();
  } catch (const std::exception& e) {
    throw std::runtime_error(
        std::string(e.what()) +
        (probe_failure.empty() ? "" : " (the probe failed: " + probe_failure + ")"));
  }
}

// PostgreSQL: the matrix test's probe, in a scratch schema.
Outcome verify_postgres(const std::string& url, const compat::Entry& e,
                        const compat::Entry* builtin, const pgwire::Server& server) {
  compat::Entry probed = e;
  // An override entry without a probe is measured with the built-in entry's.
  if (probed.probe.statement.empty() && builtin) probed.probe = builtin->probe;
  if (probed.probe.statement.empty())
    return {Status::NotMeasurable,
            "the entry has no probe" +
                (e.strategy == "refuse" ? " (strategy refuse: " + e.notes + ")" : std::string()),
            std::nullopt};
  // The probe may need a hold that only the built-in entry has.
  if (!probed.transactional && probed.probe.hold.empty() && builtin)
    probed.probe.hold = builtin->probe.hold;
  pg::ProbeObservation o;
  std::string failure;
  {
    pgwire::ScratchSchema scratch(url, e.op);
    try {
      o = pg::run_probe(url, probed, {scratch.name()});
    } catch (const std::exception& ex) {
      failure = ex.what();
    }
    drop_scratch(scratch, failure);
  }
  if (!failure.empty())
    return {Status::NotMeasurable, "the probe failed: " + failure, std::nullopt};
  std::vector<std::string> d = pg::compare(e, o);
  compat::Entry rec = measured_entry(e, builtin, server);
  rec.probe = probed.probe;
  rec.transactional = o.transactional;
  if (o.transactional == e.transactional) {
    rec.lock = o.table.lock;
    if (!probed.probe.other_table.empty()) rec.other_lock = o.other.lock;
    rec.rewrite = o.table.rewritten || o.other.rewritten;
    rec.scan = o.table.scanned || o.other.scanned;
  } else {
    // The probe stops at the transaction check, so locks, rewrite and scan
    // were not seen: the entry keeps the matrix's and is not verified.
    rec.verified = false;
    rec.notes += (rec.notes.empty() ? "" : " ") + std::string("seam compat verify: ") + d[0] +
                 "; lock, rewrite and scan were not measured.";
  }
  if (d.empty()) return {Status::Agrees, "", rec};
  return {Status::Disagrees, join(d, "; "), rec};
}

// Other products: the wire probe with the product's observer.
Outcome verify_wire(const std::string& url, const compat::Entry& e, const compat::Entry* builtin,
                    const pgwire::Server& server) {
  const compat::Probe* probe = !e.probe.statement.empty() ? &e.probe : pgwire::postgres_probe(e.op);
  if (!probe)
    return {Status::NotMeasurable,
            "no probe: postgres.yaml has no operation " + e.op + " to borrow one from",
            std::nullopt};
  const pgwire::Observer& obs = pgwire::observer(server.dialect);
  pgwire::WireObservation w;
  std::string failure;
  {
    pgwire::ScratchSchema scratch(url, e.op);
    try {
      w = pgwire::run_wire_probe(url, scratch.name(), *probe, obs);
    } catch (const std::exception& ex) {
      failure = ex.what();
    }
    drop_scratch(scratch, failure);
  }
  if (!failure.empty()) {
    // The product lacks the operation, as the matrix says.
    if (e.strategy == "unsupported" && failure.rfind("the statement fails", 0) == 0)
      return {Status::Agrees, "strategy unsupported, and the server refused it: " + failure,
              std::nullopt};
    return {Status::NotMeasurable, "the probe failed: " + failure, std::nullopt};
  }
  if (e.strategy == "unsupported")
    return {Status::Disagrees,
            "strategy: the matrix says unsupported, but the server ran the statement",
            std::nullopt};
  pgwire::WireVerdict v = pgwire::compare(e, w, obs);
  std::string notes =
      "measured " + join(v.measured, ", ") + "; not measured: " + join(v.unmeasured, "; ");
  if (v.measured.empty()) return {Status::NotMeasurable, notes, std::nullopt};
  compat::Entry rec = measured_entry(e, builtin, server);
  rec.probe = compat::Probe{};  // a PostgreSQL probe: the product's file carries none
  if (auto t = w.transactional()) rec.transactional = *t;
  if (w.rewritten) rec.rewrite = *w.rewritten;
  // Lock and scan stay the matrix's: the notes say which facts were measured.
  rec.notes += (rec.notes.empty() ? "" : " ") + std::string("seam compat verify ") + notes + ".";
  if (v.differences.empty()) return {Status::Agrees, notes, rec};
  return {Status::Disagrees, join(v.differences, "; "), rec};
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f || !(f << text) || !f.flush())
    throw std::runtime_error("cannot write the matrix override to " + path);
}

int run_verify(const VerifyArgs& a) {
  pgwire::Server server;
  std::string target;
  {
    auto conn = pg::connect(a.db);
    server = pgwire::detect(*conn);
    target = pg::describe_connection(*conn);
  }
  if (!a.dialect.empty()) pgwire::expect_dialect(server, a.dialect);
  const compat::Matrix& builtin = compat::builtin(server.dialect);
  const compat::Matrix matrix = compat::with_override(builtin, a.matrix);
  const compat::Version& v = server.version;

  for (const auto& op : a.only) {
    const auto ops = matrix.ops();
    if (std::find(ops.begin(), ops.end(), op) == ops.end())
      throw CLI::ValidationError(
          "--only", "the " + matrix.dialect + " matrix has no operation \"" + op + "\"");
  }
  std::vector<const compat::Entry*> entries;
  for (const auto& e : matrix.entries)
    if (e.covers(v) &&
        (a.only.empty() || std::find(a.only.begin(), a.only.end(), e.op) != a.only.end()))
      entries.push_back(&e);

  std::cout << "seam compat verify: " << server.product << (v.major == 0 ? "" : " " + v.str())
            << " at " << target << ", " << matrix.dialect << " matrix"
            << (a.matrix.empty() ? "" : " with " + a.matrix) << ", " << entries.size() << " entr"
            << (entries.size() == 1 ? "y" : "ies") << "\n"
            << std::flush;
  int agree = 0, disagree = 0, unmeasured = 0;
  compat::Matrix record{builtin.dialect, builtin.product, {}};
  for (const compat::Entry* e : entries) {
    const compat::Entry* b = builtin.find(e->op, v);
    Outcome o = server.dialect == "postgres" ? verify_postgres(a.db, *e, b, server)
                                             : verify_wire(a.db, *e, b, server);
    const char* word = o.status == Status::Agrees      ? "agrees        "
                       : o.status == Status::Disagrees ? "DISAGREES     "
                                                       : "not measurable";
    std::cout << word << "  " << e->op << " (" << e->versions() << ")"
              << (o.detail.empty() ? "" : ": " + o.detail) << "\n"
              << std::flush;
    (o.status == Status::Agrees ? agree : o.status == Status::Disagrees ? disagree : unmeasured)++;
    if (o.record) record.entries.push_back(std::move(*o.record));
  }
  std::cout << server.product << (v.major == 0 ? "" : " " + v.str()) << ": " << agree
            << (agree == 1 ? " agrees, " : " agree, ") << disagree
            << (disagree == 1 ? " disagrees, " : " disagree, ") << unmeasured
            << " not measurable\n";
  if (!a.write_override.empty()) {
    write_file(a.write_override, compat::render_override(record));
    std::cout << "wrote " << record.entries.size() << " measured entr"
              << (record.entries.size() == 1 ? "y" : "ies") << " to " << a.write_override
              << " (use: seam plan --matrix-override " << a.write_override << ")\n";
  }
  std::cout << std::flush;
  return disagree > 0 ? kDifferences : kOk;
}

}  // namespace

void register_compat_verify(CLI::App& compat) {
  auto args = std::make_shared<VerifyArgs>();
  CLI::App* sub = compat.add_subcommand(
      "verify",
      "Measure the matrix on a server (each probe in a scratch schema) and print disagreements");
  sub->add_option("--db", args->db, "Connection URL of the server (default: $DATABASE_URL)")
      ->envname("DATABASE_URL")
      ->required();
  sub->add_option("--dialect", args->dialect,
                  "Expected product: postgres, cockroachdb, yugabytedb, spanner-pg (default: the "
                  "detected one; a mismatch is an error)");
  sub->add_option("--matrix", args->matrix,
                  "Verify this matrix file layered over the built-in matrix (an override)");
  sub->add_option("--write-override", args->write_override,
                  "Write the measured entries as a matrix override for this server version");
  sub->add_option("--only", args->only, "Only this operation (repeatable)");
  sub->callback([args] {
    int rc = run_verify(*args);
    if (rc != kOk) std::exit(rc);
  });
}

}  // namespace seam::cmd
