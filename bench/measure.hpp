// How the benchmarks measure (docs/bench.md), shared by seam_bench_foundation
// and seam_bench_diff: every measured piece of work runs in its own process,
// a forked child for seam's library code (in_child) or an exec'd program for
// seam's CLI and the baselines (exec_tool), so that wait4's ru_maxrss is that
// work's peak RSS and its CPU time is that process's alone. Repeated samples
// are summarised by their median. Also the formatting of the reports and the
// facts they name about the machine and the build.
//
//   Sample s = in_child("load", [&](std::string& info) { ...; return seconds; });
//   Sample t = exec_tool("psql", {psql, "-f", file}, dir / "psql.log");
//   Stat st = summarize({s1, s2, s3});
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <sys/resource.h>

namespace seam::pg {
class EmbeddedServer;
}

namespace seam::bench {

// One run of one measured piece of work.
struct Sample {
  double seconds = 0;
  long maxrss_kb = 0;
  double cpu_seconds = 0;  // user + system time of the measured process
  double server_cpu = -1;  // the server backend's, when it could be read (< 0: unknown)
  std::string info;        // what the work reported about its result
};

// The median of repeated samples, and the fastest and slowest run.
struct Stat {
  double seconds = 0;  // median
  double min = 0, max = 0;
  long maxrss_kb = 0;      // median
  double cpu_seconds = 0;  // median
  double server_cpu = -1;  // median, < 0 = unknown
};

Stat summarize(const std::vector<Sample>& v);

double cpu_of(const rusage& ru);
// CPU seconds from a /proc/<pid>/stat line: the process's own (utime +
// stime), or with `waited_children` that of its children it has reaped
// (cutime + cstime); -1 if the line is not one.
double cpu_from_proc_stat(const std::string& line, bool waited_children = false);
std::string describe_status(int status);

// Runs `fn` in a forked child. fn times the work it is meant to measure
// (excluding setup it must do first) and describes its result in `info`; an
// exception in the child is rethrown here as std::runtime_error naming `what`.
// The child never returns into the caller: _exit skips the destructors of
// objects it inherited (an embedded server belongs to the parent).
Sample in_child(const std::string& what, const std::function<double(std::string&)>& fn);

// Runs a program to completion; wall time from before the fork to the end of
// wait4. stderr goes to `log`, stdout too unless `out` names another file. A
// non-zero exit is an error quoting the tail of the log.
Sample exec_tool(const std::string& what, const std::vector<std::string>& argv,
                 const std::filesystem::path& log, const std::filesystem::path& out = {});

// Formatting for the reports.
std::string fmt(const char* f, double v);
std::string secs(double s);  // "0.512 s", "24.6 s"
std::string mib(long kb);    // "54.6 MiB"
std::string thousands(long n);
std::string range(const Stat& s);  // "0.435–0.595 s"
std::string trim(std::string s);
// num / den of the medians' wall times, "–" when den is 0; 3 significant
// digits below 0.1, 2 decimals below 10, 1 above.
std::string ratio(const Stat& num, const Stat& den);

// A fresh private directory under the system's temporary directory.
std::filesystem::path make_temp_dir(const std::string& prefix);
// "2026-11-25 15:26 UTC"
std::string utc_now();
// SHOW server_version of the server at `url`.
std::string server_version(const std::string& url);

// Facts about the machine and the build, for the report's header.
std::string read_first_line_with(const char* path,
                                 const std::string& key);  // value after "key ... :"
std::string loadavg();
std::string machine_summary();  // "2 CPUs (nproc), AMD EPYC, 23.5 GiB memory"
// A program's output (first line trimmed of trailing newlines), "" if it fails.
std::string capture(const std::vector<std::string>& argv);
// "ecf19a25a2e6" plus a note when the working tree has uncommitted changes.
std::string commit_description(const std::string& source_dir);
// psql or pg_dump of the server's own installation when it has them (the
// Debian wrappers in /usr/bin are Perl scripts, whose start-up time and
// memory would be measured too).
std::string client_binary(const seam::pg::EmbeddedServer& srv, const std::string& name);

// The options every benchmark takes.
struct RunOptions {
  std::vector<int> tables = {1000, 5000};  // --tables 1000,5000
  int repeat = 3;                          // --repeat N (at least 1)
  uint64_t seed = 1;                       // --seed S (the generator's)
  std::string out;                         // --out FILE (the report)
  bool keep = false;                       // --keep (the temporary files)
};

// When argv[i] is one of RunOptions', stores it (taking its value from
// argv[++i]) and returns true; false for any other argument. Throws
// std::invalid_argument for a missing or malformed value.
bool parse_run_option(int argc, char** argv, int& i, RunOptions& o);

// Command-line values: "1000,5000" (underscores allowed), and a
// non-negative integer; std::invalid_argument naming `opt` otherwise.
std::vector<int> parse_tables(const std::string& s);
uint64_t parse_number(const std::string& opt, const std::string& text);

}  // namespace seam::bench
