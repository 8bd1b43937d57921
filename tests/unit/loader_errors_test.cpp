// The offline desired-state loader (schema/load.hpp) on input that is wrong or
// merely unusual. Wrong input must fail with a message that names
// file:line:col exactly (the position of the offending token, the second file
// of a directory, both places of a duplicate); unusual-but-valid input (what
// pg_dump writes, names PostgreSQL invents, serial, `-- seam:` annotations)
// must load into the model the server itself would build. The implicit names
// here are the ones PostgreSQL 15 chooses; loader_live_test.cpp checks the
// same SQL against real servers.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "schema/errors.hpp"
#include "schema/load.hpp"

namespace {

using seam::schema::Catalog;
using seam::schema::ConstraintKind;
using seam::schema::LoadResult;
using seam::schema::QualName;
using seam::schema::load_sql;

// The message of the InputError that loading `sql` must raise ("" and a test
// failure when it raises nothing or something else).
std::string input_error(const std::string& sql, const std::string& file = "errs.sql") {
  try {
    load_sql(sql, file);
  } catch (const seam::InputError& e) {
    return e.what();
  } catch (const seam::UnsupportedError& e) {
    ADD_FAILURE() << "expected InputError, got UnsupportedError: " << e.what();
    return "";
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected InputError, got another exception: " << e.what();
    return "";
  }
  ADD_FAILURE() << "expected InputError, but this loaded:\n" << sql;
  return "";
}

std::string unsupported_error(const std::string& sql, const std::string& file = "errs.sql") {
  try {
    load_sql(sql, file);
  } catch (const seam::UnsupportedError& e) {
    return e.what();
  } catch (const seam::InputError& e) {
    ADD_FAILURE() << "expected UnsupportedError, got InputError: " << e.what();
    return "";
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected UnsupportedError, got another exception: " << e.what();
    return "";
  }
  ADD_FAILURE() << "expected UnsupportedError, but this loaded:\n" << sql;
  return "";
}

#define EXPECT_HAS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << "missing \"" << (needle) << "\" in:\n" << (haystack)
#define EXPECT_LACKS(haystack, needle) \
  EXPECT_EQ(std::string(haystack).find(needle), std::string::npos) << "unexpected \"" << (needle) << "\" in:\n" << (haystack)

// A scratch directory of .sql files, removed at scope exit.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    static int n = 0;
    path = std::filesystem::temp_directory_path() /
           ("seam_loader_errors_" + std::to_string(::getpid()) + "_" + std::to_string(++n));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string write(const std::string& rel, const std::string& text) const {
    auto p = path / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
};

// --- Syntax errors -----------------------------------------------------------

TEST(LoaderErrors, SyntaxErrorNamesTheOffendingToken) {
  std::string sql =
      "-- users\n"
      "CREATE TABLE a (id int);\n"
      "\n"
      "CREATE TABLE b (\n"
      "  id integer NOT NULL DEFALT 1\n"
      ");\n";
  std::string msg = input_error(sql);
  // "DEFALT" starts in column 23 of line 5.
  EXPECT_HAS(msg, "errs.sql:5:23:");
  EXPECT_HAS(msg, "syntax error at or near \"DEFALT\"");
  // The user must learn that this was the offline parser, which grammar it
  // speaks, and how to use a newer one.
  EXPECT_HAS(msg, "offline");
  EXPECT_HAS(msg, "PostgreSQL 15 grammar");
  EXPECT_HAS(msg, "dev");
}

TEST(LoaderErrors, SyntaxErrorAfterMultibyteText) {
  // Multibyte text on an earlier line must not shift the reported position
  // (the parser counts characters, the file is indexed by bytes).
  std::string sql =
      "COMMENT ON SCHEMA public IS 'café';\n"
      "CREATE TABLE t (a int,, b int);\n";
  std::string msg = input_error(sql);
  EXPECT_HAS(msg, "errs.sql:2:23:");
  EXPECT_HAS(msg, "syntax error at or near \",\"");
}

TEST(LoaderErrors, SyntaxErrorAtEndOfInput) {
  std::string sql = "CREATE TABLE t (a int,\n  b int\n";
  std::string msg = input_error(sql);
  EXPECT_HAS(msg, "errs.sql:");
  EXPECT_HAS(msg, "syntax error at end of input");
  EXPECT_HAS(msg, "PostgreSQL 15 grammar");
}

TEST(LoaderErrors, UnterminatedStringNamesWhereItStarts) {
  std::string sql = "CREATE TABLE t (a int);\nCOMMENT ON TABLE t IS 'never closed;\n";
  std::string msg = input_error(sql);
  EXPECT_HAS(msg, "errs.sql:2:23:");
  EXPECT_HAS(msg, "unterminated quoted string");
}

// --- Statements seam refuses -------------------------------------------------

TEST(LoaderErrors, UnsupportedStatementNamesPositionAndKind) {
  std::string sql =
      "CREATE TABLE t (a int);\n"
      "-- a rewrite rule\n"
      "  CREATE RULE r AS ON INSERT TO t DO INSTEAD NOTHING;\n";
  std::string msg = unsupported_error(sql);
  EXPECT_HAS(msg, "errs.sql:3:3:");
  EXPECT_HAS(msg, "CREATE RULE");
  EXPECT_HAS(msg, "not supported");
}

TEST(LoaderErrors, OtherUnsupportedStatementKinds) {
  struct Case {
    const char* sql;
    const char* kind;
  };
  const Case cases[] = {
      {"CREATE OPERATOR === (leftarg = int, rightarg = int, function = int4eq);", "CREATE OPERATOR"},
      {"CREATE CAST (text AS int) WITH INOUT;", "CREATE CAST"},
      {"CREATE TABLE t (a int);\nCREATE RULE r AS ON INSERT TO t DO INSTEAD NOTHING;", "CREATE RULE"},
      {"CREATE COLLATION german (provider = libc, locale = 'de_DE');", "CREATE COLLATION"},
      {"CREATE TEMP TABLE scratch (a int);", "temporary"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.sql);
    std::string msg = unsupported_error(c.sql);
    EXPECT_HAS(msg, "errs.sql:");
    EXPECT_HAS(msg, c.kind);
  }
}

TEST(LoaderErrors, DmlIsAnInputErrorThatSaysDml) {
  struct Case {
    const char* stmt;
    const char* keyword;
  };
  const Case cases[] = {
      {"INSERT INTO t VALUES (1);", "INSERT"},
      {"UPDATE t SET a = 2;", "UPDATE"},
      {"DELETE FROM t WHERE a = 1;", "DELETE"},
      {"COPY t (a) FROM '/tmp/t.csv';", "COPY"},
      {"TRUNCATE t;", "TRUNCATE"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.stmt);
    std::string msg = input_error("CREATE TABLE t (a int);\n\n   " + std::string(c.stmt) + "\n");
    EXPECT_HAS(msg, "errs.sql:3:4:");
    EXPECT_HAS(msg, "DML");
    EXPECT_HAS(msg, c.keyword);
  }
}

// --- Semantic errors ---------------------------------------------------------

TEST(LoaderErrors, DuplicateTableNamesBothPositions) {
  std::string sql =
      "CREATE TABLE t (a int);\n"
      "CREATE TABLE other (a int);\n"
      "CREATE TABLE public.t (b int);\n";
  std::string msg = input_error(sql);
  EXPECT_HAS(msg, "errs.sql:3:14:");
  EXPECT_HAS(msg, "errs.sql:1:14");
  EXPECT_HAS(msg, "already defined");
}

TEST(LoaderErrors, DuplicateTypeNamesBothPositions) {
  std::string msg = input_error("CREATE TYPE m AS ENUM ('a');\nCREATE TYPE m AS (x int);\n");
  EXPECT_HAS(msg, "errs.sql:2:");
  EXPECT_HAS(msg, "errs.sql:1:");
  EXPECT_HAS(msg, "already defined");
}

TEST(LoaderErrors, ForeignKeyToMissingTable) {
  std::string sql =
      "CREATE TABLE orders (\n"
      "  id int PRIMARY KEY,\n"
      "  customer_id int REFERENCES customers (id)\n"
      ");\n";
  std::string msg = input_error(sql);
  EXPECT_HAS(msg, "errs.sql:3:");
  EXPECT_HAS(msg, "customers");
  EXPECT_HAS(msg, "orders_customer_id_fkey");
  EXPECT_HAS(msg, "not defined");
}

TEST(LoaderErrors, ForeignKeyToMissingColumn) {
  std::string sql =
      "CREATE TABLE customers (id int PRIMARY KEY);\n"
      "CREATE TABLE orders (customer int,\n"
      "  CONSTRAINT orders_customer_fk FOREIGN KEY (customer) REFERENCES customers (uuid));\n";
  std::string msg = input_error(sql);
  EXPECT_HAS(msg, "errs.sql:3:3:");
  EXPECT_HAS(msg, "uuid");
}

TEST(LoaderErrors, UnknownTypeNamesTheColumn) {
  std::string sql =
      "CREATE TYPE mood AS ENUM ('ok');\n"
      "CREATE TABLE t (\n"
      "  id int,\n"
      "  feeling moood\n"
      ");\n";
  std::string msg = input_error(sql);
  EXPECT_HAS(msg, "errs.sql:4:3:");
  EXPECT_HAS(msg, "moood");
  EXPECT_HAS(msg, "feeling");
}

TEST(LoaderErrors, UnknownTypeInFunctionArgument) {
  std::string msg = input_error("CREATE FUNCTION f(x no_such_type) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\n");
  EXPECT_HAS(msg, "errs.sql:1:");
  EXPECT_HAS(msg, "no_such_type");
}

TEST(LoaderErrors, ViewReadingMissingTable) {
  std::string sql =
      "CREATE TABLE present (a int);\n"
      "CREATE VIEW v AS\n"
      "  SELECT p.a FROM present p JOIN absent x ON x.a = p.a;\n";
  std::string msg = input_error(sql);
  EXPECT_HAS(msg, "errs.sql:2:");
  EXPECT_HAS(msg, "absent");
}

TEST(LoaderErrors, IndexOnMissingColumn) {
  std::string sql =
      "CREATE TABLE t (a int);\n"
      "CREATE INDEX t_b_idx ON t (b);\n";
  std::string msg = input_error(sql);
  EXPECT_HAS(msg, "errs.sql:2:");
  EXPECT_HAS(msg, "t_b_idx");
  EXPECT_HAS(msg, "names column b");
}

TEST(LoaderErrors, IndexOnMissingTable) {
  std::string msg = input_error("CREATE INDEX i ON nowhere (a);\n");
  EXPECT_HAS(msg, "errs.sql:1:");
  EXPECT_HAS(msg, "nowhere");
}

TEST(LoaderErrors, AlterOfMissingTable) {
  std::string msg = input_error("CREATE TABLE t (a int);\nALTER TABLE u ADD COLUMN b int;\n");
  EXPECT_HAS(msg, "errs.sql:2:1:");
  EXPECT_HAS(msg, "public.u");
}

TEST(LoaderErrors, TableInSchemaThatIsNotCreated) {
  std::string msg = input_error("CREATE TABLE app.t (a int);\n");
  EXPECT_HAS(msg, "errs.sql:1:");
  EXPECT_HAS(msg, "CREATE SCHEMA app");
}

TEST(LoaderErrors, ErrorInSecondFileOfDirectoryNamesThatFile) {
  TempDir d;
  d.write("01_types.sql", "CREATE TYPE mood AS ENUM ('ok');\n");
  d.write("02_tables.sql", "CREATE TABLE t (\n  m mood,\n  n int NOT NULL DEFALT 0\n);\n");
  d.write("03_views.sql", "CREATE VIEW v AS SELECT m FROM t;\n");
  try {
    seam::schema::load_path(d.path.string());
    FAIL() << "expected InputError";
  } catch (const seam::InputError& e) {
    std::string msg = e.what();
    EXPECT_HAS(msg, "02_tables.sql:3:18:");
    EXPECT_LACKS(msg, "01_types.sql");
  }
}

TEST(LoaderErrors, SemanticErrorInSecondFileOfDirectoryNamesThatFile) {
  TempDir d;
  d.write("a/01_base.sql", "CREATE TABLE t (a int);\n");
  d.write("b/02_more.sql", "-- again\nCREATE TABLE t (b int);\n");
  try {
    seam::schema::load_path(d.path.string());
    FAIL() << "expected InputError";
  } catch (const seam::InputError& e) {
    std::string msg = e.what();
    // The duplicate names where it is and where the first definition was.
    EXPECT_HAS(msg, "02_more.sql:2:14:");
    EXPECT_HAS(msg, "01_base.sql:1:14");
  }
}

TEST(LoaderErrors, DirectoryFilesLoadInSortedOrderAcrossSubdirectories) {
  TempDir d;
  // b/ sorts after a/, so the table exists when the index is declared.
  d.write("b/idx.sql", "CREATE INDEX t_a ON t (a);\n");
  d.write("a/tables.sql", "CREATE TABLE t (a int);\n");
  d.write("README.md", "not sql");
  LoadResult r = seam::schema::load_path(d.path.string());
  EXPECT_TRUE(r.catalog.tables.count({"public", "t"}));
  EXPECT_TRUE(r.catalog.indexes.count({"public", "t_a"}));
}

TEST(LoaderErrors, MissingPathAndEmptyDirectory) {
  TempDir d;
  EXPECT_THROW(seam::schema::load_path((d.path / "nope").string()), seam::InputError);
  d.write("notes.txt", "x");
  try {
    seam::schema::load_path(d.path.string());
    FAIL() << "expected InputError";
  } catch (const seam::InputError& e) {
    EXPECT_HAS(e.what(), "no .sql files");
  }
}

// --- pg_dump output ---------------------------------------------------------

// What pg_dump 15.14+ --schema-only --clean writes (abridged from a real dump):
// \restrict, SET lines, set_config, DROP ... IF EXISTS, fully qualified names,
// OWNER TO, constraints added with ALTER TABLE ONLY, sequences declared apart
// from their serial column.
const char* kPgDump = R"SQL(--
-- PostgreSQL database dump
--

\restrict AbCdEf0123456789

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

ALTER TABLE IF EXISTS ONLY public.orders DROP CONSTRAINT IF EXISTS orders_customer_id_fkey;
DROP INDEX IF EXISTS public.orders_placed_idx;
ALTER TABLE IF EXISTS ONLY public.orders DROP CONSTRAINT IF EXISTS orders_pkey;
ALTER TABLE IF EXISTS ONLY public.customers DROP CONSTRAINT IF EXISTS customers_pkey;
ALTER TABLE IF EXISTS public.orders ALTER COLUMN id DROP DEFAULT;
DROP SEQUENCE IF EXISTS public.orders_id_seq;
DROP TABLE IF EXISTS public.orders;
DROP TABLE IF EXISTS public.customers;
DROP TYPE IF EXISTS app.status;
DROP SCHEMA IF EXISTS app;
--
-- Name: app; Type: SCHEMA; Schema: -; Owner: postgres
--

CREATE SCHEMA app;


ALTER SCHEMA app OWNER TO postgres;

--
-- Name: status; Type: TYPE; Schema: app; Owner: postgres
--

CREATE TYPE app.status AS ENUM (
    'new',
    'done'
);


ALTER TYPE app.status OWNER TO postgres;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: customers; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.customers (
    id bigint NOT NULL,
    email text NOT NULL
);


ALTER TABLE public.customers OWNER TO postgres;

--
-- Name: customers_id_seq; Type: SEQUENCE; Schema: public; Owner: postgres
--

ALTER TABLE public.customers ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.customers_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: orders; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.orders (
    id integer NOT NULL,
    customer_id bigint,
    status app.status DEFAULT 'new'::app.status NOT NULL,
    placed_at timestamp with time zone DEFAULT now()
);


ALTER TABLE public.orders OWNER TO postgres;

--
-- Name: orders_id_seq; Type: SEQUENCE; Schema: public; Owner: postgres
--

CREATE SEQUENCE public.orders_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE public.orders_id_seq OWNER TO postgres;

--
-- Name: orders_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: postgres
--

ALTER SEQUENCE public.orders_id_seq OWNED BY public.orders.id;


--
-- Name: orders id; Type: DEFAULT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.orders ALTER COLUMN id SET DEFAULT nextval('public.orders_id_seq'::regclass);


--
-- Name: customers customers_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.customers
    ADD CONSTRAINT customers_pkey PRIMARY KEY (id);


--
-- Name: orders orders_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_pkey PRIMARY KEY (id);


--
-- Name: orders_placed_idx; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX orders_placed_idx ON public.orders USING btree (placed_at);


--
-- Name: orders orders_customer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES public.customers(id);


--
-- Name: TABLE customers; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT ON TABLE public.customers TO PUBLIC;


--
-- PostgreSQL database dump complete
--

\unrestrict AbCdEf0123456789

)SQL";

