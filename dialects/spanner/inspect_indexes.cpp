// Columns used (cloud.google.com/spanner/docs/information-schema-pg):
//   indexes:       table_schema, table_name, index_name, index_type
//                  (PRIMARY_KEY | LOCAL | GLOBAL), parent_table_name ('' when
//                  not interleaved), is_unique, is_null_filtered, index_state
//                  (READ_WRITE when usable), spanner_is_managed
//   index_columns: table_schema, table_name, index_name, column_name,
//                  ordinal_position (NULL for STORING columns),
//                  column_ordering (ASC | DESC, NULL for STORING columns)
#include "dialects/spanner/inspect_indexes.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include "schema/canon.hpp"

namespace seam::pgwire::spanner {

namespace {
std::string str(const pqxx::field& f) {
  return f.is_null() ? std::string() : f.as<std::string>();
}
}  // namespace

void read_indexes(pqxx::transaction_base& tx, const std::set<std::string>& schemas,
                  schema::Catalog& cat) {
  using Key = std::tuple<std::string, std::string, std::string>;  // schema, table, index
  std::map<Key, schema::Index> found;
  for (const auto& r : tx.exec(R"(
      SELECT table_schema, table_name, index_name, index_type, parent_table_name, is_unique, is_null_filtered,
             index_state, spanner_is_managed
      FROM information_schema.indexes)")) {
    schema::QualName table{str(r[0]), str(r[1])};
    std::string name = str(r[2]);
    if (!schemas.count(table.schema) || !cat.find_table(table)) continue;
    if (str(r[3]) == "PRIMARY_KEY" || str(r[8]) == "YES") continue;
    std::string what = "index " + schema::quote_qual({table.schema, name}) + " on " + table.str();
    if (!str(r[4]).empty())
      cat.unsupported.push_back("interleaved " + what + " (INTERLEAVE IN " + str(r[4]) +
                                " not read)");
    if (str(r[6]) == "YES")
      cat.unsupported.push_back("NULL_FILTERED " + what + " (read as a plain index)");
    if (!r[7].is_null() && str(r[7]) != "READ_WRITE")
      cat.unsupported.push_back(what + " is still being built (state " + str(r[7]) + ")");
    schema::Index ix;
    ix.name = {table.schema, name};
    ix.table = table;
    ix.unique = str(r[5]) == "YES";
    found[{table.schema, table.name, name}] = std::move(ix);
  }
  std::map<Key, std::vector<std::string>> storing;
  for (const auto& r : tx.exec(R"(
      SELECT table_schema, table_name, index_name, column_name, ordinal_position, column_ordering
      FROM information_schema.index_columns
      ORDER BY table_schema, table_name, index_name, ordinal_position)")) {
    Key k{str(r[0]), str(r[1]), str(r[2])};
    auto it = found.find(k);
    if (it == found.end()) continue;
    if (r[4].is_null()) {
      storing[k].push_back(str(r[3]));
      continue;
    }
    schema::IndexElem e;
    e.column = str(r[3]);
    e.desc = str(r[5]) == "DESC";
    it->second.elems.push_back(std::move(e));
  }
  for (auto& [k, ix] : found) {
    // index_columns gives STORING columns no order: sorted by name.
    auto s = storing[k];
    std::sort(s.begin(), s.end());
    ix.include = s;
    cat.indexes[ix.name] = std::move(ix);
  }
}

}  // namespace seam::pgwire::spanner
