// Rolling back a job's expand phase (see rollback.hpp).
#include "executor/rollback.hpp"

#include <chrono>
#include <map>
#include <set>
#include <thread>

#include <pqxx/pqxx>

#include "dialects/postgres/conn.hpp"
#include "executor/lease.hpp"
#include "planner/plan_yaml.hpp"
#include "schema/canon.hpp"
#include "schema/errors.hpp"
#include "schema/pgq.hpp"

namespace seam::executor {

namespace {

std::string rel_name(const PgQuery__RangeVar* r) {
  schema::QualName q{r->schemaname && *r->schemaname ? r->schemaname : "",
                     r->relname ? r->relname : ""};
  if (q.schema.empty()) return schema::quote_ident(q.name);
  return schema::quote_qual(q);
}

std::string index_name(const PgQuery__IndexStmt* s) {
  std::string n = schema::quote_ident(s->idxname);
  if (s->relation->schemaname && *s->relation->schemaname)
    return schema::quote_ident(s->relation->schemaname) + "." + n;
  return n;
}

// Columns and constraints added by ALTER TABLE ... ADD in these steps' SQL, as "table|name".
void added_by(const planner::Step& s, std::set<std::string>& cols, std::set<std::string>& cons) {
  if (s.kind != planner::StepKind::Sql) return;
  pgq::Tree t = pgq::parse(s.sql);
  if (!t.ok()) return;
  for (size_t i = 0; i < t.result->n_stmts; ++i) {
    const PgQuery__Node* n = t.result->stmts[i]->stmt;
    if (n->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_STMT) continue;
    const auto* a = n->alter_table_stmt;
    for (size_t k = 0; k < a->n_cmds; ++k) {
      const auto* cmd = a->cmds[k]->alter_table_cmd;
      if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn && cmd->def &&
          cmd->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF)
        cols.insert(std::string(a->relation->relname) + "|" + cmd->def->column_def->colname);
      if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint && cmd->def &&
          cmd->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT && cmd->def->constraint->conname &&
          *cmd->def->constraint->conname)
        cons.insert(std::string(a->relation->relname) + "|" + cmd->def->constraint->conname);
    }
  }
}

std::string table_part(const std::string& qualified) {
  auto dot = qualified.find('.');
  return dot == std::string::npos ? qualified : qualified.substr(dot + 1);
}

}  // namespace

