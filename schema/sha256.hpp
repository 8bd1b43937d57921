// SHA-256 (FIPS 180-4) of a byte string, as 64 lowercase hex digits. Used for
// plan fingerprints (catalogs, desired state), where a collision would let a
// plan run against a database it was not made for - hence a real hash, not
// std::hash. Small and self-contained: no crypto library is needed for this.
#pragma once

#include <string>
#include <string_view>

namespace seam {

std::string sha256_hex(std::string_view data);

}  // namespace seam
