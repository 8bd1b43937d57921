// The HA staging cluster under failure (scripts/staging; docs/staging.md,
// docs/reliability.md): a foreground writer commits through HAProxy's write
// port while the leader is SIGKILLed, its Patroni is frozen past the TTL, or
// (with network namespaces) its link is cut. Each case measures how long
// writes were refused, checks that the rows written before survived and that
// no acknowledged write was lost beyond what asynchronous replication allows,
// then brings the old leader back and checks that every node holds the same
// rows. Label "staging"; ctest runs it alone (RESOURCE_LOCK staging).
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "tests/support/ha_writer.hpp"
#include "tests/support/pg_fixture.hpp"
#include "tests/support/staging.hpp"

namespace {

using seam::test::HaWriter;
using seam::test::StagingCluster;
using namespace std::chrono_literals;

StagingCluster* cluster = nullptr;  // the cluster of the running suite
std::string setup_error;

class Staging : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster = new StagingCluster(StagingCluster::for_test("failover", 27600, 78));
    try {
      cluster->up();
    } catch (const std::exception& e) {
      setup_error = e.what();
    }
  }
  static void TearDownTestSuite() {
    delete cluster;  // tears the cluster down
    cluster = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(setup_error.empty()) << "scripts/staging up failed:\n" << setup_error;
  }
};

std::string q(const std::string& url, const std::string& sql) {
  return seam::test::query_value(url, sql);
}

// Waits until every replica has replayed the leader's current WAL position,
// then returns "count:sum" of `table` per node.
std::map<std::string, std::string> rows_per_node(const std::string& table) {
  std::string lsn = q(cluster->write_url(), "SELECT pg_current_wal_lsn()");
  std::map<std::string, std::string> out;
  for (std::string node : {"node1", "node2", "node3"}) {
    std::string url = cluster->node_url(node);
    for (int i = 0; i < 300; ++i) {
      std::string done =
          q(url, "SELECT pg_is_in_recovery() = false OR pg_last_wal_replay_lsn() >= '" + lsn +
                     "'::pg_lsn");
      if (done == "t") break;
      std::this_thread::sleep_for(100ms);
    }
    out[node] = q(url, "SELECT count(*) || ':' || coalesce(sum(id), 0) FROM " + table);
  }
  return out;
}

struct Outcome {
  std::string old_leader, new_leader;
  double fault_at = 0;
  double to_new_leader_s = -1;  // fault -> first commit on another node
  double refused_s = -1;        // longest pause between commits around the fault
  double first_new_at = 0;      // epoch of the first commit on the new leader
  size_t acked = 0, lost = 0, lost_older_than_1s = 0, lost_after_fault = 0, lost_after_failover = 0;
  // Acknowledged but lost writes: when they were acknowledged, relative to
  // the fault (the loss window), and by which server.
  double lost_from_s = 0, lost_to_s = 0;
  std::set<std::string> lost_servers;
};

void report(const char* what, const Outcome& o) {
  std::printf(
      "[staging] %s: leader %s -> %s, first commit on the new leader %.2f s after the fault, "
      "longest pause between commits %.2f s, %zu acknowledged, %zu lost\n",
      what, o.old_leader.c_str(), o.new_leader.c_str(), o.to_new_leader_s, o.refused_s, o.acked,
      o.lost);
  std::fflush(stdout);
}

void report_loss_window(const char* what, const Outcome& o) {
  std::string servers;
  for (const auto& sv : o.lost_servers) servers += (servers.empty() ? "" : ", ") + sv;
  if (o.lost == 0)
    std::printf("[staging] %s: loss window empty (0 of %zu acknowledged writes lost)\n", what,
                o.acked);
  else
    std::printf(
        "[staging] %s: %zu of %zu acknowledged writes lost, acknowledged between %.2f s and %.2f s "
        "after the fault "
        "by %s\n",
        what, o.lost, o.acked, o.lost_from_s, o.lost_to_s, servers.c_str());
  std::fflush(stdout);
}

