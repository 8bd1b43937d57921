// make_plan for the PostgreSQL-wire products: dispatch of each change to its
// matrix op, the matrix lookup that never guesses, and the step builder that
// turns an entry into a step's flags, hazards and message.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <type_traits>

#include "dialects/pgwire/plan_internal.hpp"
#include "dialects/postgres/render_change.hpp"
#include "dialects/postgres/render_util.hpp"
#include "differ/deps.hpp"
#include "schema/canon.hpp"
#include "schema/errors.hpp"

namespace seam::pgwire {

namespace detail {

using planner::Draft;
using planner::HazardType;
using planner::Phase;
using schema::QualName;
using schema::quote_ident;
using schema::quote_qual;

std::string unq(const QualName& n) {
  return n.schema + "." + n.name;
}
std::string alter_table(const QualName& t) {
  return "ALTER TABLE " + quote_qual(t) + " ";
}
std::string alter_column(const QualName& t, const std::string& col) {
  return alter_table(t) + "ALTER COLUMN " + quote_ident(col) + " ";
}
bool has_default(const schema::Column& c) {
  return pg::render_detail::has_expr(c.default_expr);
}
const std::string& default_text(const schema::Column& c) {
  return pg::render_detail::expr_text(*c.default_expr);
}


namespace {

// The tie-break name, as the PostgreSQL planner's: new columns and enum
// labels keep their order.
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
      [&](const auto& c) -> std::string {
        if constexpr (requires { c.table; }) {
          if constexpr (std::is_same_v<std::decay_t<decltype(c.table)>, QualName>)
            return "table " + c.table.str();
        }
        if constexpr (requires { c.obj.table; }) {
          if constexpr (std::is_same_v<std::decay_t<decltype(c.obj.table)>, QualName>)
            return "table " + c.obj.table.str();
        }
        if constexpr (requires { c.obj.name; }) {
          if constexpr (std::is_same_v<std::decay_t<decltype(c.obj.name)>, QualName>)
            return c.obj.name.str();
        }
        if constexpr (requires { c.new_obj.name; }) {
          if constexpr (std::is_same_v<std::decay_t<decltype(c.new_obj.name)>, QualName>)
            return c.new_obj.name.str();
        }
        return differ::describe(ch);
      },
      ch.op);
}

}  // namespace

Planner::Planner(const differ::ChangeSet& cs, const schema::Catalog& from,
                 const schema::Catalog& to, const PlanInput& in, const Product& product)
    : cs_(cs), from_(from), to_(to), in_(in), p_(product) {
  for (const auto& ch : cs.changes)
    if (auto* a = std::get_if<differ::AddTable>(&ch.op)) new_tables_.insert(a->obj.name);
  for (const auto& ch : cs.changes)
    for (const auto& k : ch.deps.drops) dropped_keys_.insert(k);
}

std::vector<Draft> Planner::run() {
  // The product's DDL-in-transaction entry is what lets every step run on its
  // own; without one seam knows nothing of the version.
  if (!in_.matrix->find("ddl_in_transaction", in_.version))
    throw UnsupportedError("the " + in_.matrix->dialect +
                           " compatibility matrix has no ddl_in_transaction entry for " + where() +
                           ": seam does not plan for a version it has no entries for");
  for (size_t i = 0; i < cs_.changes.size(); ++i) plan_change(i);
  return std::move(out_);
}

std::string Planner::where() const {
  return p_.versionless ? p_.name : p_.name + " " + in_.version.str();
}

bool Planner::existing(const QualName& t) const {
  return !new_tables_.count(t) && from_.find_table(t);
}

int64_t Planner::est_rows(const QualName& t) const {
  auto it = in_.stats.find(unq(t));
  if (it == in_.stats.end()) return 0;
  const auto& s = it->second;
  if (s.reltuples >= 0) return static_cast<int64_t>(s.reltuples);
  return std::max<int64_t>(0, s.relpages) * 60;  // never analyzed: ~60 narrow rows per 8 kB page
}

std::string Planner::size_note(const QualName& t) const {
  auto it = in_.stats.find(unq(t));
  if (it == in_.stats.end()) return "no statistics for " + t.str();
  return t.str() + " has about " + std::to_string(est_rows(t)) + " rows";
}

void Planner::unsupported(size_t ci, const std::string& why) const {
  throw UnsupportedError(differ::describe(cs_.changes[ci]) + ": " + why);
}

