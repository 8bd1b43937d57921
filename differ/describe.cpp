// describe(): one line naming a change's kind and object, for messages and
// for the planner's stable tie-break.
#include <type_traits>

#include "differ/changes.hpp"
#include "schema/canon.hpp"

namespace seam::differ {

using schema::quote_ident;

namespace {
std::string col(const schema::QualName& t, const std::string& c) { return t.str() + "." + quote_ident(c); }
std::string on(const std::string& n, const schema::QualName& t) { return quote_ident(n) + " on " + t.str(); }
const char* kind_word(ObjectKind k) {
  switch (k) {
    case ObjectKind::Schema: return "schema";
    case ObjectKind::Extension: return "extension";
    case ObjectKind::Type: return "type";
    case ObjectKind::Domain: return "domain";
    case ObjectKind::DomainConstraint: return "domain constraint";
    case ObjectKind::Sequence: return "sequence";
    case ObjectKind::Table: return "table";
    case ObjectKind::Column: return "column";
    case ObjectKind::Constraint: return "constraint";
    case ObjectKind::Index: return "index";
    case ObjectKind::View: return "view";
    case ObjectKind::MaterializedView: return "materialized view";
    case ObjectKind::ViewColumn: return "view column";
    case ObjectKind::Function: return "function";
    case ObjectKind::Procedure: return "procedure";
    case ObjectKind::Trigger: return "trigger";
    case ObjectKind::Policy: return "policy";
  }
  return "?";
}
}  // namespace

std::string describe(const Change& ch) {
  return std::visit(
      [](const auto& c) -> std::string {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, AddSchema>) return "add schema " + quote_ident(c.obj.name);
        else if constexpr (std::is_same_v<T, DropSchema>) return "drop schema " + quote_ident(c.obj.name);
        else if constexpr (std::is_same_v<T, AddExtension>) return "add extension " + quote_ident(c.obj.name);
        else if constexpr (std::is_same_v<T, DropExtension>) return "drop extension " + quote_ident(c.obj.name);
        else if constexpr (std::is_same_v<T, AlterExtension>) return "alter extension " + quote_ident(c.new_obj.name);
        else if constexpr (std::is_same_v<T, AddType>) return "add type " + c.obj.name.str();
        else if constexpr (std::is_same_v<T, DropType>) return "drop type " + c.obj.name.str();
        else if constexpr (std::is_same_v<T, AddEnumValue>) return "add enum value " + schema::quote_literal(c.label) + " to " + c.new_obj.name.str();
        else if constexpr (std::is_same_v<T, RecreateEnum>) return "recreate enum " + c.new_obj.name.str();
        else if constexpr (std::is_same_v<T, AlterDomain>) return "alter domain " + c.new_obj.name.str();
        else if constexpr (std::is_same_v<T, AlterCompositeType>) return "alter type " + c.new_obj.name.str();
        else if constexpr (std::is_same_v<T, AddSequence>) return "add sequence " + c.obj.name.str();
        else if constexpr (std::is_same_v<T, DropSequence>) return "drop sequence " + c.obj.name.str();
        else if constexpr (std::is_same_v<T, AlterSequence>) return "alter sequence " + c.new_obj.name.str();
        else if constexpr (std::is_same_v<T, SetSequenceOwner>) return "set owner of sequence " + c.new_obj.name.str();
        else if constexpr (std::is_same_v<T, AddTable>) return "add table " + c.obj.name.str();
        else if constexpr (std::is_same_v<T, DropTable>) return "drop table " + c.obj.name.str();
        else if constexpr (std::is_same_v<T, AlterTable>) return "alter table " + c.new_obj.name.str();
        else if constexpr (std::is_same_v<T, AttachPartition>) return "attach partition " + c.obj.name.str();
        else if constexpr (std::is_same_v<T, DetachPartition>) return "detach partition " + c.obj.name.str();
        else if constexpr (std::is_same_v<T, AddColumn>) return "add column " + col(c.table, c.obj.name);
        else if constexpr (std::is_same_v<T, DropColumn>) return "drop column " + col(c.table, c.obj.name);
        else if constexpr (std::is_same_v<T, AlterColumnType>) return "alter type of column " + col(c.table, c.new_obj.name);
        else if constexpr (std::is_same_v<T, AlterColumnGenerated>) return "alter generation of column " + col(c.table, c.new_obj.name);
        else if constexpr (std::is_same_v<T, SetDefault>) return "set default of column " + col(c.table, c.new_obj.name);
        else if constexpr (std::is_same_v<T, SetNotNull>) return "set not null of column " + col(c.table, c.new_obj.name);
        else if constexpr (std::is_same_v<T, AlterIdentity>) return "alter identity of column " + col(c.table, c.new_obj.name);
        else if constexpr (std::is_same_v<T, AddConstraint>) return "add constraint " + on(c.obj.name, c.table);
        else if constexpr (std::is_same_v<T, DropConstraint>) return "drop constraint " + on(c.obj.name, c.table);
        else if constexpr (std::is_same_v<T, AddPolicy>) return "add policy " + on(c.obj.name, c.table);
        else if constexpr (std::is_same_v<T, DropPolicy>) return "drop policy " + on(c.obj.name, c.table);
        else if constexpr (std::is_same_v<T, AddIndex>) return "add index " + c.obj.name.str();
        else if constexpr (std::is_same_v<T, DropIndex>) return "drop index " + c.obj.name.str();
        else if constexpr (std::is_same_v<T, AddView>) return "add view " + c.obj.name.str();
        else if constexpr (std::is_same_v<T, DropView>) return "drop view " + c.obj.name.str();
        else if constexpr (std::is_same_v<T, ReplaceView>) return "replace view " + c.new_obj.name.str();
        else if constexpr (std::is_same_v<T, AddFunction>) return "add function " + c.obj.signature();
        else if constexpr (std::is_same_v<T, DropFunction>) return "drop function " + c.obj.signature();
        else if constexpr (std::is_same_v<T, ReplaceFunction>) return "replace function " + c.new_obj.signature();
        else if constexpr (std::is_same_v<T, AddTrigger>) return "add trigger " + on(c.obj.name, c.obj.table);
        else if constexpr (std::is_same_v<T, DropTrigger>) return "drop trigger " + on(c.obj.name, c.obj.table);
        else if constexpr (std::is_same_v<T, SetComment>) {
          std::string s = std::string("comment on ") + kind_word(c.target.kind) + " " +
                          (c.target.name.schema.empty() ? quote_ident(c.target.name.name) : c.target.name.str());
          if (!c.target.sub.empty()) s += "." + quote_ident(c.target.sub);
          return s;
        } else if constexpr (std::is_same_v<T, RenameTable>) return "rename table " + c.old_obj.name.str() + " to " + c.new_obj.name.str();
        else if constexpr (std::is_same_v<T, RenameColumn>) return "rename column " + col(c.table, c.old_obj.name) + " to " + quote_ident(c.new_obj.name);
        else if constexpr (std::is_same_v<T, RenameIndex>) return "rename index " + c.old_obj.name.str() + " to " + c.new_obj.name.str();
        else if constexpr (std::is_same_v<T, RenameConstraint>) return "rename constraint " + on(c.old_obj.name, c.table) + " to " + quote_ident(c.new_obj.name);
        else if constexpr (std::is_same_v<T, RenameView>) return "rename view " + c.old_obj.name.str() + " to " + c.new_obj.name.str();
        else if constexpr (std::is_same_v<T, RenameSequence>) return "rename sequence " + c.old_obj.name.str() + " to " + c.new_obj.name.str();
        else if constexpr (std::is_same_v<T, RenameType>) return "rename type " + c.old_obj.name.str() + " to " + c.new_obj.name.str();
        else static_assert(sizeof(T) == 0, "describe: unhandled change kind");
      },
      ch.op);
}

}  // namespace seam::differ
