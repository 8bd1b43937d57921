// Orders draft steps into a Plan; see assemble.hpp.
#include "planner/assemble.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "planner/graph.hpp"

namespace seam::planner {

namespace {

bool shares(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (const auto& x : a)
    if (std::find(b.begin(), b.end(), x) != b.end()) return true;
  return false;
}

// The key rules of planner/graph.hpp: must `a` run before `b`?
bool must_precede(const Draft& a, const Draft& b) {
  if (shares(a.creates, b.needs) || shares(a.alters, b.needs)) return true;
  if (shares(a.creates, b.alters)) return true;
  if (shares(a.old_needs, b.drops)) return true;
  if (!a.drops.empty() && shares(a.old_needs, b.alters)) return true;
  for (const auto& k : a.drops)
    if (std::find(b.creates.begin(), b.creates.end(), k) != b.creates.end() &&
        std::find(b.alters.begin(), b.alters.end(), k) == b.alters.end())
      return true;
  if (shares(a.alters, b.drops)) return true;
  return false;
}

int phase_index(Phase p) {
  return static_cast<int>(p);
}

std::string checkpoint_message(const std::vector<Draft>& drafts) {
  std::set<std::string> changes;
  bool backfill = false, drops = false;
  for (const auto& d : drafts) {
    if (d.step.kind == StepKind::Backfill) backfill = true;
    if (d.step.phase == Phase::Contract && !d.step.change.empty()) changes.insert(d.step.change);
    if (d.step.phase == Phase::Contract && !d.drops.empty()) drops = true;
  }
  std::string m =
      "Approve the contract phase only when every application instance runs the new code";
  m += drops ? " and no longer reads or writes what the contract phase drops or renames" : "";
  m += backfill ? ", and every backfill above has completed" : "";
  m += ". The contract phase then runs: ";
  bool first = true;
  for (const auto& c : changes) {
    m += (first ? "" : "; ") + c;
    first = false;
  }
  return m + ".";
}

}  // namespace

std::string slugify(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) && c < 128)
      out += static_cast<char>(std::tolower(c));
    else if (!out.empty() && out.back() != '-')
      out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  if (out.size() > 60) {
    out.resize(60);
    while (!out.empty() && out.back() == '-') out.pop_back();
  }
  return out.empty() ? "step" : out;
}

Plan assemble(std::vector<Draft> drafts, Plan header) {
  // 1. Pull steps forward where a later-phase step must precede an earlier one.
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < drafts.size(); ++i)
      for (size_t j = 0; j < drafts.size(); ++j) {
        if (i == j) continue;
        auto& a = drafts[i];
        const auto& b = drafts[j];
        bool chained = std::find(b.after.begin(), b.after.end(), i) != b.after.end();
        if (phase_index(a.step.phase) > phase_index(b.step.phase) &&
            (chained || must_precede(a, b))) {
          a.step.phase = b.step.phase;
          changed = true;
        }
      }
  }

  // 2. The checkpoint before contract.
  bool has_contract = std::any_of(drafts.begin(), drafts.end(),
                                  [](const Draft& d) { return d.step.phase == Phase::Contract; });
  size_t checkpoint = drafts.size();
  if (has_contract) {
    Draft c;
    c.step.kind = StepKind::Checkpoint;
    c.step.phase = Phase::Contract;
    c.step.message = checkpoint_message(drafts);
    c.slug = "checkpoint";
    c.rank = -1;
    c.name = "checkpoint";
    drafts.push_back(std::move(c));
  }

  // 3. Statements with barriers between phases.
  std::vector<Statement> stmts;
  for (const auto& d : drafts) {
    Statement s;
    s.sql = d.step.sql;
    s.rank = d.rank;
    s.name = d.name;
    s.creates = d.creates;
    s.drops = d.drops;
    s.alters = d.alters;
    s.needs = d.needs;
    s.old_needs = d.old_needs;
    s.after = d.after;
    stmts.push_back(std::move(s));
  }
  size_t n = drafts.size();
  size_t barrier[4] = {0, 0, 0, 0};  // barrier[p]: after every step of phases < p
  for (int p = 1; p < 4; ++p) {
    Statement b;
    b.name = std::string("phase barrier ") + std::to_string(p);
    if (p > 1) b.after.push_back(barrier[p - 1]);
    for (size_t i = 0; i < n; ++i)
      if (phase_index(drafts[i].step.phase) == p - 1) b.after.push_back(i);
    barrier[p] = stmts.size();
    stmts.push_back(std::move(b));
  }
  for (size_t i = 0; i < n; ++i) {
    int p = phase_index(drafts[i].step.phase);
    if (p > 0) stmts[i].after.push_back(barrier[p]);
    if (has_contract && p == 3 && i != checkpoint) stmts[i].after.push_back(checkpoint);
  }

  // 4. Order.
  std::vector<size_t> ord = order(stmts);

  // 5. Ids and depends_on.
  std::vector<std::string> ids(n);
  int counter[4] = {0, 0, 0, 0};
  std::set<std::string> used;
  for (size_t i : ord) {
    if (i >= n) continue;
    int p = phase_index(drafts[i].step.phase);
    char num[16];
    std::snprintf(num, sizeof num, "%03d", ++counter[p]);
    std::string id =
        std::string(to_string(drafts[i].step.phase)) + "-" + num + "-" + slugify(drafts[i].slug);
    ids[i] = id;
  }
  header.steps.clear();
  std::vector<std::string> objects;
  for (size_t i : ord) {
    if (i >= n) continue;
    Step s = drafts[i].step;
    s.id = ids[i];
    std::set<std::string> deps;
    for (size_t a : drafts[i].after) deps.insert(ids[a]);
    if (has_contract && s.phase == Phase::Contract && i != checkpoint && deps.empty())
      deps.insert(ids[checkpoint]);
    s.depends_on.assign(deps.begin(), deps.end());
    header.steps.push_back(std::move(s));
    objects.insert(objects.end(), drafts[i].objects.begin(), drafts[i].objects.end());
  }
  header.summary = summarize(header.steps, std::move(objects));
  return header;
}

Summary summarize(const std::vector<Step>& steps, std::vector<std::string> objects) {
  Summary s;
  std::sort(objects.begin(), objects.end());
  objects.erase(std::unique(objects.begin(), objects.end()), objects.end());
  s.objects = std::move(objects);
  std::map<std::string, int> counts;
  for (const auto& st : steps) {
    if (st.backfill) s.rows_to_backfill += st.backfill->est_rows;
    for (const auto& l : st.locks)
      if (s.longest_lock_step.empty() || l.est_seconds > s.longest_lock.est_seconds) {
        s.longest_lock_step = st.id;
        s.longest_lock = l;
      }
    for (const auto& h : st.hazards) counts[to_string(h.type)]++;
  }
  s.hazard_counts.assign(counts.begin(), counts.end());
  return s;
}

}  // namespace seam::planner
