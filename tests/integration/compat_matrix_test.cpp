// The compatibility matrix, measured: every compat-matrix/postgres.yaml entry
// that covers this server's version is run on a populated table
// (dialects/postgres/compat_probe.hpp) and the test fails where the matrix
// disagrees with the server (lock per table, rewrite, scan, may run inside
// BEGIN). Runs on every installed major (ctest -R compat_matrix).
//
// With SEAM_COMPAT_REPORT=<file> (docs/compat-matrix.md) it also writes this
// major's observations into that report, replacing only its own section, so
// running all majors regenerates the whole file:
//   SEAM_COMPAT_REPORT=$PWD/docs/compat-matrix.md ctest --test-dir build -R compat_matrix_test
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "compat-matrix/matrix.hpp"
#include "dialects/postgres/compat_probe.hpp"
#include "tests/support/pg_fixture.hpp"

namespace {

using seam::compat::Entry;
using seam::compat::Version;

struct Row {
  const Entry* entry;
  seam::pg::ProbeObservation obs;
  std::vector<std::string> disagreements;  // or the probe's error
};

Version server_version() {
  std::string url = seam::test::fresh_database("version");
  return Version::parse(seam::test::query_value(url, "SHOW server_version_num"));
}

std::string yn(bool b) {
  return b ? "yes" : "no";
}

std::string short_lock(const std::string& l) {
  static const std::map<std::string, std::string> m{
      {"ACCESS SHARE", "AS"},  {"ROW SHARE", "RS"},
      {"ROW EXCLUSIVE", "RE"}, {"SHARE UPDATE EXCLUSIVE", "SUE"},
      {"SHARE", "S"},          {"SHARE ROW EXCLUSIVE", "SRE"},
      {"EXCLUSIVE", "E"},      {"ACCESS EXCLUSIVE", "AE"},
      {"none", "none"}};
  std::string base = l, suffix;
  if (size_t q = l.find(" (queued)"); q != std::string::npos) {
    base = l.substr(0, q);
    suffix = " (queued)";
  }
  auto it = m.find(base);
  return (it == m.end() ? base : it->second) + suffix;
}

// This major's section of the report: one row per measured entry.
std::string section(const Version& v, const std::vector<Row>& rows) {
  std::ostringstream o;
  o << "<!-- pg" << v.major << " begin -->\n";
  o << "## PostgreSQL " << v.str() << "\n\n";
  o << "| Operation | Matrix versions | Lock observed | Other lock observed | Rewrite | Scan | In "
       "txn | Locks read | Matrix agrees |\n";
  o << "|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& r : rows) {
    const auto& ob = r.obs;
    auto lock = [](const seam::pg::RelationObservation& r) {
      return r.name + ": " + r.lock + (r.waiting ? " (queued)" : "");
    };
    std::string other = ob.other.name.empty() ? "-" : lock(ob.other);
    std::string agrees = "yes";
    if (!r.disagreements.empty()) {
      agrees = "**no**:";
      for (const auto& d : r.disagreements) agrees += " " + d + ";";
    }
    o << "| " << r.entry->op << " | " << r.entry->versions() << " | " << lock(ob.table) << " | "
      << other << " | " << yn(ob.table.rewritten || ob.other.rewritten) << " | "
      << yn(ob.table.scanned || ob.other.scanned) << " | " << yn(ob.transactional) << " | "
      << ob.lock_moment << " | " << agrees << " |\n";
  }
  o << "<!-- pg" << v.major << " end -->\n";
  return o.str();
}

// major -> section text, from an existing report.
std::map<int, std::string> read_sections(const std::string& text) {
  std::map<int, std::string> out;
  size_t pos = 0;
  while ((pos = text.find("<!-- pg", pos)) != std::string::npos) {
    size_t num_end = text.find(' ', pos + 7);
    std::string num = text.substr(pos + 7, num_end - pos - 7);
    std::string end_tag = "<!-- pg" + num + " end -->\n";
    size_t end = text.find(end_tag, pos);
    if (text.compare(num_end, 10, " begin -->") != 0 || end == std::string::npos) {
      pos = num_end;
      continue;
    }
    out[std::stoi(num)] = text.substr(pos, end + end_tag.size() - pos);
    pos = end + end_tag.size();
  }
  return out;
}

