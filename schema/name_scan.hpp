// The names SQL text mentions, found by a lexical scan: what an expression,
// a type spelling or an SQL-standard function body may depend on, for the
// places that order objects without a catalog's pg_depend (the differ's
// dependency keys, the dump's section order). Conservative on purpose: every
// spelling that could name an object is reported, and a false match costs
// the callers only an extra ordering edge.
//
//   schema::NameRefs r;
//   schema::scan_names("app.f(x) > 0 AND y IN (SELECT id FROM app.t)", r);
//   // r.calls = {app.f}; r.names = {public.x, public.y, public.id, app.t, public.app, ...}
#pragma once

#include <set>
#include <string_view>

#include "schema/model.hpp"

namespace seam::schema {

struct NameRefs {
  std::set<QualName> names;  // relation or type candidates
  std::set<QualName> calls;  // function candidates (a name followed by "(")
};

// Adds the (possibly qualified, possibly quoted) names in `sql` to `out`.
// Skipped: string literals (with E'' escapes), comments, dollar-quoted text
// and numbers. Unquoted names fold to lower case. An unqualified name
// resolves to public (the canonical search path prints public objects bare);
// a qualified one counts as schema.name and, since it may be table.column,
// its first part as a name in public too; of a three-part name both the first
// and the last two parts are candidates. A string literal cast to regclass
// ('app.s'::regclass, as nextval's argument prints) counts as a name.
void scan_names(std::string_view sql, NameRefs& out);

// Whether SQL text mentions `word` as a whole identifier (quoted or not) -
// conservative: a word inside a literal also counts.
bool mentions(std::string_view text, std::string_view word);
// Whether the index / constraint uses column `col`: a key column, INCLUDE,
// an expression, a predicate, a CHECK.
bool index_mentions(const Index& ix, const std::string& col);
bool constraint_mentions(const Constraint& k, const std::string& col);

}  // namespace seam::schema
