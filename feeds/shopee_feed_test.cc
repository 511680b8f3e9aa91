#include "feeds/shopee_feed.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "feeds/signatures.h"
#include "gtest/gtest.h"

namespace depositd::feeds {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1730000000);
constexpr char kUrl[] = "https://hooks.example.com/hooks/shopee";

std::unique_ptr<ShopeeFeed> Feed() {
  ShopeeFeed::Options o;
  o.apps.push_back({"2001234", "sp-key", "acme", kUrl, ""});
  auto f = ShopeeFeed::Create(o);
  EXPECT_TRUE(f.ok()) << f.status();
  return *std::move(f);
}

FeedRequest Signed(const std::string& body, const std::string& key = "sp-key",
                   const std::string& url = kUrl) {
  FeedRequest r;
  r.body = body;
  r.headers["authorization"] = HmacSha256Hex(key, url + "|" + body);
  return r;
}

std::string Push(int code, const std::string& data,
                 const std::string& extra = "") {
  return absl::StrCat(R"({"code":)", code,
                      R"(,"shop_id":600001,"timestamp":1730000000)", extra,
                      R"(,"data":)", data, "}");
}

// Our own vector (Shopee publishes none): HMAC-SHA256 under "sp-key" of
// callback URL + "|" + body.
TEST(ShopeeFeedTest, OwnSignatureVector) {
  const std::string body =
      R"({"code":3,"shop_id":600001,"timestamp":1730000000,"data":{"ordersn":"2411XYZ","status":"SHIPPED","update_time":1729999000}})";
  EXPECT_EQ(HmacSha256Hex("sp-key", absl::StrCat(kUrl, "|", body)),
            "15977c9b932d02d62aae2dcc7ef14f0fb99cc39c8af17c4e224874d227f919fd");
  FeedRequest r;
  r.body = body;
  r.headers["authorization"] =
      "15977c9b932d02d62aae2dcc7ef14f0fb99cc39c8af17c4e224874d227f919fd";
  absl::StatusOr<FeedDelivery> d = Feed()->Receive(r, kNow);
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_EQ(d->events.size(), 1u);
  EXPECT_EQ(d->events[0].event_id(),
            "shopee:3:600001:2411XYZ:SHIPPED:1729999000");
  EXPECT_EQ(Feed()->answer().body, "");  // Shopee wants an empty body
}

