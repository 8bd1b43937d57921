// `seam rehearse` end to end (the built binary, SEAM_BINARY) against a real
// server: a plan from `seam plan` with backfills over 210,000 rows rehearsed
// under 12 seeded faults (kill, disconnect, stall) passes and leaves the data
// right, checked here independently of the rehearsal's own checks; a
// backfill whose expression fails on some rows fails, naming the step, the
// rows and their key ranges; and the fault schedule is a function of the seed.
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "dialects/postgres/spawn.hpp"
#include "tests/support/files.hpp"
#include "tests/support/pg_fixture.hpp"

namespace {

namespace fs = std::filesystem;

#define EXPECT_HAS(haystack, needle)                               \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) \
      << "missing \"" << (needle) << "\" in:\n"                    \
      << (haystack)

fs::path work_dir(const std::string& name) {
  fs::path d =
      fs::temp_directory_path() / ("seam_rehearse_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(d);
  fs::create_directories(d / "desired");
  return d;
}

using seam::test::slurp;

seam::pg::Captured seam_cli(const std::vector<std::string>& args) {
  std::vector<std::string> argv{SEAM_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  seam::pg::SpawnOptions o;
  o.unset_env = {"DATABASE_URL", "PGPASSWORD", "PGHOST", "PGPORT", "PGDATABASE", "PGUSER"};
  return seam::pg::run_capture(argv, o);
}

// A database at `from`, a plan to `to` (desired-state SQL) written by `seam plan`.
fs::path make_plan(const std::string& url, const fs::path& dir, const std::string& from,
                   const std::string& fill, const std::string& to) {
  seam::test::run_sql(url, from);
  seam::test::run_sql(url, fill);
  std::ofstream(dir / "desired" / "schema.sql") << to;
  fs::path plan = dir / "plan.yaml";
  auto r = seam_cli(
      {"plan", "--db", url, "--schema", (dir / "desired").string(), "--out", plan.string()});
  EXPECT_EQ(r.status, 0) << r.output;
  return plan;
}

std::string backfill_step_of(const fs::path& plan, const std::string& table) {
  YAML::Node p = YAML::LoadFile(plan.string());
  for (const auto& phase : p["phases"])
    for (const auto& s : phase["steps"])
      if (s["kind"].as<std::string>() == "backfill" &&
          s["backfill"]["table"].as<std::string>() == table)
        return s["id"].as<std::string>();
  return "";
}

// The schedule section of a JSON report, one line per fault.
std::vector<std::string> schedule_of(const YAML::Node& report) {
  std::vector<std::string> out;
  for (const auto& f : report["schedule"])
    out.push_back(std::to_string(f["number"].as<int>()) + " " + f["describe"].as<std::string>());
  return out;
}

// The dry run's schedule lines ("   3  kill        while ... rows") without the header.
std::vector<std::string> dry_run(const fs::path& plan, const std::vector<std::string>& flags) {
  std::vector<std::string> args{"rehearse", plan.string(), "--dry-run"};
  args.insert(args.end(), flags.begin(), flags.end());
  auto r = seam_cli(args);
  EXPECT_EQ(r.status, 0) << r.output;
  std::vector<std::string> lines;
  std::stringstream ss(r.output);
  std::string line;
  std::getline(ss, line);  // header
  while (std::getline(ss, line)) {
    // "  12  disconnect  while ..." -> "12 disconnect while ..."
    std::stringstream ls(line);
    std::string n, kind, rest;
    ls >> n >> kind;
    std::getline(ls, rest);
    rest.erase(0, rest.find_first_not_of(' '));
    lines.push_back(n + " " + kind + " " + rest);
  }
  return lines;
}

const char* kFrom = R"sql(
CREATE TABLE public.t (id bigint PRIMARY KEY, v integer NOT NULL, s text);
CREATE TABLE public.u (a integer, b integer, note text, PRIMARY KEY (a, b));
)sql";
const char* kFill = R"sql(
INSERT INTO public.t SELECT g, g % 1000, (g % 7)::text FROM generate_series(1, 200000) g;
INSERT INTO public.u SELECT g / 100, g % 100, 'n' || g FROM generate_series(1, 10000) g;
ANALYZE public.t; ANALYZE public.u;
)sql";
// integer -> bigint (shadow column, deterministic backfill v::bigint) and a
// new NOT NULL column with a volatile default (backfill clock_timestamp()).
const char* kTo = R"sql(
CREATE TABLE public.t (id bigint PRIMARY KEY, v bigint NOT NULL, s text);
CREATE TABLE public.u (a integer, b integer, note text,
  seen_at timestamp with time zone NOT NULL DEFAULT clock_timestamp(), PRIMARY KEY (a, b));
)sql";

