// The partition log in JetStream (daemon/jetstream_log.h) on real
// nats-server processes: appends with dedupe and fencing, reads from a
// sequence, a foreign message refused, and a 3-node cluster losing its
// quorum (UNAVAILABLE, never an ack) and recovering. Label "cluster".
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "daemon/jetstream_log.h"
#include "daemon/nats_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/nats_cluster.h"

namespace depositd::integration {
namespace {

using daemon::JetStreamLog;
using daemon::JetStreamLogOptions;
using daemon::LogAppendResult;
using daemon::LogRecord;
using daemon::NatsClient;
using daemon::NatsClientOptions;
using ::testing::HasSubstr;

std::unique_ptr<NatsClient> Connect(std::vector<std::string> servers,
                                    absl::Duration timeout = absl::Seconds(2)) {
  NatsClientOptions options;
  options.servers = std::move(servers);
  options.request_timeout = timeout;
  absl::StatusOr<std::unique_ptr<NatsClient>> client =
      NatsClient::Connect(options);
  EXPECT_TRUE(client.ok()) << client.status();
  return client.ok() ? *std::move(client) : nullptr;
}

std::unique_ptr<JetStreamLog> OpenLog(NatsClient* client, int replicas) {
  absl::StatusOr<std::unique_ptr<JetStreamLog>> log =
      JetStreamLog::Open(client, JetStreamLogOptions{replicas});
  EXPECT_TRUE(log.ok()) << log.status();
  return log.ok() ? *std::move(log) : nullptr;
}

TEST(JetStreamLogTest, AppendsAreDedupedFencedAndReadBack) {
  absl::StatusOr<std::unique_ptr<NatsCluster>> nats =
      NatsCluster::Start({.servers = 1});
  ASSERT_TRUE(nats.ok()) << nats.status();
  std::unique_ptr<NatsClient> a_client = Connect((*nats)->urls());
  std::unique_ptr<NatsClient> b_client = Connect((*nats)->urls());
  ASSERT_TRUE(a_client && b_client);
  std::unique_ptr<JetStreamLog> a = OpenLog(a_client.get(), 1);
  std::unique_ptr<JetStreamLog> b = OpenLog(b_client.get(), 1);
  ASSERT_TRUE(a && b);

  EXPECT_EQ(*a->LastSequence(5), 0u);
  absl::StatusOr<LogAppendResult> first = a->Append(5, "5-a-1", "record 1", 0);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(first->duplicate);

  // The same message id again (a retry after a lost ack): not stored twice.
  absl::StatusOr<LogAppendResult> retry = a->Append(5, "5-a-1", "record 1", 0);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->sequence, first->sequence);

  // A second writer that believes the partition is empty is fenced off.
  absl::StatusOr<LogAppendResult> fenced = b->Append(5, "5-b-1", "b's", 0);
  ASSERT_FALSE(fenced.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(fenced.status())) << fenced.status();
  EXPECT_THAT(std::string(fenced.status().message()),
              HasSubstr("no longer owns it"));

  // Other partitions are independent.
  ASSERT_TRUE(b->Append(6, "6-b-1", "other partition", 0).ok());

  // b takes partition 5 over from where it is; then a is the stale one.
  absl::StatusOr<uint64_t> last = b->LastSequence(5);
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(*last, first->sequence);
  absl::StatusOr<LogAppendResult> second =
      b->Append(5, "5-b-2", "record 2", *last);
  ASSERT_TRUE(second.ok()) << second.status();
  absl::StatusOr<LogAppendResult> stale =
      a->Append(5, "5-a-2", "stale", first->sequence);
  EXPECT_TRUE(absl::IsFailedPrecondition(stale.status())) << stale.status();

  absl::StatusOr<std::vector<LogRecord>> records = a->Read(5, 1, 100);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].data, "record 1");
  EXPECT_EQ((*records)[0].msg_id, "5-a-1");
  EXPECT_EQ((*records)[1].data, "record 2");
  EXPECT_EQ((*records)[1].sequence, second->sequence);
  // From a later sequence; and bounded by max.
  records = a->Read(5, second->sequence, 100);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].data, "record 2");
  records = a->Read(5, 1, 1);
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_EQ(records->size(), 1u);
  records = a->Read(5, second->sequence + 1, 100);
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_TRUE(records->empty());
  records = a->Read(7, 1, 100);
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_TRUE(records->empty());
}

