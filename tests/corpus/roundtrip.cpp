// seam_corpus roundtrip: the differ's round trip over the external corpus
// (see roundtrip.hpp). Per case and direction (forward: from -> to, reverse:
// to -> from):
//  1. the target side is loaded offline (schema::load_path); a rejection is
//     "not supported" with the loader's reason;
//  2. the source side is loaded into a fresh database with psql;
//  3. seam diffs the inspected database against the target model, the script
//     is applied with psql -v ON_ERROR_STOP=1;
//  4. the database is inspected again and must equal the target model
//     (schema::compare), and a second diff must be empty.
// With --via plan, step 3 plans the change with the zero-downtime planner
// (dialects/postgres/plan.hpp, for the server's version) instead and runs
// every step of the plan in order (tests/support/plan_runner.hpp): the round
// trip through the safe plan.
// Failures are grouped by cause in the report (docs/roundtrip-corpus.md).
#include "tests/corpus/roundtrip.hpp"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <pqxx/pqxx>

#include "dialects/postgres/conn.hpp"
#include "dialects/postgres/inspect.hpp"
#include "dialects/postgres/plan.hpp"
#include "dialects/postgres/render_change.hpp"
#include "differ/diff.hpp"
#include "planner/plan_render.hpp"
#include "schema/canon.hpp"
#include "schema/compare.hpp"
#include "schema/errors.hpp"
#include "schema/load.hpp"
#include "tests/corpus/corpus.hpp"
#include "tests/support/pg_fixture.hpp"
#include "tests/support/plan_check.hpp"
#include "tests/support/plan_input.hpp"
#include "tests/support/plan_runner.hpp"

