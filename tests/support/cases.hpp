// The golden cases under tests/cases/<name>/ (from.sql, to.sql, expected
// files), shared by the tests that run every case: the diff, the plan, the
// sequential runner and the executor.
#pragma once

#include <string>
#include <vector>

#include "schema/model.hpp"

namespace seam::test {

// Names of the case directories that hold from.sql and to.sql, sorted.
std::vector<std::string> case_names();

// The catalog with every table's columns sorted by name: plans that copy a
// column (type-change swap, copying rename) append it last, and say so.
schema::Catalog columns_by_name(schema::Catalog c);

}  // namespace seam::test