TEST(LoaderPgDump, SchemaOnlyCleanDumpLoads) {
  LoadResult r = load_sql(kPgDump, "dump.sql");
  const Catalog& c = r.catalog;
  EXPECT_TRUE(c.schemas.count("app"));
  ASSERT_TRUE(c.types.count({"app", "status"}));
  EXPECT_EQ(c.types.at({"app", "status"}).labels, (std::vector<std::string>{"new", "done"}));

  const auto* customers = c.find_table({"public", "customers"});
  ASSERT_NE(customers, nullptr);
  const auto* id = customers->find_column("id");
  ASSERT_NE(id, nullptr);
  EXPECT_EQ(id->identity, 'a');
  EXPECT_EQ(id->identity_seq_name, "customers_id_seq");
  ASSERT_NE(customers->find_constraint("customers_pkey"), nullptr);
  EXPECT_EQ(customers->find_constraint("customers_pkey")->kind, ConstraintKind::PrimaryKey);

  const auto* orders = c.find_table({"public", "orders"});
  ASSERT_NE(orders, nullptr);
  ASSERT_NE(orders->find_column("id"), nullptr);
  ASSERT_TRUE(orders->find_column("id")->default_expr);
  EXPECT_HAS(orders->find_column("id")->default_expr->text, "orders_id_seq");
  ASSERT_NE(orders->find_column("status"), nullptr);
  EXPECT_EQ(orders->find_column("status")->type, "app.status");
  const auto* fk = orders->find_constraint("orders_customer_id_fkey");
  ASSERT_NE(fk, nullptr);
  EXPECT_EQ(fk->kind, ConstraintKind::ForeignKey);
  EXPECT_EQ(fk->ref_table, (QualName{"public", "customers"}));
  ASSERT_TRUE(c.sequences.count({"public", "orders_id_seq"}));
  const auto& seq = c.sequences.at({"public", "orders_id_seq"});
  EXPECT_EQ(seq.opts.type, "integer");
  ASSERT_TRUE(seq.owned_by_table);
  EXPECT_EQ(*seq.owned_by_table, (QualName{"public", "orders"}));
  EXPECT_EQ(seq.owned_by_column, "id");
  // The identity's sequence is implicit, not a separate object.
  EXPECT_FALSE(c.sequences.count({"public", "customers_id_seq"}));
  EXPECT_TRUE(c.indexes.count({"public", "orders_placed_idx"}));

  // OWNER TO and GRANT are skipped with a warning that names where they were.
  bool grant_warned = false, owner_warned = false;
  for (const auto& w : r.warnings) {
    if (w.find("GRANT") != std::string::npos && w.find("dump.sql:") == 0) grant_warned = true;
    if (w.find("OWNER") != std::string::npos || w.find("ownership") != std::string::npos) owner_warned = true;
  }
  EXPECT_TRUE(grant_warned) << ::testing::PrintToString(r.warnings);
  (void)owner_warned;  // OWNER TO may be skipped silently; it is not asserted.
}

