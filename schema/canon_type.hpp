// Internal helpers of canon.cpp shared with the loader: the canonical spelling
// of a parsed TypeName, and view-body normalisation.
#pragma once

#include <string>

#include "schema/model.hpp"
#include "schema/pgq.hpp"

namespace seam::schema {

// format_type() spelling of a parsed type ("character varying(20)[]").
// Qualifiers pg_catalog and public are dropped; other schemas are kept.
std::string format_type_name(const PgQuery__TypeName* t);

// Normalisations specific to a view's SELECT (qualifiers that pg_get_viewdef
// adds, output-column aliases it adds or drops).
void canon_view_tree(pgq::Arena& a, PgQuery__Node* stmt);
// canon_view_tree for every sub-select inside an expression (a policy's
// USING (x IN (SELECT ...)), a CHECK with a sub-query is not allowed).
void canon_subselects(pgq::Arena& a, PgQuery__Node* expr);
// The output-column name PostgreSQL derives for an unnamed select-list entry
// (FigureColname), or "" when it would be "?column?".
std::string figure_colname(const PgQuery__Node* n);

}  // namespace seam::schema

namespace seam::schema {
// Partition clauses straight from parse nodes (used by the loader and by the
// text entry points in canon.hpp).
Expr partition_bound_from(const PgQuery__PartitionBoundSpec* b);
PartitionSpec partition_key_from(const PgQuery__PartitionSpec* s);
// Dotted name from a list of String nodes, quoted per part, default schemas dropped.
std::string qualified_list(PgQuery__Node** items, size_t n);
}  // namespace seam::schema
