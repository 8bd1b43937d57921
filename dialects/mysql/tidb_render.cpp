// The TiDB renderer; see tidb_render.hpp. Every identifier is backtick-quoted
// (quote_ident), every literal the renderer makes is quote_string'd; default
// and CHECK expressions are the server's own spelling from information_schema.
#include "dialects/mysql/tidb_render.hpp"

#include <algorithm>
#include <regex>

#include "dialects/mysql/client.hpp"
#include "dialects/mysql/inspect.hpp"
#include "schema/errors.hpp"

namespace seam::mysql {

namespace {

using schema::Column;
using schema::Constraint;
using schema::ConstraintKind;
using schema::Index;
using schema::QualName;

std::string default_sql(const std::string& e) {
  // Literals and CURRENT_TIMESTAMP are written bare; any other expression
  // needs parentheses in MySQL 8 / TiDB (MariaDB prints it without).
  static const std::regex bare(
      R"(^('([^'\\]|''|\\.)*'|-?[0-9]+(\.[0-9]+)?|NULL|current_timestamp(\(\d*\))?)$)",
      std::regex::icase);
  return std::regex_match(e, bare) ? e : "(" + e + ")";
}

std::string elems_sql(const std::vector<schema::IndexElem>& elems) {
  std::string out;
  for (const auto& e : elems) {
    out += out.empty() ? "" : ", ";
    out += e.column.empty() ? e.expr->text : quote_ident(e.column);
    if (e.desc) out += " DESC";
  }
  return "(" + out + ")";
}

std::string columns_sql(const std::vector<std::string>& cols) {
  std::string out;
  for (const auto& c : cols) out += (out.empty() ? "" : ", ") + quote_ident(c);
  return "(" + out + ")";
}

std::string fk_rule(char r) {
  switch (r) {
    case 'c':
      return "CASCADE";
    case 'n':
      return "SET NULL";
    case 'd':
      return "SET DEFAULT";
    case 'r':
      return "RESTRICT";
    default:
      return "NO ACTION";
  }
}

std::string constraint_sql(const Constraint& k) {
  switch (k.kind) {
    case ConstraintKind::PrimaryKey:
      return "PRIMARY KEY " + columns_sql(k.columns);
    case ConstraintKind::Unique:
      return "CONSTRAINT " + quote_ident(k.name) + " UNIQUE " + columns_sql(k.columns);
    case ConstraintKind::ForeignKey:
      return "CONSTRAINT " + quote_ident(k.name) + " FOREIGN KEY " + columns_sql(k.columns) +
             " REFERENCES " + table_ref(k.ref_table) + " " + columns_sql(k.ref_columns) +
             " ON DELETE " + fk_rule(k.on_delete) + " ON UPDATE " + fk_rule(k.on_update);
    case ConstraintKind::Check:
      return "CONSTRAINT " + quote_ident(k.name) + " CHECK (" + k.check->text + ")";
    default:
      throw UnsupportedError("constraint " + k.name + ": " + schema::to_string(k.kind) +
                             " constraints do not exist in TiDB");
  }
}

// Integer rank for widening checks; 0 = not an integer type.
int int_rank(const std::string& base) {
  static const std::vector<std::string> order{"tinyint", "smallint", "mediumint", "int", "bigint"};
  auto it = std::find(order.begin(), order.end(), base == "integer" ? "int" : base);
  return it == order.end() ? 0 : static_cast<int>(it - order.begin()) + 1;
}

struct TypeParts {
  std::string base;
  long length = -1;
  bool is_unsigned = false;
  std::string rest;
};

TypeParts parts(const std::string& t) {
  static const std::regex re(R"(^([a-z]+)(\((\d+)\))?( unsigned)?( zerofill)?$)");
  std::smatch m;
  TypeParts p;
  if (!std::regex_match(t, m, re)) {
    p.rest = t;
    return p;
  }
  p.base = m[1].str();
  if (m[3].matched) p.length = std::stol(m[3].str());
  p.is_unsigned = m[4].matched;
  if (m[5].matched) p.rest = "zerofill";
  return p;
}

}  // namespace

std::string quote_string(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\'')
      out += "''";
    else if (c == '\0')
      out += "\\0";
    else
      out += c;
  }
  return out + "'";
}

std::string column_definition(const Column& c) {
  std::string out = quote_ident(c.name) + " " + c.type;
  if (!c.collation.empty()) out += " COLLATE " + quote_ident(c.collation);
  if (c.generated) {
    out += " AS (" + c.generated->text + ") STORED";
    out += c.not_null ? " NOT NULL" : " NULL";
  } else {
    out += c.not_null ? " NOT NULL" : " NULL";
    if (c.default_expr) out += " DEFAULT " + default_sql(c.default_expr->text);
    if (c.identity) out += " AUTO_INCREMENT";
  }
  if (!c.comment.empty()) out += " COMMENT " + quote_string(c.comment);
  return out;
}

