// planner::order: the statement graph's edges, its stable tie-break, and the
// error for a cycle no order resolves.
#include <gtest/gtest.h>

#include "planner/graph.hpp"

using seam::planner::CycleError;
using seam::planner::order;
using seam::planner::Statement;

namespace {

Statement st(std::string name, int rank) {
  Statement s;
  s.name = std::move(name);
  s.rank = rank;
  s.sql = s.name + ";\n";
  return s;
}

std::vector<std::string> names(const std::vector<Statement>& s) {
  std::vector<std::string> out;
  for (size_t i : order(s)) out.push_back(s[i].name);
  return out;
}

TEST(PlannerGraph, TiesBreakByRankThenName) {
  std::vector<Statement> s{st("b", 2), st("a", 2), st("c", 1)};
  EXPECT_EQ(names(s), (std::vector<std::string>{"c", "a", "b"}));
}

TEST(PlannerGraph, CreateBeforeNeed) {
  auto view = st("view v", 1);
  view.needs = {"rel:t"};
  auto table = st("table t", 9);
  table.creates = {"rel:t"};
  EXPECT_EQ(names({view, table}), (std::vector<std::string>{"table t", "view v"}));
}

TEST(PlannerGraph, DependentsDroppedBeforeAlterAndRecreatedAfter) {
  auto drop_view = st("drop view v", 5);
  drop_view.drops = {"rel:v"};
  drop_view.old_needs = {"rel:t"};
  auto alter = st("alter column type", 1);
  alter.alters = {"rel:t"};
  auto create_view = st("create view v", 0);
  create_view.creates = {"rel:v"};
  create_view.needs = {"rel:t"};
  EXPECT_EQ(names({create_view, alter, drop_view}),
            (std::vector<std::string>{"drop view v", "alter column type", "create view v"}));
}

TEST(PlannerGraph, DropsBeforeReplacementButRenameBeforeDrop) {
  auto create = st("create x", 0);
  create.creates = {"rel:x"};
  auto drop = st("drop x", 9);
  drop.drops = {"rel:x"};
  EXPECT_EQ(names({create, drop}), (std::vector<std::string>{"drop x", "create x"}));
  auto rename = st("rename to x", 9);
  rename.creates = {"rel:x"};
  rename.alters = {"rel:x"};
  auto drop2 = st("drop x", 0);
  drop2.drops = {"rel:x"};
  EXPECT_EQ(names({drop2, rename}), (std::vector<std::string>{"rename to x", "drop x"}));
}

TEST(PlannerGraph, SameInputSameOrder) {
  std::vector<Statement> s;
  for (int i = 0; i < 50; ++i) s.push_back(st("s" + std::to_string(i % 7), i % 3));
  EXPECT_EQ(order(s), order(s));
}

TEST(PlannerGraph, UnbreakableCycleNamesEveryObject) {
  auto a = st("view public.a", 0);
  a.creates = {"rel:a"};
  a.needs = {"rel:b"};
  auto b = st("view public.b", 0);
  b.creates = {"rel:b"};
  b.needs = {"rel:c"};
  auto c = st("view public.c", 0);
  c.creates = {"rel:c"};
  c.needs = {"rel:a"};
  auto free = st("table public.t", 0);
  try {
    order({a, b, c, free});
    FAIL() << "no error for a cycle";
  } catch (const CycleError& e) {
    EXPECT_EQ(e.objects, (std::vector<std::string>{"view public.a", "view public.b", "view public.c"}));
    std::string m = e.what();
    EXPECT_NE(m.find("view public.a"), std::string::npos) << m;
    EXPECT_NE(m.find("view public.c"), std::string::npos) << m;
    EXPECT_EQ(m.find("table public.t"), std::string::npos) << m;
  }
}

}  // namespace
