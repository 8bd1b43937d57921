// differ::diff on offline models: change kinds, hazards that name objects,
// renames only by annotation, and determinism. (The live round trip is in
// tests/integration/golden_diff_test.cpp.)
#include <gtest/gtest.h>

#include "dialects/postgres/render_change.hpp"
#include "differ/diff.hpp"
#include "schema/load.hpp"

using namespace seam;

namespace {

differ::ChangeSet diff_sql(const std::string& from, const std::string& to) {
  return differ::diff(schema::load_sql(from, "from.sql").catalog, schema::load_sql(to, "to.sql").catalog);
}

std::vector<std::string> described(const differ::ChangeSet& cs) {
  std::vector<std::string> out;
  for (const auto& c : cs.changes) out.push_back(differ::describe(c));
  return out;
}

TEST(Differ, EqualModelsGiveNoChanges) {
  const char* sql = "CREATE TABLE t (id integer PRIMARY KEY, v text); CREATE VIEW v AS SELECT id FROM t;";
  EXPECT_TRUE(diff_sql(sql, sql).empty());
  EXPECT_EQ(pg::migration_script(diff_sql(sql, sql)), "");
}

TEST(Differ, DroppedColumnCarriesDataLossAndRenameHint) {
  auto cs = diff_sql("CREATE TABLE t (id integer, old_name text);", "CREATE TABLE t (id integer, new_name text);");
  ASSERT_EQ(described(cs), (std::vector<std::string>{"drop column public.t.old_name", "add column public.t.new_name"}));
  auto h = cs.hazards();
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].kind, differ::HazardKind::DataLoss);
  EXPECT_NE(h[0].message.find("public.t.old_name"), std::string::npos) << h[0].message;
  EXPECT_EQ(h[1].kind, differ::HazardKind::MaybeRename);
  EXPECT_NE(h[1].message.find("public.t.new_name"), std::string::npos) << h[1].message;
  EXPECT_NE(h[1].message.find("-- seam:renamed-from old_name"), std::string::npos) << h[1].message;
}

TEST(Differ, AnnotationTurnsDropAndAddIntoRename) {
  auto cs = diff_sql("CREATE TABLE t (id integer, old_name text);",
                     "CREATE TABLE t (\n  id integer,\n  -- seam:renamed-from old_name\n  new_name text\n);");
  ASSERT_EQ(described(cs), (std::vector<std::string>{"rename column public.t.old_name to new_name"}));
  EXPECT_TRUE(cs.hazards().empty());
}

TEST(Differ, EnumLabelInTheMiddleIsAddValueWithNeighbour) {
  auto cs = diff_sql("CREATE TYPE m AS ENUM ('a', 'c');", "CREATE TYPE m AS ENUM ('a', 'b', 'c');");
  ASSERT_EQ(cs.changes.size(), 1u);
  auto* add = std::get_if<differ::AddEnumValue>(&cs.changes[0].op);
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(add->label, "b");
  EXPECT_EQ(add->after, "a");
  EXPECT_EQ(pg::migration_script(cs), "ALTER TYPE public.m ADD VALUE 'b' AFTER 'a';\n");
}

TEST(Differ, RemovedEnumLabelRecreatesTheTypeAndSaysSo) {
  auto cs = diff_sql("CREATE TYPE m AS ENUM ('a', 'b'); CREATE TABLE t (x m);",
                     "CREATE TYPE m AS ENUM ('a'); CREATE TABLE t (x m);");
  ASSERT_EQ(cs.changes.size(), 1u);
  auto* r = std::get_if<differ::RecreateEnum>(&cs.changes[0].op);
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->uses.size(), 1u);
  EXPECT_EQ(r->uses[0].new_col.name, "x");
  ASSERT_EQ(cs.hazards().size(), 1u);
  EXPECT_EQ(cs.hazards()[0].kind, differ::HazardKind::RecreatesType);
}

TEST(Differ, ForeignKeyCycleBetweenNewTablesIsOrdered) {
  auto cs = diff_sql("", R"(
    CREATE TABLE a (id integer PRIMARY KEY, b_id integer REFERENCES b (id));
    CREATE TABLE b (id integer PRIMARY KEY, a_id integer REFERENCES a (id));)");
  std::string s = pg::migration_script(cs);
  size_t ta = s.find("CREATE TABLE public.a"), tb = s.find("CREATE TABLE public.b");
  size_t fa = s.find("ALTER TABLE public.a ADD CONSTRAINT"), fb = s.find("ALTER TABLE public.b ADD CONSTRAINT");
  ASSERT_NE(fa, std::string::npos) << s;
  ASSERT_NE(fb, std::string::npos) << s;
  EXPECT_LT(ta, fa);
  EXPECT_LT(tb, fa);
  EXPECT_LT(ta, fb);
  EXPECT_LT(tb, fb);
}

TEST(Differ, SameInputsSameScript) {
  const char* from = "CREATE TABLE t (id integer, a text, b text); CREATE VIEW v AS SELECT a, b FROM t;";
  const char* to = "CREATE TABLE t (id bigint, a text, c text); CREATE VIEW v AS SELECT a FROM t;";
  std::string first = pg::migration_script(diff_sql(from, to));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(pg::migration_script(diff_sql(from, to)), first);
  EXPECT_LT(first.find("DROP VIEW public.v"), first.find("DROP COLUMN b")) << first;
  EXPECT_LT(first.find("DROP COLUMN b"), first.find("CREATE VIEW public.v")) << first;
}

TEST(Differ, QuotesIdentifiersAndLiterals) {
  auto cs = diff_sql("CREATE TABLE \"Odd Name\" (id integer);",
                     "CREATE TABLE \"Odd Name\" (id integer, \"select\" text DEFAULT 'it''s');"
                     "COMMENT ON TABLE \"Odd Name\" IS 'a \"quoted\" ''name''';");
  std::string s = pg::migration_script(cs);
  EXPECT_NE(s.find("ALTER TABLE public.\"Odd Name\" ADD COLUMN \"select\" text DEFAULT 'it''s';"), std::string::npos) << s;
  EXPECT_NE(s.find("COMMENT ON TABLE public.\"Odd Name\" IS 'a \"quoted\" ''name''';"), std::string::npos) << s;
}

}  // namespace
