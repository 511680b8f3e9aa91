// FeedReceivers in-process, with a fake ingest: what each outcome answers,
// that nothing reaches ingest on a 4xx, and the counters.
#include "daemon/feed_receivers.h"

#include <atomic>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "feeds/douyin_feed.h"
#include "feeds/signatures.h"
#include "feeds/tiktok_feed.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/text_serializer.h"

namespace depositd::daemon {
namespace {

using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1730000000);

std::string TikTokBody(const std::string& id, const std::string& status) {
  return absl::StrCat(
      R"({"type":1,"tts_notification_id":")", id,
      R"(","shop_id":"shop-1","timestamp":1730000000,"data":{"order_id":"o-1","order_status":")",
      status, R"(","update_time":1729990000}})");
}

HttpHookRequest TikTok(const std::string& body,
                       const std::string& secret = "tt-secret") {
  HttpHookRequest r;
  r.path = "/hooks/tiktok";
  r.body = body;
  r.headers["authorization"] = feeds::HmacSha256Hex(secret, "tt-app" + body);
  return r;
}

// A receiver whose ingest is `ingest`, serving TikTok and Douyin.
struct Fixture {
  explicit Fixture(
      std::function<void(v1::EventBatch, std::function<void(v1::IngestAck)>)>
          ingest,
      std::function<absl::Status()> writable = [] {
        return absl::OkStatus();
      }) {
    ConfiguredFeeds feeds;
    feeds::TikTokFeed::Options t;
    t.apps.push_back({"tt-app", "tt-secret", "acme", "", ""});
    feeds.platforms["tiktok"] = {*feeds::TikTokFeed::Create(t),
                                 absl::Milliseconds(100)};
    feeds::DouyinFeed::Options d;
    d.apps.push_back({"7001", "dy-secret", "acme", "", ""});
    feeds.platforms["douyin"] = {*feeds::DouyinFeed::Create(d),
                                 absl::Milliseconds(100)};
    feeds.amazon = true;
    feeds.max_body_bytes = 4096;
    FeedReceivers::Options o;
    o.ingest = std::move(ingest);
    o.writable = std::move(writable);
    o.now = [] { return kNow; };
    o.registry = &registry;
    auto r = FeedReceivers::Create(std::move(feeds), o);
    EXPECT_TRUE(r.ok()) << r.status();
    receivers = *std::move(r);
  }
  std::string Metrics() {
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, registry.Collect());
    return out.str();
  }
  prometheus::Registry registry;
  std::shared_ptr<FeedReceivers> receivers;
};

// Acks every event APPLIED at once, keeping the batches.
struct RecordingIngest {
  std::vector<v1::EventBatch> batches;
  void operator()(v1::EventBatch b, std::function<void(v1::IngestAck)> done) {
    v1::IngestAck ack;
    for (int i = 0; i < b.events_size(); ++i) {
      ack.add_results()->set_outcome(v1::APPLIED);
    }
    ack.set_applied(b.events_size());
    batches.push_back(std::move(b));
    done(std::move(ack));
  }
};

TEST(FeedReceiversTest, AnswersThePlatformAfterTheAck) {
  RecordingIngest ingest;
  Fixture f([&](v1::EventBatch b, std::function<void(v1::IngestAck)> d) {
    ingest(std::move(b), std::move(d));
  });
  HttpHookResponse r =
      f.receivers->Handle(TikTok(TikTokBody("n-1", "DELIVERED")));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");  // TikTok: HTTP 200, empty body
  ASSERT_EQ(ingest.batches.size(), 1u);
  ASSERT_EQ(ingest.batches[0].events_size(), 1);
  EXPECT_EQ(ingest.batches[0].events(0).tenant(), "acme");
  EXPECT_EQ(ingest.batches[0].events(0).event_id(), "tiktok:n-1");
  const std::string m = f.Metrics();
  EXPECT_THAT(
      m, HasSubstr(
             R"(depositd_feed_requests_received_total{platform="tiktok"} 1)"));
  EXPECT_THAT(
      m, HasSubstr(
             R"(depositd_feed_requests_verified_total{platform="tiktok"} 1)"));
  EXPECT_THAT(m,
              HasSubstr(R"(depositd_feed_events_total{platform="tiktok"} 1)"));
  EXPECT_THAT(
      m,
      HasSubstr(
          R"(depositd_feed_event_outcomes_total{outcome="applied",platform="tiktok"} 1)"));
}

