// render_change: the SQL of each differ change kind (see render_change.hpp).
// Ranks order statements that do not depend on each other: drops first (in
// the reverse of creation order), then creates and alterations in the order
// a dump would create them.
#include "dialects/postgres/render_change.hpp"

#include <set>
#include <type_traits>

#include "dialects/postgres/render_create.hpp"
#include "dialects/postgres/render_util.hpp"
#include "schema/canon.hpp"

namespace seam::pg {

using namespace render_detail;
using differ::ObjectKind;
using schema::quote_ident;
using schema::quote_literal;
using schema::quote_qual;

namespace rank {
// Drops, dependents before what they depend on.
constexpr int kDropTrigger = 100, kDropPolicy = 110, kDropView = 120, kDropFk = 130, kDropConstraint = 140,
              kDropIndex = 150, kDetach = 160, kDropColumn = 170, kDropTable = 180, kDropFunction = 190,
              kDropSequence = 200, kDropType = 210, kDropExtension = 220, kDropSchema = 230;
// Creates and alterations.
constexpr int kRename = 300, kSchema = 310, kExtension = 320, kType = 330, kSequence = 340, kFunction = 350,
              kTable = 360, kAddColumn = 370, kColumnType = 371, kDefault = 372, kNotNull = 373, kIdentity = 374,
              kTableOptions = 375, kAttach = 380, kSeqOwner = 390, kConstraint = 400, kIndex = 410, kView = 420,
              kFk = 430, kPolicy = 440, kTrigger = 450, kComment = 460;
}  // namespace rank

namespace {

using Part = ChangeSql::Part;

std::string alter_table(const schema::QualName& t) { return "ALTER TABLE " + quote_qual(t) + " "; }
std::string alter_column(const schema::QualName& t, const std::string& c) {
  return alter_table(t) + "ALTER COLUMN " + quote_ident(c) + " ";
}

schema::Table table_named(const schema::QualName& n) {
  schema::Table t;
  t.name = n;
  return t;
}

std::string bound_sql(const schema::Table& t) {
  std::string b = trim(expr_text(t.partition_bound));
  std::string upper;
  for (char c : b.substr(0, 10)) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "DEFAULT" || upper.rfind("FOR VALUES", 0) == 0) return b;
  return "FOR VALUES " + b;
}

// The base name of a type without modifiers and array brackets:
// "character varying(20)[]" -> "character varying".
std::string type_family(const std::string& t) {
  std::string s = t.substr(0, t.find_first_of("(["));
  return trim(s);
}

std::string table_comments(const schema::Table& t) {
  std::string s;
  if (!t.comment.empty()) s += comment_sql(t);
  for (const auto& c : t.columns)
    if (!c.comment.empty()) s += comment_sql(t, c);
  for (const auto& c : t.constraints)
    if (c.kind != schema::ConstraintKind::ForeignKey && !c.comment.empty()) s += comment_sql(t, c);
  return s;
}

std::string policy_sql(const schema::QualName& t, const schema::Policy& p) {
  std::string s = "CREATE POLICY " + quote_ident(p.name) + " ON " + quote_qual(t);
  if (!p.permissive) s += " AS RESTRICTIVE";
  if (p.command != "ALL") s += " FOR " + p.command;
  if (!p.roles.empty()) {
    std::vector<std::string> r;
    for (const auto& x : p.roles) r.push_back(x == "public" ? "PUBLIC" : quote_ident(x));
    s += " TO " + join(r, ", ");
  }
  if (has_expr(p.using_expr)) s += " USING " + paren(expr_text(*p.using_expr));
  if (has_expr(p.check_expr)) s += " WITH CHECK " + paren(expr_text(*p.check_expr));
  s += ";\n";
  if (!p.comment.empty()) s += comment_stmt("POLICY " + quote_ident(p.name) + " ON " + quote_qual(t), p.comment);
  return s;
}

std::string comment_target(const differ::ObjectRef& r) {
  switch (r.kind) {
    case ObjectKind::Schema: return "SCHEMA " + quote_ident(r.name.name);
    case ObjectKind::Extension: return "EXTENSION " + quote_ident(r.name.name);
    case ObjectKind::Type: return "TYPE " + quote_qual(r.name);
    case ObjectKind::Domain: return "DOMAIN " + quote_qual(r.name);
    case ObjectKind::DomainConstraint: return "CONSTRAINT " + quote_ident(r.sub) + " ON DOMAIN " + quote_qual(r.name);
    case ObjectKind::Sequence: return "SEQUENCE " + quote_qual(r.name);
    case ObjectKind::Table: return "TABLE " + quote_qual(r.name);
    case ObjectKind::Column:
    case ObjectKind::ViewColumn: return "COLUMN " + quote_qual(r.name) + "." + quote_ident(r.sub);
    case ObjectKind::Constraint: return "CONSTRAINT " + quote_ident(r.sub) + " ON " + quote_qual(r.name);
    case ObjectKind::Index: return "INDEX " + quote_qual(r.name);
    case ObjectKind::View: return "VIEW " + quote_qual(r.name);
    case ObjectKind::MaterializedView: return "MATERIALIZED VIEW " + quote_qual(r.name);
    case ObjectKind::Function:
    case ObjectKind::Procedure:
      return std::string(r.kind == ObjectKind::Function ? "FUNCTION " : "PROCEDURE ") + quote_qual(r.name) + "(" +
             join(r.args, ", ") + ")";
    case ObjectKind::Trigger: return "TRIGGER " + quote_ident(r.sub) + " ON " + quote_qual(r.name);
    case ObjectKind::Policy: return "POLICY " + quote_ident(r.sub) + " ON " + quote_qual(r.name);
  }
  return {};
}

std::string sequence_options(const schema::SequenceOptions& o) {
  // Every option, so the result does not depend on what the sequence had.
  return " AS " + o.type + " INCREMENT BY " + std::to_string(o.increment) + " MINVALUE " + std::to_string(o.min) +
         " MAXVALUE " + std::to_string(o.max) + " START WITH " + std::to_string(o.start) + " CACHE " +
         std::to_string(o.cache) + (o.cycle ? " CYCLE" : " NO CYCLE");
}

std::string rename_rel(const std::string& kind, const schema::QualName& a, const schema::QualName& b) {
  std::string s;
  schema::QualName cur = a;
  if (a.schema != b.schema) {
    s += "ALTER " + kind + " " + quote_qual(a) + " SET SCHEMA " + quote_ident(b.schema) + ";\n";
    cur.schema = b.schema;
  }
  if (cur.name != b.name) s += "ALTER " + kind + " " + quote_qual(cur) + " RENAME TO " + quote_ident(b.name) + ";\n";
  return s;
}

std::string set_default(const schema::QualName& t, const schema::Column& c) {
  if (!has_expr(c.default_expr)) return alter_column(t, c.name) + "DROP DEFAULT;\n";
  return alter_column(t, c.name) + "SET DEFAULT " + b_expr(expr_text(*c.default_expr)) + ";\n";
}

std::string identity_kind(char i) { return i == 'a' ? "ALWAYS" : "BY DEFAULT"; }

std::string enum_use_sql(const schema::Type& ty, const differ::ColumnUse& u) {
  std::string s;
  const auto& c = u.new_col;
  if (has_expr(u.old_col.default_expr)) s += alter_column(u.table, c.name) + "DROP DEFAULT;\n";
  bool array = c.type.find('[') != std::string::npos;
  s += alter_column(u.table, c.name) + "TYPE " + c.type + " USING " + quote_ident(c.name) +
       (array ? "::text[]::" : "::text::") + c.type + ";\n";
  if (has_expr(c.default_expr)) s += set_default(u.table, c);
  return s;
}

std::vector<ChangeSql> one(Part p, int r, std::string sql) { return {{p, r, std::move(sql)}}; }

}  // namespace

