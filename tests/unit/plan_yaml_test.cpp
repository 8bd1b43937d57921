// The plan file (planner/plan_yaml.hpp): exact round trip for every plan -
// tricky strings, numbers, empty and odd shapes, a seeded random sweep -,
// readable output (SQL verbatim in literal blocks), determinism and the
// fingerprint, and parse errors that name origin:line:col and the key.
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "planner/plan_yaml.hpp"
#include "schema/errors.hpp"
#include "tests/support/sample_plans.hpp"

namespace {

using namespace seam::planner;

void expect_round_trip(const Plan& p) {
  std::string y = to_yaml(p);
  Plan back;
  try {
    back = plan_from_yaml(y, "rt.yaml");
  } catch (const std::exception& e) {
    FAIL() << e.what() << "\n--- yaml ---\n" << y;
  }
  EXPECT_TRUE(back == p) << "--- yaml ---\n" << y << "--- re-written ---\n" << to_yaml(back);
  EXPECT_EQ(to_yaml(back), y);
}

// Puts `s` in every string field of a plan (and in lists).
Plan plan_with_everywhere(const std::string& s) {
  Plan p = seam::test::sample_plan();
  p.seam_version = s;
  p.dialect = s;
  p.server_version = s;
  p.source_fingerprint = s;
  p.desired_fingerprint = s;
  p.summary.objects = {s, s + "x"};
  p.summary.longest_lock_step = s;
  p.summary.longest_lock.mode = s;
  p.summary.longest_lock.table = s;
  p.summary.hazard_counts = {{s, 3}};
  for (auto& st : p.steps) {
    st.id = s;
    st.op = s;
    st.change = s;
    if (st.kind == StepKind::Sql) st.sql = s;
    st.on_failure = s;
    st.on_failure_if = s;
    st.message = s;
    st.depends_on = {s, "plain"};
    for (auto& l : st.locks) l.mode = s, l.table = s;
    for (auto& h : st.hazards) h.message = s;
    if (st.backfill) {
      st.backfill->table = s;
      st.backfill->key = {s, s};
      st.backfill->where = s;
      for (auto& a : st.backfill->set) a.column = s, a.expression = s;
    }
  }
  return p;
}

const std::vector<std::string> kTricky = {
    "",
    " ",
    "  leading spaces",
    "trailing spaces  ",
    "\ttab first",
    "it's: a colon",
    "key: value",
    "# not a comment",
    "a #hash",
    "- dash",
    "-",
    "?",
    "|",
    ">",
    "!tag",
    "&anchor",
    "*alias",
    "%directive",
    "@at",
    "`tick",
    "{flow}",
    "[seq]",
    "\"double\"",
    "'single'",
    "back\\slash",
    "yes",
    "no",
    "Yes",
    "NO",
    "on",
    "off",
    "y",
    "n",
    "true",
    "false",
    "null",
    "Null",
    "~",
    "123",
    "007",
    "1.5",
    "-1",
    "1e3",
    "0x1F",
    ".inf",
    ".nan",
    "NaN",
    "---",
    "...",
    "--- x",
    "unicode: é ü ß 日本語 🚀",
    "ünïcödé first",
    "line1\nline2",
    "SELECT 1;\n",
    "SELECT 1;\n\n",
    "SELECT 1;\n\n\n",
    "\nstarts with newline",
    "\n\nstarts with two",
    "  indented first line\nsecond",
    "trailing spaces   \nand tabs\t\t\nend",
    "tabs\tinside\n\tindented by tab\n",
    "blank middle\n   \nline",
    "blank last\n   ",
    "blank last nl\n   \n",
    "tab only line\n\t\nx",
    "\n",
    "\n\n",
    "   \n",
    "crlf\r\nline",
    "cr\ronly",
    "nul\x01"
    "ctrl\x1f",
    "del\x7f",
    "nel\xc2\x85"
    "x",
    "ls\xe2\x80\xa8"
    "ps\xe2\x80\xa9",
    "bom\xef\xbb\xbf",
    "quote \" and newline\n\"quoted line\"\n",
    "CREATE FUNCTION f() RETURNS int AS $$\n  SELECT 1; -- # comment: yes\n$$ LANGUAGE sql;",
    "- item\n- item: two\n  # comment\n",
    "key: |\n  nested block\n",
    "   \n   \nx",
    "x\n\n\n\ny",
};

TEST(PlanYaml, SamplePlanRoundTrips) {
  expect_round_trip(seam::test::sample_plan());
  expect_round_trip(seam::test::sample_plan(0));
}

TEST(PlanYaml, EmptyPlanRoundTrips) {
  Plan p;
  expect_round_trip(p);
  std::string y = to_yaml(p);
  EXPECT_NE(y.find("phases: []"), std::string::npos) << y;
  EXPECT_NE(y.find("longest_lock: null"), std::string::npos) << y;
}

TEST(PlanYaml, TrickyStringsRoundTripInEveryField) {
  for (const auto& s : kTricky) {
    SCOPED_TRACE("string: [" + s + "]");
    expect_round_trip(plan_with_everywhere(s));
  }
}

TEST(PlanYaml, NumbersRoundTripExactly) {
  Plan p = seam::test::sample_plan();
  std::vector<double> values = {0.0,
                                -0.0,
                                0.1,
                                1.0 / 3,
                                1e-300,
                                123456.789,
                                1e21,
                                5e-324,
                                std::numeric_limits<double>::max(),
                                std::numeric_limits<double>::infinity()};
  for (double v : values) {
    SCOPED_TRACE(v);
    p.steps[0].locks[0].est_seconds = v;
    p.throttle.rows_per_second = v;
    p.summary.longest_lock.est_seconds = v;
    expect_round_trip(p);
  }
  p.throttle.batch_size = std::numeric_limits<int64_t>::max();
  p.summary.rows_to_backfill = std::numeric_limits<int64_t>::min();
  p.throttle.max_retries = std::numeric_limits<int>::max();
  expect_round_trip(p);
}

TEST(PlanYaml, InterleavedPhasesKeepStepOrder) {
  Plan p = seam::test::sample_plan();
  std::swap(p.steps[1], p.steps[3]);  // backfill before expand: still the file order
  expect_round_trip(p);
  std::string y = to_yaml(p);
  size_t n = 0;
  for (size_t at = y.find("- name: expand"); at != std::string::npos;
       at = y.find("- name: expand", at + 1))
    ++n;
  EXPECT_EQ(n, 2u) << y;
}

TEST(PlanYaml, DefaultsAndNonDefaultsOfEveryStepField) {
  Plan p;
  Step cp;
  cp.id = "c";
  cp.kind = StepKind::Checkpoint;
  cp.phase = Phase::Backfill;
  p.steps.push_back(cp);  // checkpoint, everything default
  cp.id = "c2";
  cp.transactional = false;  // non-default fields on a checkpoint
  cp.rewrite = cp.scan = true;
  cp.op = "x";
  cp.sql = "SELECT 1;";
  cp.locks = {{"SHARE", "t", 0}};
  cp.hazards = {{HazardType::MaybeRename, "m"}};
  cp.backfill = Backfill{};
  p.steps.push_back(cp);
  Step sql;
  sql.id = "s";
  sql.phase = Phase::DualWrite;
  p.steps.push_back(sql);  // a sql step with an empty statement
  Step bf;
  bf.id = "b";
  bf.kind = StepKind::Backfill;
  bf.backfill = Backfill{"t", {"a", "b"}, {}, "", 7, 9};
  p.steps.push_back(bf);
  expect_round_trip(p);
}

// Random strings over an alphabet of YAML's special characters.
TEST(PlanYaml, RandomStringsRoundTrip) {
  const std::vector<std::string> alphabet = {" ",
                                             "  ",
                                             "\t",
                                             "\n",
                                             "\n\n",
                                             ":",
                                             ": ",
                                             "#",
                                             " #",
                                             "-",
                                             "- ",
                                             "|",
                                             ">",
                                             "'",
                                             "\"",
                                             "\\",
                                             "{",
                                             "}",
                                             "[",
                                             "]",
                                             ",",
                                             "&",
                                             "*",
                                             "!",
                                             "%",
                                             "@",
                                             "`",
                                             "?",
                                             "a",
                                             "b",
                                             "Z",
                                             "0",
                                             "9",
                                             ".",
                                             "é",
                                             "€",
                                             "🚀",
                                             "\r",
                                             "\x01",
                                             "\xc2\x85",
                                             "\xe2\x80\xa8",
                                             "yes",
                                             "null",
                                             "~",
                                             "---",
                                             "..."};
  std::mt19937 rng(20241125);
  for (int i = 0; i < 1500; ++i) {
    // Every other case starts with a letter, so plain scalars are tried too.
    std::string s = i % 2 ? "a" : "";
    int len = static_cast<int>(rng() % 12);
    for (int k = 0; k < len; ++k) s += alphabet[rng() % alphabet.size()];
    SCOPED_TRACE("case " + std::to_string(i) + ": [" + s + "]");
    Plan p = seam::test::sample_plan();
    p.steps[2].sql = s;
    p.steps[0].id = s;
    p.steps[4].message = s;
    p.summary.hazard_counts = {{s, 1}};
    p.steps[3].backfill->set[0].expression = s;
    expect_round_trip(p);
    if (testing::Test::HasFailure()) break;
  }
}

TEST(PlanYaml, SqlIsVerbatimInALiteralBlock) {
  Plan p = seam::test::sample_plan();
  std::string y = to_yaml(p);
  // The trigger body: a literal block whose lines are the SQL's lines.
  EXPECT_NE(y.find("        sql: |-\n          CREATE FUNCTION "
                   "\"public\".\"seam_sync_orders_id\"() RETURNS trigger\n"
                   "          LANGUAGE plpgsql AS $$\n          BEGIN\n            NEW.\"id_new\" "
                   ":= NEW.\"id\";\n"),
            std::string::npos)
      << y;
  // One-line SQL reads verbatim too (a block, no escaped quotes), and
  // prose is plain where YAML allows it.
  EXPECT_NE(y.find("        sql: |-\n          CREATE INDEX CONCURRENTLY \"users_email_idx\" ON "
                   "\"public\".\"users\" "
                   "(\"email\");\n"),
            std::string::npos)
      << y;
  EXPECT_NE(y.find("            message: CREATE INDEX CONCURRENTLY runs outside a transaction; a "
                   "failed build"),
            std::string::npos)
      << y;
  // Trailing blanks inside SQL survive in the block, not escaped.
  p.steps[2].sql = "SELECT 1;   \nSELECT 2;\t\n";
  y = to_yaml(p);
  EXPECT_NE(y.find("sql: |\n          SELECT 1;   \n          SELECT 2;\t\n"), std::string::npos)
      << y;
  // Checkpoints are explicit entries; keys are in the documented order.
  EXPECT_NE(
      y.find("      - id: contract-000-checkpoint\n        kind: checkpoint\n        depends_on:"),
      std::string::npos)
      << y;
  std::vector<std::string> order = {
      "format_version:", "seam_version:", "dialect:", "server_version:",
      "fingerprints:",   "throttle:",     "summary:", "phases:"};
  size_t at = 0;
  for (const auto& k : order) {
    size_t next = y.find("\n" + k, at);
    ASSERT_NE(next, std::string::npos) << k;
    at = next;
  }
}

TEST(PlanYaml, DeterministicAndFingerprinted) {
  Plan a = seam::test::sample_plan(), b = seam::test::sample_plan();
  EXPECT_EQ(to_yaml(a), to_yaml(b));
  EXPECT_EQ(plan_fingerprint(a), plan_fingerprint(b));
  EXPECT_EQ(plan_fingerprint(a).size(), 64u);
  b.steps[5].sql += " ";
  EXPECT_NE(plan_fingerprint(a), plan_fingerprint(b));
  b = a;
  b.throttle.batch_size += 1;
  EXPECT_NE(plan_fingerprint(a), plan_fingerprint(b));
}

TEST(PlanYaml, InvalidUtf8IsRefusedWhenWriting) {
  Plan p = seam::test::sample_plan();
  p.steps[1].sql = "SELECT '\xff';";
  EXPECT_THROW(to_yaml(p), std::invalid_argument);
}

std::string parse_error(const std::string& text) {
  try {
    plan_from_yaml(text, "plans/p.yaml");
  } catch (const seam::InputError& e) {
    return e.what();
  }
  return "(no error)";
}

// The sample's YAML with one line replaced (the first line starting with `from`).
std::string edited(const std::string& from, const std::string& to) {
  std::string y = to_yaml(seam::test::sample_plan());
  size_t at = y.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  y.replace(at, from.size(), to);
  return y;
}

int line_of(const std::string& y, const std::string& needle) {
  size_t at = y.find(needle);
  return 1 + static_cast<int>(std::count(y.begin(), y.begin() + at, '\n'));
}

TEST(PlanYaml, ErrorsNameOriginLineColumnAndKey) {
  std::string y =
      edited("        rewrite: false\n", "        rewrite: false\n        rewritten: true\n");
  int ln = line_of(y, "rewritten:");
  EXPECT_EQ(parse_error(y),
            "plans/p.yaml:" + std::to_string(ln) +
                ":9: phases[0].steps[0].rewritten: unknown key (expected one of: id, kind, op, "
                "change, sql, transactional, locks, rewrite, scan, hazards, depends_on, backfill, "
                "on_failure, on_failure_if, message)");
  y = edited("        scan: true\n", "        scan: maybe\n");
  EXPECT_EQ(parse_error(y),
            "plans/p.yaml:" + std::to_string(line_of(y, "scan: maybe")) +
                ":15: phases[0].steps[0].scan: expected true or false, got 'maybe'");
  y = edited("kind: backfill", "kind: bulk");
  EXPECT_NE(parse_error(y).find(
                "phases[2].steps[0].kind: unknown step kind 'bulk' (expected sql, backfill or "
                "checkpoint)"),
            std::string::npos)
      << parse_error(y);
  y = edited("          - type: full-scan", "          - type: full-scans");
  EXPECT_NE(parse_error(y).find(
                ":" + std::to_string(line_of(y, "full-scans")) +
                ":19: phases[0].steps[0].hazards[0].type: unknown hazard type 'full-scans'"),
            std::string::npos)
      << parse_error(y);
  y = edited("  batch_size: 5000\n", "  batch_size: 5000.5\n");
  EXPECT_NE(parse_error(y).find("throttle.batch_size: expected an integer, got '5000.5'"),
            std::string::npos);
  y = edited("  - name: dual-write", "  - name: dualwrite");
  EXPECT_NE(parse_error(y).find("phases[1].name: unknown phase 'dualwrite'"), std::string::npos);
  y = edited("dialect: postgres\n", "");
  EXPECT_NE(parse_error(y).find("plans/p.yaml:3:1: missing required key 'dialect'"),
            std::string::npos)
      << parse_error(y);
  y = edited("dialect: postgres\n", "dialect: postgres\ndialect: mysql\n");
  EXPECT_NE(parse_error(y).find("plans/p.yaml:6:1: dialect: duplicate key"), std::string::npos)
      << parse_error(y);
  // A missing key inside a step points at the step.
  y = edited("      - id: expand-001-create-index-users-email-idx\n        kind: sql\n",
             "      - id: expand-001-create-index-users-email-idx\n");
  EXPECT_NE(parse_error(y).find("phases[0].steps[0].kind: required key is missing"),
            std::string::npos)
      << parse_error(y);
  // YAML syntax errors carry the position too.
  EXPECT_NE(parse_error("format_version: 1\nphases: [\n").find("plans/p.yaml:"), std::string::npos);
  EXPECT_NE(parse_error("").find("empty plan file"), std::string::npos);
  EXPECT_NE(parse_error("- a\n").find("expected a mapping"), std::string::npos);
}

TEST(PlanYaml, NewerFormatNamesTheSeamVersionNeeded) {
  std::string y = edited("format_version: 1\n", "format_version: 2\n");
  y = y.replace(y.find("seam_version: \"0.1.0\""), 21, "seam_version: \"0.4.0\"");
  y += "new_top_level_key: 1\n";  // unknown to this seam: the version error comes first
  std::string e = parse_error(y);
  EXPECT_NE(
      e.find(
          "plans/p.yaml:3:17: format_version: plan format 2 was written by seam 0.4.0; this seam "
          "reads plan formats up to 1 - upgrade seam to 0.4.0 or later"),
      std::string::npos)
      << e;
  EXPECT_NE(parse_error(edited("format_version: 1\n", "format_version: 0\n"))
                .find("unknown plan format 0"),
            std::string::npos);
}

}  // namespace
