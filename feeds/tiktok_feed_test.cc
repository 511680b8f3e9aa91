#include "feeds/tiktok_feed.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "feeds/signatures.h"
#include "gtest/gtest.h"

namespace depositd::feeds {
namespace {

constexpr char kVectorBody[] =
    R"({"type":1,"tts_notification_id":"7380066284010030890","shop_id":"7495540735365777507","timestamp":1718305585,"data":{"is_on_hold_order":true,"order_id":"576653688135258178","order_status":"UNPAID","update_time":1718305585}})";
const absl::Time kVectorTime = absl::FromUnixSeconds(1718305585);

std::unique_ptr<TikTokFeed> Feed() {
  TikTokFeed::Options o;
  o.apps.push_back({"abcdef", "123", "acme", "", ""});
  o.apps.push_back({"other-app", "other-secret", "globex", "", ""});
  auto f = TikTokFeed::Create(o);
  EXPECT_TRUE(f.ok()) << f.status();
  return *std::move(f);
}

FeedRequest Signed(const std::string& body, const std::string& key = "abcdef",
                   const std::string& secret = "123") {
  FeedRequest r;
  r.body = body;
  r.headers["authorization"] = HmacSha256Hex(secret, key + body);
  return r;
}

std::string Body(int type, const std::string& id, const std::string& data) {
  return absl::StrCat(R"({"type":)", type, R"(,"tts_notification_id":")", id,
                      R"(","shop_id":"shop-1","timestamp":1718305585,"data":)",
                      data, "}");
}

TEST(TikTokFeedTest, OfficialVectorVerifies) {
  FeedRequest r;
  r.body = kVectorBody;
  r.headers["authorization"] =
      "5dec0f11ec2f6783b8deee53c9ffbf8d024302f7c7e7fa55a35d17629031ac05";
  absl::StatusOr<FeedDelivery> d = Feed()->Receive(r, kVectorTime);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->tenant, "acme");
  // UNPAID is not a sale yet: verified, accepted, nothing recorded.
  EXPECT_TRUE(d->events.empty());
  EXPECT_EQ(d->ignored, 1);
}

TEST(TikTokFeedTest, SecondAppBindsItsTenant) {
  absl::StatusOr<FeedDelivery> d = Feed()->Receive(
      Signed(kVectorBody, "other-app", "other-secret"), kVectorTime);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->tenant, "globex");
}

