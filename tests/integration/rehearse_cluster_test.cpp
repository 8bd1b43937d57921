// `seam rehearse --cluster` on the HA staging cluster (scripts/staging:
// etcd, three Patroni nodes, HAProxy): the rehearsal itself kills the
// Patroni leader and partitions it (or reports the partition as not
// supported when the cluster runs without network namespaces), waits for the
// failover, brings the node back, resumes the applier through HAProxy and
// still verifies the data and the catalog. Label "staging"; ctest runs it
// alone (RESOURCE_LOCK staging).
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>
#include <pqxx/pqxx>

#include "dialects/postgres/spawn.hpp"
#include "tests/support/pg_fixture.hpp"
#include "tests/support/staging.hpp"

namespace {

namespace fs = std::filesystem;
using seam::test::StagingCluster;

seam::pg::Captured seam_cli(const std::vector<std::string>& args) {
  std::vector<std::string> argv{SEAM_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return seam::pg::run_capture(argv);
}

TEST(RehearseCluster, LeaderKilledAndPartitionedByTheRehearsalStillPasses) {
  StagingCluster cluster = StagingCluster::for_test("rehearse", 27750, 83);
  ASSERT_NO_THROW(cluster.up());
  std::string admin = cluster.write_url();
  {
    pqxx::connection c(admin);
    pqxx::nontransaction tx(c);
    tx.exec0("CREATE DATABASE mig");
  }
  std::string url = admin.substr(0, admin.rfind('/')) + "/mig";
  seam::test::run_sql(url,
                      "CREATE TABLE public.t (id bigint PRIMARY KEY, v integer NOT NULL, s text)");
  seam::test::run_sql(
      url,
      "INSERT INTO public.t SELECT g, g % 1000, 'row ' || g FROM generate_series(1, 60000) g; "
      "ANALYZE public.t");
  fs::path work = fs::path(cluster.dir()) / "rehearse-test";
  fs::create_directories(work / "desired");
  std::ofstream(work / "desired" / "schema.sql")
      << "CREATE TABLE public.t (id bigint PRIMARY KEY, v bigint NOT NULL, s text);\n";
  fs::path plan = work / "plan.yaml";
  auto planned = seam_cli(
      {"plan", "--db", url, "--schema", (work / "desired").string(), "--out", plan.string()});
  ASSERT_EQ(planned.status, 0) << planned.output;

  fs::path report = work / "report.json";
  // Throttled (about 15 s of backfill) so the applier is mid-batch when a fault lands.
  auto r = seam_cli({"rehearse",
                     plan.string(),
                     "--db",
                     url,
                     "--cluster",
                     cluster.dir(),
                     "--staging-script",
                     std::string(SEAM_SOURCE_DIR) + "/scripts/staging",
                     "--fault-kinds",
                     "kill-leader,partition,kill",
                     "--faults",
                     "3",
                     "--seed",
                     "4",
                     "--approve-checkpoints",
                     "--lease-ttl-ms",
                     "3000",
                     "--batch-size",
                     "1000",
                     "--max-rows-per-second",
                     "4000",
                     "--report",
                     report.string()});
  std::cout << r.output << std::endl;
  ASSERT_EQ(r.status, 0) << r.output;
  YAML::Node rep = YAML::LoadFile(report.string());
  EXPECT_EQ(rep["verdict"].as<std::string>(), "PASS");
  EXPECT_EQ(rep["injected"]["kill-leader"].as<int>(0), 1);
  EXPECT_EQ(rep["injected"]["kill"].as<int>(0), 1);
  for (const auto& f : rep["faults"]) {
    std::string kind = f["fault"]["kind"].as<std::string>(), status = f["status"].as<std::string>();
    if (kind == "partition") {
      EXPECT_EQ(status, cluster.netns() ? "injected" : "not supported")
          << f["outcome"].as<std::string>();
    } else {
      EXPECT_EQ(status, "injected") << f["outcome"].as<std::string>();
    }
    if (kind == "kill-leader")
      EXPECT_NE(f["outcome"].as<std::string>().find("writable again after"), std::string::npos);
    // Seed 4 puts every fault inside the backfill (`seam rehearse --dry-run` shows it).
    if (status == "injected")
      EXPECT_EQ(f["at"].as<std::string>().rfind("backfill-001-", 0), 0u)
          << f["at"].as<std::string>();
  }
  for (const auto& c : rep["checks"])
    EXPECT_TRUE(c["ok"].as<bool>())
        << c["name"].as<std::string>() << ": " << c["detail"].as<std::string>();
  // The data, through the new leader.
  EXPECT_EQ(seam::test::query_value(
                url, "SELECT count(*) FROM public.t WHERE v IS DISTINCT FROM id % 1000"),
            "0");
  EXPECT_EQ(seam::test::query_value(url, "SELECT state FROM seam.jobs"), "done");
  auto diff =
      seam_cli({"diff", "--exit-code", "--db", url, "--schema", (work / "desired").string()});
  EXPECT_EQ(diff.status, 0) << diff.output;
}

}  // namespace
