// The rehearsal driver (see rehearse.hpp): applier child processes, fault
// injection at the scheduled points, and the checks around them.
#include "executor/rehearse.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <thread>

#include <pqxx/pqxx>

#include "dialects/postgres/conn.hpp"
#include "dialects/postgres/fingerprint.hpp"
#include "dialects/postgres/inspect.hpp"
#include "dialects/postgres/spawn.hpp"
#include "executor/apply.hpp"
#include "executor/control.hpp"
#include "executor/lease.hpp"
#include "executor/rehearse_events.hpp"
#include "planner/plan_yaml.hpp"
#include "schema/canon.hpp"
#include "schema/errors.hpp"
#include "schema/model.hpp"

namespace seam::executor {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string group(int64_t n) {
  std::string s = std::to_string(n < 0 ? -n : n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return n < 0 ? "-" + s : s;
}

std::string first_line(std::string s) {
  auto nl = s.find('\n');
  if (nl != std::string::npos) s.resize(nl);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.pop_back();
  if (s.rfind("ERROR:  ", 0) == 0) s.erase(0, 8);  // libpq's prefix
  return s;
}

std::string fmt_secs(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", s);
  return buf;
}

// The plan told its reader (an app-compat hazard naming the table) that a
// column goes to the end of this table: a type-change swap or a copying
// rename appends it, since PostgreSQL cannot insert a column.
bool says_column_moves(const planner::Plan& plan, const std::string& table) {
  for (const auto& s : plan.steps)
    for (const auto& h : s.hazards)
      if (h.type == planner::HazardType::AppCompat && h.message.find(table) != std::string::npos &&
          h.message.find("end of") != std::string::npos)
        return true;
  return false;
}

// `after`'s columns in the source's order: columns the source had keep their
// places; new ones take the places of source columns that are gone, in
// order, and the rest follow. True when that changed the order.
bool restore_order(schema::Table& after, const schema::Table& source) {
  std::set<std::string> had, has;
  for (const auto& c : source.columns) had.insert(c.name);
  for (const auto& c : after.columns) has.insert(c.name);
  std::deque<schema::Column> extra;
  for (const auto& c : after.columns)
    if (!had.count(c.name)) extra.push_back(c);
  std::vector<schema::Column> ordered;
  for (const auto& sc : source.columns) {
    if (has.count(sc.name)) {
      for (const auto& c : after.columns)
        if (c.name == sc.name) ordered.push_back(c);
    } else if (!extra.empty()) {
      ordered.push_back(extra.front());
      extra.pop_front();
    }
  }
  for (auto& c : extra) ordered.push_back(c);
  bool changed = false;
  for (size_t i = 0; i < ordered.size(); ++i)
    changed = changed || ordered[i].name != after.columns[i].name;
  after.columns = std::move(ordered);
  return changed;
}

bool is_progress(const AppEvent& e) {
  return e.json && (e.kind == "batch" || e.kind == "step-done" || e.kind == "checkpoint" ||
                    e.kind == "job-done" || e.kind == "job-stopped" || e.kind == "result" ||
                    e.kind == "checkpoint-passed");
}

// One `seam apply` child: its output is a pipe read line by line.
class Applier {
 public:
  // url reaches the child through $DATABASE_URL, never its argv: a password
  // in a command line is visible to every local user in ps.
  Applier(const std::vector<std::string>& argv, const std::string& url, int number) : number_(number) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("rehearse: cannot create a pipe");
    pg::SpawnOptions so;
    so.stdout_fd = fds[1];
    so.stderr_fd = fds[1];
    so.parent_death_signal = SIGKILL;  // no applier outlives the rehearsal
    so.set_env.push_back("DATABASE_URL=" + url);
    try {
      pid_ = pg::spawn(argv, so);
    } catch (...) {
      ::close(fds[0]);
      ::close(fds[1]);
      throw;
    }
    ::close(fds[1]);
    fd_ = fds[0];
    started_ = Clock::now();
  }
  ~Applier() {
    if (!status_) {
      ::kill(pid_, SIGKILL);
      ::kill(pid_, SIGCONT);
      pg::wait_exit(pid_);
    }
    if (fd_ >= 0) ::close(fd_);
  }
  Applier(const Applier&) = delete;
  Applier& operator=(const Applier&) = delete;

  pid_t pid() const { return pid_; }
  int number() const { return number_; }
  bool closed() const { return eof_ && queue_.empty(); }

