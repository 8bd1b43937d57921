// Checksums and checks of a rehearsal's backfills (see rehearse_verify.hpp).
// Every identifier is quoted and every key value is a literal cast to the
// key column's type; the backfill expressions and WHERE are the plan's own
// SQL, run as the applier runs them.
#include "executor/rehearse_verify.hpp"

#include <functional>

#include <pqxx/pqxx>
#include <pqxx/subtransaction>
#include <pqxx/transaction>

#include "schema/canon.hpp"

namespace seam::executor {

namespace {

using Snapshot = pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>;

schema::QualName split_table(const std::string& t) {
  auto dot = t.find('.');
  if (dot == std::string::npos) return {"public", t};
  return {t.substr(0, dot), t.substr(dot + 1)};
}

std::string qtable(const std::string& t) {
  return schema::quote_qual(split_table(t));
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  // The server's first line is the message; CONTEXT lines follow.
  auto nl = s.find('\n');
  if (nl != std::string::npos) s.resize(nl);
  if (s.rfind("ERROR:  ", 0) == 0) s.erase(0, 8);
  return s;
}

std::string group(int64_t n) {
  std::string s = std::to_string(n < 0 ? -n : n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return n < 0 ? "-" + s : s;
}

// "(k1, k2)" quoted.
std::string key_list(const std::vector<std::string>& key) {
  std::string s = "(";
  for (size_t i = 0; i < key.size(); ++i) s += (i ? ", " : "") + schema::quote_ident(key[i]);
  return s + ")";
}
std::string key_order(const std::vector<std::string>& key) {
  std::string s;
  for (size_t i = 0; i < key.size(); ++i) s += (i ? ", " : "") + schema::quote_ident(key[i]);
  return s;
}
// Aliased, so ORDER BY k sorts by the column, not by its text.
std::string key_text(const std::vector<std::string>& key) {
  std::string s;
  for (size_t i = 0; i < key.size(); ++i)
    s += (i ? ", " : "") + schema::quote_ident(key[i]) + "::text AS seam_k" + std::to_string(i);
  return s;
}
// "(CAST('1' AS bigint), ...)"
std::string key_values(const std::vector<std::string>& values,
                       const std::vector<std::string>& types) {
  std::string s = "(";
  for (size_t i = 0; i < values.size(); ++i)
    s += (i ? ", " : "") + std::string("CAST(") + schema::quote_literal(values[i]) + " AS " +
         types[i] + ")";
  return s + ")";
}

// WHERE text for a chunk's key range ("TRUE" for the whole table).
std::string range_sql(const BackfillBaseline& b, const KeyChunk& c) {
  std::string s;
  if (!c.lo.empty()) s += key_list(b.key) + " > " + key_values(c.lo, b.key_types);
  if (!c.hi.empty())
    s += std::string(s.empty() ? "" : " AND ") + key_list(b.key) +
         " <= " + key_values(c.hi, b.key_types);
  return s.empty() ? "TRUE" : s;
}

std::string covered_sql(const BackfillBaseline& b) {
  return b.where.empty() ? "TRUE" : "(" + b.where + ")";
}

// The value a row must end with, as text: the expression for covered rows.
std::string expected_row_sql(const BackfillBaseline& b) {
  std::string s = "ROW(" + key_order(b.key);
  for (const auto& t : b.targets)
    s += ", CASE WHEN " + covered_sql(b) + " THEN (CAST((" + t.expression + ") AS " + t.type +
         "))::text ELSE (" + schema::quote_ident(t.column) + ")::text END";
  return s + ")::text";
}
// The value a row has, as text.
std::string actual_row_sql(const BackfillBaseline& b) {
  std::string s = "ROW(" + key_order(b.key);
  for (const auto& t : b.targets) s += ", (" + schema::quote_ident(t.column) + ")::text";
  return s + ")::text";
}
std::string checksum_sql(const std::string& row_text) {
  return "coalesce(sum(hashtextextended(" + row_text + ", 0)::numeric), 0)::text";
}

std::vector<std::string> row_values(const pqxx::row& r, size_t from, size_t n) {
  std::vector<std::string> v;
  for (size_t i = 0; i < n; ++i)
    v.push_back(r[static_cast<pqxx::row::size_type>(from + i)].c_str());
  return v;
}

// Column type (format_type) or "" when missing.
std::string column_type(pqxx::transaction_base& tx, const std::string& table,
                        const std::string& column) {
  auto r = tx.exec_params(
      "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = to_regclass($1) "
      "AND attname = $2 AND attnum > 0 AND NOT attisdropped",
      qtable(table), column);
  return r.empty() ? "" : r[0][0].as<std::string>();
}

// Whether PostgreSQL accepts every assignment in an index expression (it is
// IMMUTABLE), tried on a temporary copy of the table's columns in a
// transaction that is rolled back. "" when so, else why not.
std::string immutability(pqxx::connection& c, const BackfillBaseline& b) {
  try {
    pqxx::work tx(c);
    tx.exec("CREATE TEMP TABLE seam_rehearse_probe (LIKE " + qtable(b.table) + ")");
    for (const auto& t : b.targets) {
      try {
        pqxx::subtransaction sub(tx, "seam_probe");
        sub.exec("CREATE INDEX ON pg_temp.seam_rehearse_probe ((CAST((" + t.expression + ") AS " +
                 t.type + ")))");
        sub.commit();
      } catch (const pqxx::sql_error& e) {
        return "the expression " + t.expression + " is not deterministic (" + trimmed(e.what()) +
               ")";
      }
    }
    tx.abort();
    return "";
  } catch (const std::exception& e) {
    return "cannot tell whether the expression is deterministic (" + trimmed(e.what()) + ")";
  }
}

}  // namespace

std::string describe_key(const std::vector<std::string>& names,
                         const std::vector<std::string>& values) {
  if (names.size() == 1 && values.size() == 1) return names[0] + " " + values[0];
  std::string n = "(", v = "(";
  for (size_t i = 0; i < names.size(); ++i) n += (i ? ", " : "") + names[i];
  for (size_t i = 0; i < values.size(); ++i) v += (i ? ", " : "") + values[i];
  return n + ") " + v + ")";
}

std::string describe_range(const std::vector<std::string>& names, const KeyChunk& c) {
  std::string n = names.size() == 1 ? names[0] : "(";
  if (names.size() != 1) {
    for (size_t i = 0; i < names.size(); ++i) n += (i ? ", " : "") + names[i];
    n += ")";
  }
  auto val = [&](const std::vector<std::string>& v) {
    if (v.size() == 1) return v[0];
    std::string s = "(";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
    return s + ")";
  };
  if (c.lo.empty() && c.hi.empty()) return "every " + n;
  if (c.lo.empty()) return n + " <= " + val(c.hi);
  if (c.hi.empty()) return n + " > " + val(c.lo);
  return n + " > " + val(c.lo) + " and <= " + val(c.hi);
}

std::optional<SourceBaseline> record_source(pqxx::connection& c, const std::string& table,
                                            const std::vector<std::string>& key) {
  Snapshot tx(c);
  auto rel = tx.exec_params1("SELECT to_regclass($1)::oid", qtable(table));
  if (rel[0].is_null()) return std::nullopt;
  SourceBaseline b;
  b.table = table;
  b.key = key;
  for (const auto& r :
       tx.exec_params("SELECT attname FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT "
                      "attisdropped ORDER BY attnum",
                      rel[0].as<int64_t>()))
    b.columns.push_back(r[0].as<std::string>());
  std::string row = "ROW(";
  for (size_t i = 0; i < b.columns.size(); ++i)
    row += (i ? ", " : "") + schema::quote_ident(b.columns[i]);
  row += ")::text";
  auto r = tx.exec1("SELECT count(*), " + checksum_sql(row) + " FROM " + qtable(table));
  b.rows = r[0].as<int64_t>();
  b.checksum = r[1].as<std::string>();
  return b;
}

Check verify_source(pqxx::connection& c, const SourceBaseline& b) {
  Check ck;
  std::string cols;
  for (size_t i = 0; i < b.columns.size(); ++i) cols += (i ? ", " : "") + b.columns[i];
  ck.name = b.table + ": the columns it had before the apply are unchanged";
  try {
    Snapshot tx(c);
    std::string row = "ROW(";
    for (size_t i = 0; i < b.columns.size(); ++i)
      row += (i ? ", " : "") + schema::quote_ident(b.columns[i]);
    row += ")::text";
    auto r = tx.exec1("SELECT count(*), " + checksum_sql(row) + " FROM " + qtable(b.table));
    int64_t rows = r[0].as<int64_t>();
    std::string sum = r[1].as<std::string>();
    ck.ok = rows == b.rows && sum == b.checksum;
    ck.detail =
        ck.ok ? group(rows) + " rows, checksum over " + cols + " as recorded before the apply"
              : "before the apply: " + group(b.rows) + " rows, checksum " + b.checksum + "; now " +
                    group(rows) + " rows, checksum " + sum + " (over " + cols + ")";
  } catch (const std::exception& e) {
    ck.ok = false;
    ck.detail = std::string("could not compute the checksum: ") + trimmed(e.what());
  }
  return ck;
}

BackfillBaseline record_backfill(pqxx::connection& c, const planner::Step& step,
                                 int64_t chunk_rows) {
  const auto& bf = *step.backfill;
  BackfillBaseline b;
  b.step_id = step.id;
  b.table = bf.table;
  b.key = bf.key;
  b.where = bf.where;
  if (chunk_rows < 1) chunk_rows = 1;
  {
    pqxx::read_transaction tx(c);
    for (const auto& k : b.key) {
      std::string t = column_type(tx, b.table, k);
      if (t.empty())
        throw std::runtime_error("backfill step " + step.id + ": key column " + k + " of " +
                                 b.table + " does not exist");
      b.key_types.push_back(t);
    }
    for (const auto& a : bf.set) {
      std::string t = column_type(tx, b.table, a.column);
      if (t.empty())
        throw std::runtime_error("backfill step " + step.id + ": column " + a.column + " of " +
                                 b.table + " does not exist before the backfill phase");
      b.targets.push_back({a.column, t, a.expression});
    }
  }
  b.not_deterministic = immutability(c, b);
  b.deterministic = b.not_deterministic.empty();

  Snapshot tx(c);
  std::string table = qtable(b.table);
  // Chunk borders: every chunk_rows-th key.
  std::vector<std::vector<std::string>> borders;
  std::vector<std::string> lo;
  for (;;) {
    std::string where =
        lo.empty() ? "" : " WHERE " + key_list(b.key) + " > " + key_values(lo, b.key_types);
    auto r = tx.exec("SELECT " + key_text(b.key) + " FROM " + table + where + " ORDER BY " +
                     key_order(b.key) + " OFFSET " + std::to_string(chunk_rows - 1) + " LIMIT 1");
    if (r.empty()) break;
    lo = row_values(r[0], 0, b.key.size());
    borders.push_back(lo);
  }
  for (size_t i = 0; i <= borders.size(); ++i) {
    KeyChunk ch;
    if (i > 0) ch.lo = borders[i - 1];
    if (i < borders.size()) ch.hi = borders[i];
    b.chunks.push_back(ch);
  }
  // The last chunk may be empty (the row count is a multiple of chunk_rows).
  for (auto& ch : b.chunks) {
    std::string range = range_sql(b, ch);
    {
      auto r = tx.exec1("SELECT count(*), count(*) FILTER (WHERE " + covered_sql(b) + ") FROM " +
                        table + " WHERE " + range);
      ch.rows = r[0].as<int64_t>();
      ch.covered = r[1].as<int64_t>();
    }
    b.rows += ch.rows;
    b.covered += ch.covered;
    if (!b.deterministic || ch.rows == 0) continue;
    try {
      pqxx::subtransaction sub(tx, "seam_chunk");
      ch.checksum = sub.exec1("SELECT " + checksum_sql(expected_row_sql(b)) + " FROM " + table +
                              " WHERE " + range)[0]
                        .as<std::string>();
      sub.commit();
      continue;
    } catch (const pqxx::sql_error& e) {
      ch.error = trimmed(e.what());
    }
    ++b.failing_chunks;
    if (static_cast<int>(b.failing.size()) >= kMaxFailingRows) continue;
    // Bisect the chunk's covered rows down to the ones that fail.
    std::vector<std::vector<std::string>> keys;
    for (const auto& r :
         tx.exec("SELECT " + key_text(b.key) + " FROM " + table + " WHERE " + range + " AND " +
                 covered_sql(b) + " ORDER BY " + key_order(b.key)))
      keys.push_back(row_values(r, 0, b.key.size()));
    std::string eval;
    for (const auto& t : b.targets)
      eval += (eval.empty() ? "" : ", ") + std::string("count((CAST((") + t.expression + ") AS " +
              t.type + "))::text)";
    std::function<void(size_t, size_t)> bisect = [&](size_t from, size_t to) {
      if (from >= to || static_cast<int>(b.failing.size()) >= kMaxFailingRows) return;
      std::string error;
      try {
        pqxx::subtransaction sub(tx, "seam_bisect");
        sub.exec("SELECT " + eval + " FROM " + table + " WHERE " + key_list(b.key) +
                 " >= " + key_values(keys[from], b.key_types) + " AND " + key_list(b.key) +
                 " <= " + key_values(keys[to - 1], b.key_types) + " AND " + covered_sql(b));
        sub.commit();
        return;
      } catch (const pqxx::sql_error& e) {
        error = trimmed(e.what());
      }
      if (to - from == 1) {
        b.failing.push_back({keys[from], error});
        return;
      }
      size_t mid = from + (to - from) / 2;
      bisect(from, mid);
      bisect(mid, to);
    };
    bisect(0, keys.size());
  }
  return b;
}

std::vector<Check> verify_backfill(pqxx::connection& c, const BackfillBaseline& b,
                                   int64_t rows_done) {
  std::vector<Check> out;
  std::string table = qtable(b.table);
  std::string cols;
  for (const auto& t : b.targets) cols += (cols.empty() ? "" : ", ") + t.column;

  Check once;
  once.name = b.step_id + ": every row backfilled exactly once";
  once.ok = rows_done == b.covered;
  once.detail = "the ledger counts " + group(rows_done) + " rows updated by the step's batches; " +
                group(b.covered) + " rows of " + b.table +
                " matched the backfill's WHERE before it started" +
                (once.ok                 ? ""
                 : rows_done > b.covered ? " (rows were updated more than once)"
                                         : " (rows were skipped)");
  out.push_back(once);

  Snapshot tx(c);
  if (b.deterministic) {
    Check values;
    values.name = b.step_id + ": " + cols + " equals the backfill expression on every row";
    std::string differs;
    for (const auto& t : b.targets)
      differs += (differs.empty() ? "" : " OR ") + std::string("(") +
                 schema::quote_ident(t.column) + ") IS DISTINCT FROM (CAST((" + t.expression +
                 ") AS " + t.type + "))";
    try {
      pqxx::subtransaction sub(tx, "seam_values");
      int64_t n = sub.exec1("SELECT count(*) FROM " + table + " WHERE " + differs)[0].as<int64_t>();
      std::string first;
      if (n > 0)
        for (const auto& r : sub.exec("SELECT " + key_text(b.key) + " FROM " + table + " WHERE " +
                                      differs + " ORDER BY " + key_order(b.key) + " LIMIT 5"))
          first +=
              (first.empty() ? "" : ", ") + describe_key(b.key, row_values(r, 0, b.key.size()));
      sub.commit();
      values.ok = n == 0;
      std::string exprs;
      for (const auto& t : b.targets)
        exprs += (exprs.empty() ? "" : "; ") + t.column + " = " + t.expression;
      values.detail = values.ok ? "0 of " + group(b.rows) + " rows differ from " + exprs
                                : group(n) + " rows differ from " + exprs + ", first: " + first;
    } catch (const pqxx::sql_error& e) {
      values.ok = false;
      values.detail = "the expression could not be evaluated over the table: " + trimmed(e.what());
    }
    out.push_back(values);
  } else {
    Check left;
    left.name = b.step_id + ": no row left behind";
    try {
      pqxx::subtransaction sub(tx, "seam_left");
      int64_t n =
          sub.exec1("SELECT count(*) FROM " + table + " WHERE " + covered_sql(b))[0].as<int64_t>();
      sub.commit();
      left.ok = n == 0;
      left.detail = group(n) + " rows still match the backfill's WHERE " + b.where +
                    " (values not recomputed: " + b.not_deterministic + ")";
    } catch (const pqxx::sql_error& e) {
      left.ok = false;
      left.detail = "could not count: " + trimmed(e.what());
    }
    out.push_back(left);
  }

  Check chunks;
  chunks.name = b.step_id + (b.deterministic
                                 ? ": chunk checksums equal the values expected before the backfill"
                                 : ": every chunk of keys keeps its rows");
  std::vector<std::string> bad;
  size_t compared = 0;
  for (const auto& ch : b.chunks) {
    if (b.deterministic && (!ch.error.empty() || (ch.rows > 0 && ch.checksum.empty()))) {
      bad.push_back(describe_range(b.key, ch) + " (no expected checksum: " + ch.error + ")");
      continue;
    }
    ++compared;
    try {
      pqxx::subtransaction sub(tx, "seam_chunk_after");
      auto r = sub.exec1("SELECT count(*), " + checksum_sql(actual_row_sql(b)) + " FROM " + table +
                         " WHERE " + range_sql(b, ch));
      sub.commit();
      int64_t rows = r[0].as<int64_t>();
      bool same = rows == ch.rows &&
                  (!b.deterministic || ch.rows == 0 || r[1].as<std::string>() == ch.checksum);
      if (!same)
        bad.push_back(describe_range(b.key, ch) + " (" + group(ch.rows) + " rows before, " +
                      group(rows) + " after" + (b.deterministic ? ", checksum differs" : "") + ")");
    } catch (const pqxx::sql_error& e) {
      bad.push_back(describe_range(b.key, ch) + " (" + trimmed(e.what()) + ")");
    }
  }
  chunks.ok = bad.empty();
  if (chunks.ok) {
    chunks.detail = std::to_string(compared) + " of " + std::to_string(b.chunks.size()) +
                    " chunks of " + b.table + " as expected";
  } else {
    chunks.detail =
        std::to_string(bad.size()) + " of " + std::to_string(b.chunks.size()) + " chunks differ: ";
    for (size_t i = 0; i < bad.size() && i < 5; ++i) chunks.detail += (i ? "; " : "") + bad[i];
    if (bad.size() > 5) chunks.detail += "; ...";
  }
  out.push_back(chunks);
  return out;
}

}  // namespace seam::executor
