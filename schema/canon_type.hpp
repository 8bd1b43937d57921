// Internal helpers of canon.cpp shared with the loader: the canonical spelling
// of a parsed TypeName, and view-body normalisation.
#pragma once

#include <string>

#include "schema/pgq.hpp"

namespace seam::schema {

// format_type() spelling of a parsed type ("character varying(20)[]").
// Qualifiers pg_catalog and public are dropped; other schemas are kept.
std::string format_type_name(const PgQuery__TypeName* t);

// Normalisations specific to a view's SELECT (qualifiers that pg_get_viewdef
// adds, output-column aliases it adds or drops).
void canon_view_tree(pgq::Arena& a, PgQuery__Node* stmt);

}  // namespace seam::schema
