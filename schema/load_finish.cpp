// After the last file: cross-object checks and derived facts that need the
// whole desired state (references may point at objects in later files).
#include <algorithm>
#include <functional>
#include <map>
#include <regex>
#include <set>

#include "schema/load_ctx.hpp"

namespace seam::schema {

namespace {

const std::set<std::string>& builtin_types() {
  // format_type() spelling of every pg_catalog base/pseudo/range type (PostgreSQL 15).
  static const std::set<std::string> s = {
      "\"any\"", "\"char\"", "aclitem", "anyarray", "anycompatible", "anycompatiblearray",
      "anycompatiblemultirange", "anycompatiblenonarray", "anycompatiblerange", "anyelement",
      "anyenum", "anymultirange", "anynonarray", "anyrange", "bigint", "bit varying", "bit",
      "boolean", "box", "bytea", "character varying", "character", "cid", "cidr", "circle",
      "cstring", "date", "datemultirange", "daterange", "double precision", "event_trigger",
      "fdw_handler", "gtsvector", "index_am_handler", "inet", "int2vector", "int4multirange",
      "int4range", "int8multirange", "int8range", "integer", "internal", "interval", "json",
      "jsonb", "jsonpath", "language_handler", "line", "lseg", "macaddr", "macaddr8", "money",
      "name", "numeric", "nummultirange", "numrange", "oid", "oidvector", "path",
      "pg_brin_bloom_summary", "pg_brin_minmax_multi_summary", "pg_ddl_command",
      "pg_dependencies", "pg_lsn", "pg_mcv_list", "pg_ndistinct", "pg_node_tree", "pg_snapshot",
      "point", "polygon", "real", "record", "refcursor", "regclass", "regcollation", "regconfig",
      "regdictionary", "regnamespace", "regoper", "regoperator", "regproc", "regprocedure",
      "regrole", "regtype", "smallint", "table_am_handler", "text", "tid", "time with time zone",
      "time without time zone", "timestamp with time zone", "timestamp without time zone",
      "trigger", "tsm_handler", "tsmultirange", "tsquery", "tsrange", "tstzmultirange",
      "tstzrange", "tsvector", "txid_snapshot", "unknown", "uuid", "void", "xid", "xid8", "xml",
  };
  return s;
}

// Types that common contrib extensions create (so a column of type hstore is
// accepted when the desired state says CREATE EXTENSION hstore).
const std::map<std::string, std::vector<std::string>>& extension_types() {
  static const std::map<std::string, std::vector<std::string>> m = {
      {"hstore", {"hstore", "ghstore"}},
      {"citext", {"citext"}},
      {"ltree", {"ltree", "lquery", "ltxtquery", "ltree_gist"}},
      {"cube", {"cube"}},
      {"isn", {"ean13", "isbn", "isbn13", "ismn", "ismn13", "issn", "issn13", "upc"}},
      {"seg", {"seg"}},
      {"pg_trgm", {"gtrgm"}},
      {"vector", {"vector", "halfvec", "sparsevec"}},
      {"postgis", {"geometry", "geography", "box2d", "box3d"}},
  };
  return m;
}

std::string unquote(std::string s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') {
    std::string out;
    for (size_t i = 1; i + 1 < s.size(); i++) {
      out += s[i];
      if (s[i] == '"') i++;
    }
    return out;
  }
  return s;
}

// "character varying(20)[]" -> "character varying"; "other.t" stays.
std::string base_type(std::string t) {
  if (t.size() > 2 && t.compare(t.size() - 2, 2, "[]") == 0) t.resize(t.size() - 2);
  size_t p = t.find('(');
  if (p != std::string::npos && t.front() != '"') {
    size_t q = t.find(')', p);
    t = t.substr(0, p) + (q == std::string::npos ? "" : t.substr(q + 1));
  }
  if (t.rfind("interval ", 0) == 0) t = "interval";  // "interval day to second": fields, one type
  return t;
}

}  // namespace

