// The differ's working state, shared by diff*.cpp (not a public interface).
// One Differ runs one diff(): it applies the annotated renames to a copy of
// `from`, then walks object kinds in a fixed order, pushing changes.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "differ/changes.hpp"
#include "differ/deps.hpp"
#include "differ/diff.hpp"

namespace seam::differ::detail {

// Expression equality as the model defines it (canonical text), absent == absent.
bool same_expr(const std::optional<schema::Expr>& a, const std::optional<schema::Expr>& b);
std::vector<std::string> merge(std::vector<std::string> a, const std::vector<std::string>& b);

struct Differ {
  Differ(const schema::Catalog& from_in, const schema::Catalog& to_in, const DiffOptions& o);

  schema::Catalog from;  // working copy with the annotated renames applied
  const schema::Catalog& to;
  DiffOptions opts;
  std::unique_ptr<DepIndex> from_ix;
  DepIndex to_ix;
  ChangeSet out;

  // Keys of objects replaced or altered so that what depends on them (views,
  // triggers) must be dropped before and created again after.
  std::set<std::string> replaced;
  // Keys of objects that disappear (dropped or dropped-and-recreated): foreign
  // keys relying on them are dropped and added again.
  std::set<std::string> gone;
  // Relations that are dropped, or dropped and created again: their indexes,
  // constraints, triggers and policies go with them and are not dropped one by one.
  std::set<schema::QualName> dropped_rels;
  // Relations created (new or recreated): all their parts in `to` are added.
  std::set<schema::QualName> created_rels;
  // Constraints dropped or added by constraints() ("con:" keys), so that
  // foreign_keys_on_gone() does not drop them twice.
  std::set<std::string> touched_cons;
  // Tables in both catalogs that are dropped and created again (partitioning
  // or inheritance changes), decided before any table is diffed.
  std::set<schema::QualName> recreated_tables;

  // Columns dropped and added again by AlterColumnGenerated: the indexes and
  // constraints on them go with the column, so they are dropped before and
  // created again after it.
  std::set<std::pair<schema::QualName, std::string>> regenerated;
  bool on_regenerated(const schema::QualName& table, const schema::Index& ix) const;
  bool on_regenerated(const schema::QualName& table, const schema::Constraint& c) const;

  Change& push(ChangeOp op, Deps d = {}, std::vector<Hazard> h = {}, std::string note = {});

  void renames();
  void schemas_and_extensions();
  void types();
  void sequences();
  void functions();
  void tables();
  void foreign_keys_on_gone();
  void views();
  void indexes();
  void triggers();

  // diff_tables.cpp
  void add_table(const schema::Table& t);
  void drop_table(const schema::Table& t, bool recreate);
  void alter_table(const schema::Table& a, const schema::Table& b);
  void columns(const schema::Table& a, const schema::Table& b);
  void constraints(const schema::Table& a, const schema::Table& b);
  void policies(const schema::Table& a, const schema::Table& b);
  void add_constraint(const schema::Table& t, const schema::Constraint& c);
  void drop_constraint(const schema::Table& t, const schema::Constraint& c);
  void comment(ObjectRef ref, const std::string& a, const std::string& b, std::vector<std::string> needs);
};

// Throws UnsupportedError when aggregates or event triggers differ
// (unplanned_kinds.cpp): the differ has no changes for them yet.
void refuse_unplanned_kinds(const schema::Catalog& from, const schema::Catalog& to);

}  // namespace seam::differ::detail
