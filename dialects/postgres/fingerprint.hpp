// Catalog fingerprints for plan files: the SHA-256 of the catalog's canonical
// dump (dialects/postgres/dump.hpp), which is deterministic and covers every
// managed object. Two catalogs have the same fingerprint exactly when seam
// sees no difference between them, so `seam apply` can refuse a database that
// drifted since the plan was made.
#pragma once

#include <string>

#include "schema/model.hpp"

namespace seam::pg {

// "sha256:<64 hex digits>"
std::string catalog_fingerprint(const schema::Catalog& cat);

}  // namespace seam::pg