TEST(LoaderPgDump, UnmanagedStatementsFailWhenNotSkipped) {
  seam::schema::LoadOptions o;
  o.skip_unmanaged = false;
  try {
    load_sql(kPgDump, "dump.sql", o);
    FAIL() << "expected UnsupportedError";
  } catch (const seam::UnsupportedError& e) {
    EXPECT_HAS(e.what(), "dump.sql:");
  }
}

// --- Names PostgreSQL invents ----------------------------------------------

TEST(LoaderNames, ImplicitConstraintNames) {
  LoadResult r = load_sql(R"SQL(
CREATE TABLE users (id int PRIMARY KEY, email text UNIQUE, age int CHECK (age > 0));
CREATE TABLE t (
  a int UNIQUE,
  b int,
  c int REFERENCES users,
  d int REFERENCES users (id),
  CHECK (a > b),
  CHECK (b > 0),
  UNIQUE (a, b),
  FOREIGN KEY (c) REFERENCES users (id)
);
ALTER TABLE t ADD UNIQUE (a);
ALTER TABLE t ADD CHECK (b > 0);
)SQL");
  const auto* users = r.catalog.find_table({"public", "users"});
  ASSERT_NE(users, nullptr);
  EXPECT_NE(users->find_constraint("users_pkey"), nullptr);
  EXPECT_NE(users->find_constraint("users_email_key"), nullptr);
  EXPECT_NE(users->find_constraint("users_age_check"), nullptr);
  const auto* t = r.catalog.find_table({"public", "t"});
  ASSERT_NE(t, nullptr);
  std::vector<std::string> names;
  for (const auto& c : t->constraints) names.push_back(c.name);
  // A check over several columns is tab_check; over one column (even written
  // at table level) tab_col_check. A second UNIQUE (a) added later is
  // numbered t_a_key1, a second FK on c t_c_fkey1.
  EXPECT_EQ(names, (std::vector<std::string>{"t_a_b_key", "t_a_key", "t_a_key1", "t_b_check", "t_b_check1",
                                             "t_c_fkey", "t_c_fkey1", "t_check", "t_d_fkey"}))
      << ::testing::PrintToString(names);
}

