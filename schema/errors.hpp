// Error types carried by exceptions and mapped to exit codes at the CLI.
// Messages are complete sentences that name the object or file:line:col and,
// where there is one, what to do about it.
#pragma once

#include <stdexcept>
#include <string>

namespace seam {

// The desired-state SQL is wrong: syntax error, DML, duplicate or missing object.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Valid SQL that seam does not (yet) handle. Never silently skipped.
struct UnsupportedError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace seam
