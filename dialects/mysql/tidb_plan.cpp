// plan_tidb: every change becomes draft steps by its TiDB strategy (see
// tidb_plan.hpp), then planner::assemble orders them; metadata-only steps of
// one table that the order puts side by side are folded into one
// multi-schema change and the drafts are ordered again.
#include "dialects/mysql/tidb_plan.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <type_traits>

#include "dialects/mysql/inspect.hpp"
#include "dialects/mysql/tidb_render.hpp"
#include "differ/deps.hpp"
#include "planner/assemble.hpp"
#include "schema/errors.hpp"

namespace seam::mysql {

namespace {

using planner::Draft;
using planner::HazardType;
using planner::Phase;
using schema::Column;
using schema::ConstraintKind;
using schema::QualName;

constexpr size_t npos = static_cast<size_t>(-1);

// Tie-break ranks (as dialects/postgres/render_change.cpp): drops with
// dependents first, then creates and alterations.
namespace rank {
constexpr int kDropIndex = 150, kDropColumn = 170, kDropTable = 180, kTable = 360, kAddColumn = 370,
              kColumn = 371, kConstraint = 400, kIndex = 410, kFk = 430;
}  // namespace rank

std::string unq(const QualName& n) {
  return n.schema + "." + n.name;
}

void add_keys(std::vector<std::string>& dst, const std::vector<std::string>& src) {
  dst.insert(dst.end(), src.begin(), src.end());
}

// A DEFAULT that every existing row may share: a literal, NULL or the DDL's
// timestamp (MySQL and TiDB give existing rows the time of the ALTER). Any
// other expression (UUID(), RAND(), ...) is evaluated per row and backfilled.
bool constant_default(const std::string& e) {
  static const std::regex constant(
      R"(^('([^'\\]|''|\\.)*'|-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?|NULL|current_timestamp(\(\d*\))?)$)",
      std::regex::icase);
  return std::regex_match(e, constant);
}

// A Draft that is one whole ALTER TABLE clause of an existing table and may
// be folded into a multi-schema change with its neighbours.
struct Clause {
  QualName table;
  std::string clause;  // after table_alter(table)
  // The columns and indexes it changes ("col:x", "ix:i"): TiDB refuses a
  // multi-schema change that touches one twice, and an index is not folded
  // with a change of its own columns.
  std::vector<std::string> objects;
};

class Planner {
 public:
  Planner(const differ::ChangeSet& cs, const schema::Catalog& from, const schema::Catalog& to,
          const TidbPlanInput& in)
      : cs_(cs),
        from_(from),
        to_(to),
        in_(in),
        m_(in.matrix ? *in.matrix : compat::builtin("tidb")) {
    for (const auto& ch : cs.changes) {
      if (auto* a = std::get_if<differ::AddTable>(&ch.op)) new_tables_.insert(a->obj.name);
      if (auto* a = std::get_if<differ::AddColumn>(&ch.op))
        if (a->obj.default_expr && !constant_default(a->obj.default_expr->text))
          backfilled_.insert({a->table, a->obj.name});
      for (const auto& k : ch.deps.drops) dropped_keys_.insert(k);
    }
  }

  void run() {
    // Column-level changes of one column become one MODIFY COLUMN (MySQL
    // restates the whole column definition), planned at the first of them.
    std::map<std::pair<QualName, std::string>, size_t> lead;
    for (size_t i = 0; i < cs_.changes.size(); ++i)
      if (auto key = column_change(cs_.changes[i])) {
        auto [it, fresh] = lead.emplace(*key, i);
        if (!fresh)
          absorbed_[it->second].push_back(i);
        else
          absorbed_[i];
      }
    for (size_t i = 0; i < cs_.changes.size(); ++i) {
      auto key = column_change(cs_.changes[i]);
      if (key && lead.at(*key) != i) continue;
      plan_change(i);
    }
    // A foreign key after the indexes this plan builds on its table (MySQL
    // and TiDB use one of them instead of creating their own).
    for (const auto& [f, ft] : fk_table_)
      for (const auto& [x, xt] : index_table_)
        if (ft == xt) drafts_[f].after.push_back(x);
  }

  std::vector<Draft>& drafts() { return drafts_; }
  const std::vector<std::optional<Clause>>& clauses() const { return clauses_; }

 private:
  const differ::ChangeSet& cs_;
  const schema::Catalog& from_;
  const schema::Catalog& to_;
  const TidbPlanInput& in_;
  const compat::Matrix& m_;
  std::set<QualName> new_tables_;
  std::set<std::pair<QualName, std::string>> backfilled_;
  std::set<std::string> dropped_keys_;
  std::map<size_t, std::vector<size_t>> absorbed_;  // lead change -> other changes of its column
  std::vector<Draft> drafts_;
  std::vector<std::optional<Clause>> clauses_;  // per draft: foldable into a multi-schema change
  std::map<size_t, QualName> index_table_, fk_table_;  // drafts adding indexes / foreign keys

