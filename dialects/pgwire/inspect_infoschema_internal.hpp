// Shared pieces of the information_schema inspector (inspect_infoschema*.cpp).
// Not a public interface.
#pragma once

#include <map>
#include <set>
#include <string>

#include <pqxx/pqxx>

#include "dialects/pgwire/inspect_infoschema.hpp"
#include "schema/model.hpp"

namespace seam::pgwire::infoschema {

// One inspection: the snapshot every query reads, the profile, the schemas in
// scope. No query takes a user-supplied value: rows are filtered in C++.
struct Ctx {
  pqxx::transaction_base& tx;
  const InfoSchemaProfile& p;
  const pg::InspectOptions& opts;
  schema::Catalog& cat;
  std::set<std::string> schemas;
  // Index names that implement a constraint the inspector does not read.
  std::set<schema::QualName> skip_indexes;

  bool in_scope(const std::string& s) const { return schemas.count(s) > 0; }
  void unsupported(std::string what) { cat.unsupported.push_back(std::move(what)); }
  pqxx::result query(const std::string& sql) { return tx.exec(sql); }
};

inline std::string str(const pqxx::field& f) {
  return f.is_null() ? std::string() : f.as<std::string>();
}
inline std::optional<long> opt_long(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<long>();
}
// information_schema's yes_or_no.
inline bool yes(const pqxx::field& f) {
  return !f.is_null() && (f.as<std::string>() == "YES" || f.as<std::string>() == "yes");
}

// Canonical Expr of server-printed SQL (after the profile's rewrite_expr);
// the error names what it belongs to.
schema::Expr expr_of(const Ctx& ctx, const std::string& sql, const std::string& what);
// The profile's rewrite_expr applied, or the text itself.
std::string product_sql(const Ctx& ctx, const std::string& sql);

void read_tables(Ctx& ctx);       // inspect_infoschema_tables.cpp: tables, columns
void read_constraints(Ctx& ctx);  // inspect_infoschema_constraints.cpp
void read_indexes(Ctx& ctx);      // inspect_infoschema_indexes.cpp: pg_indexes
void read_enums(Ctx& ctx);        // inspect_infoschema_views.cpp
void read_views(Ctx& ctx);        // inspect_infoschema_views.cpp
void read_comments(Ctx& ctx);     // inspect_infoschema.cpp

}  // namespace seam::pgwire::infoschema
