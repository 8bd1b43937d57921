// See files.hpp.
#include "tests/support/files.hpp"

#include <fstream>
#include <sstream>

namespace seam::test {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace seam::test
