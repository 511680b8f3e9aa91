// Partition checkpoints in JetStream (daemon/jetstream_checkpoints.h) on
// real nats-server processes: written on one server's connection and loaded
// byte for byte on another's, larger than NATS' max payload, fenced by the
// manifest revision, a write that stopped before its manifest, the log
// purged before the cut, and manifests or chunks depositd did not write.
// Label "cluster".
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "daemon/cluster_status.h"
#include "daemon/jetstream_checkpoints.h"
#include "daemon/jetstream_log.h"
#include "daemon/nats_client.h"
#include "daemon/nats_kv.h"
#include "daemon/partition_leases.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/nats_cluster.h"

namespace depositd::integration {
namespace {

using daemon::CheckpointManifest;
using daemon::JetStreamCheckpoints;
using daemon::JetStreamCheckpointsOptions;
using daemon::JetStreamLog;
using daemon::JetStreamLogOptions;
using daemon::KvEntry;
using daemon::LoadedCheckpoint;
using daemon::LogAppendResult;
using daemon::LogRecord;
using daemon::NatsClient;
using daemon::NatsClientOptions;
using daemon::NatsKv;
using daemon::PartitionCheckpoint;
using ::testing::HasSubstr;

std::unique_ptr<NatsClient> Connect(std::vector<std::string> servers) {
  NatsClientOptions options;
  options.servers = std::move(servers);
  options.request_timeout = absl::Seconds(5);
  absl::StatusOr<std::unique_ptr<NatsClient>> client =
      NatsClient::Connect(options);
  EXPECT_TRUE(client.ok()) << client.status();
  return client.ok() ? *std::move(client) : nullptr;
}

std::unique_ptr<JetStreamCheckpoints> OpenCheckpoints(NatsClient* client,
                                                      int replicas) {
  JetStreamCheckpointsOptions options;
  options.replicas = replicas;
  absl::StatusOr<std::unique_ptr<JetStreamCheckpoints>> checkpoints =
      JetStreamCheckpoints::Open(client, options);
  EXPECT_TRUE(checkpoints.ok()) << checkpoints.status();
  return checkpoints.ok() ? *std::move(checkpoints) : nullptr;
}

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 random(seed);
  std::string bytes(n, '\0');
  for (char& c : bytes) c = static_cast<char>(random() & 0xff);
  return bytes;
}

PartitionCheckpoint Sample(int partition, uint64_t cut, size_t shop_bytes,
                           uint32_t seed) {
  PartitionCheckpoint checkpoint;
  checkpoint.partition = partition;
  checkpoint.cut = cut;
  checkpoint.sections = {{"shops", RandomBytes(shop_bytes, seed)},
                         {"dedupe", RandomBytes(1000, seed + 1)},
                         {"alerts", ""},
                         {"deadlines", std::string("\0\n\xff", 3)}};
  return checkpoint;
}

void ExpectSame(const PartitionCheckpoint& want,
                const PartitionCheckpoint& got) {
  EXPECT_EQ(got.partition, want.partition);
  EXPECT_EQ(got.cut, want.cut);
  ASSERT_EQ(got.sections.size(), want.sections.size());
  for (size_t i = 0; i < want.sections.size(); ++i) {
    EXPECT_EQ(got.sections[i].first, want.sections[i].first);
    // Byte-equal; no dump of megabytes on failure.
    EXPECT_TRUE(got.sections[i].second == want.sections[i].second)
        << "section " << want.sections[i].first << ": "
        << got.sections[i].second.size() << " bytes loaded, "
        << want.sections[i].second.size() << " written";
  }
}

// Appends `n` records to the partition; returns the last sequence.
uint64_t AppendRecords(JetStreamLog* log, int partition, int n,
                       uint64_t last = 0) {
  for (int i = 0; i < n; ++i) {
    absl::StatusOr<LogAppendResult> r =
        log->Append(partition, absl::StrCat(partition, "-", last, "-", i),
                    absl::StrCat("record ", i), last);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return last;
    last = r->sequence;
  }
  return last;
}

TEST(JetStreamCheckpointsTest, WrittenOnOneServerLoadsOnAnotherByteForByte) {
  absl::StatusOr<std::unique_ptr<NatsCluster>> nats = NatsCluster::Start({});
  ASSERT_TRUE(nats.ok()) << nats.status();
  // Node A talks to server 0 only, node B to server 2 only.
  std::unique_ptr<NatsClient> a_client = Connect({(*nats)->url(0)});
  std::unique_ptr<NatsClient> b_client = Connect({(*nats)->url(2)});
  ASSERT_TRUE(a_client && b_client);
  absl::StatusOr<std::unique_ptr<JetStreamLog>> log =
      JetStreamLog::Open(a_client.get(), JetStreamLogOptions{3});
  ASSERT_TRUE(log.ok()) << log.status();
  std::unique_ptr<JetStreamCheckpoints> a = OpenCheckpoints(a_client.get(), 3);
  std::unique_ptr<JetStreamCheckpoints> b = OpenCheckpoints(b_client.get(), 3);
  ASSERT_TRUE(a && b);

  absl::StatusOr<LoadedCheckpoint> none = b->Load(4);
  EXPECT_TRUE(absl::IsNotFound(none.status())) << none.status();

  const uint64_t last = AppendRecords(log->get(), 4, 3);
  // 2.5 MiB of shops: more than NATS' 1 MiB max payload, so it is chunked.
  const PartitionCheckpoint written = Sample(4, last, 5 << 19, 7);
  absl::StatusOr<uint64_t> revision = a->Write(written, 0, last);
  ASSERT_TRUE(revision.ok()) << revision.status();

  absl::StatusOr<CheckpointManifest> manifest = b->Manifest(4);
  ASSERT_TRUE(manifest.ok()) << manifest.status();
  EXPECT_EQ(manifest->cut, last);
  EXPECT_EQ(manifest->revision, *revision);
  EXPECT_GE(manifest->chunks, 3);
  EXPECT_LT(manifest->chunk_bytes,
            static_cast<uint64_t>(
                natsConnection_GetMaxPayload(a_client->connection())));

  absl::StatusOr<LoadedCheckpoint> loaded = b->Load(4);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->revision, *revision);
  ExpectSame(written, loaded->checkpoint);

