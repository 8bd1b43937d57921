// The MySQL-family path live on MariaDB (Debian's mariadb-server, started by
// seam::mysql::DevServer): the dev server is private and leaves nothing
// behind; MySQL-dialect files load statement by statement and inspect into
// the model with every kind of object the inspector reads; a re-inspection
// diffs empty against the loaded model while a real change does not; and
// every error names file:line:col.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "dialects/mysql/dev_server.hpp"
#include "dialects/mysql/inspect.hpp"
#include "dialects/mysql/load.hpp"
#include "dialects/mysql/split.hpp"
#include "dialects/mysql/tidb_render.hpp"
#include "differ/diff.hpp"
#include "schema/errors.hpp"

namespace fs = std::filesystem;
using namespace seam;

namespace {

// One server for the whole test binary (each test uses its own databases).
mysql::DevServer& server() {
  static mysql::DevServer s;
  return s;
}

const std::string kShop = std::string(SEAM_SOURCE_DIR) + "/examples/tidb-shop";

std::string load_error(const std::vector<mysql::SourceFile>& files) {
  auto c = server().connect();
  try {
    mysql::load_files(c, files);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

const schema::Constraint* find(const schema::Table& t, const std::string& name) {
  return t.find_constraint(name);
}

TEST(MysqlDevServer, PrivateSocketAndRemovedOnStop) {
  fs::path root, sock;
  {
    mysql::DevServer s;
    root = s.root_dir();
    sock = s.socket();
    EXPECT_TRUE(fs::exists(sock));
    struct stat st {};
    ASSERT_EQ(stat(sock.parent_path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);  // only the server's account reaches the socket
    auto c = s.connect();
    EXPECT_NE(c.server_info().find("MariaDB"), std::string::npos) << c.server_info();
    // No TCP listener: the socket is the only way in.
    EXPECT_EQ(c.value("SELECT @@skip_networking").value_or(""), "1");
    EXPECT_EQ(c.value("SELECT @@character_set_server").value_or(""), "utf8mb4");
    EXPECT_TRUE(s.running());
    if (geteuid() == 0) {  // as root the server runs as an unprivileged account
      struct stat data {};
      ASSERT_EQ(stat((root / "data").c_str(), &data), 0);
      EXPECT_NE(data.st_uid, 0u);
      std::ifstream pidfile(root / "mysqld.pid");
      long pid = 0;
      ASSERT_TRUE(pidfile >> pid);
      struct stat proc {};
      ASSERT_EQ(stat(("/proc/" + std::to_string(pid)).c_str(), &proc), 0);
      EXPECT_NE(proc.st_uid, 0u);  // the server process itself
    }
  }
  EXPECT_FALSE(fs::exists(root)) << root;
}

TEST(MysqlLoad, ExampleShopInspectsIntoTheModel) {
  auto c = server().connect();
  mysql::LoadResult r = mysql::load_path(c, kShop, {.schema_name = "shop"});
  const schema::Catalog& cat = r.catalog;
  EXPECT_TRUE(r.warnings.empty());
  EXPECT_TRUE(cat.unsupported.empty()) << cat.unsupported.front();
  ASSERT_EQ(cat.tables.size(), 4u);
  const schema::Table& cust = cat.tables.at({"shop", "customers"});
  EXPECT_EQ(cust.comment, "people who buy");
  ASSERT_EQ(cust.columns.size(), 5u);
  EXPECT_EQ(cust.columns[0].name, "id");
  EXPECT_EQ(cust.columns[0].type, "bigint");
  EXPECT_EQ(cust.columns[0].identity, 'd');  // AUTO_INCREMENT
  EXPECT_TRUE(cust.columns[0].not_null);
  EXPECT_EQ(cust.columns[1].comment, "login; unique");
  EXPECT_EQ(cust.columns[1].collation, "utf8mb4_general_ci");
  EXPECT_EQ(cust.columns[2].name, "display name");
  EXPECT_FALSE(cust.columns[2].not_null);
  EXPECT_FALSE(cust.columns[2].default_expr.has_value());  // DEFAULT NULL is no default
  EXPECT_EQ(cust.columns[3].type, "enum('active','blocked')");
  ASSERT_TRUE(cust.columns[3].default_expr.has_value());
  EXPECT_EQ(cust.columns[3].default_expr->text, "'active'");
  EXPECT_EQ(cust.columns[4].type, "datetime(3)");
  ASSERT_TRUE(cust.columns[4].default_expr.has_value());
  EXPECT_EQ(cust.columns[4].default_expr->text, "current_timestamp(3)");
  ASSERT_NE(find(cust, "PRIMARY"), nullptr);
  EXPECT_EQ(find(cust, "PRIMARY")->kind, schema::ConstraintKind::PrimaryKey);
  ASSERT_NE(find(cust, "customers_email_key"), nullptr);
  EXPECT_EQ(find(cust, "customers_email_key")->kind, schema::ConstraintKind::Unique);
  EXPECT_EQ(find(cust, "customers_email_key")->columns, std::vector<std::string>{"email"});

  const schema::Table& items = cat.tables.at({"shop", "order_items"});
  ASSERT_NE(find(items, "PRIMARY"), nullptr);
  EXPECT_EQ(find(items, "PRIMARY")->columns, (std::vector<std::string>{"order_id", "product_id"}));
  const schema::Constraint* fk = find(items, "order_items_order_fk");
  ASSERT_NE(fk, nullptr);
  EXPECT_EQ(fk->kind, schema::ConstraintKind::ForeignKey);
  EXPECT_EQ(fk->ref_table, (schema::QualName{"shop", "orders"}));
  EXPECT_EQ(fk->ref_columns, std::vector<std::string>{"id"});
  const schema::Constraint* cascade = find(cat.tables.at({"shop", "orders"}), "orders_customer_fk");
  ASSERT_NE(cascade, nullptr);
  EXPECT_EQ(cascade->on_delete, 'c');
  const schema::Constraint* check = find(items, "order_items_quantity_check");
  ASSERT_NE(check, nullptr);
  EXPECT_EQ(check->kind, schema::ConstraintKind::Check);
  EXPECT_EQ(check->check->text, "`quantity` > 0");

  // Indexes: keyed "<table>.<index>", with prefix and descending parts.
  const schema::Index& placed = cat.indexes.at({"shop", "orders.orders_placed_at_idx"});
  EXPECT_EQ(mysql::index_name(placed), "orders_placed_at_idx");
  EXPECT_EQ(placed.table, (schema::QualName{"shop", "orders"}));
  EXPECT_FALSE(placed.unique);
  ASSERT_EQ(placed.elems.size(), 1u);
  EXPECT_EQ(placed.elems[0].column, "placed_at");
  const schema::Index& prefix = cat.indexes.at({"shop", "products.products_name_idx"});
  ASSERT_TRUE(prefix.elems.at(0).expr.has_value());
  EXPECT_EQ(prefix.elems[0].expr->text, "`name`(20)");
  const schema::Index& desc = cat.indexes.at({"shop", "order_items.order_items_product_idx"});
  ASSERT_EQ(desc.elems.size(), 2u);
  EXPECT_TRUE(desc.elems[1].desc);
  // The index InnoDB creates for a foreign key without one is a real index too.
  EXPECT_TRUE(cat.indexes.count({"shop", "orders.orders_customer_fk"}));
}

TEST(MysqlLoad, NoOpDiffIsEmptyAndAChangeIsNot) {
  auto c = server().connect();
  mysql::LoadResult a = mysql::load_path(c, kShop, {.schema_name = "shop"});
  mysql::LoadResult b = mysql::load_path(c, kShop, {.schema_name = "shop"});
  EXPECT_TRUE(differ::diff(a.catalog, b.catalog).changes.empty());

  // A "live" database built from the same files and re-inspected under its own name.
  c.exec("DROP DATABASE IF EXISTS shop");
  c.exec("CREATE DATABASE shop");
  auto live_conn = server().connect("shop");
  for (const char* f : {"/01_tables.sql", "/02_indexes.sql"}) {
    std::ifstream in(kShop + f);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    for (const auto& st : mysql::split_statements(text, f)) live_conn.exec(st.text);
  }
  schema::Catalog live = mysql::inspect(c, "shop");
  differ::ChangeSet none = differ::diff(live, a.catalog);
  EXPECT_TRUE(none.changes.empty()) << none.changes.size() << " changes";

  // A change: a new column, a new index, a wider type, a dropped column.
  std::vector<mysql::SourceFile> changed{
      {"v2.sql",
       "CREATE TABLE customers (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,\n"
       "  email VARCHAR(255) NOT NULL, phone VARCHAR(30) NULL,\n"
       "  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3));\n"
       "CREATE INDEX customers_phone_idx ON customers (phone);\n"}};
  std::vector<mysql::SourceFile> before{
      {"v1.sql",
       "CREATE TABLE customers (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,\n"
       "  email VARCHAR(255) NOT NULL, legacy_code CHAR(4),\n"
       "  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3));\n"}};
  auto from = mysql::load_files(c, before, {.schema_name = "shop"}).catalog;
  auto to = mysql::load_files(c, changed, {.schema_name = "shop"}).catalog;
  differ::ChangeSet cs = differ::diff(from, to);
  int add_col = 0, drop_col = 0, type = 0, add_ix = 0;
  for (const auto& ch : cs.changes) {
    if (auto* x = std::get_if<differ::AddColumn>(&ch.op)) add_col += x->obj.name == "phone";
    if (auto* x = std::get_if<differ::DropColumn>(&ch.op)) drop_col += x->obj.name == "legacy_code";
    if (auto* x = std::get_if<differ::AlterColumnType>(&ch.op))
      type += x->old_obj.type == "int" && x->new_obj.type == "bigint";
    if (auto* x = std::get_if<differ::AddIndex>(&ch.op))
      add_ix += mysql::index_name(x->obj) == "customers_phone_idx";
  }
  EXPECT_EQ(add_col, 1);
  EXPECT_EQ(drop_col, 1);
  EXPECT_EQ(type, 1);
  EXPECT_EQ(add_ix, 1);
  EXPECT_EQ(cs.changes.size(), 4u);
}

// A change produces a TiDB plan; where TiDB and MariaDB share the syntax
// (ADD COLUMN, MODIFY COLUMN, ADD INDEX, ADD UNIQUE, DROP COLUMN) MariaDB runs
// it, and the database then matches the desired state exactly.
TEST(TidbPlan, RenderedSqlRunsOnMariaDbAndReachesTheDesiredState) {
  auto c = server().connect();
  const std::string before =
      "CREATE TABLE customers (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,\n"
      "  email VARCHAR(255) NOT NULL, legacy_code CHAR(4),\n"
      "  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3));\n"
      "CREATE TABLE orders (id BIGINT NOT NULL PRIMARY KEY, customer_id INT NOT NULL,\n"
      "  KEY orders_customer_idx (customer_id));\n";
  const std::string after =
      "CREATE TABLE customers (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,\n"
      "  email VARCHAR(255) NOT NULL, phone VARCHAR(30) NULL COMMENT 'E.164, it''s text',\n"
      "  tier INT NOT NULL DEFAULT 1,\n"
      "  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),\n"
      "  UNIQUE KEY customers_email_key (email));\n"
      "CREATE INDEX customers_phone_idx ON customers (phone);\n"
      "CREATE TABLE orders (id BIGINT NOT NULL PRIMARY KEY, customer_id BIGINT NOT NULL,\n"
      "  KEY orders_customer_idx (customer_id));\n";
  c.exec("DROP DATABASE IF EXISTS tidb_target");
  c.exec("CREATE DATABASE tidb_target");
  {
    auto t = server().connect("tidb_target");
    for (const auto& st : mysql::split_statements(before, "before.sql")) t.exec(st.text);
  }
  schema::Catalog live = mysql::inspect(c, "tidb_target", {.as_schema = "shop"});
  schema::Catalog desired =
      mysql::load_files(c, {{"after.sql", after}}, {.schema_name = "shop"}).catalog;
  differ::ChangeSet cs = differ::diff(live, desired);
  ASSERT_FALSE(cs.changes.empty());

  mysql::TidbPlan plan = mysql::render_tidb(cs, compat::Version::parse("8.1"));
  std::map<std::string, int> ops;
  for (const auto& s : plan.steps) ++ops[s.op];
  EXPECT_EQ(ops["add_column_nullable"], 1);          // phone
  EXPECT_EQ(ops["add_column_not_null_default"], 1);  // tier
  EXPECT_EQ(ops["modify_column_lossless"], 2);       // customers.id and orders.customer_id
  EXPECT_EQ(ops["create_index"], 1);
  EXPECT_EQ(ops["add_unique"], 1);
  EXPECT_EQ(ops["drop_column"], 1);
  EXPECT_EQ(plan.steps.back().op, "drop_column");

  // (No foreign key on the retyped columns: MariaDB refuses MODIFY COLUMN on a
  // column a foreign key uses, see docs/dialects.md.)
  auto t = server().connect("tidb_target");
  for (const auto& s : plan.steps) {
    try {
      t.exec(s.sql);
    } catch (const mysql::ServerError& e) {
      ADD_FAILURE() << "MariaDB rejected step " << s.op << ": " << s.sql << "\n" << e.what();
    }
  }
  schema::Catalog applied = mysql::inspect(c, "tidb_target", {.as_schema = "shop"});
  differ::ChangeSet rest = differ::diff(applied, desired);
  EXPECT_TRUE(rest.changes.empty()) << rest.changes.size() << " changes left after the plan:\n"
                                    << mysql::tidb_script(plan);
}

TEST(MysqlLoad, ErrorsNameFileLineColumn) {
  // A syntax error points at the text the server complains about.
  std::string e = load_error(
      {{"a.sql", "CREATE TABLE ok (a int);\n\nCREATE TABLE t (\n  a int,\n  b int NOT NUL\n);\n"}});
  EXPECT_EQ(e.rfind("a.sql:5:13: ", 0), 0u) << e;
  EXPECT_NE(e.find("error 1064"), std::string::npos) << e;
  // A semantic error: the statement's own position.
  e = load_error({{"b.sql", "CREATE TABLE t (a int);\n  CREATE TABLE t (b int);\n"}});
  EXPECT_EQ(e.rfind("b.sql:2:3: ", 0), 0u) << e;
  EXPECT_NE(e.find("already exists"), std::string::npos) << e;
  // A foreign key to a table that exists nowhere.
  e = load_error({{"c.sql", "CREATE TABLE o (a int, FOREIGN KEY (a) REFERENCES nowhere (id));"}});
  EXPECT_EQ(e.rfind("c.sql:1:1: ", 0), 0u) << e;
  // The second file's position, not the first's.
  e = load_error(
      {{"1.sql", "CREATE TABLE a (x int);\n"}, {"2.sql", "\nINSERT INTO a VALUES (1);"}});
  EXPECT_EQ(e.rfind("2.sql:2:1: INSERT is not schema", 0), 0u) << e;
  e = load_error({{"u.sql", "USE mysql;"}});
  EXPECT_EQ(e.rfind("u.sql:1:1: USE switches databases", 0), 0u) << e;
  e = load_error({{"d.sql", "CREATE DATABASE x;"}});
  EXPECT_EQ(e.rfind("d.sql:1:1: CREATE DATABASE", 0), 0u) << e;
  e = load_error({{"q.sql", "CREATE TABLE t (a varchar(3) DEFAULT 'x;\n"}});
  EXPECT_EQ(e.rfind("q.sql:1:38: unterminated string", 0), 0u) << e;
}

TEST(MysqlLoad, UnmanagedStatementsWarnAndUnsupportedObjectsAreListed) {
  auto c = server().connect();
  mysql::LoadResult r = mysql::load_files(
      c, {{"w.sql",
           "CREATE TABLE t (a int PRIMARY KEY, b int AS (a * 2) VIRTUAL,\n"
           "  u TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP);\n"
           "GRANT SELECT ON t TO 'nobody'@'%';\n"
           "CREATE VIEW v AS SELECT a FROM t;\n"}});
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0].rfind("w.sql:3:1: skipped GRANT", 0), 0u) << r.warnings[0];
  std::string all;
  for (const auto& u : r.catalog.unsupported) all += u + "\n";
  EXPECT_NE(all.find("column app.t.b: VIRTUAL generated columns are not modelled yet"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("column app.t.u: ON UPDATE"), std::string::npos) << all;
  EXPECT_NE(all.find("view app.v"), std::string::npos) << all;
  // The scratch databases are gone.
  for (const auto& row : c.query("SHOW DATABASES LIKE 'seam\\_desired\\_%'"))
    ADD_FAILURE() << "left behind: " << row.at(0).value_or("");
}

}  // namespace
