// Spanner's PostgreSQL interface as the pgwire planner sees it
// (dialects/pgwire/product.hpp).
#pragma once

#include "dialects/pgwire/product.hpp"

namespace seam::spanner {

const pgwire::Product& product();

}  // namespace seam::spanner
