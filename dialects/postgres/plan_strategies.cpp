// make_plan: every change of the ChangeSet becomes draft steps by its online
// strategy (docs/planner.md), then planner::assemble orders them. Strategy
// choice depends on the change, the catalogs and the matrix entry for the
// target version; pg_class statistics only feed estimates and messages.
#include <algorithm>
#include <cstdio>
#include <optional>
#include <set>
#include <type_traits>

#include "dialects/postgres/plan.hpp"
#include "dialects/postgres/render_change.hpp"
#include "dialects/postgres/render_create.hpp"
#include "dialects/postgres/render_util.hpp"
#include "differ/deps.hpp"
#include "planner/assemble.hpp"
#include "schema/canon.hpp"
#include "schema/errors.hpp"
#include "schema/name_scan.hpp"

namespace seam::pg {

using namespace render_detail;
using planner::Draft;
using planner::HazardType;
using planner::Phase;
using schema::QualName;
using schema::quote_ident;
using schema::quote_literal;
using schema::quote_qual;
constexpr size_t npos = static_cast<size_t>(-1);

// Is the default expression volatile (evaluated per row)? Conservative: any
// function call except the stable clock functions counts as volatile, so an
// unknown function gets the backfill strategy, which is always safe.
bool volatile_default(const std::string& text) {
  static const std::set<std::string> stable = {"now",
                                               "transaction_timestamp",
                                               "statement_timestamp",
                                               "current_date",
                                               "current_timestamp",
                                               "localtimestamp",
                                               "current_time",
                                               "localtime"};
  bool in_str = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\'') {
      in_str = !in_str;
      continue;
    }
    if (in_str || c != '(') continue;
    size_t e = i;
    while (e > 0 && text[e - 1] == ' ') --e;
    size_t b = e;
    while (b > 0 && (std::isalnum(static_cast<unsigned char>(text[b - 1])) || text[b - 1] == '_' ||
                     text[b - 1] == '.' || text[b - 1] == '"'))
      --b;
    if (b == e) continue;  // a parenthesis, not a call
    // A type modifier after a cast ("::numeric(10,2)", "::character varying(5)").
    size_t k = b;
    while (k > 0 && text[k - 1] == ' ') --k;
    std::string word = text.substr(b, e - b);
    if (k >= 2 && text.compare(k - 2, 2, "::") == 0) continue;
    if (k >= 11 && text.compare(k - 11, 11, "::character") == 0) continue;
    if (k >= 5 && text.compare(k - 5, 5, "::bit") == 0) continue;
    std::string lower;
    for (char x : word) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(x)));
    if (lower.rfind("pg_catalog.", 0) == 0) lower = lower.substr(11);
    if (lower == "varying" || lower == "precision" || stable.count(lower)) continue;
    return true;
  }
  return false;
}

namespace {

std::string unq(const QualName& n) {
  return n.schema + "." + n.name;
}

void add_keys(std::vector<std::string>& dst, const std::vector<std::string>& src) {
  dst.insert(dst.end(), src.begin(), src.end());
}

// The tie-break name (as render_script.cpp): new columns and enum labels keep their order.
std::string tie_name(const differ::Change& ch) {
  char buf[16];
  if (auto* a = std::get_if<differ::AddEnumValue>(&ch.op)) {
    std::snprintf(buf, sizeof buf, "%06d", a->seq);
    return "add enum value to " + a->new_obj.name.str() + " #" + buf;
  }
  if (auto* a = std::get_if<differ::AddColumn>(&ch.op)) {
    std::snprintf(buf, sizeof buf, "%06d", a->seq);
    return "add column to " + a->table.str() + " #" + buf;
  }
  return differ::describe(ch);
}

// The object a change touches, for the summary.
std::string object_of(const differ::Change& ch) {
  return std::visit(
      [](const auto& c) -> std::string {
        using T = std::decay_t<decltype(c)>;
        if constexpr (requires { c.table; }) {
          if constexpr (std::is_same_v<decltype(c.table), const QualName>)
            return "table " + c.table.str();
        }
        if constexpr (std::is_same_v<T, differ::SetComment>)
          return c.target.name.str();
        else if constexpr (requires { c.obj.name; }) {
          if constexpr (std::is_same_v<std::decay_t<decltype(c.obj.name)>, std::string>)
            return quote_ident(c.obj.name);
          else
            return c.obj.name.str();
        } else if constexpr (requires { c.new_obj.name; }) {
          if constexpr (std::is_same_v<std::decay_t<decltype(c.new_obj.name)>, std::string>)
            return quote_ident(c.new_obj.name);
          else
            return c.new_obj.name.str();
        }
        return differ::describe(differ::Change{c, {}, {}, {}});
      },
      ch.op);
}

template <class T>
constexpr bool is_pure_drop =
    std::is_same_v<T, differ::DropSchema> || std::is_same_v<T, differ::DropExtension> ||
    std::is_same_v<T, differ::DropType> || std::is_same_v<T, differ::DropSequence> ||
    std::is_same_v<T, differ::DropTable> || std::is_same_v<T, differ::DropColumn> ||
    std::is_same_v<T, differ::DropConstraint> || std::is_same_v<T, differ::DropPolicy> ||
    std::is_same_v<T, differ::DropIndex> || std::is_same_v<T, differ::DropView> ||
    std::is_same_v<T, differ::DropFunction> || std::is_same_v<T, differ::DropTrigger>;

// Drops whose old form depends on other objects that later alterations need
// gone first (views, triggers, policies, constraints, functions): they keep
// every old_needs key. Others keep only keys another step drops.
template <class T>
constexpr bool is_dependent_drop =
    std::is_same_v<T, differ::DropView> || std::is_same_v<T, differ::DropTrigger> ||
    std::is_same_v<T, differ::DropPolicy> || std::is_same_v<T, differ::DropConstraint> ||
    std::is_same_v<T, differ::DropFunction>;

std::string alter_table(const QualName& t) {
  return "ALTER TABLE " + quote_qual(t) + " ";
}
std::string alter_column(const QualName& t, const std::string& c) {
  return alter_table(t) + "ALTER COLUMN " + quote_ident(c) + " ";
}

int type_mod(const std::string& t, size_t i = 0) {
  auto p = t.find('(');
  if (p == std::string::npos) return -1;
  std::string inner = t.substr(p + 1, t.find(')') - p - 1);
  if (i == 0) return std::atoi(inner.c_str());
  auto comma = inner.find(',');
  return comma == std::string::npos ? 0 : std::atoi(inner.substr(comma + 1).c_str());
}

std::string type_base(const std::string& t) {
  return trim(t.substr(0, t.find('(')));
}

// Type changes PostgreSQL makes without a rewrite (ALTER TABLE notes).
bool binary_coercible(const schema::Column& a, const schema::Column& b) {
  if (a.collation != b.collation) return false;
  const std::string &x = a.type, &y = b.type;
  if (x.find('[') != std::string::npos || y.find('[') != std::string::npos) return false;
  std::string bx = type_base(x), by = type_base(y);
  if (bx == "character varying" && (y == "text" || y == "character varying")) return true;
  if (bx == "character varying" && by == "character varying")
    return type_mod(x) >= 0 && type_mod(y) >= type_mod(x);
  if (x == "text" && y == "character varying") return true;
  if (bx == "numeric" && y == "numeric") return true;
  if (bx == "numeric" && by == "numeric")
    return type_mod(x) >= 0 && type_mod(y) >= type_mod(x) && type_mod(x, 1) == type_mod(y, 1);
  if (bx == "bit varying" && by == "bit varying")
    return type_mod(x) >= 0 && type_mod(y) >= type_mod(x);
  return false;
}

bool blocks_traffic(const std::string& mode) {
  return mode == "ACCESS EXCLUSIVE" || mode == "EXCLUSIVE" || mode == "SHARE ROW EXCLUSIVE" ||
         mode == "SHARE";
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", s);
  return buf;
}

class Planner {
 public:
  Planner(const differ::ChangeSet& cs, const schema::Catalog& from, const schema::Catalog& to,
          const PlanInput& in)
      : cs_(cs), from_(from), to_(to), in_(in) {
    for (const auto& ch : cs.changes)
      if (auto* a = std::get_if<differ::AddTable>(&ch.op)) new_tables_.insert(a->obj.name);
    for (const auto& ch : cs.changes)
      for (const auto& k : ch.deps.drops) dropped_keys_.insert(k);
  }

  std::vector<Draft> run() {
    // Views recreated inside a shadow-column swap are not planned on their own.
    for (size_t i = 0; i < cs_.changes.size(); ++i)
      if (auto* a = std::get_if<differ::AlterColumnType>(&cs_.changes[i].op); a && shadowed(i, *a))
        for (size_t v : swap_views(a->table)) absorbed_.insert(v);
    for (size_t i = 0; i < cs_.changes.size(); ++i)
      if (!absorbed_.count(i)) plan_change(i);
    follow_contract_regenerations();
    return std::move(out_);
  }

 private:
  const differ::ChangeSet& cs_;
  const schema::Catalog& from_;
  const schema::Catalog& to_;
  const PlanInput& in_;
  std::set<QualName> new_tables_;
  std::set<std::string> dropped_keys_;
  std::set<size_t> absorbed_;  // ReplaceView changes run inside a swap
  std::vector<Draft> out_;

  // ---- statistics ------------------------------------------------------------------
  const TableStats* stats(const QualName& t) const {
    auto it = in_.stats.find(unq(t));
    return it == in_.stats.end() ? nullptr : &it->second;
  }
  bool existing(const QualName& t) const {
    return !new_tables_.count(t) && (from_.find_table(t) || from_.views.count(t));
  }
  double scan_seconds(const QualName& t) const {
    const auto* s = stats(t);
    return s && s->relpages > 0 ? static_cast<double>(s->relpages) * 8192.0 / kScanBytesPerSecond
                                : 0;
  }
  int64_t est_rows(const QualName& t) const {
    const auto* s = stats(t);
    if (!s) return 0;
    if (s->reltuples >= 0) return static_cast<int64_t>(s->reltuples);
    return std::max<int64_t>(0, s->relpages) * 60;  // never analyzed: ~60 narrow rows per 8 kB page
  }
  std::string size_note(const QualName& t) const {
    const auto* s = stats(t);
    if (!s) return "no statistics for " + t.str();
    if (s->reltuples < 0)
      return t.str() + " was never analyzed (" + std::to_string(s->relpages) + " pages, about " +
             std::to_string(est_rows(t)) + " rows assumed)";
    return t.str() + " has about " + std::to_string(est_rows(t)) + " rows in " +
           std::to_string(s->relpages) + " pages";
  }

  const compat::Entry* entry(const std::string& op) const {
    return in_.matrix && !op.empty() ? in_.matrix->find(op, in_.version) : nullptr;
  }

