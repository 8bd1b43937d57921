// The dialect-neutral schema model: what a database schema *is*, filled either
// from desired-state SQL files (schema/load.hpp) or from a live catalog
// (dialects/postgres/inspect.hpp), and compared by schema/compare.hpp.
//
// Everything here is a plain value. Names are stored unquoted and exactly as
// the server stores them (folded already). Types and expressions are stored in
// canonical text (schema/canon.hpp) so that the two sources compare equal when
// they mean the same thing. Containers are ordered maps keyed by name so that
// iteration order - and therefore every output seam prints - is deterministic.
//
//   schema::Catalog cat = schema::load_path("schema/");
//   const schema::Table* t = cat.find_table({"public", "users"});
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace seam::schema {

// Where an object was defined: a file position, or the live catalog.
struct SourcePos {
  std::string file;  // empty = live catalog
  int line = 0;
  int col = 0;
  std::string str() const;  // "file.sql:3:1" or "live catalog"
};

// `-- seam:key value` comments attached to the statement that follows them
// (or to a column definition on the same/previous line). Kept for the differ
// and planner: renamed-from, using, rename-in-place, ...
using Annotations = std::map<std::string, std::string>;

struct QualName {
  std::string schema;
  std::string name;
  auto operator<=>(const QualName&) const = default;
  std::string str() const;  // quoted as needed: public.users, "My Schema"."T"
};

// An SQL expression. `text` is what seam renders (deparsed from the source, or
// as the server prints it); `canon` is the comparison key: the normalised
// deparse in which spellings that mean the same (implicit casts on literals,
// IN-lists vs = ANY, pg_catalog qualification) coincide.
struct Expr {
  std::string text;
  std::string canon;
  bool operator==(const Expr& o) const { return canon == o.canon; }
  bool empty() const { return canon.empty(); }
};

struct SequenceOptions {
  std::string type = "bigint";  // smallint | integer | bigint
  int64_t start = 1;
  int64_t increment = 1;
  int64_t min = 1;
  int64_t max = INT64_MAX;
  int64_t cache = 1;
  bool cycle = false;
  bool operator==(const SequenceOptions&) const = default;
};

struct Column {
  std::string name;
  std::string type;       // canonical, format_type spelling: "character varying(20)[]"
  std::string collation;  // qualified collation name, empty = type default
  std::optional<Expr> default_expr;
  bool not_null = false;
  char identity = 0;  // 0, 'a' (ALWAYS), 'd' (BY DEFAULT)
  SequenceOptions identity_seq;
  std::string identity_seq_name;  // name of the implicit sequence (schema-local)
  std::optional<Expr> generated;  // GENERATED ALWAYS AS (expr) STORED
  std::string comment;
  SourcePos pos;
  Annotations notes;
};

enum class ConstraintKind { PrimaryKey, Unique, Check, ForeignKey, Exclude };
const char* to_string(ConstraintKind k);

// One element of an index or exclusion constraint: a column or an expression
// with its collation, operator class and ordering.
struct IndexElem {
  std::string column;  // set for a plain column
  std::optional<Expr> expr;
  std::string collation;
  std::string opclass;  // qualified unless default for the type
  bool desc = false;
  int nulls = 0;          // 0 default, 1 NULLS FIRST, 2 NULLS LAST (only when not the default)
  std::string exclude_op;  // EXCLUDE ... WITH <op>
  bool operator==(const IndexElem&) const = default;
};

struct Constraint {
  std::string name;
  ConstraintKind kind = ConstraintKind::Check;
  std::vector<std::string> columns;  // PK/UNIQUE/FK local columns
  std::vector<std::string> include;  // PK/UNIQUE/EXCLUDE INCLUDE (...)
  bool nulls_not_distinct = false;
  std::optional<Expr> check;  // CHECK
  bool no_inherit = false;
  bool not_valid = false;
  // FOREIGN KEY
  QualName ref_table;
  std::vector<std::string> ref_columns;
  char on_update = 'a';  // a no action, r restrict, c cascade, n set null, d set default
  char on_delete = 'a';
  char match = 's';  // s simple, f full, p partial
  bool deferrable = false;
  bool initially_deferred = false;
  // EXCLUDE
  std::string method;  // index access method
  std::vector<IndexElem> elems;
  std::optional<Expr> where;
  std::string comment;
  SourcePos pos;
  Annotations notes;
};

struct Index {
  QualName name;    // schema = table's schema
  QualName table;   // table or materialized view
  bool unique = false;
  bool nulls_not_distinct = false;
  std::string method = "btree";
  std::vector<IndexElem> elems;
  std::vector<std::string> include;
  std::optional<Expr> where;
  std::string with;  // storage parameters, canonical "fillfactor=70,..." (sorted)
  std::string comment;
  SourcePos pos;
  Annotations notes;
};

// A row-level security policy (CREATE POLICY) on its table.
struct Policy {
  std::string name;
  bool permissive = true;
  std::string command = "ALL";     // ALL, SELECT, INSERT, UPDATE, DELETE
  std::vector<std::string> roles;  // sorted; "public" for PUBLIC
  std::optional<Expr> using_expr;
  std::optional<Expr> check_expr;
  std::string comment;
  SourcePos pos;
  Annotations notes;
};

struct PartitionSpec {
  std::string strategy;  // range | list | hash (empty = not partitioned)
  Expr key;              // canonical key list "(col, lower(x))" without the strategy
  bool operator==(const PartitionSpec&) const = default;
};

struct Table {
  QualName name;
  char persistence = 'p';  // p permanent, u unlogged
  std::vector<Column> columns;
  std::vector<Constraint> constraints;  // sorted by name after load/inspect
  PartitionSpec partition_by;
  std::optional<QualName> partition_of;  // parent, for a partition
  Expr partition_bound;                  // "FOR VALUES ..." / "DEFAULT"
  std::vector<QualName> inherits;
  std::string with;  // storage parameters, canonical
  // REPLICA IDENTITY: "" (default: the primary key), "full", "nothing", or
  // "index <name>" (an index of this table, unquoted name).
  std::string replica_identity;
  bool rls_enabled = false;
  bool rls_forced = false;
  std::vector<Policy> policies;  // sorted by name
  std::string comment;
  SourcePos pos;
  Annotations notes;

  const Column* find_column(const std::string& n) const;
  Column* find_column(const std::string& n);
  const Constraint* find_constraint(const std::string& n) const;
};

struct Sequence {
  QualName name;
  SequenceOptions opts;
  std::optional<QualName> owned_by_table;
  std::string owned_by_column;
  std::string comment;
  SourcePos pos;
  Annotations notes;
};

struct DomainCheck {
  std::string name;
  Expr check;
  bool not_valid = false;
  std::string comment;
  bool operator==(const DomainCheck& o) const {
    return name == o.name && check == o.check && not_valid == o.not_valid && comment == o.comment;
  }
};

struct CompositeAttr {
  std::string name;
  std::string type;
  std::string collation;
  bool operator==(const CompositeAttr&) const = default;
};

enum class TypeKind { Enum, Domain, Composite };
const char* to_string(TypeKind k);

struct Type {
  QualName name;
  TypeKind kind = TypeKind::Enum;
  std::vector<std::string> labels;  // enum, in order
  // domain
  std::string base_type;
  std::string collation;
  std::optional<Expr> default_expr;
  bool not_null = false;
  std::vector<DomainCheck> checks;  // sorted by name
  // composite
  std::vector<CompositeAttr> attrs;
  std::string comment;
  SourcePos pos;
  Annotations notes;
};

struct View {
  QualName name;
  bool materialized = false;
  Expr query;  // canonical SELECT
  std::vector<std::string> columns;  // explicit column names, when given
  std::string with;  // options: check_option, security_barrier, security_invoker
  std::map<std::string, std::string> column_comments;
  // Views and tables this view's query reads, when known (the inspector fills it
  // from pg_depend/pg_rewrite); used only to order CREATE VIEW statements, not
  // part of the view's identity. Empty = unknown (renderers fall back to name order).
  std::vector<QualName> deps;
  // Functions this view's query calls, as Function::signature() spells them
  // (the inspector fills it from pg_depend; the differ drops and recreates the
  // view around a replaced function). Like deps: ordering only, not identity.
  std::vector<std::string> dep_functions;
  std::string comment;
  SourcePos pos;
  Annotations notes;
};

struct FunctionArg {
  std::string mode;  // "" (IN), OUT, INOUT, VARIADIC, TABLE
  std::string name;
  std::string type;
  std::optional<Expr> default_expr;
  bool operator==(const FunctionArg&) const = default;
};

struct Function {
  QualName name;
  bool procedure = false;
  std::vector<FunctionArg> args;
  std::string returns;  // canonical return type ("void", "SETOF integer", "TABLE(a integer)")
  std::string language;
  std::string body;     // verbatim source (prosrc) or canonical sql body
  char volatility = 'v';  // i, s, v
  bool strict = false;
  bool security_definer = false;
  bool leakproof = false;
  char parallel = 'u';  // s, r, u
  double cost = 100;
  double rows = 0;
  std::vector<std::string> config;  // "search_path=public" entries, sorted
  std::string comment;
  SourcePos pos;
  Annotations notes;

  // Identity: name and the IN/INOUT/VARIADIC argument types, "public.f(integer, text)".
  std::string signature() const;
};

struct Trigger {
  std::string name;
  QualName table;
  std::string timing;  // BEFORE | AFTER | INSTEAD OF
  std::vector<std::string> events;  // INSERT, UPDATE, DELETE, TRUNCATE (in that order)
  std::vector<std::string> update_columns;
  bool for_each_row = false;
  std::optional<Expr> when;
  QualName function;
  std::vector<std::string> args;
  bool constraint_trigger = false;
  bool deferrable = false;
  bool initially_deferred = false;
  std::string old_table, new_table;  // REFERENCING transition tables
  std::string comment;
  SourcePos pos;
  Annotations notes;
};

// CREATE AGGREGATE. Support functions are kept in canonical regproc-like
// spelling: unqualified for pg_catalog and public, else schema.name (each part
// quoted as needed). Defaults are those the server stores.
struct Aggregate {
  QualName name;
  // Argument types (and names/modes, VARIADIC) like Function::args; for an
  // ordered-set aggregate the first `direct_args` are the direct arguments.
  std::vector<FunctionArg> args;
  int direct_args = 0;
  char kind = 'n';  // n normal, o ordered-set, h hypothetical-set
  std::string sfunc;
  std::string stype;  // canonical type
  int sspace = 0;
  std::string finalfunc;
  bool finalfunc_extra = false;
  char finalfunc_modify = 'r';  // r read_only, s shareable, w read_write
  std::string combinefunc, serialfunc, deserialfunc;
  std::optional<std::string> initcond;  // absent (NULL) differs from ''
  std::string msfunc, minvfunc, mstype;
  int msspace = 0;
  std::string mfinalfunc;
  bool mfinalfunc_extra = false;
  char mfinalfunc_modify = 'r';
  std::optional<std::string> minitcond;
  std::string sortop;  // operator name, schema-qualified outside pg_catalog/public
  char parallel = 'u';
  std::string comment;
  SourcePos pos;
  Annotations notes;

  // "public.my_sum(numeric)", "s.pct(double precision ORDER BY double precision)",
  // "public.cnt(*)".
  std::string signature() const;
  // The argument list as DROP/COMMENT ON AGGREGATE want it, without parentheses.
  std::string arg_list() const;
};

// CREATE EVENT TRIGGER (database-wide).
struct EventTrigger {
  std::string name;
  std::string event;              // ddl_command_start, ddl_command_end, sql_drop, table_rewrite, login
  std::vector<std::string> tags;  // WHEN TAG IN (...), upper case, sorted
  QualName function;
  char enabled = 'O';  // O origin (ENABLE), D disabled, R replica, A always
  std::string comment;
  SourcePos pos;
  Annotations notes;
};

struct Extension {
  std::string name;
  std::string schema;   // empty = server default
  std::string version;  // empty = server default
  std::string comment;
  SourcePos pos;
};

struct Schema {
  std::string name;
  std::string comment;
  SourcePos pos;
};

struct Catalog {
  std::string source;  // "files: schema/" or "postgres 15.4 at host/db"
  int server_version = 0;  // server_version_num for live catalogs
  std::map<std::string, Schema> schemas;
  std::map<std::string, Extension> extensions;
  std::map<QualName, Type> types;
  std::map<QualName, Sequence> sequences;
  std::map<QualName, Table> tables;
  std::map<QualName, Index> indexes;
  std::map<QualName, View> views;
  std::map<std::string, Function> functions;  // keyed by signature()
  std::map<std::pair<QualName, std::string>, Trigger> triggers;  // (table, name)
  std::map<std::string, Aggregate> aggregates;  // keyed by signature()
  std::map<std::string, EventTrigger> event_triggers;  // keyed by name
  // Objects present in the source that the model cannot represent yet (e.g.
  // "aggregate public.my_sum(integer)"), one sentence each, sorted. The live
  // inspector fills it instead of silently dropping them; callers decide
  // whether to refuse (UnsupportedError) or warn.
  std::vector<std::string> unsupported;

  const Table* find_table(const QualName& n) const;
  Table* find_table(const QualName& n);
  // True when a relation-like object (table, view, sequence, index) of that name exists.
  bool has_relation(const QualName& n) const;
};

}  // namespace seam::schema