std::vector<UndoStatement> undo_of(const planner::Step& s,
                                   const std::vector<const planner::Step*>& done_before) {
  std::set<std::string> cols, cons;
  for (const auto* b : done_before) added_by(*b, cols, cons);
  std::vector<UndoStatement> out;
  auto refuse = [&](const std::string& what) -> UnsupportedError {
    return UnsupportedError("step " + s.id + " cannot be rolled back: " + what +
                            "; seam undoes only what it can restore exactly (see docs/runbook.md)");
  };
  if (s.kind == planner::StepKind::Checkpoint) return out;
  if (s.kind == planner::StepKind::Backfill) {
    for (const auto& a : s.backfill->set)
      if (!cols.count(table_part(s.backfill->table) + "|" + a.column))
        throw refuse("it backfilled column " + a.column + " of " + s.backfill->table +
                     ", which the job did not add, so its old values are gone");
    return out;
  }
  pgq::Tree t = pgq::parse(s.sql);
  if (!t.ok()) throw refuse("its SQL does not parse: " + t.error);
  std::set<std::string> own_cols = cols, own_cons = cons;
  added_by(s, own_cols, own_cons);
  for (size_t i = 0; i < t.result->n_stmts; ++i) {
    const PgQuery__Node* n = t.result->stmts[i]->stmt;
    std::vector<UndoStatement> undo;
    switch (n->node_case) {
      case PG_QUERY__NODE__NODE_INDEX_STMT: {
        const auto* x = n->index_stmt;
        if (!x->idxname || !*x->idxname) throw refuse("it creates an index without a name");
        undo.push_back({std::string("DROP INDEX ") + (x->concurrent ? "CONCURRENTLY " : "") +
                            "IF EXISTS " + index_name(x) + ";",
                        !x->concurrent});
        break;
      }
      case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT: {
        const auto* a = n->alter_table_stmt;
        std::string tbl = rel_name(a->relation);
        for (size_t k = 0; k < a->n_cmds; ++k) {
          const auto* cmd = a->cmds[k]->alter_table_cmd;
          if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn)
            undo.push_back({"ALTER TABLE " + tbl + " DROP COLUMN IF EXISTS " +
                                schema::quote_ident(cmd->def->column_def->colname) + ";",
                            true});
          else if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint) {
            const char* name = cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT
                                   ? cmd->def->constraint->conname
                                   : nullptr;
            if (!name || !*name) throw refuse("it adds a constraint without a name");
            undo.push_back({"ALTER TABLE " + tbl + " DROP CONSTRAINT IF EXISTS " +
                                schema::quote_ident(name) + ";",
                            true});
          } else if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint) {
            if (!own_cons.count(std::string(a->relation->relname) + "|" + cmd->name))
              throw refuse("it validates constraint " + std::string(cmd->name) +
                           ", which the job did not add");
          } else {
            throw refuse("ALTER TABLE " + tbl + " does more than add columns and constraints");
          }
        }
        break;
      }
      case PG_QUERY__NODE__NODE_CREATE_TRIG_STMT: {
        const auto* x = n->create_trig_stmt;
        if (x->replace)
          throw refuse("CREATE OR REPLACE TRIGGER may have replaced an existing trigger");
        undo.push_back({"DROP TRIGGER IF EXISTS " + schema::quote_ident(x->trigname) + " ON " +
                            rel_name(x->relation) + ";",
                        true});
        break;
      }
      case PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT: {
        const auto* x = n->create_function_stmt;
        if (x->replace)
          throw refuse("CREATE OR REPLACE FUNCTION may have replaced an existing function");
        if (x->n_parameters) throw refuse("it creates a function with parameters");
        std::string name;
        for (size_t k = 0; k < x->n_funcname; ++k)
          name += (k ? "." : "") + schema::quote_ident(x->funcname[k]->string->sval);
        undo.push_back({std::string("DROP ") + (x->is_procedure ? "PROCEDURE" : "FUNCTION") +
                            " IF EXISTS " + name + "();",
                        true});
        break;
      }
      case PG_QUERY__NODE__NODE_CREATE_STMT:
        undo.push_back({"DROP TABLE IF EXISTS " + rel_name(n->create_stmt->relation) + ";", true});
        break;
      default: {
        std::string stmt = s.sql.substr(
            t.result->stmts[i]->stmt_location,
            t.result->stmts[i]->stmt_len ? t.result->stmts[i]->stmt_len : std::string::npos);
        while (!stmt.empty() && (stmt.front() == ' ' || stmt.front() == '\n')) stmt.erase(0, 1);
        throw refuse("no undo is known for `" + stmt.substr(0, 80) + "`");
      }
    }
    // Statements of a step are undone in reverse order.
    out.insert(out.begin(), undo.begin(), undo.end());
  }
  return out;
}

