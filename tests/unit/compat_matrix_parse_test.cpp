// The compatibility matrix without a server: version parsing, which entry
// covers which version, every error the YAML reader reports (with its
// origin:line:col), the built-in postgres matrix, and the renderings.
#include <algorithm>

#include <gtest/gtest.h>

#include "compat-matrix/matrix.hpp"
#include "schema/errors.hpp"

namespace {

using seam::compat::Entry;
using seam::compat::Matrix;
using seam::compat::Version;

// A one-entry matrix whose entry body is `body` (indented under "- ").
std::string doc(const std::string& entries) {
  return "dialect: test\nproduct: TestSQL\nentries:\n" + entries;
}

const std::string kEntry =
    "  - op: add_thing\n"
    "    versions: \"12+\"\n"
    "    lock: ACCESS EXCLUSIVE\n"
    "    rewrite: false\n"
    "    scan: false\n"
    "    transactional: true\n"
    "    strategy: direct\n"
    "    source: https://example.org/doc\n";

// The InputError message parse() throws for `text` ("" when it does not throw).
std::string parse_error(const std::string& text) {
  try {
    seam::compat::parse(text, "m.yaml");
  } catch (const seam::InputError& e) {
    return e.what();
  }
  return "";
}

TEST(CompatVersion, ParsesEverySpelling) {
  Version v = Version::parse("15");
  EXPECT_EQ(v.major, 15);
  EXPECT_EQ(v.minor, -1);
  EXPECT_EQ(v.str(), "15");
  v = Version::parse("15.4");
  EXPECT_EQ(v.major, 15);
  EXPECT_EQ(v.minor, 4);
  EXPECT_EQ(v.str(), "15.4");
  v = Version::parse("160002");
  EXPECT_EQ(v.major, 16);
  EXPECT_EQ(v.minor, 2);
  v = Version::parse("120020");
  EXPECT_EQ(v.str(), "12.20");
  v = Version::parse("90605");
  EXPECT_EQ(v.str(), "9.6");
  v = Version::parse(
      "PostgreSQL 16.2 (Debian 16.2-1.pgdg120+2) on x86_64-pc-linux-gnu, compiled by gcc (Debian "
      "12.2.0-14) 12.2.0, 64-bit");
  EXPECT_EQ(v.str(), "16.2");
  v = Version::parse("  18.1\n");
  EXPECT_EQ(v.str(), "18.1");
  v = Version::parse("17beta1");
  EXPECT_EQ(v.major, 17);
  EXPECT_EQ(v.minor, -1);
}

TEST(CompatVersion, RejectsGarbage) {
  for (const char* bad : {"", "abc", "15.", "15,3", "PostgreSQL", "0", ".5", "15-3"}) {
    EXPECT_THROW(Version::parse(bad), seam::InputError) << bad;
  }
  try {
    Version::parse("sixteen");
    FAIL();
  } catch (const seam::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("\"sixteen\""), std::string::npos) << e.what();
  }
}

TEST(CompatVersion, Orders) {
  EXPECT_LT(Version::parse("14.3"), Version::parse("14.4"));
  EXPECT_LT(Version::parse("13.9"), Version::parse("14.0"));
}

Entry entry(int min_major, int min_minor, int max_major, int max_minor) {
  Entry e;
  e.min_major = min_major;
  e.min_minor = min_minor;
  e.max_major = max_major;
  e.max_minor = max_minor;
  return e;
}

