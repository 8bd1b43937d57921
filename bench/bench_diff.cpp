// seam_bench_diff: how long seam takes to diff a catalog of N tables against
// its next version, measured side by side with @pgkit/migra (npm, a
// TypeScript port of migra) diffing the same pair of databases in the same
// run (docs/bench.md, "Diff"):
//
//   seam CLI   `seam diff --db <from> --schema <to.sql>`   (what a user runs)
//   seam live  inspect(from) + inspect(to) + diff + render, in one process:
//              seam's library given the same two databases migra gets
//   migra      `migra <from> <to> --unsafe`
//
// For each N the generator writes a pair (bench/gen_schema.hpp: the base
// schema and its changed side), psql loads each into its own database of one
// embedded server, and every measurement runs --repeat times, interleaved.
// Every measurement is its own process (measure.hpp), so peak RSS and CPU are
// that process's; the server's share is the CPU of the backends that served
// it (the postmaster's reaped-children time, read from /proc after they
// exited). A forked child also reports seam's phases separately.
//
//   seam_bench_diff [--tables 1000,5000] [--repeat 3] [--seed 1] [--seam PATH]
//                   [--migra PATH] [--out bench/results/diff.md] [--keep]
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <dirent.h>
#include <unistd.h>

#include <pqxx/pqxx>

#include "bench/gen_schema.hpp"
#include "bench/measure.hpp"
#include "dialects/postgres/conn.hpp"
#include "dialects/postgres/embedded.hpp"
#include "dialects/postgres/inspect.hpp"
#include "dialects/postgres/render_change.hpp"
#include "differ/diff.hpp"
#include "schema/canon.hpp"
#include "schema/load.hpp"
#include "schema/sha256.hpp"
#include "schema/sql_file.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace seam::bench;

namespace {

struct Options : RunOptions {
  std::string seam = SEAM_BINARY;
  std::string migra;
  Options() { out = std::string(SEAM_SOURCE_DIR) + "/bench/results/diff.md"; }
};

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string default_migra() {
  if (const char* e = std::getenv("SEAM_MIGRA"); e && *e) return e;
  const char* root = std::getenv("SEAM_BENCH_TOOLS");
  return std::string(root && *root ? root : "/var/cache/seam") +
         "/npm-migra/node_modules/.bin/migra";
}

Options parse_args(int argc, char** argv) {
  Options o;
  o.migra = default_migra();
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (parse_run_option(argc, argv, i, o)) continue;
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    if (a == "--seam") {
      o.seam = value();
    } else if (a == "--migra") {
      o.migra = value();
    } else if (a == "-h" || a == "--help") {
      std::cout
          << "usage: seam_bench_diff [--tables 1000,5000] [--repeat 3] [--seed 1] [--seam PATH]\n"
             "                       [--migra PATH] [--out FILE] [--keep]\n"
             "--migra defaults to $SEAM_MIGRA, else the install of "
             "scripts/install-bench-tools.sh.\n";
      std::exit(0);
    } else {
      throw std::invalid_argument("unknown argument '" + a + "' (see --help)");
    }
  }
  if (!fs::exists(o.seam))
    throw std::invalid_argument("no seam binary at " + o.seam + " (build the seam target)");
  if (!fs::exists(o.migra))
    throw std::invalid_argument("no migra at " + o.migra +
                                " (run scripts/install-bench-tools.sh, or pass --migra)");
  return o;
}

// ---- the server's share -------------------------------------------------------

// The server's CPU on behalf of one measurement: the backends that served it
// are children of the postmaster, and once they exit and are reaped their
// CPU time is in the postmaster's cutime + cstime. Autovacuum is off (it
// would add its workers' time), so nothing else exits meanwhile.
class ServerCpu {
 public:
  explicit ServerCpu(const seam::pg::EmbeddedServer& srv) {
    std::ifstream in(srv.data_dir() / "postmaster.pid");
    in >> pm_;
    if (pm_ <= 0)
      throw std::runtime_error("cannot read the postmaster's pid from " + srv.data_dir().string());
  }

  // Call before the measurement.
  void start() {
    before_children_ = children();
    before_cpu_ = reaped_cpu();
  }

