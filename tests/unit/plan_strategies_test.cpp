// Unit tests of the zero-downtime planner (dialects/postgres/plan.hpp) on
// catalogs loaded offline and diffed, with the built-in compatibility matrix
// for a chosen version: strategy selection per version, order invariants,
// determinism, and that statistics change estimates but never the steps.
#include <algorithm>

#include <gtest/gtest.h>

#include "compat-matrix/matrix.hpp"
#include "dialects/postgres/plan.hpp"
#include "differ/diff.hpp"
#include "schema/errors.hpp"
#include "schema/load.hpp"
#include "schema/sql_file.hpp"

using namespace seam;
using planner::Phase;
using planner::StepKind;

namespace {

schema::Catalog load(const std::string& sql) {
  return schema::load_files({schema::make_sql_file(sql, "t.sql")}).catalog;
}

struct Planned {
  schema::Catalog from, to;
  differ::ChangeSet cs;
};

Planned prepare(const std::string& from, const std::string& to) {
  Planned p{load(from), load(to), {}};
  p.cs = differ::diff(p.from, p.to);
  return p;
}

planner::Plan plan(const Planned& p, const std::string& version,
                   std::map<std::string, pg::TableStats> stats = {}, bool matrix = true) {
  pg::PlanInput in;
  in.version = compat::Version::parse(version);
  in.matrix = matrix ? &compat::builtin("postgres") : nullptr;
  in.stats = std::move(stats);
  in.seam_version = "test";
  return pg::make_plan(p.cs, p.from, p.to, in);
}

std::vector<std::string> ops(const planner::Plan& p) {
  std::vector<std::string> out;
  for (const auto& s : p.steps) out.push_back(s.op);
  return out;
}

bool has_hazard(const planner::Step& s, planner::HazardType t) {
  return std::any_of(s.hazards.begin(), s.hazards.end(),
                     [&](const auto& h) { return h.type == t; });
}

const planner::Step* find_sql(const planner::Plan& p, const std::string& needle) {
  for (const auto& s : p.steps)
    if (s.sql.find(needle) != std::string::npos) return &s;
  return nullptr;
}

void expect_invariants(const planner::Plan& p) {
  int last = 0;
  bool checkpoint = false;
  std::set<std::string> seen;
  for (const auto& s : p.steps) {
    int ph = static_cast<int>(s.phase);
    EXPECT_GE(ph, last) << s.id << " precedes a step of an earlier phase";
    last = ph;
    EXPECT_TRUE(s.id.rfind(std::string(planner::to_string(s.phase)) + "-", 0) == 0) << s.id;
    for (const auto& d : s.depends_on)
      EXPECT_TRUE(seen.count(d)) << s.id << " depends on later step " << d;
    EXPECT_TRUE(seen.insert(s.id).second) << "duplicate id " << s.id;
    if (s.kind == StepKind::Checkpoint) checkpoint = true;
    // Drops of objects of the live catalog (not of a strategy's own helpers).
    bool drop = (s.op.rfind("drop_", 0) == 0 && s.change.rfind("drop ", 0) == 0) ||
                s.sql.rfind("DROP TABLE", 0) == 0;
    if (drop) {
      EXPECT_EQ(Phase::Contract, s.phase) << s.id;
      EXPECT_TRUE(checkpoint) << s.id << " is not behind the checkpoint";
    }
  }
  bool contract = std::any_of(p.steps.begin(), p.steps.end(),
                              [](const auto& s) { return s.phase == Phase::Contract; });
  if (contract) {
    auto c = p.phase_steps(Phase::Contract);
    EXPECT_EQ(StepKind::Checkpoint, c.front()->kind)
        << "the contract phase opens with a checkpoint";
    EXPECT_FALSE(c.front()->message.empty());
  }
}

const char* kTable = "CREATE TABLE public.t (id bigint PRIMARY KEY, c text, n integer);\n";

TEST(PlanStrategies, SetNotNullDiffersBetween17And18) {
  auto p =
      prepare(kTable, "CREATE TABLE public.t (id bigint PRIMARY KEY, c text NOT NULL, n integer);");
  auto p17 = plan(p, "17.2");
  auto p18 = plan(p, "18.0");
  EXPECT_EQ((std::vector<std::string>{"", "add_check_not_valid", "validate_check",
                                      "set_not_null_using_check"}),
            ops(p17));
  EXPECT_EQ((std::vector<std::string>{"", "add_not_null_not_valid", "validate_not_null"}),
            ops(p18));
  ASSERT_NE(nullptr, find_sql(p17, "CHECK (c IS NOT NULL) NOT VALID"));
  ASSERT_NE(nullptr, find_sql(p18, "ADD CONSTRAINT t_c_not_null NOT NULL c NOT VALID"));
  for (const auto* pl : {&p17, &p18}) {
    expect_invariants(*pl);
    for (const auto& s : pl->steps) {
      for (const auto& l : s.locks) {
        if (l.mode == "ACCESS EXCLUSIVE") {
          EXPECT_FALSE(s.scan) << s.id << " scans under ACCESS EXCLUSIVE";
        }
      }
    }
  }
  // Version 12 plans like 17.
  EXPECT_EQ(ops(p17), ops(plan(p, "12")));
}

TEST(PlanStrategies, IndexOnExistingTableIsConcurrentAndOnNewTablePlain) {
  auto p = prepare(kTable, std::string(kTable) +
                               "CREATE INDEX t_c_idx ON public.t (c);\n"
                               "CREATE TABLE public.u (id int PRIMARY KEY, v text);\n"
                               "CREATE INDEX u_v_idx ON public.u (v);\n");
  auto pl = plan(p, "16.4");
  const auto* cic = find_sql(pl, "CREATE INDEX CONCURRENTLY t_c_idx");
  ASSERT_NE(nullptr, cic);
  EXPECT_FALSE(cic->transactional);
  EXPECT_EQ("create_index_concurrently", cic->op);
  EXPECT_EQ("DROP INDEX CONCURRENTLY IF EXISTS public.t_c_idx;\n", cic->on_failure);
  EXPECT_TRUE(has_hazard(*cic, planner::HazardType::NotTransactional));
  EXPECT_EQ(Phase::Expand, cic->phase);
  const auto* plain = find_sql(pl, "CREATE INDEX u_v_idx");
  ASSERT_NE(nullptr, plain);
  EXPECT_TRUE(plain->transactional);
  expect_invariants(pl);
}

TEST(PlanStrategies, PartitionedTableIndexIsBuiltPartitionByPartition) {
  std::string from =
      "CREATE TABLE public.e (id bigint NOT NULL, at date NOT NULL, v text) PARTITION BY RANGE "
      "(at);\n"
      "CREATE TABLE public.e_2024 PARTITION OF public.e FOR VALUES FROM ('2024-01-01') TO "
      "('2025-01-01');\n"
      "CREATE TABLE public.e_2025 PARTITION OF public.e FOR VALUES FROM ('2025-01-01') TO "
      "('2026-01-01');\n";
  auto pl = plan(prepare(from, from + "CREATE INDEX e_v_idx ON public.e (v);\n"), "16");
  expect_invariants(pl);
  const auto* only = find_sql(pl, "CREATE INDEX e_v_idx ON ONLY public.e (v)");
  const auto* b1 = find_sql(pl, "CREATE INDEX CONCURRENTLY e_2024_e_v_idx ON public.e_2024 (v)");
  const auto* a1 =
      find_sql(pl, "ALTER INDEX public.e_v_idx ATTACH PARTITION public.e_2024_e_v_idx");
  const auto* b2 = find_sql(pl, "CREATE INDEX CONCURRENTLY e_2025_e_v_idx ON public.e_2025 (v)");
  ASSERT_TRUE(only && b1 && a1 && b2);
  EXPECT_LT(only, b1);
  EXPECT_LT(b1, a1);
  EXPECT_FALSE(b1->transactional);
  for (const auto& s : pl.steps)
    for (const auto& l : s.locks)
      EXPECT_FALSE(l.mode == "SHARE" && s.scan) << s.id << " blocks writes while it builds";
  // A partition added by the same plan: the plain statement, flagged.
  auto mixed = plan(prepare(from, from + "CREATE INDEX e_v_idx ON public.e (v);\n"
                                         "CREATE TABLE public.e_2026 PARTITION OF public.e FOR "
                                         "VALUES FROM ('2026-01-01') TO ('2027-01-01');\n"),
                    "16");
  const auto* plain = find_sql(mixed, "CREATE INDEX e_v_idx ON public.e (v)");
  ASSERT_NE(nullptr, plain);
  EXPECT_TRUE(has_hazard(*plain, planner::HazardType::BlockingLock));
}

TEST(PlanStrategies, AttachPartitionIsPrecheckedByAValidatedCheck) {
  std::string parent =
      "CREATE TABLE public.e (id bigint NOT NULL, at date NOT NULL, k text) PARTITION BY RANGE "
      "(at);\n"
      "CREATE TABLE public.l (id bigint NOT NULL, k text) PARTITION BY LIST (k);\n";
  auto pl = plan(
      prepare(
          parent + "CREATE TABLE public.e_2025 (id bigint NOT NULL, at date NOT NULL, k text);\n"
                   "CREATE TABLE public.l_ab (id bigint NOT NULL, k text);\n",
          parent +
              "CREATE TABLE public.e_2025 PARTITION OF public.e FOR VALUES FROM ('2025-01-01') TO "
              "(MAXVALUE);\n"
              "CREATE TABLE public.l_ab PARTITION OF public.l FOR VALUES IN ('a', NULL, 'b');\n"),
      "16");
  expect_invariants(pl);
  const auto* c = find_sql(pl, "CHECK (at IS NOT NULL AND at >= '2025-01-01') NOT VALID");
  const auto* v = find_sql(pl, "VALIDATE CONSTRAINT e_2025_seam_bound");
  const auto* at = find_sql(pl, "ATTACH PARTITION public.e_2025");
  const auto* dr = find_sql(pl, "DROP CONSTRAINT e_2025_seam_bound");
  ASSERT_TRUE(c && v && at && dr);
  EXPECT_TRUE(c < v && v < at && at < dr);
  EXPECT_EQ("attach_partition_prechecked", at->op);
  EXPECT_NE(nullptr, find_sql(pl, "CHECK ((k IS NULL OR k IN ('a', 'b'))) NOT VALID"));
}

TEST(PlanStrategies, ConcurrentBuildsAreRefusedOn14Before14_4) {
  auto p = prepare(kTable, std::string(kTable) + "CREATE INDEX t_c_idx ON public.t (c);\n");
  EXPECT_THROW(plan(p, "14.2"), UnsupportedError);
  EXPECT_NO_THROW(plan(p, "14.4"));
}

TEST(PlanStrategies, DropIndexIsConcurrentInContract) {
  auto p = prepare(std::string(kTable) + "CREATE INDEX t_c_idx ON public.t (c);\n", kTable);
  auto pl = plan(p, "16");
  const auto* d = find_sql(pl, "DROP INDEX CONCURRENTLY public.t_c_idx;");
  ASSERT_NE(nullptr, d);
  EXPECT_EQ(Phase::Contract, d->phase);
  EXPECT_FALSE(d->transactional);
  expect_invariants(pl);
}

TEST(PlanStrategies, ForeignKeyAndCheckAreAddedNotValidAndValidatedInContract) {
  auto p =
      prepare(std::string(kTable) + "CREATE TABLE public.r (id bigint PRIMARY KEY, t_id bigint);\n",
              std::string(kTable) +
                  "CREATE TABLE public.r (id bigint PRIMARY KEY, t_id bigint REFERENCES public.t "
                  "(id) CHECK (t_id > 0));\n");
  auto pl = plan(p, "15");
  expect_invariants(pl);
  const auto* fk = find_sql(pl, "FOREIGN KEY (t_id) REFERENCES public.t(id) NOT VALID");
  ASSERT_NE(nullptr, fk);
  EXPECT_EQ(Phase::Expand, fk->phase);
  ASSERT_EQ(2u, fk->locks.size());
  EXPECT_EQ("public.t", fk->locks[1].table);
  const auto* v = find_sql(pl, "VALIDATE CONSTRAINT r_t_id_fkey");
  ASSERT_NE(nullptr, v);
  EXPECT_EQ(Phase::Contract, v->phase);
  EXPECT_EQ("SHARE UPDATE EXCLUSIVE", v->locks.at(0).mode);
  EXPECT_EQ(std::vector<std::string>{fk->id}, v->depends_on);
  EXPECT_NE(nullptr, find_sql(pl, "CHECK (t_id > 0) NOT VALID"));
}

TEST(PlanStrategies, PrimaryKeyOnNullableColumnWaitsForNotNull) {
  auto p = prepare("CREATE TABLE public.k (a integer, b text);",
                   "CREATE TABLE public.k (a integer PRIMARY KEY, b text);");
  auto pl = plan(p, "16");
  expect_invariants(pl);
  const auto* idx = find_sql(pl, "CREATE UNIQUE INDEX CONCURRENTLY k_pkey ON public.k (a)");
  const auto* nn = find_sql(pl, "ALTER COLUMN a SET NOT NULL");
  const auto* pk = find_sql(pl, "ADD CONSTRAINT k_pkey PRIMARY KEY USING INDEX k_pkey");
  ASSERT_TRUE(idx && nn && pk);
  EXPECT_LT(nn, pk) << "the key's columns are NOT NULL before ADD PRIMARY KEY USING INDEX";
  EXPECT_LT(idx, pk);
}

TEST(PlanStrategies, VolatileDefaultIsBackfilledConstantDefaultIsOneStep) {
  auto p = prepare(kTable,
                   "CREATE TABLE public.t (id bigint PRIMARY KEY, c text, n integer,\n"
                   "  r double precision NOT NULL DEFAULT random(),\n"
                   "  k text NOT NULL DEFAULT 'x',\n"
                   "  ts timestamptz DEFAULT now());");
  auto pl = plan(p, "16");
  expect_invariants(pl);
  EXPECT_NE(nullptr, find_sql(pl, "ADD COLUMN k text DEFAULT 'x' NOT NULL"));
  EXPECT_NE(nullptr, find_sql(pl, "ADD COLUMN ts timestamp with time zone DEFAULT now()"));
  EXPECT_NE(nullptr, find_sql(pl, "ADD COLUMN r double precision;"));
  int backfills = 0;
  for (const auto& s : pl.steps)
    if (s.kind == StepKind::Backfill) {
      ++backfills;
      ASSERT_TRUE(s.backfill);
      EXPECT_EQ("public.t", s.backfill->table);
      EXPECT_EQ(std::vector<std::string>{"id"}, s.backfill->key);
      EXPECT_EQ("r", s.backfill->set.at(0).column);
      EXPECT_EQ("r IS NULL", s.backfill->where);
      EXPECT_EQ(Phase::Backfill, s.phase);
    }
  EXPECT_EQ(1, backfills);
  EXPECT_NE(nullptr, find_sql(pl, "ALTER COLUMN r SET NOT NULL"));
}

TEST(PlanStrategies, TypeChangesRewriteOnlyWhenNotBinaryCoercible) {
  auto p = prepare(
      "CREATE TABLE public.t (id bigint PRIMARY KEY, c character varying(10), n integer, m "
      "numeric(8,2));",
      "CREATE TABLE public.t (id bigint PRIMARY KEY, c character varying(20), n bigint, m "
      "numeric(12,2));");
  auto pl = plan(p, "16");
  expect_invariants(pl);
  EXPECT_EQ("alter_type_binary_coercible", find_sql(pl, "TYPE character varying(20)")->op);
  EXPECT_EQ("alter_type_binary_coercible", find_sql(pl, "TYPE numeric(12,2)")->op);
  EXPECT_NE(nullptr, find_sql(pl, "ADD COLUMN n_seam_new bigint"));
  const auto* trig = find_sql(pl, "CREATE TRIGGER t_n_seam_sync");
  ASSERT_NE(nullptr, trig);
  EXPECT_EQ(Phase::DualWrite, trig->phase);
  const auto* swap = find_sql(pl, "RENAME COLUMN n_seam_new TO n");
  ASSERT_NE(nullptr, swap);
  EXPECT_EQ(Phase::Contract, swap->phase);
  EXPECT_NE(std::string::npos, swap->sql.find("SET LOCAL lock_timeout"));
  EXPECT_EQ(nullptr, find_sql(pl, "ALTER COLUMN n TYPE")) << "no rewrite of the table";
}

TEST(PlanStrategies, ViewsOverATypeChangedColumnAreRecreatedInsideTheSwap) {
  std::string views =
      "CREATE VIEW public.big AS SELECT id, amount FROM public.o WHERE amount > 100;\n"
      "CREATE VIEW public.big_ids AS SELECT id FROM public.big;\n";
  auto pl = plan(
      prepare(
          "CREATE TABLE public.o (id integer PRIMARY KEY, amount integer NOT NULL DEFAULT 0);\n" +
              views,
          "CREATE TABLE public.o (id integer PRIMARY KEY, amount bigint NOT NULL DEFAULT 0);\n" +
              views),
      "16");
  expect_invariants(pl);
  const auto* swap = find_sql(pl, "RENAME COLUMN amount_seam_new TO amount");
  ASSERT_NE(nullptr, swap);
  // Dependents dropped before the renames, recreated after, in one transaction.
  size_t d1 = swap->sql.find("DROP VIEW public.big_ids"),
         d2 = swap->sql.find("DROP VIEW public.big;");
  size_t r = swap->sql.find("RENAME COLUMN amount TO");
  size_t c1 = swap->sql.find("CREATE VIEW public.big "),
         c2 = swap->sql.find("CREATE VIEW public.big_ids");
  EXPECT_TRUE(d1 < d2 && d2 < r && r < c1 && c1 < c2) << swap->sql;
  int view_steps = 0;
  for (const auto& s : pl.steps)
    if (s.sql.find("VIEW") != std::string::npos) ++view_steps;
  EXPECT_EQ(1, view_steps) << "no view step outside the swap";
  EXPECT_EQ(nullptr, find_sql(pl, "ALTER COLUMN amount TYPE"));
}

TEST(PlanStrategies, TypeChangeOfAKeyColumnFallsBackWithHazards) {
  auto p = prepare("CREATE TABLE public.t (id integer PRIMARY KEY);",
                   "CREATE TABLE public.t (id bigint PRIMARY KEY);");
  auto pl = plan(p, "16", {{"public.t", {1e6, 10000}}});
  const auto* s = find_sql(pl, "ALTER COLUMN id TYPE bigint");
  ASSERT_NE(nullptr, s);
  EXPECT_TRUE(s->rewrite);
  EXPECT_TRUE(has_hazard(*s, planner::HazardType::TableRewrite));
  EXPECT_TRUE(has_hazard(*s, planner::HazardType::BlockingLock));
  ASSERT_FALSE(s->locks.empty());
  EXPECT_EQ("ACCESS EXCLUSIVE", s->locks[0].mode);
  // 10000 pages of 8 kB, rewritten: twice the time of one read at 200 MB/s.
  EXPECT_NEAR(2 * 10000 * 8192.0 / pg::kScanBytesPerSecond, s->locks[0].est_seconds, 1e-9);
  EXPECT_EQ(s->id, pl.summary.longest_lock_step);
}

TEST(PlanStrategies, RenameCopiesByDefaultAndRenamesInPlaceWhenAsked) {
  std::string from = "CREATE TABLE public.t (id bigint PRIMARY KEY, a text);";
  auto copy = plan(
      prepare(
          from,
          "CREATE TABLE public.t (id bigint PRIMARY KEY,\n  -- seam:renamed-from a\n  b text);"),
      "16");
  expect_invariants(copy);
  EXPECT_NE(nullptr, find_sql(copy, "ADD COLUMN b text"));
  EXPECT_EQ(Phase::Contract, find_sql(copy, "DROP COLUMN a")->phase);
  auto in_place = plan(prepare(from,
                               "CREATE TABLE public.t (id bigint PRIMARY KEY,\n  -- "
                               "seam:renamed-from a\n  b text -- seam:rename-in-place\n);"),
                       "16");
  ASSERT_EQ(1u, in_place.steps.size());
  EXPECT_EQ("ALTER TABLE public.t RENAME COLUMN a TO b;\n", in_place.steps[0].sql);
  EXPECT_TRUE(has_hazard(in_place.steps[0], planner::HazardType::AppCompat));
}

TEST(PlanStrategies, DropsWaitInContractBehindTheCheckpoint) {
  auto p = prepare(
      "CREATE TABLE public.t (id bigint PRIMARY KEY, c text, gone text);\nCREATE TABLE public.old "
      "(id int);\n"
      "CREATE VIEW public.v AS SELECT id FROM public.old;",
      "CREATE TABLE public.t (id bigint PRIMARY KEY, c text, fresh text);");
  auto pl = plan(p, "16");
  expect_invariants(pl);
  const auto* dt = find_sql(pl, "DROP TABLE public.old");
  ASSERT_NE(nullptr, dt);
  EXPECT_TRUE(has_hazard(*dt, planner::HazardType::DataLoss));
  EXPECT_LT(find_sql(pl, "DROP VIEW public.v"), dt);
  EXPECT_EQ(Phase::Expand, find_sql(pl, "ADD COLUMN fresh")->phase);
}

TEST(PlanStrategies, DeterministicAndIndependentOfStatistics) {
  std::string from =
      "CREATE TABLE public.t (id bigint PRIMARY KEY, c text, n integer, d text);\n"
      "CREATE TYPE public.mood AS ENUM ('a', 'b');";
  std::string to =
      "CREATE TYPE public.mood AS ENUM ('a', 'b', 'c');\n"
      "CREATE TABLE public.t (id bigint PRIMARY KEY, c text NOT NULL, n bigint, e double precision "
      "DEFAULT random(),"
      " m public.mood DEFAULT 'c');\nCREATE INDEX t_c_idx ON public.t (c);";
  auto p = prepare(from, to);
  auto a = plan(p, "16");
  EXPECT_TRUE(a == plan(prepare(from, to), "16"));
  auto big = plan(p, "16", {{"public.t", {5e7, 600000}}});
  ASSERT_EQ(a.steps.size(), big.steps.size());
  for (size_t i = 0; i < a.steps.size(); ++i) {
    EXPECT_EQ(a.steps[i].id, big.steps[i].id);
    EXPECT_EQ(a.steps[i].sql, big.steps[i].sql);
    EXPECT_EQ(a.steps[i].phase, big.steps[i].phase);
  }
  EXPECT_EQ(100000000, big.summary.rows_to_backfill) << "two backfills of t (e, n)";
  expect_invariants(a);
  // The enum label is committed before the column default that uses it.
  EXPECT_LT(find_sql(a, "ADD VALUE 'c'"), find_sql(a, "ADD COLUMN m"));
}

TEST(PlanStrategies, RewritesWithoutAnOnlineFormAreFlagged) {
  auto pl = plan(prepare("CREATE TYPE public.m AS ENUM ('a', 'b', 'c');\nCREATE TABLE public.t (id "
                         "int PRIMARY KEY, m public.m);\n"
                         "CREATE TABLE public.u (id int PRIMARY KEY);",
                         "CREATE TYPE public.m AS ENUM ('a', 'c');\nCREATE TABLE public.t (id int "
                         "PRIMARY KEY, m public.m);\n"
                         "CREATE UNLOGGED TABLE public.u (id int PRIMARY KEY);"),
                 "16", {{"public.t", {1e5, 1000}}, {"public.u", {1e5, 500}}});
  const auto* e = find_sql(pl, "CREATE TYPE public.m");
  ASSERT_NE(nullptr, e);
  EXPECT_TRUE(e->rewrite);
  EXPECT_TRUE(has_hazard(*e, planner::HazardType::BlockingLock));
  EXPECT_NEAR(2 * 1000 * 8192.0 / pg::kScanBytesPerSecond, e->locks.at(0).est_seconds, 1e-9);
  const auto* u = find_sql(pl, "SET UNLOGGED");
  ASSERT_NE(nullptr, u);
  EXPECT_TRUE(u->rewrite);
  EXPECT_TRUE(has_hazard(*u, planner::HazardType::TableRewrite));
}

TEST(PlanStrategies, WithoutAMatrixEveryOperationIsUnverified) {
  auto p = prepare(kTable, std::string(kTable) + "CREATE INDEX t_c_idx ON public.t (c);\n");
  auto pl = plan(p, "16", {}, false);
  const auto* s = find_sql(pl, "CONCURRENTLY");
  ASSERT_NE(nullptr, s);
  EXPECT_TRUE(has_hazard(*s, planner::HazardType::DialectUnverified));
  EXPECT_FALSE(s->transactional) << "seam's own assumption still applies";
}

TEST(PlanStrategies, EmptyChangeSetGivesAnEmptyPlan) {
  auto p = prepare(kTable, kTable);
  auto pl = plan(p, "16");
  EXPECT_TRUE(pl.empty());
  EXPECT_EQ("postgres", pl.dialect);
  EXPECT_EQ("16", pl.server_version);
}

}  // namespace
