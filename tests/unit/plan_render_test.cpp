// Renderings of a plan (planner/plan_render.hpp) on hand-built plans: the
// JSON is valid and has the plan's structure, the Markdown has its summary
// table first and hazards highlighted, the SQL preview keeps every plan
// string inside its comments - and all three are deterministic and survive
// hostile text (pipes, backticks, newlines, comment closers).
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "planner/plan_render.hpp"
#include "tests/support/sample_plans.hpp"

namespace {

using namespace seam::planner;

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t end = s.find('\n', start);
    if (end == std::string::npos) end = s.size();
    out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

// A plan whose strings try to break every rendering.
Plan hostile_plan() {
  Plan p = seam::test::sample_plan();
  p.steps[0].change = "add index a|b\nDROP TABLE users; -- injected";
  p.steps[0].hazards[0].message = "pipe | and `tick` and ```fence``` and <b>html</b>\nsecond line";
  p.steps[4].message = "line one | with pipe\n-- not a comment end\r\nDROP TABLE x;";
  p.steps[6].hazards[0].message = "multi\nline\rmessage\xe2\x80\xa8with separator";
  p.steps[6].sql = "SELECT '```';\n```\nSELECT 2;";
  p.summary.objects.push_back("weird|name`x");
  p.summary.longest_lock.table = "t|\nx";
  return p;
}

TEST(PlanJson, StructureMatchesThePlan) {
  Plan p = seam::test::sample_plan();
  std::string j = to_json(p);
  // yaml-cpp reads JSON (a YAML subset): check the structure through it.
  YAML::Node n = YAML::Load(j);
  EXPECT_EQ(n["format_version"].as<int>(), 1);
  EXPECT_EQ(n["server_version"].as<std::string>(), "16.4");
  EXPECT_EQ(n["fingerprints"]["desired"].as<std::string>(), p.desired_fingerprint);
  EXPECT_EQ(n["throttle"]["batch_size"].as<int>(), 5000);
  EXPECT_EQ(n["summary"]["rows_to_backfill"].as<int64_t>(), 1000000);
  EXPECT_EQ(n["summary"]["hazard_counts"][0]["type"].as<std::string>(), "app-compat");
  ASSERT_EQ(n["phases"].size(), 4u);
  EXPECT_EQ(n["phases"][1]["name"].as<std::string>(), "dual-write");
  auto idx = n["phases"][0]["steps"][0];
  EXPECT_EQ(idx["id"].as<std::string>(), p.steps[0].id);
  EXPECT_EQ(idx["sql"].as<std::string>(), p.steps[0].sql);
  EXPECT_FALSE(idx["transactional"].as<bool>());
  EXPECT_EQ(idx["locks"][0]["mode"].as<std::string>(), "SHARE UPDATE EXCLUSIVE");
  EXPECT_TRUE(idx["backfill"].IsNull());
  auto fill = n["phases"][2]["steps"][0];
  EXPECT_EQ(fill["backfill"]["set"][0]["expression"].as<std::string>(), "\"id\"::bigint");
  EXPECT_EQ(fill["backfill"]["key"][0].as<std::string>(), "id");
  // Every key is present on every step, checkpoints included.
  auto cp = n["phases"][3]["steps"][0];
  EXPECT_EQ(cp["kind"].as<std::string>(), "checkpoint");
  for (const char* k :
       {"id", "kind", "op", "change", "sql", "transactional", "locks", "rewrite", "scan", "hazards",
        "depends_on", "backfill", "on_failure", "on_failure_if", "message"})
    EXPECT_TRUE(cp[k].IsDefined()) << k;
  EXPECT_EQ(cp["message"].as<std::string>(), p.steps[4].message);
}

TEST(PlanJson, EscapesStringsExactly) {
  EXPECT_EQ(json_quote("a\"b\\c\n\t\r\x01\x7f é"), "\"a\\\"b\\\\c\\n\\t\\r\\u0001\\u007f é\"");
  EXPECT_EQ(json_quote("\xe2\x80\xa8"), "\"\\u2028\"");
  Plan p = hostile_plan();
  std::string j = to_json(p);
  YAML::Node n = YAML::Load(j);
  EXPECT_EQ(n["phases"][0]["steps"][0]["change"].as<std::string>(), p.steps[0].change);
  EXPECT_EQ(n["phases"][3]["steps"][0]["message"].as<std::string>(), p.steps[4].message);
  // No raw control characters anywhere in the output but the layout's newlines.
  for (char c : j) EXPECT_TRUE(static_cast<unsigned char>(c) >= 0x20 || c == '\n') << int(c);
}

TEST(PlanJson, EmptyPlan) {
  std::string j = to_json(Plan{});
  YAML::Node n = YAML::Load(j);
  EXPECT_EQ(n["phases"].size(), 0u);
  EXPECT_TRUE(n["summary"]["longest_lock"].IsNull());
  EXPECT_EQ(j.back(), '\n');
}

TEST(PlanMarkdown, SummaryTableFirstThenPhases) {
  Plan p = seam::test::sample_plan();
  std::string md = to_markdown(p);
  size_t table = md.find("| Objects touched |");
  ASSERT_NE(table, std::string::npos) << md;
  EXPECT_LT(table, md.find("### expand"));
  EXPECT_LT(md.find("### expand"), md.find("### dual-write"));
  EXPECT_LT(md.find("### dual-write"), md.find("### backfill"));
  EXPECT_LT(md.find("### backfill"), md.find("### contract"));
  EXPECT_TRUE(contains(md, "| Rows to backfill | 1,000,000 |")) << md;
  EXPECT_TRUE(contains(
      md, "| Steps | expand 2 · dual-write 1 · backfill 1 · contract 3 · manual checkpoints 1 |"))
      << md;
  EXPECT_TRUE(contains(md,
                       "| Longest lock | ACCESS EXCLUSIVE on `public.audit`, ~8.0 s (step "
                       "`contract-003-set-type-audit-payload`) |"))
      << md;
  EXPECT_TRUE(contains(md, "| Objects touched | 4: `public.audit`")) << md;
  EXPECT_TRUE(
      contains(md, "postgres 16.4 · seam 0.1.0 · source `0f1e2d3c4b5a` → desired `a1b2c3d4e5f6`\n"))
      << md;
  p.source_fingerprint = "sha256:" + p.source_fingerprint;
  EXPECT_TRUE(contains(to_markdown(p), "source `0f1e2d3c4b5a` →")) << to_markdown(p);
  // Hazard counts: data loss and blocking locks lead, highlighted.
  EXPECT_TRUE(contains(
      md, "| Hazards | ⚠️ **data-loss** 1 · ⚠️ **blocking-lock** 2 · **app-compat** 1"))
      << md;
  // In a step, data-loss comes before blocking-lock whatever the plan's order.
  Plan q = p;
  std::swap(q.steps[6].hazards[0], q.steps[6].hazards[1]);
  std::string mq = to_markdown(q);
  EXPECT_LT(mq.find("⚠️ **data-loss**: Dropping"),
            mq.find("⚠️ **blocking-lock**: ALTER TABLE ... DROP"));
  // SQL in sql fences, verbatim; the checkpoint is a manual checkpoint line.
  EXPECT_TRUE(contains(md, "```sql\n" + p.steps[2].sql + "\n```\n")) << md;
  EXPECT_TRUE(contains(md, "> 🛑 **Manual checkpoint** `contract-000-checkpoint`")) << md;
  EXPECT_LT(md.find("### contract"), md.find("**Manual checkpoint**"));
  // The backfill is described with its batch size and key.
  EXPECT_TRUE(contains(md, "about 1,000,000 rows, in batches of 5,000 (throttle) by key `id`"))
      << md;
}

TEST(PlanMarkdown, HostileTextStaysInItsCell) {
  Plan p = hostile_plan();
  std::string md = to_markdown(p);
  // Every table row has exactly three unescaped pipes (two cells).
  for (const auto& line : split_lines(md)) {
    if (line.rfind("| ", 0) != 0) continue;
    int pipes = 0;
    for (size_t i = 0; i < line.size(); ++i)
      if (line[i] == '|' && (i == 0 || line[i - 1] != '\\')) ++pipes;
    EXPECT_EQ(pipes, 3) << line;
  }
  // A backtick inside code widens the span's fence; the pipe is escaped.
  EXPECT_TRUE(contains(md, ", ``weird\\|name`x`` |")) << md;
  // A fence inside SQL does not close the block: the fence is longer.
  EXPECT_TRUE(contains(md, "````sql\nSELECT '```';\n```\nSELECT 2;\n````\n")) << md;
  // Messages stay on their list line; HTML is escaped.
  EXPECT_TRUE(contains(
      md, "pipe | and \\`tick\\` and \\`\\`\\`fence\\`\\`\\` and \\<b\\>html\\</b\\> second line"))
      << md;
  EXPECT_TRUE(contains(md, "⚠️ **data-loss**: multi line message with separator")) << md;
  // Checkpoint lines each stay in the blockquote.
  EXPECT_TRUE(contains(md, "> line one | with pipe\n> -- not a comment end\n> DROP TABLE x;\n"))
      << md;
}

TEST(PlanMarkdown, EmptyPlanSaysSo) {
  std::string md = to_markdown(Plan{});
  EXPECT_TRUE(contains(md, "No changes")) << md;
  EXPECT_FALSE(contains(md, "| Objects touched |"));
}

TEST(PlanSql, PhasesStepsAndCheckpointsAsComments) {
  Plan p = seam::test::sample_plan();
  std::string sql = to_sql(p);
  EXPECT_TRUE(contains(sql, "-- source fingerprint:  " + p.source_fingerprint + "\n"));
  EXPECT_LT(sql.find("-- phase: expand\n"), sql.find("-- phase: dual-write\n"));
  EXPECT_LT(sql.find("-- phase: backfill\n"), sql.find("-- phase: contract\n"));
  EXPECT_TRUE(contains(
      sql,
      "-- step expand-001-create-index-users-email-idx (lock: SHARE UPDATE EXCLUSIVE on "
      "public.users ~2.0 s, transactional: no, scans, hazards: full-scan, not-transactional)\n"
      "--   add index public.users_email_idx\n"
      "--   full-scan: Building public.users_email_idx reads all of public.users.\n"))
      << sql;
  EXPECT_TRUE(contains(sql, "on_failure drops.\n" + p.steps[0].sql + "\n-- on failure:\n--   " +
                                p.steps[0].on_failure))
      << sql;
  EXPECT_TRUE(contains(sql, "hazards: data-loss, blocking-lock)")) << sql;
  EXPECT_TRUE(contains(sql, "-- CHECKPOINT: Deploy the application version")) << sql;
  // The backfill is a comment block, never an executable UPDATE.
  EXPECT_TRUE(contains(sql, "--   UPDATE public.orders\n--      SET id_new = \"id\"::bigint\n"))
      << sql;
  for (const auto& line : split_lines(sql)) EXPECT_NE(line.rfind("UPDATE", 0), 0u) << line;
}

TEST(PlanSql, PlanTextNeverLeavesAComment) {
  Plan p = hostile_plan();
  std::string sql = to_sql(p);
  // Every line that is not a step's own SQL is a comment or blank.
  std::vector<std::string> own;
  for (const auto& s : p.steps)
    for (const auto& l : split_lines(s.sql)) own.push_back(l);
  for (const auto& line : split_lines(sql)) {
    if (line.empty() || line.rfind("--", 0) == 0) continue;
    EXPECT_NE(std::find(own.begin(), own.end(), line), own.end()) << "stray line: " << line;
  }
  EXPECT_FALSE(contains(sql, "\r"));
  EXPECT_FALSE(contains(sql, "\xe2\x80\xa8"));
  EXPECT_TRUE(contains(sql, "--   add index a|b\n--   DROP TABLE users; -- injected\n")) << sql;
}

TEST(PlanRender, Deterministic) {
  Plan a = seam::test::sample_plan(), b = seam::test::sample_plan();
  EXPECT_EQ(to_json(a), to_json(b));
  EXPECT_EQ(to_markdown(a), to_markdown(b));
  EXPECT_EQ(to_sql(a), to_sql(b));
  b.steps[1].sql += " ";
  EXPECT_NE(to_sql(a), to_sql(b));
}

}  // namespace
