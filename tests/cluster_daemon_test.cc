// depositd with --cluster-* flags (membership and leases only, so far) on a
// real 3-node nats-server cluster: three daemons share the partitions
// evenly, a SIGTERMed one hands its partitions over before it exits,
// `depositctl cluster status` shows them, and bad starts are one line.
// Label "cluster".
#include <stdio.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "daemon/nats_client.h"
#include "daemon/partition_leases.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"
#include "tests/nats_cluster.h"

namespace depositd::integration {
namespace {

using daemon::NatsClient;
using daemon::NatsClientOptions;
using daemon::PartitionLease;
using daemon::PartitionLeases;
using ::testing::HasSubstr;

constexpr int kPartitions = 12;

DaemonHarness::Options NodeOptions(const NatsCluster& nats, int i,
                                   int partitions = kPartitions) {
  DaemonHarness::Options options;
  options.http = false;
  options.extra_args = {"--cluster-nats",       absl::StrJoin(nats.urls(), ","),
                        "--cluster-node-id",    absl::StrCat("n", i),
                        "--cluster-partitions", absl::StrCat(partitions)};
  return options;
}

// Partitions per owner ("" = free) as the leases bucket has them.
std::map<std::string, int> Owners(NatsClient* client) {
  std::map<std::string, int> owners;
  absl::StatusOr<std::vector<PartitionLease>> leases =
      PartitionLeases::ReadLeases(client, kPartitions);
  if (!leases.ok()) return {{"error: " + leases.status().ToString(), 0}};
  for (const PartitionLease& lease : *leases) ++owners[lease.owner];
  return owners;
}

std::string Describe(const std::map<std::string, int>& owners) {
  std::string out;
  for (const auto& [owner, count] : owners) {
    absl::StrAppend(&out, owner.empty() ? "(free)" : owner, "=", count, " ");
  }
  return out;
}

bool WaitForOwners(NatsClient* client, const std::map<std::string, int>& want,
                   absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (Owners(client) != want) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return true;
}

std::string RunCommand(const std::string& command, int* exit_code) {
  std::string output;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return "popen failed";
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    output.append(buffer, n);
  }
  const int status = pclose(pipe);
  *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return output;
}

TEST(ClusterDaemonTest, UnreachableNatsIsOneLineAtStart) {
  const int port = FreeLoopbackPort();
  ASSERT_NE(port, 0);
  DaemonHarness::Options options;
  options.http = false;
  options.start_timeout = absl::Seconds(30);
  options.extra_args = {"--cluster-nats",
                        absl::StrCat("nats://127.0.0.1:", port),
                        "--cluster-node-id", "n1"};
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      DaemonHarness::Start(options);
  ASSERT_FALSE(daemon.ok());
  EXPECT_THAT(std::string(daemon.status().message()),
              HasSubstr(absl::StrCat("cannot reach NATS at nats://127.0.0.1:",
                                     port, " (--cluster-nats): ")));
}

TEST(ClusterDaemonTest, DaemonsSharePartitionsAndHandOverOnSigterm) {
  absl::StatusOr<std::unique_ptr<NatsCluster>> nats = NatsCluster::Start({});
  ASSERT_TRUE(nats.ok()) << nats.status();
  std::vector<std::unique_ptr<DaemonHarness>> daemons;
  for (int i = 0; i < 3; ++i) {
    DaemonHarness::Options options = NodeOptions(**nats, i);
    options.http = i == 0;  // the metrics of n0 are read below
    absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
        DaemonHarness::Start(options);
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemons.push_back(*std::move(daemon));
  }
  NatsClientOptions client_options;
  client_options.servers = (*nats)->urls();
  absl::StatusOr<std::unique_ptr<NatsClient>> client =
      NatsClient::Connect(client_options);
  ASSERT_TRUE(client.ok()) << client.status();
  NatsClient* nc = client->get();
  ASSERT_TRUE(
      WaitForOwners(nc, {{"n0", 4}, {"n1", 4}, {"n2", 4}}, absl::Seconds(30)))
      << Describe(Owners(nc));

  // Per-partition metrics on n0's /metrics.
  absl::StatusOr<std::string> metrics =
      HttpGetLocal(daemons[0]->http_port(), "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_THAT(*metrics, HasSubstr("depositd_cluster_partitions_owned 4"));
  EXPECT_THAT(*metrics,
              HasSubstr("depositd_cluster_partition_owned{partition=\"11\"}"));

  int exit_code = -1;
  const std::string status =
      RunCommand(absl::StrCat(DEPOSITCTL_BINARY, " cluster status --nats ",
                              absl::StrJoin((*nats)->urls(), ",")),
                 &exit_code);
  EXPECT_EQ(exit_code, 0) << status;
  EXPECT_THAT(status, HasSubstr("partitions: 12"));
  EXPECT_THAT(status, HasSubstr("nodes: 3"));
  EXPECT_THAT(status, HasSubstr("n2  active"));
  EXPECT_THAT(status, HasSubstr("4 partitions"));
  EXPECT_THAT(status, HasSubstr("unowned partitions: none"));

  // A node started with another partition count is refused in one line.
  absl::StatusOr<std::unique_ptr<DaemonHarness>> wrong =
      DaemonHarness::Start(NodeOptions(**nats, 3, 16));
  ASSERT_FALSE(wrong.ok());
  EXPECT_THAT(std::string(wrong.status().message()),
              HasSubstr("this cluster has 12 partitions"));

  // SIGTERM: n2 exits 0 only after n0 and n1 hold all its partitions.
  ASSERT_TRUE(daemons[2]->Stop().ok()) << daemons[2]->LogTail();
  const std::map<std::string, int> after = Owners(nc);
  EXPECT_EQ(after.count("n2"), 0u) << Describe(after);
  EXPECT_EQ(after.count(""), 0u) << Describe(after);
  EXPECT_TRUE(WaitForOwners(nc, {{"n0", 6}, {"n1", 6}}, absl::Seconds(30)))
      << Describe(Owners(nc));
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(daemons[i]->Stop().ok()) << daemons[i]->LogTail();
  }
}

}  // namespace
}  // namespace depositd::integration
