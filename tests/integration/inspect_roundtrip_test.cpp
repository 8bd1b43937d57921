// inspect -> dump -> load -> inspect on every installed PostgreSQL major
// (registered with seam_add_pg_matrix_test): a schema with every object kind
// the model holds is loaded into database A, inspected and dumped
// (dump_catalog); the dump is loaded with psql into a fresh database B, which
// is inspected and dumped again. The two models must compare equal and the two
// dumps must be byte-identical.
//
// dump_roundtrip_test.cpp runs a similar trip on the default major only and
// concentrates on ordering and quoting traps; this schema concentrates on
// breadth - policies and row-level security, every index access method,
// deferrable and partitioned foreign keys, sub-partitions, comments on every
// kind of object - and also checks the desired-state loader against the live
// catalog for the same SQL.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "dialects/postgres/conn.hpp"
#include "dialects/postgres/dump.hpp"
#include "dialects/postgres/inspect.hpp"
#include "dialects/postgres/render_change.hpp"
#include "differ/diff.hpp"
#include "schema/compare.hpp"
#include "schema/load.hpp"
#include "tests/support/pg_fixture.hpp"

namespace {

using seam::schema::Catalog;

// Roles are cluster-wide: create the one the policies name once per server.
const char* kRoles = R"SQL(
DO $$ BEGIN
  CREATE ROLE seam_rt_reader NOLOGIN;
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
)SQL";

// Valid on PostgreSQL 12 and later, and readable by the offline loader.
const char* kWide = R"SQL(
CREATE EXTENSION btree_gist;
CREATE EXTENSION pg_trgm;
COMMENT ON SCHEMA public IS 'the default schema';
CREATE SCHEMA inv;
COMMENT ON SCHEMA inv IS 'inventory';
CREATE SCHEMA "Audit Log";

-- Types: enum, domain (default, NOT NULL, named checks, collation), composite.
CREATE TYPE inv.state AS ENUM ('draft', 'live', 'retired');
COMMENT ON TYPE inv.state IS 'lifecycle';
CREATE DOMAIN inv.sku AS varchar(16) COLLATE "C" NOT NULL
  CONSTRAINT sku_format CHECK (VALUE ~ '^[A-Z0-9-]+$');
COMMENT ON DOMAIN inv.sku IS 'stock keeping unit';
COMMENT ON CONSTRAINT sku_format ON DOMAIN inv.sku IS 'upper case and digits';
CREATE DOMAIN inv.qty AS integer DEFAULT 0 CHECK (VALUE >= 0) CHECK (VALUE < 100000);
CREATE DOMAIN inv.price AS numeric(12, 2);
CREATE TYPE inv.dims AS (w inv.qty, h inv.qty, unit text COLLATE "C", state inv.state);
COMMENT ON TYPE inv.dims IS 'width and height';

-- Sequences with every option, ascending and descending, one owned by a column.
CREATE SEQUENCE inv.ticket AS smallint INCREMENT BY 3 MINVALUE 3 MAXVALUE 30000 START WITH 9 CACHE 4 CYCLE;
CREATE SEQUENCE inv.countdown INCREMENT BY -1;
CREATE SEQUENCE inv.owned_seq AS bigint;
COMMENT ON SEQUENCE inv.ticket IS 'tickets';