  // ---- catalog and statistics --------------------------------------------------------
  static std::optional<std::pair<QualName, std::string>> column_change(const differ::Change& ch) {
    return std::visit(
        [](const auto& c) -> std::optional<std::pair<QualName, std::string>> {
          using T = std::decay_t<decltype(c)>;
          if constexpr (std::is_same_v<T, differ::AlterColumnType> ||
                        std::is_same_v<T, differ::SetNotNull> ||
                        std::is_same_v<T, differ::SetDefault> ||
                        std::is_same_v<T, differ::AlterIdentity>)
            return std::make_pair(c.table, c.new_obj.name);
          else if constexpr (std::is_same_v<T, differ::SetComment>) {
            if (c.target.kind == differ::ObjectKind::Column)
              return std::make_pair(c.target.name, c.target.sub);
            return std::nullopt;
          } else
            return std::nullopt;
        },
        ch.op);
  }

  bool existing(const QualName& t) const { return !new_tables_.count(t) && from_.find_table(t); }

  const TableSize* size(const QualName& t) const {
    auto it = in_.stats.find(unq(t));
    return it == in_.stats.end() ? nullptr : &it->second;
  }
  std::string size_note(const QualName& t) const {
    const TableSize* s = size(t);
    if (!s) return "no statistics for " + t.str();
    return t.str() + " has about " + std::to_string(s->rows) + " rows";
  }

  std::vector<std::string> primary_key(const QualName& t) const {
    if (const auto* tb = from_.find_table(t))
      for (const auto& k : tb->constraints)
        if (k.kind == ConstraintKind::PrimaryKey) return k.columns;
    return {};
  }

  // Foreign keys of the live catalog that use column `col` of t, on either side.
  std::string fk_using(const QualName& t, const std::string& col) const {
    for (const auto& [n, tb] : from_.tables)
      for (const auto& k : tb.constraints) {
        if (k.kind != ConstraintKind::ForeignKey) continue;
        bool local = n == t && std::count(k.columns.begin(), k.columns.end(), col);
        bool ref = k.ref_table == t && std::count(k.ref_columns.begin(), k.ref_columns.end(), col);
        if (local || ref) return k.name + " on " + n.str();
      }
    return "";
  }

  // ---- matrix ----------------------------------------------------------------------
  const compat::Entry& entry(const std::string& op, const std::string& what) const {
    const compat::Entry& e = m_.at(op, in_.version);  // throws for an uncovered version
    if (e.strategy == "refuse" || e.strategy == "unsupported")
      throw UnsupportedError(what + ": " + op + " is \"" + e.strategy + "\" on TiDB " +
                             in_.version.str() + " (compat-matrix/tidb.yaml, " + e.versions() +
                             "): " + e.notes);
    return e;
  }

  // What an unverified entry claims and how a reviewer checks it on their
  // own cluster.
  std::string unverified(const compat::Entry& e) const {
    const std::string v = in_.version.str();
    std::string effect = e.rewrite ? "every row read and rewritten"
                         : e.scan  ? "every row read, none rewritten"
                                   : "no row read or rewritten";
    std::string how =
        e.strategy == "expand_backfill"
            ? "on a scratch TiDB " + v +
                  " cluster, add a nullable column with this DEFAULT to a copy of the table, "
                  "insert a row without the column and check that it holds the expression's value"
            : "run the step on a scratch TiDB " + v +
                  " cluster against a copy of the table of realistic size and read `ADMIN SHOW "
                  "DDL JOBS` (JOB_TYPE, SCHEMA_STATE; ROW_COUNT > 0 means rows were read or "
                  "rewritten)";
    return "compat-matrix/tidb.yaml: " + e.op + " on TiDB " + v + " is " + e.strategy + " (" +
           effect + "), from documentation only; seam has not measured it. To verify, " + how +
           "; `seam compat --dialect tidb --version " + v + "` shows the entry and its source.";
  }

  // The step's matrix op: its rewrite/scan flags and the unverified hazard.
  void tag(Draft& d, const std::string& op) {
    const compat::Entry& e = entry(op, d.step.change);
    if (d.step.op.empty()) d.step.op = op;
    d.step.rewrite = d.step.rewrite || e.rewrite;
    d.step.scan = d.step.scan || e.scan;
    d.step.transactional = false;
    if (!e.verified) d.step.hazards.push_back({HazardType::DialectUnverified, unverified(e)});
  }

  // Metadata only (no rewrite, no scan): such a clause may share an ALTER.
  bool metadata_only(const std::string& op, const std::string& what) const {
    const compat::Entry& e = entry(op, what);
    return !e.rewrite && !e.scan;
  }

  std::string job_control() const {
    const compat::Entry* jc = m_.find("ddl_job_control", in_.version);
    std::string s = "Watch it with `seam jobs list --db mysql://…` (ADMIN SHOW DDL JOBS); ";
    if (jc && jc->strategy != "unsupported")
      return s +
             "pause and resume it with `seam jobs pause|resume JOB` (ADMIN PAUSE/RESUME DDL "
             "JOBS) or cancel it with `seam jobs cancel JOB` (ADMIN CANCEL DDL JOBS).";
    return s + "TiDB " + in_.version.str() +
           " cannot pause a DDL job (ADMIN PAUSE DDL JOBS needs 7.2); cancel it with `seam jobs "
           "cancel JOB` (ADMIN CANCEL DDL JOBS).";
  }