  // ---- drafts ------------------------------------------------------------------------
  Draft base(size_t ci, Phase ph, const std::string& op, std::string sql,
             const std::string& slug_suffix) {
    const auto& ch = cs_.changes[ci];
    Draft d;
    d.step.phase = ph;
    d.step.op = op;
    d.step.change = differ::describe(ch);
    d.step.sql = std::move(sql);
    d.slug = differ::describe(ch) + (slug_suffix.empty() ? "" : " " + slug_suffix);
    auto pieces = render_change(ch);
    d.rank = pieces.empty() ? 0 : pieces.front().rank;
    d.name = tie_name(ch);
    d.objects.push_back(object_of(ch));
    // No entry, or one taken from documentation without a measurement
    // (`verified: false`, e.g. in a matrix override): either way unverified.
    if (const compat::Entry* e = entry(op); !op.empty() && !e)
      d.step.hazards.push_back({HazardType::DialectUnverified,
                                "The compatibility matrix has no measured entry for " + op +
                                    " on PostgreSQL " + in_.version.str() +
                                    "; the lock and rewrite shown are seam's assumption."});
    else if (e && !e->verified)
      d.step.hazards.push_back({HazardType::DialectUnverified,
                                "The compatibility matrix entry for " + op + " on PostgreSQL " +
                                    in_.version.str() + " (" + e->versions() +
                                    ") is not verified (source: " + e->source +
                                    "); the lock and rewrite shown are not measured."});
    return d;
  }
  size_t push(Draft d, size_t after = npos) {
    if (after != npos) d.after.push_back(after);
    out_.push_back(std::move(d));
    return out_.size() - 1;
  }
  void lock(Draft& d, const std::string& mode, const QualName& t, double secs) {
    if (mode.empty() || mode == "none") return;
    d.step.locks.push_back({mode, unq(t), secs});
  }
  // A lock that blocks traffic while the table is scanned or rewritten.
  void blocking(Draft& d, const std::string& mode, const QualName& t, double secs,
                const std::string& why) {
    lock(d, mode, t, secs);
    d.step.hazards.push_back({HazardType::BlockingLock, "Holds " + mode + " on " + t.str() +
                                                            " for about " + seconds_text(secs) +
                                                            " s (" + size_note(t) + ")" +
                                                            (why.empty() ? "" : ": " + why) + "."});
  }
  void differ_hazards(Draft& d, const differ::Change& ch) {
    for (const auto& h : ch.hazards) {
      HazardType t = HazardType::AppCompat;
      switch (h.kind) {
        case differ::HazardKind::DataLoss:
          t = HazardType::DataLoss;
          break;
        case differ::HazardKind::MaybeRename:
          t = HazardType::MaybeRename;
          break;
        case differ::HazardKind::RecreatesType:
          t = HazardType::TableRewrite;
          break;
        case differ::HazardKind::Recreated:
          t = HazardType::AppCompat;
          break;
      }
      d.step.hazards.push_back({t, h.message});
    }
  }
  void not_transactional(Draft& d, const std::string& what) {
    d.step.transactional = false;
    d.step.hazards.push_back({HazardType::NotTransactional, what});
  }

  // Keys of an expand-side draft (the change's creates/needs/alters).
  static void expand_keys(Draft& d, const differ::Change& ch) {
    add_keys(d.creates, ch.deps.creates);
    add_keys(d.needs, ch.deps.needs);
    add_keys(d.alters, ch.deps.alters);
  }

  // Relations a table or column drop removes with it (its indexes, its key
  // constraints' indexes): a new object reusing one of those names must wait
  // for the drop, which then moves to that object's phase.
  std::vector<std::string> implicit_drops(const differ::Change& ch) const {
    std::vector<std::string> out;
    if (auto* d = std::get_if<differ::DropTable>(&ch.op)) {
      for (const auto& [n, ix] : from_.indexes)
        if (ix.table == d->obj.name) out.push_back(differ::key::rel(n));
      for (const auto& k : d->obj.constraints)
        if (k.kind == schema::ConstraintKind::PrimaryKey ||
            k.kind == schema::ConstraintKind::Unique || k.kind == schema::ConstraintKind::Exclude)
          out.push_back(differ::key::rel({d->obj.name.schema, k.name}));
    } else if (auto* c = std::get_if<differ::DropColumn>(&ch.op)) {
      for (const auto& [n, ix] : from_.indexes)
        if (ix.table == c->table && schema::index_mentions(ix, c->obj.name))
          out.push_back(differ::key::rel(n));
    }
    // An index (or key) of a partitioned table takes its partitions' indexes
    // with it, under names the model does not record: an index created on
    // one of those partitions waits for the drop ("partidx:" keys).
    auto parted = [&](const QualName& t) {
      for (const auto* p : partitions_of(t)) out.push_back("partidx:" + unq(p->name));
    };
    if (auto* d = std::get_if<differ::DropConstraint>(&ch.op);
        d && (d->obj.kind == schema::ConstraintKind::PrimaryKey ||
              d->obj.kind == schema::ConstraintKind::Unique ||
              d->obj.kind == schema::ConstraintKind::Exclude))
      out.push_back(differ::key::rel({d->table.schema, d->obj.name}));  // its index
    if (auto* d = std::get_if<differ::DropIndex>(&ch.op); d && partitioned(d->obj.table))
      parted(d->obj.table);
    if (auto* d = std::get_if<differ::DropConstraint>(&ch.op);
        d && partitioned(d->table) && d->obj.kind != schema::ConstraintKind::Check &&
        d->obj.kind != schema::ConstraintKind::ForeignKey)
      parted(d->table);
    return out;
  }

  // ---- the generic strategy: the differ's statements, one step each ---------------------
  template <class T>
  size_t direct(size_t ci, const T& c, const std::string& op, const std::vector<QualName>& tables) {
    const auto& ch = cs_.changes[ci];
    size_t prev = npos, first = npos;
    for (auto& p : render_change(ch)) {
      if (p.sql.empty()) continue;
      Phase ph = is_pure_drop<T> ? Phase::Contract : Phase::Expand;
      if constexpr (std::is_same_v<T, differ::AddFunction> ||
                    std::is_same_v<T, differ::ReplaceFunction>) {
        // As in seam diff's script: a body may read objects created by later
        // steps; the server checks it when it runs.
        if (p.part != ChangeSql::Drop) p.sql = "SET LOCAL check_function_bodies = false;\n" + p.sql;
      }
      Draft d = base(ci, ph, op, p.sql, "");
      d.rank = p.rank;
      const auto& dp = ch.deps;
      if (p.part != ChangeSql::Create) {
        add_keys(d.drops, dp.drops);
        if (!is_pure_drop<T> || is_dependent_drop<T>) {
          add_keys(d.old_needs, dp.old_needs);
        } else {
          for (const auto& k : dp.old_needs)
            if (dropped_keys_.count(k)) d.old_needs.push_back(k);
        }
      }
      if (p.part != ChangeSql::Drop) {
        if (is_pure_drop<T>) {
          add_keys(d.drops,
                   dp.alters);  // a dropped column "alters" its table: ordered among the drops only
        } else {
          add_keys(d.creates, dp.creates);
          add_keys(d.needs, dp.needs);
          if (p.part == ChangeSql::Alter) add_keys(d.alters, dp.alters);
        }
      }
      if constexpr (std::is_same_v<T, differ::DropTable> || std::is_same_v<T, differ::DropColumn> ||
                    std::is_same_v<T, differ::DropIndex> ||
                    std::is_same_v<T, differ::DropConstraint>)
        add_keys(d.drops, implicit_drops(ch));
      if constexpr (std::is_same_v<T, differ::AddIndex>)
        if (const auto* tb = from_.find_table(c.obj.table); tb && tb->partition_of)
          d.creates.push_back("partidx:" + unq(c.obj.table));
      if constexpr (std::is_same_v<T, differ::AddConstraint>)
        if (p.part != ChangeSql::Drop && (c.obj.kind == schema::ConstraintKind::PrimaryKey ||
                                          c.obj.kind == schema::ConstraintKind::Unique ||
                                          c.obj.kind == schema::ConstraintKind::Exclude))
          d.creates.push_back(differ::key::rel(
              {c.table.schema, c.obj.name}));  // its index, named as the constraint
      if (first == npos) differ_hazards(d, ch);
      if constexpr (std::is_same_v<T, differ::DropColumn> || std::is_same_v<T, differ::DropTable> ||
                    std::is_same_v<T, differ::DropView> ||
                    std::is_same_v<T, differ::DropFunction> || std::is_same_v<T, differ::DropType>)
        d.step.hazards.push_back(
            {HazardType::AppCompat, "Old application code must no longer use " + object_of(ch) +
                                        " when this step runs (" + d.step.change + ")."});
      if (!op.empty() && !tables.empty())
        annotate(d, op, tables[0],
                 tables.size() > 1 ? std::optional<QualName>(tables[1]) : std::nullopt,
                 {"ACCESS EXCLUSIVE"});
      size_t idx = push(std::move(d), prev);
      if (first == npos) first = idx;
      prev = idx;
    }
    return prev;
  }

  // Locks, rewrite, scan and transactional of a step that runs the matrix
  // operation `op` on table t (and `other`, e.g. an FK's referenced table),
  // from the matrix entry for the version, or from `fb` (seam's assumption,
  // flagged dialect-unverified by base()) when there is none. Adds the
  // hazards those imply. A `refuse` entry stops the plan.
  struct Fallback {
    std::string lock, other_lock;
    bool rewrite = false, scan = false, transactional = true;
  };
  void annotate(Draft& d, const std::string& op, const QualName& t,
                const std::optional<QualName>& other, const Fallback& fb) {
    const auto* e = entry(op);
    if (e && e->strategy == "refuse")
      throw UnsupportedError(d.step.change + ": " + op + " is refused on PostgreSQL " +
                             in_.version.str() + ": " + e->notes);
    std::string mode = e ? e->lock : fb.lock, other_mode = e ? e->other_lock : fb.other_lock;
    bool rewrite = e ? e->rewrite : fb.rewrite, scan = e ? e->scan : fb.scan;
    bool transactional = e ? e->transactional : fb.transactional;
    d.step.rewrite = d.step.rewrite || rewrite;
    d.step.scan = d.step.scan || scan;
    if (!transactional && d.step.transactional)
      not_transactional(d, "Runs outside a transaction block (" + op +
                               "); a failure leaves the step half done" +
                               (d.step.on_failure.empty() ? "." : " until on_failure cleans up."));
    bool live = existing(t);
    double factor = rewrite ? 2 : scan ? (op.find("concurrently") != std::string::npos ? 2 : 1) : 0;
    double secs = live ? factor * scan_seconds(t) : 0;
    if (live && (rewrite || scan) && blocks_traffic(mode))
      blocking(d, mode, t, secs,
               rewrite ? "the table is rewritten while it is held"
                       : "the table is scanned while it is held");
    else
      lock(d, mode, t, secs);
    if (live && rewrite)
      d.step.hazards.push_back(
          {HazardType::TableRewrite, t.str() + " and its indexes are rewritten."});
    if (live && scan && !rewrite)
      d.step.hazards.push_back({HazardType::FullScan,
                                "Reads all of " + t.str() + " (" + size_note(t) + ")" +
                                    (blocks_traffic(mode) ? "." : "; reads and writes continue.")});
    if (other && !other_mode.empty()) lock(d, other_mode, *other, 0);
  }
  void annotate(Draft& d, const std::string& op, const QualName& t, const Fallback& fb) {
    annotate(d, op, t, std::nullopt, fb);
  }

  std::string strategy_of(const std::string& op, const std::string& dflt) const {
    const auto* e = entry(op);
    return e ? e->strategy : dflt;
  }