-- Functions and procedures.
CREATE FUNCTION inv.normalise(s text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT lower(trim(s)) $$;
COMMENT ON FUNCTION inv.normalise(text) IS 'trim and lower';
CREATE FUNCTION inv.stamp() RETURNS trigger LANGUAGE plpgsql
  AS $$BEGIN NEW.changed_at := now(); RETURN NEW; END$$;
CREATE FUNCTION inv.audit() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = inv
  AS $$BEGIN RETURN NULL; END$$;
CREATE FUNCTION inv.counts(OUT n bigint, OUT m bigint) RETURNS SETOF record LANGUAGE sql STABLE ROWS 5 COST 50
  AS $$ SELECT 1::bigint, 2::bigint $$;
CREATE FUNCTION inv.safe_eq(a integer, b integer DEFAULT 0) RETURNS boolean LANGUAGE sql IMMUTABLE LEAKPROOF
  PARALLEL RESTRICTED AS $$ SELECT a = b $$;
CREATE PROCEDURE inv.restock(item integer, INOUT amount integer DEFAULT 1) LANGUAGE plpgsql
  AS $$BEGIN amount := amount + item; END$$;
COMMENT ON PROCEDURE inv.restock(integer, integer) IS 'add stock';

-- Tables: every column feature.
CREATE TABLE inv.items (
  id bigint GENERATED ALWAYS AS IDENTITY (START WITH 10 INCREMENT BY 10 MAXVALUE 1000000 CACHE 2) PRIMARY KEY,
  sku inv.sku UNIQUE,
  title text NOT NULL COLLATE "POSIX",
  slug text GENERATED ALWAYS AS (inv.normalise(title)) STORED,
  state inv.state NOT NULL DEFAULT 'draft',
  states inv.state[] DEFAULT ARRAY['draft']::inv.state[],
  size inv.dims,
  price inv.price DEFAULT 0.00,
  stock inv.qty,
  ticket smallint DEFAULT nextval('inv.ticket'),
  serial_no serial,
  legacy_no bigint DEFAULT nextval('inv.owned_seq'),
  attrs jsonb DEFAULT '{}'::jsonb NOT NULL,
  location point,
  valid_during tsrange,
  changed_at timestamptz(3) DEFAULT CURRENT_TIMESTAMP,
  ratio double precision DEFAULT (1.0 / 3),
  flags bit varying(8),
  CONSTRAINT items_price_check CHECK (price >= 0),
  CONSTRAINT items_title_nonempty CHECK (title <> '') NOT VALID,
  CONSTRAINT items_no_overlap EXCLUDE USING gist (sku WITH =, valid_during WITH &&)
    DEFERRABLE INITIALLY DEFERRED
) WITH (fillfactor = 90);
ALTER SEQUENCE inv.owned_seq OWNED BY inv.items.legacy_no;
COMMENT ON TABLE inv.items IS 'things we sell';
COMMENT ON COLUMN inv.items.sku IS 'it''s the SKU';
COMMENT ON CONSTRAINT items_price_check ON inv.items IS 'no negative prices';
COMMENT ON CONSTRAINT items_no_overlap ON inv.items IS 'one live row per sku';
COMMENT ON CONSTRAINT items_pkey ON inv.items IS 'identity';

CREATE TABLE inv.suppliers (
  code text PRIMARY KEY,
  alt_code text NOT NULL UNIQUE,
  name text,
  CONSTRAINT suppliers_name_key UNIQUE (name) DEFERRABLE
);

-- Foreign keys: every action, MATCH FULL, deferrable, to a UNIQUE, self-referencing.
CREATE TABLE inv.supply (
  item_id bigint NOT NULL,
  supplier text DEFAULT 'none',
  supplier_alt text,
  parent_item bigint,
  PRIMARY KEY (item_id, supplier),
  CONSTRAINT supply_item_fk FOREIGN KEY (item_id) REFERENCES inv.items (id)
    ON DELETE CASCADE ON UPDATE RESTRICT DEFERRABLE INITIALLY DEFERRED,
  CONSTRAINT supply_supplier_fk FOREIGN KEY (supplier) REFERENCES inv.suppliers
    ON DELETE SET DEFAULT DEFERRABLE INITIALLY IMMEDIATE,
  CONSTRAINT supply_alt_fk FOREIGN KEY (supplier_alt) REFERENCES inv.suppliers (alt_code)
    MATCH FULL ON DELETE SET NULL,
  FOREIGN KEY (parent_item, supplier) REFERENCES inv.supply (item_id, supplier) NOT VALID
);
COMMENT ON CONSTRAINT supply_item_fk ON inv.supply IS 'owning item';

-- Partitioning: range with a default, list with sub-partitions by hash,
-- a foreign key to a partitioned table, an index on the parent.
CREATE TABLE inv.moves (
  id bigint NOT NULL,
  at date NOT NULL,
  item_id bigint REFERENCES inv.items (id),
  amount integer NOT NULL CHECK (amount <> 0),
  PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
CREATE TABLE inv.moves_2024 PARTITION OF inv.moves FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE inv.moves_2025 PARTITION OF inv.moves FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE inv.moves_other PARTITION OF inv.moves DEFAULT;
CREATE INDEX moves_item_idx ON inv.moves (item_id);
COMMENT ON TABLE inv.moves_2024 IS 'last year';

CREATE TABLE inv.regions (country text NOT NULL, city text NOT NULL, PRIMARY KEY (country, city))
  PARTITION BY LIST (country);
CREATE TABLE inv.regions_eu PARTITION OF inv.regions FOR VALUES IN ('de', 'fr', 'nl') PARTITION BY HASH (city);
CREATE TABLE inv.regions_eu_0 PARTITION OF inv.regions_eu FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE inv.regions_eu_1 PARTITION OF inv.regions_eu FOR VALUES WITH (MODULUS 2, REMAINDER 1);
CREATE TABLE inv.regions_rest PARTITION OF inv.regions DEFAULT;
CREATE TABLE inv.shipments (
  id bigint PRIMARY KEY,
  move_id bigint,
  move_at date,
  country text,
  city text,
  FOREIGN KEY (move_id, move_at) REFERENCES inv.moves (id, at) ON DELETE CASCADE,
  FOREIGN KEY (country, city) REFERENCES inv.regions
);

-- Inheritance and an unlogged table.
CREATE TABLE "Audit Log".entries (id bigint NOT NULL, "When" timestamptz DEFAULT now(), what text);
CREATE TABLE "Audit Log"."Item Entries" (item_id bigint CHECK (item_id > 0)) INHERITS ("Audit Log".entries);
CREATE UNLOGGED TABLE inv.scratch (k text, v text);

-- Indexes of every kind.
CREATE INDEX items_title_trgm ON inv.items USING gin (title gin_trgm_ops);
CREATE INDEX items_attrs_gin ON inv.items USING gin (attrs jsonb_path_ops);
CREATE INDEX items_sku_hash ON inv.items USING hash (sku);
CREATE INDEX items_changed_brin ON inv.items USING brin (changed_at) WITH (pages_per_range = 16);
CREATE INDEX items_location_spgist ON inv.items USING spgist (location);
CREATE INDEX items_valid_gist ON inv.items USING gist (valid_during);
CREATE INDEX items_title_desc ON inv.items (title COLLATE "C" DESC NULLS LAST, id NULLS FIRST);
CREATE UNIQUE INDEX items_live_slug ON inv.items (slug) INCLUDE (state) WHERE state = 'live';
CREATE INDEX items_lower_title ON inv.items ((lower(title)), (price * 2)) WITH (fillfactor = 60);
CREATE INDEX items_title_pattern ON inv.items (title text_pattern_ops);
COMMENT ON INDEX inv.items_title_trgm IS 'fuzzy search';

-- Views: column names, options, a view over a view, a materialized view with an index.
CREATE VIEW inv.live_items (item, item_title) WITH (security_barrier = true) AS
  SELECT id, title FROM inv.items WHERE state = 'live' WITH CASCADED CHECK OPTION;
CREATE VIEW inv.live_titles AS SELECT item_title FROM inv.live_items ORDER BY item_title;
COMMENT ON VIEW inv.live_items IS 'on sale';
COMMENT ON COLUMN inv.live_items.item_title IS 'the title';
CREATE MATERIALIZED VIEW inv.stock_by_state AS
  SELECT state, sum(stock) AS total, count(*) AS n FROM inv.items GROUP BY state;
CREATE UNIQUE INDEX stock_by_state_state ON inv.stock_by_state (state);
COMMENT ON MATERIALIZED VIEW inv.stock_by_state IS 'refreshed nightly';
COMMENT ON COLUMN inv.stock_by_state.total IS 'units';

-- Triggers: row and statement, WHEN, UPDATE OF, transition tables, TRUNCATE,
-- arguments, a constraint trigger, INSTEAD OF on a view.
CREATE TRIGGER items_stamp BEFORE UPDATE OF title, price ON inv.items
  FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.price <> NEW.price) EXECUTE FUNCTION inv.stamp();
CREATE TRIGGER items_audit_del AFTER DELETE ON inv.items REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION inv.audit('deleted', 'it''s gone');
CREATE TRIGGER items_truncate AFTER TRUNCATE ON inv.items FOR EACH STATEMENT EXECUTE FUNCTION inv.audit();
CREATE CONSTRAINT TRIGGER supply_check AFTER INSERT OR UPDATE ON inv.supply
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION inv.audit();
CREATE TRIGGER live_titles_insert INSTEAD OF INSERT OR UPDATE ON inv.live_titles
  FOR EACH ROW EXECUTE FUNCTION inv.audit();
CREATE TRIGGER moves_audit AFTER INSERT ON inv.moves FOR EACH ROW EXECUTE FUNCTION inv.audit();
COMMENT ON TRIGGER items_stamp ON inv.items IS 'keeps changed_at';

-- Row-level security (policies: kPolicies).
ALTER TABLE inv.items ENABLE ROW LEVEL SECURITY;
ALTER TABLE inv.supply ENABLE ROW LEVEL SECURITY;
ALTER TABLE inv.supply FORCE ROW LEVEL SECURITY;
)SQL";

