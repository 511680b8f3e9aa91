// Malformed ingest requests through the real binary, sent as raw bytes:
// strings that are not UTF-8 in each kind of string field (envelope ids,
// free text, body ids, a nested Money's currency), truncated and garbage
// batches, on Stream between good batches and on Publish. Every good batch
// is acknowledged; a bad event comes back REJECTED naming its field while
// the rest of its batch is applied; a batch that is not an EventBatch gets
// INVALID_ARGUMENT naming it (never a silent OK end); and the daemon's
// state then equals that of a run that never saw the bad input.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "daemon/auth.h"
#include "depositd/v1/service.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"
#include "tests/raw_ingest_client.h"
#include "tests/temp_files.h"
#include "tests/test_events.h"

namespace depositd::integration {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<DaemonHarness> StartDaemon() {
  absl::StatusOr<std::unique_ptr<DaemonHarness>> d =
      DaemonHarness::Start(DaemonHarness::Options());
  EXPECT_TRUE(d.ok()) << d.status();
  return d.ok() ? *std::move(d) : nullptr;
}

// What an operator can see of tenant acme: the shop list and every shop's
// report, serialized (deterministic under the test clock).
std::string StateOf(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = v1::Readiness::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  v1::ListShopsRequest request;
  request.set_tenant("acme");
  request.set_page_size(1000);
  v1::ListShopsResponse shops;
  grpc::Status s = stub->ListShops(&context, request, &shops);
  EXPECT_TRUE(s.ok()) << s.error_message();
  std::string state = shops.SerializeAsString();
  for (const v1::ShopSummary& shop : shops.shops()) {
    absl::StatusOr<v1::ReadinessReport> report =
        GetShop(channel, "acme", shop.shop_id());
    EXPECT_TRUE(report.ok()) << report.status();
    if (report.ok()) absl::StrAppend(&state, report->SerializeAsString());
  }
  return state;
}

struct BadEvent {
  const char* field;  // as named in the reason
  v1::Event event;    // with "@@@@" where the broken string goes
};

std::vector<BadEvent> BadEvents(const ShopEvents& a1) {
  std::vector<BadEvent> bad;
  v1::Event e = a1.Order("x1", "2026-03-01T00:00:00Z", "o-9", v1::PLACED);
  e.set_event_id("@@@@");
  bad.push_back({"event_id", e});
  bad.push_back({"tenant", ShopEvents("@@@@", "a-1")
                               .Registered("x2", "2026-03-01T00:00:00Z",
                                           "douyin", "CN")});
  bad.push_back({"shop_id", ShopEvents("acme", "@@@@")
                                .Registered("x3", "2026-03-01T00:00:00Z",
                                            "douyin", "CN")});
  e = a1.Order("x4", "2026-03-01T00:00:00Z", "o-9", v1::PLACED);
  e.set_source("@@@@");
  bad.push_back({"source", e});
  bad.push_back({"order_status_changed.order_id",
                 a1.Order("x5", "2026-03-01T00:00:00Z", "@@@@", v1::PLACED)});
  bad.push_back({"deposit_paid.amount.currency",
                 a1.DepositPaid("x6", "2026-03-01T00:00:00Z", "dep-9", 100,
                                "@@@@", "paypal", "acct-1")});
  bad.push_back(
      {"shop_registered.site",
       ShopEvents("acme", "a-3")
           .Registered("x7", "2026-03-01T00:00:00Z", "douyin", "@@@@")});
  return bad;
}

TEST(IngestEdgeTest, InvalidUtf8EventsAreRejectedAndTheRestApplied) {
  const ShopEvents a1("acme", "a-1"), a2("acme", "a-2");
  const std::vector<v1::Event> first = {
      a1.Registered("g1", "2026-02-01T00:00:00Z", "douyin", "CN"),
      a1.DepositPaid("g2", "2026-02-01T01:00:00Z", "dep-1", 3000000, "CNY",
                     "corporate_account", "corp-A")};
  const std::vector<v1::Event> middle_good = {
      a2.Registered("g3", "2026-02-02T00:00:00Z", "douyin", "CN"),
      a1.Order("g4", "2026-02-03T00:00:00Z", "o-1", v1::PLACED)};
  const std::vector<v1::Event> last = {
      a2.Order("g5", "2026-02-04T00:00:00Z", "o-2", v1::PLACED)};
  const std::vector<v1::Event> published_good = {
      a1.Order("g6", "2026-02-05T00:00:00Z", "o-3", v1::PLACED)};
  const std::vector<BadEvent> bad = BadEvents(a1);

  // The middle batch: good, every bad one, good.
  std::vector<v1::Event> middle = {middle_good[0]};
  for (const BadEvent& b : bad) middle.push_back(b.event);
  middle.push_back(middle_good[1]);
  // Publish: a bad one between good ones.
  const std::vector<v1::Event> published = {bad[4].event, published_good[0]};

  std::unique_ptr<DaemonHarness> daemon = StartDaemon();
  ASSERT_NE(daemon, nullptr);
  {
    RawIngestStream stream(daemon->channel());
    ASSERT_TRUE(stream.Write(Batch(1, first).SerializeAsString()));
    ASSERT_TRUE(
        stream.Write(SpoilMarkers(Batch(2, middle).SerializeAsString())));
    ASSERT_TRUE(stream.Write(Batch(3, last).SerializeAsString()));
    absl::StatusOr<v1::IngestAck> ack1 = stream.ReadAck();
    absl::StatusOr<v1::IngestAck> ack2 = stream.ReadAck();
    absl::StatusOr<v1::IngestAck> ack3 = stream.ReadAck();
    if (!ack1.ok() || !ack2.ok() || !ack3.ok()) {
      const grpc::Status end = stream.Finish();
      FAIL() << ack1.status() << ack2.status() << ack3.status()
             << " stream ended: " << end.error_code() << " "
             << end.error_message() << "\n"
             << daemon->LogTail();
    }
    EXPECT_EQ(ack1->batch_seq(), 1u);
    EXPECT_EQ(ack1->applied(), 2u);
    EXPECT_EQ(ack2->batch_seq(), 2u);
    ASSERT_EQ(ack2->results_size(), static_cast<int>(middle.size()));
    EXPECT_EQ(ack2->applied(), 2u);
    EXPECT_EQ(ack2->rejected(), bad.size());
    EXPECT_EQ(ack2->results(0).outcome(), v1::APPLIED);
    EXPECT_EQ(ack2->results(bad.size() + 1).outcome(), v1::APPLIED);
    for (size_t i = 0; i < bad.size(); ++i) {
      SCOPED_TRACE(bad[i].field);
      const v1::EventResult& r = ack2->results(i + 1);
      EXPECT_EQ(r.outcome(), v1::REJECTED);
      EXPECT_THAT(
          r.reason(),
          HasSubstr(absl::StrCat("field ", bad[i].field,
                                 " is not valid UTF-8 (byte 2 of its value)")));
    }
    EXPECT_EQ(ack3->batch_seq(), 3u);
    EXPECT_EQ(ack3->applied(), 1u);
    const grpc::Status end = stream.Finish();
    EXPECT_TRUE(end.ok()) << end.error_message();
  }
  v1::IngestAck ack;
  const grpc::Status s =
      RawPublish(daemon->channel(),
                 SpoilMarkers(Batch(4, published).SerializeAsString()), &ack);
  ASSERT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
  ASSERT_EQ(ack.results_size(), 2);
  EXPECT_EQ(ack.results(0).outcome(), v1::REJECTED);
  EXPECT_THAT(ack.results(0).reason(),
              HasSubstr("field order_status_changed.order_id is not valid"));
  EXPECT_EQ(ack.results(1).outcome(), v1::APPLIED);
  EXPECT_EQ(ack.applied(), 1u);
  EXPECT_EQ(ack.rejected(), 1u);

  // The same good events, and nothing else, on a fresh daemon.
  std::unique_ptr<DaemonHarness> clean = StartDaemon();
  ASSERT_NE(clean, nullptr);
  for (const auto& events : {first, middle_good, last, published_good}) {
    absl::StatusOr<v1::IngestAck> a = Publish(clean->channel(), events);
    ASSERT_TRUE(a.ok()) << a.status();
    ASSERT_EQ(a->applied(), events.size());
  }
  EXPECT_EQ(StateOf(daemon->channel()), StateOf(clean->channel()));
}

TEST(IngestEdgeTest, UndecodableBatchGetsInvalidArgumentNamingIt) {
  const ShopEvents a1("acme", "a-1"), a2("acme", "a-2");
  const std::vector<v1::Event> good = {
      a1.Registered("g1", "2026-02-01T00:00:00Z", "douyin", "CN")};
  const std::string other =
      Batch(8, {a2.Registered("g2", "2026-02-01T00:00:00Z", "douyin", "CN")})
          .SerializeAsString();
  const std::string truncated = other.substr(0, other.size() - 3);
  const std::string garbage("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11);

  std::unique_ptr<DaemonHarness> daemon = StartDaemon();
  ASSERT_NE(daemon, nullptr);
  for (const std::string& bad : {truncated, garbage}) {
    RawIngestStream stream(daemon->channel());
    ASSERT_TRUE(stream.Write(Batch(41, good).SerializeAsString()));
    absl::StatusOr<v1::IngestAck> ack = stream.ReadAck();
    ASSERT_TRUE(ack.ok()) << ack.status();
    EXPECT_EQ(ack->batch_seq(), 41u);
    EXPECT_EQ(ack->applied() + ack->duplicates(), 1u);
    stream.Write(bad);
    stream.Write(other);  // never read: the stream ends at the bad batch
    EXPECT_EQ(stream.ReadAck().status().code(), absl::StatusCode::kNotFound);
    const grpc::Status end = stream.Finish();
    EXPECT_EQ(end.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(end.error_message(),
                HasSubstr("batch 2 of this stream (the one after batch_seq "
                          "41)"));
    EXPECT_THAT(end.error_message(), HasSubstr("truncated or not protobuf"));
  }
  {
    RawIngestStream stream(daemon->channel());
    stream.Write(garbage);
    const grpc::Status end = stream.Finish();
    EXPECT_EQ(end.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(end.error_message(), HasSubstr("batch 1 of this stream (the "
                                               "first)"));
  }
  for (const std::string& bad : {truncated, garbage}) {
    v1::IngestAck ack;
    const grpc::Status s = RawPublish(daemon->channel(), bad, &ack);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(),
                HasSubstr("EventIngest.Publish: the batch cannot be decoded"));
  }

  // Six undecodable requests: counted, one log line (at most one per 10 s).
  const std::string log = daemon->LogTail(200);
  EXPECT_THAT(log, HasSubstr("a batch that does not decode"));
  EXPECT_EQ(log.find("does not decode"), log.rfind("does not decode")) << log;

  std::unique_ptr<DaemonHarness> clean = StartDaemon();
  ASSERT_NE(clean, nullptr);
  ASSERT_TRUE(Publish(clean->channel(), good).ok());
  EXPECT_EQ(StateOf(daemon->channel()), StateOf(clean->channel()));
}

TEST(IngestEdgeTest, DecodeAndTenantRejectionsKeepTheirPlaces) {
  ScopedTempDir dir("depositd-edge");
  const std::string token = "acme-ingest-4f1d2e3c";
  const std::string tokens =
      WriteFile(dir.path(), "tokens",
                absl::StrCat("sha256:", daemon::Sha256Hex(token),
                             " tenant=acme roles=ingest,read\n"));
  DaemonHarness::Options options;
  options.token_file = tokens;
  options.client.token = token;
  absl::StatusOr<std::unique_ptr<DaemonHarness>> d =
      DaemonHarness::Start(options);
  ASSERT_TRUE(d.ok()) << d.status();
  const ShopEvents a1("acme", "a-1"), g1("globex", "g-1");
  const std::vector<v1::Event> events = {
      a1.Registered("e1", "2026-02-01T00:00:00Z", "douyin", "CN"),
      a1.Order("e2", "2026-02-02T00:00:00Z", "@@@@", v1::PLACED),
      g1.Registered("e3", "2026-02-01T00:00:00Z", "douyin", "CN"),
      a1.Order("e4", "2026-02-02T00:00:00Z", "o-1", v1::PLACED)};
  for (const bool stream : {false, true}) {
    SCOPED_TRACE(stream ? "Stream" : "Publish");
    const std::string bytes =
        SpoilMarkers(Batch(stream ? 2 : 1, events).SerializeAsString());
    v1::IngestAck ack;
    if (stream) {
      RawIngestStream s((*d)->channel());
      ASSERT_TRUE(s.Write(bytes));
      absl::StatusOr<v1::IngestAck> a = s.ReadAck();
      ASSERT_TRUE(a.ok()) << a.status();
      ack = *a;
      EXPECT_TRUE(s.Finish().ok());
    } else {
      const grpc::Status s = RawPublish((*d)->channel(), bytes, &ack);
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
    ASSERT_EQ(ack.results_size(), 4);
    // Applied the first time; the same events again are duplicates.
    const v1::EventOutcome good = stream ? v1::DUPLICATE : v1::APPLIED;
    EXPECT_EQ(ack.results(0).outcome(), good);
    EXPECT_EQ(ack.results(1).outcome(), v1::REJECTED);
    EXPECT_THAT(ack.results(1).reason(),
                HasSubstr("field order_status_changed.order_id is not valid"));
    EXPECT_EQ(ack.results(2).outcome(), v1::REJECTED);
    EXPECT_THAT(ack.results(2).reason(), HasSubstr("PERMISSION_DENIED:"));
    EXPECT_EQ(ack.results(3).outcome(), good);
    EXPECT_EQ(ack.rejected(), 2u);
    EXPECT_EQ(ack.applied() + ack.duplicates(), 2u);
  }
}

}  // namespace
}  // namespace depositd::integration