const compat::Entry& Planner::entry(size_t ci, const std::string& op) const {
  auto advice = [&] {
    auto it = p_.advice.find(op);
    return it == p_.advice.end() ? std::string() : " (" + it->second + ")";
  };
  const compat::Entry* e = in_.matrix->find(op, in_.version);
  if (!e) {
    std::string ranges;
    for (const auto& x : in_.matrix->entries)
      if (x.op == op) ranges += (ranges.empty() ? "" : ", ") + x.versions();
    unsupported(ci, "the " + in_.matrix->dialect + " compatibility matrix has no " +
                        (ranges.empty()
                             ? "operation " + op
                             : "entry for " + op + " on this version (it covers " + ranges + ")") +
                        ", so seam cannot plan it for " + where() + " without guessing" + advice());
  }
  if (e->strategy == "unsupported" || e->strategy == "refuse")
    unsupported(ci, op + " is " + (e->strategy == "refuse" ? "refused" : "not supported") + " on " +
                        where() + " (compat-matrix/" + in_.matrix->dialect + ".yaml, strategy " +
                        e->strategy + "): " + e->notes + advice());
  return *e;
}

schema::Column Planner::mapped(size_t ci, schema::Column c) const {
  try {
    c.type = p_.column_type(c.type);
  } catch (const UnsupportedError& x) {
    unsupported(ci, "column " + quote_ident(c.name) + ": " + x.what());
  }
  return c;
}

planner::Hazard Planner::unverified(const std::string& op, const compat::Entry& e,
                                    const std::string& what) const {
  return {HazardType::DialectUnverified,
          (what.empty() ? op : what + " (" + op + ", strategy " + e.strategy + ")") + " on " +
              where() + " comes from documentation only (compat-matrix/" + in_.matrix->dialect +
              ".yaml, versions " + e.versions() +
              ", verified: false): seam has not measured it on a server of this version. Check "
              "it with `seam compat verify` against a scratch database of that version "
              "(docs/dialects.md) before relying on this step."};
}

Draft Planner::step(size_t ci, Phase ph, const std::string& op, std::string sql,
                    const std::string& slug, const QualName* t) {
  const auto& ch = cs_.changes[ci];
  const compat::Entry& e = entry(ci, op);
  Draft d;
  d.step.phase = ph;
  d.step.op = op;
  d.step.change = differ::describe(ch);
  d.step.sql = std::move(sql);
  // None of these products runs DDL atomically inside a transaction block
  // (ddl_in_transaction): every step is one DDL in its own implicit transaction.
  d.step.transactional = false;
  d.slug = d.step.change + (slug.empty() ? "" : " " + slug);
  auto pieces = pg::render_change(ch);
  d.rank = pieces.empty() ? 0 : pieces.front().rank;
  d.name = tie_name(ch);
  d.objects.push_back(object_of(ch));
  d.step.rewrite = e.rewrite;
  d.step.scan = e.scan;
  bool live = t && existing(*t);
  if (t && !e.lock.empty() && e.lock != "none")  // an override that measured a lock
    d.step.locks.push_back({e.lock, unq(*t), 0});
  if (!e.verified) d.step.hazards.push_back(unverified(op, e, ""));
  if (live && e.rewrite)
    d.step.hazards.push_back({HazardType::TableRewrite, p_.name + " rewrites the rows of " +
                                                            t->str() + " (" + size_note(*t) +
                                                            "); it takes no table lock for it."});
  if (live && e.scan && !e.rewrite)
    d.step.hazards.push_back(
        {HazardType::FullScan, "Reads all of " + t->str() + " (" + size_note(*t) + ")."});
  std::string msg;
  if (e.strategy == "online_job") {
    msg = p_.name + " runs this statement as " + p_.job + ": " + p_.job_control;
    if (!p_.job_control_op.empty()) {
      const auto* jc = in_.matrix->find(p_.job_control_op, in_.version);
      msg += jc ? " (" + p_.job_control_op + (jc->verified ? "" : ", unverified") + ")"
                : " (no " + p_.job_control_op + " entry for this version)";
    }
    msg += ".";
    if (live && (e.scan || e.rewrite))
      d.step.hazards.push_back(
          {HazardType::LongRunning, "Runs as " + p_.job + " whose duration grows with " + t->str() +
                                        " (" + size_note(*t) + ")."});
  } else if (e.strategy == "instant" && t) {
    msg = p_.instant_wait;
  } else if (e.strategy == "blocking") {
    d.step.hazards.push_back({HazardType::BlockingLock,
                              p_.name + " has no online form of " + op + " on " + where() +
                                  ": run this step in a maintenance window (" + e.notes + ")."});
  }
  if (!e.notes.empty()) msg += (msg.empty() ? "" : " ") + e.notes;
  d.step.message = msg;
  return d;
}