TEST(ShopeeFeedTest, RefusesWrongUrlKeyStaleAndForeignPartner) {
  auto feed = Feed();
  const std::string body =
      Push(3, R"({"ordersn":"o","status":"SHIPPED","update_time":1729999000})");
  EXPECT_EQ(feed->Receive(Signed(body, "other"), kNow).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(feed->Receive(Signed(body, "sp-key", "https://elsewhere/x"), kNow)
                .status()
                .code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(feed->Receive(Signed(body), kNow + absl::Hours(25)).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(feed->Receive(Signed(Push(2, "{}", R"(,"partner_id":99)")), kNow)
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(feed->Receive(Signed("not json"), kNow).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ShopeeFeedTest, OrderStatuses) {
  struct Case {
    const char* status;
    v1::OrderStatus want;
  };
  const Case cases[] = {
      {"UNPAID", v1::ORDER_STATUS_UNSPECIFIED},
      {"READY_TO_SHIP", v1::PLACED},
      {"PROCESSED", v1::PLACED},
      {"RETRY_SHIP", v1::PLACED},
      {"SHIPPED", v1::SHIPPED},
      {"TO_CONFIRM_RECEIVE", v1::DELIVERED},
      {"IN_CANCEL", v1::ORDER_STATUS_UNSPECIFIED},
      {"CANCELLED", v1::CANCELLED},
      {"TO_RETURN", v1::ORDER_STATUS_UNSPECIFIED},
      {"COMPLETED", v1::COMPLETED},
  };
  auto feed = Feed();
  for (const Case& c : cases) {
    absl::StatusOr<FeedDelivery> d = feed->Receive(
        Signed(Push(3, absl::StrCat(R"({"ordersn":"o-9","status":")", c.status,
                                    R"(","update_time":1729999000})"))),
        kNow);
    ASSERT_TRUE(d.ok()) << c.status << ": " << d.status();
    if (c.want == v1::ORDER_STATUS_UNSPECIFIED) {
      EXPECT_TRUE(d->events.empty()) << c.status;
      continue;
    }
    ASSERT_EQ(d->events.size(), 1u);
    EXPECT_EQ(d->events[0].order_status_changed().status(), c.want) << c.status;
    EXPECT_EQ(d->events[0].order_status_changed().platform_status(), c.status);
    EXPECT_EQ(d->events[0].event_id(),
              absl::StrCat("shopee:3:600001:o-9:", c.status, ":1729999000"));
  }
}

TEST(ShopeeFeedTest, ReturnsAuthorizationAndPenalties) {
  auto feed = Feed();
  absl::StatusOr<FeedDelivery> returns = feed->Receive(
      Signed(Push(
          29,
          R"({"return_sn":"R1","ordersn":"o-9","updated_values":[{"old_value":"","new_value":"REQUESTED","update_time":1729990000},{"old_value":"REQUESTED","new_value":"JUDGING","update_time":1729991000},{"old_value":"JUDGING","new_value":"ACCEPTED","update_time":1729992000}]})")),
      kNow);
  ASSERT_TRUE(returns.ok()) << returns.status();
  ASSERT_EQ(returns->events.size(), 2u);
  EXPECT_EQ(returns->events[0].dispute_opened().dispute_id(),
            "shopee-return:R1");
  EXPECT_EQ(returns->events[0].dispute_opened().kind(), v1::RETURN);
  EXPECT_EQ(returns->events[0].dispute_opened().order_id(), "o-9");
  EXPECT_EQ(returns->events[1].dispute_resolved().outcome(), v1::BUYER_WON);
  EXPECT_EQ(returns->events[1].occurred_at().seconds(), 1729992000);
  EXPECT_EQ(returns->ignored, 1);

  for (const auto& [value, outcome] :
       std::vector<std::pair<std::string, v1::DisputeOutcome>>{
           {"CANCELLED", v1::WITHDRAWN}, {"CLOSED", v1::SELLER_WON}}) {
    absl::StatusOr<FeedDelivery> d = feed->Receive(
        Signed(Push(29,
                    absl::StrCat(
                        R"({"return_sn":"R1","updated_values":[{"new_value":")",
                        value, R"(","update_time":1729993000}]})"))),
        kNow);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->events[0].dispute_resolved().outcome(), outcome) << value;
  }

  // Code 2 names the shop `shopid` in Shopee's samples.
  absl::StatusOr<FeedDelivery> cancelled = feed->Receive(
      Signed(
          R"({"code":2,"timestamp":1730000000,"partner_id":2001234,"data":{"shopid":600002}})"),
      kNow);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  ASSERT_EQ(cancelled->events.size(), 1u);
  EXPECT_EQ(cancelled->events[0].shop_id(), "600002");
  EXPECT_EQ(cancelled->events[0].feed_authorization_changed().state(),
            v1::DEAUTHORIZED);

  absl::StatusOr<FeedDelivery> expiring = feed->Receive(
      Signed(
          R"({"code":12,"timestamp":1730000000,"partner_id":2001234,"data":{"shop_expire_soon":[600001,600003],"expire_before":1730600000}})"),
      kNow);
  ASSERT_TRUE(expiring.ok()) << expiring.status();
  ASSERT_EQ(expiring->events.size(), 2u);
  EXPECT_EQ(expiring->events[1].shop_id(), "600003");
  EXPECT_EQ(expiring->events[1].feed_authorization_changed().state(),
            v1::EXPIRING);
  EXPECT_EQ(
      expiring->events[1].feed_authorization_changed().expires_at().seconds(),
      1730600000);

  absl::StatusOr<FeedDelivery> penalty = feed->Receive(
      Signed(Push(
          28,
          R"({"action_type":1,"points":3,"violation_type":"late_shipment","reference_id":"P-7","update_time":1729995000})")),
      kNow);
  ASSERT_TRUE(penalty.ok()) << penalty.status();
  ASSERT_EQ(penalty->events.size(), 1u);
  EXPECT_EQ(penalty->events[0].violation_recorded().violation_id(),
            "shopee-penalty:600001:P-7");
  EXPECT_EQ(penalty->events[0].violation_recorded().kind(), "late_shipment");
  absl::StatusOr<FeedDelivery> removed = feed->Receive(
      Signed(Push(
          28,
          R"({"action_type":2,"points":3,"reference_id":"P-7","update_time":1729996000})")),
      kNow);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(removed->events[0].violation_resolved().violation_id(),
            "shopee-penalty:600001:P-7");

  absl::StatusOr<FeedDelivery> unknown =
      feed->Receive(Signed(Push(77, R"({"x":1})")), kNow);
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->unknown_types, 1);
  absl::StatusOr<FeedDelivery> tracking =
      feed->Receive(Signed(Push(4, R"({"ordersn":"o"})")), kNow);
  ASSERT_TRUE(tracking.ok());
  EXPECT_EQ(tracking->ignored, 1);
}

TEST(ShopeeFeedTest, CreateNeedsTheCallbackUrl) {
  ShopeeFeed::Options o;
  o.apps.push_back({"1", "k", "t", "", ""});
  EXPECT_EQ(ShopeeFeed::Create(o).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace depositd::feeds