TEST(Rehearse, TwelveFaultsOverA210kRowBackfillPassAndTheDataIsRight) {
  std::string url = seam::test::fresh_database("rehearse_pass");
  fs::path dir = work_dir("pass");
  fs::path plan = make_plan(url, dir, kFrom, kFill, kTo);
  ASSERT_FALSE(backfill_step_of(plan, "public.t").empty()) << slurp(plan);
  ASSERT_FALSE(backfill_step_of(plan, "public.u").empty()) << slurp(plan);

  fs::path report = dir / "report.json";
  std::vector<std::string> flags{"--faults", "12", "--seed", "7", "--approve-checkpoints"};
  std::vector<std::string> args{"rehearse",       plan.string(), "--db",     url,
                                "--lease-ttl-ms", "1500",        "--report", report.string()};
  args.insert(args.end(), flags.begin(), flags.end());
  auto r = seam_cli(args);
  std::cout << r.output << std::endl;
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_HAS(r.output, "verdict: PASS");
  YAML::Node rep = YAML::LoadFile(report.string());
  EXPECT_EQ(rep["verdict"].as<std::string>(), "PASS");
  EXPECT_GE(rep["injected_total"].as<int>(), 10);
  for (const char* kind : {"kill", "disconnect", "stall"})
    EXPECT_GE(rep["injected"][kind].as<int>(0), 1) << kind << " never injected";
  for (const auto& f : rep["faults"]) {
    EXPECT_TRUE(f["ok"].as<bool>()) << f["outcome"].as<std::string>();
    if (f["status"].as<std::string>() == "injected") {
      EXPECT_TRUE(f["lost_s"].IsScalar())
          << "no time lost recorded for fault " << f["fault"]["number"].as<int>();
    }
  }
  EXPECT_GE(rep["resumes"].as<int>(), 10);
  EXPECT_EQ(rep["job_state"].as<std::string>(), "done");
  std::set<std::string> ok_checks;
  for (const auto& c : rep["checks"]) {
    EXPECT_TRUE(c["ok"].as<bool>())
        << c["name"].as<std::string>() << ": " << c["detail"].as<std::string>();
    ok_checks.insert(c["name"].as<std::string>());
  }
  std::string bt = backfill_step_of(plan, "public.t"), bu = backfill_step_of(plan, "public.u");
  EXPECT_TRUE(ok_checks.count(bt + ": every row backfilled exactly once"));
  EXPECT_TRUE(ok_checks.count(bt + ": v_seam_new equals the backfill expression on every row"));
  EXPECT_TRUE(ok_checks.count(bu + ": no row left behind"));
  EXPECT_TRUE(ok_checks.count("catalog after the apply"));
  int stalls_checked = 0;
  for (const auto& name : ok_checks)
    stalls_checked += name.find("(stall): a fenced applier writes nothing") != std::string::npos;
  EXPECT_EQ(stalls_checked, rep["injected"]["stall"].as<int>(0));

  // The data, checked here on its own: every value carried over, the type
  // changed, every new column filled, each row's batch counted once.
  EXPECT_EQ(seam::test::query_value(
                url,
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                "'public.t'::regclass AND attname = 'v'"),
            "bigint");
  EXPECT_EQ(seam::test::query_value(
                url,
                "SELECT count(*) FROM public.t WHERE v IS DISTINCT FROM id % 1000 OR s IS "
                "DISTINCT FROM (id % 7)::text"),
            "0");
  EXPECT_EQ(seam::test::query_value(url, "SELECT count(*) FROM public.t"), "200000");
  EXPECT_EQ(seam::test::query_value(url, "SELECT count(*) FROM public.u WHERE seen_at IS NULL"),
            "0");
  EXPECT_EQ(seam::test::query_value(url, "SELECT sum(rows_done) FROM seam.backfill_progress"),
            "210000");
  EXPECT_EQ(seam::test::query_value(url, "SELECT string_agg(state, ',') FROM seam.jobs"), "done");
  auto diff =
      seam_cli({"diff", "--exit-code", "--db", url, "--schema", (dir / "desired").string()});
  EXPECT_EQ(diff.status, 0) << diff.output;

  // The schedule the rehearsal followed is the one the seed gives.
  EXPECT_EQ(schedule_of(rep), dry_run(plan, flags));
  fs::remove_all(dir);
}