std::vector<ChangeSql> render_change(const differ::Change& ch) {
  using namespace differ;
  return std::visit(
      [&](const auto& c) -> std::vector<ChangeSql> {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, AddSchema>) {
          return one(Part::Create, rank::kSchema, create_sql(c.obj) + (c.obj.comment.empty() ? "" : comment_sql(c.obj)));
        } else if constexpr (std::is_same_v<T, DropSchema>) {
          return one(Part::Drop, rank::kDropSchema, "DROP SCHEMA " + quote_ident(c.obj.name) + ";\n");
        } else if constexpr (std::is_same_v<T, AddExtension>) {
          return one(Part::Create, rank::kExtension, create_sql(c.obj) + (c.obj.comment.empty() ? "" : comment_sql(c.obj)));
        } else if constexpr (std::is_same_v<T, DropExtension>) {
          return one(Part::Drop, rank::kDropExtension, "DROP EXTENSION " + quote_ident(c.obj.name) + ";\n");
        } else if constexpr (std::is_same_v<T, AlterExtension>) {
          std::string s;
          if (!c.new_obj.version.empty() && c.new_obj.version != c.old_obj.version)
            s += "ALTER EXTENSION " + quote_ident(c.new_obj.name) + " UPDATE TO " + quote_literal(c.new_obj.version) + ";\n";
          if (!c.new_obj.schema.empty() && c.new_obj.schema != c.old_obj.schema)
            s += "ALTER EXTENSION " + quote_ident(c.new_obj.name) + " SET SCHEMA " + quote_ident(c.new_obj.schema) + ";\n";
          return one(Part::Alter, rank::kExtension, s);
        } else if constexpr (std::is_same_v<T, AddType>) {
          std::string s = create_sql(c.obj);
          if (!c.obj.comment.empty()) s += comment_sql(c.obj);
          for (const auto& k : c.obj.checks)
            if (!k.comment.empty()) s += comment_sql(c.obj, k);
          return one(Part::Create, rank::kType, s);
        } else if constexpr (std::is_same_v<T, DropType>) {
          return one(Part::Drop, rank::kDropType,
                     std::string(c.obj.kind == schema::TypeKind::Domain ? "DROP DOMAIN " : "DROP TYPE ") +
                         quote_qual(c.obj.name) + ";\n");
        } else if constexpr (std::is_same_v<T, AddEnumValue>) {
          std::string s = "ALTER TYPE " + quote_qual(c.new_obj.name) + " ADD VALUE " + quote_literal(c.label);
          if (!c.after.empty())
            s += " AFTER " + quote_literal(c.after);
          else if (!c.before.empty())
            s += " BEFORE " + quote_literal(c.before);
          return one(Part::Alter, rank::kType, s + ";\n");
        } else if constexpr (std::is_same_v<T, RecreateEnum>) {
          std::string old_name = c.old_obj.name.name + "__seam_old";
          schema::QualName moved{c.old_obj.name.schema, old_name};
          std::string s = "ALTER TYPE " + quote_qual(c.old_obj.name) + " RENAME TO " + quote_ident(old_name) + ";\n";
          s += create_sql(c.new_obj);
          for (const auto& u : c.uses) s += enum_use_sql(c.new_obj, u);
          s += "DROP TYPE " + quote_qual(moved) + ";\n";
          if (!c.new_obj.comment.empty()) s += comment_sql(c.new_obj);
          return one(Part::Alter, rank::kType, s);
        } else if constexpr (std::is_same_v<T, AlterDomain>) {
          const auto &a = c.old_obj, &b = c.new_obj;
          std::string d = "ALTER DOMAIN " + quote_qual(b.name) + " ";
          std::string s;
          if (!(a.default_expr && b.default_expr && a.default_expr->canon == b.default_expr->canon) &&
              (has_expr(a.default_expr) || has_expr(b.default_expr)))
            s += has_expr(b.default_expr) ? d + "SET DEFAULT " + b_expr(expr_text(*b.default_expr)) + ";\n"
                                          : d + "DROP DEFAULT;\n";
          if (a.not_null != b.not_null) s += d + (b.not_null ? "SET NOT NULL;\n" : "DROP NOT NULL;\n");
          auto find = [](const schema::Type& t, const std::string& n) -> const schema::DomainCheck* {
            for (const auto& k : t.checks)
              if (k.name == n) return &k;
            return nullptr;
          };
          for (const auto& k : a.checks) {
            const auto* n = find(b, k.name);
            if (!n || !(n->check == k.check) || n->not_valid != k.not_valid)
              s += d + "DROP CONSTRAINT " + quote_ident(k.name) + ";\n";
          }
          for (const auto& k : b.checks) {
            const auto* o = find(a, k.name);
            bool add = !o || !(o->check == k.check) || o->not_valid != k.not_valid;
            if (add)
              s += d + "ADD CONSTRAINT " + quote_ident(k.name) + " CHECK " + paren(expr_text(k.check)) +
                   (k.not_valid ? " NOT VALID" : "") + ";\n";
            if ((add && !k.comment.empty()) || (!add && o->comment != k.comment)) s += comment_sql(b, k);
          }
          return one(Part::Alter, rank::kType, s);
        } else if constexpr (std::is_same_v<T, AlterCompositeType>) {
          const auto &a = c.old_obj, &b = c.new_obj;
          std::vector<std::string> acts;
          auto find = [](const schema::Type& t, const std::string& n) -> const schema::CompositeAttr* {
            for (const auto& k : t.attrs)
              if (k.name == n) return &k;
            return nullptr;
          };
          for (const auto& x : a.attrs)
            if (!find(b, x.name)) acts.push_back("DROP ATTRIBUTE " + quote_ident(x.name));
          for (const auto& x : b.attrs) {
            const auto* o = find(a, x.name);
            std::string coll = x.collation.empty() ? "" : " COLLATE " + quote_collation(x.collation);
            if (!o)
              acts.push_back("ADD ATTRIBUTE " + quote_ident(x.name) + " " + x.type + coll);
            else if (!(*o == x))
              acts.push_back("ALTER ATTRIBUTE " + quote_ident(x.name) + " TYPE " + x.type + coll);
          }
          std::string s;
          for (const auto& x : acts) s += "ALTER TYPE " + quote_qual(b.name) + " " + x + ";\n";
          return one(Part::Alter, rank::kType, s);
        } else if constexpr (std::is_same_v<T, AddSequence>) {
          return one(Part::Create, rank::kSequence, create_sql(c.obj) + (c.obj.comment.empty() ? "" : comment_sql(c.obj)));
        } else if constexpr (std::is_same_v<T, DropSequence>) {
          // An owned sequence goes with its column when that is dropped first.
          return one(Part::Drop, rank::kDropSequence,
                     std::string("DROP SEQUENCE ") + (c.owned ? "IF EXISTS " : "") + quote_qual(c.obj.name) + ";\n");
        } else if constexpr (std::is_same_v<T, AlterSequence>) {
          return one(Part::Alter, rank::kSequence,
                     "ALTER SEQUENCE " + quote_qual(c.new_obj.name) + sequence_options(c.new_obj.opts) + ";\n");
        } else if constexpr (std::is_same_v<T, SetSequenceOwner>) {
          std::string s = c.new_obj.owned_by_table ? owned_by_sql(c.new_obj)
                                                   : "ALTER SEQUENCE " + quote_qual(c.new_obj.name) + " OWNED BY NONE;\n";
          return one(Part::Alter, rank::kSeqOwner, s);
        } else if constexpr (std::is_same_v<T, AddTable>) {
          const auto& t = c.obj;
          std::string s = create_sql(t);
          for (const auto& k : t.constraints)
            if (k.kind != schema::ConstraintKind::ForeignKey && !inline_constraint(k)) s += add_constraint_sql(t, k);
          s += rls_sql(t);
          s += table_comments(t);
          return one(Part::Create, rank::kTable, s);
        } else if constexpr (std::is_same_v<T, DropTable>) {
          return one(Part::Drop, rank::kDropTable, "DROP TABLE " + quote_qual(c.obj.name) + ";\n");
        } else if constexpr (std::is_same_v<T, AlterTable>) {
          const auto &a = c.old_obj, &b = c.new_obj;
          std::string s;
          if (a.persistence != b.persistence) s += alter_table(b.name) + (b.persistence == 'u' ? "SET UNLOGGED;\n" : "SET LOGGED;\n");
          if (a.with != b.with) {
            // RESET every old key, then SET the new list (both canonical "k=v,...").
            std::vector<std::string> old_keys;
            size_t pos = 0;
            while (pos < a.with.size()) {
              size_t comma = a.with.find(',', pos);
              if (comma == std::string::npos) comma = a.with.size();
              std::string item = a.with.substr(pos, comma - pos);
              old_keys.push_back(item.substr(0, item.find('=')));
              pos = comma + 1;
            }
            if (!old_keys.empty()) s += alter_table(b.name) + "RESET (" + join(old_keys, ", ") + ");\n";
            if (!b.with.empty()) s += alter_table(b.name) + "SET (" + render_options(b.with) + ");\n";
          }
          if (a.rls_enabled != b.rls_enabled)
            s += alter_table(b.name) + (b.rls_enabled ? "ENABLE" : "DISABLE") + " ROW LEVEL SECURITY;\n";
          if (a.rls_forced != b.rls_forced)
            s += alter_table(b.name) + (b.rls_forced ? "FORCE" : "NO FORCE") + " ROW LEVEL SECURITY;\n";
          if (a.replica_identity != b.replica_identity) {
            const std::string& r = b.replica_identity;
            s += alter_table(b.name) + "REPLICA IDENTITY " +
                 (r.empty() ? std::string("DEFAULT")
                  : r == "full" ? std::string("FULL")
                  : r == "nothing" ? std::string("NOTHING")
                                   : "USING INDEX " + quote_ident(r.substr(r.rfind(' ') + 1))) + ";\n";
          }
          return one(Part::Alter, rank::kTableOptions, s);
        } else if constexpr (std::is_same_v<T, AttachPartition>) {
          return one(Part::Alter, rank::kAttach,
                     alter_table(*c.obj.partition_of) + "ATTACH PARTITION " + quote_qual(c.obj.name) + " " +
                         bound_sql(c.obj) + ";\n");
        } else if constexpr (std::is_same_v<T, DetachPartition>) {
          return one(Part::Alter, rank::kDetach,
                     alter_table(*c.obj.partition_of) + "DETACH PARTITION " + quote_qual(c.obj.name) + ";\n");
        } else if constexpr (std::is_same_v<T, AddColumn>) {
          schema::Table t = table_named(c.table);
          std::string s = alter_table(c.table) + "ADD COLUMN " + column_def(t, c.obj) + ";\n";
          if (!c.obj.comment.empty()) s += comment_sql(t, c.obj);
          return one(Part::Alter, rank::kAddColumn, s);
        } else if constexpr (std::is_same_v<T, DropColumn>) {
          return one(Part::Alter, rank::kDropColumn, alter_table(c.table) + "DROP COLUMN " + quote_ident(c.obj.name) + ";\n");
        } else if constexpr (std::is_same_v<T, AlterColumnGenerated>) {
          if (c.drop_expression())
            return one(Part::Alter, rank::kColumnType, alter_column(c.table, c.new_obj.name) + "DROP EXPRESSION;\n");
          // One statement: the column is never missing between two.
          schema::Table t = table_named(c.table);
          std::string s = alter_table(c.table) + "DROP COLUMN " + quote_ident(c.old_obj.name) + ", ADD COLUMN " +
                          column_def(t, c.new_obj) + ";\n";
          if (!c.new_obj.comment.empty()) s += comment_sql(t, c.new_obj);
          return one(Part::Alter, rank::kColumnType, s);
        } else if constexpr (std::is_same_v<T, AlterColumnType>) {
          const auto &a = c.old_obj, &b = c.new_obj;
          std::string s;
          if (has_expr(a.default_expr)) s += alter_column(c.table, b.name) + "DROP DEFAULT;\n";
          s += alter_column(c.table, b.name) + "TYPE " + b.type;
          if (!b.collation.empty())
            s += " COLLATE " + quote_collation(b.collation);
          else if (!a.collation.empty())
            s += " COLLATE \"default\"";
          if (!c.using_expr.empty())
            s += " USING " + c.using_expr;
          else if (c.via_text)
            s += " USING " + quote_ident(b.name) + (b.type.find('[') != std::string::npos ? "::text[]::" : "::text::") + b.type;
          else if (type_family(a.type) != type_family(b.type))
            s += " USING " + quote_ident(b.name) + "::" + b.type;
          s += ";\n";
          if (has_expr(a.default_expr) && has_expr(b.default_expr) && !b.identity && !b.generated) s += set_default(c.table, b);
          else if (!has_expr(a.default_expr) && has_expr(b.default_expr) && !b.identity && !b.generated) s += set_default(c.table, b);
          return one(Part::Alter, rank::kColumnType, s);
        } else if constexpr (std::is_same_v<T, SetDefault>) {
          return one(Part::Alter, rank::kDefault, set_default(c.table, c.new_obj));
        } else if constexpr (std::is_same_v<T, SetNotNull>) {
          return one(Part::Alter, rank::kNotNull,
                     alter_column(c.table, c.new_obj.name) + (c.new_obj.not_null ? "SET NOT NULL;\n" : "DROP NOT NULL;\n"));
        } else if constexpr (std::is_same_v<T, AlterIdentity>) {
          const auto &a = c.old_obj, &b = c.new_obj;
          std::string col = alter_column(c.table, b.name);
          std::string s;
          std::string type = (b.type == "smallint" || b.type == "integer" || b.type == "bigint") ? b.type : b.identity_seq.type;
          if (!b.identity) {
            s = col + "DROP IDENTITY;\n";
          } else if (!a.identity) {
            if (has_expr(a.default_expr)) s += col + "DROP DEFAULT;\n";
            s += col + "ADD GENERATED " + identity_kind(b.identity) + " AS IDENTITY";
            auto opts = sequence_option_clauses(b.identity_seq, type, false);
            if (!opts.empty()) s += " (" + join(opts, " ") + ")";
            s += ";\n";
          } else {
            if (a.identity != b.identity) s += col + "SET GENERATED " + identity_kind(b.identity) + ";\n";
            if (!(a.identity_seq == b.identity_seq)) {
              const auto& o = b.identity_seq;
              s += col + "SET INCREMENT BY " + std::to_string(o.increment) + " SET MINVALUE " + std::to_string(o.min) +
                   " SET MAXVALUE " + std::to_string(o.max) + " SET START WITH " + std::to_string(o.start) +
                   " SET CACHE " + std::to_string(o.cache) + (o.cycle ? " SET CYCLE" : " SET NO CYCLE") + ";\n";
            }
          }
          // DROP IDENTITY before a DROP NOT NULL; ADD ... AS IDENTITY after SET NOT NULL.
          return one(Part::Alter, b.identity ? rank::kIdentity : rank::kDefault, s);
        } else if constexpr (std::is_same_v<T, AddConstraint>) {
          schema::Table t = table_named(c.table);
          std::string s = add_constraint_sql(t, c.obj);
          if (!c.obj.comment.empty()) s += comment_sql(t, c.obj);
          bool fk = c.obj.kind == schema::ConstraintKind::ForeignKey;
          return one(Part::Create, fk ? rank::kFk : rank::kConstraint, s);
        } else if constexpr (std::is_same_v<T, DropConstraint>) {
          bool fk = c.obj.kind == schema::ConstraintKind::ForeignKey;
          return one(Part::Drop, fk ? rank::kDropFk : rank::kDropConstraint,
                     alter_table(c.table) + "DROP CONSTRAINT " + quote_ident(c.obj.name) + ";\n");
        } else if constexpr (std::is_same_v<T, AddPolicy>) {
          return one(Part::Create, rank::kPolicy, policy_sql(c.table, c.obj));
        } else if constexpr (std::is_same_v<T, DropPolicy>) {
          return one(Part::Drop, rank::kDropPolicy,
                     "DROP POLICY " + quote_ident(c.obj.name) + " ON " + quote_qual(c.table) + ";\n");
        } else if constexpr (std::is_same_v<T, AddIndex>) {
          return one(Part::Create, rank::kIndex, create_sql(c.obj) + (c.obj.comment.empty() ? "" : comment_sql(c.obj)));
        } else if constexpr (std::is_same_v<T, DropIndex>) {
          return one(Part::Drop, rank::kDropIndex, "DROP INDEX " + quote_qual(c.obj.name) + ";\n");
        } else if constexpr (std::is_same_v<T, AddView> || std::is_same_v<T, ReplaceView>) {
          const schema::View* v;
          std::vector<ChangeSql> out;
          if constexpr (std::is_same_v<T, AddView>) {
            v = &c.obj;
          } else {
            v = &c.new_obj;
            out.push_back({Part::Drop, rank::kDropView,
                           std::string(c.old_obj.materialized ? "DROP MATERIALIZED VIEW " : "DROP VIEW ") +
                               quote_qual(c.old_obj.name) + ";\n"});
          }
          std::string s = create_sql(*v);
          if (!v->comment.empty()) s += comment_sql(*v);
          for (const auto& [col, text] : v->column_comments)
            if (!text.empty()) s += comment_sql(*v, col, text);
          out.push_back({Part::Create, rank::kView, s});
          return out;
        } else if constexpr (std::is_same_v<T, DropView>) {
          return one(Part::Drop, rank::kDropView,
                     std::string(c.obj.materialized ? "DROP MATERIALIZED VIEW " : "DROP VIEW ") + quote_qual(c.obj.name) + ";\n");
        } else if constexpr (std::is_same_v<T, AddFunction>) {
          return one(Part::Create, rank::kFunction, create_sql(c.obj) + (c.obj.comment.empty() ? "" : comment_sql(c.obj)));
        } else if constexpr (std::is_same_v<T, DropFunction>) {
          return one(Part::Drop, rank::kDropFunction,
                     std::string(c.obj.procedure ? "DROP PROCEDURE " : "DROP FUNCTION ") + function_ref(c.obj) + ";\n");
        } else if constexpr (std::is_same_v<T, ReplaceFunction>) {
          std::string create = create_sql(c.new_obj);
          if (c.in_place) {
            create.replace(0, 7, "CREATE OR REPLACE ");
            return one(Part::Alter, rank::kFunction, create);
          }
          return {{Part::Drop, rank::kDropFunction,
                   std::string(c.old_obj.procedure ? "DROP PROCEDURE " : "DROP FUNCTION ") + function_ref(c.old_obj) + ";\n"},
                  {Part::Create, rank::kFunction, create + (c.new_obj.comment.empty() ? "" : comment_sql(c.new_obj))}};
        } else if constexpr (std::is_same_v<T, AddTrigger>) {
          return one(Part::Create, rank::kTrigger, create_sql(c.obj) + (c.obj.comment.empty() ? "" : comment_sql(c.obj)));
        } else if constexpr (std::is_same_v<T, DropTrigger>) {
          return one(Part::Drop, rank::kDropTrigger,
                     "DROP TRIGGER " + quote_ident(c.obj.name) + " ON " + quote_qual(c.obj.table) + ";\n");
        } else if constexpr (std::is_same_v<T, SetComment>) {
          return one(Part::Alter, rank::kComment, comment_stmt(comment_target(c.target), c.new_comment));
        } else if constexpr (std::is_same_v<T, RenameTable>) {
          return one(Part::Alter, rank::kRename, rename_rel("TABLE", c.old_obj.name, c.new_obj.name));
        } else if constexpr (std::is_same_v<T, RenameColumn>) {
          return one(Part::Alter, rank::kRename,
                     alter_table(c.table) + "RENAME COLUMN " + quote_ident(c.old_obj.name) + " TO " +
                         quote_ident(c.new_obj.name) + ";\n");
        } else if constexpr (std::is_same_v<T, RenameIndex>) {
          return one(Part::Alter, rank::kRename, rename_rel("INDEX", c.old_obj.name, c.new_obj.name));
        } else if constexpr (std::is_same_v<T, RenameConstraint>) {
          return one(Part::Alter, rank::kRename,
                     alter_table(c.table) + "RENAME CONSTRAINT " + quote_ident(c.old_obj.name) + " TO " +
                         quote_ident(c.new_obj.name) + ";\n");
        } else if constexpr (std::is_same_v<T, RenameView>) {
          return one(Part::Alter, rank::kRename,
                     rename_rel(c.old_obj.materialized ? "MATERIALIZED VIEW" : "VIEW", c.old_obj.name, c.new_obj.name));
        } else if constexpr (std::is_same_v<T, RenameSequence>) {
          return one(Part::Alter, rank::kRename, rename_rel("SEQUENCE", c.old_obj.name, c.new_obj.name));
        } else if constexpr (std::is_same_v<T, RenameType>) {
          return one(Part::Alter, rank::kRename,
                     rename_rel(c.old_obj.kind == schema::TypeKind::Domain ? "DOMAIN" : "TYPE", c.old_obj.name, c.new_obj.name));
        } else {
          static_assert(sizeof(T) == 0, "render_change: unhandled change kind");
        }
      },
      ch.op);
}

}  // namespace seam::pg