TEST(CompatEntry, CoversRanges) {
  Entry open = entry(12, 0, 0, -1);  // 12+
  EXPECT_FALSE(open.covers(Version::parse("11.9")));
  EXPECT_TRUE(open.covers(Version::parse("12")));
  EXPECT_TRUE(open.covers(Version::parse("12.0")));
  EXPECT_TRUE(open.covers(Version::parse("99.1")));
  EXPECT_EQ(open.versions(), "12+");

  Entry closed = entry(12, 0, 17, -1);  // 12-17
  EXPECT_TRUE(closed.covers(Version::parse("17.9")));
  EXPECT_TRUE(closed.covers(Version::parse("17")));
  EXPECT_FALSE(closed.covers(Version::parse("18.0")));
  EXPECT_EQ(closed.versions(), "12-17");

  Entry fixed = entry(14, 4, 0, -1);  // 14.4+
  EXPECT_FALSE(fixed.covers(Version::parse("14.3")));
  EXPECT_TRUE(fixed.covers(Version::parse("14.4")));
  EXPECT_TRUE(fixed.covers(Version::parse("14")));  // unknown minor: the latest
  EXPECT_TRUE(fixed.covers(Version::parse("15.0")));
  EXPECT_EQ(fixed.versions(), "14.4+");

  Entry buggy = entry(14, 0, 14, 3);  // 14.0-14.3
  EXPECT_TRUE(buggy.covers(Version::parse("14.0")));
  EXPECT_TRUE(buggy.covers(Version::parse("14.3")));
  EXPECT_FALSE(buggy.covers(Version::parse("14.4")));
  EXPECT_FALSE(buggy.covers(Version::parse("14")));
  EXPECT_FALSE(buggy.covers(Version::parse("13.9")));
  EXPECT_EQ(buggy.versions(), "14.0-14.3");

  Entry one = entry(18, 0, 18, -1);  // 18
  EXPECT_TRUE(one.covers(Version::parse("18.3")));
  EXPECT_FALSE(one.covers(Version::parse("17.3")));
  EXPECT_FALSE(one.covers(Version::parse("19")));
  EXPECT_EQ(one.versions(), "18");
}

TEST(CompatParse, ReadsAnEntry) {
  Matrix m = seam::compat::parse(doc(kEntry + "    other_lock: ROW SHARE\n"
                                              "    notes: a note\n"
                                              "    probe:\n"
                                              "      setup: |\n"
                                              "        CREATE TABLE t (a int);\n"
                                              "        CREATE TABLE u (a int);\n"
                                              "      statement: ALTER TABLE t ADD COLUMN b int\n"
                                              "      table: t\n"
                                              "      other_table: u\n"),
                                 "m.yaml");
  EXPECT_EQ(m.dialect, "test");
  EXPECT_EQ(m.product, "TestSQL");
  ASSERT_EQ(m.entries.size(), 1u);
  const Entry& e = m.entries[0];
  EXPECT_EQ(e.op, "add_thing");
  EXPECT_EQ(e.min_major, 12);
  EXPECT_EQ(e.max_major, 0);
  EXPECT_EQ(e.lock, "ACCESS EXCLUSIVE");
  EXPECT_EQ(e.other_lock, "ROW SHARE");
  EXPECT_FALSE(e.rewrite);
  EXPECT_TRUE(e.transactional);
  EXPECT_EQ(e.strategy, "direct");
  EXPECT_EQ(e.notes, "a note");
  EXPECT_EQ(e.probe.setup, "CREATE TABLE t (a int);\nCREATE TABLE u (a int);\n");
  EXPECT_EQ(e.probe.statement, "ALTER TABLE t ADD COLUMN b int");
  EXPECT_EQ(e.probe.table, "t");
  EXPECT_EQ(e.probe.other_table, "u");
}

TEST(CompatParse, LooksUpAcrossRanges) {
  std::string two = kEntry;
  two.replace(two.find("\"12+\""), 5, "\"12-17\"");
  std::string three = kEntry;
  three.replace(three.find("\"12+\""), 5, "\"18+\"");
  three.replace(three.find("direct"), 6, "concurrently");
  Matrix m = seam::compat::parse(doc(two + three), "m.yaml");
  EXPECT_EQ(m.at("add_thing", Version::parse("17.2")).strategy, "direct");
  EXPECT_EQ(m.at("add_thing", Version::parse("18.0")).strategy, "concurrently");
  EXPECT_EQ(m.find("add_thing", Version::parse("11.5")), nullptr);
  EXPECT_EQ(m.find("other", Version::parse("15")), nullptr);
  EXPECT_EQ(m.ops(), std::vector<std::string>{"add_thing"});
  try {
    m.at("add_thing", Version::parse("11.5"));
    FAIL();
  } catch (const seam::UnsupportedError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("add_thing"), std::string::npos) << msg;
    EXPECT_NE(msg.find("TestSQL 11.5"), std::string::npos) << msg;
    EXPECT_NE(msg.find("12-17, 18+"), std::string::npos) << msg;
  }
  try {
    m.at("drop_thing", Version::parse("15"));
    FAIL();
  } catch (const seam::UnsupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("no operation \"drop_thing\""), std::string::npos)
        << e.what();
  }
}

