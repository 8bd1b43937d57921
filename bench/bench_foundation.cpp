// seam_bench_foundation: how long seam's foundation (desired-state loader,
// live inspector, model comparison) takes on synthetic schemas of N tables,
// measured side by side with what PostgreSQL's own tools take for the same
// schema in the same run (docs/bench.md):
//
//   load     seam::schema::load_path(file)   vs  psql -f file into a fresh database
//   inspect  seam::pg::inspect(database)     vs  pg_dump --schema-only of it
//   compare  seam::schema::compare(loaded, inspected)   (no baseline; expect 0 differences)
//
// Every measured phase runs in its own process (fork for seam's phases, exec
// for psql and pg_dump), so wait4's ru_maxrss is that phase's peak RSS and
// nothing one phase allocates inflates the next. The parent stays small for
// the same reason: a child starts with the parent's anonymous pages counted,
// and the "process floor" line of the report (/bin/true measured the same
// way) says how much that is. Each measurement is repeated and the median is
// reported; wall times are steady_clock.
//
//   seam_bench_foundation [--tables 1000,5000] [--repeat 3] [--seed 1]
//                         [--out bench/results/foundation.md] [--keep]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pqxx/pqxx>

#include "bench/gen_schema.hpp"
#include "bench/measure.hpp"
#include "dialects/postgres/conn.hpp"
#include "dialects/postgres/embedded.hpp"
#include "dialects/postgres/inspect.hpp"
#include "dialects/postgres/spawn.hpp"
#include "schema/canon.hpp"
#include "schema/compare.hpp"
#include "schema/load.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

using namespace seam::bench;

constexpr int kWarmupTables = 200;

struct Options : RunOptions {
  Options() { out = std::string(SEAM_SOURCE_DIR) + "/bench/results/foundation.md"; }
};

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// The query that makes a backend report its own CPU time: /proc/self/stat
// read by the server process itself (superuser; the embedded server's
// "postgres" is one). Run after the measured work, on the same connection.
constexpr const char* kBackendStat = "SELECT pg_read_file('/proc/self/stat')";

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (parse_run_option(argc, argv, i, o)) continue;
    if (a == "-h" || a == "--help") {
      std::cout << "usage: seam_bench_foundation [--tables 1000,5000] [--repeat 3] [--seed 1]\n"
                   "                             [--out FILE] [--keep]\n";
      std::exit(0);
    }
    throw std::invalid_argument("unknown argument '" + a + "' (see --help)");
  }
  return o;
}

// Everything measured for one N.
struct Result {
  int tables = 0;
  seam::bench::GenStats gen;
  Stat gen_time;
  Stat seam_load, psql_load, seam_inspect, pg_dump, compare;
  size_t loaded_tables = 0, inspected_tables = 0, load_warnings = 0, unsupported = 0;
  size_t differences = 0;
  std::string first_differences;
  uintmax_t dump_bytes = 0;
};

std::string parse_stats(const std::string& info, seam::bench::GenStats& g) {
  std::istringstream in(info);
  in >> g.schemas >> g.tables >> g.columns >> g.indexes >> g.foreign_keys >> g.checks >> g.uniques >>
      g.views >> g.functions >> g.triggers >> g.comments >> g.bytes;
  return info;
}

void progress(int n, const std::string& phase, int rep, int of, const Sample& s) {
  std::cerr << "[" << n << " tables] " << phase << " " << rep << "/" << of << ": " << secs(s.seconds)
            << " (CPU " << secs(s.cpu_seconds)
            << (s.server_cpu >= 0 ? ", server backend CPU " + secs(s.server_cpu) : std::string()) << "), peak "
            << mib(s.maxrss_kb) << "\n";
}