TEST(FeedReceiversTest, RefusalsWriteNothing) {
  std::atomic<int> calls{0};
  Fixture f([&](v1::EventBatch, std::function<void(v1::IngestAck)> d) {
    ++calls;
    d(v1::IngestAck());
  });
  EXPECT_EQ(
      f.receivers->Handle(TikTok(TikTokBody("n", "DELIVERED"), "wrong")).status,
      401);
  HttpHookRequest big = TikTok(TikTokBody("n", "DELIVERED"));
  big.body_too_large = true;
  EXPECT_EQ(f.receivers->Handle(big).status, 413);
  HttpHookRequest stale = TikTok(
      R"({"type":1,"tts_notification_id":"x","shop_id":"s","timestamp":1000000000,"data":{}})");
  EXPECT_EQ(f.receivers->Handle(stale).status, 400);
  HttpHookRequest douyin;
  douyin.path = "/hooks/douyin";
  douyin.body = "[]";
  douyin.headers["app-id"] = "9999";
  douyin.headers["event-sign"] = "00";
  EXPECT_EQ(f.receivers->Handle(douyin).status, 403);
  HttpHookRequest nowhere;
  nowhere.path = "/hooks/lazada";
  EXPECT_EQ(f.receivers->Handle(nowhere).status, 404);
  EXPECT_EQ(calls.load(), 0);
  const std::string m = f.Metrics();
  for (const char* reason : {"signature", "too_large", "stale"}) {
    EXPECT_THAT(
        m,
        HasSubstr(absl::StrCat(
            R"(depositd_feed_requests_rejected_total{platform="tiktok",reason=")",
            reason, R"("} 1)")));
  }
  EXPECT_THAT(
      m,
      HasSubstr(
          R"(depositd_feed_requests_rejected_total{platform="douyin",reason="unknown_app"} 1)"));
}

TEST(FeedReceiversTest, NotDurableInTimeIs503) {
  // The ack is held until the test releases it, after the answer.
  std::function<void(v1::IngestAck)> held;
  Fixture f([&](v1::EventBatch, std::function<void(v1::IngestAck)> d) {
    held = std::move(d);
  });
  HttpHookResponse r =
      f.receivers->Handle(TikTok(TikTokBody("n-2", "IN_TRANSIT")));
  EXPECT_EQ(r.status, 503);
  EXPECT_THAT(r.body, HasSubstr("retry"));
  ASSERT_TRUE(held);
  held(v1::IngestAck());  // a late ack after the answer is harmless
  EXPECT_THAT(
      f.Metrics(),
      HasSubstr(
          R"(depositd_feed_requests_unavailable_total{platform="tiktok",reason="timeout"} 1)"));
}

TEST(FeedReceiversTest, UnwritableStoreIs503WithoutIngest) {
  std::atomic<int> calls{0};
  Fixture f(
      [&](v1::EventBatch, std::function<void(v1::IngestAck)> d) {
        ++calls;
        d(v1::IngestAck());
      },
      [] { return absl::ResourceExhaustedError("disk full in /data"); });
  HttpHookResponse r =
      f.receivers->Handle(TikTok(TikTokBody("n-3", "IN_TRANSIT")));
  EXPECT_EQ(r.status, 503);
  EXPECT_THAT(r.body, HasSubstr("disk full"));
  EXPECT_EQ(calls.load(), 0);
}

TEST(FeedReceiversTest, DouyinVerificationAndUnknownTypesNeedNoIngest) {
  std::atomic<int> calls{0};
  Fixture f([&](v1::EventBatch, std::function<void(v1::IngestAck)> d) {
    ++calls;
    d(v1::IngestAck());
  });
  HttpHookRequest verify;
  verify.path = "/hooks/douyin";
  verify.body = R"([{"tag":"0","msg_id":"0","data":"{}"}])";
  verify.headers["app-id"] = "7001";
  verify.headers["event-sign"] =
      feeds::Md5Hex("7001" + verify.body + "dy-secret");
  HttpHookResponse r = f.receivers->Handle(verify);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"code":0,"msg":"success"})");
  EXPECT_EQ(r.content_type, "application/json");
  HttpHookResponse unknown = f.receivers->Handle(TikTok(
      R"({"type":42,"tts_notification_id":"u","shop_id":"s","timestamp":1730000000,"data":{}})"));
  EXPECT_EQ(unknown.status, 200);
  EXPECT_EQ(calls.load(), 0);
  EXPECT_THAT(
      f.Metrics(),
      HasSubstr(R"(depositd_feed_unknown_types_total{platform="tiktok"} 1)"));
}

TEST(FeedReceiversTest, AmazonNeedsATenantWithoutTokens) {
  RecordingIngest ingest;
  Fixture f([&](v1::EventBatch b, std::function<void(v1::IngestAck)> d) {
    ingest(std::move(b), std::move(d));
  });
  HttpHookRequest r;
  r.path = "/hooks/amazon";
  r.body =
      R"({"NotificationType":"ORDER_CHANGE","EventTime":"2026-03-01T10:00:00Z","Payload":{"OrderChangeNotification":{"SellerId":"S1","AmazonOrderId":"A-1","OrderChangeType":"OrderStatusChange","Summary":{"OrderStatus":"Shipped"}}},"NotificationMetadata":{"NotificationId":"n-9"}})";
  EXPECT_EQ(f.receivers->Handle(r).status, 400);  // which tenant?
  r.query = "tenant=acme";
  EXPECT_EQ(f.receivers->Handle(r).status, 200);
  ASSERT_EQ(ingest.batches.size(), 1u);
  EXPECT_EQ(ingest.batches[0].events(0).tenant(), "acme");
  EXPECT_EQ(ingest.batches[0].events(0).event_id(), "amazon:n-9");
}

}  // namespace
}  // namespace depositd::daemon