TEST(CompatParse, SyntaxErrorHasLineAndColumn) {
  std::string msg = parse_error("dialect: test\nentries: [\n  - op: x\n");
  EXPECT_EQ(msg.rfind("m.yaml:", 0), 0u) << msg;
  EXPECT_NE(msg.find(":3:"), std::string::npos) << msg;  // yaml-cpp's mark, one-based
}

TEST(CompatParse, UnknownKeysAreErrors) {
  EXPECT_EQ(parse_error(doc(kEntry) + "extra: 1\n")
                .rfind("m.yaml:12:1: unknown key \"extra\" in the matrix", 0),
            0u)
      << parse_error(doc(kEntry) + "extra: 1\n");
  std::string m = parse_error(doc(kEntry + "    lokc: SHARE\n"));
  EXPECT_EQ(m.rfind("m.yaml:12:5: unknown key \"lokc\" in an entry", 0), 0u) << m;
  m = parse_error(doc(kEntry + "    probe:\n      statement: x\n      table: t\n      tabel: t\n"));
  EXPECT_EQ(m.rfind("m.yaml:15:7: unknown key \"tabel\" in a probe", 0), 0u) << m;
  m = parse_error(doc(kEntry + "    notes: a\n    notes: b\n"));
  EXPECT_EQ(m.rfind("m.yaml:13:5: duplicate key \"notes\"", 0), 0u) << m;
}

TEST(CompatParse, UnknownLocksAndStrategiesAreErrors) {
  std::string bad_lock = kEntry;
  bad_lock.replace(bad_lock.find("ACCESS EXCLUSIVE"), 16, "ACCESS EXCLUSIVE LOCK");
  std::string m = parse_error(doc(bad_lock));
  EXPECT_EQ(m.rfind("m.yaml:6:11: unknown lock \"ACCESS EXCLUSIVE LOCK\" in \"lock\"", 0), 0u) << m;
  m = parse_error(doc(
      kEntry + "    other_lock: ShareLock\n    probe: {statement: x, table: t, other_table: u}\n"));
  EXPECT_EQ(m.rfind("m.yaml:12:17: unknown lock \"ShareLock\" in \"other_lock\"", 0), 0u) << m;
  std::string bad_strategy = kEntry;
  bad_strategy.replace(bad_strategy.find("direct"), 6, "yolo");
  m = parse_error(doc(bad_strategy));
  EXPECT_EQ(m.rfind("m.yaml:10:15: unknown strategy \"yolo\"", 0), 0u) << m;
}

TEST(CompatParse, OverlappingRangesAreErrors) {
  auto with = [](const std::string& versions) {
    std::string e = kEntry;
    e.replace(e.find("\"12+\""), 5, "\"" + versions + "\"");
    return e;
  };
  std::string m = parse_error(doc(with("12-17") + with("17+")));
  EXPECT_EQ(m.rfind("m.yaml:12:5: entry add_thing for versions 17+ overlaps the entry for versions "
                    "12-17 at line 4",
                    0),
            0u)
      << m;
  m = parse_error(doc(with("14.0-14.3") + with("14.3+")));
  EXPECT_NE(m.find("overlaps"), std::string::npos) << m;
  m = parse_error(doc(with("14") + with("12+")));
  EXPECT_NE(m.find("overlaps"), std::string::npos) << m;
  // Adjacent ranges are fine, and so are equal ranges of different ops.
  EXPECT_EQ(parse_error(doc(with("12-13") + with("14.0-14.3") + with("14.4+"))), "");
  std::string other = with("12+");
  other.replace(other.find("add_thing"), 9, "drop_thing");
  EXPECT_EQ(parse_error(doc(with("12+") + other)), "");
}

