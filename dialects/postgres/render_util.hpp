// Small text helpers shared by the render_*.cpp files (not a public API):
// joining, parenthesising expressions, sequence-option and index-element
// clauses that several object kinds print the same way.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schema/model.hpp"

namespace seam::pg::render_detail {

std::string join(const std::vector<std::string>& parts, std::string_view sep);
// quote_ident over every name, joined by ", ".
std::string ident_list(const std::vector<std::string>& names);
// The text to print for an expression (Expr::text, or canon when text is empty).
const std::string& expr_text(const schema::Expr& e);
bool has_expr(const std::optional<schema::Expr>& e);
// "(text)" unless text is already one balanced parenthesised group.
std::string paren(std::string_view text);
// An expression where the grammar wants a b_expr (column and domain DEFAULT):
// bare when that parses the same ("now()", "'x'::character varying"),
// parenthesised otherwise ("(a AND b)", "(x IS NULL)") - Expr::text has no
// outer parentheses of its own.
std::string b_expr(std::string_view text);
// Trim ASCII whitespace at both ends.
std::string trim(std::string_view s);
// One element of an index / exclusion constraint: "lower(email) COLLATE \"C\" text_pattern_ops DESC".
std::string index_elem_sql(const schema::IndexElem& e);
// Sequence option clauses that differ from PostgreSQL's defaults for a
// sequence of value type `type` ("smallint" | "integer" | "bigint").
// with_as: also emit "AS type" when type is not bigint (CREATE SEQUENCE only).
std::vector<std::string> sequence_option_clauses(const schema::SequenceOptions& o,
                                                 const std::string& type, bool with_as);
// PostgreSQL's makeObjectName: "name1_name2_label" truncated to 63 bytes the
// way the server does it when it picks implicit names.
std::string make_object_name(std::string_view name1, std::string_view name2, std::string_view label);
// "COMMENT ON <what> IS '...';\n" (IS NULL for an empty comment).
std::string comment_stmt(const std::string& what, const std::string& comment);

}  // namespace seam::pg::render_detail
