// `seam jobs list|show|pause|resume|cancel|approve|rollback --db URL`: the job
// ledger seen and steered by an operator (executor/control.hpp,
// executor/rollback.hpp). docs/runbook.md walks through each. With
// --db-job(s), the verbs act on the database's own schema-change jobs
// (CockroachDB; cmd/jobs_pgwire.hpp). Against a
// mysql:// URL the verbs act on TiDB's own DDL jobs instead (cmd/jobs_mysql.hpp).
#include <cstdlib>
#include <iostream>

#include "cmd/commands.hpp"
#include "cmd/jobs_mysql.hpp"
#include "cmd/jobs_pgwire.hpp"
#include "dialects/postgres/conn.hpp"
#include "executor/control.hpp"
#include "executor/lease.hpp"
#include "executor/rollback.hpp"

namespace seam::cmd {

namespace {

struct JobsArgs {
  std::string db, ledger_schema = executor::kDefaultLedgerSchema, checkpoint;
  int64_t job = 0;
  int events = 20;
  bool db_job = false;  // --db-job(s): the database's own schema-change jobs
};

}  // namespace

void register_jobs(CLI::App& app) {
  auto a = std::make_shared<JobsArgs>();
  CLI::App* jobs = app.add_subcommand("jobs", "List, inspect and steer the jobs of `seam apply`");
  jobs->require_subcommand(1);
  auto common = [a](CLI::App* s, bool with_job) {
    s->add_option("--db", a->db, "Connection URL of the target database (default: $DATABASE_URL)")
        ->envname("DATABASE_URL")
        ->required();
    s->add_option("--ledger-schema", a->ledger_schema, "Schema of the job ledger (default seam)");
    if (with_job) s->add_option("job", a->job, "Job id (`seam jobs list`)")->required();
  };
  auto db_job_flag = [a](CLI::App* s, bool list) {
    s->add_flag(
        list ? "--db-jobs" : "--db-job", a->db_job,
        list ? "The database's own schema-change jobs (CockroachDB: SHOW JOBS) instead of seam's"
             : "The job id is the database's own schema-change job (CockroachDB), not seam's");
  };
  auto ledger = [a] {
    executor::Ledger l;
    l.schema = a->ledger_schema;
    return l;
  };
  CLI::App* list = jobs->add_subcommand("list", "Every job in the ledger");
  common(list, false);
  db_job_flag(list, true);
  list->callback([a, ledger] {
    if (run_mysql_jobs("list", a->db, 0)) return;
    if (a->db_job) return run_pgwire_db_jobs("list", a->db, 0);
    auto c = pg::connect(a->db);
    std::cout << executor::list_jobs(*c, ledger());
  });
  CLI::App* show =
      jobs->add_subcommand("show", "A job: steps, backfill progress, blockers, recent events");
  common(show, true);
  db_job_flag(show, false);
  show->add_option("--events", a->events, "How many recent events to show (default 20)");
  show->callback([a, ledger] {
    if (run_mysql_jobs("show", a->db, a->job)) return;
    if (a->db_job) return run_pgwire_db_jobs("show", a->db, a->job);
    auto c = pg::connect(a->db);
    std::cout << executor::show_job(*c, ledger(), a->job, a->events);
  });
  CLI::App* pause = jobs->add_subcommand("pause", "Pause a job at its next safe point");
  common(pause, true);
  db_job_flag(pause, false);
  pause->callback([a, ledger] {
    if (run_mysql_jobs("pause", a->db, a->job)) return;
    if (a->db_job) return run_pgwire_db_jobs("pause", a->db, a->job);
    auto c = pg::connect(a->db);
    std::string m = executor::pause_job(*c, ledger(), a->job);
    std::cout << "seam: " << m << "\n";
  });
  CLI::App* resume = jobs->add_subcommand("resume", "Clear a job's pause flag");
  common(resume, true);
  db_job_flag(resume, false);
  resume->callback([a, ledger] {
    if (run_mysql_jobs("resume", a->db, a->job)) return;
    if (a->db_job) return run_pgwire_db_jobs("resume", a->db, a->job);
    auto c = pg::connect(a->db);
    std::string m = executor::resume_job(*c, ledger(), a->job);
    std::cout << "seam: " << m << "\n";
  });
  CLI::App* cancel = jobs->add_subcommand("cancel", "Stop a job at its next safe point");
  common(cancel, true);
  db_job_flag(cancel, false);
  cancel->callback([a, ledger] {
    if (run_mysql_jobs("cancel", a->db, a->job)) return;
    if (a->db_job) return run_pgwire_db_jobs("cancel", a->db, a->job);
    auto c = pg::connect(a->db);
    std::string m = executor::cancel_job(*c, ledger(), a->job);
    std::cout << "seam: " << m << "\n";
  });
  CLI::App* approve = jobs->add_subcommand("approve", "Approve the checkpoint a job waits at");
  common(approve, true);
  approve->add_option("--checkpoint", a->checkpoint,
                      "Checkpoint step id (default: the one it waits at)");
  approve->callback([a, ledger] {
    if (run_mysql_jobs("approve", a->db, a->job)) return;
    auto c = pg::connect(a->db);
    std::string m = executor::approve_job(*c, ledger(), a->job, a->checkpoint);
    std::cout << "seam: " << m << "\n";
  });
  CLI::App* rollback =
      jobs->add_subcommand("rollback", "Undo a job's expand phase (before contract started)");
  common(rollback, true);
  rollback->callback([a, ledger] {
    if (run_mysql_jobs("rollback", a->db, a->job)) return;
    executor::RollbackOptions o;
    o.url = a->db;
    o.ledger = ledger();
    o.on_event = [](const std::string& msg) { std::cout << "seam: " << msg << std::endl; };
    try {
      std::string m = executor::rollback_job(a->job, o);
      std::cout << "seam: " << m << "\n";
    } catch (const executor::LeaseHeldError& e) {
      std::cerr << "seam: " << e.what() << "\n";
      std::exit(kBusy);
    }
  });
}

}  // namespace seam::cmd
