// Tables and columns for the pgwire planner: new tables, new and dropped
// columns by their matrix op's strategy, type changes (the product decides
// which change is alter_type_binary_coercible), NOT NULL and defaults.
#include "dialects/pgwire/plan_internal.hpp"
#include "dialects/postgres/render_create.hpp"
#include "dialects/postgres/render_util.hpp"
#include "differ/deps.hpp"
#include "schema/canon.hpp"
#include "schema/errors.hpp"

namespace seam::pgwire::detail {

using pg::render_detail::b_expr;
using pg::render_detail::paren;
using planner::Draft;
using planner::HazardType;
using planner::Phase;
using schema::QualName;
using schema::quote_ident;
using schema::quote_qual;

namespace {

bool single_step(const std::string& strategy) {
  return strategy == "direct" || strategy == "instant" || strategy == "online_job" ||
         strategy == "blocking";
}

}  // namespace

void Planner::no_comment(size_t ci, const schema::Column& c) const {
  if (!c.comment.empty())
    unsupported(ci, "column " + quote_ident(c.name) +
                        " has a comment: seam does not plan COMMENT ON for " + p_.name +
                        " (no compat-matrix operation covers it); drop the comment from the "
                        "desired state or apply it by hand");
}

void Planner::add_table(size_t ci, const differ::AddTable& a) {
  schema::Table t = a.obj;
  if (!t.partition_by.strategy.empty() || t.partition_of || !t.inherits.empty())
    unsupported(ci, "seam does not plan PostgreSQL partitioning or inheritance for " + p_.name);
  if (!t.policies.empty() || t.rls_enabled)
    unsupported(ci, "seam does not plan row-level security for " + p_.name +
                        " (no compat-matrix operation covers it)");
  if (!t.comment.empty())
    unsupported(ci, "the table has a comment: seam does not plan COMMENT ON for " + p_.name +
                        " (no compat-matrix operation covers it)");
  for (auto& c : t.columns) {
    no_comment(ci, c);
    c = mapped(ci, c);
  }
  for (const auto& k : t.constraints)
    if (!k.comment.empty())
      unsupported(ci, "constraint " + quote_ident(k.name) +
                          " has a comment: seam does not plan COMMENT ON for " + p_.name);
  Draft d = step(ci, Phase::Expand, "create_table", pg::create_sql(t), "", &t.name);
  new_keys(d, ci);
  differ_hazards(d, ci);
  push(std::move(d));
}

void Planner::drop_table(size_t ci, const differ::DropTable& a) {
  const QualName& t = a.obj.name;
  std::vector<size_t> first;  // the index drops the table's drop waits for
  if (p_.drop_indexes_before_table) {
    // The live catalog's secondary indexes of the table (Catalog::indexes
    // holds neither the primary key nor constraint-backed indexes), in name
    // order. The differ emits no DropIndex for an index of a dropped table.
    for (const auto& [name, ix] : from_.indexes) {
      if (ix.table != t) continue;
      Draft d = step(ci, Phase::Contract, "drop_index", "DROP INDEX " + quote_qual(name) + ";\n",
                     "index " + name.str(), &t);
      d.drops.push_back(differ::key::rel(name));
      d.old_needs.push_back(differ::key::rel(t));
      d.step.message = p_.name + " refuses DROP TABLE while " + t.str() +
                       " still has secondary indexes, so this drops " + name.str() + " first. " +
                       d.step.message;
      first.push_back(push(std::move(d)));
    }
  }
  size_t at = out_.size();
  rendered(ci, "drop_table", &t, true, false);
  out_[at].after.insert(out_[at].after.end(), first.begin(), first.end());
  out_.back().step.hazards.push_back(
      {HazardType::AppCompat,
       "Old application code must no longer use " + t.str() + " when this step runs."});
}

void Planner::add_column(size_t ci, const differ::AddColumn& a) {
  const QualName& t = a.table;
  no_comment(ci, a.obj);
  schema::Column c = mapped(ci, a.obj);
  bool dflt = has_default(c);
  std::string op = c.identity                                  ? "add_column_identity"
                   : c.generated                               ? "add_column_generated_stored"
                   : dflt && volatile_default(default_text(c)) ? "add_column_volatile_default"
                   : c.not_null && dflt                        ? "add_column_not_null_default"
                   : dflt                                      ? "add_column_constant_default"
                                                               : "add_column_nullable";
  const auto& e = entry(ci, op);
  const schema::Table& shape = to_.find_table(t) ? *to_.find_table(t) : *from_.find_table(t);
  if (single_step(e.strategy) || !existing(t)) {
    Draft d = step(ci, Phase::Expand, op,
                   alter_table(t) + "ADD COLUMN " + pg::column_def(shape, c) + ";\n", "", &t);
    new_keys(d, ci);
    differ_hazards(d, ci);
    if (c.not_null && !dflt && !c.generated && !c.identity && existing(t))
      d.step.hazards.push_back(
          {HazardType::AppCompat, "Adding NOT NULL column " + quote_ident(c.name) +
                                      " without a default fails when " + t.str() +
                                      " has rows, and old code that inserts rows breaks; give "
                                      "it a default."});
    push(std::move(d));
    return;
  }
  if (e.strategy != "expand_backfill" || c.identity || c.generated)
    unsupported(ci, op + " on " + where() + " has strategy " + e.strategy +
                        ", which the pgwire planner does not run for a new column");
  // Nullable column, the default for new rows, a batched backfill of the old
  // ones, then NOT NULL through the product's set_not_null entry.
  schema::Column plain = c;
  plain.default_expr.reset();
  plain.not_null = false;
  Draft d1 =
      step(ci, Phase::Expand, "add_column_nullable",
           alter_table(t) + "ADD COLUMN " + pg::column_def(shape, plain) + ";\n", "nullable", &t);
  new_keys(d1, ci);
  differ_hazards(d1, ci);
  if (!e.verified) d1.step.hazards.push_back(unverified(op, e, "The plan of this new column"));
  size_t i1 = push(std::move(d1));
  Draft d2 = step(ci, Phase::Expand, "set_default",
                  alter_column(t, c.name) + "SET DEFAULT " + b_expr(default_text(c)) + ";\n",
                  "default", &t);
  d2.alters.push_back(differ::key::rel(t));
  size_t i2 = push(std::move(d2), i1);
  size_t i3 = backfill(ci, t, {{c.name, paren(default_text(c))}}, quote_ident(c.name) + " IS NULL",
                       "backfill " + c.name, i2, Phase::Backfill);
  if (c.not_null) not_null(ci, t, c.name, i3);
}

void Planner::drop_column(size_t ci, const differ::DropColumn& a) {
  const auto& e = entry(ci, "drop_column");
  if (e.strategy != "contract_only" && !single_step(e.strategy))
    unsupported(ci, "drop_column on " + where() + " has strategy " + e.strategy +
                        ", which the pgwire planner does not run");
  // Always in contract, behind the checkpoint: the data is lost.
  Draft d =
      step(ci, Phase::Contract, "drop_column",
           alter_table(a.table) + "DROP COLUMN " + quote_ident(a.obj.name) + ";\n", "", &a.table);
  old_keys(d, ci, false, true);
  // Indexes on the column go with it: a new index reusing a name waits.
  for (const auto& [n, ix] : from_.indexes)
    if (ix.table == a.table)
      for (const auto& el : ix.elems)
        if (el.column == a.obj.name) d.drops.push_back(differ::key::rel(n));
  differ_hazards(d, ci);
  d.step.hazards.push_back(
      {HazardType::AppCompat, "Old application code must no longer use column " +
                                  quote_ident(a.obj.name) + " of " + a.table.str() +
                                  " when this step runs."});
  push(std::move(d));
}

void Planner::alter_type(size_t ci, const differ::AlterColumnType& a) {
  schema::Column oc = mapped(ci, a.old_obj), nc = mapped(ci, a.new_obj);
  std::string op = p_.no_rewrite_type_change(a.old_obj, a.new_obj) ? "alter_type_binary_coercible"
                                                                   : "alter_type_rewrite";
  const auto& e = entry(ci, op);
  if (e.strategy == "shadow_column" || e.strategy == "app_dual_write") {
    if (op != "alter_type_rewrite")
      unsupported(ci, op + " has strategy " + e.strategy + ", meant for alter_type_rewrite");
    copy_column(ci, a, e.strategy == "shadow_column");
    return;
  }
  if (!single_step(e.strategy))
    unsupported(ci, op + " on " + where() + " has strategy " + e.strategy +
                        ", which the pgwire planner does not run for a type change");
  // The product converts the column itself (a job, or metadata only).
  std::string sql = alter_column(a.table, nc.name) + "TYPE " + nc.type;
  if (!nc.collation.empty()) sql += " COLLATE " + pg::quote_collation(nc.collation);
  if (!a.using_expr.empty())
    sql += " USING " + a.using_expr;
  else if (a.via_text)
    sql += " USING " + quote_ident(nc.name) +
           (nc.type.find('[') != std::string::npos ? "::text[]::" : "::text::") + nc.type;
  Draft d = step(ci, Phase::Expand, op, sql + ";\n", "", &a.table);
  new_keys(d, ci);
  differ_hazards(d, ci);
  d.step.hazards.push_back(
      {HazardType::AppCompat, "From this step on, " + quote_ident(nc.name) + " of " +
                                  a.table.str() + " is " + nc.type + " (was " + oc.type +
                                  "): application code must accept the new type."});
  push(std::move(d));
}

size_t Planner::not_null(size_t ci, const QualName& t, const std::string& col, size_t after) {
  const auto& e = entry(ci, "set_not_null");
  if (!single_step(e.strategy))
    unsupported(ci, "set_not_null on " + where() + " has strategy " + e.strategy +
                        ", a PostgreSQL recipe the pgwire planner does not run");
  Draft d = step(ci, Phase::Contract, "set_not_null", alter_column(t, col) + "SET NOT NULL;\n",
                 "set not null " + col, &t);
  d.needs.push_back(differ::key::rel(t));
  d.creates.push_back("nn:" + unq(t) + "." + col);
  return push(std::move(d), after);
}

void Planner::set_not_null(size_t ci, const differ::SetNotNull& a) {
  if (!a.new_obj.not_null) {
    Draft d = step(ci, Phase::Expand, "drop_not_null",
                   alter_column(a.table, a.new_obj.name) + "DROP NOT NULL;\n", "", &a.table);
    new_keys(d, ci);
    push(std::move(d));
    return;
  }
  // In contract: old code may still write NULLs until the checkpoint.
  size_t i = not_null(ci, a.table, a.new_obj.name, npos);
  new_keys(out_[i], ci);
  differ_hazards(out_[i], ci);
  out_[i].step.hazards.push_back(
      {HazardType::AppCompat, "From the contract phase on, writes to " + a.table.str() +
                                  " must not leave " + quote_ident(a.new_obj.name) + " NULL."});
}

void Planner::set_default(size_t ci, const differ::SetDefault& a) {
  bool set = has_default(a.new_obj);
  std::string sql = alter_column(a.table, a.new_obj.name) +
                    (set ? "SET DEFAULT " + b_expr(default_text(a.new_obj)) : "DROP DEFAULT") +
                    ";\n";
  Draft d = step(ci, Phase::Expand, set ? "set_default" : "drop_default", sql, "", &a.table);
  new_keys(d, ci);
  push(std::move(d));
}

}  // namespace seam::pgwire::detail