  // Call after it: waits (up to 10 s) until every backend that started since
  // start() has exited and been reaped; -1 if they did not.
  double stop() const {
    auto t0 = Clock::now();
    for (;;) {
      bool left = false;
      for (int pid : children())
        if (!before_children_.count(pid)) left = true;
      if (!left) break;
      if (since(t0) > 10) return -1;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    double cpu = reaped_cpu();
    return cpu < 0 || before_cpu_ < 0 ? -1 : cpu - before_cpu_;
  }

 private:
  int pm_ = -1;
  std::set<int> before_children_;
  double before_cpu_ = -1;

  static std::string stat_of(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(in, line);
    return line;
  }
  double reaped_cpu() const { return cpu_from_proc_stat(stat_of(pm_), true); }

  // The postmaster's children (zombies included: not reaped yet).
  std::set<int> children() const {
    std::set<int> out;
    DIR* d = opendir("/proc");
    if (!d) return out;
    while (dirent* e = readdir(d)) {
      char* end = nullptr;
      long pid = std::strtol(e->d_name, &end, 10);
      if (!end || *end || pid <= 0) continue;
      std::string line = stat_of(static_cast<int>(pid));
      size_t paren = line.rfind(')');
      if (paren == std::string::npos) continue;
      std::istringstream in(line.substr(paren + 1));
      std::string state;
      long ppid = 0;
      in >> state >> ppid;
      if (ppid == pm_) out.insert(static_cast<int>(pid));
    }
    closedir(d);
    return out;
  }
};

// ---- one size -----------------------------------------------------------------

struct Outputs {
  size_t statements = 0, bytes = 0;
  std::map<std::string, size_t> by_verb;  // "ALTER TABLE" -> count
  std::set<std::string> hashes;           // of each repetition's output
};

// Whether a tool's script takes a copy of `from` to `to`: applied with psql
// (ON_ERROR_STOP), then judged by `seam diff` against to.sql.
struct ApplyCheck {
  bool applied = false;
  std::string error;     // psql's first ERROR line when it stopped
  double seconds = 0;    // psql's wall time
  size_t remaining = 0;  // statements `seam diff` still writes afterwards
  std::string left;      // them by kind: "6 COMMENT ON"
};

struct Result {
  int tables = 0;
  ApplyCheck seam_apply, migra_apply;
  GenStats from, to;
  Stat psql_from, psql_to;
  Stat cli, live, migra, file_path;
  // seam's phases, medians: CLI path (load to.sql, inspect from, diff,
  // render) and live path (inspect from, inspect to, diff, render).
  std::map<std::string, double> phases;
  Outputs seam_out, migra_out;
  size_t changes = 0, hazards = 0;
};

std::string stats_line(const GenStats& st) {
  std::ostringstream os;
  const ChangeStats& c = st.changes;
  os << st.schemas << ' ' << st.tables << ' ' << st.columns << ' ' << st.indexes << ' '
     << st.foreign_keys << ' ' << st.checks << ' ' << st.uniques << ' ' << st.views << ' '
     << st.functions << ' ' << st.triggers << ' ' << st.comments << ' ' << st.bytes;
  for (int v :
       {c.tables_added,         c.tables_dropped,   c.columns_added,     c.columns_dropped,
        c.columns_retyped,      c.defaults_changed, c.not_null_changed,  c.checks_added,
        c.foreign_keys_dropped, c.indexes_added,    c.indexes_dropped,   c.views_added,
        c.views_dropped,        c.views_changed,    c.triggers_added,    c.triggers_dropped,
        c.comments_changed,     c.functions_added,  c.functions_changed, c.enum_labels_added})
    os << ' ' << v;
  return os.str();
}

void parse_stats(std::istream& in, GenStats& st) {
  ChangeStats& c = st.changes;
  in >> st.schemas >> st.tables >> st.columns >> st.indexes >> st.foreign_keys >> st.checks >>
      st.uniques >> st.views >> st.functions >> st.triggers >> st.comments >> st.bytes;
  for (int* v :
       {&c.tables_added,         &c.tables_dropped,   &c.columns_added,     &c.columns_dropped,
        &c.columns_retyped,      &c.defaults_changed, &c.not_null_changed,  &c.checks_added,
        &c.foreign_keys_dropped, &c.indexes_added,    &c.indexes_dropped,   &c.views_added,
        &c.views_dropped,        &c.views_changed,    &c.triggers_added,    &c.triggers_dropped,
        &c.comments_changed,     &c.functions_added,  &c.functions_changed, &c.enum_labels_added})
    in >> *v;
}

// "name=seconds ..." as the library children report their phases.
std::map<std::string, double> parse_phases(const std::string& info) {
  std::map<std::string, double> out;
  std::istringstream in(info);
  std::string tok;
  while (in >> tok) {
    size_t eq = tok.find('=');
    if (eq != std::string::npos) out[tok.substr(0, eq)] = std::stod(tok.substr(eq + 1));
  }
  return out;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void progress(int n, const std::string& what, int rep, int of, const Sample& s) {
  std::cerr << "[" << n << " tables] " << what << " " << rep << "/" << of << ": " << secs(s.seconds)
            << " (CPU " << secs(s.cpu_seconds)
            << (s.server_cpu >= 0 ? ", server " + secs(s.server_cpu) : std::string()) << "), peak "
            << mib(s.maxrss_kb) << "\n";
}

// Statements of each output file, by their first one or two keywords, and
// the hashes of all repetitions' outputs (to see whether a tool is
// deterministic). Runs in a child: the parent must stay small.
Outputs count_outputs(const std::vector<fs::path>& files, const std::string& what) {
  Sample s = in_child("counting " + what + "'s statements", [&](std::string& info) {
    std::ostringstream os;
    std::map<std::string, size_t> verbs;
    size_t statements = 0, bytes = 0;
    std::set<std::string> hashes;
    for (size_t k = 0; k < files.size(); ++k) {
      std::ifstream in(files[k], std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      std::string text = ss.str();
      hashes.insert(seam::sha256_hex(text).substr(0, 16));
      if (k + 1 != files.size()) continue;  // the last repetition's is counted
      bytes = text.size();
      seam::schema::SqlFile f = seam::schema::make_sql_file(text, files[k].string());
      for (const auto& st : seam::schema::split_statements(f)) {
        // "CREATE OR REPLACE VIEW", "CREATE INDEX" (UNIQUE or not), "ALTER TABLE", "SET" ...
        std::istringstream words(st.text());
        std::vector<std::string> w;
        for (std::string x; w.size() < 4 && words >> x;) {
          for (char& ch : x) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
          w.push_back(x);
        }
        std::string verb = w.empty() ? "?" : w[0];
        if (w.size() > 1 &&
            (verb == "CREATE" || verb == "ALTER" || verb == "DROP" || verb == "COMMENT")) {
          size_t k = 1;
          if (verb == "CREATE" && w[1] == "OR" && w.size() > 3) {
            verb += " OR REPLACE";
            k = 3;
          } else if (verb == "CREATE" && w[1] == "UNIQUE" && w.size() > 2) {
            k = 2;
          }
          verb += " " + w[k];
        }
        ++verbs[verb];
        ++statements;
      }
    }
    os << statements << ' ' << bytes << ' ' << hashes.size();
    for (const auto& h : hashes) os << ' ' << h;
    os << '\n';
    for (const auto& [v, c] : verbs) os << c << ' ' << v << '\n';
    info = os.str();
    return 0.0;
  });
  Outputs o;
  std::istringstream in(s.info);
  size_t nh = 0;
  in >> o.statements >> o.bytes >> nh;
  for (size_t k = 0; k < nh; ++k) {
    std::string h;
    in >> h;
    o.hashes.insert(h);
  }
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    size_t sp = line.find(' ');
    if (sp != std::string::npos) o.by_verb[line.substr(sp + 1)] = std::stoul(line.substr(0, sp));
  }
  return o;
}

// seam's library path, timed phase by phase ("<path>_<phase>=seconds" in
// info): `to` read from to.sql as the CLI does ("file_"), or, when to_sql is
// empty, inspected from the `to` database ("live_").
double seam_path(const std::string& from_url, const std::string& to_url, const fs::path& to_sql,
                 std::string& info) {
  const bool file = !to_sql.empty();
  const std::string path = file ? "file_" : "live_";
  auto inspect = [](const std::string& url) {
    auto conn = seam::pg::connect(url);
    return seam::pg::inspect(*conn);
  };
  const auto t0 = Clock::now();
  auto t = t0;
  auto phase = [&](const char* name) {
    auto now = Clock::now();
    info += path + name + "=" + fmt("%.6f", std::chrono::duration<double>(now - t).count()) + " ";
    t = now;
  };
  seam::schema::Catalog from, to;
  if (file) {
    to = seam::schema::load_path(to_sql.string()).catalog;
    phase("load_to");
  }
  from = inspect(from_url);
  phase("inspect_from");
  if (!file) {
    to = inspect(to_url);
    phase("inspect_to");
  }
  seam::differ::ChangeSet cs = seam::differ::diff(from, to, {});
  phase("diff");
  std::string script = seam::pg::migration_script(cs);
  phase("render");
  info += "changes=" + std::to_string(cs.changes.size()) +
          " hazards=" + std::to_string(cs.hazards().size());
  return since(t0);
}

std::string first_line_with(const fs::path& file, const std::string& needle) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line))
    if (line.find(needle) != std::string::npos) return line;
  return "";
}