// A text column to integer with a USING cast that fails on four rows.
const char* kBrokenFrom =
    "CREATE TABLE public.t (id bigint PRIMARY KEY, v integer NOT NULL, s text);";
const char* kBrokenFill =
    "INSERT INTO public.t SELECT g, g % 1000, CASE WHEN g % 5000 = 0 THEN 'n/a' ELSE g::text END "
    "FROM generate_series(1, 20000) g; ANALYZE public.t;";
const char* kBrokenTo = R"sql(
CREATE TABLE public.t (id bigint PRIMARY KEY, v integer NOT NULL,
  -- seam:using (s::integer)
  s integer);
)sql";

YAML::Node rehearse_broken(const std::string& name, const std::string& seed, std::string* step) {
  std::string url = seam::test::fresh_database(name);
  fs::path dir = work_dir(name);
  fs::path plan = make_plan(url, dir, kBrokenFrom, kBrokenFill, kBrokenTo);
  *step = backfill_step_of(plan, "public.t");
  fs::path report = dir / "report.json";
  auto r =
      seam_cli({"rehearse", plan.string(), "--db", url, "--faults", "3", "--seed", seed,
                "--lease-ttl-ms", "1500", "--batch-size", "1000", "--report", report.string()});
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_HAS(r.output, "verdict: FAIL");
  YAML::Node rep = YAML::LoadFile(report.string());
  // The failed job stays as the ledger left it; the source column is untouched.
  EXPECT_EQ(seam::test::query_value(url, "SELECT state FROM seam.jobs"), "failed");
  EXPECT_EQ(seam::test::query_value(url, "SELECT count(*) FROM public.t WHERE s = 'n/a'"), "4");
  fs::remove_all(dir);
  return rep;
}

TEST(Rehearse, BrokenBackfillFailsNamingTheStepTheRowsAndTheKeyRange) {
  std::string step;
  YAML::Node rep = rehearse_broken("rehearse_broken", "3", &step);
  ASSERT_FALSE(step.empty());
  EXPECT_EQ(rep["verdict"].as<std::string>(), "FAIL");
  std::string reasons;
  for (const auto& r : rep["reasons"]) reasons += r.as<std::string>() + "\n";
  EXPECT_HAS(reasons, "step " + step + " failed: invalid input syntax for type integer: \"n/a\"");
  // The rows that fail, located before the backfill ran, and their key ranges.
  EXPECT_HAS(
      reasons,
      "the backfill expression fails on rows of public.t: id 5000, id 10000, id 15000, id 20000");
  EXPECT_HAS(reasons, "failing key ranges (2 of 3 chunks): id <= 10000; id > 10000 and <= 20000");
  // Where the ledger stopped: the batch holding id 5000 is the one after the cursor.
  EXPECT_HAS(reasons,
             "stands after id 4000 with 4,000 rows done: the failing batch is the next 1,000 rows "
             "of public.t");
}