TEST(LoaderNames, IdenticalIndexConstraintsInOneCreateTableAreFolded) {
  // PostgreSQL (transformIndexConstraints) keeps one index for identical
  // PRIMARY KEY / UNIQUE / EXCLUDE specifications of one CREATE TABLE; a name
  // given to the later one moves to the kept one.
  LoadResult r = load_sql(R"SQL(
CREATE TABLE t (a int UNIQUE, UNIQUE (a));
CREATE TABLE p (id int PRIMARY KEY UNIQUE);
CREATE TABLE n (a int UNIQUE, CONSTRAINT my_u UNIQUE (a));
CREATE TABLE ex (r tsrange, EXCLUDE USING gist (r WITH &&), EXCLUDE USING gist (r WITH &&));
)SQL");
  auto names = [&](const char* table) {
    std::vector<std::string> out;
    for (const auto& c : r.catalog.find_table({"public", table})->constraints) out.push_back(c.name);
    return out;
  };
  EXPECT_EQ(names("t"), (std::vector<std::string>{"t_a_key"}));
  EXPECT_EQ(names("p"), (std::vector<std::string>{"p_pkey"}));
  EXPECT_EQ(names("n"), (std::vector<std::string>{"my_u"}));
  EXPECT_EQ(names("ex"), (std::vector<std::string>{"ex_r_excl"}));
}

