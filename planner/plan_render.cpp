// JSON, Markdown and SQL-preview renderings of a plan (see plan_render.hpp).
// Everything is computed from the Plan alone, in its step order, with fixed
// number formats, so the output is byte-identical for the same plan.
#include "planner/plan_render.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>

#include "schema/canon.hpp"

namespace seam::planner {

namespace {

// --- shared -----------------------------------------------------------------

std::string shortest(double v) {
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, p);
}

// 1234567 -> "1,234,567"
std::string grouped(int64_t n) {
  uint64_t m = n < 0 ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
  std::string digits = std::to_string(m), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (n < 0 ? "-" : "") + out;
}

// A lock's estimated duration for people: "0 s", "~40 ms", "~2.5 s", "~3 min", "~1.2 h".
std::string duration(double s) {
  char buf[64];
  if (!(s > 0)) return "0 s";
  if (std::isinf(s)) return "unbounded";
  if (s < 0.001) return "< 1 ms";
  if (s < 1)
    std::snprintf(buf, sizeof buf, "~%.0f ms", s * 1000);
  else if (s < 60)
    std::snprintf(buf, sizeof buf, "~%.1f s", s);
  else if (s < 3600)
    std::snprintf(buf, sizeof buf, "~%.1f min", s / 60);
  else
    std::snprintf(buf, sizeof buf, "~%.1f h", s / 3600);
  return buf;
}

// One line of text: line breaks (\n, \r, U+2028/9, NEL) become spaces, so
// the text cannot leave a comment or a table row.
std::string one_line(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\n' || c == '\r') {
      out += ' ';
    } else if (s.compare(i, 3, "\xe2\x80\xa8") == 0 || s.compare(i, 3, "\xe2\x80\xa9") == 0) {
      out += ' ';
      i += 2;
    } else if (s.compare(i, 2, "\xc2\x85") == 0) {
      out += ' ';
      i += 1;
    } else {
      out += c;
    }
  }
  return out;
}

// Splits on \n (a \r\n or lone \r counts as a break too).
std::vector<std::string> lines_of(std::string_view s) {
  std::vector<std::string> out(1);
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r' || s[i] == '\n') {
      if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
      out.emplace_back();
    } else {
      out.back() += s[i];
    }
  }
  for (auto& l : out) l = one_line(l);  // U+2028 and friends
  return out;
}

// Hazards in review order: data loss, then blocking locks, then the rest as planned.
std::vector<const Hazard*> review_order(const std::vector<Hazard>& hs) {
  std::vector<const Hazard*> out;
  for (HazardType first : {HazardType::DataLoss, HazardType::BlockingLock})
    for (const auto& h : hs)
      if (h.type == first) out.push_back(&h);
  for (const auto& h : hs)
    if (h.type != HazardType::DataLoss && h.type != HazardType::BlockingLock) out.push_back(&h);
  return out;
}

std::string locks_text(const std::vector<Lock>& locks) {
  std::string out;
  for (const auto& l : locks) {
    if (!out.empty()) out += "; ";
    out += l.mode + " on " + l.table + " " + duration(l.est_seconds);
  }
  return out.empty() ? "none" : out;
}

const Phase kPhases[] = {Phase::Expand, Phase::DualWrite, Phase::Backfill, Phase::Contract};

// "public.users" -> "public"."users" as PostgreSQL would quote it.
std::string qual(const std::string& name) {
  auto dot = name.find('.');
  if (dot == std::string::npos) return schema::quote_ident(name);
  return schema::quote_ident(name.substr(0, dot)) + "." + schema::quote_ident(name.substr(dot + 1));
}

std::string key_list(const std::vector<std::string>& key) {
  std::string out;
  for (const auto& k : key) out += (out.empty() ? "" : ", ") + schema::quote_ident(k);
  return out;
}