std::string verbs(const Outputs& o);

ApplyCheck apply_check(seam::pg::EmbeddedServer& srv, const Options& o, const std::string& psql,
                       const std::string& from_db, const fs::path& to_sql, const fs::path& script,
                       const std::string& name, const fs::path& dir) {
  ApplyCheck c;
  const std::string db = "applied_" + name + "_" + from_db;
  {
    pqxx::connection conn{srv.url()};
    pqxx::nontransaction tx{conn};
    tx.exec("CREATE DATABASE " + seam::schema::quote_ident(db) + " TEMPLATE " +
            seam::schema::quote_ident(from_db));
  }
  const fs::path log = dir / ("apply_" + name + ".log");
  try {
    Sample s = exec_tool(
        "psql -f " + script.string(),
        {psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", srv.url_for(db), "-f", script.string()},
        log);
    c.applied = true;
    c.seconds = s.seconds;
  } catch (const std::exception&) {
    c.error = first_line_with(log, "ERROR:");
    if (c.error.empty()) c.error = "psql failed without an ERROR line";
    // psql names the file by its path; the temporary directory is noise.
    if (size_t k = c.error.find(dir.string() + "/"); k != std::string::npos)
      c.error.erase(k, dir.string().size() + 1);
    return c;
  }
  const fs::path left = dir / ("left_" + name + ".sql");
  exec_tool("seam diff after " + name + "'s script",
            {o.seam, "diff", "--db", srv.url_for(db), "--schema", to_sql.string(), "--no-warnings"},
            dir / "left.log", left);
  Outputs out = count_outputs({left}, "the remaining differences");
  c.remaining = out.statements;
  c.left = verbs(out);
  return c;
}

Result run_one(seam::pg::EmbeddedServer& srv, ServerCpu& server, const Options& o, int n,
               const fs::path& dir, const std::string& psql) {
  Result r;
  r.tables = n;
  const std::string tag = std::to_string(n);
  const fs::path from_sql = dir / ("from_" + tag + ".sql"), to_sql = dir / ("to_" + tag + ".sql");

  // Generation in a child too: the parent must not keep megabytes of SQL.
  Sample g = in_child("generating the pair of " + tag + " tables", [&](std::string& info) {
    auto write = [](const fs::path& p, const std::string& text) {
      std::ofstream f(p, std::ios::binary | std::ios::trunc);
      f << text;
      f.close();
      if (!f) throw std::runtime_error("cannot write " + p.string());
    };
    GenStats a, b;
    write(from_sql, generate_schema({.tables = n, .seed = o.seed}, &a));
    write(to_sql, generate_schema({.tables = n, .seed = o.seed, .changed = true}, &b));
    info = stats_line(a) + "\n" + stats_line(b);
    return 0.0;
  });
  {
    std::istringstream in(g.info);
    parse_stats(in, r.from);
    parse_stats(in, r.to);
  }
  std::cerr << "[" << n << " tables] generated the pair: " << r.to.changes.total() << " changes\n";

  // The two databases.
  const std::string from_db = "from_" + tag, to_db = "to_" + tag;
  for (const auto& [db, sql, stat] :
       {std::tuple{from_db, from_sql, &r.psql_from}, std::tuple{to_db, to_sql, &r.psql_to}}) {
    srv.create_database(db);
    Sample p = exec_tool(
        "psql -f " + sql.string(),
        {psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", srv.url_for(db), "-f", sql.string()},
        dir / "psql.log");
    progress(n, "psql load of " + db + " (not part of any ratio)", 1, 1, p);
    *stat = summarize({p});
  }
  const std::string from_url = srv.url_for(from_db), to_url = srv.url_for(to_db);

  auto live_path = [&](std::string& info) { return seam_path(from_url, to_url, "", info); };
  auto file_path = [&](std::string& info) { return seam_path(from_url, "", to_sql, info); };

  // Untimed: one pass over both databases, so that the first measured tool
  // does not pay alone for a cold page cache and shared buffers.
  in_child("warm-up", live_path);

  std::vector<Sample> cli, migra, live, file;
  std::vector<fs::path> seam_outs, migra_outs;
  auto measure = [&](auto&& run) {
    server.start();
    Sample s = run();
    s.server_cpu = server.stop();
    return s;
  };
  for (int rep = 1; rep <= o.repeat; ++rep) {
    fs::path so = dir / ("seam_" + tag + "_" + std::to_string(rep) + ".sql");
    Sample s = measure([&] {
      return exec_tool(
          "seam diff",
          {o.seam, "diff", "--db", from_url, "--schema", to_sql.string(), "--no-warnings"},
          dir / "seam.log", so);
    });
    progress(n, "seam diff (CLI)", rep, o.repeat, s);
    cli.push_back(s);
    seam_outs.push_back(so);

    fs::path mo = dir / ("migra_" + tag + "_" + std::to_string(rep) + ".sql");
    Sample m = measure([&] {
      return exec_tool("migra", {o.migra, from_url, to_url, "--unsafe"}, dir / "migra.log", mo);
    });
    progress(n, "migra", rep, o.repeat, m);
    migra.push_back(m);
    migra_outs.push_back(mo);

    Sample l = measure([&] { return in_child("seam live path", live_path); });
    progress(n, "seam library, two live databases", rep, o.repeat, l);
    live.push_back(l);

    Sample f = measure([&] { return in_child("seam file path", file_path); });
    progress(n, "seam library, database + file", rep, o.repeat, f);
    file.push_back(f);
  }
  r.cli = summarize(cli);
  r.migra = summarize(migra);
  r.live = summarize(live);
  r.file_path = summarize(file);
  std::map<std::string, std::vector<double>> ph;
  for (const auto* v : {&live, &file})
    for (const auto& s : *v)
      for (const auto& [k, x] : parse_phases(s.info)) ph[k].push_back(x);
  for (auto& [k, v] : ph) r.phases[k] = median(v);
  r.changes = static_cast<size_t>(r.phases["changes"]);
  r.hazards = static_cast<size_t>(r.phases["hazards"]);

  r.seam_out = count_outputs(seam_outs, "seam");
  r.migra_out = count_outputs(migra_outs, "migra");
  // Untimed: do the scripts work?
  r.seam_apply = apply_check(srv, o, psql, from_db, to_sql, seam_outs.back(), "seam", dir);
  std::cerr << "[" << n << " tables] seam's script "
            << (r.seam_apply.applied ? "applied" : "failed: " + r.seam_apply.error) << "\n";
  r.migra_apply = apply_check(srv, o, psql, from_db, to_sql, migra_outs.back(), "migra", dir);
  std::cerr << "[" << n << " tables] migra's script "
            << (r.migra_apply.applied ? "applied" : "failed: " + r.migra_apply.error) << "\n";
  if (!o.keep) {
    for (const auto& p : seam_outs) fs::remove(p);
    for (const auto& p : migra_outs) fs::remove(p);
    fs::remove(from_sql);
    fs::remove(to_sql);
  }
  return r;
}

// ---- the report -----------------------------------------------------------------

std::string server(const Stat& s) {
  return s.server_cpu >= 0 ? secs(s.server_cpu) : std::string("–");
}

std::string change_list(const ChangeStats& c) {
  std::ostringstream os;
  os << "tables +" << c.tables_added << " −" << c.tables_dropped << "; columns +" << c.columns_added
     << " −" << c.columns_dropped << ", " << c.columns_retyped << " retyped, " << c.defaults_changed
     << " defaults, " << c.not_null_changed << " NOT NULL; checks +" << c.checks_added
     << "; foreign keys −" << c.foreign_keys_dropped << " (to dropped tables); indexes +"
     << c.indexes_added << " −" << c.indexes_dropped << "; views +" << c.views_added << " −"
     << c.views_dropped << ", " << c.views_changed << " changed; triggers +" << c.triggers_added
     << " −" << c.triggers_dropped << "; comments " << c.comments_changed << "; functions +"
     << c.functions_added << ", " << c.functions_changed << " changed; enum labels +"
     << c.enum_labels_added;
  return os.str();
}

std::string verbs(const Outputs& o) {
  std::vector<std::pair<size_t, std::string>> v;
  for (const auto& [k, c] : o.by_verb) v.push_back({c, k});
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::string s;
  for (const auto& [c, k] : v)
    s += (s.empty() ? "" : ", ") + thousands(static_cast<long>(c)) + " " + k;
  return s;
}

std::string report(const Options& o, const std::vector<Result>& results,
                   const std::string& header) {
  std::ostringstream md;
  md << "# seam diff benchmark: seam vs @pgkit/migra\n\n"
     << "Generated by `seam_bench_diff` (bench/bench_diff.cpp), run by `bash "
        "scripts/bench-diff.sh`; how to read "
        "it: docs/bench.md (\"Diff\").\n\n"
     << header << "\n";

  md << "## The pairs\n\n"
     << "The base schema (`from`) and its changed side (`to`) from `seam_bench_gen N` and "
        "`seam_bench_gen N "
        "--changed` (seed "
     << o.seed << "), each loaded by psql into its own database.\n\n"
     << "| tables | side | tables | columns | indexes | foreign keys | checks | views | triggers | "
        "SQL size | psql "
        "load |\n|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& r : results) {
    for (const auto& [side, g, load] :
         {std::tuple{"from", &r.from, &r.psql_from}, std::tuple{"to", &r.to, &r.psql_to}})
      md << "| " << thousands(r.tables) << " | " << side << " | " << thousands(g->tables) << " | "
         << thousands(g->columns) << " | " << thousands(g->indexes) << " | "
         << thousands(g->foreign_keys) << " | " << thousands(g->checks) << " | "
         << thousands(g->views) << " | " << thousands(g->triggers) << " | "
         << fmt("%.1f MiB", static_cast<double>(g->bytes) / 1048576.0) << " | "
         << secs(load->seconds) << " |\n";
  }
  md << "\nWhat the changed side changes:\n\n";
  for (const auto& r : results)
    md << "- " << thousands(r.tables) << " tables, " << thousands(r.to.changes.total())
       << " changes: " << change_list(r.to.changes) << ".\n";

  md << "\n## Results\n\n"
     << "Median of " << o.repeat
     << " runs each, interleaved (seam CLI, migra, seam live, seam file, then again). "
     << "**Ratio = migra / seam**: above 1, seam is faster. Wall time includes process "
        "start-up. CPU is the measured process's user + system time; server CPU is that of the "
        "backends that served it (the postmaster's reaped-children time, read after they "
        "exited). Peak RSS is the measured process's ru_maxrss; the server's memory is not "
        "counted.\n\n"
     << "| tables | seam | seam | migra | ratio | seam runs | migra runs | seam CPU | migra CPU "
        "| server CPU (seam / migra) | seam peak RSS | migra peak RSS |\n"
     << "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& r : results) {
    auto row = [&](const std::string& what, const Stat& s) {
      md << "| " << thousands(r.tables) << " | " << what << " | " << secs(s.seconds) << " | "
         << secs(r.migra.seconds) << " | **" << ratio(r.migra, s) << "** | " << range(s) << " | "
         << range(r.migra) << " | " << secs(s.cpu_seconds) << " | " << secs(r.migra.cpu_seconds)
         << " | " << server(s) << " / " << server(r.migra) << " | " << mib(s.maxrss_kb) << " | "
         << mib(r.migra.maxrss_kb) << " |\n";
    };
    row("CLI: `seam diff --db from --schema to.sql`", r.cli);
    row("library: two live databases ¹", r.live);
  }
  md << "\nmigra's command: `migra postgresql://…/from_N postgresql://…/to_N --unsafe` "
        "(`--unsafe`: the pair drops objects, and without it migra refuses to print drops).\n\n"
     << "¹ One process that inspects both databases, diffs and renders the script: the same "
        "inputs migra gets. seam's CLI has no database-to-database mode; it reads the desired "
        "state from files.\n";

  md << "\n### seam's phases (medians)\n\n"
     << "| tables | path | load to.sql | inspect from | inspect to | diff | render | total |\n"
     << "|---:|---|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& r : results) {
    auto p = [&](const char* k) {
      auto it = r.phases.find(k);
      return it == r.phases.end() ? std::string("–") : secs(it->second);
    };
    md << "| " << thousands(r.tables) << " | database + file (what the CLI does) | "
       << p("file_load_to") << " | " << p("file_inspect_from") << " | – | " << p("file_diff")
       << " | " << p("file_render") << " | " << secs(r.file_path.seconds) << " |\n";
    md << "| " << thousands(r.tables) << " | two live databases | – | " << p("live_inspect_from")
       << " | " << p("live_inspect_to") << " | " << p("live_diff") << " | " << p("live_render")
       << " | " << secs(r.live.seconds) << " |\n";
  }

  md << "\n## Checks\n\n"
     << "Sanity, not equality: the two tools write different (and differently ordered) "
        "scripts for the same pair; statements are counted with seam's SQL splitter "
        "(libpg_query's scanner) on the last run's output. Then, untimed, each tool's last "
        "script is applied to a copy of `from` (`CREATE DATABASE … TEMPLATE`), and `seam diff` "
        "of that copy against to.sql says what is left.\n\n";
  for (const auto& r : results) {
    md << "- " << thousands(r.tables) << " tables: seam found "
       << thousands(static_cast<long>(r.changes)) << " changes (" << r.hazards
       << " hazards) and wrote **" << thousands(static_cast<long>(r.seam_out.statements))
       << "** statements (" << fmt("%.0f KiB", static_cast<double>(r.seam_out.bytes) / 1024.0)
       << "): " << verbs(r.seam_out) << ". migra wrote **"
       << thousands(static_cast<long>(r.migra_out.statements)) << "** statements ("
       << fmt("%.0f KiB", static_cast<double>(r.migra_out.bytes) / 1024.0)
       << "): " << verbs(r.migra_out) << ".\n";
    md << "  Output across the " << o.repeat << " run" << (o.repeat == 1 ? "" : "s") << ": seam "
       << (r.seam_out.hashes.size() == 1
               ? "byte-identical"
               : std::to_string(r.seam_out.hashes.size()) + " different texts")
       << ", migra "
       << (r.migra_out.hashes.size() == 1
               ? "byte-identical"
               : std::to_string(r.migra_out.hashes.size()) + " different texts")
       << ".";
    if (r.seam_out.statements == 0 || r.migra_out.statements == 0)
      md << " **An output is empty: the run is not valid.**";
    md << "\n";
    auto applied = [&](const char* who, const ApplyCheck& c) {
      md << "  Applied to a copy of `from` with `psql -v ON_ERROR_STOP=1`, " << who << "'s script ";
      if (!c.applied) {
        md << "**stopped**: `" << c.error << "`.";
      } else {
        md << "ran to the end (" << secs(c.seconds) << "); `seam diff` against to.sql then writes "
           << (c.remaining ? "**" + thousands(static_cast<long>(c.remaining)) +
                                 "** statements: " + c.left + "."
                           : std::string("nothing: the copy is `to`."));
      }
      md << "\n";
    };
    applied("seam", r.seam_apply);
    applied("migra", r.migra_apply);
  }
  return md.str();
}

