#include "schema/pgq.hpp"

#include <cstring>
#include <stdexcept>

namespace seam::pgq {

namespace {
void* arena_alloc(void* data, size_t n) { return static_cast<Arena*>(data)->raw(n); }
void arena_free(void*, void*) {}  // released with the arena
}  // namespace

Arena::Arena() : alloc{arena_alloc, arena_free, this} {}

char* Arena::str(std::string_view s) {
  char* p = static_cast<char*>(raw(s.size() + 1));
  std::memcpy(p, s.data(), s.size());
  p[s.size()] = 0;
  return p;
}

Tree parse(std::string_view sql) {
  Tree t;
  std::string input(sql);
  PgQueryProtobufParseResult r = pg_query_parse_protobuf(input.c_str());
  if (r.error) {
    t.error = r.error->message ? r.error->message : "syntax error";
    t.cursor = r.error->cursorpos;
  } else {
    t.result = pg_query__parse_result__unpack(&t.arena->alloc, r.parse_tree.len,
                                              reinterpret_cast<const uint8_t*>(r.parse_tree.data));
    if (!t.result) t.error = "libpg_query returned an unreadable parse tree";
  }
  pg_query_free_protobuf_parse_result(r);
  return t;
}

std::string deparse(const PgQuery__ParseResult* r) {
  size_t len = pg_query__parse_result__get_packed_size(r);
  std::string buf(len, '\0');
  pg_query__parse_result__pack(r, reinterpret_cast<uint8_t*>(buf.data()));
  PgQueryProtobuf pb{len, buf.data()};
  PgQueryDeparseResult d = pg_query_deparse_protobuf(pb);
  std::string out;
  std::string err;
  if (d.error)
    err = d.error->message ? d.error->message : "deparse failed";
  else
    out = d.query;
  pg_query_free_deparse_result(d);
  if (!err.empty()) throw std::runtime_error("libpg_query could not deparse a statement: " + err);
  return out;
}

PgQuery__Node* make_node(Arena& a) {
  auto* n = a.make<PgQuery__Node>();
  pg_query__node__init(n);
  return n;
}

PgQuery__Node* make_string(Arena& a, std::string_view s) {
  auto* n = make_node(a);
  auto* str = a.make<PgQuery__String>();
  pg_query__string__init(str);
  str->sval = a.str(s);
  n->node_case = PG_QUERY__NODE__NODE_STRING;
  n->string = str;
  return n;
}

std::string deparse_stmt(const PgQuery__Node* stmt) {
  PgQuery__RawStmt raw;
  pg_query__raw_stmt__init(&raw);
  raw.stmt = const_cast<PgQuery__Node*>(stmt);
  PgQuery__RawStmt* stmts[1] = {&raw};
  PgQuery__ParseResult pr;
  pg_query__parse_result__init(&pr);
  pr.version = PG_VERSION_NUM;
  pr.n_stmts = 1;
  pr.stmts = stmts;
  return deparse(&pr);
}

std::string deparse_expr(const PgQuery__Node* expr) {
  Arena a;
  auto* rt = a.make<PgQuery__ResTarget>();
  pg_query__res_target__init(rt);
  rt->val = const_cast<PgQuery__Node*>(expr);
  auto* rtn = make_node(a);
  rtn->node_case = PG_QUERY__NODE__NODE_RES_TARGET;
  rtn->res_target = rt;
  auto* sel = a.make<PgQuery__SelectStmt>();
  pg_query__select_stmt__init(sel);
  PgQuery__Node* targets[1] = {rtn};
  sel->n_target_list = 1;
  sel->target_list = targets;
  sel->limit_option = PG_QUERY__LIMIT_OPTION__LIMIT_OPTION_DEFAULT;
  sel->op = PG_QUERY__SET_OPERATION__SETOP_NONE;
  auto* sn = make_node(a);
  sn->node_case = PG_QUERY__NODE__NODE_SELECT_STMT;
  sn->select_stmt = sel;
  auto* raw = a.make<PgQuery__RawStmt>();
  pg_query__raw_stmt__init(raw);
  raw->stmt = sn;
  PgQuery__RawStmt* stmts[1] = {raw};
  PgQuery__ParseResult pr;
  pg_query__parse_result__init(&pr);
  pr.version = PG_VERSION_NUM;
  pr.n_stmts = 1;
  pr.stmts = stmts;
  std::string s = deparse(&pr);
  if (s.rfind("SELECT ", 0) == 0) s.erase(0, 7);
  return s;
}

void walk_impl(ProtobufCMessage* m, void (*cb)(PgQuery__Node*, void*), void* ctx,
               const ProtobufCMessageDescriptor* skip, bool root) {
  if (!m) return;
  const ProtobufCMessageDescriptor* d = m->descriptor;
  if (skip && !root && d == skip) return;
  char* base = reinterpret_cast<char*>(m);
  for (unsigned i = 0; i < d->n_fields; i++) {
    const ProtobufCFieldDescriptor& f = d->fields[i];
    if (f.type != PROTOBUF_C_TYPE_MESSAGE) continue;
    if (f.label == PROTOBUF_C_LABEL_REPEATED) {
      size_t n = *reinterpret_cast<size_t*>(base + f.quantifier_offset);
      auto** arr = *reinterpret_cast<ProtobufCMessage***>(base + f.offset);
      for (size_t k = 0; k < n; k++) walk_impl(arr[k], cb, ctx, skip, false);
      continue;
    }
    if (f.flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
      uint32_t which = *reinterpret_cast<uint32_t*>(base + f.quantifier_offset);
      if (which != f.id) continue;
    }
    walk_impl(*reinterpret_cast<ProtobufCMessage**>(base + f.offset), cb, ctx, skip, false);
  }
  if (d == &pg_query__node__descriptor) cb(reinterpret_cast<PgQuery__Node*>(m), ctx);
}

std::string_view str_of(const PgQuery__Node* n) {
  if (n && n->node_case == PG_QUERY__NODE__NODE_STRING && n->string->sval) return n->string->sval;
  return {};
}

std::vector<std::string> names_of(PgQuery__Node** items, size_t n) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; i++) out.emplace_back(str_of(items[i]));
  return out;
}

std::vector<Token> scan(std::string_view sql, std::string* error) {
  std::string input(sql);
  PgQueryScanResult r = pg_query_scan(input.c_str());
  std::vector<Token> out;
  if (r.error) {
    if (error) *error = r.error->message ? r.error->message : "scan error";
  } else {
    PgQuery__ScanResult* s = pg_query__scan_result__unpack(
        nullptr, r.pbuf.len, reinterpret_cast<const uint8_t*>(r.pbuf.data));
    for (size_t i = 0; i < s->n_tokens; i++) {
      auto* t = s->tokens[i];
      out.push_back({t->start, t->end, static_cast<int>(t->token), static_cast<int>(t->keyword_kind)});
    }
    pg_query__scan_result__free_unpacked(s, nullptr);
  }
  pg_query_free_scan_result(r);
  return out;
}

}  // namespace seam::pgq