// One batch of a backfill as the executor runs it (planner/plan.hpp,
// executor/backfill_sql.cpp), for reading: the batch pages over the key alone,
// then one UPDATE covers the batch's key range and the step's filter.
// <cursor> stands for the last key of the previous batch (the first batch has
// no lower bound); the ledger's cursor is updated in the same statement.
std::string batch_update(const Backfill& b, const Throttle& t) {
  std::string keys = key_list(b.key), set;
  for (const auto& a : b.set)
    set += (set.empty() ? "" : ",\n       ") + schema::quote_ident(a.column) + " = " + a.expression;
  return "WITH batch AS (SELECT " + keys + " FROM " + qual(b.table) + " WHERE (" + keys +
         ") > (<cursor>)\n                ORDER BY " + keys + " LIMIT " +
         std::to_string(b.batch_size ? b.batch_size : t.batch_size) + ")\nUPDATE " + qual(b.table) +
         "\n   SET " + set + "\n WHERE (" + keys + ") >= (<first key of batch>) AND (" + keys +
         ") <= (<last key of batch>)" + (b.where.empty() ? "" : "\n   AND (" + b.where + ")") +
         ";\n";
}

// A TiDB plan's batch (MySQL dialect): backtick quoting, tables by name only,
// and batches of primary-key ranges - the two statements
// dialects/mysql/tidb_backfill.hpp runs, <batch end> being what the first returns.
std::string bq(const std::string& s) {
  std::string out = "`";
  for (char c : s) out += c == '`' ? std::string("``") : std::string(1, c);
  return out + "`";
}
std::string batch_update_tidb(const Backfill& b, const Throttle& t) {
  auto dot = b.table.find('.');
  std::string table = bq(dot == std::string::npos ? b.table : b.table.substr(dot + 1));
  std::string list, set;
  for (const auto& k : b.key) list += (list.empty() ? "" : ", ") + bq(k);
  std::string keys = b.key.size() == 1 ? list : "(" + list + ")";
  for (const auto& a : b.set)
    set += (set.empty() ? "" : ", ") + bq(a.column) + " = " + a.expression;
  int64_t n = b.batch_size ? b.batch_size : t.batch_size;
  return "SELECT " + list + " FROM " + table + " WHERE " + keys + " > <cursor> ORDER BY " + list +
         " LIMIT 1 OFFSET " + std::to_string(n > 0 ? n - 1 : 0) + ";\nUPDATE " + table + " SET " +
         set + " WHERE " + keys + " > <cursor> AND " + keys + " <= <batch end>" +
         (b.where.empty() ? "" : " AND (" + b.where + ")") + ";\n";
}
std::string batch_preview(const Backfill& b, const Plan& p) {
  return p.dialect == "tidb" ? batch_update_tidb(b, p.throttle) : batch_update(b, p.throttle);
}

// --- JSON -------------------------------------------------------------------

struct Json {
  std::string out;
  int depth = 0;
  std::vector<bool> first{true};

  void nl() {
    out += '\n';
    out.append(depth * 2, ' ');
  }
  void sep() {
    if (!first.back()) out += ',';
    first.back() = false;
    if (depth > 0) nl();
  }
  void key(std::string_view k) {
    sep();
    out += json_quote(k);
    out += ": ";
  }
  void open(char c) {
    out += c;
    ++depth;
    first.push_back(true);
  }
  void close(char c) {
    bool empty = first.back();
    first.pop_back();
    --depth;
    if (!empty) nl();
    out += c;
  }
  void str(std::string_view k, std::string_view v) { key(k), out += json_quote(v); }
  void num(std::string_view k, int64_t v) { key(k), out += std::to_string(v); }
  void dbl(std::string_view k, double v) { key(k), out += std::isfinite(v) ? shortest(v) : "null"; }
  void boolean(std::string_view k, bool v) { key(k), out += v ? "true" : "false"; }
  void strings(std::string_view k, const std::vector<std::string>& v) {
    key(k);
    open('[');
    for (const auto& s : v) sep(), out += json_quote(s);
    close(']');
  }
};

