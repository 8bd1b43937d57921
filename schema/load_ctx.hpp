// Internal state of the desired-state loader, shared by the load_*.cpp files.
// Nothing outside schema/ includes this header.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "schema/canon.hpp"
#include "schema/canon_type.hpp"
#include "schema/errors.hpp"
#include "schema/load.hpp"
#include "schema/pgq.hpp"

namespace seam::schema {

struct Loader {
  LoadOptions opts;
  LoadResult res;
  Catalog& cat = res.catalog;
  std::vector<std::string> search_path{"public"};

  // The statement being applied.
  const SqlFile* file = nullptr;
  size_t stmt_off = 0, stmt_len = 0;
  std::vector<Annotation> file_anns;

  // Names taken per schema, as PostgreSQL checks them when it invents a name:
  // relations (tables, views, sequences, indexes) and constraints.
  std::set<std::pair<std::string, std::string>> relnames, connames;
  // Output columns of the views defined so far (for expanding SELECT *).
  std::map<QualName, std::vector<std::string>> view_columns;
  // Columns of a table or view of the desired state; nullptr when unknown.
  const std::vector<std::string>* relation_columns(const QualName& q, std::vector<std::string>& buf) const;
  // SELECT * / t.* expanded to the columns the server would list; false when
  // the FROM clause is beyond what the loader can resolve (left as written).
  bool expand_stars(pgq::Arena& a, PgQuery__SelectStmt* s) const;
  bool expand_stars_in(pgq::Arena& a, PgQuery__SelectStmt* s,
                       const std::map<std::string, std::vector<std::string>>& ctes) const;
  void record_view_columns(const QualName& v, const PgQuery__Node* query);

  // --- positions and errors -------------------------------------------------
  SourcePos pos(int location) const;  // location: byte offset in the file, -1 = statement start
  std::string excerpt() const;        // first line of the current statement
  [[noreturn]] void fail(int location, const std::string& msg) const;
  [[noreturn]] void unsupported(int location, const std::string& what) const;
  void warn(int location, const std::string& msg);
  // `-- seam:` annotations on the lines [from_line, to_line].
  Annotations annotations(int from_line, int to_line) const;
  Annotations stmt_annotations() const;  // lines before the statement and its first line

  // --- names ------------------------------------------------------------------
  std::string default_schema() const { return search_path.empty() ? "public" : search_path[0]; }
  QualName qualify(const PgQuery__RangeVar* rv) const;
  QualName qualify(PgQuery__Node** names, size_t n, int location) const;
  std::string type_name(const PgQuery__TypeName* t) const;  // canonical, search-path aware
  Expr expr(const PgQuery__Node* n) const;

  void take_relname(const QualName& q) { relnames.insert({q.schema, q.name}); }
  void take_conname(const std::string& schema, const std::string& n) { connames.insert({schema, n}); }
  // PostgreSQL's ChooseRelationName / ChooseConstraintName.
  std::string choose_relname(const std::string& schema, const std::string& n1,
                             const std::string& n2, const std::string& label, bool is_constraint);
  std::string choose_conname(const std::string& schema, const std::string& n1,
                             const std::string& n2, const std::string& label,
                             const std::set<std::string>& also_taken = {});

  // --- statements -------------------------------------------------------------
  void apply(const PgQuery__Node* stmt);
  void create_table(const PgQuery__CreateStmt* s);
  void create_index(const PgQuery__IndexStmt* s);
  void create_sequence(const PgQuery__CreateSeqStmt* s);
  void alter_sequence(const PgQuery__AlterSeqStmt* s);
  void create_view(const PgQuery__ViewStmt* s);
  void create_matview(const PgQuery__CreateTableAsStmt* s);
  void create_function(const PgQuery__CreateFunctionStmt* s);
  void create_trigger(const PgQuery__CreateTrigStmt* s);
  void create_enum(const PgQuery__CreateEnumStmt* s);
  void alter_enum(const PgQuery__AlterEnumStmt* s);
  void create_domain(const PgQuery__CreateDomainStmt* s);
  void create_composite(const PgQuery__CompositeTypeStmt* s);
  void create_schema(const PgQuery__CreateSchemaStmt* s);
  void create_extension(const PgQuery__CreateExtensionStmt* s);
  void alter_table(const PgQuery__AlterTableStmt* s);
  void comment(const PgQuery__CommentStmt* s);
  void create_policy(const PgQuery__CreatePolicyStmt* s);
  void alter_policy(const PgQuery__AlterPolicyStmt* s);
  void drop(const PgQuery__DropStmt* s);
  void set_var(const PgQuery__VariableSetStmt* s);
  void skip_infrastructure();
  void select(const PgQuery__SelectStmt* s, const PgQuery__Node* node);