  // ---- dispatch ------------------------------------------------------------------------
  void plan_change(size_t ci) {
    const auto& ch = cs_.changes[ci];
    std::visit(
        [&](const auto& c) {
          using T = std::decay_t<decltype(c)>;
          using namespace differ;
          if constexpr (std::is_same_v<T, AddIndex>)
            add_index(ci, c);
          else if constexpr (std::is_same_v<T, DropIndex>)
            drop_index(ci, c);
          else if constexpr (std::is_same_v<T, AddConstraint>)
            add_constraint(ci, c);
          else if constexpr (std::is_same_v<T, SetNotNull>)
            set_not_null(ci, c);
          else if constexpr (std::is_same_v<T, AddColumn>)
            add_column(ci, c);
          else if constexpr (std::is_same_v<T, AlterColumnType>)
            alter_type(ci, c);
          else if constexpr (std::is_same_v<T, AlterColumnGenerated>)
            alter_generated(ci, c);
          else if constexpr (std::is_same_v<T, RenameColumn>)
            rename_column(ci, c);
          else if constexpr (std::is_same_v<T, AddEnumValue>)
            direct(ci, c, "add_enum_value", {});
          else if constexpr (std::is_same_v<T, AddTable>)
            direct(ci, c, "create_table", {c.obj.name});
          else if constexpr (std::is_same_v<T, DropColumn>)
            direct(ci, c, "drop_column", {c.table});
          else if constexpr (std::is_same_v<T, DropTable>)
            direct(ci, c, "drop_table", {c.obj.name});
          else if constexpr (std::is_same_v<T, SetDefault>)
            direct(ci, c, has_expr(c.new_obj.default_expr) ? "set_default" : "drop_default",
                   {c.table});
          else if constexpr (std::is_same_v<T, DropConstraint>)
            direct(ci, c,
                   c.obj.kind == schema::ConstraintKind::ForeignKey ? "drop_foreign_key"
                                                                    : "drop_constraint",
                   c.obj.kind == schema::ConstraintKind::ForeignKey
                       ? std::vector<QualName>{c.table, c.obj.ref_table}
                       : std::vector<QualName>{c.table});
          else if constexpr (std::is_same_v<T, AddTrigger>)
            direct(ci, c, "create_trigger", {c.obj.table});
          else if constexpr (std::is_same_v<T, DropTrigger>)
            direct(ci, c, "drop_trigger", {c.obj.table});
          else if constexpr (std::is_same_v<T, ReplaceView>)
            direct(ci, c, "replace_view", {c.new_obj.name});
          else if constexpr (std::is_same_v<T, AttachPartition>)
            attach_partition(ci, c);
          else if constexpr (std::is_same_v<T, DetachPartition>)
            detach_partition(ci, c);
          else if constexpr (std::is_same_v<T, RenameTable> || std::is_same_v<T, RenameView> ||
                             std::is_same_v<T, RenameSequence> || std::is_same_v<T, RenameType>) {
            size_t i = std::is_same_v<T, RenameTable>
                           ? direct(ci, c, "rename_table", {c.old_obj.name})
                           : direct(ci, c, "", {});
            if (i != npos)
              out_[i].step.hazards.push_back(
                  {HazardType::AppCompat,
                   "Old application code that uses the old name breaks when " +
                       out_[i].step.change + " runs."});
          } else if constexpr (std::is_same_v<T, RenameIndex>)
            direct(ci, c, "rename_index", {c.old_obj.table});
          else if constexpr (std::is_same_v<T, AlterIdentity>) {
            size_t i = direct(ci, c, "", {c.table});
            // ADD ... AS IDENTITY needs a NOT NULL column: after that column's NOT NULL strategy
            // (contract).
            if (i != npos && c.new_obj.identity && !c.old_obj.identity && !c.old_obj.not_null &&
                existing(c.table)) {
              out_[i].step.phase = Phase::Contract;
              out_[i].creates.clear();
              out_[i].alters.clear();
              out_[i].needs.push_back("nn:" + unq(c.table) + "." + c.new_obj.name);
            }
            if (i != npos) lock(out_[i], "ACCESS EXCLUSIVE", c.table, 0);
          } else if constexpr (std::is_same_v<T, RecreateEnum>) {
            // Every column of the type is converted through text: each table is rewritten.
            size_t i = direct(ci, c, "", {});
            if (i == npos) return;
            std::set<QualName> seen;
            for (const auto& u : c.uses)
              if (seen.insert(u.table).second && existing(u.table))
                blocking(out_[i], "ACCESS EXCLUSIVE", u.table, 2 * scan_seconds(u.table),
                         "its columns of type " + c.new_obj.name.str() +
                             " are converted, rewriting the table");
            if (!seen.empty()) out_[i].step.rewrite = true;
          } else if constexpr (std::is_same_v<T, AlterTable>) {
            size_t i = direct(ci, c, "", {});
            if (i == npos || !existing(c.new_obj.name)) return;
            if (c.old_obj.persistence != c.new_obj.persistence) {
              out_[i].step.rewrite = true;
              blocking(out_[i], "ACCESS EXCLUSIVE", c.new_obj.name,
                       2 * scan_seconds(c.new_obj.name),
                       "SET LOGGED / UNLOGGED rewrites the table");
              out_[i].step.hazards.push_back(
                  {HazardType::TableRewrite,
                   c.new_obj.name.str() + " and its indexes are rewritten."});
            } else {
              lock(out_[i], "ACCESS EXCLUSIVE", c.new_obj.name, 0);
            }
          } else
            direct(ci, c, "", {});
        },
        ch.op);
  }

  // ---- partitions ----------------------------------------------------------------------
  // The text between the parenthesis at `open` and its match (quotes respected).
  static std::optional<std::string> paren_body(const std::string& t, size_t open, size_t* end) {
    if (open >= t.size() || t[open] != '(') return std::nullopt;
    int depth = 0;
    bool q = false;
    for (size_t i = open; i < t.size(); ++i) {
      char c = t[i];
      if (c == '\'') q = !q;
      if (q) continue;
      if (c == '(') ++depth;
      if (c == ')' && --depth == 0) {
        *end = i;
        return t.substr(open + 1, i - open - 1);
      }
    }
    return std::nullopt;
  }
  static std::vector<std::string> split_top(const std::string& t) {
    std::vector<std::string> out;
    int depth = 0;
    bool q = false;
    std::string cur;
    for (char c : t) {
      if (c == '\'') q = !q;
      if (!q && c == '(') ++depth;
      if (!q && c == ')') --depth;
      if (!q && depth == 0 && c == ',') {
        out.push_back(trim(cur));
        cur.clear();
      } else {
        cur += c;
      }
    }
    out.push_back(trim(cur));
    return out;
  }

  // A CHECK expression equivalent to the partition bound of a one-column
  // RANGE or LIST key, so that ATTACH can skip its scan; nullopt otherwise
  // (hash, default, expressions, several columns).
  std::optional<std::string> bound_check(const schema::Table& parent,
                                         const schema::Table& part) const {
    const std::string key = trim(parent.partition_by.key.text);
    bool ident = !key.empty() && key.find_first_of(" ,()") == std::string::npos;
    if (key.size() > 2 && key.front() == '"' && key.back() == '"' &&
        key.find('"', 1) == key.size() - 1)
      ident = true;
    if (!ident) return std::nullopt;
    std::string b = trim(expr_text(part.partition_bound));
    size_t end = 0;
    if (parent.partition_by.strategy == "range" && b.rfind("FOR VALUES FROM ", 0) == 0) {
      auto lo = paren_body(b, 16, &end);
      if (!lo || b.compare(end + 1, 5, " TO (") != 0) return std::nullopt;
      auto hi = paren_body(b, end + 5, &end);
      if (!hi || split_top(*lo).size() != 1 || split_top(*hi).size() != 1) return std::nullopt;
      auto upper = [](std::string x) {
        for (auto& ch : x) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        return x;
      };
      std::string c = key + " IS NOT NULL";
      if (upper(trim(*lo)) != "MINVALUE") c += " AND " + key + " >= " + trim(*lo);
      if (upper(trim(*hi)) != "MAXVALUE") c += " AND " + key + " < " + trim(*hi);
      return c;
    }
    if (parent.partition_by.strategy == "list" && b.rfind("FOR VALUES IN ", 0) == 0) {
      auto in = paren_body(b, 14, &end);
      if (!in) return std::nullopt;
      std::vector<std::string> vals;
      bool null = false;
      for (const auto& v : split_top(*in)) {
        if (v == "NULL" || v == "null")
          null = true;
        else
          vals.push_back(v);
      }
      std::string list = key + " IN (" + join(vals, ", ") + ")";
      if (vals.empty()) return null ? std::optional<std::string>(key + " IS NULL") : std::nullopt;
      return null ? "(" + key + " IS NULL OR " + list + ")" : key + " IS NOT NULL AND " + list;
    }
    return std::nullopt;
  }

  // ATTACH PARTITION of an existing table without scanning it under ACCESS
  // EXCLUSIVE: a CHECK matching the bound, added NOT VALID and validated
  // (weak lock), makes the attach skip its scan; the check goes after.
  void attach_partition(size_t ci, const differ::AttachPartition& a) {
    const QualName& parent = *a.obj.partition_of;
    const auto* pt = to_.find_table(parent);
    std::optional<std::string> check;
    if (pt && existing(a.obj.name) && existing(parent) &&
        strategy_of("attach_partition", "online_attach") == "online_attach")
      check = bound_check(*pt, a.obj);
    if (!check) {
      size_t i = direct(ci, a, "attach_partition", {parent, a.obj.name});
      if (i != npos && existing(a.obj.name))
        out_[i].step.hazards.push_back(
            {HazardType::FullScan, "ATTACH PARTITION reads all of " + a.obj.name.str() + " (" +
                                       size_note(a.obj.name) +
                                       ") to check its bound; seam "
                                       "cannot pre-check this kind of bound."});
      return;
    }
    const auto& ch = cs_.changes[ci];
    const QualName& t = a.obj.name;
    std::string chk = make_object_name(t.name, "", "seam_bound");
    Draft d1 = base(ci, Phase::Expand, "add_check_not_valid",
                    alter_table(t) + "ADD CONSTRAINT " + quote_ident(chk) + " CHECK (" + *check +
                        ") NOT VALID;\n",
                    "bound check");
    add_keys(d1.needs, ch.deps.needs);
    annotate(d1, "add_check_not_valid", t, {"ACCESS EXCLUSIVE"});
    size_t i1 = push(std::move(d1));
    Draft d2 = base(ci, Phase::Expand, "validate_check",
                    alter_table(t) + "VALIDATE CONSTRAINT " + quote_ident(chk) + ";\n",
                    "validate bound check");
    annotate(d2, "validate_check", t, {"SHARE UPDATE EXCLUSIVE", "", false, true});
    size_t i2 = push(std::move(d2), i1);
    Draft d3 =
        base(ci, Phase::Expand, "attach_partition_prechecked", render_change(ch).front().sql, "");
    expand_keys(d3, ch);
    differ_hazards(d3, ch);
    annotate(d3, "attach_partition_prechecked", parent, t,
             {"SHARE UPDATE EXCLUSIVE", "ACCESS EXCLUSIVE"});
    for (const auto& [n, other] : from_.tables)
      if (other.partition_of && *other.partition_of == parent &&
          trim(expr_text(other.partition_bound)) == "DEFAULT")
        d3.step.hazards.push_back(
            {HazardType::FullScan,
             "The default partition " + n.str() + " is read (" + size_note(n) +
                 ") to check that none of its rows belong to " + t.str() + "."});
    size_t i3 = push(std::move(d3), i2);
    Draft d4 =
        base(ci, Phase::Expand, "drop_constraint",
             alter_table(t) + "DROP CONSTRAINT " + quote_ident(chk) + ";\n", "drop bound check");
    annotate(d4, "drop_constraint", t, {"ACCESS EXCLUSIVE"});
    push(std::move(d4), i3);
  }

