// Constraints and indexes for the pgwire planner: CHECK and FOREIGN KEY by
// their entry (NOT VALID + VALIDATE, or one statement the product validates
// in the background), UNIQUE as the product builds it (one statement, or a
// unique index and ADD CONSTRAINT ... USING INDEX), and indexes as plain
// CREATE INDEX - each product builds an index online by itself and none needs
// (or, on Spanner, documents) CONCURRENTLY.
#include "dialects/pgwire/plan_internal.hpp"
#include "dialects/postgres/render_create.hpp"
#include "differ/deps.hpp"
#include "schema/canon.hpp"
#include "schema/errors.hpp"

namespace seam::pgwire::detail {

using planner::Draft;
using planner::HazardType;
using planner::Phase;
using schema::ConstraintKind;
using schema::QualName;
using schema::quote_ident;
using schema::quote_qual;

namespace {

bool single_step(const std::string& strategy) {
  return strategy == "direct" || strategy == "instant" || strategy == "online_job" ||
         strategy == "blocking";
}

std::string kind_op(ConstraintKind k) {
  switch (k) {
    case ConstraintKind::Check:
      return "add_check";
    case ConstraintKind::ForeignKey:
      return "add_foreign_key";
    case ConstraintKind::Unique:
      return "add_unique";
    case ConstraintKind::PrimaryKey:
      return "add_primary_key";
    case ConstraintKind::Exclude:
      return "add_exclusion_constraint";
  }
  return "";
}

}  // namespace

void Planner::add_constraint(size_t ci, const differ::AddConstraint& a) {
  const auto& k = a.obj;
  const QualName& t = a.table;
  if (!k.comment.empty())
    unsupported(ci, "the constraint has a comment: seam does not plan COMMENT ON for " + p_.name +
                        " (no compat-matrix operation covers it)");
  if (k.kind == ConstraintKind::Exclude)
    unsupported(ci, "exclusion constraints are not planned for " + p_.name +
                        " (no compat-matrix operation covers them)");
  schema::Table tn;
  tn.name = t;
  std::string op = kind_op(k.kind);
  const auto& e = entry(ci, op);
  bool writes_checked = k.kind == ConstraintKind::Check || k.kind == ConstraintKind::ForeignKey;
  auto checked_from_now = [&](Draft& d) {
    d.step.hazards.push_back(
        {HazardType::AppCompat,
         "From this step on, writes to " + t.str() + " must satisfy " + quote_ident(k.name) +
             (e.strategy == "not_valid_validate" ? " (existing rows are checked later)." : ".")});
  };
  if (!existing(t) || single_step(e.strategy)) {
    Draft d = step(ci, Phase::Expand, op, pg::add_constraint_sql(tn, k), "", &t);
    new_keys(d, ci);
    if (k.kind != ConstraintKind::ForeignKey)
      d.creates.push_back(differ::key::rel({t.schema, k.name}));  // its index, if any
    differ_hazards(d, ci);
    if (existing(t)) checked_from_now(d);
    push(std::move(d));
    return;
  }
  if (e.strategy == "not_valid_validate" && writes_checked) {
    bool chk = k.kind == ConstraintKind::Check;
    schema::Constraint nv = k;
    nv.not_valid = true;
    std::string op1 = chk ? "add_check_not_valid" : "add_foreign_key_not_valid";
    Draft d = step(ci, Phase::Expand, op1, pg::add_constraint_sql(tn, nv), "not valid", &t);
    new_keys(d, ci);
    differ_hazards(d, ci);
    checked_from_now(d);
    if (!e.verified) d.step.hazards.push_back(unverified(op, e, "The plan of this constraint"));
    size_t first = push(std::move(d));
    if (k.not_valid) return;  // the desired constraint is NOT VALID itself
    // VALIDATE in contract: after every backfill, and once old code, which
    // may still write violating rows, is gone.
    std::string op2 = chk ? "validate_check" : "validate_foreign_key";
    Draft v =
        step(ci, Phase::Contract, op2,
             alter_table(t) + "VALIDATE CONSTRAINT " + quote_ident(k.name) + ";\n", "validate", &t);
    v.needs.push_back(differ::key::con(t, k.name));
    push(std::move(v), first);
    return;
  }
  if (e.strategy == "unique_index_then_constraint" &&
      (k.kind == ConstraintKind::Unique || k.kind == ConstraintKind::PrimaryKey)) {
    // The product's online index build, then the constraint over that index
    // (a constraint added directly builds its index another way: e.g.
    // YugabyteDB builds it non-concurrently, yugabyte/yugabyte-db#13330).
    schema::Index ix;
    ix.name = {t.schema, k.name};
    ix.table = t;
    ix.unique = true;
    ix.nulls_not_distinct = k.nulls_not_distinct;
    for (const auto& c : k.columns) {
      schema::IndexElem el;
      el.column = c;
      ix.elems.push_back(el);
    }
    ix.include = k.include;
    Draft d0 = step(ci, Phase::Expand, "create_index", pg::create_sql(ix), "unique index", &t);
    d0.needs = cs_.changes[ci].deps.needs;
    d0.creates.push_back(differ::key::rel(ix.name));
    differ_hazards(d0, ci);
    if (!e.verified) d0.step.hazards.push_back(unverified(op, e, "The plan of this constraint"));
    size_t first = push(std::move(d0));
    std::string sql = alter_table(t) + "ADD CONSTRAINT " + quote_ident(k.name) +
                      (k.kind == ConstraintKind::PrimaryKey ? " PRIMARY KEY" : " UNIQUE") +
                      " USING INDEX " + quote_ident(k.name);
    if (k.deferrable) sql += " DEFERRABLE";
    if (k.initially_deferred) sql += " INITIALLY DEFERRED";
    Draft d = step(ci, Phase::Expand, "add_constraint_using_index", sql + ";\n", "using index", &t);
    new_keys(d, ci);
    d.needs.push_back(differ::key::rel(ix.name));
    push(std::move(d), first);
    return;
  }
  unsupported(ci, op + " on " + where() + " has strategy " + e.strategy +
                      ", which the pgwire planner does not run for this constraint");
}

void Planner::drop_constraint(size_t ci, const differ::DropConstraint& a) {
  // One op per kind: the products differ exactly here (CockroachDB drops a
  // UNIQUE constraint only through its index and a primary key only with a
  // new one in the same transaction; YugabyteDB rewrites the table to drop a
  // primary key), so a CHECK's entry must not speak for them.
  const auto kind = a.obj.kind;
  std::string op = kind == ConstraintKind::ForeignKey   ? "drop_foreign_key"
                   : kind == ConstraintKind::Unique     ? "drop_unique_constraint"
                   : kind == ConstraintKind::PrimaryKey ? "drop_primary_key"
                                                        : "drop_constraint";
  const QualName index{a.table.schema, a.obj.name};
  if (kind == ConstraintKind::Unique && p_.drop_unique_by_index) {
    std::string sql =
        "DROP INDEX " + quote_qual(a.table) + "@" + quote_ident(a.obj.name) + " CASCADE;\n";
    Draft d = step(ci, Phase::Contract, op, sql, "", &a.table);
    old_keys(d, ci, true, true);
    d.drops.push_back(differ::key::rel(index));
    differ_hazards(d, ci);
    // CASCADE is what the product requires here (the entry's notes say what
    // else it drops); a 23.1 bug made it drop more.
    d.step.message = "Check SHOW CONSTRAINTS of the tables that reference " + a.table.str() +
                     " after this step: cockroach#107576 is a 23.1 bug where this CASCADE "
                     "removed an unrelated foreign key. " +
                     d.step.message;
    push(std::move(d));
    return;
  }
  rendered(ci, op, &a.table, true, true);
  if (kind != ConstraintKind::ForeignKey && kind != ConstraintKind::Check)
    out_.back().drops.push_back(differ::key::rel(index));  // its index
}

void Planner::add_index(size_t ci, const differ::AddIndex& a) {
  const auto& ix = a.obj;
  if (!ix.comment.empty())
    unsupported(ci, "the index has a comment: seam does not plan COMMENT ON for " + p_.name +
                        " (no compat-matrix operation covers it)");
  const auto& e = entry(ci, "create_index");
  std::string sql = pg::create_sql(ix);
  if (e.strategy == "concurrently")
    sql.insert(sql.find("INDEX ") + 6, "CONCURRENTLY ");
  else if (!single_step(e.strategy))
    unsupported(ci, "create_index on " + where() + " has strategy " + e.strategy +
                        ", which the pgwire planner does not run");
  Draft d = step(ci, Phase::Expand, "create_index", sql, "", &ix.table);
  new_keys(d, ci);
  differ_hazards(d, ci);
  push(std::move(d));
}

void Planner::drop_index(size_t ci, const differ::DropIndex& a) {
  rendered(ci, "drop_index", &a.obj.table, true, false);
}

}  // namespace seam::pgwire::detail
