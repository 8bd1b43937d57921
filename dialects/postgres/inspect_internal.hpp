// Shared pieces of the live catalog inspector (inspect*.cpp): the query
// context and small text helpers. Not a public interface.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <pqxx/pqxx>

#include "schema/model.hpp"

namespace seam::pg::detail {

// Index elements and INCLUDE columns of one index, shared by indexes and
// the constraints (PRIMARY KEY, UNIQUE, EXCLUDE) an index implements.
struct IndexParts {
  std::vector<schema::IndexElem> elems;
  std::vector<std::string> include;
};

// One inspection run: the snapshot every query reads, and the schemas in scope.
struct Ctx {
  pqxx::transaction_base& tx;
  int version;           // server_version_num
  std::string nsp_oids;  // included namespaces as an oid[] literal: "{2200,16385}"
  schema::Catalog& cat;
  // Parts of every index on a relation in scope, by index oid (index_parts()).
  std::map<unsigned, IndexParts> parts;
  bool parts_loaded = false;

  // Runs `sql` with $1 = nsp_oids. Every catalog query takes the namespace
  // filter as its first parameter, so no name is ever pasted into SQL.
  pqxx::result query(const std::string& sql);
  // Records an object the model cannot represent (Catalog::unsupported).
  void unsupported(std::string what);
};

// SQL fragment: true when the object (classid, objid) is a member of an
// extension, e.g. ext_member("'pg_class'::regclass", "c.oid").
std::string ext_member(const std::string& classid, const std::string& objid);

// SQL fragment: LEFT JOIN of the comment on an object as `alias`, e.g.
// comment_join("d", "pg_class", "c.oid") -> select d.description. A join, not
// obj_description() per row, which costs a function call per object.
std::string comment_join(const std::string& alias, const std::string& catalog, const std::string& objoid,
                         const std::string& subid = "0");

// A referenced object's name as SQL spells it under the canonical search path
// (collations, operator classes): each part quote_ident'ed, the schema left
// out for pg_catalog and public: "C" (quoted), text_pattern_ops, app.ccoll.
std::string other_name(const std::string& nsp, const std::string& name);

// Canonical Expr of server-printed SQL; the error names what it belongs to.
schema::Expr expr_of(std::string_view sql, const std::string& what);

// Splits a comma-separated list at top level (outside quotes, parentheses and
// brackets), trimming each item: "a, f(b, c), 'x,y'" -> {a, f(b, c), 'x,y'}.
std::vector<std::string> split_top_level(std::string_view list);

// Index of the parenthesis closing the one at `open` (skipping quoted text),
// npos when unbalanced.
size_t matching_paren(std::string_view s, size_t open);

// Position of `needle` in `s` outside quoted text, at or after `from`.
size_t find_unquoted(std::string_view s, std::string_view needle, size_t from = 0);

std::string trim(std::string_view s);

// A column's text, "" for NULL.
inline std::string str(const pqxx::field& f) { return f.is_null() ? std::string() : f.as<std::string>(); }

// A text[] (or name[]) column as strings; NULL -> empty.
std::vector<std::string> text_array(const pqxx::field& f);

// reloptions array -> canonical "a=1,b=2" (sorted); `prefix` is put before
// each entry ("toast." for a table's TOAST options).
std::string with_options(std::vector<std::string> opts, const std::string& prefix = "");

void inspect_schemas(Ctx& ctx);
void inspect_extensions(Ctx& ctx);
void inspect_types(Ctx& ctx);
void inspect_sequences(Ctx& ctx);
void inspect_tables(Ctx& ctx);
void inspect_indexes(Ctx& ctx);
void inspect_views(Ctx& ctx);
void inspect_functions(Ctx& ctx);
void inspect_triggers(Ctx& ctx);
void inspect_aggregates(Ctx& ctx);      // inspect_aggregates.cpp
void inspect_event_triggers(Ctx& ctx);  // inspect_event_triggers.cpp

// Elements of index `indexrelid`, read from the catalog plus pg_get_indexdef
// (which knows when a collation or operator class is the default for the
// column); all indexes in scope are read by the first call.
const IndexParts& index_parts(Ctx& ctx, unsigned indexrelid);

}  // namespace seam::pg::detail
