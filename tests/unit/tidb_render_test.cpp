// The TiDB renderer without a server: each plain change becomes one statement
// tagged with its tidb.yaml entry, lossless vs lossy MODIFY COLUMN, quoting of
// hostile names and comments, drops in the contract phase, and refusals for
// what the matrix or renderer does not cover. (tests/integration/
// mysql_dev_test.cpp runs rendered plans on MariaDB.)
#include <gtest/gtest.h>

#include "dialects/mysql/tidb_render.hpp"
#include "schema/errors.hpp"

namespace {

using namespace seam;

schema::Column col(const std::string& name, const std::string& type, bool not_null = false) {
  schema::Column c;
  c.name = name;
  c.type = type;
  c.not_null = not_null;
  return c;
}

differ::Change change(differ::ChangeOp op) {
  return differ::Change{std::move(op), {}, {}, ""};
}

const schema::QualName kT{"shop", "orders"};

TEST(TidbRender, ModifyColumnOps) {
  using mysql::modify_column_op;
  EXPECT_EQ(modify_column_op("int", "bigint"), "modify_column_lossless");
  EXPECT_EQ(modify_column_op("tinyint unsigned", "int unsigned"), "modify_column_lossless");
  EXPECT_EQ(modify_column_op("varchar(10)", "varchar(20)"), "modify_column_lossless");
  EXPECT_EQ(modify_column_op("bigint", "int"), "modify_column_lossy");
  EXPECT_EQ(modify_column_op("int unsigned", "bigint"), "modify_column_lossy");
  EXPECT_EQ(modify_column_op("varchar(20)", "varchar(10)"), "modify_column_lossy");
  EXPECT_EQ(modify_column_op("varchar(20)", "bigint"), "modify_column_lossy");
  EXPECT_EQ(modify_column_op("decimal(10,2)", "decimal(12,2)"), "modify_column_lossy");
  // ENUM/SET: appending members keeps every stored member number (TiDB's
  // needChangeColumnData); removing, renaming or reordering one does not.
  EXPECT_EQ(modify_column_op("enum('a')", "enum('a','b')"), "add_enum_value");
  EXPECT_EQ(modify_column_op("set('a','b')", "set('a','b','c')"), "add_enum_value");
  EXPECT_EQ(modify_column_op("enum('a','b')", "enum('b','a')"), "modify_column_lossy");
  EXPECT_EQ(modify_column_op("enum('a','b')", "enum('a')"), "modify_column_lossy");
  EXPECT_EQ(modify_column_op("enum('a','b')", "enum('a','c')"), "modify_column_lossy");
  EXPECT_EQ(modify_column_op("enum('a')", "set('a','b')"), "modify_column_lossy");
  EXPECT_EQ(modify_column_op("char(4)", "char(8)"), "modify_column_lossless");
  EXPECT_EQ(modify_column_op("char(8)", "varchar(8)"), "modify_column_lossy");
  EXPECT_EQ(modify_column_op("binary(4)", "binary(8)"), "modify_column_lossy");
}

TEST(TidbRender, EnumMembers) {
  EXPECT_EQ(mysql::enum_members("enum('a','it''s','x,y')"),
            (std::vector<std::string>{"a", "it's", "x,y"}));
  EXPECT_EQ(mysql::enum_members("set('')"), std::vector<std::string>{""});
  EXPECT_FALSE(mysql::enum_members("varchar(3)"));
  EXPECT_FALSE(mysql::enum_members("enum('a"));
}

TEST(TidbRender, ColumnDefinitionQuotesEverything) {
  schema::Column c = col("we`ird", "varchar(20)", true);
  c.collation = "utf8mb4_bin";
  c.default_expr = schema::Expr{"'it''s'", "'it''s'"};
  c.comment = "a 'quoted' \\ comment";
  EXPECT_EQ(mysql::column_definition(c),
            "`we``ird` varchar(20) COLLATE `utf8mb4_bin` NOT NULL DEFAULT 'it''s' COMMENT 'a "
            "''quoted'' \\\\ comment'");
  schema::Column u = col("u", "char(36)");
  u.default_expr = schema::Expr{"uuid()", "uuid()"};
  EXPECT_EQ(mysql::column_definition(u), "`u` char(36) NULL DEFAULT (uuid())");
  schema::Column ts = col("ts", "datetime(3)", true);
  ts.default_expr = schema::Expr{"current_timestamp(3)", "current_timestamp(3)"};
  EXPECT_EQ(mysql::column_definition(ts), "`ts` datetime(3) NOT NULL DEFAULT current_timestamp(3)");
}

TEST(TidbRender, ThePlainChanges) {
  differ::ChangeSet cs;
  schema::Column dropped = col("legacy", "char(4)");
  cs.changes.push_back(change(differ::DropColumn{kT, dropped}));
  cs.changes.push_back(change(differ::AddColumn{kT, col("note", "text"), 0}));
  schema::Column id_old = col("id", "int", true), id_new = col("id", "bigint", true);
  id_old.identity = id_new.identity = 'd';
  cs.changes.push_back(change(differ::AlterColumnType{kT, id_old, id_new, "", false}));
  schema::Index ix;
  ix.name = {"shop", "orders.orders_note_idx"};
  ix.table = kT;
  ix.elems.push_back(schema::IndexElem{});
  ix.elems[0].expr = schema::Expr{"`note`(20)", "`note`(20)"};
  cs.changes.push_back(change(differ::AddIndex{ix}));
  schema::Column narrowed_old = col("code", "varchar(20)"), narrowed = col("code", "varchar(5)");
  cs.changes.push_back(change(differ::AlterColumnType{kT, narrowed_old, narrowed, "", false}));

  mysql::TidbPlan p = mysql::render_tidb(cs, compat::Version::parse("8.1"));
  ASSERT_EQ(p.steps.size(), 5u);
  EXPECT_EQ(p.steps[0].op, "add_column_nullable");
  EXPECT_EQ(p.steps[0].strategy, "instant");
  EXPECT_EQ(p.steps[0].sql, "ALTER TABLE `orders` ADD COLUMN `note` text NULL");
  EXPECT_EQ(p.steps[1].op, "modify_column_lossless");
  EXPECT_EQ(p.steps[1].sql,
            "ALTER TABLE `orders` MODIFY COLUMN `id` bigint NOT NULL AUTO_INCREMENT");
  EXPECT_EQ(p.steps[2].op, "create_index");
  EXPECT_EQ(p.steps[2].strategy, "online_job");
  EXPECT_EQ(p.steps[2].sql, "ALTER TABLE `orders` ADD INDEX `orders_note_idx` (`note`(20))");
  EXPECT_EQ(p.steps[3].op, "modify_column_lossy");
  EXPECT_EQ(p.steps[3].strategy, "online_job");
  // The drop moved to the contract phase, last.
  EXPECT_EQ(p.steps[4].phase, 2);
  EXPECT_EQ(p.steps[4].op, "drop_column");
  EXPECT_EQ(p.steps[4].strategy, "contract_only");
  EXPECT_EQ(p.steps[4].sql, "ALTER TABLE `orders` DROP COLUMN `legacy`");
  for (const auto& s : p.steps) EXPECT_FALSE(s.verified) << s.op;
  std::string script = mysql::tidb_script(p);
  EXPECT_EQ(script, mysql::tidb_script(mysql::render_tidb(cs, compat::Version::parse("8.1"))));
  EXPECT_NE(script.find("-- step 1: add_column_nullable (instant, unverified)\nALTER TABLE"),
            std::string::npos)
      << script;
  EXPECT_NE(script.find("-- contract (after the checkpoint"), std::string::npos) << script;
}

std::string refusal(const differ::ChangeSet& cs, const std::string& version = "8.1") {
  try {
    mysql::render_tidb(cs, compat::Version::parse(version));
  } catch (const UnsupportedError& e) {
    return e.what();
  }
  return "";
}

TEST(TidbRender, RefusesWhatItCannotPlan) {
  differ::ChangeSet cs;
  cs.changes.push_back(change(differ::AddColumn{kT, col("n", "int", true), 0}));
  EXPECT_NE(refusal(cs).find("NOT NULL without a DEFAULT"), std::string::npos) << refusal(cs);

  // A foreign key is refused before 8.5 (experimental), planned from 8.5.
  schema::Constraint fk;
  fk.name = "orders_customer_fk";
  fk.kind = schema::ConstraintKind::ForeignKey;
  fk.columns = {"customer_id"};
  fk.ref_table = {"shop", "customers"};
  fk.ref_columns = {"id"};
  cs.changes = {change(differ::AddConstraint{kT, fk})};
  EXPECT_NE(refusal(cs, "8.1").find("add_foreign_key is \"refuse\""), std::string::npos)
      << refusal(cs, "8.1");
  EXPECT_EQ(refusal(cs, "8.5"), "");
  EXPECT_EQ(mysql::render_tidb(cs, compat::Version::parse("8.5")).steps.at(0).sql,
            "ALTER TABLE `orders` ADD CONSTRAINT `orders_customer_fk` FOREIGN KEY "
            "(`customer_id`) REFERENCES `customers` (`id`) ON DELETE NO ACTION ON UPDATE NO "
            "ACTION");
  // Versions the matrix does not cover are not guessed.
  cs.changes = {change(differ::AddColumn{kT, col("n", "int"), 0})};
  EXPECT_NE(refusal(cs, "6.5").find("no entry for add_column_nullable on TiDB 6.5"),
            std::string::npos)
      << refusal(cs, "6.5");
  // A change kind the renderer does not handle.
  cs.changes = {change(differ::AddSchema{schema::Schema{"x", "", {}}})};
  EXPECT_NE(refusal(cs).find("does not handle yet"), std::string::npos);
}

}  // namespace