TEST(LoaderNames, CollisionWithAnExistingRelationIsNumbered) {
  // An index-backed constraint's name must not clash with any relation of
  // the schema (table t_a_key exists: t_a_key1); a check's name must not
  // clash with any constraint of the schema (other.t_b_check: t_b_check1).
  LoadResult r = load_sql(R"SQL(
CREATE TABLE t_a_key (x int);
CREATE TABLE other (b int, CONSTRAINT t_b_check CHECK (b > 0));
CREATE TABLE t (a int UNIQUE, b int CHECK (b > 1));
)SQL");
  const auto* t = r.catalog.find_table({"public", "t"});
  ASSERT_NE(t, nullptr);
  EXPECT_NE(t->find_constraint("t_a_key1"), nullptr);
  EXPECT_NE(t->find_constraint("t_b_check1"), nullptr);
}

TEST(LoaderNames, LongNamesAreTruncatedTo63Bytes) {
  std::string table(60, 'a');
  std::string col = "bbbbb";
  LoadResult r = load_sql("CREATE TABLE " + table + " (" + col + " int UNIQUE, id serial PRIMARY KEY);");
  const auto* t = r.catalog.find_table({"public", table});
  ASSERT_NE(t, nullptr);
  // makeObjectName shortens the longer part first: 53 + "_bbbbb_key" = 63.
  std::string key = std::string(53, 'a') + "_bbbbb_key";
  std::string pkey = std::string(58, 'a') + "_pkey";
  EXPECT_NE(t->find_constraint(key), nullptr);
  EXPECT_NE(t->find_constraint(pkey), nullptr);
  std::string seq = std::string(56, 'a') + "_id_seq";
  EXPECT_TRUE(r.catalog.sequences.count({"public", seq}));
  for (const auto& c : t->constraints) EXPECT_LE(c.name.size(), 63u) << c.name;
}