void json_step(Json& j, const Step& s) {
  j.sep();
  j.open('{');
  j.str("id", s.id);
  j.str("kind", to_string(s.kind));
  j.str("op", s.op);
  j.str("change", s.change);
  j.str("sql", s.sql);
  j.boolean("transactional", s.transactional);
  j.key("locks");
  j.open('[');
  for (const auto& l : s.locks) {
    j.sep();
    j.open('{');
    j.str("mode", l.mode);
    j.str("table", l.table);
    j.dbl("est_seconds", l.est_seconds);
    j.close('}');
  }
  j.close(']');
  j.boolean("rewrite", s.rewrite);
  j.boolean("scan", s.scan);
  j.key("hazards");
  j.open('[');
  for (const auto& h : s.hazards) {
    j.sep();
    j.open('{');
    j.str("type", to_string(h.type));
    j.str("message", h.message);
    j.close('}');
  }
  j.close(']');
  j.strings("depends_on", s.depends_on);
  j.key("backfill");
  if (!s.backfill) {
    j.out += "null";
  } else {
    const Backfill& b = *s.backfill;
    j.open('{');
    j.str("table", b.table);
    j.strings("key", b.key);
    j.key("set");
    j.open('[');
    for (const auto& a : b.set) {
      j.sep();
      j.open('{');
      j.str("column", a.column);
      j.str("expression", a.expression);
      j.close('}');
    }
    j.close(']');
    j.str("where", b.where);
    j.num("batch_size", b.batch_size);
    j.num("est_rows", b.est_rows);
    j.close('}');
  }
  j.str("on_failure", s.on_failure);
  j.str("on_failure_if", s.on_failure_if);
  j.str("message", s.message);
  j.close('}');
}

// --- Markdown ---------------------------------------------------------------

// Inline code that survives any content: a backtick fence longer than any
// run inside, padded when the text starts or ends with a backtick.
std::string md_code(std::string_view raw) {
  std::string s = one_line(raw);
  std::size_t longest = 0, run = 0;
  for (char c : s) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  std::string fence(longest + 1, '`');
  bool pad = s.empty() || s.front() == '`' || s.back() == '`';
  return fence + (pad ? " " : "") + s + (pad ? " " : "") + fence;
}