  // ---- drafts ------------------------------------------------------------------------
  // differ::describe, with an index named as MySQL names it (per table).
  static std::string describe(const differ::Change& ch) {
    if (auto* a = std::get_if<differ::AddIndex>(&ch.op))
      return "add index " + index_name(a->obj) + " on " + a->obj.table.str();
    if (auto* d = std::get_if<differ::DropIndex>(&ch.op))
      return "drop index " + index_name(d->obj) + " on " + d->obj.table.str();
    return differ::describe(ch);
  }

  size_t push(size_t ci, Phase ph, std::string sql, const std::string& slug_suffix, int rank,
              const std::string& table_obj, size_t after = npos) {
    const auto& ch = cs_.changes[ci];
    Draft d;
    d.step.phase = ph;
    d.step.change = describe(ch);
    d.step.sql = sql.empty() ? "" : sql + ";\n";
    d.step.transactional = false;
    d.slug = d.step.change + (slug_suffix.empty() ? "" : " " + slug_suffix);
    d.rank = rank;
    d.name = d.step.change;
    d.objects.push_back("table " + table_obj);
    if (after != npos) d.after.push_back(after);
    drafts_.push_back(std::move(d));
    clauses_.emplace_back();
    return drafts_.size() - 1;
  }

  void differ_hazards(Draft& d, const differ::Change& ch) {
    for (const auto& h : ch.hazards) {
      HazardType t = h.kind == differ::HazardKind::DataLoss      ? HazardType::DataLoss
                     : h.kind == differ::HazardKind::MaybeRename ? HazardType::MaybeRename
                                                                 : HazardType::AppCompat;
      // The MySQL-dialect loader runs the files on a server, which drops
      // comments: a seam:renamed-from annotation never reaches the differ.
      d.step.hazards.push_back(
          {t, h.message + (t == HazardType::MaybeRename
                               ? " (MySQL-dialect files cannot carry that annotation yet: "
                                 "rename the column by hand first if it is a rename)"
                               : "")});
    }
  }

  // Keys of the expand side of a change / of a drop (as the PostgreSQL planner).
  void expand_keys(Draft& d, const differ::Change& ch) {
    add_keys(d.creates, ch.deps.creates);
    add_keys(d.needs, ch.deps.needs);
    add_keys(d.alters, ch.deps.alters);
  }
  void drop_keys(Draft& d, const differ::Change& ch, bool dependent) {
    add_keys(d.drops, ch.deps.drops);
    add_keys(d.drops, ch.deps.alters);  // a dropped column "alters" its table: ordered among drops
    for (const auto& k : ch.deps.old_needs)
      if (dependent || dropped_keys_.count(k)) d.old_needs.push_back(k);
  }

  // An ALTER TABLE of one clause on an existing table; instant ones may fold.
  size_t alter(size_t ci, Phase ph, const QualName& t, const std::string& clause,
               const std::string& object, const std::string& op, int rank,
               const std::string& slug_suffix = "", size_t after = npos) {
    size_t i = push(ci, ph, table_alter(t) + clause, slug_suffix, rank, t.str(), after);
    tag(drafts_[i], op);
    if (metadata_only(op, drafts_[i].step.change) && existing(t) && after == npos)
      clauses_[i] = Clause{t, clause, {object}};
    return i;
  }

  // An online DDL job that reads the table: its hazards.
  void reads_table(Draft& d, const QualName& t, const std::string& what) {
    if (!existing(t)) return;
    d.step.hazards.push_back({HazardType::FullScan, what + " (" + size_note(t) + ")."});
    d.step.hazards.push_back(
        {HazardType::LongRunning,
         "Runs as a TiDB DDL job whose time grows with " + t.str() + ". " + job_control()});
  }

  static std::vector<std::string> index_objects(const schema::Index& ix) {
    std::vector<std::string> out{"ix:" + index_name(ix)};
    for (const auto& e : ix.elems)
      if (!e.column.empty()) out.push_back("col:" + e.column);
    return out;
  }

