// CockroachDB as the pgwire planner sees it (dialects/pgwire/product.hpp).
#pragma once

#include "dialects/pgwire/product.hpp"

namespace seam::cockroachdb {

const pgwire::Product& product();

}  // namespace seam::cockroachdb
