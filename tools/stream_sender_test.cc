#include "tools/stream_sender.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"

namespace depositd::tools {
namespace {

// A fake EventIngest: acks every batch, marking events whose id starts with
// "bad" REJECTED. Optional faults: fail the stream after `fail_after`
// batches, or ack with a wrong batch_seq.
class FakeIngest final : public v1::EventIngest::Service {
 public:
  int fail_after = -1;
  bool wrong_seq = false;

  grpc::Status Stream(grpc::ServerContext*,
                      grpc::ServerReaderWriter<v1::IngestAck, v1::EventBatch>*
                          stream) override {
    v1::EventBatch batch;
    int batches = 0;
    while (stream->Read(&batch)) {
      if (batches == fail_after) {
        return grpc::Status(grpc::StatusCode::UNAVAILABLE, "going away");
      }
      ++batches;
      v1::IngestAck ack;
      ack.set_batch_seq(wrong_seq ? batch.batch_seq() + 1 : batch.batch_seq());
      for (const v1::Event& e : batch.events()) {
        v1::EventResult* r = ack.add_results();
        if (e.event_id().rfind("bad", 0) == 0) {
          r->set_outcome(v1::REJECTED);
          r->set_reason("bad id");
          ack.set_rejected(ack.rejected() + 1);
        } else {
          r->set_outcome(v1::APPLIED);
          ack.set_applied(ack.applied() + 1);
        }
      }
      if (!stream->Write(ack)) break;
    }
    return grpc::Status::OK;
  }
};

class StreamSenderTest : public ::testing::Test {
 protected:
  void StartServer() {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::EventIngest::NewStub(channel_);
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  // Produces `n` events with tags 1000+i; ids "e<i>" or "bad<i>".
  static StreamSender::Producer Events(int n, int* next, int bad_every = 0) {
    return [n, next, bad_every](StreamSender::Item* item) {
      if (*next == n) return false;
      const int i = (*next)++;
      const bool bad = bad_every > 0 && i % bad_every == 0;
      item->event.set_event_id(absl::StrCat(bad ? "bad" : "e", i));
      item->tag = 1000 + i;
      return true;
    };
  }

  FakeIngest service_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::EventIngest::Stub> stub_;
};

TEST_F(StreamSenderTest, SendsEverythingInBatchesAndMatchesAcks) {
  StartServer();
  StreamSender::Options options;
  options.batch_size = 100;
  options.max_in_flight = 4;
  options.first_batch_seq = 50;
  StreamSender sender(stub_.get(), options);
  int next = 0;
  std::vector<uint64_t> seqs;
  std::vector<int64_t> tags;
  int64_t rejected = 0;
  absl::Status status = sender.Run(
      Events(1050, &next, /*bad_every=*/100),
      [&](const StreamSender::SentBatch& b, const v1::IngestAck& ack) {
        EXPECT_EQ(b.batch.batch_seq(), ack.batch_seq());
        ASSERT_EQ(b.tags.size(), static_cast<size_t>(b.batch.events_size()));
        seqs.push_back(ack.batch_seq());
        for (int i = 0; i < ack.results_size(); ++i) {
          tags.push_back(b.tags[i]);
          if (ack.results(i).outcome() == v1::REJECTED) {
            ++rejected;
            EXPECT_EQ(b.batch.events(i).event_id(),
                      absl::StrCat("bad", b.tags[i] - 1000));
          }
        }
      });
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_EQ(seqs.size(), 11u);  // 10 full batches and one of 50.
  for (size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], 50 + i);
  ASSERT_EQ(tags.size(), 1050u);
  for (size_t i = 0; i < tags.size(); ++i) EXPECT_EQ(tags[i], 1000 + i);
  EXPECT_EQ(rejected, 11);
  EXPECT_EQ(sender.events_sent(), 1050);
  EXPECT_EQ(sender.events_acked(), 1050);
}

TEST_F(StreamSenderTest, EmptyInputIsOk) {
  StartServer();
  StreamSender sender(stub_.get(), StreamSender::Options());
  int next = 0;
  int acks = 0;
  absl::Status status = sender.Run(
      Events(0, &next),
      [&](const StreamSender::SentBatch&, const v1::IngestAck&) { ++acks; });
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(acks, 0);
}

TEST_F(StreamSenderTest, StreamFailureReturnsItsStatusAfterTheAcksSoFar) {
  service_.fail_after = 3;
  StartServer();
  StreamSender::Options options;
  options.batch_size = 10;
  options.max_in_flight = 2;
  StreamSender sender(stub_.get(), options);
  int next = 0;
  int acks = 0;
  absl::Status status = sender.Run(
      Events(1000, &next),
      [&](const StreamSender::SentBatch&, const v1::IngestAck&) { ++acks; });
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_EQ(acks, 3);
  EXPECT_EQ(sender.events_acked(), 30);
  // The window kept the producer from running far ahead of the acks.
  EXPECT_LT(next, 100);
}

TEST_F(StreamSenderTest, AckForTheWrongBatchIsAnError) {
  service_.wrong_seq = true;
  StartServer();
  StreamSender sender(stub_.get(), StreamSender::Options());
  int next = 0;
  absl::Status status =
      sender.Run(Events(10, &next),
                 [&](const StreamSender::SentBatch&, const v1::IngestAck&) {
                   ADD_FAILURE() << "no ack should be handed over";
                 });
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
}

TEST_F(StreamSenderTest, UnreachableServerIsUnavailable) {
  // Nothing listens on this channel's address.
  auto channel =
      grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials());
  auto stub = v1::EventIngest::NewStub(channel);
  StreamSender::Options options;
  options.deadline = absl::Seconds(10);
  StreamSender sender(stub.get(), options);
  int next = 0;
  absl::Status status =
      sender.Run(Events(10, &next),
                 [&](const StreamSender::SentBatch&, const v1::IngestAck&) {});
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
}

TEST_F(StreamSenderTest, RejectsBadOptions) {
  StartServer();
  StreamSender::Options options;
  options.batch_size = 0;
  StreamSender sender(stub_.get(), options);
  int next = 0;
  EXPECT_EQ(sender
                .Run(Events(1, &next), [](const StreamSender::SentBatch&,
                                          const v1::IngestAck&) {})
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace depositd::tools