void Loader::finish() {
  auto check_schema = [&](const std::string& schema, const SourcePos& p, const std::string& what) {
    if (!cat.schemas.count(schema))
      throw InputError(p.str() + ": " + what + " is in schema " + quote_ident(schema) +
                       ", which the desired state does not create (add CREATE SCHEMA " +
                       quote_ident(schema) + ")");
  };
  std::set<std::string> ext_types;
  for (const auto& [n, e] : cat.extensions) {
    auto it = extension_types().find(n);
    if (it != extension_types().end()) ext_types.insert(it->second.begin(), it->second.end());
  }
  bool unknown_extension = false;
  for (const auto& [n, e] : cat.extensions)
    if (!extension_types().count(n)) unknown_extension = true;
  auto check_type = [&](const std::string& type, const SourcePos& p, const std::string& what) {
    std::string b = base_type(type);
    if (builtin_types().count(b) || ext_types.count(b) || b.rfind("information_schema.", 0) == 0) return;
    QualName q;
    size_t dot = b.find('.');
    if (dot != std::string::npos && b.front() != '"') q = {unquote(b.substr(0, dot)), unquote(b.substr(dot + 1))};
    else q = {"public", unquote(b)};
    if (cat.types.count(q) || cat.tables.count(q) || cat.views.count(q)) return;  // row types too
    if (unknown_extension) return;  // an extension we do not know may define it
    throw InputError(p.str() + ": " + what + " has type " + type +
                     ", which is neither built in nor defined in the desired state");
  };

  for (auto& [n, t] : cat.types) {
    check_schema(n.schema, t.pos, "type " + n.str());
    if (t.kind == TypeKind::Domain) check_type(t.base_type, t.pos, "domain " + n.str());
    for (const auto& a : t.attrs) check_type(a.type, t.pos, "attribute " + quote_ident(a.name) + " of " + n.str());
  }
  for (auto& [sig, f] : cat.functions) {
    check_schema(f.name.schema, f.pos, "function " + sig);
    for (const auto& a : f.args) check_type(a.type, f.pos, "an argument of " + sig);
  }
  for (auto& [n, s] : cat.sequences) {
    check_schema(n.schema, s.pos, "sequence " + n.str());
    if (s.owned_by_table) {
      const Table* t = cat.find_table(*s.owned_by_table);
      if (!t || !t->find_column(s.owned_by_column))
        throw InputError(s.pos.str() + ": sequence " + n.str() + " is OWNED BY " + s.owned_by_table->str() + "." +
                         quote_ident(s.owned_by_column) + ", which is not defined in the desired state");
    }
  }
  // Partitions have their parent's columns (PostgreSQL copies them at CREATE
  // ... PARTITION OF); copy in dependency order so sub-partitions see them.
  std::function<void(Table&)> fill = [&](Table& t) {
    if (!t.partition_of || t.notes.count("seam-filled")) return;
    Table* parent = cat.find_table(*t.partition_of);
    if (!parent) return;  // reported below
    fill(*parent);
    // Columns written in PARTITION OF (...) only override options (WITH OPTIONS).
    std::vector<Column> local = std::move(t.columns);
    t.columns.clear();
    for (const auto& pc : parent->columns) {
      Column c = pc;
      c.comment.clear();
      c.notes.clear();
      c.identity = 0;
      for (const auto& l : local)
        if (l.name == c.name) {
          if (l.default_expr) c.default_expr = l.default_expr;
          if (l.not_null) c.not_null = true;
          c.comment = l.comment;
        }
      t.columns.push_back(c);
    }
    for (const auto& l : local)
      if (!parent->find_column(l.name))
        throw InputError(l.pos.str() + ": column " + quote_ident(l.name) + " of partition " + t.name.str() +
                         " does not exist in its parent " + parent->name.str());
    t.notes["seam-filled"] = "";
  };
  for (auto& [n, t] : cat.tables) fill(t);
  for (auto& [n, t] : cat.tables) {
    t.notes.erase("seam-filled");
    // a primary key makes its columns NOT NULL, also when declared on a partition
    for (const auto& k : t.constraints)
      if (k.kind == ConstraintKind::PrimaryKey)
        for (const auto& col : k.columns)
          if (Column* c = t.find_column(col)) c->not_null = true;
  }
  for (auto& [n, t] : cat.tables) {
    check_schema(n.schema, t.pos, "table " + n.str());
    for (const auto& c : t.columns) check_type(c.type, c.pos, "column " + n.str() + "." + quote_ident(c.name));
    if (t.partition_of) {
      Table* parent = cat.find_table(*t.partition_of);
      if (!parent)
        throw InputError(t.pos.str() + ": table " + n.str() + " is a partition of " + t.partition_of->str() +
                         ", which is not defined in the desired state");
      if (parent->partition_by.strategy.empty())
        throw InputError(t.pos.str() + ": " + t.partition_of->str() + " is not partitioned (add PARTITION BY)");
    }
    for (const auto& p : t.inherits)
      if (!cat.find_table(p))
        throw InputError(t.pos.str() + ": table " + n.str() + " inherits from " + p.str() +
                         ", which is not defined in the desired state");
    for (auto& c : t.constraints) {
      for (const auto& col : c.columns)
        if (!t.find_column(col) && t.partition_of == std::nullopt && t.inherits.empty())
          throw InputError(c.pos.str() + ": constraint " + quote_ident(c.name) + " on " + n.str() +
                           " names column " + quote_ident(col) + ", which the table does not have");
      if (c.kind != ConstraintKind::ForeignKey) continue;
      const Table* ref = cat.find_table(c.ref_table);
      if (!ref)
        throw InputError(c.pos.str() + ": foreign key " + quote_ident(c.name) + " on " + n.str() +
                         " references table " + c.ref_table.str() + ", which is not defined in the desired state");
      if (c.ref_columns.empty()) {
        for (const auto& rc : ref->constraints)
          if (rc.kind == ConstraintKind::PrimaryKey) c.ref_columns = rc.columns;
        if (c.ref_columns.empty())
          throw InputError(c.pos.str() + ": foreign key " + quote_ident(c.name) + " references " +
                           c.ref_table.str() + " without columns, and that table has no primary key");
      }
      for (const auto& rc : c.ref_columns)
        if (!ref->find_column(rc))
          throw InputError(c.pos.str() + ": foreign key " + quote_ident(c.name) + " references column " +
                           quote_ident(rc) + ", which " + c.ref_table.str() + " does not have");
    }
    std::sort(t.constraints.begin(), t.constraints.end(),
              [](const Constraint& a, const Constraint& b) { return a.name < b.name; });
  }
  auto drop_default_opclasses = [&](const Table& t, const std::string& method, std::vector<IndexElem>& elems) {
    for (auto& e : elems) {
      if (e.opclass.empty() || e.column.empty()) continue;
      const Column* c = t.find_column(e.column);
      if (!c) continue;
      auto ty = cat.types.find({"public", c->type});
      bool is_enum = ty != cat.types.end() && ty->second.kind == TypeKind::Enum;
      if (c->type.find('.') != std::string::npos) {
        size_t dot = c->type.find('.');
        auto t2 = cat.types.find({unquote(c->type.substr(0, dot)), unquote(c->type.substr(dot + 1))});
        is_enum = t2 != cat.types.end() && t2->second.kind == TypeKind::Enum;
      }
      if (is_default_opclass(method, c->type, is_enum, e.opclass)) e.opclass.clear();
    }
  };
  for (auto& [n, t] : cat.tables)
    for (auto& k : t.constraints)
      if (k.kind == ConstraintKind::Exclude) drop_default_opclasses(t, k.method, k.elems);
  for (auto& [n, ix] : cat.indexes)
    if (const Table* t = cat.find_table(ix.table)) drop_default_opclasses(*t, ix.method, ix.elems);
  // Date/time constants are printed by the server in ISO form: column
  // defaults, and range bounds of a partition keyed by a date/time column.
  auto normalize_literals = [](const std::string& type, std::string canon) {
    static const std::regex literal(R"('([^']*)')");
    std::string out;
    auto begin = std::sregex_iterator(canon.begin(), canon.end(), literal);
    size_t last = 0;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
      out += canon.substr(last, it->position() - last);
      auto n = normalize_datetime_literal(type, (*it)[1].str());
      out += n ? "'" + *n + "'" : it->str();
      last = it->position() + it->length();
    }
    return out + canon.substr(last);
  };
  for (auto& [n, t] : cat.tables) {
    for (auto& c : t.columns)
      if (c.default_expr && c.default_expr->canon.size() >= 2 && c.default_expr->canon.front() == '\'' &&
          c.default_expr->canon.back() == '\'' && c.default_expr->canon.find('\'', 1) == c.default_expr->canon.size() - 1)
        c.default_expr->canon = normalize_literals(c.type, c.default_expr->canon);
    if (!t.partition_of) continue;
    const Table* parent = cat.find_table(*t.partition_of);
    if (!parent) continue;
    const Column* key = parent->find_column(parent->partition_by.key.canon);
    if (!key) continue;
    t.partition_bound.canon = normalize_literals(key->type, t.partition_bound.canon);
  }
  for (auto& [n, ix] : cat.indexes) {
    const Table* t = cat.find_table(ix.table);
    auto v = cat.views.find(ix.table);
    if (!t && (v == cat.views.end() || !v->second.materialized))
      throw InputError(ix.pos.str() + ": index " + n.str() + " is on " + ix.table.str() +
                       ", which is not a table or materialized view of the desired state");
    if (t)
      for (const auto& e : ix.elems)
        if (!e.column.empty() && !t->find_column(e.column))
          throw InputError(ix.pos.str() + ": index " + n.str() + " names column " + quote_ident(e.column) +
                           ", which " + ix.table.str() + " does not have");
  }
  for (auto& [n, v] : cat.views) {
    check_schema(n.schema, v.pos, "view " + n.str());
    for (const auto& d : v.deps) {
      if (d.schema == "pg_catalog" || d.schema == "information_schema") continue;
      if (!cat.tables.count(d) && !cat.views.count(d) && !cat.sequences.count(d))
        throw InputError(v.pos.str() + ": view " + n.str() + " reads " + d.str() +
                         ", which is not defined in the desired state");
    }
  }
  std::map<std::pair<QualName, std::string>, Trigger> triggers;
  for (auto& [k, t] : cat.triggers) {
    if (!cat.find_table(t.table) && !cat.views.count(t.table))
      throw InputError(t.pos.str() + ": trigger " + quote_ident(t.name) + " is on " + t.table.str() +
                       ", which is not defined in the desired state");
    if (t.function.schema.empty()) {
      for (const auto& [sig, f] : cat.functions)
        if (f.name.name == t.function.name && f.args.empty()) {
          t.function.schema = f.name.schema;
          if (f.name.schema == "public") break;
        }
      if (t.function.schema.empty()) t.function.schema = "pg_catalog";
    }
    bool found = t.function.schema == "pg_catalog";
    for (const auto& [sig, f] : cat.functions)
      if (f.name == t.function) found = true;
    if (!found && cat.extensions.empty())
      throw InputError(t.pos.str() + ": trigger " + quote_ident(t.name) + " calls " + t.function.str() +
                       "(), which is not defined in the desired state");
    triggers[{t.table, t.name}] = std::move(t);
  }
  cat.triggers = std::move(triggers);
  resolve_aggregates();
  resolve_event_triggers();
}

}  // namespace seam::schema
