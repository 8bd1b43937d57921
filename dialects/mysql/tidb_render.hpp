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

// Which MODIFY COLUMN op a type change is on TiDB: "modify_column_lossless"
// for integer widening of the same signedness and VARCHAR/VARBINARY widening,
// "modify_column_lossy" (a full reorg) for everything else.
std::string modify_column_op(const std::string& old_type, const std::string& new_type);

// A column definition as MySQL/TiDB write it: `name` type [COLLATE c]
// [NOT NULL|NULL] [DEFAULT e] [AUTO_INCREMENT] [AS (e) STORED] [COMMENT '...'].
std::string column_definition(const schema::Column& c);

// 'text' with backslashes and quotes escaped (valid unless the session uses
// NO_BACKSLASH_ESCAPES, which TiDB's default sql_mode does not).
std::string quote_string(const std::string& s);

}  // namespace seam::mysql
