// Everyday schema changes on CockroachDB, YugabyteDB and Spanner's
// PostgreSQL interface, planned offline (catalogs from SQL text, as
// pgwire_plan_test does) for every dialect at every version boundary its
// compatibility matrix has: a changed and a dropped default, a dropped NOT
// NULL, a dropped CHECK and FOREIGN KEY, a dropped index, a dropped table and
// a renamed table all plan, each step carries the dialect-unverified hazard
// and the entry's notes, and the drops wait in the contract phase behind the
// checkpoint. A renamed index is planned or refused as its entry says (Spanner
// cannot rename an index), an added view is created in expand and a dropped
// one waits in contract, and an added sequence is still refused: the pgwire
// planner maps no matrix op to it. Nothing here ran against those products.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "compat-matrix/matrix.hpp"
#include "dialects/pgwire/plan.hpp"
#include "dialects/pgwire/product.hpp"
#include "differ/diff.hpp"
#include "schema/errors.hpp"
#include "schema/load.hpp"

namespace {

using namespace seam;

struct Target {
  std::string dialect;
  compat::Version version;
  std::string label;  // "cockroachdb 24.3", "spanner-pg all"
};

// The versions at which some entry of the matrix starts or ends: planning at
// each of them crosses every range boundary the file has. "all" (a
// versionless service) is planned as 1, as `seam plan` does for Spanner.
std::vector<Target> boundaries() {
  std::vector<Target> out;
  for (const auto& d : pgwire::product_dialects()) {
    std::set<compat::Version> vs;
    for (const auto& e : compat::builtin(d).entries) {
      if (e.min_major == 0 && e.max_major == 0) {
        vs.insert(compat::Version{1, -1});
        continue;
      }
      vs.insert(compat::Version{e.min_major, e.min_minor});
      if (e.max_major > 0) vs.insert(compat::Version{e.max_major, e.max_minor});
    }
    for (const auto& v : vs) out.push_back({d, v, d + " " + pgwire::version_text(d, v)});
  }
  return out;
}

struct Planned {
  planner::Plan plan;
  std::string error;  // the UnsupportedError's message, "" when planned
};

Planned plan(const Target& t, const std::string& from, const std::string& to) {
  schema::Catalog a = schema::load_sql(from).catalog, b = schema::load_sql(to).catalog;
  pgwire::PlanInput in;
  in.dialect = t.dialect;
  in.version = t.version;
  in.matrix = &compat::builtin(t.dialect);
  Planned p;
  try {
    p.plan = pgwire::make_plan(differ::diff(a, b), a, b, in);
  } catch (const UnsupportedError& e) {
    p.error = e.what();
  }
  return p;
}

bool has_hazard(const planner::Step& s, planner::HazardType t) {
  return std::any_of(s.hazards.begin(), s.hazards.end(),
                     [&](const planner::Hazard& h) { return h.type == t; });
}

std::string unverified_message(const planner::Step& s) {
  for (const auto& h : s.hazards)
    if (h.type == planner::HazardType::DialectUnverified) return h.message;
  return "";
}

// Types every product has (Spanner: no 4-byte integer, no numeric(p,s)). The
// primary key of the renamed table keeps its name, so the only change to it is
// the rename. The dropped CHECK and FOREIGN KEY sit on a table nothing else
// alters, and the key references a table that stays as it is: see
// AConstraintDropOnAnAlteredTableRunsInExpand for the other case.
const char* kFrom = R"(
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL);
CREATE TABLE orders (
  id bigint PRIMARY KEY,
  status text NOT NULL DEFAULT 'new',
  note text,
  total numeric NOT NULL
);
CREATE INDEX orders_status_idx ON orders (status);
CREATE TABLE payments (
  id bigint PRIMARY KEY,
  customer_id bigint NOT NULL,
  amount numeric NOT NULL,
  CONSTRAINT payments_amount_check CHECK (amount >= 0),
  CONSTRAINT payments_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)
);
CREATE TABLE audit_log (id bigint PRIMARY KEY, message text);
CREATE TABLE coupons (id bigint CONSTRAINT coupons_pkey PRIMARY KEY, code text NOT NULL);
)";

