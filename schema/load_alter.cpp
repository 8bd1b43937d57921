// Statement dispatch, ALTER TABLE, COMMENT ON, and the session statements a
// pg_dump file carries (SET, set_config, DROP ... IF EXISTS from --clean).
#include <algorithm>

#include "schema/load_ctx.hpp"

namespace seam::schema {

void Loader::apply(const PgQuery__Node* n) {
  switch (n->node_case) {
    case PG_QUERY__NODE__NODE_CREATE_STMT: return create_table(n->create_stmt);
    case PG_QUERY__NODE__NODE_INDEX_STMT: return create_index(n->index_stmt);
    case PG_QUERY__NODE__NODE_CREATE_SEQ_STMT: return create_sequence(n->create_seq_stmt);
    case PG_QUERY__NODE__NODE_ALTER_SEQ_STMT: return alter_sequence(n->alter_seq_stmt);
    case PG_QUERY__NODE__NODE_VIEW_STMT: return create_view(n->view_stmt);
    case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT: return create_matview(n->create_table_as_stmt);
    case PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT: return create_function(n->create_function_stmt);
    case PG_QUERY__NODE__NODE_CREATE_TRIG_STMT: return create_trigger(n->create_trig_stmt);
    case PG_QUERY__NODE__NODE_DEFINE_STMT:
      if (n->define_stmt->kind == PG_QUERY__OBJECT_TYPE__OBJECT_AGGREGATE) return create_aggregate(n->define_stmt);
      unsupported(-1, stmt_keyword_summary(file->text.substr(stmt_off, stmt_len)) + " is not supported by seam yet");
    case PG_QUERY__NODE__NODE_CREATE_EVENT_TRIG_STMT: return create_event_trigger(n->create_event_trig_stmt);
    case PG_QUERY__NODE__NODE_ALTER_EVENT_TRIG_STMT: return alter_event_trigger(n->alter_event_trig_stmt);
    case PG_QUERY__NODE__NODE_CREATE_ENUM_STMT: return create_enum(n->create_enum_stmt);
    case PG_QUERY__NODE__NODE_ALTER_ENUM_STMT: return alter_enum(n->alter_enum_stmt);
    case PG_QUERY__NODE__NODE_CREATE_DOMAIN_STMT: return create_domain(n->create_domain_stmt);
    case PG_QUERY__NODE__NODE_COMPOSITE_TYPE_STMT: return create_composite(n->composite_type_stmt);
    case PG_QUERY__NODE__NODE_CREATE_SCHEMA_STMT: return create_schema(n->create_schema_stmt);
    case PG_QUERY__NODE__NODE_CREATE_EXTENSION_STMT: return create_extension(n->create_extension_stmt);
    case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT: return alter_table(n->alter_table_stmt);
    case PG_QUERY__NODE__NODE_COMMENT_STMT: return comment(n->comment_stmt);
    case PG_QUERY__NODE__NODE_CREATE_POLICY_STMT: return create_policy(n->create_policy_stmt);
    case PG_QUERY__NODE__NODE_ALTER_POLICY_STMT: return alter_policy(n->alter_policy_stmt);
    case PG_QUERY__NODE__NODE_DROP_STMT: return drop(n->drop_stmt);
    case PG_QUERY__NODE__NODE_VARIABLE_SET_STMT: return set_var(n->variable_set_stmt);
    case PG_QUERY__NODE__NODE_SELECT_STMT: return select(n->select_stmt, n);
    case PG_QUERY__NODE__NODE_INSERT_STMT:
    case PG_QUERY__NODE__NODE_UPDATE_STMT:
    case PG_QUERY__NODE__NODE_DELETE_STMT:
    case PG_QUERY__NODE__NODE_MERGE_STMT:
    case PG_QUERY__NODE__NODE_COPY_STMT:
    case PG_QUERY__NODE__NODE_TRUNCATE_STMT:
      fail(-1, stmt_keyword_summary(file->text.substr(stmt_off, stmt_len)) +
                   " is data manipulation (DML); a schema file declares structure only - move data "
                   "changes to a migration or backfill");
    case PG_QUERY__NODE__NODE_GRANT_STMT:
    case PG_QUERY__NODE__NODE_GRANT_ROLE_STMT:
    case PG_QUERY__NODE__NODE_ALTER_DEFAULT_PRIVILEGES_STMT:
    case PG_QUERY__NODE__NODE_ALTER_OWNER_STMT:
    case PG_QUERY__NODE__NODE_CREATE_ROLE_STMT:
    case PG_QUERY__NODE__NODE_ALTER_ROLE_STMT:
    case PG_QUERY__NODE__NODE_ALTER_ROLE_SET_STMT:
    case PG_QUERY__NODE__NODE_DROP_ROLE_STMT: {
      std::string what = stmt_keyword_summary(file->text.substr(stmt_off, stmt_len));
      if (!opts.skip_unmanaged)
        unsupported(-1, what + ": roles, privileges and ownership are not managed by seam");
      warn(-1, "skipped " + what + " (roles, privileges and ownership are not managed by seam)");
      return;
    }
    case PG_QUERY__NODE__NODE_CREATE_PUBLICATION_STMT:
    case PG_QUERY__NODE__NODE_ALTER_PUBLICATION_STMT:
    case PG_QUERY__NODE__NODE_CREATE_SUBSCRIPTION_STMT:
    case PG_QUERY__NODE__NODE_ALTER_SUBSCRIPTION_STMT:
    case PG_QUERY__NODE__NODE_DROP_SUBSCRIPTION_STMT:
    case PG_QUERY__NODE__NODE_CREATE_FDW_STMT:
    case PG_QUERY__NODE__NODE_ALTER_FDW_STMT:
    case PG_QUERY__NODE__NODE_CREATE_FOREIGN_SERVER_STMT:
    case PG_QUERY__NODE__NODE_ALTER_FOREIGN_SERVER_STMT:
    case PG_QUERY__NODE__NODE_CREATE_USER_MAPPING_STMT:
    case PG_QUERY__NODE__NODE_ALTER_USER_MAPPING_STMT:
    case PG_QUERY__NODE__NODE_DROP_USER_MAPPING_STMT:
      return skip_infrastructure();
    case PG_QUERY__NODE__NODE_DO_STMT:
      unsupported(-1, "DO blocks run arbitrary code, so seam cannot know offline what they create; write the "
                      "statements out, or load the files through a dev database (--dev-url), which runs them");
    case PG_QUERY__NODE__NODE_TRANSACTION_STMT:
      return;  // BEGIN/COMMIT around a schema file change nothing in the desired state
    default:
      unsupported(-1, stmt_keyword_summary(file->text.substr(stmt_off, stmt_len)) +
                          " is not supported by seam yet");
  }
}

// Replication (publications, subscriptions) and foreign-server
// infrastructure (wrappers, servers, user mappings, which hold credentials)
// are configured per environment, not declared with the schema.
void Loader::skip_infrastructure() {
  std::string what = stmt_keyword_summary(file->text.substr(stmt_off, stmt_len));
  if (!opts.skip_unmanaged)
    unsupported(-1, what + ": publications, subscriptions and foreign servers are not managed by seam");
  warn(-1, "skipped " + what + " (publications, subscriptions, foreign data wrappers, servers and user "
           "mappings are not managed by seam)");
}

namespace {
Table& table_for(Loader& L, const QualName& n, bool missing_ok, bool* found) {
  auto it = L.cat.tables.find(n);
  *found = it != L.cat.tables.end();
  if (!*found) {
    static Table dummy;
    if (missing_ok) return dummy;
    L.fail(-1, "ALTER TABLE " + n.str() + ": the table is not defined in the desired state (create it before altering it)");
  }
  return it->second;
}
}  // namespace

void Loader::alter_table(const PgQuery__AlterTableStmt* s) {
  QualName n = qualify(s->relation);
  // ALTER TABLE on a sequence/view/index: pg_dump writes OWNER TO that way.
  bool found = false;
  bool is_table = cat.tables.count(n) > 0;
  for (size_t i = 0; i < s->n_cmds; i++) {
    const PgQuery__AlterTableCmd* c = s->cmds[i]->alter_table_cmd;
    if (c->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_ChangeOwner) {
      if (!opts.skip_unmanaged) unsupported(-1, "OWNER TO: ownership is not managed by seam");
      warn(-1, "skipped OWNER TO (ownership is not managed by seam)");
      continue;
    }
    if (!is_table && c->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition &&
        s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX) {
      // ALTER INDEX parent_idx ATTACH PARTITION child_idx (pg_dump): from now
      // on the child index - or the partition's constraint it backs - is
      // implied by the partitioned one, as the catalog shows it.
      QualName child = qualify(c->def->partition_cmd->name);
      if (cat.indexes.erase(child)) {
        relnames.erase({child.schema, child.name});
        continue;
      }
      bool found = false;
      for (auto& [tn, t] : cat.tables) {
        if (tn.schema != child.schema || !t.partition_of) continue;
        auto it = std::find_if(t.constraints.begin(), t.constraints.end(),
                               [&](const Constraint& k) { return k.name == child.name; });
        if (it != t.constraints.end()) {
          t.constraints.erase(it);
          found = true;
          break;
        }
      }
      if (!found) fail(-1, "ALTER INDEX ... ATTACH PARTITION " + child.str() + ": no such index in the desired state");
      continue;
    }
    if (!is_table && (cat.views.count(n) || cat.sequences.count(n) || cat.indexes.count(n))) {
      if ((c->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_SetRelOptions ||
           c->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_ResetRelOptions) && cat.views.count(n)) {
        View& v = cat.views[n];
        v.with = merge_options(v.with, c->def->list->items, c->def->list->n_items,
                               c->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_ResetRelOptions);
        continue;
      }
      unsupported(-1, "this ALTER on " + n.str() + " is not supported in a schema file");
    }
    Table& t = table_for(*this, n, s->missing_ok, &found);
    if (!found) return;
    switch (c->subtype) {
      case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn: {
        std::vector<Constraint> pending;
        add_column(t, c->def->column_def, pending);
        name_constraints(t, pending);
        break;
      }
      case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint: {
        std::vector<Constraint> pending{table_constraint(t, c->def->constraint)};
        name_constraints(t, pending);
        break;
      }
      case PG_QUERY__ALTER_TABLE_TYPE__AT_ColumnDefault: {
        Column* col = t.find_column(c->name);
        if (!col) fail(-1, "column " + quote_ident(c->name) + " of table " + n.str() + " does not exist");
        if (c->def) col->default_expr = expr(c->def);
        else col->default_expr.reset();
        break;
      }
      case PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_DropNotNull: {
        Column* col = t.find_column(c->name);
        if (!col) fail(-1, "column " + quote_ident(c->name) + " of table " + n.str() + " does not exist");
        col->not_null = c->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull;
        break;
      }
      case PG_QUERY__ALTER_TABLE_TYPE__AT_AddIdentity: {
        Column* col = t.find_column(c->name);
        if (!col) fail(-1, "column " + quote_ident(c->name) + " of table " + n.str() + " does not exist");
        const PgQuery__Constraint* k = c->def->constraint;
        col->identity = k->generated_when && *k->generated_when == 'd' ? 'd' : 'a';
        col->not_null = true;
        std::string sname;
        col->identity_seq = sequence_options(k->options, k->n_options, col->type, nullptr, k->location, &sname);
        col->identity_seq_name = sname.empty() ? choose_relname(n.schema, n.name, col->name, "seq", false) : sname;
        take_relname({n.schema, col->identity_seq_name});
        break;
      }
      case PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint: {
        auto it = std::find_if(t.constraints.begin(), t.constraints.end(), [&](const Constraint& k) { return k.name == c->name; });
        if (it == t.constraints.end()) {
          if (c->missing_ok) break;
          fail(-1, "constraint " + quote_ident(c->name) + " of table " + n.str() + " does not exist");
        }
        connames.erase({n.schema, it->name});
        relnames.erase({n.schema, it->name});
        t.constraints.erase(it);
        break;
      }
      case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn: {
        auto it = std::find_if(t.columns.begin(), t.columns.end(), [&](const Column& k) { return k.name == c->name; });
        if (it == t.columns.end()) {
          if (c->missing_ok) break;
          fail(-1, "column " + quote_ident(c->name) + " of table " + n.str() + " does not exist");
        }
        std::string col = it->name;
        t.columns.erase(it);
        // constraints and indexes on the column go with it, as in PostgreSQL
        t.constraints.erase(std::remove_if(t.constraints.begin(), t.constraints.end(), [&](const Constraint& k) {
          return std::find(k.columns.begin(), k.columns.end(), col) != k.columns.end() ||
                 (k.check && single_column_of(t, *k.check).empty() && k.check->canon.find(col) != std::string::npos && false);
        }), t.constraints.end());
        for (auto ix = cat.indexes.begin(); ix != cat.indexes.end();) {
          bool uses = false;
          if (ix->second.table == n)
            for (const auto& e : ix->second.elems) uses |= e.column == col;
          ix = uses ? cat.indexes.erase(ix) : std::next(ix);
        }
        for (auto sq = cat.sequences.begin(); sq != cat.sequences.end();)
          sq = sq->second.owned_by_table == n && sq->second.owned_by_column == col ? cat.sequences.erase(sq) : std::next(sq);
        break;
      }
      case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType: {
        Column* col = t.find_column(c->name);
        if (!col) fail(-1, "column " + quote_ident(c->name) + " of table " + n.str() + " does not exist");
        const PgQuery__ColumnDef* cd = c->def->column_def;
        col->type = type_name(cd->type_name);
        if (cd->coll_clause) col->collation = qualified_list(cd->coll_clause->collname, cd->coll_clause->n_collname);
        break;
      }
      case PG_QUERY__ALTER_TABLE_TYPE__AT_DropIdentity: {
        Column* col = t.find_column(c->name);
        if (!col) fail(-1, "column " + quote_ident(c->name) + " of table " + n.str() + " does not exist");
        col->identity = 0;
        break;
      }
      case PG_QUERY__ALTER_TABLE_TYPE__AT_DropExpression: {
        Column* col = t.find_column(c->name);
        if (!col) fail(-1, "column " + quote_ident(c->name) + " of table " + n.str() + " does not exist");
        col->generated.reset();
        break;
      }
      case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableRowSecurity: t.rls_enabled = true; break;
      case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableRowSecurity: t.rls_enabled = false; break;
      case PG_QUERY__ALTER_TABLE_TYPE__AT_ForceRowSecurity: t.rls_forced = true; break;
      case PG_QUERY__ALTER_TABLE_TYPE__AT_NoForceRowSecurity: t.rls_forced = false; break;
      case PG_QUERY__ALTER_TABLE_TYPE__AT_SetRelOptions:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_ResetRelOptions:
        t.with = merge_options(t.with, c->def->list->items, c->def->list->n_items,
                               c->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_ResetRelOptions);
        break;
      case PG_QUERY__ALTER_TABLE_TYPE__AT_ReplicaIdentity: {
        const PgQuery__ReplicaIdentityStmt* ri = c->def->replica_identity_stmt;
        std::string kind = ri->identity_type ? ri->identity_type : "d";
        if (kind == "d") t.replica_identity.clear();
        else if (kind == "f") t.replica_identity = "full";
        else if (kind == "n") t.replica_identity = "nothing";
        else t.replica_identity = std::string("index ") + (ri->name ? ri->name : "");
        break;
      }
      case PG_QUERY__ALTER_TABLE_TYPE__AT_SetLogged: t.persistence = 'p'; break;
      case PG_QUERY__ALTER_TABLE_TYPE__AT_SetUnLogged: t.persistence = 'u'; break;
      case PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition: {
        const PgQuery__PartitionCmd* pc = c->def->partition_cmd;
        QualName child = qualify(pc->name);
        auto it = cat.tables.find(child);
        if (it == cat.tables.end())
          fail(-1, "ATTACH PARTITION " + child.str() + ": that table is not defined in the desired state");
        it->second.partition_of = n;
        it->second.partition_bound = partition_bound_from(pc->bound);
        break;
      }
      case PG_QUERY__ALTER_TABLE_TYPE__AT_SetStatistics:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_SetStorage:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_ClusterOn:
        unsupported(-1, "this ALTER TABLE action (statistics, storage, cluster) is not supported yet");
      default:
        unsupported(-1, "this ALTER TABLE action is not supported in a schema file; declare the desired table instead");
    }
  }
}

namespace {
std::string comment_text(const PgQuery__CommentStmt* s) { return s->comment ? s->comment : ""; }
}  // namespace

void Loader::comment(const PgQuery__CommentStmt* s) {
  std::string text = comment_text(s);
  const PgQuery__Node* o = s->object;
  auto list = [&](const PgQuery__Node* n) {
    return n->node_case == PG_QUERY__NODE__NODE_LIST ? pgq::names_of(n->list->items, n->list->n_items)
                                                     : std::vector<std::string>{std::string(pgq::str_of(n))};
  };
  auto qual = [&](std::vector<std::string> parts) -> QualName {
    if (parts.size() == 1) return {default_schema(), parts[0]};
    return {parts[parts.size() - 2], parts.back()};
  };
  auto missing = [&](const std::string& what) {
    fail(-1, "COMMENT ON " + what + ": no such object in the desired state");
  };
  switch (s->objtype) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
    case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
    case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX: {
      QualName q = qual(list(o));
      if (auto t = cat.tables.find(q); t != cat.tables.end() && s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE) t->second.comment = text;
      else if (auto v = cat.views.find(q); v != cat.views.end()) v->second.comment = text;
      else if (auto sq = cat.sequences.find(q); sq != cat.sequences.end()) sq->second.comment = text;
      else if (auto ix = cat.indexes.find(q); ix != cat.indexes.end()) ix->second.comment = text;
      else if (s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX) {
        // an index that backs a constraint carries the constraint's name
        bool done = false;
        for (auto& [tn, t] : cat.tables)
          if (tn.schema == q.schema)
            for (auto& c : t.constraints)
              if (c.name == q.name && c.kind != ConstraintKind::Check && c.kind != ConstraintKind::ForeignKey) {
                unsupported(-1, "comments on constraint-backed indexes are not supported; comment on the constraint instead");
                done = true;
              }
        if (!done) missing(q.str());
      } else missing(q.str());
      break;
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN: {
      auto parts = list(o);
      if (parts.size() < 2) fail(-1, "COMMENT ON COLUMN needs table.column");
      std::string col = parts.back();
      parts.pop_back();
      QualName q = qual(parts);
      if (auto t = cat.tables.find(q); t != cat.tables.end()) {
        Column* c = t->second.find_column(col);
        if (!c) missing("column " + q.str() + "." + quote_ident(col));
        c->comment = text;
      } else if (auto v = cat.views.find(q); v != cat.views.end()) {
        if (text.empty()) v->second.column_comments.erase(col);
        else v->second.column_comments[col] = text;
      } else if (auto ty = cat.types.find(q); ty != cat.types.end()) {
        unsupported(-1, "comments on composite type attributes are not supported yet");
      } else missing("column " + q.str() + "." + quote_ident(col));
      break;
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABCONSTRAINT: {
      auto parts = list(o);
      std::string con = parts.back();
      parts.pop_back();
      QualName q = qual(parts);
      auto t = cat.tables.find(q);
      if (t == cat.tables.end()) missing("constraint " + quote_ident(con) + " on " + q.str());
      bool ok = false;
      for (auto& c : t->second.constraints)
        if (c.name == con) { c.comment = text; ok = true; }
      if (!ok) missing("constraint " + quote_ident(con) + " on " + q.str());
      break;
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_POLICY: {
      auto parts = list(o);
      std::string pol = parts.back();
      parts.pop_back();
      auto t = cat.tables.find(qual(parts));
      if (t == cat.tables.end()) missing("policy " + quote_ident(pol));
      bool ok = false;
      for (auto& p : t->second.policies)
        if (p.name == pol) { p.comment = text; ok = true; }
      if (!ok) missing("policy " + quote_ident(pol) + " on " + t->first.str());
      break;
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER: {
      auto parts = list(o);
      std::string trg = parts.back();
      parts.pop_back();
      auto it = cat.triggers.find({qual(parts), trg});
      if (it == cat.triggers.end()) missing("trigger " + quote_ident(trg));
      it->second.comment = text;
      break;
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN: {
      const PgQuery__TypeName* tn = o->type_name;
      QualName q = qualify(tn->names, tn->n_names, -1);
      auto it = cat.types.find(q);
      if (it == cat.types.end()) missing("type " + q.str());
      it->second.comment = text;
      break;
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_DOMCONSTRAINT: {
      const PgQuery__List* l = o->list;
      const PgQuery__TypeName* tn = l->items[0]->type_name;
      QualName q = qualify(tn->names, tn->n_names, -1);
      std::string con(pgq::str_of(l->items[1]));
      auto it = cat.types.find(q);
      if (it == cat.types.end()) missing("domain " + q.str());
      bool ok = false;
      for (auto& c : it->second.checks)
        if (c.name == con) { c.comment = text; ok = true; }
      if (!ok) missing("constraint " + quote_ident(con) + " on domain " + q.str());
      break;
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
    case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE: {
      const PgQuery__ObjectWithArgs* ow = o->object_with_args;
      QualName q = qualify(ow->objname, ow->n_objname, -1);
      Function probe;
      probe.name = q;
      for (size_t i = 0; i < ow->n_objargs; i++) {
        FunctionArg a;
        a.type = type_name(ow->objargs[i]->type_name);
        probe.args.push_back(a);
      }
      Function* target = nullptr;
      if (ow->args_unspecified) {
        for (auto& [sig, f] : cat.functions)
          if (f.name == q) {
            if (target) fail(-1, "function name " + q.str() + " is not unique; give the argument types");
            target = &f;
          }
      } else if (auto it = cat.functions.find(probe.signature()); it != cat.functions.end()) {
        target = &it->second;
      }
      if (!target) missing("function " + probe.signature());
      target->comment = text;
      break;
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_AGGREGATE: return comment_aggregate(o->object_with_args, text);
    case PG_QUERY__OBJECT_TYPE__OBJECT_EVENT_TRIGGER: return comment_event_trigger(std::string(pgq::str_of(o)), text);
    case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA: {
      std::string n(pgq::str_of(o));
      auto it = cat.schemas.find(n);
      if (it == cat.schemas.end()) missing("schema " + quote_ident(n));
      it->second.comment = text;
      break;
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_EXTENSION: {
      std::string n(pgq::str_of(o));
      auto it = cat.extensions.find(n);
      if (it == cat.extensions.end()) {
        if (n == "plpgsql") return;  // pg_dump comments on the built-in language extension
        missing("extension " + quote_ident(n));
      }
      it->second.comment = text;
      break;
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_PUBLICATION:
    case PG_QUERY__OBJECT_TYPE__OBJECT_SUBSCRIPTION:
    case PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_SERVER:
    case PG_QUERY__OBJECT_TYPE__OBJECT_FDW:
    case PG_QUERY__OBJECT_TYPE__OBJECT_ROLE:
      if (s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_ROLE) {
        if (!opts.skip_unmanaged) unsupported(-1, "COMMENT ON ROLE: roles are not managed by seam");
        warn(-1, "skipped COMMENT ON ROLE (roles are not managed by seam)");
        return;
      }
      return skip_infrastructure();
    default:
      unsupported(-1, "COMMENT ON this kind of object is not supported yet");
  }
}

void Loader::drop(const PgQuery__DropStmt* s) {
  // A schema file is read as a script: a DROP removes the object from the
  // desired state (pg_dump --clean preambles drop what does not exist yet).
  for (size_t i = 0; i < s->n_objects; i++) {
    const PgQuery__Node* o = s->objects[i];
    bool found = false;
    std::string what;
    switch (s->remove_type) {
      case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
      case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
      case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
      case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
      case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX: {
        QualName q = qualify(o->list->items, o->list->n_items, -1);
        what = q.str();
        if (auto tt = cat.tables.find(q); tt != cat.tables.end()) {
          for (const auto& k : tt->second.constraints) {
            connames.erase({q.schema, k.name});
            relnames.erase({q.schema, k.name});
          }
          for (const auto& col : tt->second.columns)
            if (col.identity) relnames.erase({q.schema, col.identity_seq_name});
          cat.tables.erase(tt);
          found = true;
          for (auto it = cat.indexes.begin(); it != cat.indexes.end();) {
            if (it->second.table == q) relnames.erase({it->first.schema, it->first.name});
            it = it->second.table == q ? cat.indexes.erase(it) : std::next(it);
          }
          for (auto it = cat.triggers.begin(); it != cat.triggers.end();)
            it = it->first.first == q ? cat.triggers.erase(it) : std::next(it);
          for (auto it = cat.sequences.begin(); it != cat.sequences.end();) {
            if (it->second.owned_by_table == q) relnames.erase({it->first.schema, it->first.name});
            it = it->second.owned_by_table == q ? cat.sequences.erase(it) : std::next(it);
          }
        } else if (cat.views.erase(q) || cat.sequences.erase(q) || cat.indexes.erase(q)) {
          found = true;
        } else if (s->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX) {
          for (auto& [tn, t] : cat.tables)
            if (tn.schema == q.schema)
              for (auto& c : t.constraints)
                if (c.name == q.name) fail(-1, "index " + q.str() + " backs constraint " + quote_ident(c.name) + " on " + tn.str() + "; drop the constraint instead");
        }
        if (found) relnames.erase({q.schema, q.name});
        break;
      }
      case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
      case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN: {
        QualName q = qualify(o->type_name->names, o->type_name->n_names, -1);
        what = q.str();
        if (auto ty = cat.types.find(q); ty != cat.types.end()) {
          for (const auto& k : ty->second.checks) connames.erase({q.schema, k.name});
          cat.types.erase(ty);
          found = true;
        }
        break;
      }
      case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
      case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
      case PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE: {
        const PgQuery__ObjectWithArgs* ow = o->object_with_args;
        Function probe;
        probe.name = qualify(ow->objname, ow->n_objname, -1);
        what = probe.name.str();
        if (ow->args_unspecified) {
          for (auto it = cat.functions.begin(); it != cat.functions.end();)
            if (it->second.name == probe.name) { it = cat.functions.erase(it); found = true; }
            else ++it;
        } else {
          for (size_t k = 0; k < ow->n_objargs; k++) {
            FunctionArg a;
            a.type = type_name(ow->objargs[k]->type_name);
            probe.args.push_back(a);
          }
          what = probe.signature();
          found = cat.functions.erase(probe.signature()) > 0;
        }
        break;
      }
      case PG_QUERY__OBJECT_TYPE__OBJECT_AGGREGATE: found = drop_aggregate(o->object_with_args, what); break;
      case PG_QUERY__OBJECT_TYPE__OBJECT_EVENT_TRIGGER:
        what = "event trigger " + quote_ident(std::string(pgq::str_of(o)));
        found = drop_event_trigger(std::string(pgq::str_of(o)));
        break;
      case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA: {
        what = std::string(pgq::str_of(o));
        if (cat.schemas.count(what)) {
          for (const auto& [n, t] : cat.tables)
            if (n.schema == what && s->behavior != PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE)
              fail(-1, "cannot drop schema " + quote_ident(what) + ": table " + n.str() + " depends on it");
          cat.schemas.erase(what);
          found = true;
        }
        break;
      }
      case PG_QUERY__OBJECT_TYPE__OBJECT_EXTENSION:
        what = std::string(pgq::str_of(o));
        found = cat.extensions.erase(what) > 0;
        break;
      case PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER: {
        auto parts = pgq::names_of(o->list->items, o->list->n_items);
        std::string trg = parts.back();
        parts.pop_back();
        QualName t = parts.size() == 1 ? QualName{default_schema(), parts[0]} : QualName{parts[0], parts[1]};
        what = "trigger " + quote_ident(trg) + " on " + t.str();
        found = cat.triggers.erase({t, trg}) > 0;
        break;
      }
      case PG_QUERY__OBJECT_TYPE__OBJECT_POLICY: {
        auto parts = pgq::names_of(o->list->items, o->list->n_items);
        std::string pol = parts.back();
        parts.pop_back();
        QualName t = parts.size() == 1 ? QualName{default_schema(), parts[0]} : QualName{parts[0], parts[1]};
        what = "policy " + quote_ident(pol) + " on " + t.str();
        if (Table* tab = cat.find_table(t)) {
          auto& ps = tab->policies;
          auto it = std::find_if(ps.begin(), ps.end(), [&](const Policy& p) { return p.name == pol; });
          if (it != ps.end()) { ps.erase(it); found = true; }
        }
        break;
      }
      case PG_QUERY__OBJECT_TYPE__OBJECT_PUBLICATION:
      case PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_SERVER:
      case PG_QUERY__OBJECT_TYPE__OBJECT_FDW:
        return skip_infrastructure();
      default:
        unsupported(-1, stmt_keyword_summary(file->text.substr(stmt_off, stmt_len)) + " is not supported in a schema file");
    }
    if (!found && !s->missing_ok) fail(-1, "cannot drop " + what + ": it is not defined in the desired state");
  }
}

void Loader::set_var(const PgQuery__VariableSetStmt* s) {
  std::string name = s->name ? s->name : "";
  if (name == "search_path") {
    search_path.clear();
    for (size_t i = 0; i < s->n_args; i++) {
      std::string v = node_string(s->args[i]);
      if (!v.empty() && v != "pg_catalog" && v != "\"$user\"" && v != "$user") search_path.push_back(v);
    }
    if (search_path.empty()) search_path = {"public"};  // pg_dump sets '' and qualifies every name
  }
  // Other session settings (statement_timeout, client_encoding, check_function_bodies ...)
  // do not change the schema.
}

void Loader::select(const PgQuery__SelectStmt* s, const PgQuery__Node* node) {
  // pg_dump: SELECT pg_catalog.set_config('search_path', '', false);
  if (s->n_target_list == 1 && !s->n_from_clause) {
    const PgQuery__Node* v = s->target_list[0]->res_target->val;
    if (v && v->node_case == PG_QUERY__NODE__NODE_FUNC_CALL) {
      auto fn = pgq::names_of(v->func_call->funcname, v->func_call->n_funcname);
      if (!fn.empty() && fn.back() == "set_config" && v->func_call->n_args >= 2) {
        std::string var = node_string(v->func_call->args[0]);
        if (var == "search_path") {
          search_path.clear();
          std::string val = node_string(v->func_call->args[1]);
          size_t b = 0;
          while (b < val.size()) {
            size_t e = val.find(',', b);
            if (e == std::string::npos) e = val.size();
            std::string part = val.substr(b, e - b);
            part.erase(0, part.find_first_not_of(' '));
            part.erase(part.find_last_not_of(' ') + 1);
            if (!part.empty() && part != "pg_catalog") search_path.push_back(part);
            b = e + 1;
          }
          if (search_path.empty()) search_path = {"public"};
        }
        return;
      }
    }
  }
  (void)node;
  fail(-1, "SELECT in a schema file: a schema file declares structure only (DML and queries belong elsewhere)");
}

}  // namespace seam::schema