std::string migra_version(const std::string& migra) {
  // .bin/migra -> ../@pgkit/migra/dist/command.js; the package.json is beside dist/.
  std::error_code ec;
  fs::path real = fs::canonical(migra, ec);
  if (ec) return "unknown";
  std::ifstream in(real.parent_path().parent_path() / "package.json");
  std::string line;
  while (std::getline(in, line)) {
    size_t k = line.find("\"version\"");
    if (k == std::string::npos) continue;
    size_t a = line.find('"', line.find(':', k) + 1),
           b = a == std::string::npos ? a : line.find('"', a + 1);
    if (b != std::string::npos) return line.substr(a + 1, b - a - 1);
  }
  return "unknown";
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  // The command line, for the report (paths shortened to the program's name).
  std::string command = "seam_bench_diff";
  for (int i = 1; i < argc; ++i) command += std::string(" ") + argv[i];
  try {
    o = parse_args(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "seam_bench_diff: " << e.what() << "\n";
    return 2;
  }

  fs::path dir;
  try {
    dir = make_temp_dir("seam_bench_diff_");
    std::string load_start = loadavg();

    seam::pg::ServerOptions so;
    // No autovacuum: its workers' CPU would count as the measured tools'.
    so.settings = {{"autovacuum", "off"}};
    seam::pg::EmbeddedServer srv(so);
    ServerCpu server(srv);
    std::string psql = client_binary(srv, "psql");
    const std::string pg_version = server_version(srv.url());
    // Loads node and migra's modules once (page cache), untimed.
    exec_tool("migra --help", {o.migra, "--help"}, dir / "migra-help.log");
    Sample floor = exec_tool("/bin/true", {"/bin/true"}, dir / "true.log");

    const std::string when = utc_now();

    std::vector<Result> results;
    for (int n : o.tables) results.push_back(run_one(srv, server, o, n, dir, psql));

    std::ostringstream header;
    header << "| | |\n|---|---|\n"
           << "| run | " << when << ", generator seed " << o.seed << ", " << o.repeat
           << " runs per measurement after an untimed pass over both databases |\n"
           << "| command | `" << command
           << "` (`bash scripts/bench-diff.sh` builds it and passes its arguments on) |\n"
           << "| machine | " << machine_summary() << " |\n"
           << "| load average | " << load_start << " at start, " << loadavg()
           << " at end (1/5/15 min) |\n"
           << "| PostgreSQL | server " << pg_version << " (embedded: fsync off, autovacuum off), "
           << capture({psql, "--version"}) << " |\n"
           << "| seam | " << capture({o.seam, "--version"}) << ", commit "
           << commit_description(SEAM_SOURCE_DIR) << ", " << SEAM_BUILD_TYPE << " build |\n"
           << "| migra | @pgkit/migra " << migra_version(o.migra)
           << " (npm, bench/migra/package-lock.json), node " << capture({"node", "--version"})
           << " |\n"
           << "| process floor | " << mib(floor.maxrss_kb)
           << " (peak RSS of /bin/true started the same way: the least any measured process can "
              "show) |\n";

    std::string md = report(o, results, header.str());
    std::cout << md;
    fs::path out(o.out);
    if (out.has_parent_path()) fs::create_directories(out.parent_path());
    std::ofstream f(out, std::ios::binary | std::ios::trunc);
    f << md;
    f.close();
    if (!f) throw std::runtime_error("cannot write " + out.string());
    std::cerr << "wrote " << out.string() << "\nstopping the server and deleting its databases\n";
  } catch (const std::exception& e) {
    std::cerr << "seam_bench_diff: " << e.what() << "\n";
    if (!dir.empty() && !o.keep) fs::remove_all(dir);
    return 1;
  }
  if (!o.keep)
    fs::remove_all(dir);
  else
    std::cerr << "kept " << dir.string() << "\n";
  return 0;
}