size_t Planner::push(Draft d, size_t after) {
  if (after != npos) d.after.push_back(after);
  out_.push_back(std::move(d));
  return out_.size() - 1;
}

void Planner::new_keys(Draft& d, size_t ci) const {
  const auto& dp = cs_.changes[ci].deps;
  d.creates.insert(d.creates.end(), dp.creates.begin(), dp.creates.end());
  d.needs.insert(d.needs.end(), dp.needs.begin(), dp.needs.end());
  d.alters.insert(d.alters.end(), dp.alters.begin(), dp.alters.end());
}

void Planner::old_keys(Draft& d, size_t ci, bool dependent, bool pure_drop) const {
  const auto& dp = cs_.changes[ci].deps;
  d.drops.insert(d.drops.end(), dp.drops.begin(), dp.drops.end());
  // A dropped column "alters" its table: ordered among the drops only.
  if (pure_drop) d.drops.insert(d.drops.end(), dp.alters.begin(), dp.alters.end());
  for (const auto& k : dp.old_needs)
    if (dependent || dropped_keys_.count(k)) d.old_needs.push_back(k);
}

void Planner::differ_hazards(Draft& d, size_t ci) const {
  for (const auto& h : cs_.changes[ci].hazards) {
    HazardType t = HazardType::AppCompat;
    if (h.kind == differ::HazardKind::DataLoss) t = HazardType::DataLoss;
    if (h.kind == differ::HazardKind::MaybeRename) t = HazardType::MaybeRename;
    if (h.kind == differ::HazardKind::RecreatesType) t = HazardType::TableRewrite;
    d.step.hazards.push_back({t, h.message});
  }
}

size_t Planner::backfill(size_t ci, const QualName& t,
                         std::vector<planner::Backfill::Assignment> set, const std::string& where,
                         const std::string& slug, size_t after, Phase ph) {
  const auto& ch = cs_.changes[ci];
  Draft d;
  d.step.kind = planner::StepKind::Backfill;
  d.step.phase = ph;
  d.step.change = differ::describe(ch);
  d.slug = d.step.change + " " + slug;
  auto pieces = pg::render_change(ch);
  d.rank = pieces.empty() ? 0 : pieces.front().rank;
  d.name = tie_name(ch);
  d.objects.push_back(object_of(ch));
  planner::Backfill b;
  b.table = unq(t);
  if (const auto* tb = from_.find_table(t))
    for (const auto& k : tb->constraints)
      if (k.kind == schema::ConstraintKind::PrimaryKey) b.key = k.columns;
  if (b.key.empty())
    unsupported(ci, t.str() + " has no primary key: seam's backfill pages over the primary key");
  b.set = std::move(set);
  b.where = where;
  b.est_rows = est_rows(t);
  d.step.backfill = b;
  d.step.hazards.push_back({HazardType::LongRunning, "Backfills " + t.str() + " in batches (" +
                                                         size_note(t) +
                                                         "), each batch its own transaction."});
  if (b.key.size() > 1 && !p_.composite_key_note.empty())
    d.step.hazards.push_back({HazardType::DialectUnverified, p_.composite_key_note});
  return push(std::move(d), after);
}

void Planner::rendered(size_t ci, const std::string& op, const QualName* t, bool drop,
                       bool dependent) {
  const auto& ch = cs_.changes[ci];
  size_t prev = npos;
  bool first = true;
  for (const auto& p : pg::render_change(ch)) {
    if (p.sql.empty()) continue;
    Draft d = step(ci, drop ? Phase::Contract : Phase::Expand, op, p.sql, "", t);
    d.rank = p.rank;
    if (p.part != pg::ChangeSql::Create) old_keys(d, ci, !drop || dependent, drop);
    if (p.part != pg::ChangeSql::Drop && !drop) new_keys(d, ci);
    if (first) differ_hazards(d, ci);
    first = false;
    prev = push(std::move(d), prev);
  }
}