// Policies of every shape.
const char* kPolicies = R"SQL(
CREATE POLICY items_read ON inv.items FOR SELECT USING (state <> 'retired');
CREATE POLICY items_write ON inv.items AS RESTRICTIVE FOR UPDATE TO seam_rt_reader, PUBLIC
  USING (stock > 0) WITH CHECK (price >= 0);
CREATE POLICY items_add ON inv.items FOR INSERT TO seam_rt_reader WITH CHECK (state = 'draft');
CREATE POLICY items_remove ON inv.items FOR DELETE USING (state = 'retired');
CREATE POLICY "Supply All" ON inv.supply USING (true);
CREATE POLICY scratch_only ON inv.scratch USING (k IS NOT NULL);
COMMENT ON POLICY items_read ON inv.items IS 'hide retired items';
)SQL";

// SQL-standard bodies: the server parses them (14+); the offline loader does
// not read them yet, so only the round trip uses them.
const char* kPg14 = R"SQL(
CREATE FUNCTION inv.item_count() RETURNS bigint LANGUAGE sql STABLE
  BEGIN ATOMIC SELECT count(*) FROM inv.items; END;
CREATE FUNCTION inv.twice(i integer) RETURNS integer LANGUAGE sql IMMUTABLE RETURN i * 2;
CREATE PROCEDURE inv.report(IN a integer, OUT b integer) LANGUAGE plpgsql AS $$BEGIN b := a; END$$;
)SQL";

