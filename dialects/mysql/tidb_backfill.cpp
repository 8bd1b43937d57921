// Batches of primary-key ranges; see tidb_backfill.hpp.
#include "dialects/mysql/tidb_backfill.hpp"

#include <regex>

#include "dialects/mysql/tidb_render.hpp"
#include "schema/errors.hpp"

namespace seam::mysql {

namespace {

// "shop.orders" -> `orders`: a TiDB plan runs in the database it was made for.
std::string table_of(const planner::Backfill& b) {
  auto dot = b.table.find('.');
  return quote_ident(dot == std::string::npos ? b.table : b.table.substr(dot + 1));
}

std::string keys(const planner::Backfill& b) {
  std::string out;
  for (const auto& k : b.key) out += (out.empty() ? "" : ", ") + quote_ident(k);
  return b.key.size() == 1 ? out : "(" + out + ")";
}

std::string key_list(const planner::Backfill& b) {
  std::string out;
  for (const auto& k : b.key) out += (out.empty() ? "" : ", ") + quote_ident(k);
  return out;
}

void check(const planner::Backfill& b) {
  if (b.key.empty() || b.set.empty())
    throw InputError("backfill of " + b.table +
                     ": no key or no column to set; TiDB backfills by primary-key ranges");
}

}  // namespace

std::string batch_end_sql(const planner::Backfill& b, int64_t batch_size,
                          const std::string* after) {
  check(b);
  return "SELECT " + key_list(b) + " FROM " + table_of(b) +
         (after ? " WHERE " + keys(b) + " > " + *after : "") + " ORDER BY " + key_list(b) +
         " LIMIT 1 OFFSET " + std::to_string(batch_size > 0 ? batch_size - 1 : 0);
}

std::string batch_update_sql(const planner::Backfill& b, const std::string* after,
                             const std::string* upto) {
  check(b);
  std::string set;
  for (const auto& a : b.set)
    set += (set.empty() ? "" : ", ") + quote_ident(a.column) + " = " + a.expression;
  std::string where;
  auto add = [&](const std::string& cond) {
    where += (where.empty() ? " WHERE " : " AND ") + cond;
  };
  if (after) add(keys(b) + " > " + *after);
  if (upto) add(keys(b) + " <= " + *upto);
  if (!b.where.empty()) add("(" + b.where + ")");
  return "UPDATE " + table_of(b) + " SET " + set + where;
}

std::string key_literal(const std::string& value) {
  static const std::regex integer(R"(^-?[0-9]{1,19}$)");
  return std::regex_match(value, integer) ? value : quote_string(value);
}

BackfillRun run_backfill(Connection& c, const planner::Backfill& b, int64_t batch_size) {
  BackfillRun run;
  std::optional<std::string> after;
  for (;;) {
    auto rows = c.query(batch_end_sql(b, batch_size, after ? &*after : nullptr));
    std::optional<std::string> upto;
    if (!rows.empty()) {
      std::string v;
      for (size_t i = 0; i < rows[0].size(); ++i) {
        if (!rows[0][i])
          throw InputError("backfill of " + b.table + ": key column " + b.key.at(i) +
                           " holds NULL; TiDB backfills by primary-key ranges");
        v += (i ? ", " : "") + key_literal(*rows[0][i]);
      }
      upto = rows[0].size() == 1 ? v : "(" + v + ")";
    }
    c.exec(batch_update_sql(b, after ? &*after : nullptr, upto ? &*upto : nullptr));
    run.rows += std::stoll(c.value("SELECT ROW_COUNT()").value_or("0"));
    ++run.batches;
    if (!upto) return run;
    after = upto;
  }
}

}  // namespace seam::mysql