  // ---- dispatch ----------------------------------------------------------------------
  void plan_change(size_t ci) {
    const auto& ch = cs_.changes[ci];
    std::visit(
        [&](const auto& c) {
          using T = std::decay_t<decltype(c)>;
          using namespace differ;
          if constexpr (std::is_same_v<T, AddTable>)
            add_table(ci, c);
          else if constexpr (std::is_same_v<T, DropTable>)
            drop(ci, c.obj.name, drop_table_sql(c.obj.name), "drop_table", rank::kDropTable, {},
                 false);
          else if constexpr (std::is_same_v<T, AddColumn>)
            add_column(ci, c);
          else if constexpr (std::is_same_v<T, DropColumn>)
            drop_column(ci, c);
          else if constexpr (std::is_same_v<T, AlterColumnType> || std::is_same_v<T, SetNotNull> ||
                             std::is_same_v<T, SetDefault> || std::is_same_v<T, AlterIdentity> ||
                             std::is_same_v<T, SetComment>) {
            if (!column_change(ch))  // a comment on a table or index
              throw UnsupportedError(describe(ch) +
                                     ": comments other than column comments are not planned for "
                                     "TiDB yet; change it by hand (ALTER TABLE ... COMMENT = ...)");
            modify_column(ci);
          } else if constexpr (std::is_same_v<T, AddIndex>)
            add_index(ci, c);
          else if constexpr (std::is_same_v<T, DropIndex>)
            drop(ci, c.obj.table, table_alter(c.obj.table) + drop_index_clause(index_name(c.obj)),
                 "drop_index", rank::kDropIndex, index_objects(c.obj), false);
          else if constexpr (std::is_same_v<T, AddConstraint>)
            add_constraint(ci, c);
          else if constexpr (std::is_same_v<T, DropConstraint>)
            drop_constraint(ci, c);
          else
            throw UnsupportedError(describe(ch) +
                                   ": not planned for TiDB yet (seam plans tables, columns, type "
                                   "changes, indexes, UNIQUE, PRIMARY KEY and FOREIGN KEY "
                                   "constraints there); change it by hand");
        },
        ch.op);
  }

  void add_table(size_t ci, const differ::AddTable& a) {
    const auto& ch = cs_.changes[ci];
    for (const auto& k : a.obj.constraints)
      if (k.kind == ConstraintKind::ForeignKey)
        entry("add_foreign_key", "table " + a.obj.name.str() + ", foreign key " + k.name);
    size_t i = push(ci, Phase::Expand, create_table_sql(a.obj), "", rank::kTable, a.obj.name.str());
    Draft& d = drafts_[i];
    expand_keys(d, ch);
    for (const auto& k : a.obj.constraints)
      if (k.kind == ConstraintKind::ForeignKey && k.ref_table != a.obj.name)
        d.needs.push_back(differ::key::rel(k.ref_table));
    tag(d, "create_table");
  }

  // Drops run in the contract phase, behind the checkpoint.
  size_t drop(size_t ci, const QualName& t, const std::string& sql, const std::string& op, int rank,
              const std::vector<std::string>& objects, bool dependent) {
    const auto& ch = cs_.changes[ci];
    std::string table_sql = table_alter(t);
    size_t i = push(ci, Phase::Contract, sql, "", rank, t.str());
    Draft& d = drafts_[i];
    drop_keys(d, ch, dependent);
    differ_hazards(d, ch);
    tag(d, op);
    if (!objects.empty() && existing(t) && sql.rfind(table_sql, 0) == 0 &&
        metadata_only(op, d.step.change))
      clauses_[i] = Clause{t, sql.substr(table_sql.size()), objects};
    return i;
  }

  void drop_column(size_t ci, const differ::DropColumn& c) {
    auto pk = primary_key(c.table);
    if (std::count(pk.begin(), pk.end(), c.obj.name))
      throw UnsupportedError(describe(cs_.changes[ci]) +
                             ": the column is part of the primary key, which TiDB cannot change "
                             "when it is CLUSTERED; create a new table and copy the rows");
    size_t i = drop(ci, c.table, table_alter(c.table) + drop_column_clause(c.obj.name),
                    "drop_column", rank::kDropColumn, {"col:" + c.obj.name}, false);
    drafts_[i].step.hazards.push_back(
        {HazardType::AppCompat, "Old application code must no longer read or write " +
                                    quote_ident(c.obj.name) + " of " + c.table.str() +
                                    " when this step runs."});
  }

