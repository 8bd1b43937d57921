// Thin RAII layer over libpg_query's protobuf API, private to schema/.
//
// A Tree owns one parsed statement list. Its nodes live in an arena, so
// normalisation passes may rewrite, share or replace nodes freely without
// ownership bookkeeping; everything is released with the Tree. Nothing outside
// schema/ sees these types (the loader turns them into model values).
//
//   pgq::Tree t = pgq::parse("SELECT 1");
//   if (!t.ok()) report(t.error, t.cursor);
//   std::string sql = pgq::deparse(t);
#pragma once

#include <memory>
#include <memory_resource>
#include <string>
#include <string_view>
#include <vector>

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

namespace seam::pgq {

struct Arena {
  std::pmr::monotonic_buffer_resource mem;
  ProtobufCAllocator alloc;
  Arena();
  Arena(const Arena&) = delete;
  void* raw(size_t n) { return mem.allocate(n ? n : 1, alignof(std::max_align_t)); }
  template <class T>
  T* make() {
    auto* p = static_cast<T*>(raw(sizeof(T)));
    return p;
  }
  char* str(std::string_view s);
};

struct Tree {
  std::unique_ptr<Arena> arena = std::make_unique<Arena>();
  PgQuery__ParseResult* result = nullptr;
  std::string error;  // empty when parsed
  int cursor = 0;     // 1-based byte offset of the error in the input (0 = unknown)
  bool ok() const { return result != nullptr; }
};

Tree parse(std::string_view sql);
// Deparse a whole parse result back into SQL (statements joined by "; ").
std::string deparse(const PgQuery__ParseResult* r);

// Deparse one statement node (e.g. a view's SelectStmt).
std::string deparse_stmt(const PgQuery__Node* stmt);
// Deparse one expression node as it would appear in a select list.
std::string deparse_expr(const PgQuery__Node* n);

// Node constructors in an arena (for rewrites).
PgQuery__Node* make_node(Arena& a);
PgQuery__Node* make_string(Arena& a, std::string_view s);

// Visit every Node reachable from a message, children before parents. The
// callback may rewrite the node in place (e.g. replace *n by one of its children).
template <class F>
void walk(ProtobufCMessage* m, F&& f);
void walk_impl(ProtobufCMessage* m, void (*cb)(PgQuery__Node*, void*), void* ctx,
               const ProtobufCMessageDescriptor* skip = nullptr, bool root = true);
// Like walk, but does not descend into nested SELECTs (sub-queries, CTEs):
// the nodes of one query level only.
template <class F>
void walk_level(ProtobufCMessage* m, F&& f) {
  walk_impl(
      m, [](PgQuery__Node* n, void* c) { (*static_cast<F*>(c))(n); }, &f, &pg_query__select_stmt__descriptor);
}
template <class F>
void walk(ProtobufCMessage* m, F&& f) {
  walk_impl(
      m, [](PgQuery__Node* n, void* c) { (*static_cast<F*>(c))(n); }, &f);
}

// String value of a String node ("" otherwise).
std::string_view str_of(const PgQuery__Node* n);
// Dotted list of String nodes: {"pg_catalog","int4"}.
std::vector<std::string> names_of(PgQuery__Node** items, size_t n);

// Tokens from the scanner (for statement splitting, keyword checks, comments).
struct Token {
  int start, end;
  int token;         // PgQuery__Token
  int keyword_kind;  // PgQuery__KeywordKind
};
std::vector<Token> scan(std::string_view sql, std::string* error = nullptr);

}  // namespace seam::pgq
