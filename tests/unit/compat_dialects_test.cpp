// The compatibility matrices of the products seam cannot run here
// (cockroachdb, yugabytedb, spanner-pg, tidb) and the schema extensions they
// need: `verified: false`, versions "all", product version spellings
// (v24.1.3, 2024.2.9.0). Every file parses with the strict reader (so ranges
// of one op are disjoint), every entry names its source, every entry is
// marked unverified, and the version-dependent choices the docs describe are
// the ones the files encode.
#include <gtest/gtest.h>

#include <algorithm>

#include "compat-matrix/matrix.hpp"
#include "schema/errors.hpp"

namespace {

using seam::compat::Entry;
using seam::compat::Matrix;
using seam::compat::Version;

const std::vector<std::string> kOthers{"cockroachdb", "spanner-pg", "tidb", "yugabytedb"};

std::string doc(const std::string& entries) {
  return "dialect: test\nproduct: TestSQL\nentries:\n" + entries;
}

std::string entry(const std::string& versions, const std::string& extra = "") {
  return "  - op: add_thing\n"
         "    versions: \"" +
         versions +
         "\"\n"
         "    lock: none\n"
         "    rewrite: false\n"
         "    scan: false\n"
         "    transactional: false\n"
         "    strategy: online_job\n"
         "    source: https://example.org/doc\n" +
         extra;
}

std::string parse_error(const std::string& text) {
  try {
    seam::compat::parse(text, "m.yaml");
  } catch (const seam::InputError& e) {
    return e.what();
  }
  return "";
}

TEST(CompatExtensions, VerifiedDefaultsToTrueAndReadsFalse) {
  Matrix m = seam::compat::parse(doc(entry("12+")), "m.yaml");
  EXPECT_TRUE(m.entries.at(0).verified);
  m = seam::compat::parse(doc(entry("12+", "    verified: false\n")), "m.yaml");
  EXPECT_FALSE(m.entries.at(0).verified);
  std::string e = parse_error(doc(entry("12+", "    verified: perhaps\n")));
  EXPECT_EQ(e.rfind("m.yaml:12:15: \"verified\" must be true or false", 0), 0u) << e;
}

TEST(CompatExtensions, AllCoversEveryVersionAndOverlapsEverything) {
  Matrix m = seam::compat::parse(doc(entry("all")), "m.yaml");
  const Entry& e = m.entries.at(0);
  EXPECT_EQ(e.versions(), "all");
  for (const char* v : {"1", "14.1", "2024.2", "99"}) EXPECT_TRUE(e.covers(Version::parse(v))) << v;
  std::string err = parse_error(doc(entry("all") + entry("14+")));
  EXPECT_NE(err.find("overlaps the entry for versions all"), std::string::npos) << err;
  // "0+" is still malformed: "all" is the only spelling of every version.
  EXPECT_NE(parse_error(doc(entry("0+"))).find("cannot read versions"), std::string::npos);
}

TEST(CompatExtensions, ProductVersionSpellings) {
  EXPECT_EQ(Version::parse("v24.1.3").str(), "24.1");
  EXPECT_EQ(Version::parse("24.1.3").str(), "24.1");
  EXPECT_EQ(Version::parse("2024.2.9.0").str(), "2024.2");
  EXPECT_EQ(Version::parse("2.20.7.1").str(), "2.20");
  EXPECT_EQ(Version::parse("v8.5").str(), "8.5");
  for (const char* bad : {"v", "vx", "24.1.", "24.1.x", "v.1"})
    EXPECT_THROW(Version::parse(bad), seam::InputError) << bad;
  // 2.20 sorts before 2024.1 and the ranges of those schemes work as written.
  Matrix m = seam::compat::parse(doc(entry("2.20") + entry("2024-2025")), "m.yaml");
  EXPECT_EQ(m.entries[0].versions(), "2.20");
  EXPECT_EQ(m.entries[1].versions(), "2024-2025");
  EXPECT_EQ(m.find("add_thing", Version::parse("2.20.7.1")), &m.entries[0]);
  EXPECT_EQ(m.find("add_thing", Version::parse("2.21")), nullptr);
  EXPECT_EQ(m.find("add_thing", Version::parse("2024.1.3.0")), &m.entries[1]);
  EXPECT_EQ(m.find("add_thing", Version::parse("2025.2")), &m.entries[1]);
  EXPECT_EQ(m.find("add_thing", Version::parse("2026.1")), nullptr);
  m = seam::compat::parse(doc(entry("23.1-24.2") + entry("24.3") + entry("25.1-25")), "m.yaml");
  EXPECT_EQ(m.find("add_thing", Version::parse("v24.2.9")), &m.entries[0]);
  EXPECT_EQ(m.find("add_thing", Version::parse("24.3.1")), &m.entries[1]);
  EXPECT_EQ(m.find("add_thing", Version::parse("25")), &m.entries[2]);
  EXPECT_EQ(m.find("add_thing", Version::parse("22.2")), nullptr);
}

TEST(CompatExtensions, RenderingsCarryTheFlag) {
  Matrix m =
      seam::compat::parse(doc(entry("all", "    verified: false\n    notes: n\n")), "m.yaml");
  std::string md = seam::compat::render_markdown(m, std::nullopt);
  EXPECT_NE(md.find("| **unverified** n |"), std::string::npos) << md;
  EXPECT_NE(md.find("come from the cited documentation only"), std::string::npos) << md;
  std::string y = seam::compat::render_yaml(m, std::nullopt);
  EXPECT_NE(y.find("verified: false"), std::string::npos) << y;
  EXPECT_NE(y.find("versions: \"all\""), std::string::npos) << y;
  Matrix back = seam::compat::parse(y, "back.yaml");
  EXPECT_FALSE(back.entries.at(0).verified);
  EXPECT_EQ(back.entries.at(0).versions(), "all");
  // A verified matrix renders exactly as before the extension.
  Matrix pg = seam::compat::parse(doc(entry("12+")), "m.yaml");
  EXPECT_EQ(seam::compat::render_yaml(pg, std::nullopt).find("verified"), std::string::npos);
  EXPECT_EQ(seam::compat::render_markdown(pg, std::nullopt).find("unverified"), std::string::npos);
}

TEST(CompatDialects, AllCompiledIn) {
  auto d = seam::compat::builtin_dialects();
  for (const auto& name : kOthers) EXPECT_NE(std::find(d.begin(), d.end(), name), d.end()) << name;
  EXPECT_NE(std::find(d.begin(), d.end(), "postgres"), d.end());
}

TEST(CompatDialects, EveryEntrySourcedUnverifiedAndRoundTrips) {
  for (const auto& name : kOthers) {
    const Matrix& m = seam::compat::builtin(name);
    EXPECT_EQ(m.dialect, name);
    EXPECT_FALSE(m.product.empty()) << name;
    EXPECT_GE(m.entries.size(), 15u) << name;
    for (const auto& e : m.entries) {
      SCOPED_TRACE(name + " " + e.op + " " + e.versions());
      EXPECT_FALSE(e.verified);
      // A source is a URL or a named file of the product's docs repository.
      EXPECT_TRUE(e.source.find("https://") != std::string::npos ||
                  e.source.find("docs/") != std::string::npos ||
                  e.source.find("src/current/") != std::string::npos)
          << e.source;
      // Nothing here is measured by seam, so no entry carries a probe.
      EXPECT_TRUE(e.probe.statement.empty());
      // No product has PostgreSQL's table locks for DDL.
      EXPECT_EQ(e.lock, "none");
    }
    // The parser rejects overlapping ranges; check it on the rendered text too
    // (a second reader of the same data) and that nothing is lost.
    Matrix back = seam::compat::parse(seam::compat::render_yaml(m, std::nullopt), name + ".yaml");
    ASSERT_EQ(back.entries.size(), m.entries.size()) << name;
    for (size_t i = 0; i < m.entries.size(); ++i) {
      EXPECT_EQ(back.entries[i].op, m.entries[i].op);
      EXPECT_EQ(back.entries[i].versions(), m.entries[i].versions());
      EXPECT_EQ(back.entries[i].strategy, m.entries[i].strategy);
      EXPECT_EQ(back.entries[i].verified, m.entries[i].verified);
    }
    // Disjoint ranges, checked pairwise here as well.
    for (size_t i = 0; i < m.entries.size(); ++i)
      for (size_t j = i + 1; j < m.entries.size(); ++j) {
        const Entry &a = m.entries[i], &b = m.entries[j];
        if (a.op != b.op) continue;
        for (const char* v : {"2.20", "7.1", "7.5", "8.1", "8.5", "23.1", "23.2", "24.1", "24.2",
                              "24.3", "25.1", "25.4", "2024.1", "2024.2", "2025.1", "2025.2"})
          EXPECT_FALSE(a.covers(Version::parse(v)) && b.covers(Version::parse(v)))
              << name << " " << a.op << " " << v;
      }
  }
}

TEST(CompatDialects, PostgresEntriesStayVerified) {
  for (const auto& e : seam::compat::builtin("postgres").entries) EXPECT_TRUE(e.verified) << e.op;
}

// Every release line the facts name has an entry for the operations of the
// issue's golden cases (or an explicit unsupported/refuse entry), so the
// planner never falls through to "no entry" on a documented version.
TEST(CompatDialects, CoversTheDocumentedVersions) {
  struct Case {
    std::string dialect;
    std::vector<std::string> versions;
    std::vector<std::string> ops;
  };
  std::vector<Case> cases{
      {"cockroachdb",
       {"23.1", "23.2", "24.1", "24.2", "24.3", "25.1", "25.2", "25.4"},
       {"ddl_in_transaction", "add_column_nullable", "add_column_not_null_default", "create_index",
        "add_foreign_key", "add_unique", "add_enum_value", "drop_column", "alter_type_rewrite",
        "alter_type_binary_coercible", "create_trigger", "set_not_null"}},
      {"yugabytedb",
       {"2.20", "2024.1", "2024.2", "2025.1", "2025.2"},
       {"ddl_in_transaction", "add_column_nullable", "create_index", "add_foreign_key",
        "add_enum_value", "alter_type_rewrite", "create_trigger", "add_check"}},
      {"spanner-pg",
       {"1", "14.1"},
       {"ddl_in_transaction", "add_column_nullable", "add_column_not_null_default", "create_index",
        "add_foreign_key", "add_enum_value", "drop_column", "alter_type_rewrite",
        "create_trigger"}},
      {"tidb",
       {"7.1", "7.5", "8.1", "8.5"},
       {"ddl_in_transaction", "add_column_nullable", "add_column_not_null_default", "create_index",
        "add_unique", "add_foreign_key", "drop_column", "modify_column_lossless",
        "modify_column_lossy", "create_trigger", "ddl_job_control"}},
  };
  for (const auto& c : cases) {
    const Matrix& m = seam::compat::builtin(c.dialect);
    for (const auto& v : c.versions)
      for (const auto& op : c.ops)
        EXPECT_NE(m.find(op, Version::parse(v)), nullptr) << c.dialect << " " << op << " " << v;
  }
}

TEST(CompatDialects, VersionDependentChoices) {
  const Matrix& crdb = seam::compat::builtin("cockroachdb");
  EXPECT_EQ(crdb.at("alter_type_rewrite", Version::parse("24.1")).strategy, "app_dual_write");
  EXPECT_EQ(crdb.at("alter_type_rewrite", Version::parse("24.3")).strategy, "shadow_column");
  EXPECT_EQ(crdb.at("alter_type_rewrite", Version::parse("25.1")).strategy, "online_job");
  EXPECT_EQ(crdb.at("create_trigger", Version::parse("24.2")).strategy, "unsupported");
  EXPECT_EQ(crdb.at("create_trigger", Version::parse("24.3")).strategy, "instant");
  EXPECT_NE(
      crdb.at("ddl_in_transaction", Version::parse("25.1")).notes.find("autocommit_before_ddl"),
      std::string::npos);
  EXPECT_EQ(crdb.at("create_index_concurrently", Version::parse("24.1")).strategy, "online_job");
  EXPECT_FALSE(crdb.at("create_index", Version::parse("24.1")).transactional);
  EXPECT_THROW(crdb.at("create_index", Version::parse("22.2")), seam::UnsupportedError);
  EXPECT_THROW(crdb.at("create_index", Version::parse("26.1")), seam::UnsupportedError);

  const Matrix& yb = seam::compat::builtin("yugabytedb");
  EXPECT_EQ(yb.find("add_column_volatile_default", Version::parse("2.20")), nullptr);
  EXPECT_TRUE(yb.at("alter_type_rewrite", Version::parse("2024.1")).rewrite);
  EXPECT_EQ(yb.at("alter_type_rewrite", Version::parse("2024.1")).strategy, "shadow_column");

  const Matrix& sp = seam::compat::builtin("spanner-pg");
  EXPECT_EQ(sp.at("alter_type_rewrite", Version::parse("1")).strategy, "app_dual_write");
  EXPECT_EQ(sp.at("add_enum_value", Version::parse("1")).strategy, "unsupported");

  const Matrix& tidb = seam::compat::builtin("tidb");
  EXPECT_EQ(tidb.at("modify_column_lossless", Version::parse("8.1")).strategy, "instant");
  EXPECT_TRUE(tidb.at("modify_column_lossy", Version::parse("8.1")).rewrite);
  EXPECT_EQ(tidb.at("ddl_job_control", Version::parse("7.1")).strategy, "unsupported");
  EXPECT_EQ(tidb.at("ddl_job_control", Version::parse("7.5")).strategy, "direct");
  EXPECT_EQ(tidb.at("add_foreign_key", Version::parse("8.1")).strategy, "refuse");
  EXPECT_EQ(tidb.at("add_foreign_key", Version::parse("8.5")).strategy, "online_job");
}

}  // namespace
