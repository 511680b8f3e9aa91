// The edge to NATS against real nats-server processes: the test harness
// itself, connecting (and the one-line error when nothing answers), streams
// and KV buckets created or verified, and the KV writes that expect a
// revision. Label "cluster".
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "daemon/nats_client.h"
#include "daemon/nats_kv.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/nats_cluster.h"

namespace depositd::integration {
namespace {

using daemon::KvEntry;
using daemon::KvSpec;
using daemon::NatsClient;
using daemon::NatsClientOptions;
using daemon::NatsKv;
using daemon::StreamSpec;
using ::testing::HasSubstr;

std::unique_ptr<NatsClient> ConnectOrDie(const NatsCluster& nats) {
  NatsClientOptions options;
  options.servers = nats.urls();
  absl::StatusOr<std::unique_ptr<NatsClient>> client =
      NatsClient::Connect(options);
  EXPECT_TRUE(client.ok()) << client.status();
  return client.ok() ? *std::move(client) : nullptr;
}

TEST(NatsClientTest, UnreachableServerIsOneLineNamingTheFlag) {
  // A port nobody listens on: start and stop a single server to learn one.
  std::string url;
  {
    absl::StatusOr<std::unique_ptr<NatsCluster>> nats =
        NatsCluster::Start({.servers = 1});
    ASSERT_TRUE(nats.ok()) << nats.status();
    url = (*nats)->url(0);
  }
  NatsClientOptions options;
  options.servers = {url};
  const absl::Time start = absl::Now();
  absl::StatusOr<std::unique_ptr<NatsClient>> client =
      NatsClient::Connect(options);
  ASSERT_FALSE(client.ok());
  EXPECT_TRUE(absl::IsUnavailable(client.status())) << client.status();
  EXPECT_THAT(std::string(client.status().message()),
              HasSubstr(absl::StrCat("cannot reach NATS at ", url,
                                     " (--cluster-nats): ")));
  EXPECT_FALSE(absl::StrContains(client.status().message(), "\n"));
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
}

TEST(NatsClientTest, SingleServerStreamAndKvAreCreatedThenVerified) {
  absl::StatusOr<std::unique_ptr<NatsCluster>> nats =
      NatsCluster::Start({.servers = 1});
  ASSERT_TRUE(nats.ok()) << nats.status();
  std::unique_ptr<NatsClient> client = ConnectOrDie(**nats);
  ASSERT_NE(client, nullptr);

  StreamSpec stream{"TEST_LOG", {"test.log.>"}, 1, absl::Minutes(1)};
  ASSERT_TRUE(client->EnsureStream(stream).ok());
  EXPECT_TRUE(client->EnsureStream(stream).ok()) << "second time verifies";

  StreamSpec wrong_replicas = stream;
  wrong_replicas.replicas = 3;
  absl::Status status = client->EnsureStream(wrong_replicas);
  EXPECT_TRUE(absl::IsFailedPrecondition(status)) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("has 1 replicas"));

  StreamSpec wrong_subjects = stream;
  wrong_subjects.subjects = {"other.>"};
  status = client->EnsureStream(wrong_subjects);
  EXPECT_TRUE(absl::IsFailedPrecondition(status)) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("another application"));

  // Three replicas on one server cannot be: refused, saying why.
  StreamSpec r3{"TEST_R3", {"test.r3.>"}, 3, absl::Minutes(1)};
  status = client->EnsureStream(r3);
  EXPECT_TRUE(absl::IsFailedPrecondition(status)) << status;
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("a single server takes --cluster-replicas 1"));
  status = client->EnsureKv({"test_r3", 3, absl::Seconds(30)});
  EXPECT_TRUE(absl::IsFailedPrecondition(status)) << status;
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("a single server takes --cluster-replicas 1"));

  KvSpec kv{"test_kv", 1, absl::Seconds(30)};
  ASSERT_TRUE(client->EnsureKv(kv).ok());
  EXPECT_TRUE(client->EnsureKv(kv).ok());
  KvSpec other_ttl = kv;
  other_ttl.ttl = absl::Seconds(5);
  status = client->EnsureKv(other_ttl);
  EXPECT_TRUE(absl::IsFailedPrecondition(status)) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("keeps entries for"));
}