// The cross-version summary, rebuilt from the sections' rows.
std::string summary(const std::map<int, std::string>& sections) {
  std::map<std::string, std::map<int, std::string>> cells;  // op -> major -> cell
  std::vector<std::string> order;
  for (const auto& [major, text] : sections) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("| ", 0) != 0 || line.rfind("| Operation", 0) == 0) continue;
      std::vector<std::string> f;
      std::string cell;
      std::istringstream ls(line.substr(2));
      while (std::getline(ls, cell, '|')) {
        while (!cell.empty() && cell.back() == ' ') cell.pop_back();
        while (!cell.empty() && cell.front() == ' ') cell.erase(0, 1);
        f.push_back(cell);
      }
      if (f.size() < 9) continue;
      const std::string& op = f[0];
      if (!cells.count(op)) order.push_back(op);
      auto lock_of = [](const std::string& s) {
        return s.substr(s.find(": ") == std::string::npos ? 0 : s.find(": ") + 2);
      };
      std::string c = short_lock(lock_of(f[2]));
      if (f[3] != "-") c += " / " + short_lock(lock_of(f[3]));
      if (f[4] == "yes") c += ", rewrite";
      if (f[5] == "yes") c += ", scan";
      if (f[6] == "no") c += ", no txn";
      if (f[8] != "yes") c += " **(matrix disagrees)**";
      cells[op][major] = c;
    }
  }
  std::ostringstream o;
  o << "| Operation |";
  for (const auto& [major, t] : sections) o << " " << major << " |";
  o << "\n|---|";
  for (size_t i = 0; i < sections.size(); ++i) o << "---|";
  o << "\n";
  for (const auto& op : order) {
    o << "| " << op << " |";
    for (const auto& [major, t] : sections) {
      auto it = cells[op].find(major);
      o << " " << (it == cells[op].end() ? "-" : it->second) << " |";
    }
    o << "\n";
  }
  return o.str();
}

std::string render_report(const std::map<int, std::string>& sections) {
  std::ostringstream o;
  o << "# PostgreSQL DDL compatibility matrix: measured\n\n"
       "Generated by tests/integration/compat_matrix_test.cpp (do not edit by hand): every entry "
       "of\n"
       "compat-matrix/postgres.yaml that covers the server's version is run on a populated table\n"
       "(20,000 rows) in a fresh database. A second connection reads the statement's relation "
       "locks from\n"
       "pg_locks (strongest mode per relation), relfilenode before/after tells a rewrite, and\n"
       "pg_stat_all_tables.seq_scan before/after tells a full scan. Transactional statements are "
       "observed\n"
       "inside BEGIN (locks are held until COMMIT); a statement that cannot run in a transaction "
       "block is\n"
       "first checked to be rejected there, then run on its own while a third connection holds an "
       "older\n"
       "transaction it must wait for, and its locks are read while it waits (a short final phase "
       "after\n"
       "the wait, such as DETACH CONCURRENTLY's, is not observed). The test fails wherever the "
       "matrix\n"
       "disagrees; the matrix itself is printed by `seam compat`.\n\n"
       "Regenerate (each major rewrites its own section):\n\n"
       "    SEAM_COMPAT_REPORT=$PWD/docs/compat-matrix.md ctest --test-dir build -R "
       "compat_matrix_test\n\n";
  std::string missing;
  for (int major = 12; major <= 18; ++major)
    if (!sections.count(major)) missing += (missing.empty() ? "" : ", ") + std::to_string(major);
  o << "Majors measured:";
  for (const auto& [major, t] : sections) o << " " << major;
  o << ".";
  if (!missing.empty())
    o << " Not measured (no server installed where this report was generated): " << missing << ".";
  o << "\n\n## Summary\n\n"
       "Lock on the probed table / on the second table (AS = ACCESS SHARE, RS = ROW SHARE, RE = "
       "ROW EXCLUSIVE,\n"
       "SUE = SHARE UPDATE EXCLUSIVE, S = SHARE, SRE = SHARE ROW EXCLUSIVE, E = EXCLUSIVE, AE = "
       "ACCESS EXCLUSIVE),\n"
       "then what else was observed; `-` = no entry for that version.\n\n";
  o << summary(sections) << "\n";
  for (const auto& [major, text] : sections) o << text << "\n";
  return o.str();
}

void write_report(const std::string& path, const Version& v, const std::vector<Row>& rows) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0) << "cannot open " << path;
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);  // majors may run in parallel (ctest -j)
  std::string text;
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  auto sections = read_sections(text);
  sections[v.major] = section(v, rows);
  std::string out = render_report(sections);
  ASSERT_EQ(::ftruncate(fd, 0), 0);
  ASSERT_EQ(::pwrite(fd, out.data(), out.size(), 0), static_cast<ssize_t>(out.size()));
  ::flock(fd, LOCK_UN);
  ::close(fd);
}

