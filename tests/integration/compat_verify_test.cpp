// `seam compat verify` end to end (the binary from SEAM_BINARY) on this
// process's throwaway server (every installed major: ctest -R compat_verify):
// every postgres.yaml entry covering the server agrees, measured in scratch
// schemas of one database (no CREATE DATABASE) that are gone afterwards; a
// deliberately falsified entry is reported with its op and field and exit 2;
// --write-override writes a matrix override for exactly this major.minor that
// `seam plan --matrix-override` (and seam.yaml's compat_override) use; bad
// override files give file:line:col; the password never shows.
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "compat-matrix/matrix.hpp"
#include "compat-matrix/override.hpp"
#include "dialects/postgres/spawn.hpp"
#include "planner/plan_yaml.hpp"
#include "tests/support/files.hpp"
#include "tests/support/pg_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using seam::compat::Version;

struct SeamRun {
  int status = -1;
  std::string out, err;
};

fs::path temp(const std::string& name) {
  static int n = 0;
  return fs::temp_directory_path() / ("seam_compat_verify_" + std::to_string(::getpid()) + "_" +
                                      std::to_string(++n) + "_" + name);
}

SeamRun seam_run(const std::vector<std::string>& args) {
  fs::path out = temp("stdout"), err = temp("stderr");
  int ofd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  int efd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<std::string> argv{SEAM_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  seam::pg::SpawnOptions o;
  o.stdout_fd = ofd;
  o.stderr_fd = efd;
  o.unset_env = {"DATABASE_URL", "PGPASSWORD"};
  SeamRun r;
  r.status = seam::pg::wait_exit(seam::pg::spawn(argv, o));
  ::close(ofd);
  ::close(efd);
  r.out = seam::test::slurp(out);
  r.err = seam::test::slurp(err);
  fs::remove(out);
  fs::remove(err);
  return r;
}

fs::path write(const std::string& name, const std::string& text) {
  fs::path p = temp(name);
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

std::vector<std::string> lines_starting(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l))
    if (l.rfind(prefix, 0) == 0) out.push_back(l);
  return out;
}

// The server's version as seam detects it (SELECT version(): major.minor).
Version server_version(const std::string& url) {
  return Version::parse(seam::test::query_value(url, "SELECT version()"));
}

// The fixture's URL with a password in it (the server trusts local TCP, so
// libpq never sends it): seam must not print it.
std::string with_password(const std::string& url) {
  const std::string scheme = "postgresql://postgres@";
  EXPECT_EQ(url.rfind(scheme, 0), 0u) << url;
  return "postgresql://postgres:Sekrit-pw-7@" + url.substr(scheme.size());
}

