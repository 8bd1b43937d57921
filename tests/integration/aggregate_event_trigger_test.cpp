// Aggregates and event triggers end to end, on every installed PostgreSQL
// major (seam_add_pg_matrix_test): the offline loader's model of a schema
// must compare equal with the live catalog after the same SQL ran, the dump
// of that catalog must reload into an equal catalog (and dump byte-identically),
// and the loader must keep the server's defaults and reject what the server
// would reject (a support function that does not exist).
#include <string>

#include <gtest/gtest.h>

#include "dialects/postgres/conn.hpp"
#include "dialects/postgres/dump.hpp"
#include "dialects/postgres/inspect.hpp"
#include "differ/diff.hpp"
#include "schema/compare.hpp"
#include "schema/errors.hpp"
#include "schema/load.hpp"
#include "tests/support/pg_fixture.hpp"

namespace {

using seam::schema::Catalog;
using seam::schema::compare;
using seam::schema::format_differences;

// Valid on PostgreSQL 12 and later, and readable by the offline loader.
const char* kSchema = R"SQL(
CREATE SCHEMA agg;
CREATE FUNCTION agg.add_int(integer, integer) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT $1 + $2 $$;
CREATE FUNCTION agg.sub_int(integer, integer) RETURNS integer LANGUAGE sql IMMUTABLE
  AS $$ SELECT $1 - $2 $$;
CREATE FUNCTION agg.half(integer) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT $1 / 2.0 $$;
CREATE FUNCTION str_append(text, text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT $1 || $2 $$;

-- Built-in support functions, no INITCOND (NULL).
CREATE AGGREGATE my_sum(int4) (SFUNC = int4pl, STYPE = int4);
-- INITCOND = '' is not the same as no INITCOND.
CREATE AGGREGATE str_concat(text) (SFUNC = str_append, STYPE = text, INITCOND = '');
-- A user-defined SFUNC in another schema, combine function, parallel safe,
-- the moving-aggregate group.
CREATE AGGREGATE agg.total(integer) (
  SFUNC = agg.add_int, STYPE = integer, INITCOND = '0', COMBINEFUNC = agg.add_int, PARALLEL = SAFE,
  MSFUNC = agg.add_int, MINVFUNC = agg.sub_int, MSTYPE = integer, MINITCOND = '0'
);
COMMENT ON AGGREGATE agg.total(integer) IS 'sum of integers';
CREATE AGGREGATE agg.half_sum(val integer) (
  SFUNC = agg.add_int, STYPE = integer, FINALFUNC = agg.half, FINALFUNC_MODIFY = SHAREABLE, INITCOND = '0'
);
CREATE AGGREGATE agg.avg8(float8) (
  SFUNC = pg_catalog.float8_accum, STYPE = float8[], FINALFUNC = float8_avg, COMBINEFUNC = float8_combine,
  INITCOND = '{0,0,0}', PARALLEL = RESTRICTED
);
CREATE AGGREGATE agg.biggest(integer) (SFUNC = int4larger, STYPE = integer, SORTOP = >);
CREATE AGGREGATE agg.cnt(*) (SFUNC = int8inc, STYPE = int8, INITCOND = '0');
-- The old syntax, and an operator written OPERATOR(schema.op).
CREATE AGGREGATE agg.old_sum (BASETYPE = int8, SFUNC = int8pl, STYPE = int8, INITCOND = 0);
CREATE AGGREGATE agg.least_of(integer) (SFUNC = int4smaller, STYPE = integer, SORTOP = OPERATOR(pg_catalog.<));
-- Ordered-set and hypothetical-set aggregates (as pg_catalog defines
-- percentile_disc and rank).
CREATE AGGREGATE agg.pct(float8 ORDER BY anyelement) (
  SFUNC = ordered_set_transition, STYPE = internal, FINALFUNC = percentile_disc_final, FINALFUNC_EXTRA
);
COMMENT ON AGGREGATE agg.pct(float8 ORDER BY anyelement) IS 'discrete percentile';
CREATE AGGREGATE agg.hrank(VARIADIC "any" ORDER BY VARIADIC "any") (
  SFUNC = ordered_set_transition_multi, STYPE = internal, FINALFUNC = rank_final, FINALFUNC_EXTRA,
  HYPOTHETICAL
);
CREATE AGGREGATE agg.gone(integer) (SFUNC = int4pl, STYPE = integer);
DROP AGGREGATE agg.gone(integer);

-- Event triggers: tags (in any case and order), disabled, always, a comment.
CREATE FUNCTION agg.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN NULL; END$$;
CREATE EVENT TRIGGER seam_evt_tags ON ddl_command_end
  WHEN TAG IN ('create table', 'ALTER TABLE') EXECUTE FUNCTION agg.on_ddl();
COMMENT ON EVENT TRIGGER seam_evt_tags IS 'watches tables';
CREATE EVENT TRIGGER seam_evt_off ON sql_drop EXECUTE PROCEDURE agg.on_ddl();
ALTER EVENT TRIGGER seam_evt_off DISABLE;
CREATE EVENT TRIGGER seam_evt_always ON ddl_command_start EXECUTE FUNCTION agg.on_ddl();
ALTER EVENT TRIGGER seam_evt_always ENABLE ALWAYS;
CREATE EVENT TRIGGER seam_evt_gone ON sql_drop EXECUTE FUNCTION agg.on_ddl();
DROP EVENT TRIGGER seam_evt_gone;
)SQL";

Catalog inspect_url(const std::string& url) {
  auto conn = seam::pg::connect(url);
  return seam::pg::inspect(*conn);
}

const seam::schema::Aggregate& agg(const Catalog& c, const std::string& sig) {
  auto it = c.aggregates.find(sig);
  if (it == c.aggregates.end()) throw std::runtime_error("no aggregate " + sig);
  return it->second;
}

void expect_model(const Catalog& c) {
  EXPECT_EQ(c.aggregates.size(), 11u);
  EXPECT_EQ(agg(c, "agg.old_sum(bigint)").initcond, std::optional<std::string>("0"));
  EXPECT_EQ(agg(c, "agg.least_of(integer)").sortop, "<");
  const auto& sum = agg(c, "public.my_sum(integer)");
  EXPECT_EQ(sum.sfunc, "int4pl");
  EXPECT_EQ(sum.stype, "integer");
  EXPECT_FALSE(sum.initcond.has_value());
  EXPECT_EQ(sum.finalfunc_modify, 'r');
  EXPECT_EQ(sum.parallel, 'u');
  ASSERT_TRUE(agg(c, "public.str_concat(text)").initcond.has_value());
  EXPECT_EQ(*agg(c, "public.str_concat(text)").initcond, "");
  EXPECT_EQ(agg(c, "public.str_concat(text)").sfunc, "str_append");
  const auto& total = agg(c, "agg.total(integer)");
  EXPECT_EQ(total.sfunc, "agg.add_int");
  EXPECT_EQ(total.combinefunc, "agg.add_int");
  EXPECT_EQ(total.minvfunc, "agg.sub_int");
  EXPECT_EQ(total.mstype, "integer");
  EXPECT_EQ(total.minitcond, std::optional<std::string>("0"));
  EXPECT_EQ(total.parallel, 's');
  EXPECT_EQ(total.comment, "sum of integers");
  EXPECT_EQ(agg(c, "agg.half_sum(integer)").finalfunc_modify, 's');
  EXPECT_EQ(agg(c, "agg.half_sum(integer)").args.at(0).name, "val");
  EXPECT_EQ(agg(c, "agg.avg8(double precision)").sfunc, "float8_accum");
  EXPECT_EQ(agg(c, "agg.avg8(double precision)").parallel, 'r');
  EXPECT_EQ(agg(c, "agg.biggest(integer)").sortop, ">");
  EXPECT_TRUE(agg(c, "agg.cnt(*)").args.empty());
  const auto& pct = agg(c, "agg.pct(double precision ORDER BY anyelement)");
  EXPECT_EQ(pct.kind, 'o');
  EXPECT_EQ(pct.direct_args, 1);
  EXPECT_TRUE(pct.finalfunc_extra);
  EXPECT_EQ(pct.finalfunc_modify, 'w');
  EXPECT_EQ(pct.comment, "discrete percentile");
  const auto& hrank = agg(c, "agg.hrank(\"any\" ORDER BY \"any\")");
  EXPECT_EQ(hrank.kind, 'h');
  EXPECT_EQ(hrank.args.size(), 1u);
  EXPECT_EQ(hrank.args.at(0).mode, "VARIADIC");

  ASSERT_EQ(c.event_triggers.size(), 3u);
  const auto& tags = c.event_triggers.at("seam_evt_tags");
  EXPECT_EQ(tags.event, "ddl_command_end");
  EXPECT_EQ(tags.tags, (std::vector<std::string>{"ALTER TABLE", "CREATE TABLE"}));
  EXPECT_EQ(tags.function, (seam::schema::QualName{"agg", "on_ddl"}));
  EXPECT_EQ(tags.enabled, 'O');
  EXPECT_EQ(tags.comment, "watches tables");
  EXPECT_EQ(c.event_triggers.at("seam_evt_off").enabled, 'D');
  EXPECT_EQ(c.event_triggers.at("seam_evt_always").enabled, 'A');
}

TEST(AggregateEventTrigger, OfflineMatchesLive) {
  Catalog desired = seam::schema::load_sql(kSchema).catalog;
  expect_model(desired);
  std::string url = seam::test::fresh_database("aggevt");
  seam::test::run_sql(url, kSchema);
  Catalog live = inspect_url(url);
  EXPECT_TRUE(live.unsupported.empty()) << live.unsupported.front();
  expect_model(live);
  auto diffs = compare(desired, live);
  EXPECT_TRUE(diffs.empty()) << format_differences(diffs);
}

TEST(AggregateEventTrigger, DumpReloadsEqual) {
  std::string a = seam::test::fresh_database("aggevt_a");
  seam::test::run_sql(a, kSchema);
  Catalog first = inspect_url(a);
  std::string dump = seam::pg::dump_catalog(first);
  EXPECT_NE(dump.find("CREATE AGGREGATE agg.hrank(VARIADIC \"any\" ORDER BY VARIADIC \"any\")"), std::string::npos) << dump;
  EXPECT_NE(dump.find("ALTER EVENT TRIGGER seam_evt_off DISABLE;"), std::string::npos) << dump;
  // Aggregates after the functions they call; event triggers at the end.
  EXPECT_LT(dump.find("FUNCTION agg.add_int"), dump.find("CREATE AGGREGATE agg.total"));
  EXPECT_GT(dump.find("CREATE EVENT TRIGGER"), dump.rfind("CREATE AGGREGATE"));

  std::string b = seam::test::fresh_database("aggevt_b");
  seam::test::run_sql(b, dump);
  Catalog second = inspect_url(b);
  expect_model(second);
  auto diffs = compare(first, second);
  EXPECT_TRUE(diffs.empty()) << format_differences(diffs) << dump;
  EXPECT_EQ(seam::pg::dump_catalog(second), dump);
  // The dump is also valid desired-state input.
  auto reloaded = seam::schema::load_sql(dump, "dump.sql").catalog;
  diffs = compare(reloaded, second);
  EXPECT_TRUE(diffs.empty()) << format_differences(diffs);
}

TEST(AggregateEventTrigger, CompareSeesChangedFields) {
  Catalog a = seam::schema::load_sql(kSchema).catalog;
  Catalog b = a;
  b.aggregates.at("public.str_concat(text)").initcond.reset();
  b.aggregates.at("agg.total(integer)").parallel = 'u';
  b.event_triggers.at("seam_evt_off").enabled = 'O';
  b.event_triggers.at("seam_evt_tags").tags.pop_back();
  auto diffs = compare(a, b);
  std::string text = format_differences(diffs);
  EXPECT_EQ(diffs.size(), 4u) << text;
  EXPECT_NE(text.find("aggregate public.str_concat(text): initcond: '' vs NULL"), std::string::npos) << text;
  EXPECT_NE(text.find("parallel: s vs u"), std::string::npos) << text;
  EXPECT_NE(text.find("event trigger seam_evt_off: enabled: D vs O"), std::string::npos) << text;
  EXPECT_NE(text.find("event trigger seam_evt_tags: tags"), std::string::npos) << text;
}

// The differ has no changes for these kinds yet: a difference must be refused,
// never left out of a plan that would then read as "in sync".
TEST(AggregateEventTrigger, DifferRefusesWhatItCannotPlan) {
  Catalog a = seam::schema::load_sql(kSchema).catalog;
  EXPECT_NO_THROW(seam::differ::diff(a, a, {}));
  Catalog b = a;
  b.aggregates.erase("agg.total(integer)");
  EXPECT_THROW(seam::differ::diff(b, a, {}), seam::UnsupportedError);
  Catalog c = a;
  c.event_triggers.at("seam_evt_off").enabled = 'O';
  try {
    seam::differ::diff(c, a, {});
    FAIL() << "an event trigger's changed state must be refused";
  } catch (const seam::UnsupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("event trigger seam_evt_off: enabled: D vs O"), std::string::npos) << e.what();
  }
}

