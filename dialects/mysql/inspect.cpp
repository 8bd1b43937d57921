// The information_schema inspector; see inspect.hpp. One query per kind of
// object for the whole database, ordered, so the catalog is built in one pass
// and is identical for identical databases.
#include "dialects/mysql/inspect.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>

#include "schema/errors.hpp"

namespace seam::mysql {

namespace {

using schema::Catalog;
using schema::Column;
using schema::Constraint;
using schema::ConstraintKind;
using schema::Expr;
using schema::Index;
using schema::IndexElem;
using schema::QualName;
using schema::Table;

std::string str(const Row& r, size_t i) {
  return r.at(i).value_or("");
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

Expr expr(const std::string& text) {
  return Expr{text, text};
}

char fk_rule(const std::string& r) {
  if (r == "CASCADE") return 'c';
  if (r == "SET NULL") return 'n';
  if (r == "SET DEFAULT") return 'd';
  if (r == "RESTRICT") return 'r';
  return 'a';  // NO ACTION
}

}  // namespace

std::string index_name(const schema::Index& ix) {
  const std::string& key = ix.name.name;
  const std::string prefix = ix.table.name + ".";
  return key.rfind(prefix, 0) == 0 ? key.substr(prefix.size()) : key;
}

std::string canonical_type(const std::string& column_type) {
  static const std::regex int_width(R"(^(tinyint|smallint|mediumint|int|integer|bigint)\(\d+\))");
  // Lower case outside quotes only: enum and set labels are data.
  std::string t = column_type;
  bool quoted = false;
  for (char& ch : t) {
    if (ch == '\'') quoted = !quoted;  // a doubled quote toggles twice
    if (!quoted) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  return std::regex_replace(t, int_width, "$1");
}

std::optional<std::string> column_default(const std::optional<std::string>& raw,
                                          const std::string& column_type, const std::string& extra,
                                          bool mariadb) {
  if (!raw) return std::nullopt;
  // MariaDB: an expression already; the word NULL means "no default".
  if (mariadb) return *raw == "NULL" ? std::nullopt : raw;
  static const std::regex now(R"(^(current_timestamp|now|localtimestamp|localtime)(\((\d*)\))?$)",
                              std::regex::icase);
  std::smatch m;
  if (std::regex_match(*raw, m, now)) return "current_timestamp(" + m[3].str() + ")";
  if (lower(extra).find("default_generated") != std::string::npos) {
    // An expression default: lower case outside quotes, as MariaDB prints it.
    std::string e = *raw;
    char quote = 0;
    for (char& ch : e) {
      if (quote) {
        if (ch == quote) quote = 0;
      } else if (ch == '\'' || ch == '"' || ch == '`') {
        quote = ch;
      } else {
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      }
    }
    return e;
  }
  static const std::regex numeric(
      R"(^(tinyint|smallint|mediumint|int|integer|bigint|decimal|numeric|float|double|real|bit|year)\b.*)");
  if (std::regex_match(lower(column_type), numeric)) return *raw;
  std::string out = "'";
  for (char ch : *raw) out += ch == '\'' ? std::string("''") : std::string(1, ch);
  return out + "'";
}

Catalog inspect(Connection& c, const std::string& database, const InspectOptions& opts) {
  const std::string db = c.quote_literal(database);
  const std::string as = opts.as_schema.empty() ? database : opts.as_schema;
  if (!c.value("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = " + db))
    throw InputError("database \"" + database + "\" does not exist on " + c.server_info());

  Catalog cat;
  cat.source = "mysql " + c.server_info() + " database " + database;
  const bool mariadb = c.server_info().find("MariaDB") != std::string::npos;
  cat.server_version = static_cast<int>(c.server_version());
  cat.schemas[as] = schema::Schema{as, "", {}};
  auto qn = [&](const std::string& table) { return QualName{as, table}; };

  // Tables; views, sequences and the like are reported, not modelled.
  for (const auto& r : c.query("SELECT TABLE_NAME, TABLE_TYPE, TABLE_COMMENT, CREATE_OPTIONS "
                               "FROM information_schema.TABLES WHERE TABLE_SCHEMA = " +
                               db + " ORDER BY TABLE_NAME")) {
    const std::string name = str(r, 0), type = str(r, 1);
    if (type != "BASE TABLE") {
      cat.unsupported.push_back(lower(type) + " " + as + "." + name +
                                ": not modelled for MySQL-family databases yet");
      continue;
    }
    Table t;
    t.name = qn(name);
    t.comment = str(r, 2);
    if (lower(str(r, 3)).find("partitioned") != std::string::npos)
      cat.unsupported.push_back("table " + as + "." + name +
                                ": partitioning is not modelled for MySQL-family databases yet");
    cat.tables.emplace(t.name, std::move(t));
  }

  // Columns in ordinal order.
  for (const auto& r :
       c.query("SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, "
               "COLLATION_NAME, COLUMN_COMMENT, GENERATION_EXPRESSION "
               "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = " +
               db + " ORDER BY TABLE_NAME, ORDINAL_POSITION")) {
    auto it = cat.tables.find(qn(str(r, 0)));
    if (it == cat.tables.end()) continue;  // a view's columns
    Column col;
    col.name = str(r, 1);
    col.type = canonical_type(str(r, 2));
    col.not_null = str(r, 3) == "NO";
    col.collation = str(r, 6);
    col.comment = str(r, 7);
    const std::string extra = lower(str(r, 5));
    // MariaDB prints a default as an expression: 'text' quoted, NULL as the
    // word NULL (which means "no default" for the model); MySQL and TiDB the
    // bare value (column_default makes it MariaDB's spelling).
    if (auto d = column_default(r.at(4), str(r, 2), str(r, 5), mariadb))
      col.default_expr = expr(*d);
    if (extra.find("auto_increment") != std::string::npos) col.identity = 'd';
    const std::string where = "column " + as + "." + str(r, 0) + "." + col.name;
    if (extra.find("stored generated") != std::string::npos ||
        extra.find("persistent generated") != std::string::npos) {
      col.generated = expr(str(r, 8));
      col.default_expr.reset();
    } else if (extra.find("virtual generated") != std::string::npos) {
      cat.unsupported.push_back(where + ": VIRTUAL generated columns are not modelled yet");
    }
    if (extra.find("on update") != std::string::npos)
      cat.unsupported.push_back(where + ": ON UPDATE " +
                                str(r, 5).substr(extra.find("on update") + 10) +
                                " is not modelled yet");
    it->second.columns.push_back(std::move(col));
  }

  // PRIMARY KEY and UNIQUE constraints and every other index, from STATISTICS.
  struct Ix {
    std::string table, name, type;
    bool unique = false;
    std::vector<IndexElem> elems;
    bool plain = true;  // every part a whole column, ascending
    std::string comment;
  };
  std::map<std::pair<std::string, std::string>, Ix> ixs;
  for (const auto& r : c.query("SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, "
                               "COLLATION, SUB_PART, INDEX_TYPE, INDEX_COMMENT "
                               "FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = " +
                               db + " ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX")) {
    if (!cat.tables.count(qn(str(r, 0)))) continue;
    Ix& ix = ixs[{str(r, 0), str(r, 1)}];
    ix.table = str(r, 0);
    ix.name = str(r, 1);
    ix.unique = str(r, 2) == "0";
    ix.type = lower(str(r, 6));
    ix.comment = str(r, 7);
    IndexElem e;
    if (!r.at(3)) {
      ix.plain = false;
      e.expr = expr("(expression)");
    } else if (r.at(5)) {  // a prefix: `col`(10)
      ix.plain = false;
      e.expr = expr(quote_ident(str(r, 3)) + "(" + str(r, 5) + ")");
    } else {
      e.column = str(r, 3);
    }
    if (str(r, 4) == "D") {
      e.desc = true;
      ix.plain = false;
    }
    ix.elems.push_back(std::move(e));
  }
  for (auto& [key, ix] : ixs) {
    Table& t = cat.tables.at(qn(ix.table));
    if (ix.name == "PRIMARY" || (ix.unique && ix.plain && ix.type == "btree")) {
      Constraint k;
      k.name = ix.name;
      k.kind = ix.name == "PRIMARY" ? ConstraintKind::PrimaryKey : ConstraintKind::Unique;
      for (const auto& e : ix.elems)
        k.columns.push_back(e.column.empty() ? e.expr->text : e.column);
      k.comment = ix.comment;
      if (!ix.plain)
        cat.unsupported.push_back("primary key of " + as + "." + ix.table +
                                  ": prefix or descending key parts are not modelled yet");
      t.constraints.push_back(std::move(k));
      continue;
    }
    Index out;
    out.name = qn(ix.table + "." + ix.name);  // see inspect.hpp: index_name()
    out.table = qn(ix.table);
    out.unique = ix.unique;
    out.method = ix.type;
    out.elems = std::move(ix.elems);
    out.comment = ix.comment;
    cat.indexes.emplace(out.name, std::move(out));
  }

  // FOREIGN KEY constraints: rules from REFERENTIAL_CONSTRAINTS, column pairs
  // in order from KEY_COLUMN_USAGE.
  std::map<std::pair<std::string, std::string>, Constraint> fks;
  for (const auto& r : c.query("SELECT TABLE_NAME, CONSTRAINT_NAME, REFERENCED_TABLE_NAME, "
                               "UPDATE_RULE, DELETE_RULE, UNIQUE_CONSTRAINT_SCHEMA "
                               "FROM information_schema.REFERENTIAL_CONSTRAINTS "
                               "WHERE CONSTRAINT_SCHEMA = " +
                               db + " ORDER BY TABLE_NAME, CONSTRAINT_NAME")) {
    Constraint k;
    k.name = str(r, 1);
    k.kind = ConstraintKind::ForeignKey;
    const std::string ref_schema = str(r, 5);
    k.ref_table = QualName{ref_schema == database ? as : ref_schema, str(r, 2)};
    k.on_update = fk_rule(str(r, 3));
    k.on_delete = fk_rule(str(r, 4));
    fks[{str(r, 0), k.name}] = std::move(k);
  }
  for (const auto& r : c.query("SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, "
                               "REFERENCED_COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE "
                               "WHERE TABLE_SCHEMA = " +
                               db +
                               " AND REFERENCED_TABLE_NAME IS NOT NULL "
                               "ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION")) {
    auto it = fks.find({str(r, 0), str(r, 1)});
    if (it == fks.end()) continue;
    it->second.columns.push_back(str(r, 2));
    it->second.ref_columns.push_back(str(r, 3));
  }
  for (auto& [key, k] : fks) {
    auto t = cat.tables.find(qn(key.first));
    if (t != cat.tables.end()) t->second.constraints.push_back(std::move(k));
  }

  // CHECK constraints (MariaDB 10.2+, MySQL 8.0.16+).
  for (const auto& r : c.query("SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE "
                               "FROM information_schema.CHECK_CONSTRAINTS "
                               "WHERE CONSTRAINT_SCHEMA = " +
                               db + " ORDER BY TABLE_NAME, CONSTRAINT_NAME")) {
    auto t = cat.tables.find(qn(str(r, 0)));
    if (t == cat.tables.end()) continue;
    Constraint k;
    k.name = str(r, 1);
    k.kind = ConstraintKind::Check;
    k.check = expr(str(r, 2));
    t->second.constraints.push_back(std::move(k));
  }
  for (auto& [n, t] : cat.tables)
    std::sort(t.constraints.begin(), t.constraints.end(),
              [](const Constraint& a, const Constraint& b) { return a.name < b.name; });

  // Objects outside the model, named so that nobody mistakes their absence.
  for (const auto& r : c.query("SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE "
                               "TRIGGER_SCHEMA = " +
                               db + " ORDER BY TRIGGER_NAME"))
    cat.unsupported.push_back("trigger " + as + "." + str(r, 0) +
                              ": not modelled for MySQL-family databases yet");
  for (const auto& r : c.query("SELECT ROUTINE_TYPE, ROUTINE_NAME FROM information_schema.ROUTINES "
                               "WHERE ROUTINE_SCHEMA = " +
                               db + " ORDER BY ROUTINE_TYPE, ROUTINE_NAME"))
    cat.unsupported.push_back(lower(str(r, 0)) + " " + as + "." + str(r, 1) +
                              ": not modelled for MySQL-family databases yet");
  for (const auto& r : c.query("SELECT EVENT_NAME FROM information_schema.EVENTS WHERE "
                               "EVENT_SCHEMA = " +
                               db + " ORDER BY EVENT_NAME"))
    cat.unsupported.push_back("event " + as + "." + str(r, 0) +
                              ": not modelled for MySQL-family databases yet");
  std::sort(cat.unsupported.begin(), cat.unsupported.end());
  return cat;
}

}  // namespace seam::mysql
