// Building and checking a backfill's batch statement (see backfill_sql.hpp).
#include "executor/backfill_sql.hpp"

#include <algorithm>

#include "schema/canon.hpp"
#include "schema/errors.hpp"

namespace seam::executor {

namespace {

schema::QualName split_table(const std::string& t) {
  auto dot = t.find('.');
  if (dot == std::string::npos) return {"public", t};
  return {t.substr(0, dot), t.substr(dot + 1)};
}

}  // namespace

BackfillSql backfill_sql(pqxx::transaction_base& tx, const planner::Backfill& bf, const Ledger& l,
                         const std::string& step_id) {
  schema::QualName qn = split_table(bf.table);
  std::string table = schema::quote_qual(qn);
  auto rel = tx.exec_params1("SELECT to_regclass($1)::oid", table);
  if (rel[0].is_null())
    throw InputError("backfill step '" + step_id + "': table " + bf.table + " does not exist");
  auto oid = rel[0].as<int64_t>();
  if (bf.key.empty())
    throw InputError("backfill step '" + step_id + "': table " + bf.table +
                     " has no usable key; seam backfills only by keyset pagination over a primary "
                     "key or a unique "
                     "index over NOT NULL columns. Add one first");
  std::vector<std::string> types;
  for (const auto& k : bf.key) {
    auto r = tx.exec_params(
        "SELECT format_type(atttypid, atttypmod), attnotnull FROM pg_attribute "
        "WHERE attrelid = $1 AND attname = $2 AND attnum > 0 AND NOT attisdropped",
        oid, k);
    if (r.empty())
      throw InputError("backfill step '" + step_id + "': key column " + k +
                       " does not exist in table " + bf.table);
    if (!r[0][1].as<bool>())
      throw InputError("backfill step '" + step_id + "': table " + bf.table +
                       " has no usable key: key column " + k +
                       " allows NULL; seam backfills only by keyset pagination over a primary key "
                       "or a unique index over NOT NULL columns. Add one first");
    types.push_back(r[0][0].as<std::string>());
  }
  std::vector<std::string> sorted = bf.key;
  std::sort(sorted.begin(), sorted.end());
  std::string arr = "{";
  for (size_t i = 0; i < sorted.size(); ++i) {
    std::string e;
    for (char c : sorted[i]) {
      if (c == '"' || c == '\\') e += '\\';
      e += c;
    }
    arr += (i ? ",\"" : "\"") + e + "\"";
  }
  arr += "}";
  bool unique =
      tx.exec_params1(
            "SELECT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = $1 AND i.indisunique AND "
            "i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL AND "
            "(SELECT array_agg(a.attname::text ORDER BY a.attname::text) FROM pg_attribute a "
            "WHERE a.attrelid = $1 AND a.attnum = ANY (i.indkey)) = $2::text[] "
            "AND i.indnkeyatts = cardinality($2::text[]))",
            oid, arr)[0]
          .as<bool>();
  if (!unique)
    throw InputError(
        "backfill step '" + step_id + "': table " + bf.table +
        " has no usable key: no primary key or "
        "valid unique index covers exactly the key columns given; seam backfills only by keyset "
        "pagination over a unique key. Add a primary key first");

  auto keys = [&](const std::string& prefix, const std::string& alias_prefix) {
    std::string s;
    for (size_t i = 0; i < bf.key.size(); ++i) {
      if (i) s += ", ";
      s += alias_prefix.empty() ? prefix + schema::quote_ident(bf.key[i])
                                : alias_prefix + std::to_string(i);
    }
    return s;
  };
  std::string select_keys;
  for (size_t i = 0; i < bf.key.size(); ++i)
    select_keys +=
        (i ? ", " : "") + schema::quote_ident(bf.key[i]) + " AS seam_k" + std::to_string(i);
  // One scalar subquery per key column: (k1, k2) > ((SELECT ..), (SELECT ..)) is
  // a row comparison the planner turns into an index range condition, which a
  // comparison with one row-valued subquery is not.
  std::string cursor = "(";
  for (size_t i = 0; i < bf.key.size(); ++i)
    cursor += (i ? ", " : "") + std::string("(SELECT (p.last_key ->> ") + std::to_string(i) +
              ")::" + types[i] + " FROM " + l.q("backfill_progress") +
              " p WHERE p.job_id = $1 AND p.step_id = $2)";
  cursor += ")";
  std::string order_desc;
  std::string last_key = "jsonb_build_array(";
  for (size_t i = 0; i < bf.key.size(); ++i) {
    order_desc += (i ? ", " : "") + std::string("seam_k") + std::to_string(i) + " DESC";
    last_key += (i ? ", " : "") + std::string("seam_k") + std::to_string(i) + "::text";
  }
  last_key += ")";
  // The batch's first and last keys, one scalar subquery per column (indexable, as above).
  auto bound = [&](bool last) {
    std::string order;
    for (size_t i = 0; i < bf.key.size(); ++i)
      order += (i ? ", " : "") + std::string("seam_k") + std::to_string(i) + (last ? " DESC" : "");
    std::string b = "(";
    for (size_t i = 0; i < bf.key.size(); ++i)
      b += (i ? ", " : "") + std::string("(SELECT seam_k") + std::to_string(i) +
           " FROM seam_batch ORDER BY " + order + " LIMIT 1)";
    return b + ")";
  };
  std::string sets;
  for (size_t i = 0; i < bf.set.size(); ++i)
    sets += (i ? ", " : "") + schema::quote_ident(bf.set[i].column) + " = (" +
            bf.set[i].expression + ")";

  // The batch pages over the key alone (an index range scan on the unique
  // key whatever the statistics say); the UPDATE takes the key range from
  // the batch's first to its last key (the same rows: one snapshot) and the
  // step's filter. Filtering the batch, or joining the UPDATE to it, lets
  // the planner pick a seq scan per batch when it misjudges the filter
  // (quadratic over the table).
  std::string filter = bf.where.empty() ? "" : " AND (" + bf.where + ")";
  auto build = [&](bool with_cursor) {
    std::string where;
    if (with_cursor) where = " WHERE (" + keys("", "") + ") > " + cursor;
    return "WITH seam_batch AS (SELECT " + select_keys + " FROM " + table + where + " ORDER BY " +
           keys("", "") + " LIMIT $3), seam_upd AS (UPDATE " + table + " SET " + sets + " WHERE (" +
           keys("", "") + ") >= " + bound(false) + " AND (" + keys("", "") + ") <= " + bound(true) +
           filter + " RETURNING 1), seam_prog AS (UPDATE " + l.q("backfill_progress") +
           " SET last_key = (SELECT " + last_key + " FROM seam_batch ORDER BY " + order_desc +
           " LIMIT 1), rows_done = rows_done + (SELECT count(*) FROM seam_upd), batches = batches "
           "+ 1, "
           "updated_at = clock_timestamp() WHERE job_id = $1 AND step_id = $2 AND EXISTS (SELECT 1 "
           "FROM seam_batch) "
           "RETURNING rows_done) SELECT (SELECT count(*) FROM seam_batch), (SELECT count(*) FROM "
           "seam_upd), "
           "coalesce((SELECT rows_done FROM seam_prog), (SELECT rows_done FROM " +
           l.q("backfill_progress") + " WHERE job_id = $1 AND step_id = $2))";
  };
  return {build(false), build(true)};
}

}  // namespace seam::executor