TEST(TikTokFeedTest, RefusesBadSignaturesStaleAndMalformed) {
  auto feed = Feed();
  FeedRequest none;
  none.body = kVectorBody;
  EXPECT_EQ(feed->Receive(none, kVectorTime).status().code(),
            absl::StatusCode::kUnauthenticated);
  FeedRequest tampered = Signed(kVectorBody);
  tampered.body[tampered.body.size() - 3] = '6';
  EXPECT_EQ(feed->Receive(tampered, kVectorTime).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(feed->Receive(Signed(kVectorBody, "abcdef", "wrong"), kVectorTime)
                .status()
                .code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(feed->Receive(Signed(kVectorBody), kVectorTime + absl::Hours(49))
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(feed->Receive(Signed(kVectorBody), kVectorTime - absl::Hours(1))
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(feed->Receive(Signed("{\"type\":1,"), kVectorTime).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(feed->Receive(Signed(R"({"type":1,"shop_id":"s","timestamp":1})"),
                          kVectorTime)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(TikTokFeedTest, OrderStatuses) {
  struct Case {
    const char* platform;
    v1::OrderStatus want;  // UNSPECIFIED: ignored
  };
  const Case cases[] = {
      {"UNPAID", v1::ORDER_STATUS_UNSPECIFIED},
      {"ON_HOLD", v1::PLACED},
      {"AWAITING_SHIPMENT", v1::PLACED},
      {"AWAITING_COLLECTION", v1::PLACED},
      {"IN_TRANSIT", v1::IN_TRANSIT},
      {"DELIVERED", v1::DELIVERED},
      {"COMPLETED", v1::COMPLETED},
      {"CANCEL", v1::CANCELLED},
      {"CANCELLED", v1::CANCELLED},
  };
  auto feed = Feed();
  for (const Case& c : cases) {
    const std::string body =
        Body(1, absl::StrCat("n-", c.platform),
             absl::StrCat(R"({"order_id":"o-1","order_status":")", c.platform,
                          R"(","update_time":1718300000})"));
    absl::StatusOr<FeedDelivery> d = feed->Receive(Signed(body), kVectorTime);
    ASSERT_TRUE(d.ok()) << c.platform << ": " << d.status();
    if (c.want == v1::ORDER_STATUS_UNSPECIFIED) {
      EXPECT_TRUE(d->events.empty()) << c.platform;
      continue;
    }
    ASSERT_EQ(d->events.size(), 1u) << c.platform;
    const v1::Event& e = d->events[0];
    EXPECT_EQ(e.event_id(), absl::StrCat("tiktok:n-", c.platform));
    EXPECT_EQ(e.tenant(), "acme");
    EXPECT_EQ(e.shop_id(), "shop-1");
    EXPECT_EQ(e.occurred_at().seconds(), 1718300000);
    EXPECT_EQ(e.order_status_changed().order_id(), "o-1");
    EXPECT_EQ(e.order_status_changed().status(), c.want) << c.platform;
    EXPECT_EQ(e.order_status_changed().platform_status(), c.platform);
    EXPECT_NE(e.source().find(c.platform), std::string::npos);
  }
}

TEST(TikTokFeedTest, ReturnsAndCancellationsAreDisputes) {
  struct Case {
    int type;
    const char* data;
    v1::Event::BodyCase body;
    int detail;  // kind for opened, outcome for resolved
  };
  const Case cases[] = {
      {12,
       R"({"order_id":"o","return_id":"r","return_type":"REFUND","return_status":"RETURN_OR_REFUND_REQUEST_PENDING","update_time":1718300000})",
       v1::Event::kDisputeOpened, v1::REFUND_REQUEST},
      {12,
       R"({"order_id":"o","return_id":"r","return_type":"RETURN_AND_REFUND","return_status":"RETURN_OR_REFUND_REQUEST_PENDING","update_time":1718300000})",
       v1::Event::kDisputeOpened, v1::RETURN},
      {12, R"({"return_id":"r","return_status":"AWAITING_BUYER_SHIP"})",
       v1::Event::kDisputeResponded, 0},
      {12, R"({"return_id":"r","return_status":"REJECT_RECEIVE_PACKAGE"})",
       v1::Event::kDisputeResponded, 0},
      {12, R"({"return_id":"r","return_status":"BUYER_SHIPPED_ITEM"})",
       v1::Event::BODY_NOT_SET, 0},
      {12,
       R"({"return_id":"r","return_status":"RETURN_OR_REFUND_REQUEST_SUCCESS"})",
       v1::Event::kDisputeResolved, v1::BUYER_WON},
      {12,
       R"({"return_id":"r","return_status":"RETURN_OR_REFUND_REQUEST_COMPLETE"})",
       v1::Event::kDisputeResolved, v1::BUYER_WON},
      {12,
       R"({"return_id":"r","return_status":"REFUND_OR_RETURN_REQUEST_REJECT"})",
       v1::Event::kDisputeResolved, v1::SELLER_WON},
      {12,
       R"({"return_id":"r","return_status":"RETURN_OR_REFUND_REQUEST_CANCEL"})",
       v1::Event::kDisputeResolved, v1::WITHDRAWN},
      {11,
       R"({"order_id":"o","cancel_id":"c","cancel_status":"CANCELLATION_REQUEST_PENDING"})",
       v1::Event::kDisputeOpened, v1::REFUND_REQUEST},
      {11,
       R"({"cancel_id":"c","cancel_status":"CANCELLATION_REQUEST_SUCCESS"})",
       v1::Event::kDisputeResolved, v1::BUYER_WON},
      {11,
       R"({"cancel_id":"c","cancel_status":"CANCELLATION_REQUEST_COMPLETE"})",
       v1::Event::kDisputeResolved, v1::BUYER_WON},
      {11,
       R"({"cancel_id":"c","cancel_status":"CANCELLATION_REQUEST_CANCELLED"})",
       v1::Event::kDisputeResolved, v1::WITHDRAWN},
  };
  auto feed = Feed();
  int n = 0;
  for (const Case& c : cases) {
    const std::string body = Body(c.type, absl::StrCat("d-", ++n), c.data);
    absl::StatusOr<FeedDelivery> d = feed->Receive(Signed(body), kVectorTime);
    ASSERT_TRUE(d.ok()) << c.data << ": " << d.status();
    if (c.body == v1::Event::BODY_NOT_SET) {
      EXPECT_TRUE(d->events.empty());
      EXPECT_EQ(d->ignored, 1);
      continue;
    }
    ASSERT_EQ(d->events.size(), 1u) << c.data;
    const v1::Event& e = d->events[0];
    EXPECT_EQ(e.body_case(), c.body) << c.data;
    const std::string want_dispute =
        c.type == 12 ? "tiktok-return:r" : "tiktok-cancel:c";
    switch (c.body) {
      case v1::Event::kDisputeOpened:
        EXPECT_EQ(e.dispute_opened().dispute_id(), want_dispute);
        EXPECT_EQ(e.dispute_opened().kind(), c.detail) << c.data;
        EXPECT_EQ(e.dispute_opened().order_id(), "o");
        break;
      case v1::Event::kDisputeResolved:
        EXPECT_EQ(e.dispute_resolved().dispute_id(), want_dispute);
        EXPECT_EQ(e.dispute_resolved().outcome(), c.detail) << c.data;
        break;
      case v1::Event::kDisputeResponded:
        EXPECT_EQ(e.dispute_responded().dispute_id(), want_dispute);
        break;
      default:
        break;
    }
  }
}

TEST(TikTokFeedTest, AuthorizationPackageAndUnknownTypes) {
  auto feed = Feed();
  absl::StatusOr<FeedDelivery> deauth =
      feed->Receive(Signed(Body(6, "a-1", "{}")), kVectorTime);
  ASSERT_TRUE(deauth.ok()) << deauth.status();
  ASSERT_EQ(deauth->events.size(), 1u);
  EXPECT_EQ(deauth->events[0].feed_authorization_changed().state(),
            v1::DEAUTHORIZED);
  EXPECT_EQ(deauth->events[0].occurred_at().seconds(), 1718305585);

  absl::StatusOr<FeedDelivery> expiring = feed->Receive(
      Signed(Body(7, "a-2", R"({"expiration_time":1720000000})")), kVectorTime);
  ASSERT_TRUE(expiring.ok()) << expiring.status();
  ASSERT_EQ(expiring->events.size(), 1u);
  EXPECT_EQ(expiring->events[0].feed_authorization_changed().state(),
            v1::EXPIRING);
  EXPECT_EQ(
      expiring->events[0].feed_authorization_changed().expires_at().seconds(),
      1720000000);
  EXPECT_EQ(
      feed->Receive(Signed(Body(7, "a-3", "{}")), kVectorTime).status().code(),
      absl::StatusCode::kInvalidArgument);

  absl::StatusOr<FeedDelivery> package =
      feed->Receive(Signed(Body(4, "p-1", R"({"order_id":"o"})")), kVectorTime);
  ASSERT_TRUE(package.ok());
  EXPECT_EQ(package->ignored, 1);

  absl::StatusOr<FeedDelivery> unknown = feed->Receive(
      Signed(Body(99, "u-1", R"({"brand_new_field":[1,2,{"x":null}]})")),
      kVectorTime);
  ASSERT_TRUE(unknown.ok()) << unknown.status();
  EXPECT_TRUE(unknown->events.empty());
  EXPECT_EQ(unknown->unknown_types, 1);
}

TEST(TikTokFeedTest, RetriesGiveTheSameEventIds) {
  auto feed = Feed();
  const std::string body = Body(
      1, "7380066284010030890",
      R"({"order_id":"o-1","order_status":"DELIVERED","update_time":1718300000})");
  absl::StatusOr<FeedDelivery> first = feed->Receive(Signed(body), kVectorTime);
  absl::StatusOr<FeedDelivery> retry =
      feed->Receive(Signed(body), kVectorTime + absl::Hours(12));
  ASSERT_TRUE(first.ok() && retry.ok());
  EXPECT_EQ(first->events[0].event_id(), "tiktok:7380066284010030890");
  EXPECT_EQ(first->events[0].SerializeAsString(),
            retry->events[0].SerializeAsString());
}

TEST(TikTokFeedTest, CreateRefusesIncompleteApps) {
  TikTokFeed::Options o;
  EXPECT_FALSE(TikTokFeed::Create(o).ok());
  o.apps.push_back({"k", "", "t", "", ""});
  EXPECT_FALSE(TikTokFeed::Create(o).ok());
  o.apps[0].secret = "s";
  o.apps[0].tenant = "";
  EXPECT_FALSE(TikTokFeed::Create(o).ok());
}

}  // namespace
}  // namespace depositd::feeds
