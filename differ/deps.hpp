// Dependency keys: what an object needs to exist before it can be created, as
// strings the planner matches between statements. One key per object:
//
//   "schema:app"           a schema
//   "ext:pgcrypto"         an extension
//   "type:public.mood"     an enum, domain or composite type
//   "rel:public.users"     a table, view, sequence or index (one namespace in
//                          PostgreSQL); changing a column "alters" its table
//   "con:public.users.users_pkey"   a table constraint
//   "func:public.f(integer)"        a function, by signature
//   "trig:public.users.audit", "pol:public.users.p"
//
// Where the model records a dependency (partition parent, FK target, trigger
// function, View::deps from pg_depend) it is used; otherwise the names an
// expression, type or SQL body mentions are resolved against the catalog - a
// conservative scan: a false match only adds an ordering edge.
//
//   differ::DepIndex ix(catalog);
//   std::vector<std::string> needs = ix.of_view(view);
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "schema/model.hpp"

namespace seam::differ {

namespace key {
std::string schema(const std::string& name);
std::string ext(const std::string& name);
std::string type(const schema::QualName& n);
std::string rel(const schema::QualName& n);
std::string con(const schema::QualName& table, const std::string& name);
std::string func(const std::string& signature);
std::string trig(const schema::QualName& table, const std::string& name);
std::string pol(const schema::QualName& table, const std::string& name);
}  // namespace key

// Resolves the names objects mention against one catalog.
class DepIndex {
 public:
  explicit DepIndex(const schema::Catalog& cat);

  std::vector<std::string> of_type(const schema::Type& t) const;
  std::vector<std::string> of_sequence(const schema::Sequence& s) const;
  // The table itself: schema, column types, defaults, generated columns,
  // inline checks, partition parent, inheritance parents.
  std::vector<std::string> of_table(const schema::Table& t) const;
  std::vector<std::string> of_column(const schema::Table& t, const schema::Column& c) const;
  // Its table, what its expressions mention, and for a foreign key the
  // referenced table and the unique constraint or index it relies on.
  std::vector<std::string> of_constraint(const schema::Table& t, const schema::Constraint& c) const;
  std::vector<std::string> of_index(const schema::Index& ix) const;
  std::vector<std::string> of_policy(const schema::Table& t, const schema::Policy& p) const;
  std::vector<std::string> of_view(const schema::View& v) const;
  std::vector<std::string> of_function(const schema::Function& f) const;
  std::vector<std::string> of_trigger(const schema::Trigger& tr) const;

  // Keys of the objects a type spelling names ("public.mood[]", "app.t", "integer").
  void type_refs(const std::string& type, std::set<std::string>& out) const;
  // Keys of the relations, types and functions SQL text mentions.
  void text_refs(const std::string& sql, std::set<std::string>& out) const;

 private:
  const schema::Catalog& cat_;
  std::map<schema::QualName, std::vector<std::string>> funcs_by_name_;  // name -> signatures
  // table -> its unique indexes (a foreign key's referenced side; looking
  // them up per key instead of scanning every index keeps diff linear)
  std::map<schema::QualName, std::vector<const schema::Index*>> unique_indexes_;
  void schema_ref(const std::string& s, std::set<std::string>& out) const;
};

}  // namespace seam::differ
