// Structural comparison of two models: the list of every difference, each
// naming the object and the field. Used by the no-op property tests (files
// vs. live catalog), by `seam diff` before the differ exists, and as the
// oracle in round-trip tests. Source positions and annotations are ignored.
//
//   auto diffs = schema::compare(desired, live);
//   for (auto& d : diffs) std::cout << d.object << ": " << d.detail << "\n";
#pragma once

#include <string>
#include <vector>

#include "schema/model.hpp"

namespace seam::schema {

struct Difference {
  std::string object;  // "table public.users", "column public.users.email"
  std::string detail;  // "only in desired", "type: integer vs bigint"
  bool operator==(const Difference&) const = default;
};

// `a` is the desired side, `b` the live side. Where the desired state leaves
// something to the server (an extension's schema or version), any live value
// is accepted.
std::vector<Difference> compare(const Catalog& a, const Catalog& b);

std::string format_differences(const std::vector<Difference>& d, size_t limit = 50);

}  // namespace seam::schema