const char* kTo = R"(
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL);
CREATE TABLE orders (
  id bigint PRIMARY KEY,
  status text NOT NULL,
  note text DEFAULT '',
  total numeric
);
CREATE TABLE payments (id bigint PRIMARY KEY, customer_id bigint NOT NULL, amount numeric NOT NULL);
-- seam:renamed-from coupons
CREATE TABLE vouchers (id bigint CONSTRAINT coupons_pkey PRIMARY KEY, code text NOT NULL);
)";

// op -> a piece of the statement the step must run.
const std::map<std::string, std::string> kEveryday = {
    {"set_default", "ALTER COLUMN note SET DEFAULT"},
    {"drop_default", "ALTER COLUMN status DROP DEFAULT"},
    {"drop_not_null", "ALTER COLUMN total DROP NOT NULL"},
    {"drop_constraint", "ALTER TABLE public.payments DROP CONSTRAINT payments_amount_check"},
    {"drop_foreign_key", "ALTER TABLE public.payments DROP CONSTRAINT payments_customer_fk"},
    {"drop_index", "DROP INDEX public.orders_status_idx"},
    {"drop_table", "DROP TABLE public.audit_log"},
    {"rename_table", "ALTER TABLE public.coupons RENAME TO vouchers"},
};
const std::set<std::string> kDrops = {"drop_constraint", "drop_foreign_key", "drop_index",
                                      "drop_table"};

TEST(PgwireCommonChanges, TheVersionBoundariesAreEveryRangeEdge) {
  auto ts = boundaries();
  auto count = [&](const std::string& d) {
    return std::count_if(ts.begin(), ts.end(), [&](const Target& t) { return t.dialect == d; });
  };
  // 23.1, 24, 24.2, 24.3, 25.1, 25 / 2.20, 2024.0, 2025 / all: the ranges the
  // files use today; a new range only adds to these.
  EXPECT_GE(count("cockroachdb"), 6);
  EXPECT_GE(count("yugabytedb"), 3);
  EXPECT_EQ(count("spanner-pg"), 1);
}

TEST(PgwireCommonChanges, EverydayChangesPlanOnEveryVersionBoundary) {
  for (const auto& t : boundaries()) {
    SCOPED_TRACE(t.label);
    const compat::Matrix& m = compat::builtin(t.dialect);
    auto p = plan(t, kFrom, kTo);
    ASSERT_EQ(p.error, "");
    const auto& steps = p.plan.steps;
    EXPECT_EQ(p.plan.dialect, t.dialect);
    EXPECT_EQ(p.plan.server_version, pgwire::version_text(t.dialect, t.version));

    auto cp = std::find_if(steps.begin(), steps.end(), [](const planner::Step& s) {
      return s.kind == planner::StepKind::Checkpoint;
    });
    ASSERT_NE(cp, steps.end());
    size_t cp_at = static_cast<size_t>(cp - steps.begin());

    std::multiset<std::string> ops;
    for (size_t i = 0; i < steps.size(); ++i) {
      const auto& s = steps[i];
      if (s.kind != planner::StepKind::Sql) {
        EXPECT_EQ(s.kind, planner::StepKind::Checkpoint) << s.id;  // no backfill needed
        continue;
      }
      SCOPED_TRACE(s.id);
      ops.insert(s.op);
      auto want = kEveryday.find(s.op);
      ASSERT_NE(want, kEveryday.end()) << "unexpected op " << s.op;
      EXPECT_NE(s.sql.find(want->second), std::string::npos) << s.sql;
      const compat::Entry* e = m.find(s.op, t.version);
      ASSERT_NE(e, nullptr);
      EXPECT_NE(e->strategy, "unsupported");
      EXPECT_NE(e->strategy, "refuse");
      // No DDL in a transaction, no table lock on any of these products.
      EXPECT_FALSE(s.transactional);
      EXPECT_TRUE(s.locks.empty());
      // Every step says it relies on documentation only, naming its op and range.
      std::string uv = unverified_message(s);
      EXPECT_NE(uv.find(s.op), std::string::npos) << uv;
      EXPECT_NE(uv.find("versions " + e->versions()), std::string::npos) << uv;
      EXPECT_NE(uv.find("compat-matrix/" + t.dialect + ".yaml"), std::string::npos) << uv;
      // The runbook message carries what the entry says about the product.
      if (!e->notes.empty()) {
        EXPECT_NE(s.message.find(e->notes), std::string::npos) << s.message;
      }
      if (kDrops.count(s.op)) {
        EXPECT_EQ(s.phase, planner::Phase::Contract);
        EXPECT_GT(i, cp_at) << "a drop runs only after the checkpoint is approved";
      } else {
        EXPECT_EQ(s.phase, planner::Phase::Expand);
        EXPECT_LT(i, cp_at);
      }
      if (s.op == "drop_table") {
        EXPECT_TRUE(has_hazard(s, planner::HazardType::DataLoss));
        EXPECT_EQ(e->strategy, "contract_only");
      }
      if (s.op == "rename_table") {
        EXPECT_TRUE(has_hazard(s, planner::HazardType::AppCompat));
      }
    }
    std::multiset<std::string> want_ops;
    for (const auto& [op, sql] : kEveryday) want_ops.insert(op);
    EXPECT_EQ(ops, want_ops);
  }
}

