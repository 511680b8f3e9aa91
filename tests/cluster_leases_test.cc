// Membership and partition leases (daemon/partition_leases.h) on a real
// 3-node nats-server cluster: the partition count fixed at creation, an
// even spread, partitions moving off a dead node and off a draining one,
// losing the NATS quorum, and a stale owner refused at the lease and at
// the log. Label "cluster".
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "daemon/jetstream_log.h"
#include "daemon/nats_client.h"
#include "daemon/nats_kv.h"
#include "daemon/partition_leases.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/nats_cluster.h"

namespace depositd::integration {
namespace {

using daemon::KvEntry;
using daemon::NatsClient;
using daemon::NatsClientOptions;
using daemon::NatsKv;
using daemon::PartitionLease;
using daemon::PartitionLeases;
using daemon::PartitionLeasesOptions;
using ::testing::HasSubstr;

constexpr int kPartitions = 12;

// Counts owners per partition from every node's callbacks (a drop is
// reported before its release is written, a gain after its claim), so two
// live nodes owning one partition at once count as an overlap. A node the
// test declares dead (Forget) no longer counts: its belief is stale by
// design, and the log's fencing, not the lease, keeps it from writing.
class OwnershipLedger {
 public:
  std::function<void(int, bool)> Callback(int node) {
    return [this, node](int partition, bool owned) {
      absl::MutexLock lock(&mu_);
      if (dead_.count(node) > 0) return;
      std::set<int>& owners = owners_[partition];
      if (owned) {
        ++gains_;
        owners.insert(node);
        if (owners.size() > 1) ++overlaps_;
      } else {
        owners.erase(node);
      }
    };
  }
  void Forget(int node) {
    absl::MutexLock lock(&mu_);
    dead_.insert(node);
    for (auto& [partition, owners] : owners_) owners.erase(node);
  }
  int overlaps() const {
    absl::MutexLock lock(&mu_);
    return overlaps_;
  }
  // How many times a live node started owning a partition.
  int gains() const {
    absl::MutexLock lock(&mu_);
    return gains_;
  }

 private:
  mutable absl::Mutex mu_;
  std::map<int, std::set<int>> owners_;
  std::set<int> dead_;
  int overlaps_ = 0;
  int gains_ = 0;
};

struct Node {
  std::unique_ptr<NatsClient> client;
  std::unique_ptr<PartitionLeases> leases;
};

class ClusterLeasesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<NatsCluster>> nats = NatsCluster::Start({});
    ASSERT_TRUE(nats.ok()) << nats.status();
    nats_ = *std::move(nats);
  }

  // A client whose first server is server i (each node on another one).
  std::unique_ptr<NatsClient> Connect(int i) {
    NatsClientOptions options;
    for (int k = 0; k < nats_->size(); ++k) {
      options.servers.push_back(nats_->url((i + k) % nats_->size()));
    }
    absl::StatusOr<std::unique_ptr<NatsClient>> client =
        NatsClient::Connect(options);
    EXPECT_TRUE(client.ok()) << client.status();
    return client.ok() ? *std::move(client) : nullptr;
  }

  PartitionLeasesOptions Options(int i) {
    PartitionLeasesOptions options;
    options.node_id = absl::StrCat("node-", i);
    options.partitions = kPartitions;
    options.replicas = 3;
    options.lease_ttl = absl::Seconds(3);
    options.tick = absl::Milliseconds(500);
    options.on_change = ledger_.Callback(i);
    return options;
  }

  // Starts nodes 0..n-1 and waits until they hold an even spread.
  void StartNodes(int n) {
    for (int i = 0; i < n; ++i) {
      Node node;
      node.client = Connect(i);
      ASSERT_NE(node.client, nullptr);
      absl::StatusOr<std::unique_ptr<PartitionLeases>> leases =
          PartitionLeases::Join(node.client.get(), Options(i));
      ASSERT_TRUE(leases.ok()) << leases.status();
      node.leases = *std::move(leases);
      node.leases->Start();
      nodes_.push_back(std::move(node));
    }
    std::vector<int> all(n);
    for (int i = 0; i < n; ++i) all[i] = i;
    ASSERT_TRUE(WaitForSpread(all, absl::Seconds(20)))
        << "no even spread over " << n << " nodes: " << Describe();
  }