TEST(CompatMatrix, EveryEntryMatchesTheServer) {
  const auto& m = seam::compat::builtin("postgres");
  const Version v = server_version();
  ASSERT_EQ(v.major, seam::test::test_pg_major());
  std::vector<Row> rows;
  for (const auto& e : m.entries) {
    if (!e.covers(v)) continue;
    // Only the refusals of 14.0-14.3 have no probe (checked by the unit test).
    if (e.probe.statement.empty()) {
      EXPECT_EQ(e.strategy, "refuse") << e.op << " covers " << v.str() << " but has no probe";
      continue;
    }
    Row r{&e, {}, {}};
    try {
      r.obs = seam::pg::run_probe(seam::test::fresh_database(e.op.substr(0, 30)), e);
      r.disagreements = seam::pg::compare(e, r.obs);
    } catch (const std::exception& ex) {
      r.disagreements.push_back(std::string("probe failed: ") + ex.what());
    }
    EXPECT_EQ(r.obs.server.major, v.major);
    for (const auto& d : r.disagreements)
      ADD_FAILURE() << "compat-matrix/postgres.yaml " << e.op << " (" << e.versions()
                    << ") on PostgreSQL " << v.str() << ": " << d
                    << " [observed: " << r.obs.table.name << " lock " << r.obs.table.lock
                    << " rewritten " << r.obs.table.rewritten << " scanned " << r.obs.table.scanned
                    << "; " << r.obs.other.name << " lock " << r.obs.other.lock << " rewritten "
                    << r.obs.other.rewritten << " scanned " << r.obs.other.scanned << "]";
    rows.push_back(std::move(r));
  }
  // Every operation of the matrix that exists on this version was measured.
  EXPECT_GE(rows.size(), 40u);
  if (const char* path = std::getenv("SEAM_COMPAT_REPORT"); path && *path)
    write_report(path, v, rows);
}

// The measurement can fail: copies of real entries with one fact flipped are
// reported as disagreements (lock, rewrite and scan, transactional-ness).
TEST(CompatMatrix, FalsifiedEntriesAreCaught) {
  const auto& m = seam::compat::builtin("postgres");
  const Version v = server_version();

  Entry lock = m.at("add_column_nullable", v);
  ASSERT_EQ(lock.lock, "ACCESS EXCLUSIVE");
  lock.lock = "SHARE UPDATE EXCLUSIVE";
  auto d =
      seam::pg::compare(lock, seam::pg::run_probe(seam::test::fresh_database("false_lock"), lock));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0], "lock on t: the matrix says SHARE UPDATE EXCLUSIVE, observed ACCESS EXCLUSIVE");

  Entry fk = m.at("add_foreign_key_not_valid", v);
  fk.other_lock = "ROW SHARE";
  d = seam::pg::compare(fk, seam::pg::run_probe(seam::test::fresh_database("false_other"), fk));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0], "lock on p: the matrix says ROW SHARE, observed SHARE ROW EXCLUSIVE");

  Entry rewrite = m.at("alter_type_rewrite", v);
  rewrite.rewrite = false;
  rewrite.scan = false;
  d = seam::pg::compare(rewrite,
                        seam::pg::run_probe(seam::test::fresh_database("false_rewrite"), rewrite));
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0], "rewrite: the matrix says false, observed true (relfilenode)");
  EXPECT_EQ(d[1], "scan: the matrix says false, observed true (pg_stat_all_tables.seq_scan)");

  Entry cic = m.at("create_index_concurrently", v);
  cic.transactional = true;  // the probe then runs it inside BEGIN, which the server refuses
  d = seam::pg::compare(cic, seam::pg::run_probe(seam::test::fresh_database("false_txn"), cic));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NE(
      d[0].find("transactional: the matrix says true, but the server rejected it inside BEGIN"),
      std::string::npos)
      << d[0];

  Entry nullable = m.at("add_column_nullable", v);
  nullable.transactional = false;  // the server accepts it inside BEGIN: reported
  nullable.probe.hold = "SELECT 1";
  d = seam::pg::compare(nullable,
                        seam::pg::run_probe(seam::test::fresh_database("false_txn2"), nullable));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0], "transactional: the matrix says false, but the server ran it inside BEGIN");
}

}  // namespace