std::string rollback_job(int64_t job, const RollbackOptions& o, const planner::Plan* given) {
  auto conn = pg::connect(o.url);
  {
    pqxx::nontransaction tx(*conn);
    tx.exec("SET application_name = 'seam rollback'");
  }
  if (!ledger_exists(*conn, o.ledger))
    throw std::runtime_error("no job ledger in schema " + o.ledger.schema + " of this database");
  ensure_ledger(*conn, o.ledger);
  LeaseOptions lo;
  lo.ttl_ms = o.lease_ttl_ms;
  auto lease = Lease::acquire(o.url, o.ledger, lo, *conn);
  const Ledger& l = o.ledger;
  planner::Plan stored;
  std::map<std::string, std::string> states;
  JobRow j;
  {
    pqxx::read_transaction tx(*conn);
    auto jr = read_job(tx, l, job);
    if (!jr)
      throw std::runtime_error("no job " + std::to_string(job) +
                               " in the ledger (`seam jobs list`)");
    j = *jr;
    if (!given)
      stored = planner::plan_from_yaml(read_plan_text(tx, l, job),
                                       "the plan of job " + std::to_string(job));
    for (const auto& s : read_steps(tx, l, job)) states[s.step_id] = s.state;
  }
  const planner::Plan& plan = given ? *given : stored;
  if (j.state == "rolled-back") return "job " + std::to_string(job) + " is rolled back already";
  if (j.state == "done")
    throw std::runtime_error("job " + std::to_string(job) +
                             " is done: its contract phase ran, "
                             "so it cannot be rolled back (plan the reverse change instead)");
  for (const auto& s : plan.steps)
    if (s.phase == planner::Phase::Contract && s.kind != planner::StepKind::Checkpoint &&
        states[s.id] != "pending")
      throw std::runtime_error("job " + std::to_string(job) +
                               " cannot be rolled back: its contract step " + s.id +
                               " has started (state " + states[s.id] +
                               "); rollback only undoes expand, dual-write and backfill");
  // Derive every undo first: refuse before changing anything.
  std::vector<std::pair<const planner::Step*, std::vector<UndoStatement>>> todo;
  std::vector<const planner::Step*> done;
  for (const auto& s : plan.steps) {
    const std::string& st = states[s.id];
    // A transactional step that did not finish left nothing behind; a
    // non-transactional one may have (an INVALID index), and its undo uses IF EXISTS.
    if (st == "done" || (!s.transactional && s.kind == planner::StepKind::Sql &&
                         (st == "running" || st == "failed"))) {
      todo.push_back({&s, undo_of(s, done)});
      done.push_back(&s);
    }
  }
  auto say = [&](const std::string& m) {
    if (o.on_event) o.on_event(m);
  };
  auto record = [&](const std::string& step, const std::string& kind, const std::string& msg) {
    pqxx::work tx(*conn);
    lease->check_epoch(tx);
    add_event(tx, l, job, step, kind, "{\"message\": " + json_str(msg) + "}");
    tx.commit();
  };
  record("", "rollback-started", "rolling back job " + std::to_string(job));
  int statements = 0;
  for (auto it = todo.rbegin(); it != todo.rend(); ++it) {
    for (const auto& u : it->second) {
      for (int attempt = 0;; ++attempt) {
        try {
          if (u.transactional) {
            pqxx::work tx(*conn);
            lease->check_epoch(tx);
            tx.exec_params("SELECT set_config('lock_timeout', $1, true)",
                           std::to_string(o.lock_timeout_ms) + "ms");
            tx.exec(u.sql);
            add_event(tx, l, job, it->first->id, "rollback-step",
                      "{\"message\": " + json_str("ran " + u.sql) + "}");
            tx.commit();
          } else {
            lease->check();
            {
              pqxx::nontransaction tx(*conn);
              tx.exec_params("SELECT set_config('lock_timeout', $1, false)",
                             std::to_string(o.lock_timeout_ms) + "ms");
              tx.exec(u.sql);
            }
            record(it->first->id, "rollback-step", "ran " + u.sql);
          }
          break;
        } catch (const pqxx::sql_error& e) {
          if (e.sqlstate() != "55P03" || attempt >= o.max_retries) {
            record(it->first->id, "rollback-failed", std::string("undo failed: ") + e.what());
            throw std::runtime_error("rollback of job " + std::to_string(job) +
                                     " stopped at step " + it->first->id + " (" + u.sql +
                                     "): " + e.what() + "; run it again once the cause is fixed");
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(200 << std::min(attempt, 6)));
        }
      }
      ++statements;
      say("undid step " + it->first->id + ": " + u.sql);
    }
    pqxx::work tx(*conn);
    lease->check_epoch(tx);
    tx.exec_params0(
        "UPDATE " + l.q("steps") + " SET state = 'rolled-back' WHERE job_id = $1 AND step_id = $2",
        job, it->first->id);
    tx.commit();
  }
  {
    pqxx::work tx(*conn);
    lease->check_epoch(tx);
    tx.exec_params0("UPDATE " + l.q("jobs") +
                        " SET state = 'rolled-back', phase = '', step = '', updated_at = "
                        "clock_timestamp() WHERE id = $1",
                    job);
    add_event(
        tx, l, job, "", "job-rolled-back",
        "{\"message\": " + json_str("rolled back " + std::to_string(todo.size()) + " steps") + "}");
    tx.commit();
  }
  lease->release();
  return "job " + std::to_string(job) + " rolled back: " + std::to_string(todo.size()) +
         " steps undone with " + std::to_string(statements) + " statements";
}

}  // namespace seam::executor
