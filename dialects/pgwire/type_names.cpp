#include "dialects/pgwire/type_names.hpp"

#include <cstdlib>

namespace seam::pgwire {

std::string type_base(const std::string& type) {
  std::string b = type.substr(0, type.find_first_of("(["));
  while (!b.empty() && b.back() == ' ') b.pop_back();
  return b;
}

int type_mod(const std::string& type, int i) {
  auto open = type.find('(');
  if (open == std::string::npos) return -1;
  std::string inner = type.substr(open + 1, type.find(')', open) - open - 1);
  for (int k = 0; k < i; ++k) {
    auto comma = inner.find(',');
    if (comma == std::string::npos) return 0;
    inner = inner.substr(comma + 1);
  }
  return std::atoi(inner.c_str());
}

bool is_array(const std::string& type) {
  return type.find('[') != std::string::npos;
}

}  // namespace seam::pgwire