  void add_column(size_t ci, const differ::AddColumn& a) {
    const auto& ch = cs_.changes[ci];
    const Column& c = a.obj;
    const std::string what = describe(ch);
    if (c.identity)
      throw UnsupportedError(what +
                             ": ADD COLUMN with AUTO_INCREMENT is restricted on TiDB; add "
                             "the column without it");
    if (c.generated)
      throw UnsupportedError(what + ": generated columns are not planned for TiDB yet");
    if (c.not_null && !c.default_expr)
      throw UnsupportedError(what +
                             ": NOT NULL without a DEFAULT would fill existing rows with the "
                             "type's zero value on TiDB; give it a DEFAULT (a constant is "
                             "instant, an expression such as (UUID()) is backfilled in batches)");
    if (!c.default_expr || constant_default(c.default_expr->text)) {
      std::string op = !c.default_expr ? "add_column_nullable"
                       : c.not_null    ? "add_column_not_null_default"
                                       : "add_column_constant_default";
      size_t i = alter(ci, Phase::Expand, a.table, add_column_clause(c), "col:" + c.name, op,
                       rank::kAddColumn);
      expand_keys(drafts_[i], ch);
      differ_hazards(drafts_[i], ch);
      return;
    }
    // A per-row default: nullable column, the default for new rows, a batched
    // backfill of the old ones by primary-key ranges, then NOT NULL. Refused
    // where the version has no expression defaults.
    entry("add_column_volatile_default", what);
    auto pk = primary_key(a.table);
    if (pk.empty())
      throw UnsupportedError(what + ": " + a.table.str() +
                             " has no primary key to backfill the new column by; TiDB backfills "
                             "by primary-key ranges (one UPDATE of every row would exceed its "
                             "transaction size limit). Add a primary key first");
    Column plain = c;
    plain.default_expr.reset();
    plain.not_null = false;
    size_t i1 = push(ci, Phase::Expand, table_alter(a.table) + add_column_clause(plain), "nullable",
                     rank::kAddColumn, a.table.str());
    expand_keys(drafts_[i1], ch);
    differ_hazards(drafts_[i1], ch);
    tag(drafts_[i1], "add_column_nullable");
    Column with_default = plain;
    with_default.default_expr = c.default_expr;
    size_t i2 = push(ci, Phase::Expand, table_alter(a.table) + modify_column_clause(with_default),
                     "default", rank::kColumn, a.table.str(), i1);
    drafts_[i2].alters.push_back(differ::key::rel(a.table));
    tag(drafts_[i2], "set_default");
    size_t i3 =
        push(ci, Phase::Backfill, "", "backfill " + c.name, rank::kColumn, a.table.str(), i2);
    Draft& b = drafts_[i3];
    b.step.kind = planner::StepKind::Backfill;
    tag(b, "add_column_volatile_default");
    b.step.transactional = true;  // each batch is its own transaction
    planner::Backfill bf;
    bf.table = unq(a.table);
    bf.key = pk;
    bf.set.push_back({c.name, c.default_expr->text});
    bf.where = quote_ident(c.name) + " IS NULL";
    bf.est_rows = size(a.table) ? size(a.table)->rows : 0;
    b.step.backfill = bf;
    b.step.hazards.push_back(
        {HazardType::LongRunning,
         "Backfills " + quote_ident(c.name) + " of " + a.table.str() +
             " in batches of primary-key ranges, each one UPDATE in its own transaction (" +
             size_note(a.table) + ")."});
    if (!c.not_null) return;
    size_t i4 = push(ci, Phase::Contract, table_alter(a.table) + modify_column_clause(c),
                     "not null", rank::kColumn, a.table.str(), i3);
    Draft& n = drafts_[i4];
    n.needs.push_back(differ::key::rel(a.table));
    tag(n, "set_not_null");
    not_null_hazards(n, a.table, c.name);
  }

  void not_null_hazards(Draft& d, const QualName& t, const std::string& col) {
    if (existing(t))
      d.step.hazards.push_back({HazardType::FullScan, "TiDB reads " + t.str() +
                                                          " to check that no row holds NULL in " +
                                                          quote_ident(col) +
                                                          " before the column becomes NOT NULL; a "
                                                          "NULL fails the job, which rolls back (" +
                                                          size_note(t) + ")."});
    d.step.hazards.push_back({HazardType::AppCompat, "From this step on, writes to " + t.str() +
                                                         " must not leave " + quote_ident(col) +
                                                         " NULL."});
  }