  // ---- indexes ------------------------------------------------------------------------
  bool partitioned(const QualName& t) const {
    const auto* tb = from_.find_table(t);
    return tb && !tb->partition_by.strategy.empty();
  }

  void long_build(Draft& d, const QualName& t, const QualName& ix) {
    d.step.hazards.push_back(
        {HazardType::LongRunning, "Builds " + ix.str() + " with two scans of " + t.str() + " (" +
                                      size_note(t) + "); writes continue meanwhile."});
  }

  // CREATE [UNIQUE] INDEX CONCURRENTLY as its own step; on failure the INVALID index is dropped.
  Draft cic_draft(size_t ci, const schema::Index& ix, const std::string& slug, Phase ph) {
    std::string sql = create_sql(ix);
    sql.insert(sql.find("INDEX ") + 6, "CONCURRENTLY ");
    std::string op = ix.unique ? "create_unique_index_concurrently" : "create_index_concurrently";
    Draft d = base(ci, ph, op, sql, slug);
    d.step.on_failure = "DROP INDEX CONCURRENTLY IF EXISTS " + quote_qual(ix.name) + ";\n";
    // Only an INVALID index is this step's leftover: a valid one of that name
    // existed before (the build failed on the name) and must not be dropped.
    d.step.on_failure_if =
        "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_index WHERE indexrelid = "
        "pg_catalog.to_regclass(" +
        quote_literal(quote_qual(ix.name)) + ") AND NOT indisvalid);\n";
    annotate(d, op, ix.table, {"SHARE UPDATE EXCLUSIVE", "", false, true, false});
    long_build(d, ix.table, ix.name);
    return d;
  }

  void add_index(size_t ci, const differ::AddIndex& a) {
    const auto& ix = a.obj;
    if (!existing(ix.table)) {
      direct(ci, a, "", {});  // a new (empty) table or materialized view: plain CREATE INDEX
      return;
    }
    if (strategy_of("create_index", "concurrently") != "concurrently") {
      direct(ci, a, "create_index", {ix.table});
      return;
    }
    if (partitioned(ix.table)) {
      std::string why = partition_index_blocker(ix.table);
      if (why.empty()) {
        partitioned_index(ci, a);
        return;
      }
      size_t i = direct(ci, a, "create_index", {ix.table});
      if (i != npos)
        out_[i].step.hazards.push_back(
            {HazardType::BlockingLock,
             "CONCURRENTLY is not possible on partitioned table " + ix.table.str() +
                 " and seam cannot build its partitions' indexes one by one because " + why +
                 ": writes wait for the whole build."});
      return;
    }
    Draft d = cic_draft(ci, ix, "", Phase::Expand);
    expand_keys(d, cs_.changes[ci]);
    if (const auto* tb = from_.find_table(ix.table); tb && tb->partition_of)
      d.creates.push_back("partidx:" + unq(ix.table));
    differ_hazards(d, cs_.changes[ci]);
    size_t i = push(std::move(d));
    if (!ix.comment.empty()) {
      Draft c = base(ci, Phase::Expand, "", comment_sql(ix), "comment");
      c.rank = out_[i].rank;
      push(std::move(c), i);
    }
  }

  // The partitions of a partitioned table in `from`, in name order.
  std::vector<const schema::Table*> partitions_of(const QualName& parent) const {
    std::vector<const schema::Table*> out;
    for (const auto& [n, t] : from_.tables)
      if (t.partition_of && *t.partition_of == parent) out.push_back(&t);
    return out;
  }

  // Why the per-partition recipe does not apply ("" = it does).
  std::string partition_index_blocker(const QualName& parent) const {
    for (const auto* p : partitions_of(parent))
      if (!p->partition_by.strategy.empty())
        return "partition " + p->name.str() + " is itself partitioned";
    for (const auto& ch : cs_.changes) {
      bool hit = std::visit(
          [&](const auto& c) -> bool {
            using T = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<T, differ::AttachPartition> ||
                          std::is_same_v<T, differ::DetachPartition>)
              return c.obj.partition_of && *c.obj.partition_of == parent;
            else if constexpr (std::is_same_v<T, differ::AddTable> ||
                               std::is_same_v<T, differ::DropTable>)
              return c.obj.partition_of && *c.obj.partition_of == parent;
            else
              return false;
          },
          ch.op);
      if (hit) return "this plan also changes its partitions";
    }
    return "";
  }

  // A partitioned table's index without blocking writes: the parent's index
  // ON ONLY (invalid, no data), each partition's index CONCURRENTLY, then
  // ATTACH each; the parent's index becomes valid with the last attach.
  void partitioned_index(size_t ci, const differ::AddIndex& a) {
    const auto& ix = a.obj;
    const auto& ch = cs_.changes[ci];
    std::string sql = create_sql(ix);
    sql.insert(sql.find(" ON ") + 4, "ONLY ");
    Draft d = base(ci, Phase::Expand, "", sql, "on only");
    expand_keys(d, ch);
    differ_hazards(d, ch);
    lock(d, "SHARE", ix.table, 0);  // the parent holds no rows: brief
    size_t prev = push(std::move(d));
    for (const auto* p : partitions_of(ix.table)) {
      schema::Index pi = ix;
      pi.table = p->name;
      // "<partition>_<parent index>": not the server's automatic
      // "<partition>_<columns>_idx", which another index of the parent
      // created in this plan may already have taken.
      pi.name = {p->name.schema, make_object_name(p->name.name, ix.name.name, "")};
      pi.comment.clear();
      for (int n = 1; from_.has_relation(pi.name) || to_.has_relation(pi.name); ++n)
        pi.name.name = make_object_name(p->name.name, ix.name.name, std::to_string(n));
      size_t b = push(cic_draft(ci, pi, "partition " + p->name.name, Phase::Expand), prev);
      Draft at = base(
          ci, Phase::Expand, "",
          "ALTER INDEX " + quote_qual(ix.name) + " ATTACH PARTITION " + quote_qual(pi.name) + ";\n",
          "attach " + pi.name.name);
      lock(at, "SHARE UPDATE EXCLUSIVE", p->name, 0);
      prev = push(std::move(at), b);
    }
    if (!ix.comment.empty()) {
      Draft c = base(ci, Phase::Expand, "", comment_sql(ix), "comment");
      push(std::move(c), prev);
    }
  }

  // DETACH PARTITION ... CONCURRENTLY (14+) where the matrix says so: the
  // parent keeps serving reads and writes (SHARE UPDATE EXCLUSIVE) instead of
  // queueing everyone behind ACCESS EXCLUSIVE. PostgreSQL refuses it when the
  // parent has a DEFAULT partition, so that case stays the plain statement.
  // An interrupted concurrent detach leaves the partition "detach pending";
  // on_failure finishes it with FINALIZE, only when that is the state.
  void detach_partition(size_t ci, const differ::DetachPartition& a) {
    const QualName& parent = *a.obj.partition_of;
    const QualName& child = a.obj.name;
    bool has_default = false;  // now, or after this plan (an attach may run first)
    for (const auto* cat : {&from_, &to_})
      for (const auto& [n, t] : cat->tables)
        has_default = has_default || (t.partition_of && *t.partition_of == parent &&
                                      trim(expr_text(t.partition_bound)) == "DEFAULT");
    if (!existing(parent) || !existing(child) || has_default ||
        strategy_of("detach_partition_concurrently", "") != "concurrently") {
      direct(ci, a, "detach_partition", {parent, child});
      return;
    }
    const auto& ch = cs_.changes[ci];
    std::string detach = alter_table(parent) + "DETACH PARTITION " + quote_qual(child);
    Draft d =
        base(ci, Phase::Expand, "detach_partition_concurrently", detach + " CONCURRENTLY;\n", "");
    d.step.on_failure = detach + " FINALIZE;\n";
    d.step.on_failure_if =
        "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits WHERE inhrelid = "
        "pg_catalog.to_regclass(" +
        quote_literal(quote_qual(child)) + ") AND inhdetachpending);\n";
    add_keys(d.drops, ch.deps.drops);
    add_keys(d.old_needs, ch.deps.old_needs);
    expand_keys(d, ch);
    differ_hazards(d, ch);
    annotate(d, "detach_partition_concurrently", parent, child,
             {"SHARE UPDATE EXCLUSIVE", "SHARE UPDATE EXCLUSIVE", false, false, false});
    size_t at = push(std::move(d));
    // A concurrent detach leaves the partition bound behind as a CHECK
    // constraint with a server-chosen name. Any CHECK on the detached table
    // that neither catalog names is that one: drop it (catalog-only, brief
    // ACCESS EXCLUSIVE on a table no longer in the partitioned table).
    std::string keep;
    for (const auto* cat : {&from_, &to_})
      if (const auto* t = cat->find_table(child))
        for (const auto& k : t->constraints)
          if (k.kind == schema::ConstraintKind::Check)
            keep += (keep.empty() ? "" : ", ") + quote_literal(k.name);
    std::string rel = quote_literal(quote_qual(child));
    Draft drop = base(
        ci, Phase::Expand, "drop_constraint",
        "DO $seam$\nDECLARE c name;\nBEGIN\n  FOR c IN SELECT conname FROM "
        "pg_catalog.pg_constraint "
        "WHERE conrelid = " +
            rel + "::regclass AND contype = 'c'" +
            (keep.empty() ? "" : " AND conname <> ALL (ARRAY[" + keep + "]::name[])") +
            " ORDER BY conname LOOP\n    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', " +
            rel + "::regclass, c);\n  END LOOP;\nEND $seam$;\n",
        "bound check");
    expand_keys(drop, ch);
    drop.creates.clear();
    annotate(drop, "drop_constraint", child, {"ACCESS EXCLUSIVE", "", false, false, true});
    push(std::move(drop), at);
  }

  void drop_index(size_t ci, const differ::DropIndex& a) {
    const auto& ix = a.obj;
    if (!existing(ix.table) || partitioned(ix.table) || !from_.find_table(ix.table) ||
        strategy_of("drop_index", "concurrently") != "concurrently") {
      // Its table is replaced, or a partitioned index (CONCURRENTLY cannot drop those).
      direct(ci, a, "drop_index", {ix.table});
      return;
    }
    const auto& ch = cs_.changes[ci];
    Draft d = base(ci, Phase::Contract, "drop_index_concurrently",
                   "DROP INDEX CONCURRENTLY " + quote_qual(ix.name) + ";\n", "");
    add_keys(d.drops, ch.deps.drops);
    add_keys(d.old_needs, ch.deps.old_needs);
    differ_hazards(d, ch);
    annotate(d, "drop_index_concurrently", ix.table,
             {"SHARE UPDATE EXCLUSIVE", "", false, false, false});
    push(std::move(d));
  }

