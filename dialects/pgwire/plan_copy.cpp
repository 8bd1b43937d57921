// A type change the product cannot make online as one statement, copied
// through a shadow column: shadow_column keeps the copy in step with a
// trigger (YugabyteDB; CockroachDB 24.3, whose row-level triggers are
// Preview), app_dual_write leaves that to the application (CockroachDB before
// 24.3, Spanner: no triggers), and the plan's checkpoint says so.
//
// Unlike PostgreSQL, none of these products can swap the names and drop the
// trigger atomically in one transaction (no transactional DDL, no table
// locks), so the contract phase is a short sequence of single DDL steps in
// an order that fails closed: the names are swapped first, which makes the
// sync trigger (still naming the shadow) fail writes instead of letting the
// copy diverge, then the trigger and the old column are dropped. The swap
// step's hazards say how long writes may fail.
#include <algorithm>
#include <cctype>

#include "dialects/pgwire/plan_internal.hpp"
#include "dialects/postgres/render_create.hpp"
#include "dialects/postgres/render_util.hpp"
#include "differ/deps.hpp"
#include "schema/canon.hpp"
#include "schema/errors.hpp"

namespace seam::pgwire::detail {

using pg::render_detail::b_expr;
using pg::render_detail::make_object_name;
using pg::render_detail::paren;
using planner::Draft;
using planner::HazardType;
using planner::Phase;
using schema::QualName;
using schema::quote_ident;
using schema::quote_qual;

namespace {

// Does SQL text mention `word` as a whole identifier (quoted or not)?
bool mentions(const std::string& text, const std::string& word) {
  auto ident = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
  };
  for (size_t p = text.find(word); p != std::string::npos; p = text.find(word, p + 1)) {
    bool before = p == 0 || !ident(text[p - 1]);
    bool after = p + word.size() >= text.size() || !ident(text[p + word.size()]);
    if (before && after) return true;
  }
  return false;
}

bool constraint_uses(const schema::Constraint& k, const std::string& col) {
  auto in = [&](const std::vector<std::string>& v) {
    return std::find(v.begin(), v.end(), col) != v.end();
  };
  if (in(k.columns) || in(k.include)) return true;
  for (const auto& e : k.elems)
    if (e.column == col || (e.expr && mentions(e.expr->text, col))) return true;
  return (k.check && mentions(k.check->text, col)) || (k.where && mentions(k.where->text, col));
}

bool index_uses(const schema::Index& ix, const std::string& col) {
  for (const auto& e : ix.elems)
    if (e.column == col || (e.expr && mentions(e.expr->text, col))) return true;
  if (std::find(ix.include.begin(), ix.include.end(), col) != ix.include.end()) return true;
  return ix.where && mentions(ix.where->text, col);
}

}  // namespace

std::string Planner::copy_blocker(size_t ci, const QualName& t, const std::string& col) const {
  const auto* tb = from_.find_table(t);
  if (!tb) return "the table is not in the live catalog";
  std::vector<std::string> pk;
  for (const auto& k : tb->constraints)
    if (k.kind == schema::ConstraintKind::PrimaryKey) pk = k.columns;
  if (pk.empty()) return "the table has no primary key to backfill by";
  if (std::find(pk.begin(), pk.end(), col) != pk.end())
    return "the column is part of the primary key";
  if (const auto* c = tb->find_column(col); c && (c->identity || c->generated))
    return "the column is an identity or generated column";
  for (const auto& k : tb->constraints)
    if (constraint_uses(k, col)) return "constraint " + quote_ident(k.name) + " uses the column";
  for (const auto& [n, other] : from_.tables)
    for (const auto& k : other.constraints)
      if (k.kind == schema::ConstraintKind::ForeignKey && k.ref_table == t &&
          std::find(k.ref_columns.begin(), k.ref_columns.end(), col) != k.ref_columns.end())
        return "foreign key " + quote_ident(k.name) + " on " + n.str() + " references the column";
  // Indexes would follow the old column; rebuilding them on the copy is not
  // planned for these products yet.
  for (const auto& [n, ix] : from_.indexes)
    if (ix.table == t && index_uses(ix, col)) return "index " + n.str() + " uses the column";
  for (const auto& [n, v] : from_.views)
    if (std::find(v.deps.begin(), v.deps.end(), t) != v.deps.end() ||
        mentions(v.query.text, t.name))
      return "view " + n.str() + " reads the table";
  for (const auto& [n, tr] : from_.triggers)
    if (n.first == t) return "trigger " + quote_ident(tr.name) + " on the table may use the column";
  for (size_t i = 0; i < cs_.changes.size(); ++i) {
    if (i == ci) continue;
    bool hit = std::visit(
        [&](const auto& c) -> bool {
          if constexpr (requires { c.table; }) {
            if constexpr (std::is_same_v<std::decay_t<decltype(c.table)>, QualName>)
              return c.table == t;
          }
          if constexpr (requires { c.obj.table; }) {
            if constexpr (std::is_same_v<std::decay_t<decltype(c.obj.table)>, QualName>)
              return c.obj.table == t;
          }
          return false;
        },
        cs_.changes[i].op);
    if (hit)
      return "other changes in this plan concern the same table (" +
             differ::describe(cs_.changes[i]) + ")";
  }
  return "";
}