  // A cut past the log's end is refused: the checkpoint would claim
  // records no one can replay.
  absl::StatusOr<uint64_t> ahead =
      a->Write(Sample(4, last + 1, 10, 8), *revision, last);
  EXPECT_TRUE(absl::IsFailedPrecondition(ahead.status())) << ahead.status();

  // B takes the partition over and checkpoints from what it loaded; A, now
  // stale, is fenced off by the manifest revision and changes nothing.
  const uint64_t b_last = AppendRecords(log->get(), 4, 2, last);
  const PartitionCheckpoint b_written = Sample(4, b_last, 3000, 9);
  absl::StatusOr<uint64_t> b_revision =
      b->Write(b_written, loaded->revision, b_last);
  ASSERT_TRUE(b_revision.ok()) << b_revision.status();
  absl::StatusOr<uint64_t> stale =
      a->Write(Sample(4, b_last, 10, 10), *revision, b_last);
  ASSERT_FALSE(stale.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(stale.status())) << stale.status();
  EXPECT_THAT(std::string(stale.status().message()),
              HasSubstr("no longer owns the partition"));
  // An older cut than the stored one is refused too.
  absl::StatusOr<uint64_t> older =
      b->Write(Sample(4, last, 10, 11), *b_revision, b_last);
  EXPECT_TRUE(absl::IsFailedPrecondition(older.status())) << older.status();

  loaded = a->Load(4);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ExpectSame(b_written, loaded->checkpoint);
  // The first checkpoint's chunks went once the second's manifest landed.
  NatsKv kv(a_client.get(), daemon::kCheckpointBucket);
  absl::StatusOr<KvEntry> old_chunk =
      kv.Get(JetStreamCheckpoints::ChunkKey(4, manifest->write_id, 0));
  EXPECT_TRUE(absl::IsNotFound(old_chunk.status())) << old_chunk.status();
}

