// Rendering the differ's plain changes as TiDB DDL (MySQL dialect, backtick
// quoting), one statement per step, each tagged with the tidb compatibility
// matrix entry (compat-matrix/tidb.yaml) that says how TiDB runs it: instant
// ADD COLUMN, ADD INDEX as an online reorg job, lossless vs lossy MODIFY
// COLUMN, DROP COLUMN in the contract phase. What the renderer or the matrix
// does not cover is an UnsupportedError naming the change, never a guess.
//
//   differ::ChangeSet cs = differ::diff(live, desired);   // both from dialects/mysql
//   mysql::TidbPlan p = mysql::render_tidb(cs, compat::Version::parse("8.1"));
//   std::cout << mysql::tidb_script(p);
//
// Handled: AddTable, DropTable, AddColumn, DropColumn, AlterColumnType
// (MODIFY COLUMN with the whole new column definition), AddIndex, DropIndex,
// AddConstraint / DropConstraint for UNIQUE and FOREIGN KEY.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compat-matrix/matrix.hpp"
#include "differ/changes.hpp"

namespace seam::mysql {

struct TidbStep {
  int phase = 1;          // 1 expand, 2 contract (after the checkpoint: drops lose data)
  std::string op;         // the matrix op id, e.g. "modify_column_lossless"
  std::string strategy;   // the matrix entry's strategy
  bool verified = false;  // the matrix entry's flag (false for every TiDB entry today)
  std::string sql;        // one statement, no trailing semicolon
  std::string notes;      // the matrix entry's notes
};

struct TidbPlan {
  std::string version;  // the TiDB version planned for
  std::vector<TidbStep> steps;
};

// Throws UnsupportedError for a change kind the renderer does not handle, an
// op the tidb matrix has no entry for at `v`, or an entry whose strategy is
// unsupported/refuse (the entry's notes say why).
TidbPlan render_tidb(const differ::ChangeSet& cs, const compat::Version& v);

// The plan as a SQL script: a comment per step (phase, op, strategy,
// unverified) and the statement. Deterministic.
std::string tidb_script(const TidbPlan& p);

// Which MODIFY COLUMN op a type change is on TiDB (TiDB's needChangeColumnData,
// conservatively): "modify_column_lossless" (metadata only) for integer
// widening of the same signedness and CHAR/VARCHAR/VARBINARY widening;
// "add_enum_value" (metadata only) for an ENUM/SET that keeps every member in
// place and appends new ones; "modify_column_lossy" (a Reorg-Data job
// rewriting every row) for everything else.
std::string modify_column_op(const std::string& old_type, const std::string& new_type);

// The members of an ENUM/SET column type ("enum('a','it''s')" -> {a, it's});
// nullopt for any other type.
std::optional<std::vector<std::string>> enum_members(const std::string& type);

// The statements and ALTER TABLE clauses render_tidb and the planner
// (dialects/mysql/tidb_plan.hpp) are built from: every identifier
// backtick-quoted, tables by name only (a TiDB plan runs in the database it
// was made for). Clauses go after table_alter(t); several clauses of one
// table joined by ", " are one multi-schema change.
std::string table_ref(const schema::QualName& t);
std::string table_alter(const schema::QualName& t);  // "ALTER TABLE `t` "
std::string create_table_sql(const schema::Table& t);
std::string drop_table_sql(const schema::QualName& t);
std::string add_column_clause(const schema::Column& c);     // ADD COLUMN <definition>
std::string drop_column_clause(const std::string& column);  // DROP COLUMN `c`
std::string modify_column_clause(const schema::Column& c);  // MODIFY COLUMN <definition>
std::string add_index_clause(const schema::Index& ix);      // ADD [UNIQUE|FULLTEXT] INDEX ...
std::string drop_index_clause(const std::string& index);    // DROP INDEX `i`
// ADD PRIMARY KEY / CONSTRAINT `k` UNIQUE / FOREIGN KEY / CHECK.
std::string add_constraint_clause(const schema::Constraint& k);

// A column definition as MySQL/TiDB write it: `name` type [COLLATE c]
// [NOT NULL|NULL] [DEFAULT e] [AUTO_INCREMENT] [AS (e) STORED] [COMMENT '...'].
std::string column_definition(const schema::Column& c);

// 'text' with backslashes and quotes escaped (valid unless the session uses
// NO_BACKSLASH_ESCAPES, which TiDB's default sql_mode does not).
std::string quote_string(const std::string& s);

}  // namespace seam::mysql
