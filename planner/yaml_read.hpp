// Strict reading of YAML documents (plan files, seam.yaml) with yaml-cpp:
// every error is a seam::InputError "origin:line:col: <key path>: <what>",
// unknown and duplicate keys are errors, and scalars are converted exactly
// (integers and doubles with from_chars, not streams). Internal to planner/.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "planner/plan.hpp"

namespace seam::planner::yamlio {

// A node together with what an error about it should say.
struct At {
  YAML::Node node;
  std::string origin;  // file name
  std::string path;    // key path: "phases[0].steps[2].locks"
  // A key the map does not have: `node` is then the map, so that errors
  // point at the mapping that lacks the key.
  bool absent = false;

  [[noreturn]] void fail(const std::string& what) const;
  // The child of a map (which must exist and be a map); absent -> Null node.
  At key(const char* k) const;
  At item(std::size_t i) const;
  bool has(const char* k) const;

  bool is_null() const;
  void expect_map() const;
  void expect_seq() const;
  // Unknown keys (not in `allowed`) and duplicate keys are errors, at the key.
  void check_keys(std::initializer_list<const char*> allowed) const;
  void require(const char* k) const;  // a required key is present

  std::string str() const;  // any scalar; null -> ""
  int64_t i64() const;
  int i32() const;
  double dbl() const;
  bool boolean() const;
  std::vector<std::string> strings() const;  // sequence of scalars
};

// Parses `text`; syntax errors become InputError "origin:line:col: ...".
At load(const std::string& text, const std::string& origin);

// `throttle:` mapping; keys absent keep `base`'s values.
Throttle read_throttle(const At& at, Throttle base);

// The keys of a throttle mapping, in file order (shared by writers).
inline constexpr const char* kThrottleKeys[] = {
    "batch_size",           "rows_per_second", "target_batch_ms",   "lock_timeout_ms",
    "statement_timeout_ms", "max_retries",     "max_replica_lag_ms"};

}  // namespace seam::planner::yamlio