TEST(JetStreamCheckpointsTest,
     WriteThatStoppedBeforeItsManifestLoadsThePrevious) {
  absl::StatusOr<std::unique_ptr<NatsCluster>> nats =
      NatsCluster::Start({.servers = 1});
  ASSERT_TRUE(nats.ok()) << nats.status();
  std::unique_ptr<NatsClient> client = Connect((*nats)->urls());
  ASSERT_NE(client, nullptr);
  JetStreamCheckpointsOptions options;
  options.replicas = 1;
  options.chunk_bytes = 1000;  // many chunks from a small checkpoint
  absl::StatusOr<std::unique_ptr<JetStreamCheckpoints>> checkpoints =
      JetStreamCheckpoints::Open(client.get(), options);
  ASSERT_TRUE(checkpoints.ok()) << checkpoints.status();
  JetStreamCheckpoints* cp = checkpoints->get();

  const PartitionCheckpoint first = Sample(0, 5, 4500, 1);
  absl::StatusOr<uint64_t> revision = cp->Write(first, 0, 5);
  ASSERT_TRUE(revision.ok()) << revision.status();
  absl::StatusOr<CheckpointManifest> manifest = cp->Manifest(0);
  ASSERT_TRUE(manifest.ok()) << manifest.status();

  // A writer that died after its chunks and before its manifest (it had
  // read the current manifest), and one still writing that read a manifest
  // revision from the future (its write could still land: never touched).
  NatsKv kv(client.get(), daemon::kCheckpointBucket);
  const std::string dead = absl::StrCat("w", *revision, "-dead");
  for (int i = 0; i < 9; ++i) {
    ASSERT_TRUE(kv.Put(JetStreamCheckpoints::ChunkKey(0, dead, i),
                       RandomBytes(1000, 100 + i))
                    .ok());
  }
  const std::string future = "w999999-beef";
  ASSERT_TRUE(kv.Put(JetStreamCheckpoints::ChunkKey(0, future, 0), "x").ok());
  absl::StatusOr<LoadedCheckpoint> loaded = cp->Load(0);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->revision, *revision);
  ExpectSame(first, loaded->checkpoint);

  // The next write lands whole; then the previous checkpoint's chunks and
  // the dead writer's go, the future writer's stay.
  const PartitionCheckpoint second = Sample(0, 8, 2500, 2);
  absl::StatusOr<uint64_t> next = cp->Write(second, *revision, 8);
  ASSERT_TRUE(next.ok()) << next.status();
  loaded = cp->Load(0);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ExpectSame(second, loaded->checkpoint);
  EXPECT_TRUE(absl::IsNotFound(
      kv.Get(JetStreamCheckpoints::ChunkKey(0, dead, 8)).status()));
  EXPECT_TRUE(absl::IsNotFound(
      kv.Get(JetStreamCheckpoints::ChunkKey(0, manifest->write_id, 0))
          .status()));
  EXPECT_TRUE(kv.Get(JetStreamCheckpoints::ChunkKey(0, future, 0)).ok());
}

// A stale owner and the new one write at once, both expecting the same
// manifest revision: exactly one lands, and what loads is the winner's
// checkpoint byte for byte (the loser never touched the winner's chunks).
TEST(JetStreamCheckpointsTest, RacingWritersNeverMixTheirChunks) {
  absl::StatusOr<std::unique_ptr<NatsCluster>> nats =
      NatsCluster::Start({.servers = 1});
  ASSERT_TRUE(nats.ok()) << nats.status();
  std::unique_ptr<NatsClient> a_client = Connect((*nats)->urls());
  std::unique_ptr<NatsClient> b_client = Connect((*nats)->urls());
  ASSERT_TRUE(a_client && b_client);
  JetStreamCheckpointsOptions options;
  options.replicas = 1;
  options.chunk_bytes = 4096;  // many chunks, so the writes interleave
  absl::StatusOr<std::unique_ptr<JetStreamCheckpoints>> a =
      JetStreamCheckpoints::Open(a_client.get(), options);
  absl::StatusOr<std::unique_ptr<JetStreamCheckpoints>> b =
      JetStreamCheckpoints::Open(b_client.get(), options);
  ASSERT_TRUE(a.ok() && b.ok());

  uint64_t revision = 0;
  for (int round = 0; round < 5; ++round) {
    const PartitionCheckpoint a_cp = Sample(2, 10 + round, 200000, 2 * round);
    const PartitionCheckpoint b_cp =
        Sample(2, 10 + round, 200000, 2 * round + 1);
    absl::StatusOr<uint64_t> a_result, b_result;
    std::thread a_thread([&] { a_result = (*a)->Write(a_cp, revision, 100); });
    std::thread b_thread([&] { b_result = (*b)->Write(b_cp, revision, 100); });
    a_thread.join();
    b_thread.join();
    ASSERT_NE(a_result.ok(), b_result.ok())
        << "round " << round << ": " << a_result.status() << " / "
        << b_result.status();
    const absl::Status& lost =
        a_result.ok() ? b_result.status() : a_result.status();
    EXPECT_TRUE(absl::IsFailedPrecondition(lost)) << lost;
    absl::StatusOr<LoadedCheckpoint> loaded = (*a)->Load(2);
    ASSERT_TRUE(loaded.ok()) << "round " << round << ": " << loaded.status();
    ExpectSame(a_result.ok() ? a_cp : b_cp, loaded->checkpoint);
    revision = loaded->revision;
  }
}