  // Table pieces shared by CREATE TABLE and ALTER TABLE.
  void add_column(Table& t, const PgQuery__ColumnDef* cd, std::vector<Constraint>& pending);
  Constraint table_constraint(Table& t, const PgQuery__Constraint* c);
  void name_constraints(Table& t, std::vector<Constraint>& pending);
  void apply_constraint_attr(const PgQuery__Constraint* k, std::vector<Constraint>& pending) const;
  SequenceOptions sequence_options(PgQuery__Node** opts, size_t n, const std::string& type,
                                   const SequenceOptions* base, int location,
                                   std::string* seq_name = nullptr,
                                   std::vector<std::string>* owned_by = nullptr);

  // CREATE AGGREGATE and EVENT TRIGGER (load_aggregate.cpp, load_event_trigger.cpp).
  // Support function names wait for resolve_aggregates(): (name parts, position)
  // per field, with the search path at CREATE time; keyed by signature.
  struct PendingAggregate {
    std::vector<std::string> search_path;
    std::map<std::string, std::pair<std::vector<std::string>, SourcePos>> refs;
  };
  std::map<std::string, PendingAggregate> agg_pending;
  std::map<std::string, std::vector<std::string>> evt_search_path;
  void create_aggregate(const PgQuery__DefineStmt* s);
  Aggregate* find_aggregate(const PgQuery__ObjectWithArgs* ow);
  std::string aggregate_ref(const PgQuery__ObjectWithArgs* ow) const;
  void comment_aggregate(const PgQuery__ObjectWithArgs* ow, const std::string& text);
  bool drop_aggregate(const PgQuery__ObjectWithArgs* ow, std::string& what);
  // Canonical name of a referenced function, nullopt when it cannot exist.
  std::optional<std::string> resolve_routine(const std::vector<std::string>& parts,
                                             const std::vector<std::string>& path) const;
  void resolve_aggregates();
  void create_event_trigger(const PgQuery__CreateEventTrigStmt* s);
  void alter_event_trigger(const PgQuery__AlterEventTrigStmt* s);
  void comment_event_trigger(const std::string& name, const std::string& text);
  bool drop_event_trigger(const std::string& name);
  void resolve_event_triggers();

  // After every file: references, implied columns, final ordering.
  void finish();
};

// Helpers on parse nodes.
std::string node_string(const PgQuery__Node* n);  // String/Integer/Float/A_Const as text
long long node_int(const PgQuery__Node* n, long long dflt);
std::string defelems_to_options(PgQuery__Node** opts, size_t n);  // "a=1,b=x", sorted
// ALTER ... SET (...) merges into existing options; RESET (...) removes keys.
std::string merge_options(const std::string& current, PgQuery__Node** opts, size_t n, bool reset);
std::string stmt_keyword_summary(std::string_view text);          // "CREATE POLICY"
SequenceOptions default_sequence_options(const std::string& type, bool descending);
// The one column of t an expression references, "" when none or several
// (PostgreSQL names such a CHECK tab_col_check, otherwise tab_check).
std::string single_column_of(const Table& t, const Expr& e);
// An ISO date/time literal as the server prints a constant of that type
// (DateStyle ISO, TimeZone UTC); nullopt when the text is not one it knows.
std::optional<std::string> normalize_datetime_literal(const std::string& type, const std::string& value);
// Whether `opclass` is the default operator class of `method` for a column
// of that (canonical) type.
bool is_default_opclass(const std::string& method, const std::string& column_type, bool is_enum,
                        const std::string& opclass);
// The name PostgreSQL derives for an index column (column name, function name or "expr").
std::string figure_index_colname(const IndexElem& e);
// Relations a query reads (RangeVars that are not CTE names), qualified.
std::vector<QualName> query_relations(const Loader& L, const PgQuery__Node* query);
// A function name as regproc prints it under search_path pg_catalog, public.
std::string canonical_routine_name(const std::string& schema, const std::string& name);

}  // namespace seam::schema
