// Live inspection of indexes, and of the index elements that PRIMARY KEY,
// UNIQUE and EXCLUDE constraints share with them.
//
// Whether an element's collation or operator class is "the default" is
// decided by the server itself: pg_get_indexdef prints COLLATE only when the
// collation differs from the column's (or expression's), and an operator
// class only when it is not the default for the column type (which involves
// binary-coercible and polymorphic types). The element list of that output
// is scanned for those words; names are then taken from the catalog. Indexes
// whose elements all use their column's collation and the default operator
// class of exactly their column's type are decided from the catalog alone.
#include <algorithm>

#include "dialects/postgres/inspect_internal.hpp"
#include "schema/canon.hpp"

namespace seam::pg::detail {

namespace {

struct RawElem {
  int attnum = 0;
  std::string attname, keytext;
  std::string coll, coll_nsp, opc, opc_nsp;
  bool coll_differs_from_column = false, opc_default = true;
  int option = 0;
};

struct RawIndex {
  std::string def, am, what;
  int nkey = 0;
  std::vector<RawElem> elems;
};

// What pg_get_indexdef printed after one element's key: " COLLATE x opclass (opts) DESC NULLS LAST".
struct Tail {
  bool collate = false, opclass = false;
  std::string opclass_options;
};

Tail read_tail(std::string_view tail) {
  Tail t;
  std::vector<std::string> tokens;
  size_t i = 0;
  while (i < tail.size()) {
    while (i < tail.size() && tail[i] == ' ') ++i;
    if (i >= tail.size()) break;
    size_t start = i;
    if (tail[i] == '(') {
      size_t close = matching_paren(tail, i);
      i = close == std::string_view::npos ? tail.size() : close + 1;
    } else {
      while (i < tail.size() && tail[i] != ' ') {
        if (tail[i] == '"') {
          size_t end = find_unquoted(tail, " ", i);
          i = end == std::string_view::npos ? tail.size() : end;
          break;
        }
        ++i;
      }
    }
    tokens.emplace_back(tail.substr(start, i - start));
  }
  for (size_t k = 0; k < tokens.size(); ++k) {
    const auto& tok = tokens[k];
    if (tok == "COLLATE") {
      t.collate = true;
      ++k;  // the collation name
    } else if (tok == "DESC" || tok == "ASC" || tok == "NULLS" || tok == "FIRST" || tok == "LAST") {
    } else if (tok[0] == '(') {
      t.opclass_options = tok;
    } else {
      t.opclass = true;
    }
  }
  return t;
}

// The element list of `def` split per key; empty when the text is not what
// was expected (the caller then decides from the catalog alone).
std::vector<Tail> read_tails(const RawIndex& ix) {
  std::vector<Tail> out;
  size_t pos = find_unquoted(ix.def, " USING " + ix.am + " (");
  if (pos == std::string::npos) return {};
  pos += 9 + ix.am.size();  // " USING " + am + " ("
  for (int k = 0; k < ix.nkey; ++k) {
    const auto& e = ix.elems[k];
    if (ix.def.compare(pos, e.keytext.size(), e.keytext) != 0) return {};
    pos += e.keytext.size();
    size_t end = pos;
    int depth = 0;
    while (end < ix.def.size()) {
      char c = ix.def[end];
      if (c == '"' || c == '\'') {
        // Skip the quoted name or literal (a doubled quote is part of it).
        size_t q = ix.def.find(c, end + 1);
        while (q != std::string::npos && q + 1 < ix.def.size() && ix.def[q + 1] == c) q = ix.def.find(c, q + 2);
        end = q == std::string::npos ? ix.def.size() : q + 1;
        continue;
      }
      if (c == '(') ++depth;
      if (c == ')') {
        if (depth == 0) break;
        --depth;
      }
      if (c == ',' && depth == 0) break;
      ++end;
    }
    if (end >= ix.def.size()) return {};
    out.push_back(read_tail(std::string_view(ix.def).substr(pos, end - pos)));
    pos = end + 1;
    while (pos < ix.def.size() && ix.def[pos] == ' ') ++pos;
  }
  return out;
}

IndexParts build_parts(Ctx& ctx, const RawIndex& ix) {
  IndexParts p;
  auto tails = read_tails(ix);
  for (int k = 0; k < static_cast<int>(ix.elems.size()); ++k) {
    const auto& e = ix.elems[k];
    if (k >= ix.nkey) {
      p.include.push_back(e.attname);
      continue;
    }
    schema::IndexElem el;
    if (e.attnum > 0)
      el.column = e.attname;
    else
      el.expr = expr_of(e.keytext, "an expression of " + ix.what);
    bool collate = tails.empty() ? e.coll_differs_from_column : tails[k].collate;
    bool opclass = tails.empty() ? !e.opc_default : tails[k].opclass;
    if (collate && !e.coll.empty()) el.collation = other_name(e.coll_nsp, e.coll);
    if (opclass && !e.opc.empty()) el.opclass = other_name(e.opc_nsp, e.opc);
    if (!tails.empty() && !tails[k].opclass_options.empty())
      ctx.unsupported("operator class options " + tails[k].opclass_options + " in " + ix.what);
    // indoption bit 0: DESC, bit 1: NULLS FIRST. Default: NULLS LAST for ASC, FIRST for DESC.
    el.desc = e.option & 1;
    bool nulls_first = e.option & 2;
    if (nulls_first != el.desc) el.nulls = nulls_first ? 1 : 2;
    p.elems.push_back(std::move(el));
  }
  return p;
}

void load_parts(Ctx& ctx) {
  ctx.parts_loaded = true;
  auto rows = ctx.query(R"(
    SELECT i.indexrelid, i.indnkeyatts, k.attnum, a.attname,
           CASE WHEN k.attnum = 0 THEN pg_get_indexdef(i.indexrelid, k.n::int, false)
                ELSE quote_ident(a.attname) END,
           co.collname, con.nspname, co.oid IS NOT NULL AND co.oid <> coalesce(a.attcollation, 100),
           opc.opcname, opcn.nspname, coalesce(opc.opcdefault, true),
           CASE WHEN k.n <= i.indnkeyatts THEN i.indoption[k.n::int - 1] ELSE 0 END,
           -- The full definition (a deparse per index, the costly part) only
           -- where the catalog alone cannot tell what it would print.
           CASE WHEN k.n = 1 AND bool_or(k.n <= i.indnkeyatts AND (
                  (k.attnum = 0 AND i.indcollation[k.n::int - 1] <> 0)
                  OR (k.attnum > 0 AND i.indcollation[k.n::int - 1] <> a.attcollation)
                  OR NOT opc.opcdefault OR (k.attnum > 0 AND opc.opcintype <> a.atttypid)
                  OR ia.attoptions IS NOT NULL)) OVER (PARTITION BY i.indexrelid)
                THEN pg_get_indexdef(i.indexrelid, 0, false) END,
           am.amname, quote_ident(n.nspname) || '.' || quote_ident(ic.relname)
    FROM pg_index i
    JOIN pg_class t ON t.oid = i.indrelid
    JOIN pg_class ic ON ic.oid = i.indexrelid
    JOIN pg_namespace n ON n.oid = ic.relnamespace
    JOIN pg_am am ON am.oid = ic.relam
    CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
    LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum AND k.attnum > 0
    LEFT JOIN pg_attribute ia ON ia.attrelid = i.indexrelid AND ia.attnum = k.n
    LEFT JOIN pg_collation co ON k.n <= i.indnkeyatts AND co.oid = i.indcollation[k.n::int - 1]
    LEFT JOIN pg_namespace con ON con.oid = co.collnamespace
    LEFT JOIN pg_opclass opc ON k.n <= i.indnkeyatts AND opc.oid = i.indclass[k.n::int - 1]
    LEFT JOIN pg_namespace opcn ON opcn.oid = opc.opcnamespace
    WHERE t.relnamespace = ANY($1::oid[]) AND t.relkind IN ('r', 'p', 'm')
    ORDER BY i.indexrelid, k.n)");
  std::map<unsigned, RawIndex> raw;
  for (const auto& r : rows) {
    auto& ix = raw[r[0].as<unsigned>()];
    ix.nkey = r[1].as<int>();
    RawElem e;
    e.attnum = r[2].as<int>();
    e.attname = str(r[3]);
    e.keytext = str(r[4]);
    e.coll = str(r[5]);
    e.coll_nsp = str(r[6]);
    e.coll_differs_from_column = r[7].as<bool>();
    e.opc = str(r[8]);
    e.opc_nsp = str(r[9]);
    e.opc_default = r[10].as<bool>();
    e.option = r[11].as<int>();
    if (!r[12].is_null()) ix.def = r[12].as<std::string>();
    ix.am = r[13].as<std::string>();
    ix.what = "index " + r[14].as<std::string>();
    ix.elems.push_back(std::move(e));
  }
  for (const auto& [oid, ix] : raw) ctx.parts[oid] = build_parts(ctx, ix);
}

}  // namespace

const IndexParts& index_parts(Ctx& ctx, unsigned indexrelid) {
  if (!ctx.parts_loaded) load_parts(ctx);
  static const IndexParts none;
  auto it = ctx.parts.find(indexrelid);
  return it == ctx.parts.end() ? none : it->second;
}

void inspect_indexes(Ctx& ctx) {
  // Not listed: indexes that implement a constraint (they are the
  // constraint), and partitions' indexes attached to a partitioned index
  // (the parent's index implies them).
  auto rows = ctx.query(std::string(R"(
    SELECT i.indexrelid, tn.nspname, ic.relname, t.relname, i.indisunique, )") +
                        (ctx.version >= 150000 ? "i.indnullsnotdistinct" : "false") + R"(,
           am.amname, pg_get_expr(i.indpred, i.indrelid), ic.reloptions,
           cd.description, i.indisvalid, i.indisclustered, ic.reltablespace <> 0
    FROM pg_index i
    JOIN pg_class ic ON ic.oid = i.indexrelid
    JOIN pg_class t ON t.oid = i.indrelid
    JOIN pg_namespace tn ON tn.oid = t.relnamespace
    JOIN pg_am am ON am.oid = ic.relam)" + comment_join("cd", "pg_class", "ic.oid") + R"(
    WHERE t.relkind IN ('r', 'p', 'm') AND t.relnamespace = ANY($1::oid[])
      AND NOT )" + ext_member("'pg_class'::regclass", "t.oid") + R"(
      AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid
                      AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x'))
      AND NOT EXISTS (SELECT 1 FROM pg_inherits inh WHERE inh.inhrelid = i.indexrelid))");
  for (const auto& r : rows) {
    schema::Index ix;
    ix.name = {r[1].as<std::string>(), r[2].as<std::string>()};
    ix.table = {r[1].as<std::string>(), r[3].as<std::string>()};
    ix.unique = r[4].as<bool>();
    ix.nulls_not_distinct = r[5].as<bool>();
    ix.method = r[6].as<std::string>();
    const IndexParts& parts = index_parts(ctx, r[0].as<unsigned>());
    ix.elems = parts.elems;
    ix.include = parts.include;
    if (!r[7].is_null()) ix.where = expr_of(r[7].as<std::string>(), "the WHERE of index " + ix.name.str());
    ix.with = with_options(text_array(r[8]));
    ix.comment = str(r[9]);
    // A failed CREATE INDEX CONCURRENTLY leaves an INVALID index behind: it
    // exists (its name is taken) but does not work; say so to the differ.
    if (!r[10].as<bool>()) ix.notes["invalid"] = "true";
    if (r[11].as<bool>()) ctx.unsupported("CLUSTER ON index " + ix.name.str());
    if (r[12].as<bool>()) ctx.unsupported("tablespace of index " + ix.name.str());
    ctx.cat.indexes[ix.name] = std::move(ix);
  }
}

}  // namespace seam::pg::detail