TEST(JetStreamCheckpointsTest, PurgeBeforeTheCutKeepsTheRecordsAfterIt) {
  absl::StatusOr<std::unique_ptr<NatsCluster>> nats =
      NatsCluster::Start({.servers = 1});
  ASSERT_TRUE(nats.ok()) << nats.status();
  std::unique_ptr<NatsClient> client = Connect((*nats)->urls());
  ASSERT_NE(client, nullptr);
  absl::StatusOr<std::unique_ptr<JetStreamLog>> log =
      JetStreamLog::Open(client.get(), JetStreamLogOptions{1});
  ASSERT_TRUE(log.ok()) << log.status();
  std::unique_ptr<JetStreamCheckpoints> cp = OpenCheckpoints(client.get(), 1);
  ASSERT_NE(cp, nullptr);

  const uint64_t cut = AppendRecords(log->get(), 3, 3);
  AppendRecords(log->get(), 9, 2);  // another partition, interleaved
  const uint64_t last = AppendRecords(log->get(), 3, 2, cut);
  ASSERT_TRUE(cp->Write(Sample(3, cut, 100, 3), 0, last).ok());
  ASSERT_TRUE(cp->PurgeLogBefore(3, cut).ok());

  absl::StatusOr<std::vector<LogRecord>> records = (*log)->Read(3, 1, 100);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 2u);
  EXPECT_GT((*records)[0].sequence, cut);
  EXPECT_EQ((*records)[1].sequence, last);
  EXPECT_EQ((*records)[1].data, "record 1");
  // The other partition keeps everything, and appends go on after a purge.
  records = (*log)->Read(9, 1, 100);
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_EQ(records->size(), 2u);
  EXPECT_EQ(AppendRecords(log->get(), 3, 1, last) > last, true);
}

TEST(JetStreamCheckpointsTest,
     ForeignOrCorruptCheckpointIsRefusedWithWhatToDo) {
  absl::StatusOr<std::unique_ptr<NatsCluster>> nats =
      NatsCluster::Start({.servers = 1});
  ASSERT_TRUE(nats.ok()) << nats.status();
  std::unique_ptr<NatsClient> client = Connect((*nats)->urls());
  ASSERT_NE(client, nullptr);
  std::unique_ptr<JetStreamCheckpoints> cp = OpenCheckpoints(client.get(), 1);
  ASSERT_NE(cp, nullptr);
  NatsKv kv(client.get(), daemon::kCheckpointBucket);

  struct Case {
    std::string name;
    std::string manifest;
    std::string says;
  };
  const std::string good_tail =
      "\ncut 1\nwrite w0-0\nchunks 0 1000\nbody_bytes 0\nfnv64 "
      "cbf29ce484222325\n";
  const std::vector<Case> cases = {
      {"not a manifest", "hello", "first line"},
      {"empty", "", "first line"},
      {"newer format", "depositd-checkpoint 2\npartition 0" + good_tail,
       "first line"},
      {"another partition's", "depositd-checkpoint 1\npartition 1" + good_tail,
       "names partition 1"},
      {"a field missing", "depositd-checkpoint 1\npartition 0\ncut 1\n",
       "missing"},
      {"unknown line",
       "depositd-checkpoint 1\npartition 0\nshops 7" + good_tail,
       "not understood"},
      {"sizes disagree",
       "depositd-checkpoint 1\npartition 0\ncut 1\nwrite w0-0\nchunks 1 10\n"
       "body_bytes 5\nfnv64 0\nsection shops 4\n",
       "disagree"},
  };
  for (const Case& c : cases) {
    ASSERT_TRUE(kv.Put(JetStreamCheckpoints::ManifestKey(0), c.manifest).ok());
    absl::StatusOr<LoadedCheckpoint> loaded = cp->Load(0);
    ASSERT_FALSE(loaded.ok()) << c.name;
    EXPECT_TRUE(absl::IsDataLoss(loaded.status()))
        << c.name << ": " << loaded.status();
    EXPECT_THAT(std::string(loaded.status().message()), HasSubstr(c.says))
        << c.name;
    EXPECT_THAT(std::string(loaded.status().message()),
                HasSubstr("nats kv del depositd_checkpoints p0"))
        << c.name;
    // A writer does not paper over it either.
    EXPECT_TRUE(absl::IsDataLoss(cp->Write(Sample(0, 2, 10, 1), 0, 2).status()))
        << c.name;
  }

  // A real checkpoint whose chunk was overwritten, then removed.
  const PartitionCheckpoint written = Sample(5, 1, 3000, 5);
  ASSERT_TRUE(cp->Write(written, 0, 1).ok());
  absl::StatusOr<CheckpointManifest> manifest = cp->Manifest(5);
  ASSERT_TRUE(manifest.ok()) << manifest.status();
  const std::string chunk =
      JetStreamCheckpoints::ChunkKey(5, manifest->write_id, 0);
  absl::StatusOr<KvEntry> entry = kv.Get(chunk);
  ASSERT_TRUE(entry.ok()) << entry.status();
  ASSERT_TRUE(kv.Put(chunk, "something else").ok());
  absl::StatusOr<LoadedCheckpoint> loaded = cp->Load(5);
  EXPECT_TRUE(absl::IsDataLoss(loaded.status())) << loaded.status();
  EXPECT_THAT(std::string(loaded.status().message()), HasSubstr("checksum"));
  entry = kv.Get(chunk);
  ASSERT_TRUE(entry.ok()) << entry.status();
  ASSERT_TRUE(kv.Delete(chunk, entry->revision).ok());
  loaded = cp->Load(5);
  EXPECT_TRUE(absl::IsDataLoss(loaded.status())) << loaded.status();
  EXPECT_THAT(std::string(loaded.status().message()), HasSubstr("lacks"));
}

