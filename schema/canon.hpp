// Canonical forms: the spellings both sources of a model (desired SQL files and
// the live catalog) are reduced to, so that equal schemas compare equal.
//
// Conventions (see docs/canonical-forms.md):
//  * names are stored unquoted; quote_ident() adds quotes only where PostgreSQL's
//    own quote_identifier would;
//  * the canonical search path is `pg_catalog, public`: types and functions in
//    those schemas are written unqualified, all others schema-qualified;
//  * types use format_type() spelling ("character varying(20)", "integer[]");
//  * expressions are parsed with libpg_query, normalised (implicit casts on
//    literals dropped, IN-lists as = ANY (ARRAY[...]), LIKE as ~~, ...) and
//    deparsed; Expr::text keeps the un-normalised deparse for rendering.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "schema/model.hpp"

namespace seam::schema {

// PostgreSQL identifier quoting: bare when all lower-case/digit/_ and not a
// reserved keyword, otherwise double-quoted with "" escaping.
std::string quote_ident(std::string_view name);
// "schema.name" with each part quoted as needed.
std::string quote_qual(const QualName& q);
// An SQL string literal: 'it''s'; uses E'' form when the text has a backslash.
std::string quote_literal(std::string_view text);

// Canonical form of a value expression given as SQL text (a column default, a
// CHECK body, an index expression or predicate, as the server's pg_get_expr
// prints it or as seam deparsed it from a file). Throws std::runtime_error on
// text that does not parse.
Expr canon_expr(std::string_view sql);
// Canonical form of a SELECT (a view or materialized view body).
Expr canon_query(std::string_view sql);
// Canonical spelling of a type written in SQL ("int4", "varchar(20)",
// "public.mood[]") - parses "SELECT NULL::<type>".
std::string canon_type(std::string_view sql_type);

// `canon` (a canonical expression) without casts applied to references of
// the given columns. The server prints a domain-typed column used in an
// expression with an implicit cast to the domain's base type; comparing with
// those casts removed on both sides makes the file's spelling agree.
std::string strip_column_casts(const std::string& canon, const std::set<std::string>& columns);

// Canonical form of an SQL-standard function body ("RETURN expr" or
// "BEGIN ATOMIC ... END"), the file's text and pg_get_functiondef's agreeing.
// Returns the trimmed input when it does not parse.
std::string canon_sql_body(std::string_view body);

// Canonical partition bound from "FOR VALUES FROM (...) TO (...)", "FOR VALUES
// IN (...)", "FOR VALUES WITH (modulus m, remainder r)" or "DEFAULT" (the
// output of pg_get_expr(relpartbound, oid)).
Expr canon_partition_bound(std::string_view bound_sql);
// Canonical partition key from "RANGE (a, lower(b))" (pg_get_partkeydef output).
PartitionSpec canon_partition_key(std::string_view key_sql);

}  // namespace seam::schema