TEST(LoaderNames, TruncatedNamesCollideAndAreNumberedWithinTheLimit) {
  std::string table(70, 'x');  // itself truncated to 63 by the server
  LoadResult r = load_sql("CREATE TABLE " + table + " (a int UNIQUE);\nALTER TABLE " + table + " ADD UNIQUE (a);");
  std::string stored(63, 'x');
  const auto* t = r.catalog.find_table({"public", stored});
  ASSERT_NE(t, nullptr) << "the table name must be truncated to 63 bytes";
  std::string first = std::string(57, 'x') + "_a_key";
  // The numbered name is still at most 63 bytes: the table part gives way.
  std::string second = std::string(56, 'x') + "_a_key1";
  EXPECT_NE(t->find_constraint(first), nullptr);
  EXPECT_NE(t->find_constraint(second), nullptr);
}

TEST(LoaderNames, SerialExpandsToSequenceDefaultAndNotNull) {
  LoadResult r = load_sql(R"SQL(
CREATE SCHEMA app;
CREATE TABLE app.t (id serial, big bigserial, small smallserial, arr int[]);
)SQL");
  const auto* t = r.catalog.find_table({"app", "t"});
  ASSERT_NE(t, nullptr);
  struct Want {
    const char* col;
    const char* type;
  };
  for (Want w : {Want{"id", "integer"}, Want{"big", "bigint"}, Want{"small", "smallint"}}) {
    SCOPED_TRACE(w.col);
    const auto* c = t->find_column(w.col);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->type, w.type);
    EXPECT_TRUE(c->not_null);
    ASSERT_TRUE(c->default_expr);
    std::string seq = std::string("t_") + w.col + "_seq";
    EXPECT_HAS(c->default_expr->text, "nextval('app." + seq + "'::regclass)");
    ASSERT_TRUE(r.catalog.sequences.count({"app", seq}));
    const auto& s = r.catalog.sequences.at({"app", seq});
    EXPECT_EQ(s.opts.type, w.type);
    ASSERT_TRUE(s.owned_by_table);
    EXPECT_EQ(*s.owned_by_table, (QualName{"app", "t"}));
    EXPECT_EQ(s.owned_by_column, w.col);
  }
  EXPECT_EQ(r.catalog.sequences.at({"app", "t_small_seq"}).opts.max, 32767);
  EXPECT_EQ(r.catalog.sequences.at({"app", "t_id_seq"}).opts.max, 2147483647);
}

