// Spanner's indexes, from information_schema.indexes and index_columns (its
// PostgreSQL interface has no pg_indexes). NOT run against Spanner.
#pragma once

#include <set>
#include <string>

#include <pqxx/pqxx>

#include "schema/model.hpp"

namespace seam::pgwire::spanner {

// Fills cat.indexes with the secondary indexes of tables in cat (schemas in
// `schemas`): key columns in order with their ASC/DESC, STORING columns as
// INCLUDE. The PRIMARY_KEY pseudo-index and the indexes Spanner manages
// itself (foreign keys' backing indexes) are left out; interleaved,
// NULL_FILTERED and unfinished indexes are read and also reported in
// cat.unsupported.
void read_indexes(pqxx::transaction_base& tx, const std::set<std::string>& schemas,
                  schema::Catalog& cat);

}  // namespace seam::pgwire::spanner