int leftover_schemas(const std::string& url) {
  return std::stoi(seam::test::query_value(
      url, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'seam\\_verify\\_%'"));
}

const char* kFrom =
    "CREATE TABLE public.t (id bigint PRIMARY KEY, c text);"
    "INSERT INTO public.t SELECT g, 'x' FROM generate_series(1, 200) g;";
const char* kTo =
    "CREATE TABLE public.t (id bigint PRIMARY KEY, c text);\n"
    "CREATE INDEX t_c_idx ON public.t (c);\n";

int hazards_of(const seam::planner::Plan& p, const std::string& type) {
  for (const auto& [t, n] : p.summary.hazard_counts)
    if (t == type) return n;
  return 0;
}

// One full `seam compat verify --write-override` per process (it measures
// every entry, the slow part), shared by the tests below.
struct FullRun {
  std::string url;
  Version v;
  std::vector<const seam::compat::Entry*> probed;
  int without_probe = 0;
  SeamRun run;
  fs::path override_file;
};

const FullRun& full_run() {
  static const FullRun r = [] {
    FullRun f;
    f.url = seam::test::fresh_database("verify");
    f.v = server_version(f.url);
    for (const auto& e : seam::compat::builtin("postgres").entries) {
      if (!e.covers(f.v)) continue;
      if (e.probe.statement.empty())
        ++f.without_probe;
      else
        f.probed.push_back(&e);
    }
    f.override_file = temp("verified.yaml");
    f.run = seam_run({"compat", "verify", "--db", with_password(f.url), "--write-override",
                      f.override_file.string()});
    return f;
  }();
  return r;
}

TEST(CompatVerify, EveryProbedEntryAgreesWithTheServer) {
  const FullRun& f = full_run();
  const SeamRun& r = f.run;
  ASSERT_EQ(f.v.major, seam::test::test_pg_major());
  ASSERT_GE(f.v.minor, 0);
  ASSERT_GE(f.probed.size(), 40u);
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_EQ(r.out.find("Sekrit-pw-7"), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find("Sekrit-pw-7"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("seam compat verify: PostgreSQL " + f.v.str() + " at 127.0.0.1:"),
            std::string::npos)
      << r.out;
  // One "agrees" line per probed entry, nothing else.
  EXPECT_EQ(lines_starting(r.out, "agrees").size(), f.probed.size()) << r.out;
  for (const auto* e : f.probed)
    EXPECT_NE(r.out.find("agrees          " + e->op + " (" + e->versions() + ")\n"),
              std::string::npos)
        << e->op << "\n"
        << r.out;
  EXPECT_TRUE(lines_starting(r.out, "DISAGREES").empty()) << r.out;
  EXPECT_EQ(lines_starting(r.out, "not measurable").size(), static_cast<size_t>(f.without_probe))
      << r.out;
  EXPECT_NE(
      r.out.find("PostgreSQL " + f.v.str() + ": " + std::to_string(f.probed.size()) +
                 " agree, 0 disagree, " + std::to_string(f.without_probe) + " not measurable\n"),
      std::string::npos)
      << r.out;
  EXPECT_EQ(leftover_schemas(f.url), 0) << "every scratch schema was dropped";
}

TEST(CompatVerify, WriteOverrideRecordsThisMajorMinor) {
  const FullRun& f = full_run();
  ASSERT_EQ(f.run.status, 0) << f.run.out << f.run.err;
  seam::compat::Matrix over = seam::compat::load_override(f.override_file.string(), "postgres");
  ASSERT_EQ(over.entries.size(), f.probed.size());
  for (size_t i = 0; i < f.probed.size(); ++i) {
    const auto& o = over.entries[i];
    const auto& b = *f.probed[i];
    EXPECT_EQ(o.op, b.op);
    EXPECT_EQ(o.versions(), f.v.str()) << o.op;
    EXPECT_TRUE(o.verified) << o.op;
    EXPECT_EQ(o.source, "measured: seam compat verify on PostgreSQL " + f.v.str());
    EXPECT_EQ(o.strategy, b.strategy) << o.op;
    EXPECT_EQ(o.notes, b.notes) << o.op;
    EXPECT_EQ(o.lock, b.lock) << o.op;
    if (!b.other_lock.empty()) {
      EXPECT_EQ(o.other_lock, b.other_lock) << o.op;
    }
    EXPECT_EQ(o.rewrite, b.rewrite) << o.op;
    EXPECT_EQ(o.scan, b.scan) << o.op;
    EXPECT_EQ(o.transactional, b.transactional) << o.op;
    EXPECT_TRUE(o.covers(f.v));
    EXPECT_FALSE(o.covers(Version{f.v.major, f.v.minor + 1}));
  }
  // Deterministic: no dates, no host, the same bytes when rendered again.
  const std::string text = seam::test::slurp(f.override_file);
  EXPECT_EQ(text.find("127.0.0.1"), std::string::npos);
  EXPECT_EQ(seam::compat::render_override(over), text);

  // It carries the probes, so it verifies again as it is.
  SeamRun again = seam_run({"compat", "verify", "--db", f.url, "--matrix", f.override_file.string(),
                            "--only", "create_index", "--only", "alter_type_rewrite"});
  EXPECT_EQ(again.status, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("agrees          create_index (" + f.v.str() + ")\n"), std::string::npos)
      << again.out;
  EXPECT_NE(again.out.find("agrees          alter_type_rewrite (" + f.v.str() + ")\n"),
            std::string::npos)
      << again.out;
}

TEST(CompatVerify, PlansUseTheOverride) {
  const FullRun& f = full_run();
  ASSERT_EQ(f.run.status, 0) << f.run.out << f.run.err;
  const std::string url = seam::test::fresh_database("verify_plan");
  seam::test::run_sql(url, kFrom);
  const fs::path schema = write("to.sql", kTo);
  auto plan = [&](const std::vector<std::string>& extra) {
    std::vector<std::string> args{"plan", "--db", url, "--schema", schema.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    SeamRun r = seam_run(args);
    EXPECT_EQ(r.status, 0) << r.err;
    return seam::planner::plan_from_yaml(r.out, "stdout");
  };
  // The index is built CONCURRENTLY; its matrix entry decides the hazards.
  seam::planner::Plan measured = plan({"--matrix-override", f.override_file.string()});
  ASSERT_EQ(measured.steps.size(), 1u);
  EXPECT_EQ(measured.steps[0].op, "create_index_concurrently");
  EXPECT_EQ(hazards_of(measured, "dialect-unverified"), 0);
  EXPECT_EQ(measured, plan({})) << "the measured entries agree with the built-in ones";

  // Positive control: the same override with that entry unverified.
  seam::compat::Matrix over = seam::compat::load_override(f.override_file.string(), "postgres");
  for (auto& e : over.entries)
    if (e.op == "create_index_concurrently") e.verified = false;
  const fs::path dir = temp("cfg");
  fs::create_directories(dir / "compat");
  std::ofstream(dir / "compat" / "unverified.yaml") << seam::compat::render_override(over);
  seam::planner::Plan unverified =
      plan({"--matrix-override", (dir / "compat" / "unverified.yaml").string()});
  EXPECT_EQ(hazards_of(unverified, "dialect-unverified"), 1);
  ASSERT_EQ(unverified.steps.size(), 1u);
  bool named = false;
  for (const auto& h : unverified.steps[0].hazards)
    named = named || h.message.find("create_index_concurrently on PostgreSQL " + f.v.str() + " (" +
                                    f.v.str() + ") is not verified") != std::string::npos;
  EXPECT_TRUE(named) << seam::planner::to_yaml(unverified);

  // seam.yaml's compat_override, relative to the file; --matrix-override wins over it.
  std::ofstream(dir / "seam.yaml") << "compat_override: compat/unverified.yaml\n";
  const std::string cfg = (dir / "seam.yaml").string();
  EXPECT_EQ(hazards_of(plan({"--config", cfg}), "dialect-unverified"), 1);
  EXPECT_EQ(hazards_of(plan({"--config", cfg, "--matrix-override", f.override_file.string()}),
                       "dialect-unverified"),
            0);

  // A malformed override names file:line:col; so does seam.yaml's key.
  const fs::path bad = write("bad.yaml",
                             "dialect: postgres\nproduct: PostgreSQL\nentries:\n"
                             "  - op: create_index_concurrently\n    versions: \"16.4\"\n"
                             "    lock: SHARE UPDATE EXCLUSIV\n");
  SeamRun r = seam_run(
      {"plan", "--db", url, "--schema", schema.string(), "--matrix-override", bad.string()});
  EXPECT_EQ(r.status, 65) << r.err;
  EXPECT_NE(r.err.find(bad.string() + ":6:11: unknown lock \"SHARE UPDATE EXCLUSIV\""),
            std::string::npos)
      << r.err;
  r = seam_run({"compat", "verify", "--db", url, "--matrix", bad.string()});
  EXPECT_EQ(r.status, 65) << r.err;
  EXPECT_NE(r.err.find(bad.string() + ":6:11:"), std::string::npos) << r.err;
  std::ofstream(dir / "seam.yaml") << "compat_override: 42\ncompat_overide: x\n";
  r = seam_run({"plan", "--db", url, "--schema", schema.string(), "--config", cfg});
  EXPECT_EQ(r.status, 65) << r.err;
  EXPECT_NE(r.err.find(cfg + ":2:1:"), std::string::npos) << r.err;
}

// A deliberately false matrix (an override file) is caught: exit 2, and the
// output names the op and the field; the entry left true still agrees.
TEST(CompatVerify, FalsifiedEntriesAreReported) {
  const std::string url = seam::test::fresh_database("verify_false");
  const fs::path falsified = write("falsified.yaml",
                                   "dialect: postgres\n"
                                   "product: PostgreSQL\n"
                                   "entries:\n"
                                   "  - op: create_index\n"
                                   "    versions: \"12+\"\n"
                                   "    lock: SHARE UPDATE EXCLUSIVE\n"
                                   "    rewrite: false\n"
                                   "    scan: true\n"
                                   "    transactional: true\n"
                                   "    strategy: concurrently\n"
                                   "    source: \"test: deliberately false, the lock is SHARE\"\n"
                                   "  - op: add_column_volatile_default\n"
                                   "    versions: \"12+\"\n"
                                   "    lock: ACCESS EXCLUSIVE\n"
                                   "    rewrite: false\n"
                                   "    scan: true\n"
                                   "    transactional: true\n"
                                   "    strategy: expand_backfill\n"
                                   "    source: \"test: deliberately false, it rewrites\"\n");
  SeamRun r = seam_run({"compat", "verify", "--db", url, "--matrix", falsified.string(), "--only",
                        "create_index", "--only", "add_column_volatile_default", "--only",
                        "add_column_nullable"});
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  EXPECT_NE(r.out.find("DISAGREES       create_index (12+): lock on t: the matrix says SHARE "
                       "UPDATE EXCLUSIVE, observed SHARE\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("DISAGREES       add_column_volatile_default (12+): rewrite: the matrix "
                       "says false, observed true (relfilenode)\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("agrees          add_column_nullable (12+)\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(": 1 agrees, 2 disagree, 0 not measurable\n"), std::string::npos) << r.out;
  EXPECT_EQ(leftover_schemas(url), 0);
}

TEST(CompatVerify, UsageAndConnectionErrors) {
  const std::string url = seam::test::fresh_database("verify_err");
  SeamRun r = seam_run({"compat", "verify", "--db", url, "--dialect", "cockroachdb"});
  EXPECT_EQ(r.status, 69) << r.out << r.err;
  EXPECT_NE(r.err.find("not cockroachdb"), std::string::npos) << r.err;
  r = seam_run({"compat", "verify", "--db", url, "--only", "no_such_op"});
  EXPECT_EQ(r.status, 64) << r.out << r.err;
  EXPECT_NE(r.err.find("no operation \"no_such_op\""), std::string::npos) << r.err;
  r = seam_run({"compat", "verify"});
  EXPECT_EQ(r.status, 64) << "--db is required (or $DATABASE_URL)";
  // Nothing listens on port 1: exit 1, and the password stays hidden.
  r = seam_run({"compat", "verify", "--db", "postgresql://postgres:Sekrit-pw-7@127.0.0.1:1/x"});
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  EXPECT_EQ(r.err.find("Sekrit-pw-7"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("127.0.0.1"), std::string::npos) << r.err;
  // --dialect postgres is accepted (the detected one); --only limits the run.
  r = seam_run(
      {"compat", "verify", "--db", url, "--dialect", "postgres", "--only", "add_column_nullable"});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_EQ(lines_starting(r.out, "agrees").size(), 1u) << r.out;
  // The matrix printout is not appended to verify's output.
  EXPECT_EQ(r.out.find("| Operation |"), std::string::npos) << r.out;
}

}  // namespace