TEST(LoaderNames, SerialSequenceNameCollisionIsNumbered) {
  LoadResult r = load_sql("CREATE TABLE t_id_seq (x int);\nCREATE TABLE t (id serial);\n");
  EXPECT_TRUE(r.catalog.sequences.count({"public", "t_id_seq1"}));
  const auto* c = r.catalog.find_table({"public", "t"})->find_column("id");
  ASSERT_TRUE(c->default_expr);
  EXPECT_HAS(c->default_expr->text, "t_id_seq1");
}

// --- Annotations -------------------------------------------------------------

TEST(LoaderAnnotations, RenamedFromOnTableAndColumns) {
  LoadResult r = load_sql(
      "CREATE TABLE other (x int);\n"
      "\n"
      "-- seam:renamed-from old_users\n"
      "CREATE TABLE users (\n"
      "  id int,\n"
      "  email text,  -- seam:renamed-from mail\n"
      "  -- seam:renamed-from fullname\n"
      "  name text,\n"
      "  plain text\n"
      ");\n",
      "ann.sql");
  const auto* users = r.catalog.find_table({"public", "users"});
  ASSERT_NE(users, nullptr);
  EXPECT_EQ(users->notes, (seam::schema::Annotations{{"renamed-from", "old_users"}}));
  EXPECT_TRUE(r.catalog.find_table({"public", "other"})->notes.empty());
  EXPECT_TRUE(users->find_column("id")->notes.empty()) << ::testing::PrintToString(users->find_column("id")->notes);
  EXPECT_EQ(users->find_column("email")->notes, (seam::schema::Annotations{{"renamed-from", "mail"}}));
  EXPECT_EQ(users->find_column("name")->notes, (seam::schema::Annotations{{"renamed-from", "fullname"}}));
  EXPECT_TRUE(users->find_column("plain")->notes.empty())
      << ::testing::PrintToString(users->find_column("plain")->notes);
}

