// See cases.hpp.
#include "tests/support/cases.hpp"

#include <algorithm>
#include <filesystem>

namespace fs = std::filesystem;

namespace seam::test {

std::vector<std::string> case_names() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(SEAM_TEST_CASES_DIR))
    if (e.is_directory() && fs::exists(e.path() / "from.sql") && fs::exists(e.path() / "to.sql"))
      out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

schema::Catalog columns_by_name(schema::Catalog c) {
  for (auto& [n, t] : c.tables)
    std::sort(t.columns.begin(), t.columns.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return c;
}

}  // namespace seam::test