TEST(AggregateEventTrigger, LoaderRejectsMissingSupportFunction) {
  const std::string sql =
      "CREATE SCHEMA x;\n"
      "CREATE AGGREGATE x.a(integer) (\n  STYPE = integer,\n  SFUNC = x.nope\n);\n";
  try {
    seam::schema::load_sql(sql, "agg.sql");
    FAIL() << "a missing SFUNC in another schema must be an error";
  } catch (const seam::InputError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("agg.sql:4:"), std::string::npos) << msg;
    EXPECT_NE(msg.find("x.nope"), std::string::npos) << msg;
  }
  // An unqualified name the desired state does not define is a built-in.
  auto ok = seam::schema::load_sql("CREATE AGGREGATE s(numeric) (SFUNC = numeric_add, STYPE = numeric);");
  EXPECT_EQ(ok.catalog.aggregates.at("public.s(numeric)").sfunc, "numeric_add");
  // The server's own rules: no STYPE, event trigger on a missing function.
  EXPECT_THROW(seam::schema::load_sql("CREATE AGGREGATE s(numeric) (SFUNC = numeric_add);"), seam::InputError);
  EXPECT_THROW(seam::schema::load_sql("CREATE SCHEMA y;\nCREATE EVENT TRIGGER e ON sql_drop EXECUTE FUNCTION y.f();"),
               seam::InputError);
  EXPECT_THROW(seam::schema::load_sql("COMMENT ON AGGREGATE nothere(integer) IS 'x';"), seam::InputError);
}

}  // namespace