// `depositctl cluster status`'s lag: log records after each partition's
// checkpoint cut (the whole log where there is none yet), and a manifest
// depositd did not write named, not fatal.
TEST(JetStreamCheckpointsTest, ClusterStatusShowsEachPartitionsLag) {
  absl::StatusOr<std::unique_ptr<NatsCluster>> nats =
      NatsCluster::Start({.servers = 1});
  ASSERT_TRUE(nats.ok()) << nats.status();
  std::unique_ptr<NatsClient> client = Connect((*nats)->urls());
  ASSERT_NE(client, nullptr);
  daemon::PartitionLeasesOptions options;
  options.node_id = "node-0";
  options.partitions = 4;
  options.replicas = 1;
  absl::StatusOr<std::unique_ptr<daemon::PartitionLeases>> leases =
      daemon::PartitionLeases::Join(client.get(), options);
  ASSERT_TRUE(leases.ok()) << leases.status();
  absl::StatusOr<std::unique_ptr<JetStreamLog>> log =
      JetStreamLog::Open(client.get(), JetStreamLogOptions{1});
  ASSERT_TRUE(log.ok()) << log.status();
  std::unique_ptr<JetStreamCheckpoints> cp = OpenCheckpoints(client.get(), 1);
  ASSERT_NE(cp, nullptr);

  const uint64_t cut = AppendRecords(log->get(), 1, 2);
  const uint64_t last = AppendRecords(log->get(), 1, 3, cut);
  AppendRecords(log->get(), 2, 2);
  ASSERT_TRUE(cp->Write(Sample(1, cut, 10, 1), 0, last).ok());
  NatsKv kv(client.get(), daemon::kCheckpointBucket);
  ASSERT_TRUE(kv.Put(JetStreamCheckpoints::ManifestKey(3), "junk").ok());

  absl::StatusOr<daemon::ClusterStatus> status =
      daemon::ReadClusterStatus(client.get());
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->checkpoint_cut, (std::vector<uint64_t>{0, cut, 0, 0}));
  EXPECT_EQ(status->lag, (std::vector<uint64_t>{0, 3, 2, 0}));
  EXPECT_THAT(status->checkpoint_error[3], HasSubstr("nats kv del"));
  const std::string text = daemon::FormatClusterStatus(*status, absl::Now());
  EXPECT_THAT(text, HasSubstr("lag per partition"));
  EXPECT_THAT(text, HasSubstr("  0:0* 1:3 2:2* 3:0*"));
  EXPECT_THAT(text, HasSubstr("checkpoint of partition 3 unreadable"));

  // Purging the log before the cut changes nothing in the lag.
  ASSERT_TRUE(cp->PurgeLogBefore(1, cut).ok());
  status = daemon::ReadClusterStatus(client.get());
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->lag, (std::vector<uint64_t>{0, 3, 2, 0}));
}

}  // namespace
}  // namespace depositd::integration
