// The external corpus (../shared/corpus): schema-diff cases written by other
// projects, used as a test suite seam did not write. This header lists the
// cases and the checks run over them; corpus_main.cpp is the command line.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "schema/compare.hpp"

namespace seam::corpus {

struct Case {
  std::string source, name;
  std::filesystem::path dir;
  bool from_loads = false, to_loads = false;
  std::vector<std::string> roles;  // roles.txt: roles the case needs in the cluster
};

std::filesystem::path default_corpus_dir();  // SEAM_CORPUS_DIR or <repo>/../shared/corpus
std::vector<Case> read_index(const std::filesystem::path& corpus_dir);
// Every k-th case so that a sample spreads over all sources (deterministic).
std::vector<Case> sample(const std::vector<Case>& all, size_t n);

struct Outcome {
  bool pass = false;
  std::string reason;  // first line of the failure, grouped in the report
  std::string detail;  // full failure text
};

struct Report {
  std::string title;
  std::map<std::string, std::pair<int, int>> per_source;  // source -> (passed, total)
  std::vector<std::pair<std::string, Outcome>> failures;  // "source/case" -> outcome
  std::vector<std::pair<std::string, Outcome>> unmeasurable;  // the case itself does not load
  int passed() const;
  int total() const;
  std::string markdown(const std::string& command) const;
};

// --- Helpers shared by the modes (noop in corpus_main.cpp, roundtrip.cpp) ---

std::string first_line(const std::string& s);
// A failure's cause without the case-specific parts (file positions, psql's
// "psql:file:line: " prefix, quoted names, qualified names, long tails), so
// that equal causes group together in the report.
std::string cause_of_error(const std::string& prefix, const std::string& msg);
// The cause of a comparison difference: object kind and field.
std::string cause_of_diff(const std::string& prefix, const schema::Difference& d);
// Creates the roles a case needs (roles.txt) in the cluster at `url`.
void ensure_roles(const std::string& url, const std::vector<std::string>& roles);
// After a case: drops its subscriptions (they pin the database), its database,
// and every role that is not built in (cluster-wide roles would break later
// cases that create them again). Roles that still own objects elsewhere stay.
void cleanup(const std::string& admin_url, const std::string& db);

}  // namespace seam::corpus
