// PRIMARY KEY, UNIQUE, FOREIGN KEY and CHECK constraints from
// information_schema.table_constraints, key_column_usage,
// referential_constraints, check_constraints and constraint_column_usage.
//
// Constraint names are unique per table, not per schema, yet
// referential_constraints and check_constraints key a constraint by schema and
// name only. Where two tables of a schema have constraints of one name and
// those views show different contents for it, the inspector cannot tell which
// is whose: an UnsupportedError, never a guess.
#include <algorithm>
#include <map>
#include <regex>
#include <tuple>

#include "dialects/pgwire/inspect_infoschema_internal.hpp"
#include "schema/canon.hpp"
#include "schema/errors.hpp"

namespace seam::pgwire::infoschema {

namespace {

using Key = std::pair<std::string, std::string>;                                  // (schema, name)
using TableKey = std::tuple<std::string, std::string, std::string, std::string>;  // + table

struct TC {
  std::string schema, name, table_schema, table_name, type;
  bool deferrable = false, deferred = false, nulls_not_distinct = false;
};
struct KCU {
  std::string column;
  long position_in_unique = 0;
};
struct RC {
  std::string unique_schema, unique_name, match, update_rule, delete_rule;
  bool operator==(const RC&) const = default;
};

char rule(const std::string& r) {
  if (r == "CASCADE") return 'c';
  if (r == "RESTRICT") return 'r';
  if (r == "SET NULL") return 'n';
  if (r == "SET DEFAULT") return 'd';
  return 'a';  // NO ACTION
}

char match(const std::string& m) {
  if (m == "FULL") return 'f';
  if (m == "PARTIAL") return 'p';
  return 's';  // NONE = MATCH SIMPLE
}

[[noreturn]] void ambiguous(const Ctx& ctx, const std::string& kind, const Key& k) {
  throw UnsupportedError(
      ctx.p.product + ": two tables of schema " + schema::quote_ident(k.first) + " have " + kind +
      " constraints named " + schema::quote_ident(k.second) +
      " with different definitions, and information_schema does not say which is whose; "
      "rename one of them so that seam can read the schema");
}

}  // namespace

void read_constraints(Ctx& ctx) {
  const InfoSchemaProfile& p = ctx.p;
  std::vector<TC> tcs;
  std::map<Key, std::vector<size_t>> tc_by_name;
  bool nulls_distinct = p.dialect == "postgres" && ctx.cat.server_version >= 150000;
  for (const auto& r : ctx.query(std::string(R"(
      SELECT constraint_schema, constraint_name, table_schema, table_name, constraint_type, is_deferrable,
             initially_deferred, )") +
                                 (nulls_distinct ? "nulls_distinct" : "NULL") + R"(
      FROM information_schema.table_constraints
      WHERE constraint_type IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY', 'CHECK'))")) {
    TC tc{str(r[0]), str(r[1]), str(r[2]), str(r[3]),
          str(r[4]), yes(r[5]), yes(r[6]), str(r[7]) == "NO"};
    tc_by_name[{tc.schema, tc.name}].push_back(tcs.size());
    tcs.push_back(std::move(tc));
  }
  std::map<TableKey, std::vector<KCU>> kcu;
  for (const auto& r : ctx.query(R"(
      SELECT constraint_schema, constraint_name, table_schema, table_name, column_name,
             position_in_unique_constraint
      FROM information_schema.key_column_usage
      ORDER BY constraint_schema, constraint_name, table_schema, table_name, ordinal_position)"))
    kcu[{str(r[0]), str(r[1]), str(r[2]), str(r[3])}].push_back(
        {str(r[4]), opt_long(r[5]).value_or(0)});
  std::map<Key, std::vector<RC>> rcs;
  for (const auto& r : ctx.query(R"(
      SELECT constraint_schema, constraint_name, unique_constraint_schema, unique_constraint_name, match_option,
             update_rule, delete_rule
      FROM information_schema.referential_constraints)"))
    rcs[{str(r[0]), str(r[1])}].push_back({str(r[2]), str(r[3]), str(r[4]), str(r[5]), str(r[6])});
  std::map<Key, std::vector<std::string>> checks;
  for (const auto& r : ctx.query("SELECT constraint_schema, constraint_name, check_clause FROM "
                                 "information_schema.check_constraints"))
    checks[{str(r[0]), str(r[1])}].push_back(str(r[2]));
  // Referenced columns of foreign keys whose unique constraint cannot be found.
  std::map<Key, std::vector<std::tuple<std::string, std::string, std::string>>> ccu;
  for (const auto& r : ctx.query(R"(
      SELECT constraint_schema, constraint_name, table_schema, table_name, column_name
      FROM information_schema.constraint_column_usage)"))
    ccu[{str(r[0]), str(r[1])}].push_back({str(r[2]), str(r[3]), str(r[4])});
  std::set<std::tuple<std::string, std::string, std::string>>
      not_valid;  // (schema, table, constraint)
  if (p.convalidated)
    for (const auto& r : ctx.query(R"(
        SELECT n.nspname, c.relname, con.conname
        FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE NOT con.convalidated)"))
      not_valid.insert({str(r[0]), str(r[1]), str(r[2])});
  const std::regex not_null_name(p.not_null_check_name, std::regex::icase);

  auto columns_of = [&](const TC& tc) {
    std::vector<std::string> out;
    auto it = kcu.find({tc.schema, tc.name, tc.table_schema, tc.table_name});
    if (it != kcu.end())
      for (const auto& k : it->second) out.push_back(k.column);
    return out;
  };

  for (const auto& tc : tcs) {
    schema::Table* t = ctx.cat.find_table({tc.table_schema, tc.table_name});
    if (!t || !ctx.in_scope(tc.table_schema)) continue;
    schema::Constraint k;
    k.name = tc.name;
    k.deferrable = tc.deferrable;
    k.initially_deferred = tc.deferred;
    std::string what = "constraint " + schema::quote_ident(k.name) + " on " + t->name.str();
    if (tc.type == "PRIMARY KEY" || tc.type == "UNIQUE") {
      k.kind =
          tc.type == "UNIQUE" ? schema::ConstraintKind::Unique : schema::ConstraintKind::PrimaryKey;
      k.columns = columns_of(tc);
      k.nulls_not_distinct = tc.nulls_not_distinct;
      if (p.hidden_primary_key && k.kind == schema::ConstraintKind::PrimaryKey &&
          std::any_of(k.columns.begin(), k.columns.end(),
                      [&](const std::string& c) { return !t->find_column(c); })) {
        // The key on the hidden row id: no PRIMARY KEY was declared; its
        // index (pg_indexes lists it under the key's name) is not read either.
        ctx.skip_indexes.insert({t->name.schema, k.name});
        continue;
      }
    } else if (tc.type == "CHECK") {
      k.kind = schema::ConstraintKind::Check;
      auto it = checks.find({tc.schema, tc.name});
      if (it == checks.end() || it->second.empty()) continue;  // not visible to this user
      if (std::adjacent_find(it->second.begin(), it->second.end(), std::not_equal_to<>()) !=
          it->second.end())
        ambiguous(ctx, "CHECK", {tc.schema, tc.name});
      CheckClause cl = parse_check_clause(product_sql(ctx, it->second.front()));
      // The NOT NULL of a column, listed as a CHECK by information_schema.
      std::string nn = not_null_column(cl.expr);
      if (!nn.empty() && std::regex_search(k.name, not_null_name)) {
        // (a column the profile hides - CockroachDB's rowid - has one too)
        const schema::Column* col = t->find_column(nn);
        if (!col || col->not_null) continue;
      }
      k.check = expr_of(ctx, cl.expr, "the CHECK of " + what);
      k.not_valid = cl.not_valid;
      k.no_inherit = cl.no_inherit;
    } else {
      k.kind = schema::ConstraintKind::ForeignKey;
      auto it = rcs.find({tc.schema, tc.name});
      if (it == rcs.end() || it->second.empty()) continue;
      if (std::adjacent_find(it->second.begin(), it->second.end(), std::not_equal_to<>()) !=
          it->second.end())
        ambiguous(ctx, "FOREIGN KEY", {tc.schema, tc.name});
      const RC& rc = it->second.front();
      k.match = match(rc.match);
      k.on_update = rule(rc.update_rule);
      k.on_delete = rule(rc.delete_rule);
      const auto& local = kcu[{tc.schema, tc.name, tc.table_schema, tc.table_name}];
      for (const auto& c : local) k.columns.push_back(c.column);
      // The referenced side: the unique constraint the key uses, when it is
      // one (and only one) table's; else constraint_column_usage, ordered by
      // a PRIMARY KEY/UNIQUE of that table with exactly those columns.
      const TC* uc = nullptr;
      auto u = tc_by_name.find({rc.unique_schema, rc.unique_name});
      if (u != tc_by_name.end()) {
        std::vector<const TC*> found;
        for (size_t i : u->second)
          if (tcs[i].type == "PRIMARY KEY" || tcs[i].type == "UNIQUE") found.push_back(&tcs[i]);
        if (found.size() == 1) uc = found.front();
      }
      if (!uc) {
        auto used = ccu.find({tc.schema, tc.name});
        std::set<std::pair<std::string, std::string>> tables;
        std::set<std::string> cols;
        if (used != ccu.end())
          for (const auto& [s, tname, c] : used->second) {
            tables.insert({s, tname});
            cols.insert(c);
          }
        if (tables.size() == 1) {
          for (const auto& cand : tcs) {
            if ((cand.type != "PRIMARY KEY" && cand.type != "UNIQUE") ||
                cand.table_schema != tables.begin()->first ||
                cand.table_name != tables.begin()->second)
              continue;
            auto cc = columns_of(cand);
            if (std::set<std::string>(cc.begin(), cc.end()) == cols && cc.size() == local.size()) {
              uc = &cand;
              break;
            }
          }
        }
        if (!uc)
          throw UnsupportedError(ctx.p.product + ": cannot tell which columns foreign key " + what +
                                 " references from information_schema (its unique constraint " +
                                 schema::quote_qual({rc.unique_schema, rc.unique_name}) +
                                 " is not one table's PRIMARY KEY or UNIQUE constraint)");
      }
      k.ref_table = {uc->table_schema, uc->table_name};
      auto ref = columns_of(*uc);
      if (p.fk_ref_columns_from_usage) {
        auto used = ccu.find({tc.schema, tc.name});
        if (used != ccu.end())
          for (const auto& [s, tname, c] : used->second)
            if (s == uc->table_schema && tname == uc->table_name) k.ref_columns.push_back(c);
        if (k.ref_columns.size() != local.size())
          throw UnsupportedError(ctx.p.product + ": constraint_column_usage lists " +
                                 std::to_string(k.ref_columns.size()) +
                                 " referenced column(s) for foreign key " + what + ", which has " +
                                 std::to_string(local.size()));
      }
      for (const auto& c : local) {
        if (p.fk_ref_columns_from_usage) break;
        long pos = c.position_in_unique;
        if (pos < 1 || pos > static_cast<long>(ref.size()))
          throw UnsupportedError(ctx.p.product + ": information_schema gives foreign key " + what +
                                 " no position in " + uc->name + " for column " +
                                 schema::quote_ident(c.column));
        k.ref_columns.push_back(ref[pos - 1]);
      }
    }
    if (not_valid.count({tc.table_schema, tc.table_name, tc.name})) k.not_valid = true;
    t->constraints.push_back(std::move(k));
  }
  for (auto& [n, t] : ctx.cat.tables)
    std::sort(
        t.constraints.begin(), t.constraints.end(),
        [](const schema::Constraint& a, const schema::Constraint& b) { return a.name < b.name; });
}

}  // namespace seam::pgwire::infoschema
