// `seam compat` end to end (the built binary, path from SEAM_BINARY): the
// Markdown and YAML renderings of the built-in matrix, the --version filter,
// and the exit codes for bad flags and unknown dialects. No server needed.
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/files.hpp"
#include "compat-matrix/matrix.hpp"
#include "dialects/postgres/spawn.hpp"

namespace {

namespace fs = std::filesystem;

struct SeamRun {
  int status = -1;
  std::string out, err;
};

using seam::test::slurp;

SeamRun seam(const std::vector<std::string>& args) {
  static int n = 0;
  std::string stem = "seam_compat_cli_" + std::to_string(::getpid()) + "_" + std::to_string(++n);
  fs::path out = fs::temp_directory_path() / (stem + ".out"),
           err = fs::temp_directory_path() / (stem + ".err");
  int ofd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  int efd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (ofd < 0 || efd < 0) throw std::runtime_error("cannot create capture files");
  std::vector<std::string> argv{SEAM_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  seam::pg::SpawnOptions o;
  o.stdout_fd = ofd;
  o.stderr_fd = efd;
  SeamRun r;
  r.status = seam::pg::wait_exit(seam::pg::spawn(argv, o));
  ::close(ofd);
  ::close(efd);
  r.out = slurp(out);
  r.err = slurp(err);
  fs::remove(out);
  fs::remove(err);
  return r;
}

TEST(CompatCli, MarkdownTableOfEveryEntry) {
  SeamRun r = seam({"compat"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(
      r.out.find(
          "| Operation | Versions | Lock | Other lock | Rewrite | Scan | In txn | Strategy |"),
      std::string::npos)
      << r.out;
  // One row per entry, straight from the built-in matrix.
  const auto& m = seam::compat::builtin("postgres");
  for (const auto& e : m.entries)
    EXPECT_NE(r.out.find("| " + e.op + " | " + e.versions() + " | " + e.lock + " |"),
              std::string::npos)
        << e.op << " " << e.versions();
  EXPECT_NE(r.out.find("| set_not_null | 12-17 | ACCESS EXCLUSIVE | - | no | yes | yes | "
                       "check_not_valid_then_set_not_null |"),
            std::string::npos);
  // Deterministic.
  EXPECT_EQ(seam({"compat"}).out, r.out);
}

TEST(CompatCli, VersionFilterPicksTheEntriesOfThatVersion) {
  SeamRun r17 = seam({"compat", "--version", "17.4"});
  ASSERT_EQ(r17.status, 0) << r17.err;
  EXPECT_NE(r17.out.find("for PostgreSQL 17.4"), std::string::npos);
  EXPECT_NE(r17.out.find("| set_not_null | 12-17 |"), std::string::npos);
  EXPECT_EQ(r17.out.find("| set_not_null | 18+ |"), std::string::npos);
  EXPECT_EQ(r17.out.find("add_not_null_not_valid"), std::string::npos);

  SeamRun r18 =
      seam({"compat", "--version", "PostgreSQL 18.1 (Debian) on x86_64", "--format", "yaml"});
  ASSERT_EQ(r18.status, 0) << r18.err;
  seam::compat::Matrix m = seam::compat::parse(r18.out, "seam compat output");
  EXPECT_EQ(m.at("set_not_null", seam::compat::Version::parse("18.1")).strategy,
            "not_null_not_valid");
  EXPECT_NE(m.find("add_not_null_not_valid", seam::compat::Version::parse("18.1")), nullptr);
  for (const auto& e : m.entries)
    EXPECT_TRUE(e.covers(seam::compat::Version::parse("18.1"))) << e.op;

  SeamRun r142 = seam({"compat", "--version", "14.2"});
  EXPECT_NE(r142.out.find("| create_index_concurrently | 14.0-14.3 | SHARE UPDATE EXCLUSIVE | - | "
                          "no | yes | no | refuse |"),
            std::string::npos)
      << r142.out;
}

TEST(CompatCli, BadInputExitCodes) {
  SeamRun v = seam({"compat", "--version", "sixteen"});
  EXPECT_EQ(v.status, 64) << v.err;  // usage
  EXPECT_NE(v.err.find("cannot read a server version from \"sixteen\""), std::string::npos)
      << v.err;
  SeamRun f = seam({"compat", "--format", "html"});
  EXPECT_EQ(f.status, 64) << f.err;
  SeamRun d = seam({"compat", "--dialect", "oracle"});
  EXPECT_EQ(d.status, 69) << d.err;  // unsupported
  EXPECT_NE(d.err.find("no compatibility matrix for dialect \"oracle\" (available: "),
            std::string::npos)
      << d.err;
  EXPECT_EQ(d.out, "");
}

}  // namespace