TEST(CompatParse, MalformedValuesAreErrors) {
  auto with_versions = [](const std::string& v) {
    std::string e = kEntry;
    e.replace(e.find("\"12+\""), 5, v);
    return parse_error(doc(e));
  };
  for (const char* v :
       {"\"12++\"", "\"twelve\"", "\"12-\"", "\"-17\"", "\"12.+\"", "\"0+\"", "[12]"}) {
    std::string m = with_versions(v);
    EXPECT_EQ(m.rfind("m.yaml:5:15: ", 0), 0u) << v << ": " << m;
  }
  EXPECT_NE(with_versions("\"17-12\"").find("upper bound is below"), std::string::npos);
  EXPECT_NE(with_versions("\"14.4-14.2\"").find("upper bound is below"), std::string::npos);

  std::string bad_bool = kEntry;
  bad_bool.replace(bad_bool.find("rewrite: false"), 14, "rewrite: maybe");
  EXPECT_EQ(parse_error(doc(bad_bool)).rfind("m.yaml:7:14: \"rewrite\" must be true or false", 0),
            0u)
      << parse_error(doc(bad_bool));
  std::string bad_op = kEntry;
  bad_op.replace(bad_op.find("add_thing"), 9, "Add Thing");
  EXPECT_NE(parse_error(doc(bad_op)).find("must be a lowercase id"), std::string::npos);
  std::string no_lock = kEntry;
  no_lock.erase(no_lock.find("    lock: ACCESS EXCLUSIVE\n"), 27);
  EXPECT_EQ(parse_error(doc(no_lock)).rfind("m.yaml:4:5: missing key \"lock\"", 0), 0u)
      << parse_error(doc(no_lock));
  EXPECT_NE(
      parse_error("dialect: x\nproduct: y\nentries: {a: 1}\n").find("\"entries\" must be a list"),
      std::string::npos);
  EXPECT_NE(parse_error("dialect: x\nproduct: y\n").find("missing key \"entries\""),
            std::string::npos);
  EXPECT_NE(parse_error("").find("empty compatibility matrix"), std::string::npos);
  EXPECT_NE(parse_error("- a\n- b\n").find("the matrix must be a mapping"), std::string::npos);
}

TEST(CompatParse, ProbeConsistencyIsChecked) {
  std::string m = parse_error(doc(kEntry + "    probe:\n      statement: x\n"));
  EXPECT_NE(m.find("missing key \"table\""), std::string::npos) << m;
  m = parse_error(
      doc(kEntry + "    other_lock: SHARE\n    probe:\n      statement: x\n      table: t\n"));
  EXPECT_NE(m.find("has other_lock but its probe names no other_table"), std::string::npos) << m;
  m = parse_error(
      doc(kEntry + "    probe:\n      statement: x\n      table: t\n      hold: SELECT 1\n"));
  EXPECT_NE(m.find("\"hold\" is only for statements that cannot run in a transaction"),
            std::string::npos)
      << m;
}

TEST(CompatLocks, RanksFollowPostgresOrder) {
  EXPECT_EQ(seam::compat::lock_rank("none"), 0);
  EXPECT_EQ(seam::compat::lock_rank("ACCESS SHARE"), 1);
  EXPECT_LT(seam::compat::lock_rank("SHARE UPDATE EXCLUSIVE"), seam::compat::lock_rank("SHARE"));
  EXPECT_EQ(seam::compat::lock_rank("ACCESS EXCLUSIVE"), 8);
  EXPECT_EQ(seam::compat::lock_rank("AccessExclusiveLock"), -1);
}