std::optional<std::vector<std::string>> enum_members(const std::string& type) {
  static const std::regex re(R"(^(enum|set)\((.*)\)$)");
  std::smatch m;
  if (!std::regex_match(type, m, re)) return std::nullopt;
  // 'a','it''s',... as information_schema prints it: quotes doubled inside.
  const std::string body = m[2].str();
  std::vector<std::string> out;
  size_t i = 0;
  while (i < body.size()) {
    if (body[i] != '\'') return std::nullopt;
    std::string member;
    for (++i;; ++i) {
      if (i >= body.size()) return std::nullopt;
      if (body[i] == '\'' && i + 1 < body.size() && body[i + 1] == '\'') {
        member += '\'';
        ++i;
      } else if (body[i] == '\'') {
        ++i;
        break;
      } else {
        member += body[i];
      }
    }
    out.push_back(std::move(member));
    if (i < body.size() && body[i] != ',') return std::nullopt;
    if (i < body.size()) ++i;
  }
  return out;
}

std::string modify_column_op(const std::string& old_type, const std::string& new_type) {
  if (old_type == new_type) return "modify_column_lossless";
  auto ea = enum_members(old_type), eb = enum_members(new_type);
  if (ea && eb) {
    // Members are stored by number: keeping every old one in place keeps every value.
    bool same_kind = old_type.substr(0, 4) == new_type.substr(0, 4);
    bool appended =
        same_kind && eb->size() > ea->size() && std::equal(ea->begin(), ea->end(), eb->begin());
    return appended ? "add_enum_value" : "modify_column_lossy";
  }
  TypeParts a = parts(old_type), b = parts(new_type);
  if (!a.rest.empty() || !b.rest.empty()) return "modify_column_lossy";
  int ra = int_rank(a.base), rb = int_rank(b.base);
  if (ra && rb && a.is_unsigned == b.is_unsigned && rb >= ra) return "modify_column_lossless";
  // CHAR(n) -> CHAR(m) as well (but not BINARY: its zero padding makes every
  // length change a reorg in TiDB, nor CHAR <-> VARCHAR).
  if ((a.base == "varchar" || a.base == "varbinary" || a.base == "char") && a.base == b.base &&
      b.length >= a.length)
    return "modify_column_lossless";
  return "modify_column_lossy";
}

std::string table_ref(const QualName& t) {
  // By name only: a TiDB plan runs in the database it was made for (the
  // model's schema is that database's name).
  return quote_ident(t.name);
}

std::string table_alter(const QualName& t) {
  return "ALTER TABLE " + table_ref(t) + " ";
}

std::string create_table_sql(const schema::Table& t) {
  std::string body;
  for (const auto& c : t.columns) body += (body.empty() ? "\n  " : ",\n  ") + column_definition(c);
  for (const auto& k : t.constraints) body += ",\n  " + constraint_sql(k);
  std::string sql = "CREATE TABLE " + table_ref(t.name) + " (" + body + "\n)";
  if (!t.comment.empty()) sql += " COMMENT = " + quote_string(t.comment);
  return sql;
}

std::string drop_table_sql(const QualName& t) {
  return "DROP TABLE " + table_ref(t);
}

std::string add_column_clause(const Column& c) {
  return "ADD COLUMN " + column_definition(c);
}

std::string drop_column_clause(const std::string& column) {
  return "DROP COLUMN " + quote_ident(column);
}

std::string modify_column_clause(const Column& c) {
  return "MODIFY COLUMN " + column_definition(c);
}

std::string add_index_clause(const Index& ix) {
  std::string kind = ix.method == "fulltext" ? "FULLTEXT INDEX "
                     : ix.unique             ? "UNIQUE INDEX "
                                             : "INDEX ";
  return "ADD " + kind + quote_ident(index_name(ix)) + " " + elems_sql(ix.elems);
}

std::string drop_index_clause(const std::string& index) {
  return "DROP INDEX " + quote_ident(index);
}

std::string add_constraint_clause(const Constraint& k) {
  return "ADD " + constraint_sql(k);
}

