// Views for the pgwire planner: an added view is one create_view step in
// expand, ordered after what its query reads (the differ's dependency keys);
// a dropped view is one drop_view step in contract behind the checkpoint,
// with an app-compat hazard, as the PostgreSQL planner plans them
// (dialects/postgres/plan_strategies.cpp). A changed view is replace_view:
// the differ's DROP VIEW + CREATE VIEW, the CREATE rendered as here.
//
// Only what all three products' CREATE VIEW takes is planned: a plain view,
// no materialized view (no matrix op), no WITH (...) options (CockroachDB
// and Spanner have none; seam does not track which YSQL release takes
// which), no comments (no COMMENT ON op).
#include "dialects/pgwire/plan_internal.hpp"
#include "dialects/postgres/render_change.hpp"
#include "dialects/postgres/render_create.hpp"
#include "schema/canon.hpp"
#include "schema/errors.hpp"

namespace seam::pgwire::detail {

using planner::Draft;
using planner::HazardType;
using planner::Phase;
using schema::quote_qual;

std::string Planner::view_sql(size_t ci, const schema::View& v) const {
  if (v.materialized)
    unsupported(ci, "seam does not plan materialized views for " + p_.name +
                        " (no compat-matrix operation covers them); create it by hand or "
                        "leave it out of the desired state");
  if (!v.with.empty())
    unsupported(ci, "view " + v.name.str() + " has options WITH (" + v.with +
                        "): seam renders CREATE VIEW for " + p_.name +
                        " without options; drop them from the desired state or create the "
                        "view by hand");
  bool commented = !v.comment.empty();
  for (const auto& [col, text] : v.column_comments) commented = commented || !text.empty();
  if (commented)
    unsupported(ci, "view " + v.name.str() + " has a comment: seam does not plan COMMENT ON for " +
                        p_.name + " (no compat-matrix operation covers it)");
  std::string sql = pg::create_sql(v);
  if (p_.view_security.empty()) return sql;
  if (!v.columns.empty())
    unsupported(ci, "view " + v.name.str() + " names its columns in a list: " + p_.name +
                        "'s CREATE VIEW takes no column list (" + p_.view_security +
                        " AS query); name the columns with AS in the query instead");
  // "CREATE VIEW name AS\n..." (no column list, no options): the clause goes
  // between the name and AS.
  std::string head = "CREATE VIEW " + quote_qual(v.name);
  if (sql.compare(0, head.size() + 3, head + " AS") != 0)
    throw std::logic_error("unexpected CREATE VIEW rendering: " + sql);
  return head + " " + p_.view_security + sql.substr(head.size());
}

void Planner::add_view(size_t ci, const differ::AddView& a) {
  std::string sql = view_sql(ci, a.obj);
  Draft d = step(ci, Phase::Expand, "create_view", std::move(sql), "", nullptr);
  new_keys(d, ci);
  differ_hazards(d, ci);
  push(std::move(d));
}

void Planner::drop_view(size_t ci, const differ::DropView& a) {
  if (a.obj.materialized)
    unsupported(ci, "seam does not plan materialized views for " + p_.name +
                        " (no compat-matrix operation covers them)");
  // A dependent drop: it keeps every old_needs key, so the tables and views
  // the old query reads are dropped or altered only after it.
  rendered(ci, "drop_view", nullptr, true, true);
  out_.back().step.hazards.push_back(
      {HazardType::AppCompat,
       "Old application code must no longer use " + a.obj.name.str() + " when this step runs."});
}

void Planner::replace_view(size_t ci, const differ::ReplaceView& a) {
  std::string create = view_sql(ci, a.new_obj);
  rendered(ci, "replace_view", nullptr, false);
  // The differ's pieces are DROP VIEW, then CREATE VIEW in PostgreSQL's
  // spelling: the CREATE becomes the product's.
  for (size_t i = out_.size(); i-- > 0;) {
    if (out_[i].step.change != differ::describe(cs_.changes[ci])) break;
    if (out_[i].step.sql.rfind("CREATE ", 0) == 0) out_[i].step.sql = create;
  }
}

}  // namespace seam::pgwire::detail