  // ---- constraints ---------------------------------------------------------------------
  void add_constraint(size_t ci, const differ::AddConstraint& a) {
    using K = schema::ConstraintKind;
    const auto& k = a.obj;
    const auto& ch = cs_.changes[ci];
    if (!existing(a.table)) {
      // New table: empty, the plain statement is instant. An FK still locks
      // its referenced table briefly.
      size_t i = direct(ci, a, "", {});
      if (k.kind == K::ForeignKey && i != npos)
        lock(out_[i], "SHARE ROW EXCLUSIVE", k.ref_table, 0);
      return;
    }
    schema::Table tn;
    tn.name = a.table;
    std::optional<QualName> ref;
    if (k.kind == K::ForeignKey) ref = k.ref_table;
    if (k.kind == K::ForeignKey && partitioned(a.table) && in_.version.major < 18) {
      // NOT VALID foreign keys on partitioned tables arrive in 18.
      size_t i = direct(ci, a, "add_foreign_key", {a.table, k.ref_table});
      if (i != npos)
        out_[i].step.hazards.push_back(
            {HazardType::BlockingLock,
             "PostgreSQL " + in_.version.str() +
                 " cannot add a NOT VALID foreign key to partitioned table " + a.table.str() +
                 ": it is added and checked at once."});
      return;
    }
    if ((k.kind == K::Check || k.kind == K::ForeignKey) &&
        strategy_of(k.kind == K::Check ? "add_check" : "add_foreign_key", "not_valid_validate") ==
            "not_valid_validate") {
      bool chk = k.kind == K::Check;
      schema::Constraint nv = k;
      nv.not_valid = true;
      std::string sql = add_constraint_sql(tn, nv);
      if (!k.comment.empty()) sql += comment_sql(tn, k);
      std::string op1 = chk ? "add_check_not_valid" : "add_foreign_key_not_valid";
      Draft d = base(ci, Phase::Expand, op1, sql, "not valid");
      expand_keys(d, ch);
      differ_hazards(d, ch);
      annotate(
          d, op1, a.table, ref,
          {chk ? "ACCESS EXCLUSIVE" : "SHARE ROW EXCLUSIVE", chk ? "" : "SHARE ROW EXCLUSIVE"});
      d.step.hazards.push_back({HazardType::AppCompat,
                                "From this step on, writes to " + a.table.str() + " must satisfy " +
                                    quote_ident(k.name) + " (existing rows are checked later)."});
      size_t first = push(std::move(d));
      if (k.not_valid) return;  // the desired constraint is NOT VALID itself
      // VALIDATE in contract: after every backfill (a foreign key over
      // backfilled values, a check over new columns) and once old code, which
      // may still write violating rows, is gone.
      std::string op2 = chk ? "validate_check" : "validate_foreign_key";
      Draft v = base(ci, Phase::Contract, op2,
                     alter_table(a.table) + "VALIDATE CONSTRAINT " + quote_ident(k.name) + ";\n",
                     "validate");
      v.needs.push_back(differ::key::con(a.table, k.name));
      annotate(v, op2, a.table, ref,
               {"SHARE UPDATE EXCLUSIVE", chk ? "" : "ROW SHARE", false, true});
      push(std::move(v), first);
      return;
    }
    if ((k.kind == K::PrimaryKey || k.kind == K::Unique) && !partitioned(a.table) &&
        strategy_of(k.kind == K::PrimaryKey ? "add_primary_key" : "add_unique",
                    "unique_index_then_constraint") == "unique_index_then_constraint") {
      schema::Index ix;
      ix.name = {a.table.schema, k.name};
      ix.table = a.table;
      ix.unique = true;
      ix.nulls_not_distinct = k.nulls_not_distinct;
      for (const auto& c : k.columns) {
        schema::IndexElem e;
        e.column = c;
        ix.elems.push_back(e);
      }
      ix.include = k.include;
      Draft d0 = cic_draft(ci, ix, "unique index", Phase::Expand);
      add_keys(d0.needs, ch.deps.needs);
      d0.creates.push_back(differ::key::rel(ix.name));
      differ_hazards(d0, ch);
      size_t first = push(std::move(d0));
      // PRIMARY KEY USING INDEX needs NOT NULL columns, or it scans under ACCESS EXCLUSIVE.
      std::vector<std::string> nn_needed;
      if (k.kind == K::PrimaryKey)
        if (const auto* t = from_.find_table(a.table))
          for (const auto& c : k.columns)
            if (const auto* col = t->find_column(c); col && !col->not_null) nn_needed.push_back(c);
      std::string sql = alter_table(a.table) + "ADD CONSTRAINT " + quote_ident(k.name) +
                        (k.kind == K::PrimaryKey ? " PRIMARY KEY" : " UNIQUE") + " USING INDEX " +
                        quote_ident(k.name);
      if (k.deferrable) sql += " DEFERRABLE";
      if (k.initially_deferred) sql += " INITIALLY DEFERRED";
      sql += ";\n";
      if (!k.comment.empty()) sql += comment_sql(tn, k);
      Draft d = base(ci, nn_needed.empty() ? Phase::Expand : Phase::Contract,
                     "add_constraint_using_index", sql, "using index");
      if (nn_needed.empty())
        expand_keys(d, ch);
      else
        d.creates.push_back(differ::key::con(a.table, k.name));
      for (const auto& c : nn_needed) d.needs.push_back("nn:" + unq(a.table) + "." + c);
      d.needs.push_back(differ::key::rel(ix.name));
      annotate(d, "add_constraint_using_index", a.table, {"ACCESS EXCLUSIVE"});
      push(std::move(d), first);
      return;
    }
    // EXCLUDE, or a key on a partitioned table: the plain statement.
    size_t i = direct(ci, a, "", {});
    if (i != npos) {
      blocking(out_[i], "ACCESS EXCLUSIVE", a.table, scan_seconds(a.table),
               "the constraint's index is built or its rows checked while the table is locked (no "
               "online path for "
               "this constraint here)");
      out_[i].step.scan = true;
    }
  }

  // SET NOT NULL without a scan under ACCESS EXCLUSIVE, by the version's
  // matrix strategy; every step in contract (old code may write NULLs until
  // then). The last step creates the key "nn:schema.table.column".
  size_t not_null_chain(size_t ci, const QualName& t, const std::string& col, size_t after) {
    std::string nn_key = "nn:" + unq(t) + "." + col;
    if (strategy_of("set_not_null", "check_not_valid_then_set_not_null") == "not_null_not_valid") {
      // PostgreSQL 18: a NOT NULL constraint added NOT VALID, then validated
      // (named as the server names it, so the result equals a plain SET NOT NULL).
      std::string name = make_object_name(t.name, col, "not_null");
      Draft a = base(ci, Phase::Contract, "add_not_null_not_valid",
                     alter_table(t) + "ADD CONSTRAINT " + quote_ident(name) + " NOT NULL " +
                         quote_ident(col) + " NOT VALID;\n",
                     "not null not valid " + col);
      annotate(a, "add_not_null_not_valid", t, {"ACCESS EXCLUSIVE"});
      a.needs.push_back(differ::key::rel(t));
      size_t i = push(std::move(a), after);
      Draft v = base(ci, Phase::Contract, "validate_not_null",
                     alter_table(t) + "VALIDATE CONSTRAINT " + quote_ident(name) + ";\n",
                     "validate not null " + col);
      annotate(v, "validate_not_null", t, {"SHARE UPDATE EXCLUSIVE", "", false, true});
      v.creates.push_back(nn_key);
      return push(std::move(v), i);
    }
    std::string chk = make_object_name(t.name, col, "seam_nn");
    Draft a = base(ci, Phase::Contract, "add_check_not_valid",
                   alter_table(t) + "ADD CONSTRAINT " + quote_ident(chk) + " CHECK (" +
                       quote_ident(col) + " IS NOT NULL) NOT VALID;\n",
                   "check not valid " + col);
    annotate(a, "add_check_not_valid", t, {"ACCESS EXCLUSIVE"});
    a.needs.push_back(differ::key::rel(t));
    size_t i = push(std::move(a), after);
    Draft v = base(ci, Phase::Contract, "validate_check",
                   alter_table(t) + "VALIDATE CONSTRAINT " + quote_ident(chk) + ";\n",
                   "validate check " + col);
    annotate(v, "validate_check", t, {"SHARE UPDATE EXCLUSIVE", "", false, true});
    size_t j = push(std::move(v), i);
    Draft s = base(ci, Phase::Contract, "set_not_null_using_check",
                   alter_column(t, col) + "SET NOT NULL;\n" + alter_table(t) + "DROP CONSTRAINT " +
                       quote_ident(chk) + ";\n",
                   "set not null " + col);
    annotate(s, "set_not_null_using_check", t,
             {"ACCESS EXCLUSIVE"});  // no scan: the valid check proves it
    s.creates.push_back(nn_key);
    return push(std::move(s), j);
  }

  void set_not_null(size_t ci, const differ::SetNotNull& a) {
    if (!a.new_obj.not_null) {
      direct(ci, a, "drop_not_null", {a.table});
      return;
    }
    if (!existing(a.table)) {
      direct(ci, a, "", {});
      return;
    }
    size_t last = not_null_chain(ci, a.table, a.new_obj.name, npos);
    differ_hazards(out_[last], cs_.changes[ci]);
    out_[last].step.hazards.push_back(
        {HazardType::AppCompat, "From the contract phase on, writes to " + a.table.str() +
                                    " must not leave " + quote_ident(a.new_obj.name) + " NULL."});
  }

  // ---- columns -------------------------------------------------------------------------
  std::vector<std::string> primary_key(const QualName& t) const {
    if (const auto* tb = from_.find_table(t))
      for (const auto& k : tb->constraints)
        if (k.kind == schema::ConstraintKind::PrimaryKey) return k.columns;
    return {};
  }

  const schema::Table& to_table(const QualName& t) const {
    static const schema::Table none;
    const auto* tb = to_.find_table(t);
    return tb ? *tb : none;
  }