// Runs the writer, injects `fault` (which returns the event kind it logged),
// waits for a commit on another node, then calls `restore` and waits for the
// cluster to be whole again.
Outcome run_fault(const std::string& table,
                  const std::function<std::string(const std::string&)>& fault,
                  const std::function<void(const std::string&)>& restore) {
  Outcome o;
  std::string url = cluster->write_url();
  // Rows committed and replicated to both replicas before the fault: these
  // must survive whatever happens.
  seam::test::run_sql(
      url, "CREATE TABLE " + table + "_base AS SELECT g AS id FROM generate_series(1, 10000) g");
  HaWriter w(url, table);
  w.start();
  std::this_thread::sleep_for(2s);
  rows_per_node(table + "_base");  // replicated everywhere now
  auto before = w.acks();
  EXPECT_FALSE(before.empty()) << "no write committed through HAProxy before the fault";
  std::string old_server = before.empty() ? "" : before.back().server;

  o.old_leader = cluster->leader();
  std::string kind = fault(o.old_leader);
  auto fault_at = cluster->last_event(kind, o.old_leader);
  EXPECT_TRUE(fault_at.has_value())
      << "no '" << kind << "' event in " << cluster->dir() << "/events";
  o.fault_at = fault_at.value_or(seam::test::epoch_now());

  std::optional<seam::test::HaAck> first;
  for (int i = 0; i < 900 && !first; ++i) {
    std::this_thread::sleep_for(100ms);
    first = w.first_ack_after(o.fault_at, old_server);
  }
  std::this_thread::sleep_for(1s);
  w.stop();
  EXPECT_TRUE(first.has_value()) << "no write committed on another node within 90 s of the fault\n"
                                 << cluster->run({"status"});
  if (first) {
    o.to_new_leader_s = first->at - o.fault_at;
    o.first_new_at = first->at;
    // The longest pause between two commits from just before the fault to the
    // first commit on the new leader (the old one may commit for a while).
    auto last = w.last_ack_before(o.fault_at);
    double prev = last ? last->at : o.fault_at;
    o.refused_s = 0;
    for (const auto& a : w.acks()) {
      if (a.at <= prev || a.at > first->at) continue;
      o.refused_s = std::max(o.refused_s, a.at - prev);
      prev = a.at;
    }
  }
  o.new_leader = cluster->leader();
  EXPECT_NE(o.new_leader, o.old_leader);
  EXPECT_NE(o.new_leader, "");

  restore(o.old_leader);
  cluster->wait_healthy(180);

  // Every node, the old leader included, has every row of the base table and
  // the same rows of the writer's table.
  auto base = rows_per_node(table + "_base");
  for (const auto& [node, v] : base) EXPECT_EQ(v, "10000:50005000") << node;
  auto written = rows_per_node(table);
  for (const auto& [node, v] : written)
    EXPECT_EQ(v, written.begin()->second) << node << " differs from node1";

  std::set<int64_t> present;
  {
    pqxx::connection c(cluster->write_url());
    pqxx::nontransaction tx(c);
    for (auto row : tx.exec("SELECT id FROM " + table)) present.insert(row[0].as<int64_t>());
  }
  auto acks = w.acks();
  o.acked = acks.size();
  for (const auto& a : acks) {
    if (present.count(a.id)) continue;
    ++o.lost;
    if (a.at > o.fault_at) ++o.lost_after_fault;
    if (o.first_new_at > 0 && a.at >= o.first_new_at) ++o.lost_after_failover;
    if (a.at < o.fault_at - 1.0) ++o.lost_older_than_1s;
    double rel = a.at - o.fault_at;
    if (o.lost == 1 || rel < o.lost_from_s) o.lost_from_s = rel;
    if (o.lost == 1 || rel > o.lost_to_s) o.lost_to_s = rel;
    o.lost_servers.insert(a.server);
  }
  // Nothing was committed that the writer did not try.
  std::set<int64_t> tried;
  for (const auto& a : acks) tried.insert(a.id);
  for (auto u : w.unknown()) tried.insert(u);
  for (auto id : present) EXPECT_TRUE(tried.count(id)) << "row " << id << " was never written";
  return o;
}

TEST_F(Staging, LeaderSigkillFailsOverAndKeepsReplicatedRows) {
  Outcome o = run_fault(
      "ha_kill",
      [](const std::string&) {
        cluster->kill_leader();
        return std::string("kill");
      },
      [](const std::string& old) { cluster->start(old); });
  report("leader SIGKILL (Patroni + postgres)", o);
  report_loss_window("leader SIGKILL (async)", o);
  // Asynchronous replication: a commit acknowledged by the old leader in the
  // instant before the kill may not have reached the promoted replica. Nothing
  // committed after the fault, nor long before it, may be missing.
  EXPECT_EQ(o.lost_after_fault, 0u);
  EXPECT_EQ(o.lost_older_than_1s, 0u);
  EXPECT_EQ(o.lost_after_failover, 0u);
  EXPECT_GT(o.acked, 50u);
}