void Planner::copy_column(size_t ci, const differ::AlterColumnType& a, bool trigger) {
  const auto& ch = cs_.changes[ci];
  const QualName& t = a.table;
  const std::string& col = a.new_obj.name;
  const std::string strategy = trigger ? "shadow_column" : "app_dual_write";
  std::string why = copy_blocker(ci, t, col);
  if (!why.empty())
    unsupported(ci, "alter_type_rewrite on " + where() + " has strategy " + strategy +
                        ", which copies the column, and seam cannot copy it: " + why);
  schema::Column oc = mapped(ci, a.old_obj), nc = mapped(ci, a.new_obj);
  // Every operation of the recipe must have an entry before any step is
  // planned, and a missing one is reported as what the recipe needs.
  std::vector<std::string> ops = {"add_column_nullable", "rename_column", "drop_column"};
  if (nc.not_null) ops.push_back("set_not_null");
  if (has_default(nc)) ops.push_back("set_default");
  if (trigger) ops.insert(ops.end(), {"create_trigger", "drop_trigger"});
  for (const auto& op : ops) {
    try {
      entry(ci, op);
    } catch (const UnsupportedError& x) {
      std::string m = x.what(), prefix = differ::describe(ch) + ": ";
      if (m.rfind(prefix, 0) == 0) m = m.substr(prefix.size());
      unsupported(
          ci,
          "alter_type_rewrite on " + where() + " has strategy " + strategy +
              ", which copies the column into a new one (add_column_nullable), " +
              (trigger ? "keeps it in step with a trigger (create_trigger, drop_trigger), " : "") +
              "and swaps the names (rename_column) before dropping the old column "
              "(drop_column); but " +
              m);
    }
  }
  std::string shadow = make_object_name(col, "", "seam_new"),
              old = make_object_name(col, "", "seam_old");
  auto cast = [&](const std::string& src) {
    return a.via_text ? src + (nc.type.find('[') != std::string::npos ? "::text[]::" : "::text::") +
                            nc.type
                      : src + "::" + nc.type;
  };
  std::string expr = !a.using_expr.empty() ? a.using_expr : cast(quote_ident(col));
  const schema::Table& shape = to_.find_table(t) ? *to_.find_table(t) : *from_.find_table(t);

  // expand: the shadow column, nullable, without default.
  schema::Column sc = nc;
  sc.name = shadow;
  sc.default_expr.reset();
  sc.not_null = false;
  sc.comment.clear();
  Draft d1 =
      step(ci, Phase::Expand, "add_column_nullable",
           alter_table(t) + "ADD COLUMN " + pg::column_def(shape, sc) + ";\n", "shadow column", &t);
  d1.needs = ch.deps.needs;
  d1.needs.push_back(differ::key::rel(t));
  differ_hazards(d1, ci);
  if (const auto& e = entry(ci, "alter_type_rewrite"); !e.verified)
    d1.step.hazards.push_back(unverified("alter_type_rewrite", e, "The plan of this type change"));
  size_t prev = push(std::move(d1));

  // dual-write: a row trigger computes the shadow from the column on every
  // write (its function and the trigger are two DDL statements, two steps).
  QualName fn{t.schema, make_object_name(t.name, col, "seam_sync")};
  if (trigger) {
    std::string value = a.using_expr.empty()
                            ? cast("NEW." + quote_ident(col))
                            : "(SELECT " + a.using_expr + " FROM (SELECT NEW.*) AS seam_row)";
    std::string body =
        "BEGIN\n  NEW." + quote_ident(shadow) + " := " + value + ";\n  RETURN NEW;\nEND\n";
    std::string tag = pg::dollar_tag(body);
    Draft f = step(ci, Phase::DualWrite, "create_trigger",
                   "CREATE FUNCTION " + quote_qual(fn) + "() RETURNS trigger LANGUAGE plpgsql AS " +
                       tag + "\n" + body + tag + ";\n",
                   "sync function", nullptr);
    prev = push(std::move(f), prev);
    Draft tr =
        step(ci, Phase::DualWrite, "create_trigger",
             "CREATE TRIGGER " + quote_ident(fn.name) + " BEFORE INSERT OR UPDATE ON " +
                 quote_qual(t) + " FOR EACH ROW EXECUTE FUNCTION " + quote_qual(fn) + "();\n",
             "sync trigger", &t);
    prev = push(std::move(tr), prev);
  }
  prev = backfill(ci, t, {{shadow, expr}}, quote_ident(shadow) + " IS NULL", "backfill " + shadow,
                  prev, Phase::Backfill);

  if (!trigger) {
    // Rows the application changed before it wrote both columns: copied again
    // once the checkpoint confirms that it does.
    prev =
        backfill(ci, t, {{shadow, expr}}, quote_ident(shadow) + " IS DISTINCT FROM " + paren(expr),
                 "catch up " + shadow, prev, Phase::Contract);
    notes_.push_back(where() + " has no triggers to keep " + t.str() + "." + quote_ident(shadow) +
                     " in step with " + quote_ident(col) +
                     " (alter_type_rewrite: app_dual_write): before approving, the "
                     "APPLICATION must write both columns on every insert and update of " +
                     t.str() + " (" + quote_ident(shadow) + " = " + expr +
                     "), and the backfill above must have completed. After approval seam "
                     "copies again every row whose " +
                     quote_ident(shadow) +
                     " differs, then swaps the names: from the swap "
                     "on, the application must write " +
                     quote_ident(col) + " only (now " + nc.type + ") and no longer name " +
                     quote_ident(shadow) + ".");
  }

  // contract: NOT NULL and the default on the copy, then the swap.
  if (nc.not_null) prev = not_null(ci, t, shadow, prev);
  if (has_default(nc)) {
    Draft d = step(ci, Phase::Contract, "set_default",
                   alter_column(t, shadow) + "SET DEFAULT " + b_expr(default_text(nc)) + ";\n",
                   "default " + shadow, &t);
    prev = push(std::move(d), prev);
  }
  // What fails between the swap and the end of the contract phase (the
  // order fails closed; see the top of this file).
  std::vector<std::string> fails;
  if (trigger)
    fails.push_back("the sync trigger still writes " + quote_ident(shadow) +
                    ", which the swap renames away, so every write to " + t.str() +
                    " fails (rather than leaving the copy behind) until the trigger is dropped");
  if (oc.not_null)
    fails.push_back("the old column, renamed " + quote_ident(old) +
                    ", is still NOT NULL, so inserts that do not set it fail until it is dropped");
  auto swap_hazards = [&](Draft& d) {
    d.step.hazards.push_back(
        {HazardType::AppCompat,
         "The swap gives " + quote_ident(col) + " of " + t.str() + " the type " + nc.type +
             " and moves it to the end of the table; code must not depend on "
             "column order (SELECT *)." +
             (trigger ? ""
                      : " From here on the application must write " + quote_ident(col) +
                            " only: writes that name " + quote_ident(shadow) + " fail.")});
    if (!fails.empty()) {
      std::string m =
          p_.name +
          " cannot make the swap atomic (no transactional DDL, no table locks). From this "
          "step to the end of the contract phase, ";
      for (size_t i = 0; i < fails.size(); ++i) m += (i ? "; and " : "") + fails[i];
      m += ". Run the contract phase when writes to " + t.str() +
           " may fail until it finishes, or pause them.";
      d.step.hazards.push_back({HazardType::BlockingLock, m});
    }
  };
  if (p_.combined_rename_swap) {
    Draft sw =
        step(ci, Phase::Contract, "rename_column",
             alter_table(t) + "RENAME COLUMN " + quote_ident(col) + " TO " + quote_ident(old) +
                 ", RENAME COLUMN " + quote_ident(shadow) + " TO " + quote_ident(col) + ";\n",
             "swap", &t);
    swap_hazards(sw);
    prev = push(std::move(sw), prev);
  } else {
    Draft r1 = step(
        ci, Phase::Contract, "rename_column",
        alter_table(t) + "RENAME COLUMN " + quote_ident(col) + " TO " + quote_ident(old) + ";\n",
        "rename " + col, &t);
    swap_hazards(r1);
    r1.step.hazards.push_back(
        {HazardType::AppCompat,
         "Until the next step renames " + quote_ident(shadow) + " to " + quote_ident(col) +
             " (each rename is its own DDL transaction on " + p_.name + "), no column of " +
             t.str() + " is named " + quote_ident(col) + ": queries that name it fail."});
    prev = push(std::move(r1), prev);
    Draft r2 = step(
        ci, Phase::Contract, "rename_column",
        alter_table(t) + "RENAME COLUMN " + quote_ident(shadow) + " TO " + quote_ident(col) + ";\n",
        "rename " + shadow, &t);
    prev = push(std::move(r2), prev);
  }
  if (trigger) {
    Draft dt = step(ci, Phase::Contract, "drop_trigger",
                    "DROP TRIGGER " + quote_ident(fn.name) + " ON " + quote_qual(t) + ";\n",
                    "drop sync trigger", &t);
    prev = push(std::move(dt), prev);
    Draft df = step(ci, Phase::Contract, "drop_trigger",
                    "DROP FUNCTION " + quote_qual(fn) + "();\n", "drop sync function", nullptr);
    prev = push(std::move(df), prev);
  }
  Draft dr = step(ci, Phase::Contract, "drop_column",
                  alter_table(t) + "DROP COLUMN " + quote_ident(old) + ";\n", "drop " + old, &t);
  dr.old_needs = ch.deps.old_needs;  // before drops of what the old column used
  push(std::move(dr), prev);
}

}  // namespace seam::pgwire::detail