// Prose from the plan as Markdown text: one line, characters that would
// format, link or open HTML backslash-escaped.
std::string md_text(std::string_view raw) {
  std::string out;
  for (char c : one_line(raw)) {
    if (std::string_view("\\`*_[]<>~#!&").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

// A table cell: every pipe escaped - GFM splits cells before parsing code
// spans, so this holds inside code spans too, and "\\|" reads back as "|".
std::string md_cell(std::string_view s) {
  std::string out;
  for (char c : one_line(s)) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

// A fenced block that no line of `body` can close early.
std::string md_fence(std::string_view lang, std::string_view body) {
  std::size_t longest = 0, run = 0;
  for (char c : body) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  std::string fence(std::max<std::size_t>(3, longest + 1), '`');
  std::string out = fence + std::string(lang) + "\n" + std::string(body);
  if (out.back() != '\n') out += '\n';
  return out + fence + "\n";
}

std::string md_hazard_name(std::string_view name) {
  bool hot = name == "data-loss" || name == "blocking-lock" || name == "table-rewrite";
  return (hot ? "⚠️ " : "") + std::string("**") + md_text(name) + "**";
}

// --- SQL preview ------------------------------------------------------------

// Comment lines: every line of `text` behind `prefix` ("-- ", "--   ").
void comment(std::string& o, std::string_view prefix, std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  for (const auto& l : lines_of(text)) {
    std::string line = std::string(prefix) + l;
    while (!line.empty() && line.back() == ' ') line.pop_back();
    o += line + "\n";
  }
}

}  // namespace

std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  // U+2028/U+2029 are valid JSON but break JavaScript string literals.
  for (std::size_t at; (at = out.find("\xe2\x80\xa8")) != std::string::npos;)
    out.replace(at, 3, "\\u2028");
  for (std::size_t at; (at = out.find("\xe2\x80\xa9")) != std::string::npos;)
    out.replace(at, 3, "\\u2029");
  return out + "\"";
}

std::string to_json(const Plan& p) {
  Json j;
  j.open('{');
  j.num("format_version", p.format_version);
  j.str("seam_version", p.seam_version);
  j.str("dialect", p.dialect);
  j.str("server_version", p.server_version);
  j.key("fingerprints");
  j.open('{');
  j.str("source", p.source_fingerprint);
  j.str("desired", p.desired_fingerprint);
  j.close('}');
  j.key("throttle");
  j.open('{');
  j.num("batch_size", p.throttle.batch_size);
  j.dbl("rows_per_second", p.throttle.rows_per_second);
  j.num("target_batch_ms", p.throttle.target_batch_ms);
  j.num("lock_timeout_ms", p.throttle.lock_timeout_ms);
  j.num("statement_timeout_ms", p.throttle.statement_timeout_ms);
  j.num("max_retries", p.throttle.max_retries);
  j.num("max_replica_lag_ms", p.throttle.max_replica_lag_ms);
  j.close('}');
  j.key("summary");
  j.open('{');
  j.strings("objects", p.summary.objects);
  j.num("rows_to_backfill", p.summary.rows_to_backfill);
  j.key("longest_lock");
  if (p.summary.longest_lock_step.empty() && p.summary.longest_lock == Lock{}) {
    j.out += "null";
  } else {
    j.open('{');
    j.str("step", p.summary.longest_lock_step);
    j.str("mode", p.summary.longest_lock.mode);
    j.str("table", p.summary.longest_lock.table);
    j.dbl("est_seconds", p.summary.longest_lock.est_seconds);
    j.close('}');
  }
  // Pairs, not an object: names are not guaranteed unique by the type and
  // JSON readers disagree on duplicate keys.
  j.key("hazard_counts");
  j.open('[');
  for (const auto& [name, n] : p.summary.hazard_counts) {
    j.sep();
    j.open('{');
    j.str("type", name);
    j.num("count", n);
    j.close('}');
  }
  j.close(']');
  j.close('}');
  j.key("phases");
  j.open('[');
  for (std::size_t i = 0; i < p.steps.size();) {
    Phase ph = p.steps[i].phase;
    j.sep();
    j.open('{');
    j.str("name", to_string(ph));
    j.key("steps");
    j.open('[');
    for (; i < p.steps.size() && p.steps[i].phase == ph; ++i) json_step(j, p.steps[i]);
    j.close(']');
    j.close('}');
  }
  j.close(']');
  j.close('}');
  return j.out + "\n";
}

std::string to_markdown(const Plan& p) {
  std::string o = "## seam plan\n\n";
  // Fingerprints shortened like git commits: 12 hex digits, "sha256:" dropped.
  auto short_fp = [](const std::string& fp) {
    std::string hex = fp.rfind("sha256:", 0) == 0 ? fp.substr(7) : fp;
    return md_code(hex.substr(0, 12));
  };
  o += md_text(p.dialect) + " " + md_text(p.server_version) + " · seam " + md_text(p.seam_version) +
       " · source " + short_fp(p.source_fingerprint) + " → desired " +
       short_fp(p.desired_fingerprint) + "\n\n";
  if (p.steps.empty()) return o + "No changes: the database already matches the desired state.\n";

  // Summary table.
  std::string objects = std::to_string(p.summary.objects.size());
  for (std::size_t i = 0; i < p.summary.objects.size(); ++i)
    objects += (i ? ", " : ": ") + md_code(p.summary.objects[i]);
  std::string per_phase;
  int checkpoints = 0;
  for (Phase ph : kPhases) {
    int n = 0;
    for (const Step* s : p.phase_steps(ph)) {
      if (s->kind == StepKind::Checkpoint)
        ++checkpoints;
      else
        ++n;
    }
    per_phase +=
        (per_phase.empty() ? "" : " · ") + std::string(to_string(ph)) + " " + std::to_string(n);
  }
  per_phase += " · manual checkpoints " + std::to_string(checkpoints);
  std::string longest = "none";
  if (!p.summary.longest_lock_step.empty() || !(p.summary.longest_lock == Lock{})) {
    const Lock& l = p.summary.longest_lock;
    longest = md_text(l.mode) + " on " + md_code(l.table) + ", " + duration(l.est_seconds) +
              " (step " + md_code(p.summary.longest_lock_step) + ")";
  }
  std::string hazards;
  {
    std::vector<std::pair<std::string, int>> hc = p.summary.hazard_counts;
    std::stable_sort(hc.begin(), hc.end(), [](const auto& a, const auto& b) {
      auto rank = [](const std::string& n) {
        return n == "data-loss" ? 0 : n == "blocking-lock" ? 1 : 2;
      };
      return rank(a.first) < rank(b.first);
    });
    for (const auto& [name, n] : hc)
      hazards += (hazards.empty() ? "" : " · ") + md_hazard_name(name) + " " + std::to_string(n);
    if (hazards.empty()) hazards = "none";
  }
  o += "| | |\n| --- | --- |\n";
  o += "| Objects touched | " + md_cell(objects) + " |\n";
  o += "| Steps | " + md_cell(per_phase) + " |\n";
  o += "| Rows to backfill | " + grouped(p.summary.rows_to_backfill) + " |\n";
  o += "| Longest lock | " + md_cell(longest) + " |\n";
  o += "| Hazards | " + md_cell(hazards) + " |\n\n";

  // Steps by phase, in plan order.
  int number = 0;
  for (std::size_t i = 0; i < p.steps.size();) {
    Phase ph = p.steps[i].phase;
    std::size_t end = i;
    while (end < p.steps.size() && p.steps[end].phase == ph) ++end;
    o += "### " + std::string(to_string(ph)) + "\n\n";
    for (; i < end; ++i) {
      const Step& s = p.steps[i];
      ++number;
      if (s.kind == StepKind::Checkpoint) {
        o += "> 🛑 **Manual checkpoint** " + md_code(s.id) +
             ": `seam apply` stops here until the job is approved.\n";
        for (const auto& l : lines_of(s.message))
          o += ">" + (l.empty() ? "" : " " + md_text(l)) + "\n";
        o += "\n";
        continue;
      }
      o += "**" + std::to_string(number) + ".** " + md_code(s.id);
      if (!s.change.empty()) o += " — " + md_text(s.change);
      o += "\n\n";
      std::string facts = "- lock: " + md_text(locks_text(s.locks));
      facts += std::string(" · transactional: ") + (s.transactional ? "yes" : "**no**");
      if (s.rewrite) facts += " · **rewrites the table**";
      if (s.scan) facts += " · scans the table";
      if (!s.op.empty()) facts += " · op " + md_code(s.op);
      o += facts + "\n";
      if (!s.depends_on.empty()) {
        o += "- after:";
        for (const auto& d : s.depends_on) o += " " + md_code(d);
        o += "\n";
      }
      for (const Hazard* h : review_order(s.hazards)) {
        o += "- " + md_hazard_name(to_string(h->type)) + ": " + md_text(h->message) + "\n";
      }
      o += "\n";
      if (s.backfill) {
        const Backfill& b = *s.backfill;
        std::string batch =
            b.batch_size ? grouped(b.batch_size) : grouped(p.throttle.batch_size) + " (throttle)";
        o += "Backfill of " + md_code(b.table) + ", about " + grouped(b.est_rows) +
             " rows, in batches of " + batch + " by key " + md_code(key_list(b.key)) + ":\n\n";
        o += md_fence("sql", batch_preview(b, p)) + "\n";
      }
      if (!s.sql.empty()) o += md_fence("sql", s.sql) + "\n";
      if (!s.on_failure.empty()) o += "On failure:\n\n" + md_fence("sql", s.on_failure) + "\n";
      if (!s.on_failure_if.empty())
        o += "Only if this returns true:\n\n" + md_fence("sql", s.on_failure_if) + "\n";
      if (!s.message.empty()) {
        for (const auto& l : lines_of(s.message))
          o += ">" + (l.empty() ? "" : " " + md_text(l)) + "\n";
        o += "\n";
      }
    }
  }
  while (o.size() >= 2 && o[o.size() - 1] == '\n' && o[o.size() - 2] == '\n') o.pop_back();
  return o;
}

std::string to_sql(const Plan& p) {
  std::string o;
  if (p.dialect.empty() || p.dialect == "postgres")
    o += "-- seam plan preview: a reading copy, not a script. `seam apply` runs the plan file,\n"
         "-- batching backfills and stopping at checkpoints.\n";
  else  // seam apply runs PostgreSQL plans only (cmd/apply.cpp refuses the others)
    o += "-- seam plan preview: a reading copy, not a script. `seam apply` does not run " +
         p.dialect +
         " plans yet:\n-- run each step alone, in order, the backfills batch by batch, and stop "
         "at the checkpoints.\n";
  comment(o, "-- ",
          "seam " + p.seam_version + ", " + p.dialect + " " + p.server_version + ", plan format " +
              std::to_string(p.format_version));
  comment(o, "-- source fingerprint:  ", p.source_fingerprint);
  comment(o, "-- desired fingerprint: ", p.desired_fingerprint);
  if (p.steps.empty()) return o + "-- no changes\n";
  std::string longest = "none";
  if (!p.summary.longest_lock_step.empty())
    longest = p.summary.longest_lock.mode + " on " + p.summary.longest_lock.table + " " +
              duration(p.summary.longest_lock.est_seconds) + " (" + p.summary.longest_lock_step +
              ")";
  comment(o, "-- ",
          std::to_string(p.steps.size()) + " steps, " + std::to_string(p.summary.rows_to_backfill) +
              " rows to backfill, longest lock: " + one_line(longest));
  for (std::size_t i = 0; i < p.steps.size();) {
    Phase ph = p.steps[i].phase;
    o += "\n-- phase: " + std::string(to_string(ph)) + "\n";
    for (; i < p.steps.size() && p.steps[i].phase == ph; ++i) {
      const Step& s = p.steps[i];
      o += "\n";
      if (s.kind == StepKind::Checkpoint) {
        auto ls = lines_of(s.message.empty() ? "approve to continue" : s.message);
        comment(o, "-- CHECKPOINT: ", ls[0]);
        for (std::size_t k = 1; k < ls.size(); ++k) comment(o, "--             ", ls[k]);
        comment(o, "--             ",
                "(step " + s.id + "; `seam apply` stops here until the job is approved)");
        continue;
      }
      std::string hz;
      for (const Hazard* h : review_order(s.hazards))
        hz += (hz.empty() ? "" : ", ") + std::string(to_string(h->type));
      comment(o, "-- ",
              "step " + one_line(s.id) + " (lock: " + locks_text(s.locks) + ", transactional: " +
                  (s.transactional ? "yes" : "no") + (s.rewrite ? ", rewrites" : "") +
                  (s.scan ? ", scans" : "") + ", hazards: " + (hz.empty() ? "none" : hz) + ")");
      if (!s.change.empty()) comment(o, "--   ", s.change);
      for (const Hazard* h : review_order(s.hazards))
        comment(o, "--   ", std::string(to_string(h->type)) + ": " + one_line(h->message));
      if (s.backfill) {
        const Backfill& b = *s.backfill;
        std::string batch = std::to_string(b.batch_size ? b.batch_size : p.throttle.batch_size);
        comment(o, "-- ",
                "backfill " + b.table + " (~" + std::to_string(b.est_rows) +
                    " rows) in batches of " + batch + ", each its own transaction, in key order:");
        comment(o, "--   ", batch_preview(b, p));
      }
      if (!s.sql.empty()) {
        o += s.sql;
        if (o.back() != '\n') o += '\n';
      }
      if (!s.on_failure.empty()) {
        comment(o, "-- ", "on failure:");
        comment(o, "--   ", s.on_failure);
        if (!s.on_failure_if.empty()) {
          comment(o, "-- ", "only if this returns true:");
          comment(o, "--   ", s.on_failure_if);
        }
      }
    }
  }
  return o;
}

}  // namespace seam::planner
