// The tests' sequential plan runner; see plan_runner.hpp.
#include "tests/support/plan_runner.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include "schema/canon.hpp"

namespace seam::test {

namespace {

// "schema.table" (qualified, unquoted; the schema ends at the first dot).
std::string quote_table(const std::string& qualified) {
  auto dot = qualified.find('.');
  if (dot == std::string::npos) return schema::quote_ident(qualified);
  return schema::quote_qual({qualified.substr(0, dot), qualified.substr(dot + 1)});
}

std::string key_list(const std::vector<std::string>& key) {
  std::string s;
  for (const auto& k : key) s += (s.empty() ? "" : ", ") + schema::quote_ident(k);
  return "(" + s + ")";
}

std::string literal_row(const pqxx::row& r) {
  std::string s;
  for (const auto& f : r)
    s += (s.empty() ? "" : ", ") +
         (f.is_null() ? std::string("NULL") : schema::quote_literal(f.c_str()));
  return "(" + s + ")";
}

void run_backfill(pqxx::connection& c, const planner::Plan& plan, const planner::Backfill& b) {
  std::string table = quote_table(b.table);
  std::string set;
  for (const auto& a : b.set)
    set += (set.empty() ? "" : ", ") + schema::quote_ident(a.column) + " = " + a.expression;
  std::string filter = b.where.empty() ? "" : " AND (" + b.where + ")";
  if (b.key.empty()) {
    // No key to page over: one statement (the planner flags this as long-running).
    pqxx::work tx{c};
    tx.exec("UPDATE " + table + " SET " + set + (b.where.empty() ? "" : " WHERE " + b.where));
    tx.commit();
    return;
  }
  int64_t batch = b.batch_size > 0
                      ? b.batch_size
                      : (plan.throttle.batch_size > 0 ? plan.throttle.batch_size : 1000);
  std::string keys = key_list(b.key);
  std::string cursor;  // "" = before the first row
  for (;;) {
    pqxx::work tx{c};
    std::string after = cursor.empty() ? "true" : keys + " > " + cursor;
    // Page over the key alone (an index range scan); the filter goes in the UPDATE.
    auto rows =
        tx.exec("SELECT " + keys.substr(1, keys.size() - 2) + " FROM " + table + " WHERE " + after +
                " ORDER BY " + keys.substr(1, keys.size() - 2) + " LIMIT " + std::to_string(batch));
    if (rows.empty()) {
      tx.commit();
      return;
    }
    std::string last = literal_row(rows[rows.size() - 1]);
    tx.exec("UPDATE " + table + " SET " + set + " WHERE " + after + " AND " + keys + " <= " + last +
            filter);
    tx.commit();
    cursor = last;
    if (static_cast<int64_t>(rows.size()) < batch) return;
  }
}

}  // namespace

void run_step(pqxx::connection& c, const planner::Plan& plan, const planner::Step& step) {
  try {
    switch (step.kind) {
      case planner::StepKind::Checkpoint:
        return;
      case planner::StepKind::Backfill:
        if (!step.backfill) throw std::runtime_error("backfill step without backfill settings");
        run_backfill(c, plan, *step.backfill);
        return;
      case planner::StepKind::Sql:
        if (step.transactional) {
          pqxx::work tx{c};
          tx.exec(step.sql);
          tx.commit();
        } else {
          pqxx::nontransaction tx{c};
          tx.exec(step.sql);
        }
        return;
    }
  } catch (const std::exception& e) {
    std::string msg = "step " + step.id + " failed: " + e.what();
    if (!step.on_failure.empty()) {
      try {
        pqxx::nontransaction tx{c};
        tx.exec(step.on_failure);
      } catch (const std::exception& e2) {
        msg += " (and its cleanup failed too: " + std::string(e2.what()) + ")";
      }
    }
    throw std::runtime_error(msg + "\nSQL:\n" + step.sql);
  }
}

void run_plan_sequentially(pqxx::connection& c, const planner::Plan& plan,
                           const std::function<void(const planner::Step&)>& before_step) {
  for (const auto& s : plan.steps) {
    if (before_step) before_step(s);
    run_step(c, plan, s);
  }
}

}  // namespace seam::test
