// Partition keys and bounds in canonical form.
#include <stdexcept>

#include "schema/canon.hpp"
#include "schema/canon_type.hpp"

namespace seam::schema {

namespace {

std::string datum_list(PgQuery__Node** items, size_t n, bool canon) {
  std::string out;
  for (size_t i = 0; i < n; i++) {
    std::string t = pgq::deparse_expr(items[i]);
    out += (i ? ", " : "") + (canon ? canon_expr(t).canon : t);
  }
  return out;
}

std::string bound_text(const PgQuery__PartitionBoundSpec* b, bool canon) {
  if (b->is_default) return "DEFAULT";
  std::string s = b->strategy ? b->strategy : "";
  if (s == "h")
    return "FOR VALUES WITH (modulus " + std::to_string(b->modulus) + ", remainder " +
           std::to_string(b->remainder) + ")";
  if (s == "l") return "FOR VALUES IN (" + datum_list(b->listdatums, b->n_listdatums, canon) + ")";
  return "FOR VALUES FROM (" + datum_list(b->lowerdatums, b->n_lowerdatums, canon) + ") TO (" +
         datum_list(b->upperdatums, b->n_upperdatums, canon) + ")";
}

}  // namespace

std::string qualified_list(PgQuery__Node** items, size_t n) {
  auto names = pgq::names_of(items, n);
  if (names.size() >= 2 && (names[0] == "pg_catalog" || names[0] == "public"))
    names.erase(names.begin());
  std::string out;
  for (size_t i = 0; i < names.size(); i++) out += (i ? "." : "") + quote_ident(names[i]);
  return out;
}

Expr partition_bound_from(const PgQuery__PartitionBoundSpec* b) {
  return {bound_text(b, false), bound_text(b, true)};
}

PartitionSpec partition_key_from(const PgQuery__PartitionSpec* s) {
  PartitionSpec p;
  p.strategy = s->strategy ? s->strategy : "";
  for (auto& c : p.strategy) c = static_cast<char>(tolower(c));
  std::string text, canon;
  for (size_t i = 0; i < s->n_part_params; i++) {
    const PgQuery__Node* n = s->part_params[i];
    if (n->node_case != PG_QUERY__NODE__NODE_PARTITION_ELEM) continue;
    const auto* e = n->partition_elem;
    std::string t, c;
    if (e->name && *e->name) {
      t = c = quote_ident(e->name);
    } else {
      t = "(" + pgq::deparse_expr(e->expr) + ")";
      c = "(" + canon_expr(pgq::deparse_expr(e->expr)).canon + ")";
    }
    std::string extra;
    if (e->n_collation) extra += " COLLATE " + qualified_list(e->collation, e->n_collation);
    if (e->n_opclass) extra += " " + qualified_list(e->opclass, e->n_opclass);
    text += (i ? ", " : "") + t + extra;
    canon += (i ? ", " : "") + c + extra;
  }
  p.key = {text, canon};
  return p;
}

Expr canon_partition_bound(std::string_view bound_sql) {
  std::string src = "CREATE TABLE seam_x PARTITION OF seam_y " + std::string(bound_sql);
  pgq::Tree t = pgq::parse(src);
  if (!t.ok() || t.result->n_stmts != 1 ||
      t.result->stmts[0]->stmt->node_case != PG_QUERY__NODE__NODE_CREATE_STMT ||
      !t.result->stmts[0]->stmt->create_stmt->partbound)
    throw std::runtime_error("not a partition bound: " + std::string(bound_sql));
  return partition_bound_from(t.result->stmts[0]->stmt->create_stmt->partbound);
}

PartitionSpec canon_partition_key(std::string_view key_sql) {
  std::string src = "CREATE TABLE seam_x (seam_c int) PARTITION BY " + std::string(key_sql);
  pgq::Tree t = pgq::parse(src);
  if (!t.ok() || t.result->n_stmts != 1 ||
      t.result->stmts[0]->stmt->node_case != PG_QUERY__NODE__NODE_CREATE_STMT ||
      !t.result->stmts[0]->stmt->create_stmt->partspec)
    throw std::runtime_error("not a partition key: " + std::string(key_sql));
  return partition_key_from(t.result->stmts[0]->stmt->create_stmt->partspec);
}

}  // namespace seam::schema