// A dropped CHECK on a table whose column another step alters is pulled into
// expand, ahead of that alteration: planner::assemble runs a drop that needs
// the table's old form before any step that alters the table (a drop of a
// constraint keeps every old_needs key, as in PostgreSQL plans). It is not
// behind the checkpoint then, but still its own unverified step.
TEST(PgwireCommonChanges, AConstraintDropOnAnAlteredTableRunsInExpand) {
  const char* from =
      "CREATE TABLE orders (id bigint PRIMARY KEY, total numeric NOT NULL,"
      " CONSTRAINT orders_total_check CHECK (total >= 0));";
  const char* to = "CREATE TABLE orders (id bigint PRIMARY KEY, total numeric);";
  for (const auto& t : boundaries()) {
    SCOPED_TRACE(t.label);
    auto p = plan(t, from, to);
    ASSERT_EQ(p.error, "");
    const auto& steps = p.plan.steps;
    auto at = [&](const std::string& op) {
      return std::find_if(steps.begin(), steps.end(),
                          [&](const planner::Step& s) { return s.op == op; }) -
             steps.begin();
    };
    auto drop = at("drop_constraint"), relax = at("drop_not_null");
    ASSERT_LT(static_cast<size_t>(drop), steps.size());
    ASSERT_LT(static_cast<size_t>(relax), steps.size());
    EXPECT_LT(drop, relax);
    EXPECT_EQ(steps[drop].phase, planner::Phase::Expand);
    EXPECT_TRUE(has_hazard(steps[drop], planner::HazardType::DialectUnverified));
    EXPECT_FALSE(std::any_of(steps.begin(), steps.end(), [](const planner::Step& s) {
      return s.kind == planner::StepKind::Checkpoint;
    })) << "nothing is left for a contract phase";
  }
}