const char* kPg15 = R"SQL(
ALTER TABLE inv.suppliers ADD CONSTRAINT suppliers_code_nnd UNIQUE NULLS NOT DISTINCT (code, alt_code);
CREATE UNIQUE INDEX suppliers_alt_nnd ON inv.suppliers (lower(alt_code)) NULLS NOT DISTINCT;
CREATE VIEW inv.invoker_items WITH (security_invoker = true) AS SELECT id FROM inv.items;
)SQL";

int server_version(const std::string& url) {
  return std::stoi(seam::test::query_value(url, "SHOW server_version_num"));
}

// What the version can take, besides kWide.
std::string extras_for(int version, bool with_standard_bodies) {
  std::string s;
  if (version >= 140000 && with_standard_bodies) s += kPg14;
  if (version >= 150000) s += kPg15;
  return s;
}

Catalog inspect_url(const std::string& url) {
  auto conn = seam::pg::connect(url);
  return seam::pg::inspect(*conn);
}

std::filesystem::path write_temp(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() /
              ("seam_" + std::to_string(::getpid()) + "_" + name + ".sql");
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  if (!f) throw std::runtime_error("cannot write " + path.string());
  std::filesystem::permissions(path, std::filesystem::perms::others_read,
                               std::filesystem::perm_options::add);
  return path;
}

