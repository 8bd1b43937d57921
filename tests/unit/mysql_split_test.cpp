// The MySQL statement splitter and type canonicalisation, without a server:
// delimiters inside strings, identifiers and comments do not split, positions
// are the statement's first character, DELIMITER lines switch the delimiter,
// and unterminated quotes are errors naming file:line:col.
#include <gtest/gtest.h>

#include "dialects/mysql/inspect.hpp"
#include "dialects/mysql/split.hpp"
#include "schema/errors.hpp"

namespace {

using seam::mysql::split_statements;

std::vector<std::string> texts(const std::string& sql) {
  std::vector<std::string> out;
  for (const auto& s : split_statements(sql, "f.sql")) out.push_back(s.text);
  return out;
}

TEST(MysqlSplit, PlainStatementsAndPositions) {
  auto st = split_statements("CREATE TABLE a (x int);\n\n  CREATE TABLE b (y int) ;", "f.sql");
  ASSERT_EQ(st.size(), 2u);
  EXPECT_EQ(st[0].text, "CREATE TABLE a (x int)");
  EXPECT_EQ(st[0].line, 1);
  EXPECT_EQ(st[0].col, 1);
  EXPECT_EQ(st[1].text, "CREATE TABLE b (y int)");
  EXPECT_EQ(st[1].line, 3);
  EXPECT_EQ(st[1].col, 3);
  EXPECT_EQ(st[1].offset, 27u);
}

TEST(MysqlSplit, PositionsHoldOverManyStatements) {
  std::string sql;
  for (int i = 0; i < 2000; ++i) sql += "  CREATE TABLE t" + std::to_string(i) + " (a int);\n";
  auto st = split_statements(sql, "f.sql");
  ASSERT_EQ(st.size(), 2000u);
  for (size_t i = 0; i < st.size(); ++i) {
    EXPECT_EQ(st[i].line, static_cast<int>(i) + 1);
    EXPECT_EQ(st[i].col, 3);
    EXPECT_EQ(seam::mysql::line_col(sql, st[i].offset), std::make_pair(st[i].line, st[i].col));
  }
}

TEST(MysqlSplit, DelimitersInsideQuotesAndCommentsDoNotSplit) {
  EXPECT_EQ(texts("SELECT 'a;b', \"c;d\", `e;f`; SELECT 2"),
            (std::vector<std::string>{"SELECT 'a;b', \"c;d\", `e;f`", "SELECT 2"}));
  // Backslash escapes and doubled quotes.
  EXPECT_EQ(texts(R"(SELECT 'it\'s;', 'x'';y', `a``;b`; SELECT 3)"),
            (std::vector<std::string>{R"(SELECT 'it\'s;', 'x'';y', `a``;b`)", "SELECT 3"}));
  // Comments: "-- " needs a space after it; "#" and /* */; /*! */ is kept.
  EXPECT_EQ(texts("-- a; comment\n# another;\n/* block; */ CREATE TABLE t (a int /* x; */); "
                  "/*!40101 SET NAMES utf8mb4 */;"),
            (std::vector<std::string>{"CREATE TABLE t (a int /* x; */)",
                                      "/*!40101 SET NAMES utf8mb4 */"}));
  EXPECT_EQ(texts("SELECT 1--1; SELECT 2"), (std::vector<std::string>{"SELECT 1--1", "SELECT 2"}));
  // Trailing statement without a delimiter, trailing comment, empty statements.
  EXPECT_EQ(texts(";;CREATE TABLE t (a int)\n-- end"),
            (std::vector<std::string>{"CREATE TABLE t (a int)\n-- end"}));
  EXPECT_TRUE(texts("  -- only a comment\n").empty());
}

TEST(MysqlSplit, DelimiterCommand) {
  auto st = split_statements(
      "DELIMITER $$\nCREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.x = 1; END$$\n"
      "delimiter ;\nCREATE TABLE z (a int);",
      "f.sql");
  ASSERT_EQ(st.size(), 2u);
  EXPECT_EQ(st[0].text,
            "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.x = 1; END");
  EXPECT_EQ(st[0].line, 2);
  EXPECT_EQ(st[1].text, "CREATE TABLE z (a int)");
  EXPECT_EQ(st[1].line, 4);
}

TEST(MysqlSplit, UnterminatedIsAnErrorWithPosition) {
  auto msg = [](const std::string& sql) {
    try {
      split_statements(sql, "f.sql");
    } catch (const seam::InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(msg("SELECT 1;\nSELECT 'abc;\n"),
            "f.sql:2:8: unterminated string ('...') starting here");
  EXPECT_EQ(msg("CREATE TABLE `t (a int);"),
            "f.sql:1:14: unterminated quoted identifier starting here");
  EXPECT_EQ(msg("\n\n  /* never closed"),
            "f.sql:3:3: unterminated comment (/* ... */) starting here");
  EXPECT_EQ(msg("DELIMITER   \nSELECT 1"),
            "f.sql:1:1: DELIMITER needs a delimiter (e.g. DELIMITER $$)");
}

TEST(MysqlTypes, CanonicalType) {
  using seam::mysql::canonical_type;
  EXPECT_EQ(canonical_type("int(11)"), "int");
  EXPECT_EQ(canonical_type("bigint(20) unsigned"), "bigint unsigned");
  EXPECT_EQ(canonical_type("TINYINT(1)"), "tinyint");
  EXPECT_EQ(canonical_type("varchar(20)"), "varchar(20)");
  EXPECT_EQ(canonical_type("decimal(10,2)"), "decimal(10,2)");
  EXPECT_EQ(canonical_type("ENUM('A(1)','it''S')"), "enum('A(1)','it''S')");
}

}  // namespace
