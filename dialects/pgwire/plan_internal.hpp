// The pgwire planner's working state, shared by its plan_*.cpp files (not a
// public API; dialects/pgwire/plan.hpp is). One Planner plans one ChangeSet:
// run() returns the draft steps planner::assemble orders.
//
//   plan.cpp              dispatch, the matrix lookup, steps and their hazards
//   plan_columns.cpp      new, dropped and retyped columns, NOT NULL, defaults
//   plan_copy.cpp         shadow_column / app_dual_write (copy, backfill, swap)
//   plan_constraints.cpp  constraints and indexes
//   plan_views.cpp        added, dropped and changed views
#pragma once

#include <set>
#include <string>
#include <vector>

#include "dialects/pgwire/plan.hpp"
#include "dialects/pgwire/product.hpp"
#include "dialects/postgres/plan.hpp"
#include "planner/assemble.hpp"

namespace seam::pgwire::detail {

constexpr size_t npos = static_cast<size_t>(-1);

class Planner {
 public:
  Planner(const differ::ChangeSet& cs, const schema::Catalog& from, const schema::Catalog& to,
          const PlanInput& in, const Product& product);
  std::vector<planner::Draft> run();
  // Sentences that go at the start of the checkpoint's message (app_dual_write).
  const std::vector<std::string>& checkpoint_notes() const { return notes_; }

 private:
  const differ::ChangeSet& cs_;
  const schema::Catalog& from_;
  const schema::Catalog& to_;
  const PlanInput& in_;
  const Product& p_;
  std::set<schema::QualName> new_tables_;
  std::set<std::string> dropped_keys_;
  std::vector<planner::Draft> out_;
  std::vector<std::string> notes_;

  // ---- plan.cpp: the product, the matrix, statistics ---------------------------------
  std::string where() const;  // "CockroachDB 24.3", "Spanner (PostgreSQL interface)"
  bool existing(const schema::QualName& t) const;
  std::string size_note(const schema::QualName& t) const;
  int64_t est_rows(const schema::QualName& t) const;
  // The entry of `op` for the version; UnsupportedError naming the change when
  // the matrix has none, or when its strategy is unsupported / refuse.
  const compat::Entry& entry(size_t ci, const std::string& op) const;
  [[noreturn]] void unsupported(size_t ci, const std::string& why) const;
  // The rendered type of a column (the product's spelling); UnsupportedError
  // naming the change for a type the product lacks.
  schema::Column mapped(size_t ci, schema::Column c) const;

  // The dialect-unverified hazard of an entry; `what` names what relies on it
  // when that is not the step's own op ("the plan for this type change").
  planner::Hazard unverified(const std::string& op, const compat::Entry& e,
                             const std::string& what) const;

  // ---- plan.cpp: drafts ------------------------------------------------------------
  // One DDL step running matrix op `op` on table `t` (nullptr: none): its
  // entry's rewrite/scan, the hazards those imply on an existing table, the
  // dialect-unverified hazard, and a message saying how the product runs it.
  planner::Draft step(size_t ci, planner::Phase ph, const std::string& op, std::string sql,
                      const std::string& slug, const schema::QualName* t);
  size_t push(planner::Draft d, size_t after = npos);
  // Dependency keys of the change's new side (creates, needs, alters) or its
  // old side (drops; the old_needs that another step drops, or all of them for
  // drops whose old form other alterations wait for).
  void new_keys(planner::Draft& d, size_t ci) const;
  void old_keys(planner::Draft& d, size_t ci, bool dependent, bool pure_drop) const;
  void differ_hazards(planner::Draft& d, size_t ci) const;
  size_t backfill(size_t ci, const schema::QualName& t,
                  std::vector<planner::Backfill::Assignment> set, const std::string& where,
                  const std::string& slug, size_t after, planner::Phase ph);
  void plan_change(size_t ci);
  // A change planned as its rendered PostgreSQL statements, one step each.
  // drop: a drop (contract); dependent: it keeps every old_needs key.
  void rendered(size_t ci, const std::string& op, const schema::QualName* t, bool drop,
                bool dependent = false);

  // ---- plan_columns.cpp ---------------------------------------------------------------
  void no_comment(size_t ci, const schema::Column& c) const;
  void add_table(size_t ci, const differ::AddTable& a);
  // DROP TABLE in contract; on a product that refuses it while the table has
  // secondary indexes (drop_indexes_before_table), each index of the live
  // table is dropped first, its own drop_index step.
  void drop_table(size_t ci, const differ::DropTable& a);
  void add_column(size_t ci, const differ::AddColumn& a);
  void drop_column(size_t ci, const differ::DropColumn& a);
  void alter_type(size_t ci, const differ::AlterColumnType& a);
  void set_not_null(size_t ci, const differ::SetNotNull& a);
  void set_default(size_t ci, const differ::SetDefault& a);
  // SET NOT NULL of t.col in contract by the set_not_null entry's strategy;
  // the step creates "nn:schema.table.col".
  size_t not_null(size_t ci, const schema::QualName& t, const std::string& col, size_t after);

  // ---- plan_copy.cpp -------------------------------------------------------------------
  // Why the column cannot be copied to a shadow ("" = it can).
  std::string copy_blocker(size_t ci, const schema::QualName& t, const std::string& col) const;
  void copy_column(size_t ci, const differ::AlterColumnType& a, bool trigger);

  // ---- plan_constraints.cpp ------------------------------------------------------------
  void add_constraint(size_t ci, const differ::AddConstraint& a);
  void drop_constraint(size_t ci, const differ::DropConstraint& a);
  void add_index(size_t ci, const differ::AddIndex& a);
  void drop_index(size_t ci, const differ::DropIndex& a);

  // ---- plan_views.cpp ------------------------------------------------------------------
  // CREATE VIEW in the product's spelling; UnsupportedError naming the change
  // for what the pgwire planner does not render (materialized, WITH options,
  // comments, a column list where the product has none).
  std::string view_sql(size_t ci, const schema::View& v) const;
  void add_view(size_t ci, const differ::AddView& a);
  void drop_view(size_t ci, const differ::DropView& a);
  void replace_view(size_t ci, const differ::ReplaceView& a);
};

// Shared helpers.
std::string unq(const schema::QualName& n);  // "public.t"
std::string alter_table(const schema::QualName& t);
std::string alter_column(const schema::QualName& t, const std::string& col);
bool has_default(const schema::Column& c);
const std::string& default_text(const schema::Column& c);
using pg::volatile_default;  // dialects/postgres/plan.hpp: one rule for every product

}  // namespace seam::pgwire::detail