  // Every column-level change of one column (type, NOT NULL, default,
  // comment) as MODIFY COLUMN with the desired definition.
  void modify_column(size_t ci) {
    std::vector<size_t> all{ci};
    for (size_t o : absorbed_[ci]) all.push_back(o);
    auto key = *column_change(cs_.changes[ci]);
    const QualName& t = key.first;
    const std::string what = describe(cs_.changes[ci]);
    const schema::Table* ft = from_.find_table(t);
    const schema::Table* tt = to_.find_table(t);
    const Column* oc = ft ? ft->find_column(key.second) : nullptr;
    const Column* nc = tt ? tt->find_column(key.second) : nullptr;
    if (!oc || !nc)
      throw UnsupportedError(what + ": the column is missing from the live or desired catalog");
    for (size_t i : all)
      if (auto* x = std::get_if<differ::AlterColumnType>(&cs_.changes[i].op);
          x && !x->using_expr.empty())
        throw UnsupportedError(what +
                               ": a conversion expression (seam:using) is not planned for "
                               "TiDB; MODIFY COLUMN converts as the server casts");
    if (oc->identity != nc->identity)
      throw UnsupportedError(what + (nc->identity ? ": TiDB cannot add AUTO_INCREMENT to an "
                                                    "existing column"
                                                  : ": TiDB removes AUTO_INCREMENT only with "
                                                    "@@tidb_allow_remove_auto_inc; do it by hand"));
    if (oc->generated || nc->generated)
      throw UnsupportedError(what + ": generated columns are not planned for TiDB yet");
    // An expression default (UUID(), ...) needs the version's support for them.
    if (nc->default_expr && !constant_default(nc->default_expr->text) &&
        oc->default_expr != nc->default_expr)
      entry("add_column_volatile_default", what);
    bool type_change = oc->type != nc->type || oc->collation != nc->collation;
    bool not_null = !oc->not_null && nc->not_null;
    std::string type_op = !type_change                     ? ""
                          : oc->collation != nc->collation ? "modify_column_lossy"
                                                           : modify_column_op(oc->type, nc->type);
    if (type_change) {
      std::string fk = fk_using(t, nc->name);
      if (!fk.empty())
        throw UnsupportedError(what + ": foreign key " + fk +
                               " uses the column; TiDB's MODIFY COLUMN on a foreign-key column "
                               "is not in the matrix (MariaDB refuses it). Drop the foreign key, "
                               "change the column, and add the key again in separate plans");
    }
    const std::string object = "col:" + nc->name;
    auto finish = [&](size_t i) {
      for (size_t o : all) {
        expand_keys(drafts_[i], cs_.changes[o]);
        differ_hazards(drafts_[i], cs_.changes[o]);
      }
    };
    if (type_op == "modify_column_lossy") {
      auto pk = primary_key(t);
      if (std::count(pk.begin(), pk.end(), nc->name))
        throw UnsupportedError(what + ": " + oc->type + " -> " + nc->type +
                               " rewrites every row (Reorg-Data), which TiDB refuses on a "
                               "primary-key column; create a new table and copy the rows");
      // TiDB's Reorg-Data MODIFY COLUMN is itself an online shadow column: a
      // hidden column the server keeps in step with every write while it
      // copies the rows, then swaps atomically - safer than seam's
      // application dual-write (TiDB has no triggers), and a job that can be
      // paused or cancelled. The matrix says online_job; so does the plan.
      size_t i = push(ci, not_null ? Phase::Contract : Phase::Expand,
                      table_alter(t) + modify_column_clause(*nc), "", rank::kColumn, t.str());
      Draft& d = drafts_[i];
      tag(d, "modify_column_lossy");
      finish(i);
      if (existing(t)) {
        std::string why = enum_members(oc->type) && enum_members(nc->type)
                              ? " (ENUM/SET members removed or moved: stored member numbers change)"
                              : "";
        d.step.hazards.push_back(
            {HazardType::TableRewrite,
             oc->type + " -> " + nc->type + why +
                 ": TiDB reads, converts and rewrites every row of " + t.str() +
                 " and the indexes on " + quote_ident(nc->name) + " in an online Reorg-Data job (" +
                 size_note(t) +
                 "); reads and writes continue, and a value that does not convert fails the job, "
                 "which rolls back."});
        d.step.hazards.push_back(
            {HazardType::LongRunning,
             "Runs as a TiDB DDL job whose time grows with " + t.str() + ". " + job_control()});
      }
      d.step.hazards.push_back(
          {HazardType::AppCompat, "From this step on, values written to " + quote_ident(nc->name) +
                                      " of " + t.str() + " must fit " + nc->type + "."});
      if (not_null) not_null_hazards(d, t, nc->name);
      return;
    }
    if (not_null) {
      size_t first = npos;
      if (type_change || oc->default_expr != nc->default_expr || oc->comment != nc->comment) {
        // The metadata-only part first; NOT NULL once old code is gone.
        Column relaxed = *nc;
        relaxed.not_null = false;
        first = alter(ci, Phase::Expand, t, modify_column_clause(relaxed), object,
                      type_change                            ? type_op
                      : oc->default_expr != nc->default_expr ? "set_default"
                                                             : "modify_column_lossless",
                      rank::kColumn, "type");
        finish(first);
      }
      size_t i = push(ci, Phase::Contract, table_alter(t) + modify_column_clause(*nc), "not null",
                      rank::kColumn, t.str(), first);
      tag(drafts_[i], "set_not_null");
      if (first == npos) finish(i);
      drafts_[i].needs.push_back(differ::key::rel(t));
      not_null_hazards(drafts_[i], t, nc->name);
      return;
    }
    std::string op = type_change                            ? type_op
                     : oc->default_expr != nc->default_expr ? "set_default"
                                                            : "modify_column_lossless";
    size_t i = alter(ci, Phase::Expand, t, modify_column_clause(*nc), object, op, rank::kColumn);
    finish(i);
  }

  void add_index(size_t ci, const differ::AddIndex& a) {
    const schema::Index& ix = a.obj;
    std::string op = ix.unique ? "add_unique" : "create_index";
    size_t i = push(ci, Phase::Expand, table_alter(ix.table) + add_index_clause(ix), "",
                    rank::kIndex, ix.table.str());
    Draft& d = drafts_[i];
    expand_keys(d, cs_.changes[ci]);
    differ_hazards(d, cs_.changes[ci]);
    tag(d, op);
    index_hazards(d, ix.table,
                  (ix.unique ? "ADD UNIQUE INDEX " : "ADD INDEX ") + quote_ident(index_name(ix)),
                  ix.unique);
    index_table_[i] = ix.table;
  }

  void index_hazards(Draft& d, const QualName& t, const std::string& what, bool unique) {
    reads_table(d, t,
                what + " reads every row of " + t.str() +
                    " and builds the index online (fast reorg, tidb_ddl_enable_fast_reorg: needs "
                    "local temp-dir space within tidb_ddl_disk_quota); reads and writes continue");
    if (unique && existing(t))
      d.step.hazards.push_back({HazardType::AppCompat, "A duplicate in " + t.str() +
                                                           " fails the job, which rolls "
                                                           "back: look for duplicates "
                                                           "first, and from this step on "
                                                           "writes must keep it unique."});
  }