  // Whether nodes `alive` hold every partition between them, each
  // floor/ceil(P/n), none twice.
  bool EvenSpread(const std::vector<int>& alive) {
    std::set<int> seen;
    const int n = static_cast<int>(alive.size());
    for (int i : alive) {
      const std::vector<int> owned = nodes_[i].leases->Owned();
      const int count = static_cast<int>(owned.size());
      if (count < kPartitions / n || count > (kPartitions + n - 1) / n) {
        return false;
      }
      for (int p : owned) {
        if (!seen.insert(p).second) return false;
      }
    }
    return static_cast<int>(seen.size()) == kPartitions;
  }

  bool WaitForSpread(const std::vector<int>& alive, absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    while (!EvenSpread(alive)) {
      if (absl::Now() > deadline) return false;
      absl::SleepFor(absl::Milliseconds(50));
    }
    return true;
  }

  std::string Describe() {
    std::string out;
    for (size_t i = 0; i < nodes_.size(); ++i) {
      absl::StrAppend(&out, " node-", i, ":[");
      for (int p : nodes_[i].leases->Owned()) absl::StrAppend(&out, p, " ");
      absl::StrAppend(&out, "]");
    }
    return out;
  }

  void TearDown() override {
    for (Node& node : nodes_) {
      if (node.leases) node.leases->Stop();
    }
    EXPECT_EQ(ledger_.overlaps(), 0) << "two nodes owned a partition at once";
  }

  std::unique_ptr<NatsCluster> nats_;
  OwnershipLedger ledger_;
  std::vector<Node> nodes_;
};

TEST_F(ClusterLeasesTest, PartitionCountIsFixedWhenTheClusterIsCreated) {
  std::unique_ptr<NatsClient> client = Connect(0);
  ASSERT_NE(client, nullptr);
  absl::StatusOr<std::unique_ptr<PartitionLeases>> first =
      PartitionLeases::Join(client.get(), Options(0));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*PartitionLeases::ReadPartitionCount(client.get()), kPartitions);

  PartitionLeasesOptions other = Options(1);
  other.partitions = 16;
  absl::StatusOr<std::unique_ptr<PartitionLeases>> refused =
      PartitionLeases::Join(client.get(), other);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(refused.status()));
  EXPECT_THAT(std::string(refused.status().message()),
              HasSubstr("this cluster has 12 partitions"));
  EXPECT_THAT(std::string(refused.status().message()),
              HasSubstr("start it with --cluster-partitions 12"));

  PartitionLeasesOptions bad_id = Options(1);
  bad_id.node_id = "node 1";
  EXPECT_TRUE(absl::IsInvalidArgument(
      PartitionLeases::Join(client.get(), bad_id).status()));

  PartitionLeasesOptions other_ttl = Options(1);
  other_ttl.lease_ttl = absl::Seconds(9);
  absl::Status status = PartitionLeases::Join(client.get(), other_ttl).status();
  EXPECT_TRUE(absl::IsFailedPrecondition(status)) << status;
}

TEST_F(ClusterLeasesTest, ThreeNodesConvergeToAnEvenSpread) {
  StartNodes(3);
  // The bucket agrees with the nodes.
  absl::StatusOr<std::vector<PartitionLease>> leases =
      PartitionLeases::ReadLeases(nodes_[0].client.get(), kPartitions);
  ASSERT_TRUE(leases.ok()) << leases.status();
  std::map<std::string, int> per_owner;
  for (const PartitionLease& lease : *leases) ++per_owner[lease.owner];
  EXPECT_EQ(per_owner, (std::map<std::string, int>{
                           {"node-0", 4}, {"node-1", 4}, {"node-2", 4}}));
  absl::StatusOr<std::vector<KvEntry>> members =
      PartitionLeases::ReadNodes(nodes_[0].client.get());
  ASSERT_TRUE(members.ok()) << members.status();
  EXPECT_EQ(members->size(), 3u);
}

