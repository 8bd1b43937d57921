// Server detection from `SELECT version()` (dialects/pgwire/detect.hpp), on
// version strings the products print. None of these servers but PostgreSQL
// runs here; each string says where it was seen.
#include <gtest/gtest.h>

#include "dialects/pgwire/detect.hpp"
#include "schema/errors.hpp"

namespace {

using seam::pgwire::from_version_text;

TEST(PgwireDetect, CockroachDB) {
  // The format of CockroachDB's build.Info.Short() (pkg/build/info.go:
  // "CockroachDB %s %s (%s, built %s, %s)" - distribution, tag, platform,
  // time, Go version), which version() returns; this one as the `cockroach
  // sql` banner of the CockroachDB documentation prints it.
  auto s = from_version_text(
      "CockroachDB CCL v20.1.15 (x86_64-unknown-linux-gnu, built 2021/04/26 16:11:58, go1.13.9)");
  EXPECT_EQ(s.dialect, "cockroachdb");
  EXPECT_EQ(s.product, "CockroachDB");
  EXPECT_EQ(s.version.major, 20);
  EXPECT_EQ(s.version.minor, 1);
  // A 24.3 docker image (`SELECT version()` as a setup guide quotes it).
  s = from_version_text(
      "CockroachDB CCL v24.3.5 (x86_64-pc-linux-gnu, built 2025/02/03 17:28:15, go1.22.8)");
  EXPECT_EQ(s.version.str(), "24.3");
  // The open-source build names its distribution OSS.
  EXPECT_EQ(from_version_text(
                "CockroachDB OSS v19.2.0 (x86_64-unknown-linux-gnu, built 2019/11/12, go1.12.12)")
                .version.str(),
            "19.2");
  EXPECT_EQ(seam::pgwire::describe(s), "CockroachDB 24.3");
}

TEST(PgwireDetect, YugabyteDB) {
  // YugabyteDB's ysqlsh documentation: "PostgreSQL 11.2-YB-2.5.0.0-b0 on x86_64-<os, compiler
  // version, etc>, 64-bit".
  auto s = from_version_text("PostgreSQL 11.2-YB-2.5.0.0-b0 on x86_64-pc-linux-gnu, 64-bit");
  EXPECT_EQ(s.dialect, "yugabytedb");
  EXPECT_EQ(s.version.str(), "2.5");
  // A 2.21 build as its docs print it (PostgreSQL 11.2 base).
  s = from_version_text(
      "PostgreSQL 11.2-YB-2.21.0.1-b0 on x86_64-pc-linux-gnu, compiled by clang version 16.0.6 "
      "(https://github.com/yugabyte/llvm-project.git 1e6329f40e5c531c09ade7015278078682293ebd), "
      "64-bit");
  EXPECT_EQ(s.version.str(), "2.21");
  // The PostgreSQL 15 based series (2025.x), as recorded by third-party test
  // suites: the product version after -YB-, not the PostgreSQL base.
  s = from_version_text("PostgreSQL 15.2-YB-2025.1.2.0-b0 on x86_64-pc-linux-gnu");
  EXPECT_EQ(s.dialect, "yugabytedb");
  EXPECT_EQ(s.version.major, 2025);
  EXPECT_EQ(s.version.minor, 1);
}

TEST(PgwireDetect, SpannerThroughPGAdapter) {
  // PGAdapter answers `SELECT version()` itself: "PostgreSQL " + its
  // server_version setting, default "14.1" (GoogleCloudPlatform/pgadapter,
  // statements/local/SelectVersionStatement.java, OptionsMetadata.java).
  // The text alone is PostgreSQL's; detect() asks information_schema.database_options.
  EXPECT_TRUE(seam::pgwire::looks_like_pgadapter("PostgreSQL 14.1"));
  auto s = from_version_text("PostgreSQL 14.1", /*is_spanner=*/true);
  EXPECT_EQ(s.dialect, "spanner-pg");
  EXPECT_EQ(seam::pgwire::describe(s), "Spanner (PostgreSQL interface)");
  EXPECT_EQ(from_version_text("PostgreSQL 14.1").dialect, "postgres");
}

TEST(PgwireDetect, PostgreSQL) {
  // Debian's postgresql-16 package and a source build.
  auto s = from_version_text(
      "PostgreSQL 16.4 (Debian 16.4-1.pgdg120+1) on x86_64-pc-linux-gnu, compiled by gcc (Debian "
      "12.2.0-14) "
      "12.2.0, 64-bit");
  EXPECT_EQ(s.dialect, "postgres");
  EXPECT_EQ(s.version.str(), "16.4");
  EXPECT_FALSE(seam::pgwire::looks_like_pgadapter(s.version_text));
  EXPECT_EQ(
      from_version_text("PostgreSQL 18beta1 on x86_64-pc-linux-gnu, compiled by gcc 14.2.0, 64-bit")
          .version.major,
      18);
}

TEST(PgwireDetect, UnknownProductsAreRefusedByName) {
  try {
    from_version_text("8.0.11-TiDB-v7.5.1");
    FAIL() << "expected UnsupportedError";
  } catch (const seam::UnsupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("8.0.11-TiDB-v7.5.1"), std::string::npos) << e.what();
  }
}

TEST(PgwireDetect, ExpectDialectNamesBoth) {
  auto s = from_version_text(
      "CockroachDB CCL v24.1.3 (x86_64-pc-linux-gnu, built 2024/08/12, go1.22.5)");
  EXPECT_NO_THROW(seam::pgwire::expect_dialect(s, "cockroachdb"));
  try {
    seam::pgwire::expect_dialect(s, "yugabytedb");
    FAIL() << "expected UnsupportedError";
  } catch (const seam::UnsupportedError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("CockroachDB 24.1"), std::string::npos) << m;
    EXPECT_NE(m.find("not yugabytedb"), std::string::npos) << m;
  }
}

}  // namespace