// The leader's Patroni SIGSTOPped past the TTL while its postgres keeps
// running: a "zombie primary" that acknowledges writes through HAProxy until
// HAProxy's /primary check times out (no watchdog here to fence it), then a
// replica is promoted. Under asynchronous replication those writes are not
// guaranteed to reach the promoted replica, so this case measures the loss
// window rather than asserting zero; StagingSync below asserts zero under
// synchronous replication. (Patroni 3.0.2's etcd3 client made the thawed
// leader take the leader key back - a second leader change that lost the
// first new leader's commits; the harness uses etcd's v2 API, which
// compare-and-swaps the key: docs/reliability.md.)
TEST_F(Staging, FrozenPatroniPastTtlFailsOverAndReportsTheAsyncLossWindow) {
  Outcome o = run_fault(
      "ha_freeze",
      [](const std::string& leader) {
        cluster->freeze(leader);
        return std::string("freeze");
      },
      [](const std::string& old) { cluster->thaw(old); });
  report("leader's Patroni SIGSTOPped past the TTL (async)", o);
  report_loss_window("leader's Patroni SIGSTOPped past the TTL (async)", o);
  // Guaranteed even under async: nothing committed on the new leader is lost
  // (the old one rewinds onto it, no second leader change), nothing written
  // more than a second before the fault is lost, all nodes end equal
  // (run_fault).
  EXPECT_EQ(o.lost_after_failover, 0u);
  EXPECT_EQ(o.lost_older_than_1s, 0u);
  EXPECT_GT(o.acked, 50u);
}

TEST_F(Staging, PartitionedLeaderFailsOverAndRejoins) {
  if (!cluster->netns())
    GTEST_SKIP() << "partition skipped: the cluster runs on loopback (needs root and ip netns; "
                    "see docs/staging.md)";
  Outcome o = run_fault(
      "ha_partition",
      [](const std::string& leader) {
        cluster->partition(leader);
        return std::string("partition");
      },
      [](const std::string& old) { cluster->heal(old); });
  report("leader partitioned (link down), then healed", o);
  // Nobody could reach the isolated leader to commit there, and it demoted
  // itself when it lost etcd: no acknowledged write is lost, and after the heal
  // it rejoins (pg_rewind) with the new leader's rows (checked in run_fault).
  EXPECT_EQ(o.lost, 0u);
  EXPECT_EQ(o.lost_after_failover, 0u);
  EXPECT_GT(o.acked, 50u);
}

// The same faults with `scripts/staging up --sync` (Patroni's
// synchronous_mode and synchronous_mode_strict): a commit is acknowledged only
// once the synchronous standby has flushed it, and only that standby may be
// promoted, so no acknowledged write may be lost.
class StagingSync : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    setup_error.clear();
    cluster = new StagingCluster(StagingCluster::for_test("failover-sync", 27660, 80));
    try {
      cluster->up(/*synchronous=*/true);
    } catch (const std::exception& e) {
      setup_error = e.what();
    }
  }
  static void TearDownTestSuite() {
    delete cluster;
    cluster = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(setup_error.empty()) << "scripts/staging up --sync failed:\n" << setup_error;
  }
};

// The cluster really runs synchronously: the leader names a standby in
// synchronous_standby_names, one replica streams with sync_state 'sync', and
// the strict setting is in Patroni's configuration.
void expect_synchronous() {
  std::string url = cluster->write_url();
  std::string names;
  for (int i = 0; i < 100; ++i) {  // Patroni sets it once a replica streams
    names = q(url, "SHOW synchronous_standby_names");
    if (!names.empty()) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_NE(names, "") << "synchronous_standby_names is empty on the leader";
  EXPECT_EQ(q(url, "SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'"), "1");
  EXPECT_EQ(q(url, "SHOW synchronous_commit"), "on");
  std::ifstream yml(cluster->dir() + "/node1/patroni.yml");
  std::string text((std::istreambuf_iterator<char>(yml)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("synchronous_mode_strict: true"), std::string::npos) << text;
  std::printf("[staging] sync mode: synchronous_standby_names = %s\n", names.c_str());
}

TEST_F(StagingSync, FrozenPatroniPastTtlLosesNoAcknowledgedWrite) {
  expect_synchronous();
  Outcome o = run_fault(
      "ha_freeze_sync",
      [](const std::string& leader) {
        cluster->freeze(leader);
        return std::string("freeze");
      },
      [](const std::string& old) { cluster->thaw(old); });
  report("leader's Patroni SIGSTOPped past the TTL (sync)", o);
  report_loss_window("leader's Patroni SIGSTOPped past the TTL (sync)", o);
  EXPECT_EQ(o.lost, 0u);
  EXPECT_GT(o.acked, 50u);
}

TEST_F(StagingSync, LeaderSigkillLosesNoAcknowledgedWrite) {
  expect_synchronous();
  Outcome o = run_fault(
      "ha_kill_sync",
      [](const std::string&) {
        cluster->kill_leader();
        return std::string("kill");
      },
      [](const std::string& old) { cluster->start(old); });
  report("leader SIGKILL (sync)", o);
  report_loss_window("leader SIGKILL (sync)", o);
  EXPECT_EQ(o.lost, 0u);
  EXPECT_GT(o.acked, 50u);
}

}  // namespace