  void add_column(size_t ci, const differ::AddColumn& a) {
    const auto& c = a.obj;
    const auto& ch = cs_.changes[ci];
    bool has_default = has_expr(c.default_expr);
    bool vol = has_default && volatile_default(expr_text(*c.default_expr));
    if (!existing(a.table)) {
      direct(ci, a, "", {});
      return;
    }
    if (c.identity && !c.generated &&
        strategy_of("add_column_identity", "expand_backfill") == "expand_backfill" &&
        !primary_key(a.table).empty()) {
      add_identity_column(ci, a);
      return;
    }
    if (c.identity || c.generated) {
      // A stored generated column has no online path (and an identity column
      // none without a key to backfill by).
      std::string op = c.identity ? "add_column_identity" : "add_column_generated_stored";
      size_t i = direct(ci, a, op, {a.table});
      auto& d = out_[i];
      if (!d.step.rewrite) {
        d.step.rewrite = true;
        blocking(d, "ACCESS EXCLUSIVE", a.table, 2 * scan_seconds(a.table),
                 "every row gets a value while the table is rewritten");
        d.step.hazards.push_back(
            {HazardType::TableRewrite, a.table.str() + " and its indexes are rewritten."});
      }
      if (c.identity)
        d.step.hazards.push_back({HazardType::BlockingLock,
                                  a.table.str() + " has no primary key to backfill the new "
                                                  "identity column by; it is added directly."});
      return;
    }
    if (!vol) {
      std::string op = c.not_null && has_default ? "add_column_not_null_default"
                       : has_default             ? "add_column_constant_default"
                                                 : "add_column_nullable";
      size_t i = direct(ci, a, op, {a.table});
      if (c.not_null && !has_default)
        out_[i].step.hazards.push_back(
            {HazardType::AppCompat,
             "Adding NOT NULL column " + quote_ident(c.name) + " without a default fails when " +
                 a.table.str() + " has rows (" + size_note(a.table) +
                 "), and old code that inserts rows breaks; give it a default."});
      return;
    }
    // Volatile default: add nullable, default for new rows, backfill, then NOT NULL.
    schema::Column plain = c;
    plain.default_expr.reset();
    plain.not_null = false;
    plain.comment.clear();
    std::string sql =
        alter_table(a.table) + "ADD COLUMN " + column_def(to_table(a.table), plain) + ";\n";
    if (!c.comment.empty()) sql += comment_sql(to_table(a.table), c);
    Draft d1 = base(ci, Phase::Expand, "add_column_nullable", sql, "nullable");
    expand_keys(d1, ch);
    differ_hazards(d1, ch);
    annotate(d1, "add_column_nullable", a.table, {"ACCESS EXCLUSIVE"});
    size_t i1 = push(std::move(d1));
    Draft d2 = base(
        ci, Phase::Expand, "set_default",
        alter_column(a.table, c.name) + "SET DEFAULT " + b_expr(expr_text(*c.default_expr)) + ";\n",
        "default");
    d2.alters.push_back(differ::key::rel(a.table));
    add_keys(d2.needs, ch.deps.needs);
    annotate(d2, "set_default", a.table, {"ACCESS EXCLUSIVE"});
    size_t i2 = push(std::move(d2), i1);
    size_t i3 = backfill(ci, a.table, {{c.name, paren(expr_text(*c.default_expr))}},
                         quote_ident(c.name) + " IS NULL", "backfill " + c.name, i2);
    if (c.not_null) not_null_chain(ci, a.table, c.name, i3);
  }

  // A new identity column without a rewrite: a temporary sequence feeds a
  // plain column (default for new rows, batched backfill for old ones), NOT
  // NULL by the version's strategy, then in one transaction the default goes,
  // the column becomes an identity (catalog-only on a NOT NULL column) whose
  // sequence continues where the temporary one stopped, and that one is dropped.
  void add_identity_column(size_t ci, const differ::AddColumn& a) {
    const auto& c = a.obj;
    const auto& ch = cs_.changes[ci];
    const QualName& t = a.table;
    std::string type = (c.type == "smallint" || c.type == "integer" || c.type == "bigint")
                           ? c.type
                           : c.identity_seq.type;
    auto opts = sequence_option_clauses(c.identity_seq, type, false);
    QualName tmp{t.schema, make_object_name(t.name, c.name, "seam_seq")};
    schema::Column plain = c;
    plain.identity = 0;
    plain.default_expr.reset();
    plain.not_null = false;
    plain.comment.clear();
    std::string s1 = "CREATE SEQUENCE " + quote_qual(tmp) + " AS " + type +
                     (opts.empty() ? "" : " " + join(opts, " ")) + ";\n";
    s1 += alter_table(t) + "ADD COLUMN " + column_def(to_table(t), plain) + ";\n";
    if (!c.comment.empty()) s1 += comment_sql(to_table(t), c);
    Draft d1 = base(ci, Phase::Expand, "add_column_nullable", s1, "nullable");
    expand_keys(d1, ch);
    differ_hazards(d1, ch);
    annotate(d1, "add_column_nullable", t, {"ACCESS EXCLUSIVE"});
    size_t i1 = push(std::move(d1));
    std::string next = "nextval(" + quote_literal(quote_qual(tmp)) + "::regclass)";
    Draft d2 = base(ci, Phase::Expand, "set_default",
                    alter_column(t, c.name) + "SET DEFAULT " + next + ";\n", "default");
    d2.alters.push_back(differ::key::rel(t));
    annotate(d2, "set_default", t, {"ACCESS EXCLUSIVE"});
    size_t i2 = push(std::move(d2), i1);
    size_t i3 = backfill(ci, t, {{c.name, next}}, quote_ident(c.name) + " IS NULL",
                         "backfill " + c.name, i2);
    size_t i4 = not_null_chain(ci, t, c.name, i3);
    std::string s = alter_column(t, c.name) + "DROP DEFAULT;\n";
    s += alter_column(t, c.name) + "ADD GENERATED " +
         (c.identity == 'a' ? "ALWAYS" : "BY DEFAULT") + " AS IDENTITY";
    auto id_opts = opts;
    if (!c.identity_seq_name.empty() &&
        c.identity_seq_name != make_object_name(t.name, c.name, "seq"))
      id_opts.insert(id_opts.begin(),
                     "SEQUENCE NAME " + quote_qual({t.schema, c.identity_seq_name}));
    if (!id_opts.empty()) s += " (" + join(id_opts, " ") + ")";
    s += ";\n";
    s += "SELECT setval(pg_get_serial_sequence(" + quote_literal(quote_qual(t)) + ", " +
         quote_literal(c.name) + "), s.last_value, s.is_called) FROM " + quote_qual(tmp) +
         " AS s;\n";
    s += "DROP SEQUENCE " + quote_qual(tmp) + ";\n";
    Draft d5 = base(ci, Phase::Contract, "", s, "identity");
    d5.needs.push_back("nn:" + unq(t) + "." + c.name);
    lock(d5, "ACCESS EXCLUSIVE", t, 0);
    d5.step.hazards.push_back(
        {HazardType::AppCompat,
         "From this step on, " + quote_ident(c.name) + " of " + t.str() +
             (c.identity == 'a' ? " is GENERATED ALWAYS: inserts must not set it."
                                : " is an identity column.")});
    push(std::move(d5), i4);
  }

  size_t backfill(size_t ci, const QualName& t, std::vector<planner::Backfill::Assignment> set,
                  const std::string& where, const std::string& slug, size_t after) {
    Draft d = base(ci, Phase::Backfill, "", "", slug);
    d.step.kind = planner::StepKind::Backfill;
    planner::Backfill b;
    b.table = unq(t);
    b.key = primary_key(t);
    b.set = std::move(set);
    b.where = where;
    b.est_rows = est_rows(t);
    d.step.backfill = b;
    lock(d, "ROW EXCLUSIVE", t, 0);
    d.step.hazards.push_back(
        {HazardType::LongRunning, "Backfills " + t.str() + " in batches (" + size_note(t) + ")."});
    if (b.key.empty())
      d.step.hazards.push_back(
          {HazardType::LongRunning, t.str() + " has no primary key: the backfill is one UPDATE "
                                              "of every row, in one transaction."});
    return push(std::move(d), after);
  }