  // The next line within timeout_ms; nullopt on timeout or at the end.
  std::optional<AppEvent> next(int timeout_ms) {
    while (queue_.empty() && !eof_) {
      pollfd p{fd_, POLLIN, 0};
      int n = ::poll(&p, 1, timeout_ms);
      if (n == 0) return std::nullopt;
      if (n < 0) {
        if (errno == EINTR) continue;
        throw std::runtime_error("rehearse: poll failed on an applier's output");
      }
      char buf[65536];
      ssize_t k = ::read(fd_, buf, sizeof buf);
      if (k < 0 && errno == EINTR) continue;
      if (k <= 0) {
        eof_ = true;
        if (!buf_.empty()) push(buf_);
        buf_.clear();
        break;
      }
      buf_.append(buf, static_cast<size_t>(k));
      size_t nl;
      while ((nl = buf_.find('\n')) != std::string::npos) {
        push(buf_.substr(0, nl));
        buf_.erase(0, nl + 1);
      }
    }
    if (queue_.empty()) return std::nullopt;
    AppEvent e = queue_.front();
    queue_.pop_front();
    return e;
  }
  void unread(const std::vector<AppEvent>& evs) {
    for (auto it = evs.rbegin(); it != evs.rend(); ++it) queue_.push_front(*it);
  }
  // Reads to the end (discarding) and reaps; nullopt when it does not end in time.
  std::optional<int> finish(double timeout_s) {
    auto t0 = Clock::now();
    while (!eof_) {
      if (since(t0) > timeout_s) return std::nullopt;
      next(200);
      queue_.clear();
    }
    return wait();
  }
  int wait() {
    if (!status_) status_ = pg::wait_exit(pid_);
    return *status_;
  }
  void signal(int sig) {
    if (!status_) ::kill(pid_, sig);
  }
  // Its last plain or message lines, for reports.
  std::string last_words() const {
    std::string s;
    for (const auto& l : tail_) s += (s.empty() ? "" : " / ") + l;
    return s;
  }
  std::string last_line() const { return tail_.empty() ? "" : tail_.back(); }

  std::optional<AppEvent> result;
  bool in_job = false;  // saw job-created / job-resumed
  // A fault hit this run (index into Report::faults): its end is expected.
  // One fault per run: the next one waits for the run that resumes the job.
  int fault = -1;

 private:
  void push(const std::string& line) {
    AppEvent e = parse_app_event(line);
    if (e.kind != "batch" && !line.empty()) {
      std::string text = e.json ? e.message : line;
      if (!text.empty()) {
        tail_.push_back(first_line(text));
        if (tail_.size() > 3) tail_.pop_front();
      }
    }
    queue_.push_back(std::move(e));
  }

  int number_;
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string buf_;
  std::deque<AppEvent> queue_;
  std::deque<std::string> tail_;
  bool eof_ = false;
  std::optional<int> status_;
  Clock::time_point started_;
};

class Rehearsal {
 public:
  Rehearsal(const planner::Plan& plan, const RehearseOptions& o)
      : plan_(plan), o_(o), l_(o.ledger) {}
  Report run();

 private:
  void say(const std::string& s) {
    if (o_.on_progress) o_.on_progress(s);
  }
  void refuse_unless_ready();
  std::string run_until(const std::string& through);
  std::string run_segment(const std::string& through);
  std::unique_ptr<Applier> start(const std::string& through, const std::string& why);
  void on_event(Applier& a, const AppEvent& e);
  void refresh_progress();
  bool due() const;
  void inject(const std::string& through);
  bool inject_disconnect(FaultRecord& rec);
  void inject_stall(FaultRecord& rec, const std::string& through);
  void inject_cluster(FaultRecord& rec);
  std::string ledger_snapshot();
  std::string where_now() const;
  void record_baselines();
  void verify_backfills();
  void explain_failure();
  void final_checks(const std::string& state);
  int64_t current_job();
  pg::Captured staging(const std::vector<std::string>& args);
  void connect_side(int seconds);

