// Runbook renderings of a compatibility matrix: a Markdown table (what
// `seam compat` prints by default) and the YAML itself, both optionally
// limited to the entries that cover one server version. Output depends only
// on the matrix, so it is byte-identical across runs.
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "compat-matrix/matrix.hpp"

namespace seam::compat {

namespace {

std::vector<const Entry*> selected(const Matrix& m, const std::optional<Version>& v) {
  std::vector<const Entry*> out;
  for (const auto& e : m.entries)
    if (!v || e.covers(*v)) out.push_back(&e);
  return out;
}

// A Markdown table cell: one line, pipes escaped.
std::string cell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n' || c == '\r')
      out += ' ';
    else
      out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out.empty() ? "-" : out;
}

std::string yes_no(bool b) {
  return b ? "yes" : "no";
}

}  // namespace

std::string render_markdown(const Matrix& m, const std::optional<Version>& v) {
  std::ostringstream o;
  std::string product = m.product.empty() ? m.dialect : m.product;
  o << "# " << product << " DDL compatibility matrix";
  if (v) o << " for " << product << " " << v->str();
  o << "\n\n";
  o << "Lock: the strongest lock on the altered table; other lock: on the second table "
       "(referenced table, partition, base table). In txn: may run inside BEGIN ... COMMIT. "
       "Strategies: compat-matrix/README.md.\n\n";
  bool any_unverified = false;
  for (const Entry* e : selected(m, v)) any_unverified |= !e->verified;
  if (any_unverified)
    o << "Entries marked **unverified** come from the cited documentation only; seam has not "
         "measured them on a server of these versions (docs/dialects.md: how to check them on "
         "yours).\n\n";
  o << "| Operation | Versions | Lock | Other lock | Rewrite | Scan | In txn | Strategy | Notes | "
       "Source |\n";
  o << "|---|---|---|---|---|---|---|---|---|---|\n";
  for (const Entry* e : selected(m, v)) {
    o << "| " << cell(e->op) << " | " << cell(e->versions()) << " | " << cell(e->lock) << " | "
      << cell(e->other_lock) << " | " << yes_no(e->rewrite) << " | " << yes_no(e->scan) << " | "
      << yes_no(e->transactional) << " | " << cell(e->strategy) << " | "
      << cell(e->verified ? e->notes : "**unverified** " + e->notes) << " | " << cell(e->source)
      << " |\n";
  }
  return o.str();
}

std::string render_yaml(const Matrix& m, const std::optional<Version>& v, bool explicit_verified) {
  YAML::Emitter y;
  auto text = [&y](const std::string& s) {
    if (s.find('\n') != std::string::npos)
      y << YAML::Literal << s;
    else
      y << s;
  };
  y << YAML::BeginMap;
  y << YAML::Key << "dialect" << YAML::Value << m.dialect;
  y << YAML::Key << "product" << YAML::Value << m.product;
  y << YAML::Key << "entries" << YAML::Value << YAML::BeginSeq;
  for (const Entry* e : selected(m, v)) {
    y << YAML::BeginMap;
    y << YAML::Key << "op" << YAML::Value << e->op;
    y << YAML::Key << "versions" << YAML::Value << YAML::DoubleQuoted << e->versions();
    y << YAML::Key << "lock" << YAML::Value << e->lock;
    if (!e->other_lock.empty()) y << YAML::Key << "other_lock" << YAML::Value << e->other_lock;
    y << YAML::Key << "rewrite" << YAML::Value << e->rewrite;
    y << YAML::Key << "scan" << YAML::Value << e->scan;
    y << YAML::Key << "transactional" << YAML::Value << e->transactional;
    y << YAML::Key << "strategy" << YAML::Value << e->strategy;
    if (!e->notes.empty()) {
      y << YAML::Key << "notes" << YAML::Value;
      text(e->notes);
    }
    y << YAML::Key << "source" << YAML::Value << e->source;
    if (!e->verified || explicit_verified)
      y << YAML::Key << "verified" << YAML::Value << e->verified;
    if (!e->probe.statement.empty()) {
      const Probe& p = e->probe;
      y << YAML::Key << "probe" << YAML::Value << YAML::BeginMap;
      if (!p.setup.empty()) {
        y << YAML::Key << "setup" << YAML::Value;
        text(p.setup);
      }
      y << YAML::Key << "statement" << YAML::Value;
      text(p.statement);
      y << YAML::Key << "table" << YAML::Value << p.table;
      if (!p.other_table.empty()) y << YAML::Key << "other_table" << YAML::Value << p.other_table;
      if (!p.hold.empty()) {
        y << YAML::Key << "hold" << YAML::Value;
        text(p.hold);
      }
      y << YAML::EndMap;
    }
    y << YAML::EndMap;
  }
  y << YAML::EndSeq << YAML::EndMap;
  return std::string(y.c_str()) + "\n";
}

}  // namespace seam::compat