TEST(NatsKvTest, WritesExpectTheirRevision) {
  absl::StatusOr<std::unique_ptr<NatsCluster>> nats =
      NatsCluster::Start({.servers = 1});
  ASSERT_TRUE(nats.ok()) << nats.status();
  std::unique_ptr<NatsClient> client = ConnectOrDie(**nats);
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->EnsureKv({"leases", 1, absl::Seconds(30)}).ok());
  NatsKv kv(client.get(), "leases");

  EXPECT_TRUE(absl::IsNotFound(kv.Get("p.1").status()));
  absl::StatusOr<uint64_t> first = kv.Create("p.1", "node-a");
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<uint64_t> again = kv.Create("p.1", "node-b");
  EXPECT_TRUE(absl::IsAlreadyExists(again.status())) << again.status();

  absl::StatusOr<uint64_t> renewed = kv.Update("p.1", "node-a", *first);
  ASSERT_TRUE(renewed.ok()) << renewed.status();
  // A writer holding the old revision is refused.
  absl::StatusOr<uint64_t> stale = kv.Update("p.1", "node-b", *first);
  EXPECT_TRUE(absl::IsFailedPrecondition(stale.status())) << stale.status();
  EXPECT_TRUE(absl::IsFailedPrecondition(kv.Delete("p.1", *first)));

  absl::StatusOr<KvEntry> entry = kv.Get("p.1");
  ASSERT_TRUE(entry.ok()) << entry.status();
  EXPECT_EQ(entry->value, "node-a");
  EXPECT_EQ(entry->revision, *renewed);
  EXPECT_FALSE(entry->deleted);

  // Deleted, the key can be created again.
  ASSERT_TRUE(kv.Delete("p.1", *renewed).ok());
  entry = kv.Get("p.1");
  ASSERT_TRUE(entry.ok()) << entry.status();
  EXPECT_TRUE(entry->deleted);
  absl::StatusOr<uint64_t> reclaimed = kv.Create("p.1", "node-b");
  ASSERT_TRUE(reclaimed.ok()) << reclaimed.status();

  ASSERT_TRUE(kv.Put("p.2", "node-c").ok());
  absl::StatusOr<std::vector<KvEntry>> all = kv.List();
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].key, "p.1");
  EXPECT_EQ((*all)[0].value, "node-b");
  EXPECT_EQ((*all)[1].key, "p.2");

  EXPECT_TRUE(absl::IsInvalidArgument(kv.Put("bad key", "x").status()));
}

TEST(NatsKvTest, EntriesExpireAfterTheBucketTtlAndCanBeCreatedAgain) {
  absl::StatusOr<std::unique_ptr<NatsCluster>> nats =
      NatsCluster::Start({.servers = 1});
  ASSERT_TRUE(nats.ok()) << nats.status();
  std::unique_ptr<NatsClient> client = ConnectOrDie(**nats);
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->EnsureKv({"short", 1, absl::Seconds(1)}).ok());
  NatsKv kv(client.get(), "short");
  absl::StatusOr<uint64_t> first = kv.Create("p.0", "node-a");
  ASSERT_TRUE(first.ok()) << first.status();
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (kv.Get("p.0").ok() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_TRUE(absl::IsNotFound(kv.Get("p.0").status()));
  // The expired holder cannot renew; a new Create wins.
  EXPECT_TRUE(
      absl::IsFailedPrecondition(kv.Update("p.0", "node-a", *first).status()));
  EXPECT_TRUE(kv.Create("p.0", "node-b").ok());
}

TEST(NatsClusterTest, ThreeServersSurviveAKillAndARestart) {
  absl::StatusOr<std::unique_ptr<NatsCluster>> nats = NatsCluster::Start({});
  ASSERT_TRUE(nats.ok()) << nats.status();
  ASSERT_EQ((*nats)->size(), 3);
  std::unique_ptr<NatsClient> client = ConnectOrDie(**nats);
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->EnsureKv({"r3", 3, absl::ZeroDuration()}).ok());
  NatsKv kv(client.get(), "r3");
  ASSERT_TRUE(kv.Put("k", "v1").ok());

  ASSERT_TRUE((*nats)->Kill(0).ok());
  EXPECT_FALSE((*nats)->running(0));
  // Two of three still form a quorum: writes go on (after the client moved
  // to a live server and the groups elected leaders).
  absl::StatusOr<uint64_t> put;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  do {
    put = kv.Put("k", "v2");
  } while (!put.ok() && absl::Now() < deadline);
  ASSERT_TRUE(put.ok()) << put.status();

  ASSERT_TRUE((*nats)->Restart(0).ok());
  ASSERT_TRUE((*nats)->WaitForMetaLeader(absl::Seconds(30)).ok());
  absl::StatusOr<KvEntry> entry = kv.Get("k");
  ASSERT_TRUE(entry.ok()) << entry.status();
  EXPECT_EQ(entry->value, "v2");
}

}  // namespace
}  // namespace depositd::integration