// The inspected model really holds every kind the schema declares, so that an
// object the inspector misses on both sides cannot pass the trip unnoticed.
void expect_every_kind(const Catalog& c, int version, bool with_policies) {
  EXPECT_TRUE(c.schemas.count("inv"));
  EXPECT_TRUE(c.schemas.count("Audit Log"));
  EXPECT_EQ(c.schemas.at("public").comment, "the default schema");
  EXPECT_TRUE(c.extensions.count("btree_gist"));
  EXPECT_TRUE(c.extensions.count("pg_trgm"));
  std::set<seam::schema::TypeKind> kinds;
  for (const auto& [n, t] : c.types) kinds.insert(t.kind);
  EXPECT_EQ(kinds.size(), 3u) << "enum, domain and composite types";
  ASSERT_TRUE(c.types.count({"inv", "sku"}));
  EXPECT_EQ(c.types.at({"inv", "sku"}).checks.size(), 1u);
  EXPECT_EQ(c.types.at({"inv", "sku"}).checks[0].comment, "upper case and digits");
  ASSERT_TRUE(c.sequences.count({"inv", "ticket"}));
  EXPECT_EQ(c.sequences.at({"inv", "ticket"}).opts,
            (seam::schema::SequenceOptions{"smallint", 9, 3, 3, 30000, 4, true}));
  EXPECT_EQ(c.sequences.at({"inv", "countdown"}).opts.increment, -1);
  EXPECT_TRUE(c.sequences.at({"inv", "owned_seq"}).owned_by_table.has_value());
  EXPECT_TRUE(c.sequences.count({"inv", "items_serial_no_seq"}));

  const auto* items = c.find_table({"inv", "items"});
  ASSERT_NE(items, nullptr);
  EXPECT_TRUE(items->rls_enabled);
  EXPECT_TRUE(c.find_table({"inv", "supply"})->rls_forced);
  EXPECT_EQ(c.find_table({"inv", "scratch"})->persistence, 'u');
  EXPECT_FALSE(c.find_table({"inv", "scratch"})->rls_enabled);
  if (with_policies) {
    EXPECT_EQ(items->policies.size(), 4u);
    std::set<std::string> commands;
    bool restrictive = false;
    for (const auto& p : items->policies) {
      commands.insert(p.command);
      if (!p.permissive) restrictive = true;
    }
    EXPECT_EQ(commands, (std::set<std::string>{"SELECT", "UPDATE", "INSERT", "DELETE"}));
    EXPECT_TRUE(restrictive);
    EXPECT_EQ(c.find_table({"inv", "scratch"})->policies.size(), 1u);
    EXPECT_EQ(items->policies.front().name, "items_add");
  }
  const auto* id = items->find_column("id");
  ASSERT_NE(id, nullptr);
  EXPECT_EQ(id->identity, 'a');
  EXPECT_TRUE(items->find_column("slug")->generated.has_value());
  EXPECT_EQ(items->find_column("title")->collation, "\"POSIX\"");

  std::set<seam::schema::ConstraintKind> ck;
  for (const auto& [n, t] : c.tables)
    for (const auto& k : t.constraints) ck.insert(k.kind);
  EXPECT_EQ(ck.size(), 5u) << "PK, UNIQUE, CHECK, FK and EXCLUDE";
  const auto* excl = items->find_constraint("items_no_overlap");
  ASSERT_NE(excl, nullptr);
  EXPECT_TRUE(excl->deferrable && excl->initially_deferred);
  const auto* fk = c.find_table({"inv", "supply"})->find_constraint("supply_item_fk");
  ASSERT_NE(fk, nullptr);
  EXPECT_TRUE(fk->deferrable && fk->initially_deferred);

  std::set<std::string> methods;
  for (const auto& [n, ix] : c.indexes) methods.insert(ix.method);
  EXPECT_EQ(methods, (std::set<std::string>{"btree", "hash", "gist", "gin", "brin", "spgist"}));
  EXPECT_TRUE(c.indexes.count({"inv", "moves_item_idx"}));
  EXPECT_TRUE(c.indexes.count({"inv", "stock_by_state_state"}));

  EXPECT_EQ(c.find_table({"inv", "moves"})->partition_by.strategy, "range");
  ASSERT_NE(c.find_table({"inv", "regions_eu_1"}), nullptr);
  EXPECT_EQ(c.find_table({"inv", "regions_eu"})->partition_by.strategy, "hash");
  ASSERT_NE(c.find_table({"inv", "moves_other"}), nullptr);
  EXPECT_EQ(c.find_table({"inv", "moves_other"})->partition_bound.text, "DEFAULT");
  ASSERT_NE(c.find_table({"Audit Log", "Item Entries"}), nullptr);
  EXPECT_EQ(c.find_table({"Audit Log", "Item Entries"})->inherits.size(), 1u);

  ASSERT_TRUE(c.views.count({"inv", "live_items"}));
  EXPECT_EQ(c.views.at({"inv", "live_items"}).column_comments.at("item_title"), "the title");
  ASSERT_TRUE(c.views.count({"inv", "stock_by_state"}));
  EXPECT_TRUE(c.views.at({"inv", "stock_by_state"}).materialized);
  EXPECT_EQ(c.views.at({"inv", "stock_by_state"}).column_comments.at("total"), "units");

  bool procedure = false;
  for (const auto& [sig, f] : c.functions)
    if (f.procedure) procedure = true;
  EXPECT_TRUE(procedure);
  EXPECT_EQ(c.triggers.size(), 6u);
  if (version >= 150000) {
    EXPECT_TRUE(c.views.count({"inv", "invoker_items"}));
  }
  EXPECT_TRUE(c.unsupported.empty()) << ::testing::PrintToString(c.unsupported);
}

