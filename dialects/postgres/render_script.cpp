// The migration script: every change rendered (render_change), turned into
// planner statements with their dependency keys, ordered by the planner's
// graph, and printed with hazards as comments.
#include <cstdio>

#include "dialects/postgres/render_change.hpp"

namespace seam::pg {

namespace {

void add(std::vector<std::string>& dst, const std::vector<std::string>& src) { dst.insert(dst.end(), src.begin(), src.end()); }

// The tie-break name: the change's description, except that the labels added
// to one enum keep their order (each is placed AFTER the one before it).
std::string tie_name(const differ::Change& ch) {
  if (auto* a = std::get_if<differ::AddEnumValue>(&ch.op)) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%06d", a->seq);
    return "add enum value to " + a->new_obj.name.str() + " #" + buf;
  }
  if (auto* a = std::get_if<differ::AddColumn>(&ch.op)) {
    // New columns are appended in the desired order.
    char buf[16];
    std::snprintf(buf, sizeof buf, "%06d", a->seq);
    return "add column to " + a->table.str() + " #" + buf;
  }
  return differ::describe(ch);
}

}  // namespace

std::vector<planner::Statement> plan_statements(const differ::ChangeSet& cs) {
  std::vector<planner::Statement> out;
  for (const auto& ch : cs.changes) {
    auto pieces = render_change(ch);
    std::string name = tie_name(ch);
    bool first = true;
    size_t prev = 0;
    for (auto& p : pieces) {
      if (p.sql.empty()) continue;
      planner::Statement st;
      st.sql = std::move(p.sql);
      st.rank = p.rank;
      st.name = name;
      const auto& d = ch.deps;
      if (p.part != ChangeSql::Create) {
        add(st.drops, d.drops);
        add(st.old_needs, d.old_needs);
      }
      if (p.part != ChangeSql::Drop) {
        add(st.creates, d.creates);
        add(st.needs, d.needs);
      }
      if (p.part == ChangeSql::Alter) add(st.alters, d.alters);
      if (first) {
        for (const auto& h : ch.hazards) st.comments.push_back("-- hazard " + std::string(differ::to_string(h.kind)) + ": " + h.message);
      } else {
        st.after.push_back(prev);
      }
      first = false;
      out.push_back(std::move(st));
      prev = out.size() - 1;
    }
  }
  return out;
}

std::string migration_script(const differ::ChangeSet& cs) {
  auto stmts = plan_statements(cs);
  if (stmts.empty()) return {};
  std::string body;
  bool functions = false;
  for (size_t i : planner::order(stmts)) {
    const auto& st = stmts[i];
    if (!body.empty()) body += "\n";
    for (const auto& c : st.comments) {
      // A hazard message is one comment line, whatever the names in it hold.
      std::string line;
      for (char ch : c) line += (ch == '\n' || ch == '\r') ? ' ' : ch;
      body += line + "\n";
    }
    body += st.sql;
    if (st.sql.find("FUNCTION ") != std::string::npos || st.sql.find("PROCEDURE ") != std::string::npos) functions = true;
  }
  // Bodies may read tables this script creates later; the server checks them
  // when they run, not when they are created.
  std::string head = functions ? "SET check_function_bodies = false;\n\n" : "";
  return head + body;
}

}  // namespace seam::pg