  // Is column `col` of t concerned by another change of the set (an index
  // or constraint over it, a view of the table, the same column)? Then the
  // copy strategies step aside: those objects would follow the old column.
  bool touched_elsewhere(size_t self, const QualName& t, const std::string& col,
                         bool type_change) const {
    std::set<size_t> views;
    if (type_change)
      for (size_t v : swap_views(t)) views.insert(v);
    for (size_t i = 0; i < cs_.changes.size(); ++i) {
      if (i == self || views.count(i)) continue;
      bool hit = std::visit(
          [&](const auto& c) -> bool {
            using T = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<T, differ::AddIndex> ||
                          std::is_same_v<T, differ::DropIndex>)
              return c.obj.table == t && schema::index_mentions(c.obj, col);
            else if constexpr (std::is_same_v<T, differ::AddConstraint> ||
                               std::is_same_v<T, differ::DropConstraint>)
              return (c.table == t && schema::constraint_mentions(c.obj, col)) ||
                     (c.obj.kind == schema::ConstraintKind::ForeignKey && c.obj.ref_table == t &&
                      std::find(c.obj.ref_columns.begin(), c.obj.ref_columns.end(), col) !=
                          c.obj.ref_columns.end());
            else if constexpr (std::is_same_v<T, differ::SetDefault> ||
                               std::is_same_v<T, differ::SetNotNull> ||
                               std::is_same_v<T, differ::AlterIdentity> ||
                               std::is_same_v<T, differ::AlterColumnType> ||
                               std::is_same_v<T, differ::RenameColumn>)
              return c.table == t && (c.new_obj.name == col || c.old_obj.name == col);
            else if constexpr (std::is_same_v<T, differ::AddView>)
              return schema::mentions(c.obj.query.text, t.name);
            else if constexpr (std::is_same_v<T, differ::ReplaceView>)
              return schema::mentions(c.new_obj.query.text, t.name) ||
                     schema::mentions(c.old_obj.query.text, t.name);
            else if constexpr (std::is_same_v<T, differ::AddTrigger>)
              return c.obj.table == t;
            else
              return false;
          },
          cs_.changes[i].op);
      if (hit) return true;
    }
    return false;
  }

  // Why the shadow-column strategy cannot handle column `col` of t ("" = it
  // can); the plain indexes on the column, to rebuild on the copy, go to `indexes`.
  std::string copy_blocker(size_t ci, const QualName& t, const schema::Column& col,
                           std::vector<const schema::Index*>& indexes, bool type_change) const {
    const auto* tb = from_.find_table(t);
    if (!tb) return "the table is not in the live catalog";
    if (!tb->partition_by.strategy.empty() || tb->partition_of || !tb->inherits.empty())
      return "the table is partitioned or inherits";
    auto pk = primary_key(t);
    if (pk.empty()) return "the table has no primary key to backfill by";
    if (std::find(pk.begin(), pk.end(), col.name) != pk.end())
      return "the column is part of the primary key";
    if (col.identity || col.generated) return "the column is an identity or generated column";
    for (const auto& k : tb->constraints) {
      if (std::find(k.columns.begin(), k.columns.end(), col.name) != k.columns.end())
        return "constraint " + quote_ident(k.name) + " uses the column";
      if (schema::constraint_mentions(k, col.name))
        return "constraint " + quote_ident(k.name) + " uses the column";
    }
    for (const auto& [n, other] : from_.tables)
      for (const auto& k : other.constraints)
        if (k.kind == schema::ConstraintKind::ForeignKey && k.ref_table == t &&
            std::find(k.ref_columns.begin(), k.ref_columns.end(), col.name) != k.ref_columns.end())
          return "foreign key " + quote_ident(k.name) + " on " + n.str() + " references the column";
    if (type_change) {
      // The views the differ replaces around the type change are recreated
      // inside the swap; a view it leaves alone does not use the column. No
      // other change may need those views before the swap.
      std::set<size_t> views;
      for (size_t v : swap_views(t)) views.insert(v);
      for (size_t v : views) {
        const auto& name = std::get<differ::ReplaceView>(cs_.changes[v].op).new_obj.name;
        for (size_t i = 0; i < cs_.changes.size(); ++i) {
          if (i == ci || views.count(i)) continue;
          const auto& d = cs_.changes[i].deps;
          std::string k = differ::key::rel(name);
          if (std::find(d.needs.begin(), d.needs.end(), k) != d.needs.end() ||
              std::find(d.old_needs.begin(), d.old_needs.end(), k) != d.old_needs.end())
            return "another change needs view " + name.str() + ", which is recreated in the swap";
        }
      }
    } else {
      for (const auto& [n, v] : from_.views)
        if (std::find(v.deps.begin(), v.deps.end(), t) != v.deps.end() ||
            schema::mentions(v.query.text, t.name))
          return "view " + n.str() + " reads the table (views follow the old column)";
    }
    for (const auto& [n, tr] : from_.triggers)
      if (n.first == t)
        return "trigger " + quote_ident(tr.name) + " on the table may use the column";
    for (const auto& [n, ix] : from_.indexes) {
      if (ix.table != t) continue;
      bool uses = false, plain = !has_expr(ix.where);
      for (const auto& e : ix.elems) {
        if (e.column == col.name) uses = true;
        if (e.expr) {
          plain = false;
          if (e.expr->text.find(col.name) != std::string::npos) uses = true;
        }
      }
      if (has_expr(ix.where) && ix.where->text.find(col.name) != std::string::npos) uses = true;
      for (const auto& c : ix.include)
        if (c == col.name) uses = true;
      if (!uses) continue;
      if (!plain) return "index " + n.str() + " uses the column in an expression or predicate";
      indexes.push_back(&ix);
    }
    if (touched_elsewhere(ci, t, col.name, type_change))
      return "other changes in this plan concern the same table's indexes, constraints or views, "
             "or the column itself";
    return "";
  }

  static std::string shadow_name(const std::string& col, const char* label) {
    return make_object_name(col, "", label);
  }

  static std::string sync_function(const QualName& fn, const std::string& body) {
    std::string tag = dollar_tag(body);
    return "CREATE FUNCTION " + quote_qual(fn) + "() RETURNS trigger LANGUAGE plpgsql AS " + tag +
           "\n" + body + tag + ";\n";
  }
  static std::string sync_trigger(const std::string& name, const QualName& t, const QualName& fn) {
    return "CREATE TRIGGER " + quote_ident(name) + " BEFORE INSERT OR UPDATE ON " + quote_qual(t) +
           " FOR EACH ROW EXECUTE FUNCTION " + quote_qual(fn) + "();\n";
  }

  // NOT NULL for a copied column: CHECK NOT VALID + VALIDATE before the swap
  // (contract), SET NOT NULL and the check's drop inside the swap.
  size_t copy_not_null(size_t ci, const QualName& t, const std::string& copy,
                       const std::string& chk, size_t prev) {
    Draft a1 = base(ci, Phase::Contract, "add_check_not_valid",
                    alter_table(t) + "ADD CONSTRAINT " + quote_ident(chk) + " CHECK (" +
                        quote_ident(copy) + " IS NOT NULL) NOT VALID;\n",
                    "check not valid " + copy);
    annotate(a1, "add_check_not_valid", t, {"ACCESS EXCLUSIVE"});
    prev = push(std::move(a1), prev);
    Draft v = base(ci, Phase::Contract, "validate_check",
                   alter_table(t) + "VALIDATE CONSTRAINT " + quote_ident(chk) + ";\n",
                   "validate check " + copy);
    annotate(v, "validate_check", t, {"SHARE UPDATE EXCLUSIVE", "", false, true});
    return push(std::move(v), prev);
  }

  // ReplaceView changes whose old view reads t, directly or through another
  // of them, in creation order (a view after the views it reads).
  std::vector<size_t> swap_views(const QualName& t) const {
    std::vector<size_t> found;
    std::set<QualName> reads = {t};
    for (bool grew = true; grew;) {
      grew = false;
      for (size_t i = 0; i < cs_.changes.size(); ++i) {
        auto* rv = std::get_if<differ::ReplaceView>(&cs_.changes[i].op);
        if (!rv || std::find(found.begin(), found.end(), i) != found.end()) continue;
        for (const auto& r : reads)
          if (std::find(rv->old_obj.deps.begin(), rv->old_obj.deps.end(), r) !=
                  rv->old_obj.deps.end() ||
              schema::mentions(rv->old_obj.query.text, r.name)) {
            found.push_back(i);
            reads.insert(rv->old_obj.name);
            grew = true;
            break;
          }
      }
    }
    std::vector<size_t> out;
    while (!found.empty()) {
      size_t pick = 0;
      for (size_t k = 0; k < found.size(); ++k) {
        const auto& v = std::get<differ::ReplaceView>(cs_.changes[found[k]].op).new_obj;
        bool ready = true;
        for (size_t m = 0; m < found.size(); ++m) {
          const auto& o = std::get<differ::ReplaceView>(cs_.changes[found[m]].op).new_obj;
          if (m != k && (std::find(v.deps.begin(), v.deps.end(), o.name) != v.deps.end() ||
                         schema::mentions(v.query.text, o.name.name)))
            ready = false;
        }
        if (ready) {
          pick = k;
          break;
        }
      }
      out.push_back(found[pick]);
      found.erase(found.begin() + static_cast<std::ptrdiff_t>(pick));
    }
    return out;
  }

  // Does the type change get the shadow-column strategy?
  // A column's generation expression changes, or the column becomes or stops
  // being generated. Generated -> plain keeps the values with DROP EXPRESSION
  // (13+); everything else is one ALTER TABLE that drops the column and adds
  // it again - a rewrite under ACCESS EXCLUSIVE with no online form (the
  // differ drops the indexes and constraints on it before and recreates them
  // after). In expand when the values are derived anyway; a plain column made
  // generated loses its values, so contract (follow_contract_regenerations).
  void alter_generated(size_t ci, const differ::AlterColumnGenerated& a) {
    const std::string col = quote_ident(a.new_obj.name) + " of " + a.table.str();
    if (a.drop_expression()) {
      if (in_.version.major < 13)
        throw UnsupportedError(differ::describe(cs_.changes[ci]) + ": PostgreSQL " +
                               std::to_string(in_.version.major) +
                               " has no ALTER COLUMN ... DROP EXPRESSION (13+), and dropping and "
                               "adding the column would lose its values. Add a plain column, "
                               "copy the values into it, and drop the generated one by hand.");
      direct(ci, a, "drop_expression", {a.table});
      return;
    }
    size_t i = direct(ci, a, "replace_generated_column", {a.table});
    if (i == npos) return;
    auto& hz = out_[i].step.hazards;
    // Dropped and added again, the column is appended: SELECT * changes order.
    std::string moves =
        " The column is dropped and added again, so it moves to the end of " + a.table.str() + ".";
    if (!a.old_obj.generated) {
      out_[i].step.phase = Phase::Contract;  // its values are lost
      hz.push_back({HazardType::AppCompat,
                    "From this step on, writes that set " + col +
                        " fail (a generated column): every application instance must have "
                        "stopped writing it before the step runs." +
                        moves});
    } else {
      hz.push_back(
          {HazardType::AppCompat, "Its values are computed again by the new expression." + moves});
    }
  }

  // A plain column made generated runs in contract (old code still writes
  // it until the checkpoint). Whatever needs the table after it - the
  // indexes, constraints and views recreated around it - moves to contract
  // with it, every step of such a change together (a view is not left
  // dropped between the phases); assemble can only pull steps earlier.
  void follow_contract_regenerations() {
    std::set<std::string> keys;
    for (const auto& d : out_)
      if (d.step.phase == Phase::Contract && d.step.op == "replace_generated_column")
        keys.insert(d.alters.begin(), d.alters.end());
    if (keys.empty()) return;
    std::set<std::string> moved;  // changes (Step::change) moved to contract
    for (bool changed = true; changed;) {
      changed = false;
      for (const auto& d : out_)
        if (d.step.phase != Phase::Contract && !moved.count(d.step.change) &&
            std::any_of(d.needs.begin(), d.needs.end(),
                        [&](const auto& k) { return keys.count(k); }))
          moved.insert(d.step.change), changed = true;
      for (auto& d : out_)
        if (d.step.phase != Phase::Contract && moved.count(d.step.change)) {
          d.step.phase = Phase::Contract;
          keys.insert(d.creates.begin(), d.creates.end());
          keys.insert(d.alters.begin(), d.alters.end());
        }
    }
  }

  bool shadowed(size_t ci, const differ::AlterColumnType& a) const {
    if (!existing(a.table) || binary_coercible(a.old_obj, a.new_obj)) return false;
    if (strategy_of("alter_type_rewrite", "shadow_column") != "shadow_column") return false;
    std::vector<const schema::Index*> indexes;
    return copy_blocker(ci, a.table, a.old_obj, indexes, true).empty();
  }

  void alter_type(size_t ci, const differ::AlterColumnType& a) {
    const auto& oc = a.old_obj;
    const auto& nc = a.new_obj;
    if (!existing(a.table)) {
      direct(ci, a, "", {});
      return;
    }
    if (binary_coercible(oc, nc)) {
      direct(ci, a, "alter_type_binary_coercible", {a.table});
      return;
    }
    std::vector<const schema::Index*> indexes;
    std::string why =
        strategy_of("alter_type_rewrite", "shadow_column") == "shadow_column"
            ? copy_blocker(ci, a.table, oc, indexes, true)
            : "the compatibility matrix has no shadow-column strategy for this version";
    if (!why.empty()) {
      size_t i = direct(ci, a, "alter_type_rewrite", {a.table});
      auto& d = out_[i];
      if (!d.step.rewrite) {  // no matrix entry: seam's assumption
        d.step.rewrite = true;
        blocking(d, "ACCESS EXCLUSIVE", a.table, 2 * scan_seconds(a.table),
                 "the table is rewritten");
        d.step.hazards.push_back(
            {HazardType::TableRewrite, a.table.str() + " and its indexes are rewritten."});
      }
      d.step.hazards.push_back(
          {HazardType::BlockingLock, "seam plans the type change of " + quote_ident(nc.name) +
                                         " as a plain ALTER because " + why + "."});
      return;
    }
    shadow_swap(ci, a, indexes);
  }

  void shadow_swap(size_t ci, const differ::AlterColumnType& a,
                   const std::vector<const schema::Index*>& indexes) {
    const auto& ch = cs_.changes[ci];
    const auto& oc = a.old_obj;
    const auto& nc = a.new_obj;
    const QualName& t = a.table;
    std::string col = nc.name, shadow = shadow_name(col, "seam_new"),
                old = shadow_name(col, "seam_old");
    std::string expr =
        !a.using_expr.empty() ? a.using_expr
        : a.via_text
            ? quote_ident(col) +
                  (nc.type.find('[') != std::string::npos ? "::text[]::" : "::text::") + nc.type
            : quote_ident(col) + "::" + nc.type;
    // expand: the shadow column, nullable and without default.
    schema::Column sc = nc;
    sc.name = shadow;
    sc.default_expr.reset();
    sc.not_null = false;
    sc.comment.clear();
    Draft d1 =
        base(ci, Phase::Expand, "add_column_nullable",
             alter_table(t) + "ADD COLUMN " + column_def(to_table(t), sc) + ";\n", "shadow column");
    d1.needs = ch.deps.needs;
    d1.needs.push_back(differ::key::rel(t));
    differ_hazards(d1, ch);
    annotate(d1, "add_column_nullable", t, {"ACCESS EXCLUSIVE"});
    size_t i1 = push(std::move(d1));
    // dual-write: every written row computes the shadow from the column. The
    // expression is evaluated over the row, so `-- seam:using` text that
    // names columns works unchanged.
    QualName fn{t.schema, make_object_name(t.name, col, "seam_sync")};
    std::string body = "BEGIN\n  NEW." + quote_ident(shadow) + " := (SELECT " + expr +
                       " FROM (SELECT NEW.*) AS seam_row);\n"
                       "  RETURN NEW;\nEND\n";
    Draft d2 = base(ci, Phase::DualWrite, "create_trigger",
                    sync_function(fn, body) + sync_trigger(fn.name, t, fn), "dual write trigger");
    annotate(d2, "create_trigger", t, {"SHARE ROW EXCLUSIVE"});
    size_t i2 = push(std::move(d2), i1);
    size_t prev =
        // Every row whose shadow is still empty: a `-- seam:using` expression
        // may give a value for a NULL source (coalesce), as the trigger does.
        backfill(ci, t, {{shadow, expr}}, quote_ident(shadow) + " IS NULL", "backfill " + shadow,
                 i2);
    // Indexes on the shadow, built concurrently after the backfill.
    std::vector<std::pair<schema::Index, schema::Index>>
        rebuilt;  // (old, copy under a temporary name)
    for (const auto* ix : indexes) {
      schema::Index n = *ix;
      n.name.name = make_object_name(ix->name.name, "", "seam_new");
      for (auto& e : n.elems)
        if (e.column == col) e.column = shadow;
      for (auto& c : n.include)
        if (c == col) c = shadow;
      prev = push(cic_draft(ci, n, "index " + n.name.name, Phase::Backfill), prev);
      rebuilt.push_back({*ix, n});
    }
    std::string chk = make_object_name(t.name, shadow, "seam_nn");
    if (nc.not_null) prev = copy_not_null(ci, t, shadow, chk, prev);
    // contract: the swap, one short transaction under lock_timeout.
    std::string s =
        "SET LOCAL lock_timeout = '" + std::to_string(in_.throttle.lock_timeout_ms) + "ms';\n";
    s += "LOCK TABLE " + quote_qual(t) + " IN ACCESS EXCLUSIVE MODE;\n";
    s += "DROP TRIGGER " + quote_ident(fn.name) + " ON " + quote_qual(t) + ";\n";
    s += "DROP FUNCTION " + quote_qual(fn) + "();\n";
    if (nc.not_null)
      s += alter_column(t, shadow) + "SET NOT NULL;\n" + alter_table(t) + "DROP CONSTRAINT " +
           quote_ident(chk) + ";\n";
    if (has_expr(oc.default_expr)) s += alter_column(t, col) + "DROP DEFAULT;\n";
    if (oc.not_null) s += alter_column(t, col) + "DROP NOT NULL;\n";
    std::vector<size_t> views = swap_views(t);
    for (auto it = views.rbegin(); it != views.rend(); ++it)
      for (const auto& p : render_change(cs_.changes[*it]))
        if (p.part == ChangeSql::Drop) s += p.sql;
    for (const auto& [o, n] : rebuilt) s += "DROP INDEX " + quote_qual(o.name) + ";\n";
    s += alter_table(t) + "RENAME COLUMN " + quote_ident(col) + " TO " + quote_ident(old) + ";\n";
    s +=
        alter_table(t) + "RENAME COLUMN " + quote_ident(shadow) + " TO " + quote_ident(col) + ";\n";
    for (const auto& [o, n] : rebuilt)
      s += "ALTER INDEX " + quote_qual(n.name) + " RENAME TO " + quote_ident(o.name.name) + ";\n";
    if (has_expr(nc.default_expr))
      s += alter_column(t, col) + "SET DEFAULT " + b_expr(expr_text(*nc.default_expr)) + ";\n";
    for (const auto& [n, sq] : from_.sequences)
      if (sq.owned_by_table && *sq.owned_by_table == t && sq.owned_by_column == col)
        s += "ALTER SEQUENCE " + quote_qual(n) + " OWNED BY " + quote_qual(t) + "." +
             quote_ident(col) + ";\n";
    if (!nc.comment.empty())
      s += comment_stmt("COLUMN " + quote_qual(t) + "." + quote_ident(col), nc.comment);
    for (const auto& [o, n] : rebuilt)
      if (!o.comment.empty()) s += comment_sql(o);
    for (size_t v : views)
      for (const auto& p : render_change(cs_.changes[v]))
        if (p.part != ChangeSql::Drop) s += p.sql;
    Draft sw = base(ci, Phase::Contract, "rename_column", s, "swap");
    for (size_t v : views) {
      sw.objects.push_back(object_of(cs_.changes[v]));
      differ_hazards(sw, cs_.changes[v]);
      add_keys(sw.needs, cs_.changes[v].deps.needs);
    }
    annotate(sw, "rename_column", t, {"ACCESS EXCLUSIVE"});
    sw.step.hazards.push_back(
        {HazardType::AppCompat, "The swap changes the type of " + quote_ident(col) + " to " +
                                    nc.type + " and moves it to the end of " + t.str() +
                                    "; code must not depend on column order (SELECT *)."});
    size_t isw = push(std::move(sw), prev);
    Draft dr = base(ci, Phase::Contract, "drop_column",
                    alter_table(t) + "DROP COLUMN " + quote_ident(old) + ";\n", "drop " + old);
    dr.old_needs = ch.deps.old_needs;  // before drops of what the old column used (its old type)
    annotate(dr, "drop_column", t, {"ACCESS EXCLUSIVE"});
    push(std::move(dr), isw);
  }

  void rename_column(size_t ci, const differ::RenameColumn& a) {
    const auto& oc = a.old_obj;
    const auto& nc = a.new_obj;
    const QualName& t = a.table;
    bool in_place = nc.notes.count("rename-in-place") > 0;
    std::vector<const schema::Index*> indexes;
    std::string why;
    if (!in_place) {
      why = strategy_of("rename_column", "shadow_column") == "shadow_column"
                ? copy_blocker(ci, t, oc, indexes, false)
                : "the matrix has no copy strategy for this version";
      if (why.empty() && !indexes.empty())
        why = "index " + indexes.front()->name.str() + " uses the column";
      if (why.empty() && (oc.type != nc.type || oc.collation != nc.collation))
        why = "the column's type changes too";
    }
    if (in_place || !why.empty()) {
      size_t i = direct(ci, a, "rename_column", {t});
      if (i != npos)
        out_[i].step.hazards.push_back(
            {HazardType::AppCompat,
             "Renames " + quote_ident(oc.name) + " to " + quote_ident(nc.name) + " on " + t.str() +
                 " in place: application code that uses the old name breaks at once" +
                 (in_place ? " (as `-- seam:rename-in-place` asks)"
                           : " (seam cannot copy the column: " + why + ")") +
                 "."});
      return;
    }
    const auto& ch = cs_.changes[ci];
    schema::Column c = nc;
    c.default_expr.reset();
    c.not_null = false;
    c.comment.clear();
    Draft d1 =
        base(ci, Phase::Expand, "add_column_nullable",
             alter_table(t) + "ADD COLUMN " + column_def(to_table(t), c) + ";\n", "new column");
    d1.needs = ch.deps.needs;
    d1.needs.push_back(differ::key::rel(t));
    differ_hazards(d1, ch);
    annotate(d1, "add_column_nullable", t, {"ACCESS EXCLUSIVE"});
    size_t i1 = push(std::move(d1));
    // dual-write both ways: old code writes the old name, new code the new one.
    QualName fn{t.schema, make_object_name(t.name, nc.name, "seam_sync")};
    std::string o = "NEW." + quote_ident(oc.name), n = "NEW." + quote_ident(nc.name);
    std::string body = "BEGIN\n  IF TG_OP = 'INSERT' THEN\n    IF " + n + " IS NULL THEN " + n +
                       " := " + o + ";\n    ELSIF " + o + " IS NULL THEN " + o + " := " + n +
                       ";\n    END IF;\n  ELSIF " + o + " IS DISTINCT FROM OLD." +
                       quote_ident(oc.name) + " THEN\n    " + n + " := " + o + ";\n  ELSIF " + n +
                       " IS DISTINCT FROM OLD." + quote_ident(nc.name) + " THEN\n    " + o +
                       " := " + n + ";\n  END IF;\n  RETURN NEW;\nEND\n";
    Draft d2 = base(ci, Phase::DualWrite, "create_trigger",
                    sync_function(fn, body) + sync_trigger(fn.name, t, fn), "dual write trigger");
    annotate(d2, "create_trigger", t, {"SHARE ROW EXCLUSIVE"});
    size_t i2 = push(std::move(d2), i1);
    size_t prev =
        backfill(ci, t, {{nc.name, quote_ident(oc.name)}},
                 quote_ident(oc.name) + " IS NOT NULL AND " + quote_ident(nc.name) + " IS NULL",
                 "backfill " + nc.name, i2);
    std::string chk = make_object_name(t.name, nc.name, "seam_nn");
    if (nc.not_null) prev = copy_not_null(ci, t, nc.name, chk, prev);
    std::string s =
        "SET LOCAL lock_timeout = '" + std::to_string(in_.throttle.lock_timeout_ms) + "ms';\n";
    s += "DROP TRIGGER " + quote_ident(fn.name) + " ON " + quote_qual(t) + ";\n";
    s += "DROP FUNCTION " + quote_qual(fn) + "();\n";
    if (nc.not_null)
      s += alter_column(t, nc.name) + "SET NOT NULL;\n" + alter_table(t) + "DROP CONSTRAINT " +
           quote_ident(chk) + ";\n";
    if (has_expr(nc.default_expr))
      s += alter_column(t, nc.name) + "SET DEFAULT " + b_expr(expr_text(*nc.default_expr)) + ";\n";
    s += alter_table(t) + "DROP COLUMN " + quote_ident(oc.name) + ";\n";
    if (!nc.comment.empty())
      s += comment_stmt("COLUMN " + quote_qual(t) + "." + quote_ident(nc.name), nc.comment);
    Draft dr = base(ci, Phase::Contract, "drop_column", s, "drop " + oc.name);
    dr.old_needs = ch.deps.old_needs;
    annotate(dr, "drop_column", t, {"ACCESS EXCLUSIVE"});
    dr.step.hazards.push_back({HazardType::AppCompat,
                               "Old application code must no longer use " + quote_ident(oc.name) +
                                   " of " + t.str() + " when its copy " + quote_ident(nc.name) +
                                   " replaces it; the renamed column is at the end of the table."});
    push(std::move(dr), prev);
  }
};

}  // namespace

planner::Plan make_plan(const differ::ChangeSet& cs, const schema::Catalog& from,
                        const schema::Catalog& to, const PlanInput& in) {
  planner::Plan header;
  header.seam_version = in.seam_version;
  header.dialect = "postgres";
  header.server_version = in.version.str();
  header.source_fingerprint = in.source_fingerprint;
  header.desired_fingerprint = in.desired_fingerprint;
  header.throttle = in.throttle;
  Planner p(cs, from, to, in);
  return planner::assemble(p.run(), std::move(header));
}

}  // namespace seam::pg
