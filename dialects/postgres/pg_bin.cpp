// Locating PostgreSQL server binaries of a given major version: Debian's
// packages, or the per-major cache filled by scripts/install-pg-versions.sh.
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include "dialects/postgres/embedded.hpp"
#include "dialects/postgres/spawn.hpp"

namespace fs = std::filesystem;

namespace seam::pg {

namespace {

bool has_server_binaries(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "postgres", ec) && fs::is_regular_file(dir / "initdb", ec) &&
         access((dir / "postgres").c_str(), X_OK) == 0;
}

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

}  // namespace

int default_pg_major() { return 15; }

std::vector<fs::path> pg_cache_dirs() {
  // Must agree with scripts/install-pg-versions.sh: $SEAM_PG_CACHE if set,
  // otherwise /var/cache/seam/pg when installed as root (traversable by the
  // unprivileged server user, unlike /root) and ~/.cache/seam/pg otherwise.
  std::vector<fs::path> dirs;
  if (std::string c = env_or_empty("SEAM_PG_CACHE"); !c.empty()) dirs.emplace_back(c);
  dirs.emplace_back("/var/cache/seam/pg");
  if (std::string home = env_or_empty("HOME"); !home.empty())
    dirs.push_back(fs::path(home) / ".cache/seam/pg");
  return dirs;
}

int pg_binary_major(const std::string& bin_dir) {
  fs::path postgres = fs::path(bin_dir) / "postgres";
  if (!has_server_binaries(bin_dir))
    throw std::runtime_error("no PostgreSQL server binaries (postgres, initdb) in " + bin_dir);
  // `postgres --version` is answered before the refuse-to-run-as-root check,
  // so this works as root without switching user.
  Captured c = run_capture({postgres.string(), "--version"});
  // "postgres (PostgreSQL) 16.14" / "... 15.18 (Debian 15.18-0+deb12u1)" / "... 18beta1"
  static const std::regex re(R"(\(PostgreSQL\) (\d+))");
  std::smatch m;
  if (c.status != 0 || !std::regex_search(c.output, m, re))
    throw std::runtime_error(postgres.string() + " --version failed (exit " +
                             std::to_string(c.status) + "): " + c.output);
  return std::stoi(m[1]);
}

std::string find_pg_bin(int major) {
  std::vector<std::string> looked;
  std::string ver = std::to_string(major);

  if (std::string env = env_or_empty("SEAM_PG_BIN"); !env.empty()) {
    if (has_server_binaries(env)) {
      int got = pg_binary_major(env);
      if (got == major) return env;
      looked.push_back("$SEAM_PG_BIN=" + env + " (holds PostgreSQL " + std::to_string(got) + ")");
    } else {
      looked.push_back("$SEAM_PG_BIN=" + env + " (no postgres/initdb there)");
    }
  } else {
    looked.push_back("$SEAM_PG_BIN (unset)");
  }

  std::vector<fs::path> candidates;
  for (const auto& c : pg_cache_dirs()) candidates.push_back(c / ver / "bin");
  candidates.push_back(fs::path("/usr/lib/postgresql") / ver / "bin");
  for (const auto& dir : candidates) {
    if (has_server_binaries(dir)) return dir.string();
    looked.push_back(dir.string());
  }

  std::string msg = "PostgreSQL " + ver + " server binaries not found; looked in: ";
  for (size_t i = 0; i < looked.size(); ++i) msg += (i ? ", " : "") + looked[i];
  msg += ". Install them with `bash scripts/install-pg-versions.sh " + ver + "`";
  if (major == default_pg_major()) msg += " or `apt-get install postgresql-" + ver + "`";
  msg += ", or pass --pg-bin DIR (or set SEAM_PG_BIN).";
  throw std::runtime_error(msg);
}

}  // namespace seam::pg
