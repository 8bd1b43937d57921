// PostgreSQL DDL for single schema-model objects: the CREATE statement that
// makes an object exist as the model describes it, and the COMMENT ON statement
// for its comment. Used by `seam inspect` (dump.hpp) and by the differ's
// CREATE/DROP steps.
//
// Conventions:
//  * every identifier goes through schema::quote_ident / quote_qual and every
//    literal through schema::quote_literal; relation names are always
//    schema-qualified so statements do not depend on search_path;
//  * types, opclasses and operators are printed exactly as stored (the model
//    keeps them in format_type spelling already); expressions print Expr::text;
//  * collations are stored as "name" or "schema.name" and rendered with each
//    part quoted (COLLATE "C", COLLATE myschema."de-x-icu");
//  * options equal to PostgreSQL's defaults are left out, so the output reads
//    like hand-written desired-state SQL;
//  * each function returns complete statements terminated by ";" and "\n".
//
//   std::string sql = seam::pg::create_sql(table) + seam::pg::comment_sql(table);
#pragma once

#include <string>
#include <string_view>

#include "schema/model.hpp"

namespace seam::pg {

// CREATE TABLE with columns and the inline table constraints (PRIMARY KEY,
// UNIQUE, CHECK, EXCLUDE). Foreign keys and NOT VALID checks are left out:
// they need other tables or a separate ADD CONSTRAINT (add_constraint_sql).
// A partition prints PARTITION OF ... FOR VALUES, with column options given as
// "col WITH OPTIONS ..." and its own constraints.
std::string create_sql(const schema::Table& t);
// True when create_sql(t) includes constraint c inline.
bool inline_constraint(const schema::Constraint& c);
// ALTER TABLE ... ADD CONSTRAINT ... for any constraint kind (FK options,
// DEFERRABLE, NOT VALID included).
std::string add_constraint_sql(const schema::Table& t, const schema::Constraint& c);
// The constraint's definition as it appears after "CONSTRAINT name ".
std::string constraint_def(const schema::Constraint& c);
// ALTER TABLE ... ENABLE/FORCE ROW LEVEL SECURITY, or "" when both are off.
std::string rls_sql(const schema::Table& t);
// CREATE POLICY (and its COMMENT) for one policy of t.
std::string create_sql(const schema::Table& t, const schema::Policy& p);
// One column definition as it appears inside CREATE TABLE ("id bigint NOT NULL").
std::string column_def(const schema::Table& t, const schema::Column& c);

std::string create_sql(const schema::Index& ix);

// CREATE SEQUENCE without OWNED BY (the owning table may not exist yet).
std::string create_sql(const schema::Sequence& s);
// ALTER SEQUENCE ... OWNED BY table.column, or "" when the sequence has no owner.
std::string owned_by_sql(const schema::Sequence& s);

// Enum, composite type or domain. A domain's NOT VALID checks are appended as
// ALTER DOMAIN ... ADD CONSTRAINT ... NOT VALID (CREATE DOMAIN cannot say so).
std::string create_sql(const schema::Type& ty);

// CREATE VIEW / CREATE MATERIALIZED VIEW (populated) with column list and options.
std::string create_sql(const schema::View& v);

// CREATE FUNCTION / CREATE PROCEDURE. Throws UnsupportedError for C-language
// functions (the model does not keep the object file).
std::string create_sql(const schema::Function& f);
// True for a LANGUAGE sql function whose body is SQL-standard (BEGIN ATOMIC ...
// END, RETURN expr): printed without AS, and parsed by the server at CREATE time.
bool sql_standard_body(const schema::Function& f);
// "schema.name(type, type)" as COMMENT ON / DROP FUNCTION want it (IN, INOUT
// and VARIADIC argument types only).
std::string function_ref(const schema::Function& f);
// A dollar-quote tag ("$$", "$body$", "$body1$", ...) that can enclose body.
std::string dollar_tag(std::string_view body);

std::string create_sql(const schema::Trigger& tr);
// CREATE AGGREGATE, options equal to the server's defaults left out.
std::string create_sql(const schema::Aggregate& g);
// "schema.name(argtypes)" as COMMENT ON / DROP AGGREGATE want it
// ("(*)", "(double precision ORDER BY double precision)").
std::string aggregate_ref(const schema::Aggregate& g);
// CREATE EVENT TRIGGER, followed by ALTER EVENT TRIGGER when not plainly enabled.
std::string create_sql(const schema::EventTrigger& e);
// ALTER EVENT TRIGGER name ENABLE / DISABLE / ENABLE REPLICA / ENABLE ALWAYS.
std::string enable_sql(const schema::EventTrigger& e);
// CREATE EXTENSION IF NOT EXISTS: plpgsql and friends may already be installed.
std::string create_sql(const schema::Extension& e);
std::string create_sql(const schema::Schema& s);

// A collation name as stored in the model, quoted for SQL.
std::string quote_collation(std::string_view coll);
// "WITH (k=v, ...)"-body from the canonical "k=v,k=v" storage-parameter text.
std::string render_options(std::string_view canonical);

// COMMENT ON ... IS '...'; an empty comment renders "IS NULL" (drops it).
std::string comment_sql(const schema::Table& t);
std::string comment_sql(const schema::Table& t, const schema::Column& c);
std::string comment_sql(const schema::Table& t, const schema::Constraint& c);
std::string comment_sql(const schema::Index& ix);
std::string comment_sql(const schema::Sequence& s);
std::string comment_sql(const schema::Type& ty);  // TYPE or DOMAIN
std::string comment_sql(const schema::Type& domain, const schema::DomainCheck& c);
std::string comment_sql(const schema::View& v);
std::string comment_sql(const schema::View& v, const std::string& column,
                        const std::string& comment);
std::string comment_sql(const schema::Function& f);
std::string comment_sql(const schema::Trigger& tr);
std::string comment_sql(const schema::Aggregate& g);
std::string comment_sql(const schema::EventTrigger& e);
std::string comment_sql(const schema::Extension& e);
std::string comment_sql(const schema::Schema& s);

}  // namespace seam::pg