TEST(CompatBuiltin, PostgresCoversTheIssueOpsOnEveryMajor) {
  const Matrix& m = seam::compat::builtin("postgres");
  EXPECT_EQ(m.product, "PostgreSQL");
  auto dialects = seam::compat::builtin_dialects();
  EXPECT_NE(std::find(dialects.begin(), dialects.end(), "postgres"), dialects.end());
  for (const char* op : {"add_column_nullable",
                         "add_column_constant_default",
                         "add_column_volatile_default",
                         "add_column_not_null_default",
                         "add_column_identity",
                         "add_column_generated_stored",
                         "set_default",
                         "drop_default",
                         "set_not_null",
                         "drop_not_null",
                         "alter_type_binary_coercible",
                         "alter_type_rewrite",
                         "add_check",
                         "add_check_not_valid",
                         "validate_check",
                         "add_foreign_key",
                         "add_foreign_key_not_valid",
                         "validate_foreign_key",
                         "add_unique",
                         "add_primary_key",
                         "create_unique_index_concurrently",
                         "add_constraint_using_index",
                         "create_index",
                         "create_index_concurrently",
                         "drop_index",
                         "drop_index_concurrently",
                         "drop_constraint",
                         "drop_column",
                         "drop_table",
                         "rename_column",
                         "rename_table",
                         "add_enum_value",
                         "replace_view",
                         "create_trigger",
                         "drop_trigger",
                         "attach_partition",
                         "detach_partition",
                         "create_table"}) {
    for (int major : {12, 13, 14, 15, 16, 17, 18}) {
      EXPECT_NE(m.find(op, Version{major, -1}), nullptr) << op << " on " << major;
    }
  }
  // The version-dependent choices the planner relies on.
  EXPECT_EQ(m.at("set_not_null", Version::parse("17.5")).strategy,
            "check_not_valid_then_set_not_null");
  EXPECT_EQ(m.at("set_not_null", Version::parse("18.0")).strategy, "not_null_not_valid");
  EXPECT_EQ(m.at("create_index_concurrently", Version::parse("14.2")).strategy, "refuse");
  EXPECT_EQ(m.at("create_index_concurrently", Version::parse("14.4")).strategy, "concurrently");
  EXPECT_FALSE(m.at("create_index_concurrently", Version::parse("16.1")).transactional);
  EXPECT_EQ(m.find("detach_partition_concurrently", Version::parse("13.4")), nullptr);
  EXPECT_NE(m.find("detach_partition_concurrently", Version::parse("14.0")), nullptr);
  EXPECT_EQ(m.find("add_not_null_not_valid", Version::parse("17.9")), nullptr);
  // Every entry the test harness can run has a probe; the only exceptions are
  // the refusals of 14.0-14.3, which no installed server can confirm.
  for (const auto& e : m.entries)
    if (e.probe.statement.empty()) EXPECT_EQ(e.strategy, "refuse") << e.op << " " << e.versions();
  EXPECT_THROW(seam::compat::builtin("oracle"), seam::UnsupportedError);
}

TEST(CompatRender, YamlRoundTripsAndIsStable) {
  const Matrix& m = seam::compat::builtin("postgres");
  std::string y = seam::compat::render_yaml(m, std::nullopt);
  EXPECT_EQ(y, seam::compat::render_yaml(m, std::nullopt));
  Matrix back = seam::compat::parse(y, "rendered.yaml");
  ASSERT_EQ(back.entries.size(), m.entries.size());
  for (size_t i = 0; i < m.entries.size(); ++i) {
    const Entry &a = m.entries[i], &b = back.entries[i];
    EXPECT_EQ(a.op, b.op);
    EXPECT_EQ(a.versions(), b.versions());
    EXPECT_EQ(a.lock, b.lock);
    EXPECT_EQ(a.other_lock, b.other_lock);
    EXPECT_EQ(a.rewrite, b.rewrite);
    EXPECT_EQ(a.scan, b.scan);
    EXPECT_EQ(a.transactional, b.transactional);
    EXPECT_EQ(a.strategy, b.strategy);
    EXPECT_EQ(a.notes, b.notes);
    EXPECT_EQ(a.source, b.source);
    EXPECT_EQ(a.probe.setup, b.probe.setup);
    EXPECT_EQ(a.probe.statement, b.probe.statement);
    EXPECT_EQ(a.probe.table, b.probe.table);
    EXPECT_EQ(a.probe.other_table, b.probe.other_table);
    EXPECT_EQ(a.probe.hold, b.probe.hold);
  }
  // Limited to one version: only the entries covering it.
  Matrix v17 =
      seam::compat::parse(seam::compat::render_yaml(m, Version::parse("17.2")), "v17.yaml");
  for (const auto& e : v17.entries) EXPECT_TRUE(e.covers(Version::parse("17.2"))) << e.op;
  EXPECT_EQ(v17.find("add_not_null_not_valid", Version::parse("18")), nullptr);
}

TEST(CompatRender, MarkdownTable) {
  Matrix m = seam::compat::parse(doc(kEntry + "    notes: a | b\n"), "m.yaml");
  std::string md = seam::compat::render_markdown(m, std::nullopt);
  EXPECT_NE(md.find("| Operation | Versions | Lock | Other lock | Rewrite | Scan | In txn | "
                    "Strategy | Notes | Source |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| add_thing | 12+ | ACCESS EXCLUSIVE | - | no | no | yes | direct | a \\| b | "
                    "https://example.org/doc |"),
            std::string::npos)
      << md;
  EXPECT_EQ(seam::compat::render_markdown(m, Version::parse("11")).find("| add_thing |"),
            std::string::npos);
  EXPECT_NE(seam::compat::render_markdown(m, Version::parse("11")).find("for TestSQL 11"),
            std::string::npos);
}

}  // namespace