TEST_F(ClusterLeasesTest, SecondNodeJoiningTakesHalf) {
  StartNodes(1);
  EXPECT_EQ(nodes_[0].leases->Owned().size(), static_cast<size_t>(kPartitions));
  Node node;
  node.client = Connect(1);
  ASSERT_NE(node.client, nullptr);
  absl::StatusOr<std::unique_ptr<PartitionLeases>> leases =
      PartitionLeases::Join(node.client.get(), Options(1));
  ASSERT_TRUE(leases.ok()) << leases.status();
  node.leases = *std::move(leases);
  node.leases->Start();
  nodes_.push_back(std::move(node));
  EXPECT_TRUE(WaitForSpread({0, 1}, absl::Seconds(15))) << Describe();
}

// The lease loop plans from the current owners (RebalancePartitions): a
// third node joining two moves exactly its share, 12/3 = 4 partitions (the
// stateless rendezvous plan could move more, reshuffling the others too).
TEST_F(ClusterLeasesTest, ThirdNodeJoiningMovesOnlyItsShare) {
  StartNodes(2);
  const int gains_before = ledger_.gains();
  Node node;
  node.client = Connect(2);
  ASSERT_NE(node.client, nullptr);
  absl::StatusOr<std::unique_ptr<PartitionLeases>> leases =
      PartitionLeases::Join(node.client.get(), Options(2));
  ASSERT_TRUE(leases.ok()) << leases.status();
  node.leases = *std::move(leases);
  node.leases->Start();
  nodes_.push_back(std::move(node));
  ASSERT_TRUE(WaitForSpread({0, 1, 2}, absl::Seconds(15))) << Describe();
  EXPECT_EQ(ledger_.gains() - gains_before, kPartitions / 3) << Describe();
  EXPECT_EQ(nodes_[2].leases->Owned().size(),
            static_cast<size_t>(kPartitions / 3));
}

TEST_F(ClusterLeasesTest, DeadNodesPartitionsMoveWithinSeconds) {
  StartNodes(3);
  // node-2 stops heartbeating and renewing, as if killed.
  ledger_.Forget(2);
  nodes_[2].leases->Stop();
  const absl::Time stopped = absl::Now();
  ASSERT_TRUE(WaitForSpread({0, 1}, absl::Seconds(20))) << Describe();
  const absl::Duration moved = absl::Now() - stopped;
  // Its leases had to expire (TTL 3 s) first.
  std::cout << "partitions of a dead node moved in "
            << absl::FormatDuration(moved) << "\n";
}

TEST_F(ClusterLeasesTest, DrainingNodeHandsOverBeforeReturning) {
  StartNodes(3);
  const std::vector<int> had = nodes_[2].leases->Owned();
  ASSERT_FALSE(had.empty());
  absl::Status drained = nodes_[2].leases->Drain(absl::Seconds(10));
  ASSERT_TRUE(drained.ok()) << drained;
  EXPECT_TRUE(nodes_[2].leases->Owned().empty());
  // Already when Drain() returns, another node holds each of them.
  absl::StatusOr<std::vector<PartitionLease>> leases =
      PartitionLeases::ReadLeases(nodes_[0].client.get(), kPartitions);
  ASSERT_TRUE(leases.ok()) << leases.status();
  for (int p : had) {
    const std::string& owner = (*leases)[p].owner;
    EXPECT_TRUE(owner == "node-0" || owner == "node-1")
        << "partition " << p << " owner \"" << owner << "\"";
  }
  EXPECT_TRUE(WaitForSpread({0, 1}, absl::Seconds(15))) << Describe();
  // It left the membership.
  absl::StatusOr<std::vector<KvEntry>> members =
      PartitionLeases::ReadNodes(nodes_[0].client.get());
  ASSERT_TRUE(members.ok()) << members.status();
  for (const KvEntry& member : *members) EXPECT_NE(member.key, "node-2");
}

