// The differ's output: typed change values. Each change kind is its own struct
// holding the objects it concerns - the old one (as in the `from` catalog),
// the new one (as in `to`), or both - and no SQL: the dialect renders changes
// (dialects/postgres/render_change.hpp), the planner orders the statements
// (planner/graph.hpp).
//
//   differ::ChangeSet cs = differ::diff(live, desired, {});
//   for (const auto& ch : cs.changes)
//     if (auto* d = std::get_if<differ::DropColumn>(&ch.op)) warn(d->obj.name);
//
// Every change also carries the dependency keys the planner orders by
// (differ/deps.hpp) and the hazards a reviewer must see (data loss, a drop and
// an add that may be a rename, a type that is recreated).
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "schema/model.hpp"

namespace seam::differ {

enum class HazardKind {
  DataLoss,       // a drop or recreation that loses stored data
  MaybeRename,    // a drop + add of the same kind that looks like a rename
  RecreatesType,  // an enum recreated (labels removed or reordered): every column using it is rewritten
  Recreated,      // an object dropped and recreated around a change it depends on
};
const char* to_string(HazardKind k);

struct Hazard {
  HazardKind kind;
  std::string message;  // a complete sentence naming the object(s)
  bool operator==(const Hazard&) const = default;
};

// Dependency keys of one change (see differ/deps.hpp for their spelling). The
// planner derives its edges from them:
//  * creates/alters K before anything that needs K;
//  * anything whose old form needed K (old_needs) before what drops or alters K;
//  * drops K before creates K (a replacement).
struct Deps {
  std::vector<std::string> creates, drops, alters, needs, old_needs;
};

// ---- schemas and extensions ---------------------------------------------------
struct AddSchema { schema::Schema obj; };
struct DropSchema { schema::Schema obj; };
struct AddExtension { schema::Extension obj; };
struct DropExtension { schema::Extension obj; };
struct AlterExtension { schema::Extension old_obj, new_obj; };  // version or schema

// ---- types ----------------------------------------------------------------------
struct AddType { schema::Type obj; };
struct DropType { schema::Type obj; };
// ALTER TYPE ... ADD VALUE label BEFORE before | AFTER after (one of them set).
struct AddEnumValue {
  schema::Type new_obj;
  std::string label, before, after;
  int seq = 0;  // position among the labels added to this type (planner tie-break)
};
// A column whose type is (an array of) a recreated enum.
struct ColumnUse {
  schema::QualName table;
  schema::Column old_col, new_col;
};
// Labels removed or reordered: rename the old type away, create the new one,
// convert every column through text, drop the old type. Flagged (RecreatesType).
struct RecreateEnum {
  schema::Type old_obj, new_obj;
  std::vector<ColumnUse> uses;
};
// Domain default, NOT NULL and checks changed in place (same base type).
struct AlterDomain { schema::Type old_obj, new_obj; };
// Composite attributes added, dropped or retyped in place.
struct AlterCompositeType { schema::Type old_obj, new_obj; };

// ---- sequences --------------------------------------------------------------------
struct AddSequence { schema::Sequence obj; };
// owned: the sequence belongs to a column in `from`; dropping that column or
// table drops it too, so the drop must tolerate its absence.
struct DropSequence { schema::Sequence obj; bool owned = false; };
struct AlterSequence { schema::Sequence old_obj, new_obj; };
struct SetSequenceOwner { schema::Sequence old_obj, new_obj; };

// ---- tables and their parts ----------------------------------------------------------
struct AddTable { schema::Table obj; };
struct DropTable { schema::Table obj; };
// Persistence, storage parameters, row-level security switches.
struct AlterTable { schema::Table old_obj, new_obj; };
struct AttachPartition { schema::Table obj; };  // obj.partition_of / partition_bound
struct DetachPartition { schema::Table obj; };  // as it was in `from`
// seq: the column's position among the columns added to this table, so that
// they are appended in the desired order.
struct AddColumn { schema::QualName table; schema::Column obj; int seq = 0; };
struct DropColumn { schema::QualName table; schema::Column obj; };
// Type and/or collation. `using_expr` comes from a `-- seam:using <expr>`
// annotation on the new column, otherwise the renderer decides.
// via_text: an enum is involved and there is no direct cast (USING col::text::type).
struct AlterColumnType {
  schema::QualName table;
  schema::Column old_obj, new_obj;
  std::string using_expr;
  bool via_text = false;
};
// A column becomes, stops being, or stays generated with another expression.
// Stored values are never dropped silently: generated -> plain of one type is
// DROP EXPRESSION (PostgreSQL 13+, values kept); every other case drops the
// column and adds it again in one ALTER TABLE (values recomputed, or a plain
// column's values lost - a data-loss hazard), and the indexes and constraints
// on the column are dropped before and created again after it.
struct AlterColumnGenerated {
  schema::QualName table;
  schema::Column old_obj, new_obj;
  bool drop_expression() const { return old_obj.generated && !new_obj.generated && old_obj.type == new_obj.type && old_obj.collation == new_obj.collation; }
};
struct SetDefault { schema::QualName table; schema::Column old_obj, new_obj; };
struct SetNotNull { schema::QualName table; schema::Column old_obj, new_obj; };
struct AlterIdentity { schema::QualName table; schema::Column old_obj, new_obj; };
struct AddConstraint { schema::QualName table; schema::Constraint obj; };
struct DropConstraint { schema::QualName table; schema::Constraint obj; };
struct AddPolicy { schema::QualName table; schema::Policy obj; };
struct DropPolicy { schema::QualName table; schema::Policy obj; };
struct AddIndex { schema::Index obj; };
struct DropIndex { schema::Index obj; };

// ---- views, routines, triggers ---------------------------------------------------------
struct AddView { schema::View obj; };
struct DropView { schema::View obj; };
// Dropped and created again: the query changed, or something it reads is
// being replaced (Change::note says which).
struct ReplaceView { schema::View old_obj, new_obj; };
struct AddFunction { schema::Function obj; };
struct DropFunction { schema::Function obj; };
// in_place: CREATE OR REPLACE suffices (same arguments and result type);
// otherwise dropped and created again, with its dependents around it.
struct ReplaceFunction { schema::Function old_obj, new_obj; bool in_place = true; };
struct AddTrigger { schema::Trigger obj; };
struct DropTrigger { schema::Trigger obj; };

// ---- comments ------------------------------------------------------------------------------
enum class ObjectKind {
  Schema, Extension, Type, Domain, DomainConstraint, Sequence, Table, Column, Constraint, Index,
  View, MaterializedView, ViewColumn, Function, Procedure, Trigger, Policy,
};
// The object a comment is on. `sub` is the column, constraint, trigger or
// policy name; `args` the argument types of a function (IN, INOUT, VARIADIC).
struct ObjectRef {
  ObjectKind kind;
  schema::QualName name;  // schema-level objects: {"", name}
  std::string sub;
  std::vector<std::string> args;
};
struct SetComment { ObjectRef target; std::string old_comment, new_comment; };

// ---- renames (only from `-- seam:renamed-from` annotations) -------------------------------
struct RenameTable { schema::Table old_obj, new_obj; };
struct RenameColumn { schema::QualName table; schema::Column old_obj, new_obj; };
struct RenameIndex { schema::Index old_obj, new_obj; };
struct RenameConstraint { schema::QualName table; schema::Constraint old_obj, new_obj; };
struct RenameView { schema::View old_obj, new_obj; };
struct RenameSequence { schema::Sequence old_obj, new_obj; };
struct RenameType { schema::Type old_obj, new_obj; };

using ChangeOp = std::variant<
    AddSchema, DropSchema, AddExtension, DropExtension, AlterExtension,
    AddType, DropType, AddEnumValue, RecreateEnum, AlterDomain, AlterCompositeType,
    AddSequence, DropSequence, AlterSequence, SetSequenceOwner,
    AddTable, DropTable, AlterTable, AttachPartition, DetachPartition,
    AddColumn, DropColumn, AlterColumnType, AlterColumnGenerated, SetDefault, SetNotNull, AlterIdentity,
    AddConstraint, DropConstraint, AddPolicy, DropPolicy, AddIndex, DropIndex,
    AddView, DropView, ReplaceView, AddFunction, DropFunction, ReplaceFunction, AddTrigger, DropTrigger,
    SetComment,
    RenameTable, RenameColumn, RenameIndex, RenameConstraint, RenameView, RenameSequence, RenameType>;

struct Change {
  ChangeOp op;
  Deps deps;
  std::vector<Hazard> hazards;
  std::string note;  // why the change exists when not obvious ("depends on public.t, whose column changes type")
};

// "drop column public.t.c", "add view public.v": the change's kind and object,
// for messages and the planner's tie-break.
std::string describe(const Change& c);

struct ChangeSet {
  std::vector<Change> changes;
  bool empty() const { return changes.empty(); }
  // Every hazard of every change, in change order.
  std::vector<Hazard> hazards() const;
};

}  // namespace seam::differ
