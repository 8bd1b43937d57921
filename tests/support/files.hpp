// Small file helpers for tests.
#pragma once

#include <filesystem>
#include <string>

namespace seam::test {

// The whole file as bytes; "" when it cannot be read (the caller's assertion
// on the content then says what was expected).
std::string slurp(const std::filesystem::path& p);

}  // namespace seam::test
