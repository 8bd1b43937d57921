// Local matrix overrides (compat-matrix/override.hpp): exact-version ranges,
// cutting built-in ranges around an override, the layering rule, strict
// errors with file:line:col, the override file's rendering, and the
// compat_override key of seam.yaml.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "compat-matrix/matrix.hpp"
#include "compat-matrix/override.hpp"
#include "planner/config.hpp"
#include "schema/errors.hpp"

namespace {

namespace fs = std::filesystem;
using seam::compat::Entry;
using seam::compat::Matrix;
using seam::compat::Version;

Version V(const std::string& s) {
  return Version::parse(s);
}

Matrix one(const std::string& op, const std::string& versions, const std::string& lock,
           bool verified = true) {
  return seam::compat::parse("dialect: postgres\nproduct: PostgreSQL\nentries:\n  - op: " + op +
                                 "\n    versions: \"" + versions + "\"\n    lock: " + lock +
                                 "\n    rewrite: false\n    scan: false\n    transactional: "
                                 "true\n    strategy: direct\n    source: test\n    verified: " +
                                 (verified ? "true" : "false") + "\n",
                             "test.yaml");
}

fs::path temp_file(const std::string& name, const std::string& text) {
  fs::path dir = fs::temp_directory_path() / ("seam_override_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path p = dir / name;
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

TEST(CompatOverride, AnExactMinorVersionIsARange) {
  for (const std::string s : {"16.4", "18.0", "24.1", "2024.2"}) {
    const Entry& e = one("create_index", s, "SHARE").entries.at(0);
    EXPECT_EQ(e.versions(), s);
    EXPECT_TRUE(e.covers(V(s))) << s;
    Version next = V(s);
    next.minor += 1;
    EXPECT_FALSE(e.covers(next)) << s;
    EXPECT_FALSE(e.covers(Version{V(s).major, -1})) << s << ": a bare major is its latest minor";
  }
  EXPECT_FALSE(one("x", "16.4", "SHARE").entries[0].covers(V("16.3")));
}

TEST(CompatOverride, SubtractRangeCutsAroundTheOverride) {
  const Entry base = one("op", "12+", "SHARE").entries[0];
  auto pieces = seam::compat::subtract_range(base, one("op", "16.4", "SHARE").entries[0]);
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(pieces[0].versions(), "12.0-16.3");
  EXPECT_EQ(pieces[1].versions(), "16.5+");
  EXPECT_TRUE(pieces[1].covers(Version{16, -1}));

  pieces = seam::compat::subtract_range(base, one("op", "16", "SHARE").entries[0]);
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(pieces[0].versions(), "12-15");
  EXPECT_EQ(pieces[1].versions(), "17+");

  pieces = seam::compat::subtract_range(base, one("op", "12.0", "SHARE").entries[0]);
  ASSERT_EQ(pieces.size(), 1u);
  EXPECT_EQ(pieces[0].versions(), "12.1+");

  pieces = seam::compat::subtract_range(base, one("op", "10+", "SHARE").entries[0]);
  EXPECT_TRUE(pieces.empty());

  pieces = seam::compat::subtract_range(one("op", "12-13", "SHARE").entries[0],
                                        one("op", "14.4+", "SHARE").entries[0]);
  ASSERT_EQ(pieces.size(), 1u);
  EXPECT_EQ(pieces[0].versions(), "12-13");
}

TEST(CompatOverride, OverrideWinsAtItsVersionsBuiltinElsewhere) {
  const Matrix& builtin = seam::compat::builtin("postgres");
  Matrix over = one("create_index", "16.4", "SHARE UPDATE EXCLUSIVE");
  Matrix m = seam::compat::layer(builtin, over);
  EXPECT_EQ(m.dialect, "postgres");
  EXPECT_EQ(m.product, "PostgreSQL");
  EXPECT_EQ(m.at("create_index", V("16.4")).lock, "SHARE UPDATE EXCLUSIVE");
  EXPECT_EQ(m.at("create_index", V("16.4")).source, "test");
  for (const std::string v : {"16.3", "16.5", "16", "12.1", "17.2"})
    EXPECT_EQ(m.at("create_index", V(v)).lock, "SHARE") << v;
  // Ops the override does not mention: the built-in entries, unchanged.
  EXPECT_EQ(m.at("add_column_nullable", V("16.4")).source,
            builtin.at("add_column_nullable", V("16.4")).source);
  EXPECT_EQ(m.ops(), builtin.ops());
  // Still a valid matrix: its YAML parses again (ranges of one op disjoint).
  Matrix again = seam::compat::parse(seam::compat::render_yaml(m, std::nullopt), "layered.yaml");
  EXPECT_EQ(again.entries.size(), builtin.entries.size() + 2);  // create_index split in two + 1

  // An op only the override has is added.
  Matrix extra = seam::compat::layer(builtin, one("made_up_op", "16.4", "SHARE"));
  ASSERT_NE(extra.find("made_up_op", V("16.4")), nullptr);
  EXPECT_EQ(extra.find("made_up_op", V("16.5")), nullptr);

  // Another dialect's override is refused.
  Matrix crdb = over;
  crdb.dialect = "cockroachdb";
  EXPECT_THROW(seam::compat::layer(builtin, crdb), seam::InputError);
}

TEST(CompatOverride, RenderedOverrideSaysVerifiedAndParsesBack) {
  Matrix over = one("create_index", "16.4", "SHARE");
  std::string text = seam::compat::render_override(over);
  EXPECT_NE(text.find("verified: true"), std::string::npos) << text;
  EXPECT_NE(text.find("versions: \"16.4\""), std::string::npos) << text;
  Matrix back = seam::compat::parse(text, "o.yaml");
  ASSERT_EQ(back.entries.size(), 1u);
  EXPECT_TRUE(back.entries[0].verified);
  EXPECT_EQ(seam::compat::render_override(back), text);
  // The plain rendering still leaves a true `verified` out (built-in files are unchanged).
  EXPECT_EQ(seam::compat::render_yaml(over, std::nullopt).find("verified"), std::string::npos);
  EXPECT_NE(seam::compat::render_override(one("x", "16.4", "SHARE", false)).find("verified: false"),
            std::string::npos);
}

TEST(CompatOverride, MalformedFilesNameFileLineAndColumn) {
  fs::path bad =
      temp_file("bad.yaml",
                "dialect: postgres\nproduct: PostgreSQL\nentries:\n  - op: create_index\n"
                "    versions: \"16.4\"\n    lock: SHARE UPDATE EXCLUSIV\n");
  try {
    seam::compat::load_override(bad.string(), "postgres");
    FAIL() << "accepted a bad lock name";
  } catch (const seam::InputError& e) {
    EXPECT_NE(std::string(e.what()).find(bad.string() + ":6:11: unknown lock"), std::string::npos)
        << e.what();
  }
  fs::path other =
      temp_file("other.yaml", "dialect: cockroachdb\nproduct: CockroachDB\nentries: []\n");
  try {
    seam::compat::with_override(seam::compat::builtin("postgres"), other.string());
    FAIL() << "accepted another dialect's override";
  } catch (const seam::InputError& e) {
    EXPECT_NE(std::string(e.what()).find(other.string() + ":1:10: the override is for dialect "
                                                          "\"cockroachdb\""),
              std::string::npos)
        << e.what();
  }
  fs::path key = temp_file("key.yaml", "dialect: postgres\nproduct: PostgreSQL\nentris: []\n");
  EXPECT_THROW(seam::compat::load_override(key.string(), "postgres"), seam::InputError);
  EXPECT_THROW(seam::compat::load_override("/nonexistent/override.yaml", "postgres"),
               seam::InputError);
  EXPECT_EQ(seam::compat::with_override(seam::compat::builtin("postgres"), "").entries.size(),
            seam::compat::builtin("postgres").entries.size());
}

TEST(CompatOverride, SeamYamlCompatOverrideIsRelativeToTheFile) {
  fs::path cfg = temp_file("seam.yaml", "compat_override: compat/verified.yaml\n");
  auto c = seam::planner::load_config(cfg.string());
  EXPECT_EQ(c.compat_override, (cfg.parent_path() / "compat/verified.yaml").string());
  fs::path abs = temp_file("seam2.yaml", "compat_override: /etc/seam/verified.yaml\n");
  EXPECT_EQ(seam::planner::load_config(abs.string()).compat_override, "/etc/seam/verified.yaml");
  EXPECT_EQ(
      seam::planner::config_from_yaml("throttle: {batch_size: 10}\n", "s.yaml").compat_override,
      "");
  try {
    seam::planner::config_from_yaml("compat_override: \"\"\n", "s.yaml");
    FAIL() << "accepted an empty compat_override";
  } catch (const seam::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("s.yaml:1:"), std::string::npos) << e.what();
  }
  // Unknown keys are still refused.
  EXPECT_THROW(seam::planner::config_from_yaml("compat_overrides: x.yaml\n", "s.yaml"),
               seam::InputError);
}

}  // namespace
