#include "dialects/postgres/fingerprint.hpp"

#include "dialects/postgres/dump.hpp"
#include "schema/sha256.hpp"

namespace seam::pg {

std::string catalog_fingerprint(const schema::Catalog& cat) { return "sha256:" + sha256_hex(dump_catalog(cat)); }

}  // namespace seam::pg