  const planner::Plan& plan_;
  const RehearseOptions& o_;
  Ledger l_;
  Report rep_;
  std::string fingerprint_;
  schema::Catalog source_;  // the catalog before the apply
  std::unique_ptr<pqxx::connection> side_;
  std::unique_ptr<Applier> cur_;
  size_t next_fault_ = 0;
  int runs_ = 0;
  // Progress as the appliers report it: the first step not done, and rows
  // done in it when it is a backfill.
  std::set<std::string> done_;
  int cur_step_ = 0;
  int64_t cur_rows_ = -1;
  struct Open {
    size_t fault;
    int run;  // progress counts from a later applier run only
    Clock::time_point at;
  };
  std::vector<Open> open_;  // injected faults waiting for progress (time lost)
  Clock::time_point cluster_grace_until_{};
  std::vector<SourceBaseline> sources_;
  std::vector<BackfillBaseline> baselines_;
  std::vector<std::string> failure_;  // reasons found while running
  std::string stopped_at_;            // why faults were not reached
};

pg::Captured Rehearsal::staging(const std::vector<std::string>& args) {
  std::vector<std::string> argv{o_.staging_script};
  argv.insert(argv.end(), args.begin(), args.end());
  pg::SpawnOptions so;
  so.set_env = {"SEAM_STAGING_DIR=" + o_.cluster_dir};
  return pg::run_capture(argv, so);
}

// The rehearsal's own session (ledger reads, terminating a backend, checks);
// after a failover it reconnects through the same URL to the new leader.
void Rehearsal::connect_side(int seconds) {
  auto limit = Clock::now() + std::chrono::seconds(seconds);
  for (;;) {
    try {
      side_.reset();
      side_ = pg::connect(o_.url);
      pqxx::nontransaction tx(*side_);
      tx.exec("SET application_name = 'seam rehearse'");
      if (tx.exec("SELECT pg_is_in_recovery()")[0][0].as<bool>())
        throw std::runtime_error("connected to a standby");
      return;
    } catch (const std::exception& e) {
      if (seconds == 0) throw;  // the first connection: pg::connect says what to check
      if (Clock::now() > limit)
        throw std::runtime_error(std::string("rehearse: cannot reach a writable server at ") +
                                 pg::describe_target(o_.url) + ": " + first_line(e.what()));
      std::this_thread::sleep_for(500ms);
    }
  }
}

int64_t Rehearsal::current_job() {
  if (!ledger_exists(*side_, l_)) return 0;
  pqxx::read_transaction tx(*side_);
  auto r = tx.exec_params(
      "SELECT id FROM " + l_.q("jobs") + " WHERE plan_fingerprint = $1 ORDER BY id DESC LIMIT 1",
      fingerprint_);
  return r.empty() ? 0 : r[0][0].as<int64_t>();
}

void Rehearsal::refuse_unless_ready() {
  if (ledger_exists(*side_, l_)) {
    pqxx::read_transaction tx(*side_);
    auto r = tx.exec_params("SELECT id, state FROM " + l_.q("jobs") +
                                " WHERE plan_fingerprint = $1 ORDER BY id DESC LIMIT 1",
                            fingerprint_);
    if (!r.empty()) {
      std::string state = r[0][1].as<std::string>();
      if (state != "cancelled" && state != "rolled-back")
        throw DriftError(
            "the staging database " + pg::describe_connection(*side_) + " already has job " +
            r[0][0].as<std::string>() + " for this plan (state " + state +
            "); a rehearsal starts from the plan's source state. Restore the staging database from "
            "production (or roll the job back with `seam jobs rollback`) and rehearse again");
    }
    auto h = tx.exec(
        "SELECT coalesce(holder_host, ''), coalesce(holder_pid, 0), released, "
        "extract(epoch FROM clock_timestamp() - heartbeat) * 1000 <= ttl_ms FROM " +
        l_.q("lease") + " WHERE id = 1");
    if (!h.empty() && !h[0][2].as<bool>() && h[0][3].as<bool>())
      throw LeaseHeldError(
          "an applier holds the lease on " + pg::describe_connection(*side_) + ": host " +
          h[0][0].as<std::string>() + " pid " + h[0][1].as<std::string>() +
          "; a rehearsal needs the staging database to itself. Wait for it or stop it");
  }
  if (plan_.source_fingerprint.empty())
    throw InputError("the plan has no source fingerprint; make it with `seam plan`");
  pg::InspectOptions io;
  io.exclude_schemas = {l_.schema};
  source_ = pg::inspect(*side_, io);
  std::string live = pg::catalog_fingerprint(source_);
  if (live != plan_.source_fingerprint)
    throw DriftError(
        "the staging database " + pg::describe_connection(*side_) +
        " is not the catalog the plan was made from: its fingerprint is " + live +
        ", the plan's source is " + plan_.source_fingerprint +
        ". Rehearse on a copy of the database the plan was made against (restore staging from "
        "production), or plan against staging");
  rep_.checks.push_back(
      {"catalog before the apply", true, "equals the plan's source fingerprint " + live});
}

std::unique_ptr<Applier> Rehearsal::start(const std::string& through, const std::string& why) {
  std::vector<std::string> argv = o_.applier;
  argv.insert(argv.end(), {o_.plan_path, "--log-format", "json", "--lease-ttl-ms",
                           std::to_string(o_.lease_ttl_ms)});
  if (!through.empty()) argv.insert(argv.end(), {"--through", through});
  argv.insert(argv.end(), o_.apply_flags.begin(), o_.apply_flags.end());
  auto a = std::make_unique<Applier>(argv, o_.url, ++runs_);
  rep_.applier_runs = runs_;
  say("applier run " + std::to_string(runs_) + " (pid " + std::to_string(a->pid()) + ")" +
      (through.empty() ? "" : " through " + through) + ": " + why);
  return a;
}

void Rehearsal::refresh_progress() {
  int64_t job = current_job();
  if (!job) return;
  pqxx::read_transaction tx(*side_);
  std::map<std::string, int64_t> rows;
  for (const auto& p : read_progress(tx, l_, job)) rows[p.step_id] = p.rows_done;
  done_.clear();
  for (const auto& s : read_steps(tx, l_, job))
    if (s.state == "done") done_.insert(s.step_id);
  cur_step_ = static_cast<int>(plan_.steps.size());
  for (size_t i = 0; i < plan_.steps.size(); ++i)
    if (!done_.count(plan_.steps[i].id)) {
      cur_step_ = static_cast<int>(i);
      break;
    }
  cur_rows_ = -1;
  if (cur_step_ < static_cast<int>(plan_.steps.size())) {
    auto it = rows.find(plan_.steps[static_cast<size_t>(cur_step_)].id);
    if (it != rows.end() && it->second > 0) cur_rows_ = it->second;
  }
}

void Rehearsal::on_event(Applier& a, const AppEvent& e) {
  if (!e.json) return;
  if (is_progress(e)) {
    // Time lost: from the fault to the first progress of a later run.
    std::vector<Open> still;
    for (const auto& op : open_) {
      if (a.number() > op.run)
        rep_.faults[op.fault].lost_s = since(op.at);
      else
        still.push_back(op);
    }
    open_ = still;
  }
  if (e.kind == "job-created" || e.kind == "job-resumed") {
    a.in_job = true;
    refresh_progress();
  } else if (e.kind == "step-done") {
    done_.insert(e.step);
    while (cur_step_ < static_cast<int>(plan_.steps.size()) &&
           done_.count(plan_.steps[static_cast<size_t>(cur_step_)].id))
      ++cur_step_;
    cur_rows_ = -1;
  } else if (e.kind == "batch") {
    for (size_t i = 0; i < plan_.steps.size(); ++i)
      if (plan_.steps[i].id == e.step) {
        cur_step_ = static_cast<int>(i);
        cur_rows_ = e.rows_done;
        break;
      }
  } else if (e.kind == "result") {
    a.result = e;
  }
}

bool Rehearsal::due() const {
  if (next_fault_ >= rep_.faults.size() || !cur_ || !cur_->in_job || cur_->fault >= 0 ||
      cur_->result)
    return false;
  const Fault& f = rep_.faults[next_fault_].fault;
  if (cur_step_ > f.step_index) return true;
  if (cur_step_ < f.step_index) return false;
  return f.rows < 0 || cur_rows_ >= f.rows;
}

std::string Rehearsal::where_now() const {
  if (cur_step_ >= static_cast<int>(plan_.steps.size())) return "after the last step";
  const auto& s = plan_.steps[static_cast<size_t>(cur_step_)];
  if (s.kind == planner::StepKind::Backfill)
    return s.id + " at " + group(std::max<int64_t>(cur_rows_, 0)) + " rows";
  return s.id;
}

std::string Rehearsal::ledger_snapshot() {
  pqxx::read_transaction tx(*side_);
  auto r = tx.exec1("SELECT (SELECT count(*) || ':' || coalesce(max(id), 0) FROM " +
                    l_.q("events") + ") || '|' || " +
                    "(SELECT coalesce(string_agg(job_id || '/' || step_id || '=' || rows_done || "
                    "'/' || batches || '/' || "
                    "coalesce(last_key::text, ''), ',' ORDER BY job_id, step_id), '') FROM " +
                    l_.q("backfill_progress") + ") || '|' || " +
                    "(SELECT coalesce(string_agg(job_id || '/' || step_id || '=' || state || '/' "
                    "|| attempts, ',' ORDER BY job_id, "
                    "position), '') FROM " +
                    l_.q("steps") + ") || '|' || " +
                    "(SELECT coalesce(string_agg(id || '=' || state || '/' || updated_at, ',' " +
                    "ORDER BY id), '') FROM " + l_.q("jobs") +
                    ") || '|' || (SELECT epoch || '/' || coalesce(holder_pid, 0) FROM " +
                    l_.q("lease") + " WHERE id = 1)");
  return r[0].as<std::string>();
}

bool Rehearsal::inject_disconnect(FaultRecord& rec) {
  int64_t backend = 0;
  {
    pqxx::read_transaction tx(*side_);
    auto r = tx.exec_params(
        "SELECT work_backend FROM " + l_.q("lease") +
            " WHERE id = 1 AND holder_pid = $1 AND NOT released AND work_backend IS NOT NULL",
        static_cast<int>(cur_->pid()));
    if (r.empty()) return false;  // not holding the lease at this instant: try at its next line
    backend = r[0][0].as<int64_t>();
  }
  bool ok;
  {
    pqxx::nontransaction tx(*side_);
    ok = tx.exec_params1("SELECT pg_terminate_backend($1)", backend)[0].as<bool>();
  }
  rec.outcome = std::string(ok ? "terminated" : "could not terminate") +
                " the working session (backend " + std::to_string(backend) + ") of applier run " +
                std::to_string(cur_->number()) + " (pid " + std::to_string(cur_->pid()) + ")";
  return true;
}

void Rehearsal::inject_stall(FaultRecord& rec, const std::string& through) {
  Applier& a = *cur_;
  auto t0 = Clock::now();
  a.signal(SIGSTOP);
  say("fault " + std::to_string(rec.fault.number) + ": applier run " + std::to_string(a.number()) +
      " stopped (SIGSTOP); waiting past its " + std::to_string(o_.lease_ttl_ms) + " ms lease");
  // Until its heartbeat is older than the TTL, a second applier would be refused.
  auto limit = Clock::now() + std::chrono::milliseconds(o_.lease_ttl_ms * 4 + 10000);
  for (;;) {
    bool stale;
    {
      pqxx::read_transaction tx(*side_);
      stale =
          tx.exec("SELECT extract(epoch FROM clock_timestamp() - heartbeat) * 1000 > ttl_ms FROM " +
                  l_.q("lease") + " WHERE id = 1")[0][0]
              .as<bool>();
    }
    if (stale || Clock::now() > limit) break;
    std::this_thread::sleep_for(100ms);
  }
  // The second applier: retried while the lease still looks alive to it.
  std::unique_ptr<Applier> b;
  std::vector<AppEvent> seen;
  std::string b_story;
  auto b_limit = Clock::now() + 30s;
  while (!b) {
    auto cand =
        start(through, "second applier while run " + std::to_string(a.number()) + " is stopped");
    std::vector<AppEvent> got;
    bool takeover = false;
    auto cand_limit = Clock::now() + 60s;
    while (!cand->closed()) {
      if (Clock::now() > cand_limit) {
        rec.ok = false;
        rec.outcome =
            "a second applier neither took the lease over from the stopped one nor gave up within "
            "60 s: " +
            cand->last_words();
        a.signal(SIGCONT);
        return;
      }
      auto e = cand->next(200);
      if (!e) continue;
      got.push_back(*e);
      if (e->kind == "lease-takeover") {
        takeover = true;
        b_story = e->message;
        cand->signal(SIGSTOP);  // holds still while the first one wakes
        break;
      }
      if (e->kind == "job-resumed" || e->kind == "job-created") {
        cand->signal(SIGSTOP);  // got the lease without a takeover; hold it still all the same
        break;
      }
    }
    if (takeover || !cand->closed()) {
      seen = std::move(got);
      b = std::move(cand);
      ++rep_.resumes;
      break;
    }
    int rc = cand->wait();
    if (rc == 75 && Clock::now() < b_limit) {
      ++rep_.busy_retries;
      std::this_thread::sleep_for(300ms);
      continue;
    }
    rec.ok = false;
    rec.outcome = "a second applier could not take the lease over from the stopped one (exit " +
                  std::to_string(rc) + ": " + cand->last_words() + ")";
    a.signal(SIGCONT);
    return;
  }
  std::string before = ledger_snapshot();
  a.signal(SIGCONT);
  std::optional<int> rc_a = a.finish(30);
  std::string after = ledger_snapshot();
  b->signal(SIGCONT);
  b->unread(seen);
  std::string a_said = a.last_line();
  if (!rc_a) {
    a.signal(SIGKILL);
    a.wait();
  }
  bool wrote_nothing = before == after;
  rec.ok = wrote_nothing && rc_a.has_value();
  rec.outcome =
      "applier run " + std::to_string(a.number()) + " (pid " + std::to_string(a.pid()) +
      ") stopped past its " + std::to_string(o_.lease_ttl_ms) + " ms lease; run " +
      std::to_string(b->number()) + " " +
      (b_story.empty() ? "got the lease" : b_story.substr(0, b_story.find(" (since"))) + " after " +
      fmt_secs(since(t0)) + "; woken with SIGCONT, run " + std::to_string(a.number()) + " " +
      (rc_a ? "exited " + std::to_string(*rc_a)
            : std::string("did not exit within 30 s (killed)")) +
      (wrote_nothing ? " having written nothing (ledger unchanged)" : " AND CHANGED THE LEDGER") +
      (a_said.empty() ? "" : ": " + a_said);
  Check c;
  c.name =
      "fault " + std::to_string(rec.fault.number) + " (stall): a fenced applier writes nothing";
  c.ok = rec.ok;
  c.detail =
      wrote_nothing
          ? "the ledger (events, steps, backfill cursors, jobs, lease) was identical before the "
            "stopped applier woke and after it " +
                std::string(rc_a ? "exited" : "was killed")
          : "the ledger changed while only the fenced applier could run: before " + before +
                "; after " + after;
  rep_.checks.push_back(c);
  cur_ = std::move(b);
}

void Rehearsal::inject_cluster(FaultRecord& rec) {
  auto leader = staging({"leader"});
  std::string node = first_line(leader.output);
  if (leader.status != 0 || node.empty()) {
    rec.ok = false;
    rec.outcome = "the staging cluster has no leader to fault: " + first_line(leader.output);
    return;
  }
  bool partition = rec.fault.kind == FaultKind::Partition;
  auto r = staging(partition ? std::vector<std::string>{"partition", node}
                             : std::vector<std::string>{"kill", node});
  if (partition && r.status == 77) {
    rec.status = "not supported";
    rec.outcome =
        "the staging cluster runs without network namespaces (start it as root), so a partition "
        "cannot be "
        "injected: " +
        first_line(r.output);
    return;
  }
  if (r.status != 0) {
    rec.ok = false;
    rec.outcome = "scripts/staging " + std::string(partition ? "partition " : "kill ") + node +
                  " failed: " + first_line(r.output);
    return;
  }
  cluster_grace_until_ = Clock::now() + 180s;
  auto t0 = Clock::now();
  auto w = staging({"wait-writable", "90"});
  double failover = since(t0);
  auto back = staging({partition ? "heal" : "start", node});
  auto healthy = staging({"wait-healthy", "90"});
  connect_side(60);
  rec.outcome =
      std::string(partition ? "partitioned" : "SIGKILLed") + " the leader " + node + "; " +
      (w.status == 0 ? "writable again after " + fmt_secs(failover) : "NOT writable within 90 s") +
      "; " + node +
      (back.status == 0 ? (partition ? " healed" : " started again")
                        : " could not be brought back") +
      (healthy.status == 0 ? ", cluster healthy"
                           : ", cluster not healthy: " + first_line(healthy.output));
  if (w.status != 0) rec.ok = false;
}

void Rehearsal::inject(const std::string& through) {
  FaultRecord& rec = rep_.faults[next_fault_];
  if (rec.fault.kind == FaultKind::Disconnect) {
    rec.at = where_now();
    if (!inject_disconnect(rec)) return;
  }
  rec.at = where_now();
  rec.status = "injected";
  ++next_fault_;
  size_t index = next_fault_ - 1;
  auto t0 = Clock::now();
  int run = cur_->number();
  cur_->fault = static_cast<int>(index);
  switch (rec.fault.kind) {
    case FaultKind::Kill:
      cur_->signal(SIGKILL);
      rec.outcome = "SIGKILLed applier run " + std::to_string(cur_->number()) + " (pid " +
                    std::to_string(cur_->pid()) + ")";
      break;
    case FaultKind::Disconnect:
      break;  // done above
    case FaultKind::Stall:
      inject_stall(rec, through);
      break;
    case FaultKind::KillLeader:
    case FaultKind::Partition:
      inject_cluster(rec);
      break;
  }
  if (rec.status == "injected") open_.push_back({index, run, t0});
  say("fault " + std::to_string(rec.fault.number) + "/" + std::to_string(rep_.faults.size()) +
      " (" + to_string(rec.fault.kind) + ") at " + rec.at + ": " + rec.outcome);
}

std::string Rehearsal::run_segment(const std::string& through) {
  cur_ = start(through, runs_ == 0 ? "start the job" : "continue the job");
  auto busy_since = Clock::now();
  for (;;) {
    if (auto e = cur_->next(100)) {
      on_event(*cur_, *e);
      if (due()) inject(through);
      continue;
    }
    if (!cur_->closed()) {
      if (due()) inject(through);
      continue;
    }
    int rc = cur_->wait();
    std::string state = cur_->result ? cur_->result->state : "";
    std::string said = cur_->last_words();
    bool expected = cur_->fault >= 0;
    if (expected &&
        rep_.faults[static_cast<size_t>(cur_->fault)].fault.kind == FaultKind::Disconnect)
      rep_.faults[static_cast<size_t>(cur_->fault)].outcome +=
          "; it exited " + std::to_string(rc) + (said.empty() ? "" : ": " + cur_->last_line());
    if (rc == 0 && (state == "done" || state == "awaiting-approval" || state == "paused"))
      return state;
    if (rc == 75 && !cur_->in_job) {
      ++rep_.busy_retries;
      if (since(busy_since) > 60) {
        failure_.push_back("the lease stayed held for 60 s after an applier ended: " + said);
        return "error";
      }
      std::this_thread::sleep_for(300ms);
      cur_ = start(through, "retry: the lease is still held");
      continue;
    }
    if (expected || Clock::now() < cluster_grace_until_) {
      if (expected) ++rep_.resumes;
      if (!expected) std::this_thread::sleep_for(1s);  // the cluster is failing over
      busy_since = Clock::now();
      cur_ = start(through,
                   expected ? "resume after the fault" : "retry while the cluster fails over");
      continue;
    }
    // Nothing we did explains this end.
    if (state == "failed") return "failed";
    int64_t job = current_job();
    if (job) {
      pqxx::read_transaction tx(*side_);
      auto j = read_job(tx, l_, job);
      if (j && j->state == "failed") return "failed";
    }
    failure_.push_back("applier run " + std::to_string(cur_->number()) + " exited " +
                       std::to_string(rc) + " with no fault to explain it: " + said);
    return "error";
  }
}

std::string Rehearsal::run_until(const std::string& through) {
  for (;;) {
    std::string state = run_segment(through);
    if (state != "awaiting-approval") return state;
    int64_t job = current_job();
    std::string waiting;
    {
      pqxx::read_transaction tx(*side_);
      auto j = read_job(tx, l_, job);
      if (j) waiting = j->step;
    }
    if (!o_.approve_checkpoints) {
      stopped_at_ =
          "the rehearsal stopped at checkpoint " + waiting + " (no --approve-checkpoints)";
      return state;
    }
    std::string msg = approve_job(*side_, l_, job, "");
    say("approved checkpoint " + waiting + " (--approve-checkpoints)");
    rep_.notes.push_back("checkpoint " + waiting +
                         " approved automatically (--approve-checkpoints)");
  }
}

void Rehearsal::record_baselines() {
  std::set<std::string> tables;
  for (const auto& s : plan_.steps) {
    if (s.kind != planner::StepKind::Backfill || !s.backfill) continue;
    if (!tables.insert(s.backfill->table).second) continue;
    if (auto b = record_source(*side_, s.backfill->table, s.backfill->key)) sources_.push_back(*b);
  }
}

void Rehearsal::verify_backfills() {
  int64_t job = current_job();
  std::map<std::string, int64_t> rows;
  std::map<std::string, std::string> states;
  {
    pqxx::read_transaction tx(*side_);
    for (const auto& p : read_progress(tx, l_, job)) rows[p.step_id] = p.rows_done;
    for (const auto& s : read_steps(tx, l_, job)) states[s.step_id] = s.state;
  }
  for (const auto& b : baselines_) {
    if (states[b.step_id] != "done") {
      rep_.checks.push_back(
          {b.step_id + ": backfill verified", false,
           "not verified: the step did not finish (state " + states[b.step_id] + ")"});
      continue;
    }
    for (auto& c : verify_backfill(*side_, b, rows[b.step_id])) rep_.checks.push_back(c);
  }
  for (const auto& s : sources_) rep_.checks.push_back(verify_source(*side_, s));
}

// A step failed for real: name it, its error, and the rows behind it.
void Rehearsal::explain_failure() {
  int64_t job = current_job();
  if (!job) return;
  pqxx::read_transaction tx(*side_);
  std::map<std::string, ProgressRow> progress;
  for (const auto& p : read_progress(tx, l_, job)) progress[p.step_id] = p;
  for (const auto& s : read_steps(tx, l_, job)) {
    if (s.state != "failed") continue;
    failure_.push_back("step " + s.step_id + " failed: " + first_line(s.last_error) + " (job " +
                       std::to_string(job) + " is failed and resumable)");
    for (const auto& b : baselines_) {
      if (b.step_id != s.step_id) continue;
      auto it = progress.find(s.step_id);
      if (it != progress.end()) {
        std::string cursor = "the start of " + b.table;
        if (!it->second.last_key.empty()) {
          std::vector<std::string> vals;
          for (const auto& r :
               tx.exec_params("SELECT jsonb_array_elements_text($1::jsonb)", it->second.last_key))
            vals.push_back(r[0].c_str());
          cursor = describe_key(b.key, vals);
        }
        int64_t batch = o_.batch_size > 0 ? o_.batch_size : plan_.throttle.batch_size;
        for (const auto& st : plan_.steps)
          if (st.id == s.step_id && st.backfill && st.backfill->batch_size > 0 &&
              o_.batch_size <= 0)
            batch = st.backfill->batch_size;
        failure_.push_back("the ledger's cursor for " + s.step_id + " stands after " + cursor +
                           " with " + group(it->second.rows_done) +
                           " rows done: the failing batch is the next " + group(batch) +
                           " rows of " + b.table + " after it");
      }
      if (!b.failing.empty()) {
        std::string rows;
        for (size_t i = 0; i < b.failing.size(); ++i)
          rows += (i ? ", " : "") + describe_key(b.key, b.failing[i].key);
        std::string chunks;
        int listed = 0;
        for (const auto& c : b.chunks)
          if (!c.error.empty() && listed++ < 5)
            chunks += (chunks.empty() ? "" : "; ") + describe_range(b.key, c);
        failure_.push_back("the backfill expression fails on rows of " + b.table + ": " + rows +
                           (b.failing.size() >= static_cast<size_t>(kMaxFailingRows)
                                ? " (first " + std::to_string(kMaxFailingRows) + ")"
                                : "") +
                           " - " + first_line(b.failing.front().error) + "; failing key ranges (" +
                           std::to_string(b.failing_chunks) + " of " +
                           std::to_string(b.chunks.size()) + " chunks): " + chunks);
      }
    }
  }
  auto j = read_job(tx, l_, job);
  if (j && failure_.empty())
    failure_.push_back("job " + std::to_string(job) + " failed: " + j->last_error);
}

void Rehearsal::final_checks(const std::string& state) {
  if (state != "done") return;
  pg::InspectOptions io;
  io.exclude_schemas = {l_.schema};
  schema::Catalog after = pg::inspect(*side_, io);
  std::string live = pg::catalog_fingerprint(after);
  if (live == plan_.desired_fingerprint) {
    rep_.checks.push_back(
        {"catalog after the apply", true, "equals the plan's desired fingerprint " + live});
    return;
  }
  // What seam's differ does not count as a difference either: columns the
  // plan said it moves to the end of their table (put back here), and the
  // built-in plpgsql extension when the desired state leaves it out.
  schema::Catalog reordered = after;
  std::string moved;
  for (auto& [name, t] : reordered.tables) {
    auto src = source_.tables.find(name);
    if (src == source_.tables.end() || !says_column_moves(plan_, name.schema + "." + name.name))
      continue;
    if (restore_order(t, src->second))
      moved += (moved.empty() ? "" : ", ") + name.schema + "." + name.name;
  }
  std::string how;
  for (int variant = 1; variant < 4 && how.empty(); ++variant) {
    bool reorder = variant & 1, no_plpgsql = variant & 2;
    if (reorder && moved.empty()) continue;
    if (no_plpgsql && !after.extensions.count("plpgsql")) continue;
    schema::Catalog c = reorder ? reordered : after;
    if (no_plpgsql) c.extensions.erase("plpgsql");
    if (pg::catalog_fingerprint(c) != plan_.desired_fingerprint) continue;
    how = std::string(reorder ? "with the columns the plan moves to the end of " + moved +
                                    " (its app-compat hazard) in their place"
                              : "") +
          (reorder && no_plpgsql ? " and " : "") +
          (no_plpgsql ? "without the built-in plpgsql extension, which the desired state leaves out"
                      : "");
  }
  bool ok = !how.empty();
  rep_.checks.push_back(
      {"catalog after the apply", ok,
       ok ? "equals the plan's desired fingerprint " + plan_.desired_fingerprint + ", " + how
          : "fingerprint " + live + " differs from the plan's desired " +
                plan_.desired_fingerprint +
                " (run `seam diff --db URL --schema DIR` against the desired state to see what "
                "differs)"});
}

Report Rehearsal::run() {
  auto t_start = Clock::now();
  validate_plan(plan_);
  fingerprint_ = planner::plan_fingerprint(plan_);
  rep_.plan_path = o_.plan_path;
  rep_.plan_fingerprint = fingerprint_;
  rep_.steps = static_cast<int>(plan_.steps.size());
  for (const auto& s : plan_.steps)
    if (s.backfill) rep_.rows_to_backfill += s.backfill->est_rows;
  rep_.seed = o_.seed;
  rep_.faults_requested = o_.faults;
  std::vector<FaultKind> kinds =
      o_.kinds.empty() ? default_fault_kinds(!o_.cluster_dir.empty()) : o_.kinds;
  for (auto k : kinds) rep_.kinds.push_back(to_string(k));
  rep_.approve_checkpoints = o_.approve_checkpoints;
  rep_.cluster = o_.cluster_dir;
  rep_.database = pg::describe_target(o_.url);

  bool cluster_kinds = false;
  for (auto k : kinds) cluster_kinds = cluster_kinds || is_cluster_fault(k);
  if (cluster_kinds) {
    if (o_.cluster_dir.empty())
      throw UnsupportedError(
          "fault kinds kill-leader and partition need a staging cluster: give --cluster DIR (the "
          "state directory of scripts/staging, see docs/staging.md)");
    if (o_.staging_script.empty() || ::access(o_.staging_script.c_str(), X_OK) != 0)
      throw UnsupportedError(
          "cluster faults are not supported yet here: the staging harness script " +
          (o_.staging_script.empty() ? std::string("(scripts/staging)") : o_.staging_script) +
          " was not found; give --staging-script PATH");
    auto st = staging({"status"});
    if (st.status != 0)
      throw InputError(
          "--cluster " + o_.cluster_dir +
          ": no staging cluster answers there (scripts/staging status: " + first_line(st.output) +
          "); start one with `SEAM_STAGING_DIR=" + o_.cluster_dir + " scripts/staging up`");
  }

  connect_side(0);
  refuse_unless_ready();

  ScheduleOptions so;
  so.faults = o_.faults;
  so.seed = o_.seed;
  so.kinds = kinds;
  so.through_checkpoints = o_.approve_checkpoints;
  rep_.schedule = build_schedule(plan_, so);
  for (const auto& f : rep_.schedule) rep_.faults.push_back({f});
  say("fault schedule (seed " + std::to_string(o_.seed) + "):\n" + schedule_text(rep_.schedule));

  record_baselines();
  bool has_backfill = false;
  for (const auto& s : plan_.steps)
    has_backfill = has_backfill || s.kind == planner::StepKind::Backfill;

  std::string state;
  if (has_backfill) {
    state = run_until("dual-write");
    if (state == "paused") {
      say("recording what every backfilled row must end with");
      for (const auto& s : plan_.steps)
        if (s.kind == planner::StepKind::Backfill)
          baselines_.push_back(record_backfill(*side_, s, o_.chunk_rows));
      for (const auto& b : baselines_)
        if (!b.deterministic)
          rep_.notes.push_back(b.step_id + ": " + b.not_deterministic +
                               "; checked that no row was left behind instead of its values");
      state = run_until("backfill");
      if (state == "paused" || state == "awaiting-approval" || state == "done") verify_backfills();
    }
  } else {
    state = run_until("backfill");
  }
  if (state == "paused") state = run_until("");
  if (state == "failed") explain_failure();
  rep_.job = current_job();
  if (rep_.job) {
    pqxx::read_transaction tx(*side_);
    auto j = read_job(tx, l_, rep_.job);
    rep_.job_state = j ? j->state : "";
  }
  final_checks(state);
  cur_.reset();

  for (auto& rec : rep_.faults)
    if (rec.status == "not reached")
      rec.outcome = state == "done" ? "the job finished before this point"
                    : !stopped_at_.empty()
                        ? stopped_at_
                        : "the job stopped first (" + (state.empty() ? "?" : state) + ")";
  for (const auto& op : open_) rep_.faults[op.fault].lost_s = since(op.at);
  rep_.lost_s = 0;
  for (const auto& rec : rep_.faults)
    if (rec.lost_s > 0) rep_.lost_s += rec.lost_s;
  rep_.wall_s = since(t_start);

  for (const auto& f : failure_) rep_.reasons.push_back(f);
  for (const auto& c : rep_.checks)
    if (!c.ok) rep_.reasons.push_back(c.name + ": " + c.detail);
  for (const auto& rec : rep_.faults)
    if (!rec.ok)
      rep_.reasons.push_back("fault " + std::to_string(rec.fault.number) + " (" +
                             to_string(rec.fault.kind) + "): " + rec.outcome);
  if (!rep_.reasons.empty()) {
    rep_.verdict = "FAIL";
  } else if (state == "awaiting-approval") {
    rep_.verdict = "INCOMPLETE";
    rep_.reasons.push_back(
        stopped_at_ +
        "; the contract phase and the final catalog were not rehearsed. Approve "
        "with `seam jobs approve " +
        std::to_string(rep_.job) +
        " --db URL` and continue with `seam apply`, or rehearse again with --approve-checkpoints");
  } else if (state == "done") {
    rep_.verdict = "PASS";
  } else {
    rep_.verdict = "FAIL";
    rep_.reasons.push_back("the job ended in state " +
                           (rep_.job_state.empty() ? state : rep_.job_state));
  }
  return rep_;
}

}  // namespace

Report rehearse(const planner::Plan& plan, const RehearseOptions& o) {
  Rehearsal r(plan, o);
  return r.run();
}

}  // namespace seam::executor