Result run_one(seam::pg::EmbeddedServer& srv, const Options& o, int n, const fs::path& dir,
               const std::string& psql, const std::string& pg_dump) {
  Result r;
  r.tables = n;
  const fs::path sql = dir / ("schema_" + std::to_string(n) + ".sql");
  const fs::path dump = dir / ("pg_dump_" + std::to_string(n) + ".sql");

  // Generation, in a child too: the parent must not keep megabytes of SQL
  // on its heap (see the header comment).
  Sample g = in_child("generating " + std::to_string(n) + " tables", [&](std::string& info) {
    seam::bench::GenStats st;
    auto t0 = Clock::now();
    std::string text = seam::bench::generate_schema({.tables = n, .seed = o.seed}, &st);
    double s = since(t0);
    std::ofstream f(sql, std::ios::binary | std::ios::trunc);
    f << text;
    f.close();
    if (!f) throw std::runtime_error("cannot write " + sql.string());
    std::ostringstream os;
    os << st.schemas << ' ' << st.tables << ' ' << st.columns << ' ' << st.indexes << ' ' << st.foreign_keys
       << ' ' << st.checks << ' ' << st.uniques << ' ' << st.views << ' ' << st.functions << ' '
       << st.triggers << ' ' << st.comments << ' ' << st.bytes;
    info = os.str();
    return s;
  });
  parse_stats(g.info, r.gen);
  r.gen_time = summarize({g});
  std::cerr << "[" << n << " tables] generated " << thousands(static_cast<long>(r.gen.bytes)) << " bytes in "
            << secs(g.seconds) << "\n";

  // Load: seam's offline loader and the server itself, interleaved so that
  // a noisy moment on a shared machine hits both sides alike.
  std::vector<Sample> seam_load, psql_load, seam_inspect, dumps, compares;
  std::vector<std::string> dbs;
  for (int rep = 1; rep <= o.repeat; ++rep) {
    Sample s = in_child("seam load_path", [&](std::string& info) {
      auto t0 = Clock::now();
      seam::schema::LoadResult lr = seam::schema::load_path(sql.string());
      double secs = since(t0);
      info = std::to_string(lr.catalog.tables.size()) + " " + std::to_string(lr.warnings.size()) + "\n" +
             (lr.warnings.empty() ? "" : lr.warnings.front());
      return secs;
    });
    progress(n, "seam load", rep, o.repeat, s);
    seam_load.push_back(s);

    std::string db = "bench_" + std::to_string(n) + "_" + std::to_string(rep);
    srv.create_database(db);
    dbs.push_back(db);
    // The trailing -c runs in the same session after the file, so the
    // backend that accepted the schema reports its CPU time.
    Sample p = exec_tool("psql -f " + sql.string(),
                         {psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-A", "-t", "-d", srv.url_for(db), "-f",
                          sql.string(), "-c", kBackendStat},
                         dir / "psql.log");
    {
      std::ifstream in(dir / "psql.log");
      std::string line, last;
      while (std::getline(in, line))
        if (!line.empty()) last = line;
      p.server_cpu = cpu_from_proc_stat(last);
    }
    progress(n, "psql load", rep, o.repeat, p);
    psql_load.push_back(p);
  }
  {
    std::istringstream in(seam_load.back().info);
    in >> r.loaded_tables >> r.load_warnings;
    std::string rest;
    std::getline(in, rest);
    std::getline(in, rest);
    if (r.load_warnings) std::cerr << "warning: the loader warned " << r.load_warnings << " times, first: " << rest << "\n";
  }

  // Inspect the last loaded database; the others are only load samples.
  const std::string url = srv.url_for(dbs.back());
  for (int rep = 1; rep <= o.repeat; ++rep) {
    Sample s = in_child("seam inspect", [&](std::string& info) {
      auto t0 = Clock::now();
      auto conn = seam::pg::connect(url);
      seam::schema::Catalog live = seam::pg::inspect(*conn);
      double secs = since(t0);
      pqxx::nontransaction tx{*conn};
      double server = cpu_from_proc_stat(tx.exec(kBackendStat)[0][0].c_str());
      info = std::to_string(live.tables.size()) + " " + std::to_string(live.unsupported.size()) + " " +
             fmt("%.3f", server);
      return secs;
    });
    {
      std::istringstream in(s.info);
      size_t a, b;
      in >> a >> b >> s.server_cpu;
    }
    progress(n, "seam inspect", rep, o.repeat, s);
    seam_inspect.push_back(s);

    Sample d = exec_tool("pg_dump --schema-only",
                         {pg_dump, "--schema-only", "-f", dump.string(), "-d", url}, dir / "pg_dump.log");
    progress(n, "pg_dump", rep, o.repeat, d);
    dumps.push_back(d);
  }
  {
    std::istringstream in(seam_inspect.back().info);
    in >> r.inspected_tables >> r.unsupported;
  }
  r.dump_bytes = fs::file_size(dump);

  // Compare: both models are built first (untimed), then compared.
  for (int rep = 1; rep <= o.repeat; ++rep) {
    Sample s = in_child("seam compare", [&](std::string& info) {
      seam::schema::Catalog desired = seam::schema::load_path(sql.string()).catalog;
      auto conn = seam::pg::connect(url);
      seam::schema::Catalog live = seam::pg::inspect(*conn);
      conn.reset();
      auto t0 = Clock::now();
      std::vector<seam::schema::Difference> d = seam::schema::compare(desired, live);
      double secs = since(t0);
      info = std::to_string(d.size()) + "\n" + seam::schema::format_differences(d, 10);
      return secs;
    });
    progress(n, "seam compare", rep, o.repeat, s);
    compares.push_back(s);
  }
  {
    const std::string& info = compares.back().info;
    size_t nl = info.find('\n');
    r.differences = std::stoul(info.substr(0, nl));
    r.first_differences = nl == std::string::npos ? "" : trim(info.substr(nl + 1));
    if (r.differences)
      std::cerr << "WARNING: compare found " << r.differences << " differences between the loaded and the "
                << "inspected model of " << n << " tables (expected 0); first ones:\n"
                << r.first_differences << "\n";
  }

  r.seam_load = summarize(seam_load);
  r.psql_load = summarize(psql_load);
  r.seam_inspect = summarize(seam_inspect);
  r.pg_dump = summarize(dumps);
  r.compare = summarize(compares);

  // The databases stay until the server stops: dropping them is slow
  // (unlinking tens of thousands of files; very slow on a filesystem mounted
  // with `discard`) and has nothing to do with what is measured, so it
  // happens once, after the report is written.
  if (!o.keep) {
    fs::remove(sql);
    fs::remove(dump);
  }
  return r;
}