TidbPlan render_tidb(const differ::ChangeSet& cs, const compat::Version& v) {
  const compat::Matrix& m = compat::builtin("tidb");
  TidbPlan plan;
  plan.version = v.str();
  auto step = [&](int phase, const std::string& op, std::string sql, const std::string& what) {
    const compat::Entry& e = m.at(op, v);
    if (e.strategy == "unsupported" || e.strategy == "refuse")
      throw UnsupportedError(what + ": TiDB " + v.str() + " " + op + " is \"" + e.strategy +
                             "\" in compat-matrix/tidb.yaml: " + e.notes);
    plan.steps.push_back(TidbStep{phase, op, e.strategy, e.verified, std::move(sql), e.notes});
  };
  for (const auto& ch : cs.changes) {
    if (auto* x = std::get_if<differ::AddTable>(&ch.op)) {
      step(1, "create_table", create_table_sql(x->obj), "table " + x->obj.name.str());
    } else if (auto* x = std::get_if<differ::DropTable>(&ch.op)) {
      step(2, "drop_table", drop_table_sql(x->obj.name), "table " + x->obj.name.str());
    } else if (auto* x = std::get_if<differ::AddColumn>(&ch.op)) {
      const Column& c = x->obj;
      const std::string what = "new column " + x->table.str() + "." + c.name;
      if (c.identity)
        throw UnsupportedError(what +
                               ": ADD COLUMN with AUTO_INCREMENT is restricted on TiDB; "
                               "add the column without it");
      if (c.generated)
        throw UnsupportedError(what + ": generated columns are not planned for TiDB yet");
      if (c.not_null && !c.default_expr)
        throw UnsupportedError(what +
                               ": NOT NULL without a DEFAULT would fill existing rows "
                               "with the type's zero value on TiDB; give it a DEFAULT");
      std::string op = !c.default_expr ? "add_column_nullable"
                       : c.not_null    ? "add_column_not_null_default"
                                       : "add_column_constant_default";
      step(1, op, table_alter(x->table) + add_column_clause(c), what);
    } else if (auto* x = std::get_if<differ::DropColumn>(&ch.op)) {
      step(2, "drop_column", table_alter(x->table) + drop_column_clause(x->obj.name),
           "dropped column " + x->table.str() + "." + x->obj.name);
    } else if (auto* x = std::get_if<differ::AlterColumnType>(&ch.op)) {
      step(1, modify_column_op(x->old_obj.type, x->new_obj.type),
           table_alter(x->table) + modify_column_clause(x->new_obj),
           "column " + x->table.str() + "." + x->new_obj.name);
    } else if (auto* x = std::get_if<differ::AddIndex>(&ch.op)) {
      const Index& ix = x->obj;
      step(1, ix.unique ? "add_unique" : "create_index",
           table_alter(ix.table) + add_index_clause(ix),
           "index " + index_name(ix) + " on " + ix.table.str());
    } else if (auto* x = std::get_if<differ::DropIndex>(&ch.op)) {
      step(2, "drop_index", table_alter(x->obj.table) + drop_index_clause(index_name(x->obj)),
           "index " + index_name(x->obj) + " on " + x->obj.table.str());
    } else if (auto* x = std::get_if<differ::AddConstraint>(&ch.op)) {
      const Constraint& k = x->obj;
      std::string op = k.kind == ConstraintKind::Unique       ? "add_unique"
                       : k.kind == ConstraintKind::ForeignKey ? "add_foreign_key"
                       : k.kind == ConstraintKind::PrimaryKey ? "add_primary_key"
                                                              : "add_check";
      step(1, op, table_alter(x->table) + add_constraint_clause(k),
           "constraint " + k.name + " on " + x->table.str());
    } else if (auto* x = std::get_if<differ::DropConstraint>(&ch.op)) {
      const Constraint& k = x->obj;
      std::string sql = table_alter(x->table);
      if (k.kind == ConstraintKind::Unique)
        step(2, "drop_index", sql + drop_index_clause(k.name),
             "constraint " + k.name + " on " + x->table.str());
      else if (k.kind == ConstraintKind::ForeignKey)
        step(2, "drop_foreign_key", sql + "DROP FOREIGN KEY " + quote_ident(k.name),
             "constraint " + k.name + " on " + x->table.str());
      else
        throw UnsupportedError("dropped constraint " + k.name + " on " + x->table.str() + ": " +
                               schema::to_string(k.kind) +
                               " constraints are not planned for TiDB yet");
    } else {
      throw UnsupportedError("change " + std::to_string(&ch - cs.changes.data() + 1) +
                             " of the diff is of a kind the TiDB renderer does not handle yet "
                             "(it renders tables, columns, type changes, indexes, UNIQUE and "
                             "FOREIGN KEY constraints)");
    }
  }
  // Expand before contract; the differ's order within each phase.
  std::stable_sort(plan.steps.begin(), plan.steps.end(),
                   [](const TidbStep& a, const TidbStep& b) { return a.phase < b.phase; });
  return plan;
}

std::string tidb_script(const TidbPlan& p) {
  std::string out = "-- TiDB " + p.version +
                    " plan (compat-matrix/tidb.yaml). One DDL per step: TiDB commits any open "
                    "transaction before a DDL.\n";
  int n = 0, phase = 0;
  for (const auto& s : p.steps) {
    if (s.phase != phase) {
      phase = s.phase;
      out += phase == 1 ? "\n-- expand\n"
                        : "\n-- contract (after the checkpoint: these steps lose data)\n";
    }
    out += "\n-- step " + std::to_string(++n) + ": " + s.op + " (" + s.strategy +
           (s.verified ? "" : ", unverified") + ")\n" + s.sql + ";\n";
  }
  return out;
}

}  // namespace seam::mysql