// A -> inspect -> dump -> psql into B -> inspect -> dump: equal models,
// byte-identical dumps.
void expect_round_trip(const std::string& sql, bool with_policies) {
  std::string a = seam::test::fresh_database("rt_a");
  seam::test::run_sql(a, kRoles);
  int version = server_version(a);
  seam::test::run_sql(a, sql + extras_for(version, true));

  Catalog cat_a = inspect_url(a);
  expect_every_kind(cat_a, version, with_policies);
  std::string dump_a = seam::pg::dump_catalog(cat_a);

  std::string b = seam::test::fresh_database("rt_b");
  auto file = write_temp("inspect_rt", dump_a);
  try {
    seam::test::run_psql_file(b, file);
  } catch (...) {
    std::filesystem::remove(file);
    throw;
  }
  std::filesystem::remove(file);
  Catalog cat_b = inspect_url(b);

  auto diffs = seam::schema::compare(cat_a, cat_b);
  EXPECT_TRUE(diffs.empty()) << "database A vs its dump reloaded:\n"
                             << seam::schema::format_differences(diffs, 200);
  std::string dump_b = seam::pg::dump_catalog(cat_b);
  EXPECT_EQ(dump_a, dump_b);
  // And `seam diff` between the two has nothing to say.
  EXPECT_EQ(seam::pg::migration_script(seam::differ::diff(cat_b, cat_a, {})), "");
}

TEST(InspectRoundTrip, WideSchemaSurvivesDumpAndReload) {
  expect_round_trip(kWide, false);
}

TEST(InspectRoundTrip, PoliciesSurviveDumpAndReload) {
  expect_round_trip(std::string(kWide) + kPolicies, true);
}

// Onboarding on every major: the script `seam inspect` writes, read back by
// the offline loader, dumps to the same script.
TEST(InspectRoundTrip, LoaderReadsTheDumpBack) {
  std::string a = seam::test::fresh_database("rt_onboard");
  seam::test::run_sql(a, kRoles);
  int version = server_version(a);
  seam::test::run_sql(a, std::string(kWide) + extras_for(version, false));
  std::string dump = seam::pg::dump_catalog(inspect_url(a));
  seam::schema::LoadResult loaded = seam::schema::load_sql(dump, "inspected.sql");
  EXPECT_EQ(dump, seam::pg::dump_catalog(loaded.catalog));
}

// The same schema, read by the offline loader, is what the server built.
TEST(InspectRoundTrip, LoaderAgreesWithLiveCatalogOnWideSchema) {
  std::string a = seam::test::fresh_database("rt_offline");
  seam::test::run_sql(a, kRoles);
  int version = server_version(a);
  std::string sql = std::string(kWide) + kPolicies + extras_for(version, false);
  seam::test::run_sql(a, sql);
  Catalog live = inspect_url(a);
  seam::schema::LoadResult offline = seam::schema::load_sql(sql, "wide.sql");
  auto diffs = seam::schema::compare(offline.catalog, live);
  EXPECT_TRUE(diffs.empty()) << "offline vs live:\n"
                             << seam::schema::format_differences(diffs, 200);
}

}  // namespace