TEST(JetStreamLogTest, ForeignMessageOnALogSubjectIsRefusedWithWhatToDo) {
  absl::StatusOr<std::unique_ptr<NatsCluster>> nats =
      NatsCluster::Start({.servers = 1});
  ASSERT_TRUE(nats.ok()) << nats.status();
  std::unique_ptr<NatsClient> client = Connect((*nats)->urls());
  ASSERT_NE(client, nullptr);
  std::unique_ptr<JetStreamLog> log = OpenLog(client.get(), 1);
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(log->Append(2, "2-1", "ours", 0).ok());
  // Some other program publishes on the log's subject.
  jsPubAck* ack = nullptr;
  ASSERT_EQ(js_Publish(&ack, client->jetstream(), "depositd.log.2", "junk", 4,
                       nullptr, nullptr),
            NATS_OK);
  const uint64_t foreign = ack->Sequence;
  jsPubAck_Destroy(ack);

  absl::StatusOr<std::vector<LogRecord>> records = log->Read(2, 1, 100);
  ASSERT_FALSE(records.ok());
  EXPECT_TRUE(absl::IsDataLoss(records.status())) << records.status();
  EXPECT_THAT(
      std::string(records.status().message()),
      HasSubstr(absl::StrCat("nats stream rmm DEPOSITD_LOG ", foreign)));
}

TEST(JetStreamLogTest, StreamWithOtherReplicasIsRefused) {
  absl::StatusOr<std::unique_ptr<NatsCluster>> nats =
      NatsCluster::Start({.servers = 1});
  ASSERT_TRUE(nats.ok()) << nats.status();
  std::unique_ptr<NatsClient> client = Connect((*nats)->urls());
  ASSERT_NE(client, nullptr);
  ASSERT_NE(OpenLog(client.get(), 1), nullptr);
  absl::StatusOr<std::unique_ptr<JetStreamLog>> r3 =
      JetStreamLog::Open(client.get(), JetStreamLogOptions{3});
  EXPECT_TRUE(absl::IsFailedPrecondition(r3.status())) << r3.status();
}

TEST(JetStreamLogTest, LosingQuorumIsUnavailableNeverAnAckAndRecovers) {
  absl::StatusOr<std::unique_ptr<NatsCluster>> nats = NatsCluster::Start({});
  ASSERT_TRUE(nats.ok()) << nats.status();
  // The client sits on server 0, the one that survives.
  std::unique_ptr<NatsClient> client =
      Connect((*nats)->urls(), absl::Seconds(2));
  ASSERT_NE(client, nullptr);
  std::unique_ptr<JetStreamLog> log = OpenLog(client.get(), 3);
  ASSERT_NE(log, nullptr);
  absl::StatusOr<LogAppendResult> before = log->Append(1, "1-1", "before", 0);
  ASSERT_TRUE(before.ok()) << before.status();

  ASSERT_TRUE((*nats)->Kill(1).ok());
  ASSERT_TRUE((*nats)->Kill(2).ok());
  // One of three replicas cannot make a quorum: every attempt fails, each
  // within the request timeout (plus slack for a loaded machine).
  for (int attempt = 0; attempt < 3; ++attempt) {
    const absl::Time start = absl::Now();
    absl::StatusOr<LogAppendResult> during =
        log->Append(1, "1-2", "during", before->sequence);
    const absl::Duration took = absl::Now() - start;
    ASSERT_FALSE(during.ok())
        << "acknowledged without a quorum, sequence " << during->sequence;
    EXPECT_TRUE(absl::IsUnavailable(during.status())) << during.status();
    EXPECT_LT(took, absl::Seconds(5)) << during.status();
    if (attempt == 0)
      std::cout << "without quorum: " << during.status() << "\n";
  }

  // The servers come back: the same append (same id, same expectation)
  // succeeds by itself once the stream has a leader again, stored once.
  ASSERT_TRUE((*nats)->Restart(1).ok());
  ASSERT_TRUE((*nats)->Restart(2).ok());
  const absl::Time restarted = absl::Now();
  absl::StatusOr<LogAppendResult> after;
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  do {
    after = log->Append(1, "1-2", "during", before->sequence);
  } while (!after.ok() && absl::IsUnavailable(after.status()) &&
           absl::Now() < deadline);
  ASSERT_TRUE(after.ok()) << after.status();
  std::cout << "appends resumed "
            << absl::FormatDuration(absl::Now() - restarted)
            << " after the servers restarted\n";
  absl::StatusOr<std::vector<LogRecord>> records = log->Read(1, 1, 100);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].data, "before");
  EXPECT_EQ((*records)[1].data, "during");
}

}  // namespace
}  // namespace depositd::integration