TEST(Rehearse, WithoutApprovalItStopsAtTheCheckpointAndRefusesWhatIsNotTheSource) {
  std::string url = seam::test::fresh_database("rehearse_incomplete");
  fs::path dir = work_dir("incomplete");
  fs::path plan = make_plan(
      url, dir, "CREATE TABLE public.t (id bigint PRIMARY KEY, v integer NOT NULL, s text);",
      "INSERT INTO public.t SELECT g, g, 'x' FROM generate_series(1, 20000) g; ANALYZE public.t;",
      "CREATE TABLE public.t (id bigint PRIMARY KEY, v bigint NOT NULL, s text);");
  // A drifted copy is refused before anything runs.
  std::string drifted = seam::test::fresh_database("rehearse_drifted");
  seam::test::run_sql(
      drifted,
      "CREATE TABLE public.t (id bigint PRIMARY KEY, v integer NOT NULL, s text, extra int);");
  auto d = seam_cli({"rehearse", plan.string(), "--db", drifted});
  EXPECT_EQ(d.status, 2) << d.output;
  EXPECT_HAS(d.output, "is not the catalog the plan was made from");
  EXPECT_EQ(
      seam::test::query_value(drifted, "SELECT count(*) FROM pg_namespace WHERE nspname = 'seam'"),
      "0");

  fs::path report = dir / "report.md";
  auto r = seam_cli({"rehearse", plan.string(), "--db", url, "--faults", "4", "--seed", "2",
                     "--lease-ttl-ms", "1500", "--report", report.string()});
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_HAS(r.output, "verdict: INCOMPLETE");
  EXPECT_HAS(r.output, "stopped at checkpoint contract-001-checkpoint (no --approve-checkpoints)");
  std::string md = slurp(report);
  EXPECT_HAS(md, "## seam rehearse: INCOMPLETE");
  EXPECT_HAS(md, "| check | result | detail |");
  // The backfill was verified; contract never ran.
  EXPECT_HAS(r.output,
             "ok    " + backfill_step_of(plan, "public.t") + ": every row backfilled exactly once");
  EXPECT_EQ(seam::test::query_value(url, "SELECT state FROM seam.jobs"), "awaiting-approval");
  EXPECT_EQ(seam::test::query_value(
                url, "SELECT count(*) FROM public.t WHERE v_seam_new IS DISTINCT FROM v"),
            "0");
  // The plan has a job there now: a second rehearsal is refused.
  auto again = seam_cli({"rehearse", plan.string(), "--db", url});
  EXPECT_EQ(again.status, 2) << again.output;
  EXPECT_HAS(again.output, "already has job 1 for this plan (state awaiting-approval)");
  fs::remove_all(dir);
}

TEST(Rehearse, TheFaultScheduleIsAFunctionOfTheSeed) {
  // Two rehearsals with one seed on two databases: the same schedule and the
  // same verdict and reasons; another seed, another schedule.
  std::string step1, step2;
  YAML::Node a = rehearse_broken("rehearse_seed_a", "11", &step1);
  YAML::Node b = rehearse_broken("rehearse_seed_b", "11", &step2);
  ASSERT_EQ(step1, step2);
  EXPECT_FALSE(schedule_of(a).empty());
  EXPECT_EQ(schedule_of(a), schedule_of(b));
  std::vector<std::string> ra, rb;
  for (const auto& r : a["reasons"]) ra.push_back(r.as<std::string>());
  for (const auto& r : b["reasons"]) rb.push_back(r.as<std::string>());
  EXPECT_EQ(ra, rb);

  // The dry run needs no database: same seed, same bytes; another seed differs.
  std::string url = seam::test::fresh_database("rehearse_seed_plan");
  fs::path dir = work_dir("seed");
  fs::path plan = make_plan(url, dir, kFrom, kFill, kTo);
  std::vector<std::string> s42 =
      dry_run(plan, {"--faults", "20", "--seed", "42", "--approve-checkpoints"});
  EXPECT_EQ(s42.size(), 20u);
  EXPECT_EQ(s42, dry_run(plan, {"--faults", "20", "--seed", "42", "--approve-checkpoints"}));
  EXPECT_NE(s42, dry_run(plan, {"--faults", "20", "--seed", "43", "--approve-checkpoints"}));
  // Without --approve-checkpoints nothing is scheduled past the checkpoint.
  for (const auto& line : dry_run(plan, {"--faults", "20", "--seed", "42"}))
    EXPECT_EQ(line.find("contract-"), std::string::npos) << line;
  fs::remove_all(dir);
}

}  // namespace