  void add_constraint(size_t ci, const differ::AddConstraint& a) {
    const auto& ch = cs_.changes[ci];
    const schema::Constraint& k = a.obj;
    if (k.kind == ConstraintKind::Unique || k.kind == ConstraintKind::PrimaryKey) {
      std::string op = k.kind == ConstraintKind::Unique ? "add_unique" : "add_primary_key";
      size_t i = push(ci, Phase::Expand, table_alter(a.table) + add_constraint_clause(k), "",
                      rank::kIndex, a.table.str());
      Draft& d = drafts_[i];
      expand_keys(d, ch);
      d.creates.push_back(differ::key::rel({a.table.schema, a.table.name + "." + k.name}));
      differ_hazards(d, ch);
      tag(d, op);
      index_hazards(d, a.table,
                    (k.kind == ConstraintKind::Unique ? "ADD UNIQUE " : "ADD PRIMARY KEY ") +
                        quote_ident(k.name),
                    true);
      index_table_[i] = a.table;
      return;
    }
    if (k.kind == ConstraintKind::ForeignKey) {
      entry("add_foreign_key", describe(ch));  // refused before 8.5
      // After a backfill of one of its columns: in the contract phase.
      bool after_backfill = false;
      for (const auto& col : k.columns) after_backfill |= backfilled_.count({a.table, col}) > 0;
      size_t i =
          push(ci, after_backfill ? Phase::Contract : Phase::Expand,
               table_alter(a.table) + add_constraint_clause(k), "", rank::kFk, a.table.str());
      Draft& d = drafts_[i];
      expand_keys(d, ch);
      differ_hazards(d, ch);
      d.objects.push_back("table " + k.ref_table.str());
      tag(d, "add_foreign_key");
      reads_table(d, a.table,
                  "TiDB checks every row of " + a.table.str() + " against " + k.ref_table.str() +
                      " before the key is public; a missing parent fails the job, which rolls "
                      "back");
      d.step.hazards.push_back(
          {HazardType::AppCompat,
           "From this step on, writes to " + a.table.str() + " must reference existing rows of " +
               k.ref_table.str() +
               " (TiDB enforces the key only while foreign_key_checks is ON)."});
      fk_table_[i] = a.table;
      return;
    }
    m_.at("add_check", in_.version);  // no entry: UnsupportedError naming it
    throw UnsupportedError(describe(ch) + ": CHECK constraints are not planned for TiDB");
  }

