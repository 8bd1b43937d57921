// The plan file: writing it by hand (yaml_write.hpp) for byte-stable,
// reviewable output, and reading it strictly with yaml-cpp (yaml_read.hpp).
// Layout and guarantees: plan_yaml.hpp.
#include "planner/plan_yaml.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "planner/yaml_read.hpp"
#include "planner/yaml_write.hpp"
#include "schema/errors.hpp"
#include "schema/sha256.hpp"

namespace seam::planner {

namespace {

using yamlio::At;
using yamlio::inline_scalar;
using yamlio::number;
using yamlio::scalar_line;

// --- writing ---------------------------------------------------------------

std::string pad(int n) {
  return std::string(n, ' ');
}

void line(std::string& o, int indent, std::string_view key, std::string_view raw_value) {
  o += pad(indent);
  o += key;
  o += ": ";
  o += raw_value;
  o += '\n';
}

void text(std::string& o, int indent, std::string_view key, std::string_view s) {
  scalar_line(o, pad(indent), indent, key, s);
}

// SQL reads verbatim: a literal block even for one line, when possible.
void sql_text(std::string& o, int indent, std::string_view key, std::string_view s) {
  scalar_line(o, pad(indent), indent, key, s, true);
}

void strings(std::string& o, int indent, std::string_view key, const std::vector<std::string>& v) {
  if (v.empty()) return line(o, indent, key, "[]");
  o += pad(indent);
  o += key;
  o += ":\n";
  for (const auto& s : v) {
    o += pad(indent + 2) + "- ";
    o += inline_scalar(s);
    o += '\n';
  }
}

const char* boolean(bool b) {
  return b ? "true" : "false";
}

void write_throttle(std::string& o, int indent, const Throttle& t) {
  line(o, indent, "batch_size", std::to_string(t.batch_size));
  line(o, indent, "rows_per_second", number(t.rows_per_second));
  line(o, indent, "target_batch_ms", std::to_string(t.target_batch_ms));
  line(o, indent, "lock_timeout_ms", std::to_string(t.lock_timeout_ms));
  line(o, indent, "statement_timeout_ms", std::to_string(t.statement_timeout_ms));
  line(o, indent, "max_retries", std::to_string(t.max_retries));
  line(o, indent, "max_replica_lag_ms", std::to_string(t.max_replica_lag_ms));
}

// A list of mappings: the first key of each item on its "- " line.
template <class T, class F>
void map_list(std::string& o, int indent, std::string_view key, const std::vector<T>& v, F item) {
  if (v.empty()) return line(o, indent, key, "[]");
  o += pad(indent);
  o += key;
  o += ":\n";
  for (const auto& x : v) item(o, pad(indent + 2) + "- ", indent + 4, x);
}

void write_step(std::string& o, const std::string& lead, int in, const Step& s) {
  bool cp = s.kind == StepKind::Checkpoint;
  scalar_line(o, lead, in, "id", s.id);
  line(o, in, "kind", to_string(s.kind));
  if (!cp || !s.op.empty()) text(o, in, "op", s.op);
  if (!cp || !s.change.empty()) text(o, in, "change", s.change);
  if (s.kind == StepKind::Sql || !s.sql.empty()) sql_text(o, in, "sql", s.sql);
  if (!cp || !s.transactional) line(o, in, "transactional", boolean(s.transactional));
  if (!cp || !s.locks.empty())
    map_list(o, in, "locks", s.locks,
             [](std::string& o, const std::string& lead, int in, const Lock& l) {
               scalar_line(o, lead, in, "mode", l.mode);
               text(o, in, "table", l.table);
               line(o, in, "est_seconds", number(l.est_seconds));
             });
  if (!cp || s.rewrite) line(o, in, "rewrite", boolean(s.rewrite));
  if (!cp || s.scan) line(o, in, "scan", boolean(s.scan));
  if (!cp || !s.hazards.empty())
    map_list(o, in, "hazards", s.hazards,
             [](std::string& o, const std::string& lead, int in, const Hazard& h) {
               scalar_line(o, lead, in, "type", to_string(h.type));
               text(o, in, "message", h.message);
             });
  strings(o, in, "depends_on", s.depends_on);
  if (s.backfill) {
    const Backfill& b = *s.backfill;
    o += pad(in) + "backfill:\n";
    int bi = in + 2;
    text(o, bi, "table", b.table);
    strings(o, bi, "key", b.key);
    map_list(o, bi, "set", b.set,
             [](std::string& o, const std::string& lead, int in, const Backfill::Assignment& a) {
               scalar_line(o, lead, in, "column", a.column);
               sql_text(o, in, "expression", a.expression);
             });
    sql_text(o, bi, "where", b.where);
    line(o, bi, "batch_size", std::to_string(b.batch_size));
    line(o, bi, "est_rows", std::to_string(b.est_rows));
  }
  if (!s.on_failure.empty()) sql_text(o, in, "on_failure", s.on_failure);
  if (!s.on_failure_if.empty()) sql_text(o, in, "on_failure_if", s.on_failure_if);
  if (cp || !s.message.empty()) text(o, in, "message", s.message);
}

void check_plan_utf8(const Plan& p) {
  auto c = [](const std::string& s, const std::string& what) { yamlio::check_utf8(s, what); };
  c(p.seam_version, "seam_version");
  c(p.dialect, "dialect");
  c(p.server_version, "server_version");
  c(p.source_fingerprint, "fingerprints.source");
  c(p.desired_fingerprint, "fingerprints.desired");
  for (const auto& o : p.summary.objects) c(o, "summary.objects");
  c(p.summary.longest_lock_step, "summary.longest_lock.step");
  c(p.summary.longest_lock.mode, "summary.longest_lock.mode");
  c(p.summary.longest_lock.table, "summary.longest_lock.table");
  for (const auto& [name, n] : p.summary.hazard_counts) c(name, "summary.hazard_counts");
  for (const auto& s : p.steps) {
    std::string w = "step " + s.id;
    for (const std::string* f :
         {&s.id, &s.op, &s.change, &s.sql, &s.on_failure, &s.on_failure_if, &s.message})
      c(*f, w);
    for (const auto& l : s.locks) c(l.mode, w), c(l.table, w);
    for (const auto& h : s.hazards) c(h.message, w);
    for (const auto& d : s.depends_on) c(d, w);
    if (s.backfill) {
      c(s.backfill->table, w), c(s.backfill->where, w);
      for (const auto& k : s.backfill->key) c(k, w);
      for (const auto& a : s.backfill->set) c(a.column, w), c(a.expression, w);
    }
  }
}

// --- reading -----------------------------------------------------------------

template <class F>
auto named(const At& at, F from_string) {
  std::string s = at.str();
  try {
    return from_string(s);
  } catch (const std::invalid_argument& e) {
    at.fail(e.what());
  }
}

StepKind kind_from_string(const std::string& s) {
  for (StepKind k : {StepKind::Sql, StepKind::Backfill, StepKind::Checkpoint})
    if (s == to_string(k)) return k;
  throw std::invalid_argument("unknown step kind '" + s +
                              "' (expected sql, backfill or checkpoint)");
}

template <class T, class F>
std::vector<T> read_list(const At& at, F read_item) {
  std::vector<T> out;
  if (at.absent) return out;
  at.expect_seq();
  for (std::size_t i = 0; i < at.node.size(); ++i) out.push_back(read_item(at.item(i)));
  return out;
}

std::vector<std::string> opt_strings(const At& at) {
  return at.absent ? std::vector<std::string>{} : at.strings();
}

std::string opt_str(const At& at) {
  return at.absent ? "" : at.str();
}

Lock read_lock(const At& at) {
  at.check_keys({"mode", "table", "est_seconds"});
  Lock l;
  l.mode = at.key("mode").str();
  l.table = at.key("table").str();
  l.est_seconds = at.key("est_seconds").dbl();
  return l;
}

Step read_step(const At& at, Phase phase) {
  at.check_keys({"id", "kind", "op", "change", "sql", "transactional", "locks", "rewrite", "scan",
                 "hazards", "depends_on", "backfill", "on_failure", "on_failure_if", "message"});
  Step s;
  s.phase = phase;
  s.id = at.key("id").str();
  s.kind = named(at.key("kind"), kind_from_string);
  s.op = opt_str(at.key("op"));
  s.change = opt_str(at.key("change"));
  s.sql = opt_str(at.key("sql"));
  if (at.has("transactional")) s.transactional = at.key("transactional").boolean();
  s.locks = read_list<Lock>(at.key("locks"), read_lock);
  if (at.has("rewrite")) s.rewrite = at.key("rewrite").boolean();
  if (at.has("scan")) s.scan = at.key("scan").boolean();
  s.hazards = read_list<Hazard>(at.key("hazards"), [](const At& h) {
    h.check_keys({"type", "message"});
    return Hazard{named(h.key("type"), hazard_from_string), h.key("message").str()};
  });
  s.depends_on = opt_strings(at.key("depends_on"));
  if (at.has("backfill") && !at.key("backfill").is_null()) {
    At b = at.key("backfill");
    b.check_keys({"table", "key", "set", "where", "batch_size", "est_rows"});
    Backfill bf;
    bf.table = b.key("table").str();
    bf.key = b.key("key").strings();
    bf.set = read_list<Backfill::Assignment>(b.key("set"), [](const At& a) {
      a.check_keys({"column", "expression"});
      return Backfill::Assignment{a.key("column").str(), a.key("expression").str()};
    });
    bf.where = opt_str(b.key("where"));
    if (b.has("batch_size")) bf.batch_size = b.key("batch_size").i64();
    if (b.has("est_rows")) bf.est_rows = b.key("est_rows").i64();
    s.backfill = std::move(bf);
  }
  s.on_failure = opt_str(at.key("on_failure"));
  s.on_failure_if = opt_str(at.key("on_failure_if"));
  s.message = opt_str(at.key("message"));
  return s;
}

}  // namespace

std::string to_yaml(const Plan& p) {
  check_plan_utf8(p);
  std::string o;
  if (p.dialect.empty() || p.dialect == "postgres")
    o += "# seam plan: review it, commit it, run it with `seam apply`. Written by seam; edits\n"
         "# change the plan's fingerprint.\n";
  else  // seam's executor refuses these (cmd/apply.cpp): say so where the reviewer reads
    o += "# seam plan: review it, commit it. `seam apply` runs PostgreSQL plans only: run these\n"
         "# steps in order with the product's own tools (docs/dialects.md). Written by seam;\n"
         "# edits change the plan's fingerprint.\n";
  line(o, 0, "format_version", std::to_string(p.format_version));
  text(o, 0, "seam_version", p.seam_version);
  text(o, 0, "dialect", p.dialect);
  text(o, 0, "server_version", p.server_version);
  o += "fingerprints:\n";
  text(o, 2, "source", p.source_fingerprint);
  text(o, 2, "desired", p.desired_fingerprint);
  o += "throttle:\n";
  write_throttle(o, 2, p.throttle);

  const Summary& sm = p.summary;
  o += "summary:\n";
  strings(o, 2, "objects", sm.objects);
  line(o, 2, "rows_to_backfill", std::to_string(sm.rows_to_backfill));
  if (sm.longest_lock_step.empty() && sm.longest_lock == Lock{}) {
    line(o, 2, "longest_lock", "null");
  } else {
    o += "  longest_lock:\n";
    text(o, 4, "step", sm.longest_lock_step);
    text(o, 4, "mode", sm.longest_lock.mode);
    text(o, 4, "table", sm.longest_lock.table);
    line(o, 4, "est_seconds", number(sm.longest_lock.est_seconds));
  }
  if (sm.hazard_counts.empty()) {
    line(o, 2, "hazard_counts", "{}");
  } else {
    o += "  hazard_counts:\n";
    for (const auto& [name, n] : sm.hazard_counts)
      line(o, 4, inline_scalar(name), std::to_string(n));
  }

  if (p.steps.empty()) {
    line(o, 0, "phases", "[]");
    return o;
  }
  o += "phases:\n";
  for (std::size_t i = 0; i < p.steps.size();) {
    Phase ph = p.steps[i].phase;
    o += "  - name: ";
    o += to_string(ph);
    o += "\n    steps:\n";
    for (; i < p.steps.size() && p.steps[i].phase == ph; ++i)
      write_step(o, "      - ", 8, p.steps[i]);
  }
  return o;
}

Plan plan_from_yaml(const std::string& text, const std::string& origin) {
  At root = yamlio::load(text, origin);
  if (root.is_null()) root.fail("empty plan file");
  root.expect_map();
  // The version first: a newer format may have keys this seam does not know.
  root.require("format_version");
  At fv = root.key("format_version");
  int version = fv.i32();
  if (version > kPlanFormatVersion) {
    std::string by = root.has("seam_version") && root.key("seam_version").node.IsScalar()
                         ? root.key("seam_version").node.Scalar()
                         : "a newer version";
    fv.fail("plan format " + std::to_string(version) + " was written by seam " + by +
            "; this seam reads plan formats up to " + std::to_string(kPlanFormatVersion) +
            " - upgrade seam to " + by + " or later to read it");
  }
  if (version < 1) fv.fail("unknown plan format " + std::to_string(version) + " (expected 1)");

  root.check_keys({"format_version", "seam_version", "dialect", "server_version", "fingerprints",
                   "throttle", "summary", "phases"});
  for (const char* k : {"seam_version", "dialect", "server_version", "fingerprints", "throttle",
                        "summary", "phases"})
    root.require(k);
  Plan p;
  p.format_version = version;
  p.seam_version = root.key("seam_version").str();
  p.dialect = root.key("dialect").str();
  p.server_version = root.key("server_version").str();
  At fp = root.key("fingerprints");
  fp.check_keys({"source", "desired"});
  p.source_fingerprint = fp.key("source").str();
  p.desired_fingerprint = fp.key("desired").str();
  At th = root.key("throttle");
  for (const char* k : yamlio::kThrottleKeys) th.require(k);
  p.throttle = yamlio::read_throttle(th, Throttle{});

  At sm = root.key("summary");
  sm.check_keys({"objects", "rows_to_backfill", "longest_lock", "hazard_counts"});
  for (const char* k : {"objects", "rows_to_backfill", "longest_lock", "hazard_counts"})
    sm.require(k);
  p.summary.objects = sm.key("objects").strings();
  p.summary.rows_to_backfill = sm.key("rows_to_backfill").i64();
  At ll = sm.key("longest_lock");
  if (!ll.is_null()) {
    ll.check_keys({"step", "mode", "table", "est_seconds"});
    p.summary.longest_lock_step = ll.key("step").str();
    p.summary.longest_lock.mode = ll.key("mode").str();
    p.summary.longest_lock.table = ll.key("table").str();
    p.summary.longest_lock.est_seconds = ll.key("est_seconds").dbl();
  }
  At hc = sm.key("hazard_counts");
  hc.expect_map();
  {
    std::vector<std::string> seen;
    for (auto it = hc.node.begin(); it != hc.node.end(); ++it) {
      std::string name = it->first.Scalar();
      At v{it->second, origin, hc.path + "." + name};
      for (const auto& s : seen)
        if (s == name) At{it->first, origin, hc.path + "." + name}.fail("duplicate key");
      seen.push_back(name);
      p.summary.hazard_counts.emplace_back(name, v.i32());
    }
  }

  At phases = root.key("phases");
  phases.expect_seq();
  for (std::size_t i = 0; i < phases.node.size(); ++i) {
    At ph = phases.item(i);
    ph.check_keys({"name", "steps"});
    Phase phase = named(ph.key("name"), phase_from_string);
    At steps = ph.key("steps");
    steps.expect_seq();
    for (std::size_t j = 0; j < steps.node.size(); ++j)
      p.steps.push_back(read_step(steps.item(j), phase));
  }
  return p;
}

Plan load_plan_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot read the plan file");
  std::stringstream ss;
  ss << in.rdbuf();
  return plan_from_yaml(ss.str(), path);
}

std::string plan_fingerprint(const Plan& plan) {
  return sha256_hex(to_yaml(plan));
}

}  // namespace seam::planner