TEST_F(ClusterLeasesTest, StaleOwnerIsRefusedAtTheLease) {
  StartNodes(2);
  nodes_[1].leases->Stop();
  const std::vector<int> owned = nodes_[1].leases->Owned();
  ASSERT_FALSE(owned.empty());
  const int p = owned.front();
  const uint64_t stale = nodes_[1].leases->LeaseRevision(p);
  ASSERT_NE(stale, 0u);
  const std::string key = absl::StrCat("p.", p);

  // Someone else takes the lease (as after an expiry the node missed).
  NatsKv kv(nodes_[0].client.get(), daemon::kLeasesBucket);
  ASSERT_TRUE(kv.Delete(key, stale).ok());
  ASSERT_TRUE(kv.Create(key, "intruder").ok());

  // The stale revision no longer writes...
  absl::StatusOr<uint64_t> update = kv.Update(key, "node-1", stale);
  EXPECT_TRUE(absl::IsFailedPrecondition(update.status())) << update.status();
  // ...and node-1's next round notices and drops the partition.
  nodes_[1].leases->Tick().IgnoreError();
  for (int q : nodes_[1].leases->Owned()) EXPECT_NE(q, p);
  absl::StatusOr<KvEntry> entry = kv.Get(key);
  ASSERT_TRUE(entry.ok()) << entry.status();
  EXPECT_EQ(entry->value, "intruder");
}

TEST_F(ClusterLeasesTest, LosingQuorumDropsEveryLeaseAndRecoversByItself) {
  StartNodes(3);
  // Two of three NATS servers die: no lease can be renewed, so every node
  // drops its partitions (before they could expire and be taken).
  ASSERT_TRUE(nats_->Kill(1).ok());
  ASSERT_TRUE(nats_->Kill(2).ok());
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  auto none_owned = [&] {
    for (Node& node : nodes_) {
      if (!node.leases->Owned().empty()) return false;
    }
    return true;
  };
  while (!none_owned() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_TRUE(none_owned()) << Describe();

  // They come back: the nodes take an even spread again by themselves.
  ASSERT_TRUE(nats_->Restart(1).ok());
  ASSERT_TRUE(nats_->Restart(2).ok());
  const absl::Time restarted = absl::Now();
  EXPECT_TRUE(WaitForSpread({0, 1, 2}, absl::Seconds(60))) << Describe();
  std::cout << "even spread again "
            << absl::FormatDuration(absl::Now() - restarted)
            << " after the servers restarted\n";
}

// Leases and the log together: an owner that pauses past its lease keeps
// believing it owns the partition, but once the new owner has appended,
// the paused one's append is refused. No two owners both write.
TEST_F(ClusterLeasesTest, PausedOwnerCannotAppendAfterItsPartitionMoved) {
  StartNodes(2);
  absl::StatusOr<std::unique_ptr<daemon::JetStreamLog>> log_a =
      daemon::JetStreamLog::Open(nodes_[0].client.get(), {3});
  ASSERT_TRUE(log_a.ok()) << log_a.status();
  absl::StatusOr<std::unique_ptr<daemon::JetStreamLog>> log_b =
      daemon::JetStreamLog::Open(nodes_[1].client.get(), {3});
  ASSERT_TRUE(log_b.ok()) << log_b.status();
  const int p = nodes_[0].leases->Owned().front();
  absl::StatusOr<daemon::LogAppendResult> first =
      (*log_a)->Append(p, "a-1", "from a", 0);
  ASSERT_TRUE(first.ok()) << first.status();

  // node-0 pauses (no renewals) while still believing it owns p.
  ledger_.Forget(0);
  nodes_[0].leases->Stop();
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  auto b_owns = [&] {
    for (int q : nodes_[1].leases->Owned()) {
      if (q == p) return true;
    }
    return false;
  };
  while (!b_owns() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_TRUE(b_owns()) << Describe();

  // The new owner appends after what is there...
  absl::StatusOr<uint64_t> last = (*log_b)->LastSequence(p);
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(*last, first->sequence);
  ASSERT_TRUE((*log_b)->Append(p, "b-1", "from b", *last).ok());
  // ...and the paused owner, resuming with its stale belief, is refused.
  absl::StatusOr<daemon::LogAppendResult> stale =
      (*log_a)->Append(p, "a-2", "stale", first->sequence);
  EXPECT_TRUE(absl::IsFailedPrecondition(stale.status())) << stale.status();

  absl::StatusOr<std::vector<daemon::LogRecord>> records =
      (*log_b)->Read(p, 1, 100);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].data, "from a");
  EXPECT_EQ((*records)[1].data, "from b");
}

}  // namespace
}  // namespace depositd::integration
