// pg_class statistics for the planner's estimates (see plan.hpp).
#include "dialects/postgres/plan.hpp"

#include <algorithm>

namespace seam::pg {

std::map<std::string, TableStats> table_stats(pqxx::connection& c) {
  pqxx::read_transaction tx{c};
  std::map<std::string, TableStats> out;
  auto rows = tx.exec(
      "SELECT n.nspname, c.relname, c.reltuples::float8, c.relpages::int8 FROM pg_class c "
      "JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', "
      "'information_schema') "
      "AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'");
  // relpages is -1 for a partitioned table on 14+ (it holds no rows itself): 0.
  for (const auto& r : rows)
    out[r[0].as<std::string>() + "." + r[1].as<std::string>()] =
        TableStats{r[2].as<double>(), std::max<int64_t>(0, r[3].as<int64_t>())};
  return out;
}

}  // namespace seam::pg