void Planner::plan_change(size_t ci) {
  const auto& ch = cs_.changes[ci];
  std::visit(
      [&](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        using namespace differ;
        auto renamed = [&](const std::string& op, const QualName& t) {
          rendered(ci, op, &t, false);
          out_.back().step.hazards.push_back(
              {HazardType::AppCompat, "Application code that uses the old name breaks when " +
                                          differ::describe(ch) + " runs."});
        };
        if constexpr (std::is_same_v<T, AddTable>)
          add_table(ci, c);
        else if constexpr (std::is_same_v<T, DropTable>)
          drop_table(ci, c);
        else if constexpr (std::is_same_v<T, AddColumn>)
          add_column(ci, c);
        else if constexpr (std::is_same_v<T, DropColumn>)
          drop_column(ci, c);
        else if constexpr (std::is_same_v<T, AlterColumnType>)
          alter_type(ci, c);
        else if constexpr (std::is_same_v<T, SetNotNull>)
          set_not_null(ci, c);
        else if constexpr (std::is_same_v<T, SetDefault>)
          set_default(ci, c);
        else if constexpr (std::is_same_v<T, AddConstraint>)
          add_constraint(ci, c);
        else if constexpr (std::is_same_v<T, DropConstraint>)
          drop_constraint(ci, c);
        else if constexpr (std::is_same_v<T, AddIndex>)
          add_index(ci, c);
        else if constexpr (std::is_same_v<T, DropIndex>)
          drop_index(ci, c);
        else if constexpr (std::is_same_v<T, AddEnumValue>)
          rendered(ci, "add_enum_value", nullptr, false);
        else if constexpr (std::is_same_v<T, RenameColumn>)
          renamed("rename_column", c.table);
        else if constexpr (std::is_same_v<T, RenameTable>)
          renamed("rename_table", c.old_obj.name);
        else if constexpr (std::is_same_v<T, RenameIndex>)
          renamed("rename_index", c.old_obj.table);
        else if constexpr (std::is_same_v<T, AddView>)
          add_view(ci, c);
        else if constexpr (std::is_same_v<T, DropView>)
          drop_view(ci, c);
        else if constexpr (std::is_same_v<T, ReplaceView>)
          replace_view(ci, c);
        else if constexpr (std::is_same_v<T, AddTrigger>)
          rendered(ci, "create_trigger", &c.obj.table, false);
        else if constexpr (std::is_same_v<T, DropTrigger>)
          rendered(ci, "drop_trigger", &c.obj.table, true, true);
        else if constexpr (std::is_same_v<T, AttachPartition> ||
                           std::is_same_v<T, DetachPartition>) {
          // The entry's notes say why (unsupported on every product today).
          entry(ci, std::is_same_v<T, AttachPartition> ? "attach_partition" : "detach_partition");
          unsupported(ci, "seam does not plan PostgreSQL declarative partitioning for " + p_.name);
        } else
          unsupported(ci, "seam does not plan this kind of change for " + p_.name +
                              " yet: no compat-matrix operation covers it. Apply it by hand, "
                              "or leave it out of the desired state.");
      },
      ch.op);
}

}  // namespace detail

std::string version_text(const std::string& dialect, const compat::Version& v) {
  return product(dialect).versionless ? "all" : v.str();
}

planner::Plan make_plan(const differ::ChangeSet& cs, const schema::Catalog& from,
                        const schema::Catalog& to, const PlanInput& in) {
  const Product& p = product(in.dialect);
  if (!in.matrix)
    throw UnsupportedError("no compatibility matrix for " + p.name +
                           ": the pgwire planner never plans without one");
  if (in.matrix->dialect != in.dialect)
    throw UnsupportedError("the compatibility matrix is " + in.matrix->dialect + "'s, not " +
                           in.dialect + "'s");
  planner::Plan header;
  header.seam_version = in.seam_version;
  header.dialect = in.dialect;
  header.server_version = version_text(in.dialect, in.version);
  header.source_fingerprint = in.source_fingerprint;
  header.desired_fingerprint = in.desired_fingerprint;
  header.throttle = in.throttle;
  detail::Planner planner(cs, from, to, in, p);
  auto drafts = planner.run();
  planner::Plan plan = planner::assemble(std::move(drafts), std::move(header));
  if (!planner.checkpoint_notes().empty())
    for (auto& s : plan.steps)
      if (s.kind == planner::StepKind::Checkpoint) {
        std::string pre;
        for (const auto& n : planner.checkpoint_notes()) pre += n + " ";
        s.message = pre + s.message;
      }
  return plan;
}

}  // namespace seam::pgwire
