// Rendering a rehearsal report (see rehearse_report.hpp).
#include "executor/rehearse_report.hpp"

#include <cstdio>
#include <map>

#include "executor/ledger.hpp"

namespace seam::executor {

namespace {

std::string secs(double s) {
  if (s < 0) return "?";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", s);
  return buf;
}
std::string num(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  return buf;
}
std::string group(int64_t n) {
  std::string s = std::to_string(n < 0 ? -n : n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return n < 0 ? "-" + s : s;
}
std::string pad(std::string s, size_t n) {
  if (s.size() < n) s += std::string(n - s.size(), ' ');
  return s;
}

// "kill 5, disconnect 4, stall 3" over injected faults (kinds in schedule order of first use).
std::string by_kind(const Report& r) {
  std::vector<std::string> order;
  std::map<std::string, int> n;
  for (const auto& k : r.kinds) order.push_back(k), n[k] = 0;
  for (const auto& f : r.faults)
    if (f.status == "injected") {
      std::string k = to_string(f.fault.kind);
      if (!n.count(k)) order.push_back(k);
      ++n[k];
    }
  std::string s;
  for (const auto& k : order) s += (s.empty() ? "" : ", ") + k + " " + std::to_string(n[k]);
  return s;
}
int count_status(const Report& r, const std::string& st) {
  int n = 0;
  for (const auto& f : r.faults) n += f.status == st;
  return n;
}

// Markdown table cells: no pipes or newlines.
std::string cell(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += ' ';
    else
      out += c;
  }
  return out;
}

}  // namespace

std::string schedule_text(const std::vector<Fault>& schedule) {
  std::string s;
  for (const auto& f : schedule) {
    std::string n = std::to_string(f.number);
    s += std::string(n.size() < 4 ? 4 - n.size() : 0, ' ') + n + "  " + pad(to_string(f.kind), 12) +
         f.describe().substr(std::string(to_string(f.kind)).size() + 1) + "\n";
  }
  return s;
}

std::string render_text(const Report& r) {
  std::string s = "seam rehearse: plan " + r.plan_path + " (" + r.plan_fingerprint.substr(0, 12) +
                  ", " + std::to_string(r.steps) + " steps, " + group(r.rows_to_backfill) +
                  " rows to backfill) on " + r.database + "\n";
  std::string kinds;
  for (const auto& k : r.kinds) kinds += (kinds.empty() ? "" : ", ") + k;
  s += "seed " + std::to_string(r.seed) + ", " + std::to_string(r.faults_requested) +
       " faults requested (" + kinds + ")" + (r.cluster.empty() ? "" : ", cluster " + r.cluster) +
       (r.approve_checkpoints ? ", checkpoints approved automatically" : "") + "\n\n";
  s += "fault schedule:\n" + (r.schedule.empty()
                                  ? "  (none: the plan has no step to inject faults into)\n"
                                  : schedule_text(r.schedule));
  s += "\nfaults:\n";
  for (const auto& f : r.faults) {
    std::string n = std::to_string(f.fault.number);
    s += std::string(n.size() < 4 ? 4 - n.size() : 0, ' ') + n + "  " +
         pad(to_string(f.fault.kind), 12) + pad(f.status, 12);
    if (f.status == "injected") {
      s += f.at + ": " + f.outcome + "; lost " + secs(f.lost_s) + (f.ok ? "" : "  <-- DEFECT");
    } else if (!f.outcome.empty()) {
      s += f.outcome;
    }
    s += "\n";
  }
  s += "injected by kind: " + by_kind(r) + "; not reached " +
       std::to_string(count_status(r, "not reached")) + ", not supported " +
       std::to_string(count_status(r, "not supported")) + "\n";
  s += "applier runs: " + std::to_string(r.applier_runs) + " (" + std::to_string(r.resumes) +
       " resumes after faults, " + std::to_string(r.busy_retries) +
       " retries while the lease was still held); wall time " + secs(r.wall_s) +
       ", time lost to faults " + secs(r.lost_s) + "\n";
  s += "job " + std::to_string(r.job) + ": " + (r.job_state.empty() ? "?" : r.job_state) +
       "\n\nchecks:\n";
  for (const auto& c : r.checks)
    s += std::string(c.ok ? "  ok    " : "  FAIL  ") + c.name + ": " + c.detail + "\n";
  if (r.checks.empty()) s += "  (none ran)\n";
  for (const auto& n : r.notes) s += "note: " + n + "\n";
  s += "\nverdict: " + r.verdict + "\n";
  for (const auto& why : r.reasons) s += "  - " + why + "\n";
  return s;
}

std::string render_json(const Report& r) {
  auto strs = [](const std::vector<std::string>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + json_str(v[i]);
    return s + "]";
  };
  auto fault = [](const Fault& f) {
    return "{\"number\": " + std::to_string(f.number) +
           ", \"kind\": " + json_str(to_string(f.kind)) + ", \"step\": " + json_str(f.step) +
           ", \"rows\": " + (f.rows >= 0 ? std::to_string(f.rows) : "null") +
           ", \"describe\": " + json_str(f.describe()) + "}";
  };
  std::string s = "{\n";
  s += "  \"plan\": {\"path\": " + json_str(r.plan_path) +
       ", \"fingerprint\": " + json_str(r.plan_fingerprint) +
       ", \"steps\": " + std::to_string(r.steps) +
       ", \"rows_to_backfill\": " + std::to_string(r.rows_to_backfill) + "},\n";
  s += "  \"database\": " + json_str(r.database) + ",\n";
  s += "  \"seed\": " + std::to_string(r.seed) + ",\n";
  s += "  \"faults_requested\": " + std::to_string(r.faults_requested) + ",\n";
  s += "  \"kinds\": " + strs(r.kinds) + ",\n";
  s +=
      "  \"approve_checkpoints\": " + std::string(r.approve_checkpoints ? "true" : "false") + ",\n";
  s += "  \"cluster\": " + (r.cluster.empty() ? std::string("null") : json_str(r.cluster)) + ",\n";
  s += "  \"schedule\": [";
  for (size_t i = 0; i < r.schedule.size(); ++i)
    s += std::string(i ? "," : "") + "\n    " + fault(r.schedule[i]);
  s += r.schedule.empty() ? "],\n" : "\n  ],\n";
  s += "  \"faults\": [";
  for (size_t i = 0; i < r.faults.size(); ++i) {
    const auto& f = r.faults[i];
    s += std::string(i ? "," : "") + "\n    {\"fault\": " + fault(f.fault) +
         ", \"status\": " + json_str(f.status) + ", \"at\": " + json_str(f.at) +
         ", \"outcome\": " + json_str(f.outcome) +
         ", \"lost_s\": " + (f.lost_s >= 0 ? num(f.lost_s) : "null") +
         ", \"ok\": " + (f.ok ? "true" : "false") + "}";
  }
  s += r.faults.empty() ? "],\n" : "\n  ],\n";
  std::map<std::string, int> kinds;
  for (const auto& f : r.faults)
    if (f.status == "injected") ++kinds[to_string(f.fault.kind)];
  s += "  \"injected\": {";
  bool first = true;
  int total = 0;
  for (const auto& [k, n] : kinds) {
    s += std::string(first ? "" : ", ") + json_str(k) + ": " + std::to_string(n);
    first = false;
    total += n;
  }
  s += "},\n  \"injected_total\": " + std::to_string(total) + ",\n";
  s += "  \"applier_runs\": " + std::to_string(r.applier_runs) +
       ",\n  \"resumes\": " + std::to_string(r.resumes) +
       ",\n  \"busy_retries\": " + std::to_string(r.busy_retries) + ",\n";
  s += "  \"wall_s\": " + num(r.wall_s) + ",\n  \"lost_s\": " + num(r.lost_s) + ",\n";
  s += "  \"job\": " + std::to_string(r.job) + ",\n  \"job_state\": " + json_str(r.job_state) +
       ",\n";
  s += "  \"checks\": [";
  for (size_t i = 0; i < r.checks.size(); ++i)
    s += std::string(i ? "," : "") + "\n    {\"name\": " + json_str(r.checks[i].name) +
         ", \"ok\": " + (r.checks[i].ok ? "true" : "false") +
         ", \"detail\": " + json_str(r.checks[i].detail) + "}";
  s += r.checks.empty() ? "],\n" : "\n  ],\n";
  s += "  \"notes\": " + strs(r.notes) + ",\n";
  s += "  \"verdict\": " + json_str(r.verdict) + ",\n  \"reasons\": " + strs(r.reasons) + "\n}\n";
  return s;
}

std::string render_markdown(const Report& r) {
  std::string s = "## seam rehearse: " + r.verdict + "\n\n";
  for (const auto& why : r.reasons) s += "- " + cell(why) + "\n";
  if (!r.reasons.empty()) s += "\n";
  s += "Plan `" + r.plan_path + "` (`" + r.plan_fingerprint.substr(0, 12) + "`, " +
       std::to_string(r.steps) + " steps, " + group(r.rows_to_backfill) +
       " rows to backfill) on `" + r.database + "`; seed " + std::to_string(r.seed) + ", " +
       std::to_string(r.faults_requested) + " faults requested.\n\n";
  s += "| # | kind | trigger | status | fired at | outcome | lost |\n| ---: | --- | --- | --- | "
       "--- | --- | ---: |\n";
  for (const auto& f : r.faults) {
    std::string trig = f.fault.describe().substr(std::string(to_string(f.fault.kind)).size() + 1);
    s += "| " + std::to_string(f.fault.number) + " | " + to_string(f.fault.kind) + " | " +
         cell(trig) + " | " + f.status + " | " + cell(f.at) + " | " + cell(f.outcome) +
         (f.ok ? "" : " **defect**") + " | " + (f.lost_s >= 0 ? secs(f.lost_s) : "") + " |\n";
  }
  s += "\nInjected by kind: " + by_kind(r) + ". Applier runs: " + std::to_string(r.applier_runs) +
       " (" + std::to_string(r.resumes) + " resumes). Wall time " + secs(r.wall_s) +
       ", time lost to faults " + secs(r.lost_s) + ". Job " + std::to_string(r.job) + ": " +
       r.job_state + ".\n\n";
  s += "| check | result | detail |\n| --- | --- | --- |\n";
  for (const auto& c : r.checks)
    s += "| " + cell(c.name) + " | " + (c.ok ? "ok" : "**FAIL**") + " | " + cell(c.detail) + " |\n";
  for (const auto& n : r.notes) s += "\nNote: " + n + "\n";
  return s;
}

}  // namespace seam::executor