  void drop_constraint(size_t ci, const differ::DropConstraint& c) {
    const auto& k = c.obj;
    if (k.kind == ConstraintKind::Unique) {
      std::vector<std::string> objects{"ix:" + k.name};
      for (const auto& col : k.columns) objects.push_back("col:" + col);
      drop(ci, c.table, table_alter(c.table) + drop_index_clause(k.name), "drop_index",
           rank::kDropIndex, objects, true);
      return;
    }
    if (k.kind == ConstraintKind::PrimaryKey)
      throw UnsupportedError(describe(cs_.changes[ci]) +
                             ": TiDB cannot drop a CLUSTERED primary key and seam cannot tell "
                             "the kind from the catalog; do it by hand (a NONCLUSTERED key drops "
                             "with ALTER TABLE ... DROP PRIMARY KEY)");
    m_.at(k.kind == ConstraintKind::ForeignKey ? "drop_foreign_key" : "drop_check", in_.version);
    throw UnsupportedError(describe(cs_.changes[ci]) + ": not planned for TiDB yet");
  }
};

// The order and final phase of every draft: a first assembly whose step ids
// carry the draft's index ("d<i>").
std::vector<std::pair<size_t, Phase>> probe(const std::vector<Draft>& drafts,
                                            const planner::Plan& header) {
  std::vector<Draft> copy = drafts;
  for (size_t i = 0; i < copy.size(); ++i) copy[i].slug = "d" + std::to_string(i);
  planner::Plan p = planner::assemble(std::move(copy), header);
  std::vector<std::pair<size_t, Phase>> out;
  for (const auto& s : p.steps)
    if (s.kind != planner::StepKind::Checkpoint)
      out.emplace_back(std::stoul(s.id.substr(s.id.rfind("-d") + 2)), s.phase);
  return out;
}

// Folds runs of neighbouring instant clauses of one table and phase, each on
// another column or index, into one multi-schema change (TiDB 6.2+).
std::vector<Draft> fold(std::vector<Draft> drafts,
                        const std::vector<std::optional<Clause>>& clauses,
                        const planner::Plan& header, const compat::Entry* msc,
                        const std::string& unverified_multi) {
  if (!msc || msc->strategy == "unsupported" || msc->strategy == "refuse") return drafts;
  std::vector<Phase> phase(drafts.size());
  std::vector<size_t> order;
  for (const auto& [i, ph] : probe(drafts, header)) {
    order.push_back(i);
    phase[i] = ph;
  }
  std::vector<std::vector<size_t>> runs;
  for (size_t i : order) {
    bool joins = false;
    if (!runs.empty() && clauses[i]) {
      size_t head = runs.back().front();
      if (clauses[head] && clauses[head]->table == clauses[i]->table && phase[head] == phase[i]) {
        joins = true;
        for (size_t r : runs.back())
          for (const auto& o : clauses[i]->objects)
            joins = joins && !std::count(clauses[r]->objects.begin(), clauses[r]->objects.end(), o);
      }
    }
    if (joins)
      runs.back().push_back(i);
    else
      runs.push_back({i});
  }
  std::vector<size_t> into(drafts.size());
  std::vector<bool> gone(drafts.size(), false);
  for (size_t i = 0; i < drafts.size(); ++i) into[i] = i;
  for (const auto& run : runs) {
    if (run.size() < 2) continue;
    size_t head = *std::min_element(run.begin(), run.end());
    Draft d;
    d.step.phase = phase[run.front()];
    d.step.op = "multi_schema_change";
    d.step.transactional = false;
    std::string sql = table_alter(clauses[run.front()]->table);
    sql.pop_back();
    std::set<std::pair<int, std::string>> hazards;
    for (size_t k = 0; k < run.size(); ++k) {
      const Draft& x = drafts[run[k]];
      sql += std::string(k ? "," : "") + "\n  " + clauses[run[k]]->clause;
      d.step.change += (k ? "; " : "") + x.step.change;
      d.step.rewrite = d.step.rewrite || x.step.rewrite;
      d.step.scan = d.step.scan || x.step.scan;
      for (const auto& h : x.step.hazards)
        if (hazards.insert({static_cast<int>(h.type), h.message}).second)
          d.step.hazards.push_back(h);
      add_keys(d.creates, x.creates);
      add_keys(d.drops, x.drops);
      add_keys(d.alters, x.alters);
      add_keys(d.needs, x.needs);
      add_keys(d.old_needs, x.old_needs);
      add_keys(d.objects, x.objects);
      gone[run[k]] = run[k] != head;
      into[run[k]] = head;
    }
    if (!msc->verified) d.step.hazards.push_back({HazardType::DialectUnverified, unverified_multi});
    d.step.sql = sql + ";\n";
    d.slug = "multi-schema change " + clauses[run.front()]->table.str();
    d.rank = drafts[run.front()].rank;
    d.name = drafts[run.front()].name;
    drafts[head] = std::move(d);
  }
  // Renumber the survivors and their chain edges.
  std::vector<size_t> index(drafts.size());
  std::vector<Draft> out;
  for (size_t i = 0; i < drafts.size(); ++i)
    if (!gone[i]) {
      index[i] = out.size();
      out.push_back(std::move(drafts[i]));
    }
  for (auto& d : out) {
    std::set<size_t> after;
    for (size_t a : d.after) after.insert(index[into[a]]);
    d.after.assign(after.begin(), after.end());
  }
  return out;
}

}  // namespace

planner::Plan plan_tidb(const differ::ChangeSet& cs, const schema::Catalog& from,
                        const schema::Catalog& to, const TidbPlanInput& in) {
  planner::Plan header;
  header.seam_version = in.seam_version;
  header.dialect = "tidb";
  header.server_version = in.server_version.empty() ? in.version.str() : in.server_version;
  header.source_fingerprint = in.source_fingerprint;
  header.desired_fingerprint = in.desired_fingerprint;
  header.throttle = in.throttle;

  Planner p(cs, from, to, in);
  p.run();
  std::vector<Draft> drafts = std::move(p.drafts());
  if (drafts.empty()) return planner::assemble({}, header);
  const compat::Matrix& m = in.matrix ? *in.matrix : compat::builtin("tidb");
  std::string unverified_multi;
  if (m.find("multi_schema_change", in.version))
    unverified_multi =
        "compat-matrix/tidb.yaml says several changes in one ALTER TABLE (multi_schema_change, "
        "TiDB 6.2+) run as one atomic job on TiDB " +
        in.version.str() +
        ", from documentation only; seam has not measured it. To verify, run the statement on "
        "a scratch TiDB " +
        in.version.str() +
        " cluster and read `ADMIN SHOW DDL JOBS` (one job of type \"alter table multi-schema "
        "change\"); `seam compat --dialect tidb` shows the entry and its source.";
  drafts = fold(std::move(drafts), p.clauses(), header, m.find("multi_schema_change", in.version),
                unverified_multi);
  return planner::assemble(std::move(drafts), header);
}

std::map<std::string, TableSize> table_sizes(Connection& c, const std::string& database,
                                             const std::string& as_schema) {
  std::map<std::string, TableSize> out;
  for (const auto& r :
       c.query("SELECT TABLE_NAME, TABLE_ROWS, DATA_LENGTH FROM "
               "information_schema.TABLES WHERE TABLE_SCHEMA = " +
               c.quote_literal(database) + " AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME")) {
    TableSize s;
    s.rows = r.at(1) ? std::stoll(*r.at(1)) : 0;
    s.bytes = r.at(2) ? std::stoll(*r.at(2)) : 0;
    out[as_schema + "." + r.at(0).value_or("")] = s;
  }
  return out;
}

}  // namespace seam::mysql