TEST(LoaderAnnotations, TrailingColumnAnnotationDoesNotLeakToTheNextColumn) {
  // A `-- seam:` comment at the end of a column's line belongs to that column
  // only; the next column (on the following line) must not inherit it, or a
  // rename would be planned for two columns.
  LoadResult r = load_sql(
      "CREATE TABLE t (\n"
      "  a int,  -- seam:renamed-from old_a\n"
      "  b int\n"
      ");\n");
  const auto* t = r.catalog.find_table({"public", "t"});
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->find_column("a")->notes, (seam::schema::Annotations{{"renamed-from", "old_a"}}));
  EXPECT_TRUE(t->find_column("b")->notes.empty()) << ::testing::PrintToString(t->find_column("b")->notes);
}

TEST(LoaderAnnotations, OtherObjectKindsAndStringsThatLookLikeAnnotations) {
  LoadResult r = load_sql(
      "CREATE TABLE t (a int);\n"
      "-- seam:renamed-from old_idx\n"
      "CREATE INDEX t_a_idx ON t (a);\n"
      "-- seam:renamed-from old_view\n"
      "CREATE VIEW v AS SELECT a FROM t;\n"
      "COMMENT ON TABLE t IS '-- seam:renamed-from not_an_annotation';\n"
      "CREATE TABLE u (a int);\n");
  EXPECT_EQ(r.catalog.indexes.at({"public", "t_a_idx"}).notes,
            (seam::schema::Annotations{{"renamed-from", "old_idx"}}));
  EXPECT_EQ(r.catalog.views.at({"public", "v"}).notes, (seam::schema::Annotations{{"renamed-from", "old_view"}}));
  EXPECT_TRUE(r.catalog.find_table({"public", "u"})->notes.empty());
  EXPECT_TRUE(r.catalog.find_table({"public", "t"})->notes.empty());
}

}  // namespace