// A renamed index: planned where the product has the operation, refused with
// the change, product, version and the entry's notes where it lacks it (or
// with "no entry" where no documentation was found), never guessed.
TEST(PgwireCommonChanges, ARenamedIndexIsPlannedOrRefusedAsTheEntrySays) {
  const char* from =
      "CREATE TABLE orders (id bigint PRIMARY KEY, status text);"
      "CREATE INDEX orders_status_idx ON orders (status);";
  const char* to =
      "CREATE TABLE orders (id bigint PRIMARY KEY, status text);\n"
      "-- seam:renamed-from orders_status_idx\n"
      "CREATE INDEX orders_state_idx ON orders (status);";
  int planned = 0, refused = 0;
  for (const auto& t : boundaries()) {
    SCOPED_TRACE(t.label);
    const pgwire::Product& prod = pgwire::product(t.dialect);
    const compat::Entry* e = compat::builtin(t.dialect).find("rename_index", t.version);
    auto p = plan(t, from, to);
    if (e && e->strategy != "unsupported" && e->strategy != "refuse") {
      ++planned;
      ASSERT_EQ(p.error, "");
      ASSERT_EQ(p.plan.steps.size(), 1u);
      EXPECT_EQ(p.plan.steps[0].op, "rename_index");
      EXPECT_TRUE(has_hazard(p.plan.steps[0], planner::HazardType::DialectUnverified));
      continue;
    }
    ++refused;
    EXPECT_NE(p.error.find("rename index public.orders_status_idx"), std::string::npos) << p.error;
    std::string where = prod.versionless ? prod.name : prod.name + " " + t.version.str();
    EXPECT_NE(p.error.find(where), std::string::npos) << p.error;
    if (e) {
      EXPECT_NE(p.error.find("rename_index is not supported on " + where), std::string::npos)
          << p.error;
      EXPECT_NE(p.error.find(e->notes), std::string::npos) << p.error;
    } else {
      EXPECT_NE(p.error.find("no operation rename_index"), std::string::npos) << p.error;
    }
  }
  // Both paths are exercised by today's matrices (CockroachDB renames an
  // index; Spanner cannot).
  EXPECT_GT(planned, 0);
  EXPECT_GT(refused, 0);
}

// An added view plans on every product and version (create_view in expand)
// and a dropped one waits behind the checkpoint (drop_view, contract, with an
// app-compat hazard); each step carries its entry's notes and the
// dialect-unverified hazard. A change no matrix op covers (a sequence) is
// still refused.
TEST(PgwireCommonChanges, ViewsArePlannedAndSequencesRefused) {
  const char* from =
      "CREATE TABLE orders (id bigint PRIMARY KEY, status text);"
      "CREATE VIEW all_orders AS SELECT orders.id FROM orders;";
  const char* to =
      "CREATE TABLE orders (id bigint PRIMARY KEY, status text);"
      "CREATE VIEW open_orders AS SELECT orders.id FROM orders WHERE orders.status = 'open';";
  for (const auto& t : boundaries()) {
    SCOPED_TRACE(t.label);
    auto p = plan(t, from, to);
    ASSERT_EQ(p.error, "");
    const compat::Matrix& m = compat::builtin(t.dialect);
    int creates = 0, drops = 0;
    bool checkpoint = false;
    for (const auto& s : p.plan.steps) {
      if (s.kind == planner::StepKind::Checkpoint) checkpoint = true;
      if (s.kind != planner::StepKind::Sql) continue;
      const compat::Entry* e = m.find(s.op, t.version);
      ASSERT_NE(e, nullptr) << s.op;
      EXPECT_TRUE(has_hazard(s, planner::HazardType::DialectUnverified)) << s.op;
      EXPECT_NE(s.message.find(e->notes), std::string::npos) << s.message;
      EXPECT_FALSE(s.transactional);
      if (s.op == "create_view") {
        ++creates;
        EXPECT_EQ(s.change, "add view public.open_orders");
        EXPECT_EQ(s.phase, planner::Phase::Expand);
      } else if (s.op == "drop_view") {
        ++drops;
        EXPECT_EQ(s.change, "drop view public.all_orders");
        EXPECT_EQ(s.sql, "DROP VIEW public.all_orders;\n");
        EXPECT_EQ(s.phase, planner::Phase::Contract);
        EXPECT_TRUE(checkpoint) << "the drop runs behind the checkpoint";
        EXPECT_TRUE(has_hazard(s, planner::HazardType::AppCompat));
      } else {
        ADD_FAILURE() << "unexpected step " << s.op;
      }
    }
    EXPECT_EQ(creates, 1);
    EXPECT_EQ(drops, 1);

    auto q = plan(t, "CREATE TABLE orders (id bigint PRIMARY KEY);",
                  "CREATE TABLE orders (id bigint PRIMARY KEY); CREATE SEQUENCE order_no;");
    EXPECT_NE(q.error.find("add sequence public.order_no"), std::string::npos) << q.error;
    EXPECT_NE(q.error.find("no compat-matrix operation covers it"), std::string::npos) << q.error;
    EXPECT_NE(q.error.find(pgwire::product(t.dialect).name), std::string::npos) << q.error;
  }
}

}  // namespace