namespace seam::corpus {

namespace {

schema::Catalog inspect_url(const std::string& url) {
  auto c = pg::connect(url);
  return pg::inspect(*c);
}

// Applies the plain diff script with psql; "" on success, else fills `o`.
bool apply_script(const schema::Catalog& live, const schema::Catalog& target, const std::string& url,
                  std::string& shown, Outcome& o) {
  std::string script;
  try {
    script = pg::migration_script(differ::diff(live, target));
  } catch (const std::exception& e) {
    o.reason = cause_of_error("diff: ", e.what());
    o.detail = e.what();
    return false;
  }
  shown = script;
  if (script.empty()) return true;
  auto tmp = std::filesystem::temp_directory_path() / ("seam_rt_" + std::to_string(getpid()) + ".sql");
  std::ofstream(tmp, std::ios::binary) << script;
  try {
    test::run_psql_file(url, tmp);
  } catch (const std::exception& e) {
    std::string msg = e.what();
    size_t p = msg.find("ERROR:");
    o.reason = cause_of_error("apply: ", p == std::string::npos ? msg : msg.substr(p));
    o.detail = msg + "\n--- script:\n" + script;
    return false;
  }
  return true;
}

// Plans the change for the server's version and runs every step in order.
bool apply_plan(pqxx::connection& c, const schema::Catalog& live, const schema::Catalog& target, std::string& shown,
                Outcome& o, planner::Plan& plan) {
  try {
    plan = pg::make_plan(differ::diff(live, target), live, target, test::plan_input(c, live, target));
  } catch (const std::exception& e) {
    o.reason = cause_of_error("plan: ", e.what());
    o.detail = e.what();
    return false;
  }
  shown = plan.empty() ? "" : planner::to_sql(plan);
  try {
    test::run_plan_sequentially(c, plan);
  } catch (const std::exception& e) {
    std::string msg = e.what();
    size_t p = msg.find("ERROR:");
    o.reason = cause_of_error("run plan: ", p == std::string::npos ? msg : msg.substr(p));
    o.detail = msg + "\n--- plan:\n" + shown;
    return false;
  }
  return true;
}

Outcome run_in(const std::filesystem::path& src, const schema::Catalog& target, const std::string& url, bool via_plan) {
  Outcome o;
  try {
    test::run_psql_file(url, src);
  } catch (const std::exception& e) {
    o.reason = "harness: source side does not load";
    o.detail = e.what();
    return o;
  }
  std::string script;  // what was applied: the script, or the plan's SQL preview
  planner::Plan plan;
  {
    auto c = pg::connect(url);
    schema::Catalog live;
    try {
      live = pg::inspect(*c);
    } catch (const std::exception& e) {
      o.reason = cause_of_error("diff: ", e.what());
      o.detail = e.what();
      return o;
    }
    bool ok = via_plan ? apply_plan(*c, live, target, script, o, plan) : apply_script(live, target, url, script, o);
    if (!ok) return o;
  }
  schema::Catalog after;
  try {
    after = inspect_url(url);
  } catch (const std::exception& e) {
    o.reason = cause_of_error("inspect after apply: ", e.what());
    o.detail = e.what();
    return o;
  }
  // Through the plan, columns it moved (and said so) may end in another order.
  auto d = via_plan ? test::compare_after_plan(target, after, plan) : schema::compare(target, after);
  if (!d.empty()) {
    o.reason = cause_of_diff("after apply: ", d[0]);
    o.detail = schema::format_differences(d, 30) + "--- script:\n" + script;
    return o;
  }
  std::string again = pg::migration_script(differ::diff(after, target));
  if (!again.empty()) {
    o.reason = "not converged: a second diff is not empty";
    o.detail = again;
    return o;
  }
  o.pass = true;
  return o;
}

Outcome run_case(const Case& c, bool reverse, bool via_plan) {
  auto src = c.dir / (reverse ? "to.sql" : "from.sql");
  auto dst = c.dir / (reverse ? "from.sql" : "to.sql");
  Outcome o;
  schema::Catalog target;
  try {
    target = schema::load_path(dst.string()).catalog;
  } catch (const std::exception& e) {
    o.reason = cause_of_error("not supported: offline loader rejects the target: ", e.what());
    o.detail = e.what();
    return o;
  }
  auto& srv = test::server();
  ensure_roles(srv.url(), c.roles);
  std::string url = test::fresh_database(c.source.substr(0, 4));
  std::string db = url.substr(url.rfind('/') + 1);
  try {
    o = run_in(src, target, url, via_plan);
  } catch (...) {
    cleanup(srv.url(), db);
    throw;
  }
  cleanup(srv.url(), db);
  return o;
}

}  // namespace

int roundtrip_main(int argc, char** argv) {
  size_t sample_n = 0;
  std::string only_source, only_case, report_path, direction, via = "script";
  double min_rate = -1;
  std::string command = "build/tests/seam_corpus";
  for (int i = 1; i < argc; i++) command += std::string(" ") + argv[i];
  for (int i = 2; i < argc; i++) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--sample") sample_n = std::stoul(next());
    else if (a == "--source") only_source = next();
    else if (a == "--case") only_case = next();
    else if (a == "--report") report_path = next();
    else if (a == "--direction") direction = next();
    else if (a == "--via") via = next();
    else if (a == "--min-pass-rate") min_rate = std::stod(next());
    else {
      std::cerr << "unknown option " << a << "\n";
      return 64;
    }
  }
  if (via != "script" && via != "plan") {
    std::cerr << "--via must be script (the plain diff, applied with psql) or plan (the safe plan, step by step)\n";
    return 64;
  }
  bool via_plan = via == "plan";
  auto all = read_index(default_corpus_dir());
  std::vector<Case> pop;
  for (auto& c : all)
    if (c.from_loads && c.to_loads && (only_source.empty() || c.source == only_source) &&
        (only_case.empty() || c.name == only_case))
      pop.push_back(c);
  pop = sample(pop, sample_n);
  Report rep;
  rep.title = (via_plan ? "Round trip through the safe plan on the external corpus (PostgreSQL "
                        : "Differ round trip on the external corpus (PostgreSQL ") +
              std::to_string(test::test_pg_major()) + ")";
  int unsupported = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (const auto& c : pop) {
    for (bool reverse : {false, true}) {
      if ((direction == "forward" && reverse) || (direction == "reverse" && !reverse)) continue;
      Outcome o;
      try {
        o = run_case(c, reverse, via_plan);
      } catch (const std::exception& e) {
        o.reason = cause_of_error("harness: ", e.what());
        o.detail = e.what();
      }
      std::string key = c.source + (reverse ? " (reverse)" : " (forward)");
      auto& ps = rep.per_source[key];
      ps.second++;
      if (o.pass) {
        ps.first++;
      } else {
        if (o.reason.rfind("not supported", 0) == 0) unsupported++;
        rep.failures.push_back({c.source + "/" + c.name + (reverse ? " (reverse)" : ""), o});
        if (!only_case.empty()) std::cerr << o.reason << "\n" << o.detail << "\n";
      }
    }
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (const auto& [s, v] : rep.per_source) std::cout << s << ": " << v.first << "/" << v.second << "\n";
  double rate = rep.total() ? static_cast<double>(rep.passed()) / rep.total() : 0;
  std::cout << "all: " << rep.passed() << "/" << rep.total() << " (" << rate * 100 << "%) in " << secs << " s; "
            << unsupported << " not supported by the offline loader\n";
  if (!report_path.empty()) {
    std::ofstream(report_path) << rep.markdown(command);
    std::cout << "report: " << report_path << "\n";
  }
  if (min_rate >= 0 && rate < min_rate) {
    std::cerr << "pass rate " << rate << " is below the required " << min_rate << "\n";
    return 1;
  }
  return 0;
}

}  // namespace seam::corpus