std::string report(const Options& o, const std::vector<Result>& results, const std::string& machine) {
  std::ostringstream md;
  md << "# seam foundation benchmark\n\n"
     << "Generated by `seam_bench_foundation` (bench/bench_foundation.cpp); how to run it and how to read it: "
        "docs/bench.md.\n\n"
     << machine << "\n";

  md << "## Generated schemas\n\n"
     << "| tables | schemas | columns | indexes | foreign keys | checks | unique | views | functions | triggers "
        "| comments | SQL size | pg_dump size |\n"
     << "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& r : results) {
    const auto& g = r.gen;
    md << "| " << thousands(r.tables) << " | " << g.schemas << " | " << thousands(g.columns) << " | "
       << thousands(g.indexes) << " | " << thousands(g.foreign_keys) << " | " << thousands(g.checks) << " | "
       << thousands(g.uniques) << " | " << thousands(g.views) << " | " << g.functions << " | "
       << thousands(g.triggers) << " | " << thousands(g.comments) << " | "
       << fmt("%.1f MiB", static_cast<double>(g.bytes) / 1048576.0) << " | "
       << fmt("%.1f MiB", static_cast<double>(r.dump_bytes) / 1048576.0) << " |\n";
  }

  md << "\n## Results\n\n"
     << "Median of " << o.repeat << " runs. Ratio = seam / baseline: below 1, seam is faster. "
     << "CPU is user + system time of the measured process alone; psql and pg_dump mostly wait for the "
        "server, whose work is in their wall time but not in their CPU, so the server backend's own CPU "
        "time is shown where it can be read (it reads /proc/self/stat after the measured work on the same "
        "connection; pg_dump offers no such hook). Peak RSS is the measured process's ru_maxrss; the "
        "server's memory is not counted on either side.\n\n"
     << "| tables | phase | seam | baseline | ratio | seam runs | seam CPU | baseline CPU "
        "| server CPU (seam / baseline) | seam peak RSS | baseline peak RSS |\n"
     << "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  auto server = [](const Stat* s) { return s && s->server_cpu >= 0 ? secs(s->server_cpu) : std::string("–"); };
  for (const auto& r : results) {
    std::string n = thousands(r.tables);
    auto row = [&](const std::string& phase, const Stat& seam, const Stat* base, const std::string& seam_cpu,
                   const std::string& seam_rss) {
      md << "| " << n << " | " << phase << " | " << secs(seam.seconds) << " | "
         << (base ? secs(base->seconds) : "–") << " | " << (base ? ratio(seam, *base) : "–") << " | "
         << range(seam) << " | " << seam_cpu << " | " << (base ? secs(base->cpu_seconds) : "–") << " | "
         << server(&seam) << " / " << server(base) << " | " << seam_rss << " | "
         << (base ? mib(base->maxrss_kb) : "–") << " |\n";
    };
    row("load: `schema::load_path` vs `psql -f`", r.seam_load, &r.psql_load, secs(r.seam_load.cpu_seconds),
        mib(r.seam_load.maxrss_kb));
    row("inspect: `pg::inspect` vs `pg_dump --schema-only`", r.seam_inspect, &r.pg_dump,
        secs(r.seam_inspect.cpu_seconds), mib(r.seam_inspect.maxrss_kb));
    // The compare child builds both models first: its CPU would be mostly
    // that, and its peak is the peak of holding both.
    row("compare: `schema::compare`", r.compare, nullptr, "–", mib(r.compare.maxrss_kb) + " ¹");
    Stat total, base_total;
    total.seconds = r.seam_load.seconds + r.seam_inspect.seconds + r.compare.seconds;
    base_total.seconds = r.psql_load.seconds + r.pg_dump.seconds;
    md << "| " << n << " | sum of the three vs psql + pg_dump | " << secs(total.seconds) << " | "
       << secs(base_total.seconds) << " | " << ratio(total, base_total) << " | | | | | | |\n";
  }
  md << "\n¹ the process that loads the file, inspects the database and compares the two models: "
        "the peak of the whole sequence.\n";

  md << "\n## Checks\n\n";
  for (const auto& r : results) {
    md << "- " << thousands(r.tables) << " tables: the loader read " << thousands(static_cast<long>(r.loaded_tables))
       << " tables (" << r.load_warnings << " warnings), the inspector " << thousands(static_cast<long>(r.inspected_tables))
       << " (" << r.unsupported << " unsupported objects); compare found **" << r.differences
       << "** differences" << (r.differences ? " (expected 0)" : " (as expected)") << ".\n";
    if (r.differences) {
      md << "\n  ```\n";
      std::istringstream in(r.first_differences);
      std::string line;
      while (std::getline(in, line)) md << "  " << line << "\n";
      md << "  ```\n\n";
    }
  }
  return md.str();
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  try {
    o = parse_args(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "seam_bench_foundation: " << e.what() << "\n";
    return 2;
  }

  fs::path dir;
  try {
    // The floor every child's peak starts from (see the header comment),
    // measured before anything else grows the parent.
    dir = make_temp_dir("seam_bench_");
    fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                             fs::perms::others_read | fs::perms::others_exec);
    std::string load_start = loadavg();

    seam::pg::ServerOptions so;
    // pg_dump takes a lock on every table in one transaction; the default
    // lock table (64 x max_connections) is too small for 5,000 tables.
    so.settings = {{"max_locks_per_transaction", "256"}};
    seam::pg::EmbeddedServer srv(so);
    std::string psql = client_binary(srv, "psql"), pg_dump = client_binary(srv, "pg_dump");
    Sample floor = exec_tool("/bin/true", {"/bin/true"}, dir / "true.log");

    const std::string pg_version = server_version(srv.url());
    const std::string when = utc_now();

    // One untimed pass over a small schema first: the first databases a
    // fresh cluster builds pay for WAL segment creation and cold caches
    // (server, page cache, shared libraries) that later ones do not.
    {
      Options warm = o;
      warm.repeat = 1;
      std::cerr << "warm-up (not reported):\n";
      run_one(srv, warm, kWarmupTables, dir, psql, pg_dump);
    }

    std::vector<Result> results;
    for (int n : o.tables) results.push_back(run_one(srv, o, n, dir, psql, pg_dump));

    std::ostringstream machine;
    machine << "| | |\n|---|---|\n"
            << "| run | " << when << ", generator seed " << o.seed << ", " << o.repeat
            << " runs per measurement after an untimed warm-up pass over " << kWarmupTables << " tables |\n"
            << "| machine | " << machine_summary() << " |\n"
            << "| load average | " << load_start << " at start, " << loadavg() << " at end (1/5/15 min) |\n"
            << "| PostgreSQL | server " << pg_version << " (embedded, fsync off), "
            << capture({psql, "--version"}) << ", " << capture({pg_dump, "--version"}) << " |\n"
            << "| seam | commit " << commit_description(SEAM_SOURCE_DIR) << ", " << SEAM_BUILD_TYPE << " build |\n"
            << "| process floor | " << mib(floor.maxrss_kb)
            << " (peak RSS of /bin/true started the same way: the least any measured child can show) |\n";

    std::string md = report(o, results, machine.str());
    std::cout << md;
    fs::path out(o.out);
    if (out.has_parent_path()) fs::create_directories(out.parent_path());
    std::ofstream f(out, std::ios::binary | std::ios::trunc);
    f << md;
    f.close();
    if (!f) throw std::runtime_error("cannot write " + out.string());
    std::cerr << "wrote " << out.string() << "\n"
              << "stopping the server and deleting its databases (minutes on a filesystem mounted with discard)\n";
  } catch (const std::exception& e) {
    std::cerr << "seam_bench_foundation: " << e.what() << "\n";
    if (!dir.empty() && !o.keep) fs::remove_all(dir);
    return 1;
  }
  if (!o.keep) fs::remove_all(dir);
  else std::cerr << "kept " << dir.string() << "\n";
  return 0;
}
