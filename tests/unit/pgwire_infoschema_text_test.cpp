// The information_schema inspector's text pieces (dialects/pgwire/
// inspect_infoschema.hpp): types rebuilt from information_schema.columns,
// check clauses, index definitions - including the spellings of products
// that do not run here (CockroachDB's three-part index target, Spanner's
// NOT NULL checks), taken from their sources and documentation.
#include <gtest/gtest.h>

#include "dialects/pgwire/inspect_infoschema.hpp"
#include "schema/canon.hpp"
#include "schema/errors.hpp"

namespace {

using seam::pgwire::InfoSchemaType;
using seam::pgwire::sql_type_of;

std::string canon(const InfoSchemaType& t, const InfoSchemaType* e = nullptr) {
  return seam::pgwire::canonical_type(t, e);
}

TEST(InfoSchemaText, Types) {
  InfoSchemaType t;
  t.data_type = "character varying";
  t.char_max_length = 20;
  EXPECT_EQ(canon(t), "character varying(20)");
  t.char_max_length.reset();
  EXPECT_EQ(canon(t), "character varying");
  t = {};
  t.data_type = "numeric";
  t.numeric_precision = 12;
  t.numeric_scale = 2;
  EXPECT_EQ(canon(t), "numeric(12,2)");
  t = {};
  t.data_type = "timestamp with time zone";
  t.datetime_precision = 6;  // PostgreSQL's report when none was written
  EXPECT_EQ(canon(t), "timestamp with time zone");
  t.datetime_precision = 3;
  EXPECT_EQ(canon(t), "timestamp(3) with time zone");
  // CockroachDB reports 0 for "none written" (its types' Precision()).
  t.default_datetime_precision = 0;
  t.datetime_precision = 0;
  EXPECT_EQ(canon(t), "timestamp with time zone");
  t = {};
  t.data_type = "interval";
  t.interval_type = "DAY TO SECOND";
  t.datetime_precision = 2;
  EXPECT_EQ(canon(t), "interval day to second(2)");
  t = {};
  t.data_type = "USER-DEFINED";
  t.udt_schema = "app";
  t.udt_name = "mood";
  EXPECT_EQ(canon(t), "app.mood");
  t.udt_schema = "public";
  EXPECT_EQ(canon(t), "mood");
  t = {};
  t.data_type = "ARRAY";
  t.udt_schema = "pg_catalog";
  t.udt_name = "_int4";
  EXPECT_EQ(canon(t), "integer[]");
  InfoSchemaType e;
  e.data_type = "character varying";
  e.char_max_length = 10;
  EXPECT_EQ(canon(t, &e), "character varying(10)[]");
  t = {};
  t.data_type = "integer";
  t.domain_schema = "app";
  t.domain_name = "posint";
  EXPECT_EQ(canon(t), "app.posint");
  t = {};
  t.data_type = "character";
  t.char_max_length = 3;
  EXPECT_EQ(canon(t), "character(3)");
}

TEST(InfoSchemaText, CheckClauses) {
  auto c = seam::pgwire::parse_check_clause("((price >= (0)::numeric)) NOT VALID");
  EXPECT_EQ(c.expr, "((price >= (0)::numeric))");
  EXPECT_TRUE(c.not_valid);
  EXPECT_FALSE(c.no_inherit);
  c = seam::pgwire::parse_check_clause("CHECK ((a > 0)) NO INHERIT");
  EXPECT_EQ(c.expr, "((a > 0))");
  EXPECT_TRUE(c.no_inherit);
  // A column named like the keyword is not the keyword.
  EXPECT_EQ(seam::pgwire::parse_check_clause("checked IS TRUE").expr, "checked IS TRUE");
  EXPECT_EQ(seam::pgwire::not_null_column("email IS NOT NULL"), "email");
  EXPECT_EQ(seam::pgwire::not_null_column("((\"Email\" IS NOT NULL))"), "Email");
  EXPECT_EQ(seam::pgwire::not_null_column("Email IS NOT NULL"), "email");
  EXPECT_EQ(seam::pgwire::not_null_column("email IS NOT NULL AND x > 0"), "");
  EXPECT_EQ(seam::pgwire::not_null_column("length(email) > 0"), "");
}

TEST(InfoSchemaText, IndexDefinitionsGetSeamsNames) {
  using seam::pgwire::normalize_indexdef;
  EXPECT_EQ(normalize_indexdef(
                "CREATE INDEX users_created_idx ON public.users USING btree (created DESC)",
                "public", "users", "users_created_idx"),
            "CREATE INDEX users_created_idx ON public.users USING btree (created DESC)");
  // CockroachDB's pg_indexes: database.schema.table (catformat.IndexForDisplay, FmtPGCatalog).
  EXPECT_EQ(normalize_indexdef(
                "CREATE UNIQUE INDEX \"Odd\" ON defaultdb.public.\"T\" USING btree (a ASC) "
                "INCLUDE (b)",
                "public", "T", "Odd"),
            "CREATE UNIQUE INDEX \"Odd\" ON public.\"T\" USING btree (a ASC) INCLUDE (b)");
  EXPECT_EQ(normalize_indexdef("CREATE INDEX \"a USING b\" ON s.t USING gin (doc)", "s", "t",
                               "a USING b"),
            "CREATE INDEX \"a USING b\" ON s.t USING gin (doc)");
  EXPECT_EQ(normalize_indexdef("ALTER TABLE t ADD x int", "s", "t", "x"), "");
}

TEST(InfoSchemaText, ProfilesPickedByProduct) {
  seam::pgwire::Server crdb{"cockroachdb", "CockroachDB", seam::compat::Version{24, 1}, ""};
  auto p = seam::pgwire::profile_for(crdb);
  EXPECT_EQ(p.dialect, "cockroachdb");
  EXPECT_TRUE(p.hidden_primary_key);
  EXPECT_EQ(p.column_filter, "c.is_hidden = 'NO'");
  // CockroachDB's constants: 'a':::STRING reads as 'a'::STRING.
  EXPECT_EQ(p.rewrite_expr("'a:::b':::STRING"), "'a:::b'::STRING");
  // crdb_sql_type of array columns, in PostgreSQL's words.
  EXPECT_EQ(p.array_type_sql, "c.crdb_sql_type");
  EXPECT_EQ(seam::schema::canon_type(p.rewrite_type("STRING(10)[]")), "character varying(10)[]");
  EXPECT_EQ(seam::schema::canon_type(p.rewrite_type("STRING[]")), "text[]");
  EXPECT_EQ(seam::schema::canon_type(p.rewrite_type("BYTES[]")), "bytea[]");
  EXPECT_EQ(seam::schema::canon_type(p.rewrite_type("INT8[]")), "bigint[]");
  std::vector<std::string> notes;
  EXPECT_EQ(
      p.rewrite_indexdef(
          "CREATE INDEX i ON db.public.t USING btree (a ASC) USING HASH WITH (bucket_count=8) "
          "STORING (b, c)",
          notes),
      "CREATE INDEX i ON db.public.t USING btree (a ASC) INCLUDE (b, c)");
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0], "hash-sharded index i (read without USING HASH)");
  bool triggers = false;
  for (const auto& q : p.unsupported) triggers = triggers || q.label == "trigger on";
  EXPECT_FALSE(triggers);  // no triggers before 24.3
  crdb.version = {24, 3};
  for (const auto& q : seam::pgwire::profile_for(crdb).unsupported)
    triggers = triggers || q.label == "trigger on";
  EXPECT_TRUE(triggers);
  seam::pgwire::Server sp{"spanner-pg", "Spanner (PostgreSQL interface)",
                          seam::compat::Version{0, -1}, ""};
  auto s = seam::pgwire::profile_for(sp);
  EXPECT_FALSE(s.pg_indexes);
  EXPECT_TRUE(static_cast<bool>(s.read_indexes));
  EXPECT_EQ(s.type_column, "spanner_type");
  EXPECT_FALSE(s.enums);
  seam::pgwire::Server yb{"yugabytedb", "YugabyteDB", seam::compat::Version{2024, 2}, ""};
  EXPECT_THROW(seam::pgwire::profile_for(yb), seam::UnsupportedError);
}

}  // namespace
