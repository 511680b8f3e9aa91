#include "feeds/temu_feed.h"

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "feeds/signatures.h"
#include "gtest/gtest.h"

namespace depositd::feeds {
namespace {

constexpr char kSecret[] = "12345678abcdefgh";
const absl::Time kVectorTime = absl::FromUnixMillis(1726127013525);

std::unique_ptr<TemuFeed> Feed() {
  TemuFeed::Options o;
  o.apps.push_back({"demo-test-app", kSecret, "acme", "", "temu-shop-1"});
  auto f = TemuFeed::Create(o);
  EXPECT_TRUE(f.ok()) << f.status();
  return *std::move(f);
}

// The official guide's request: eventData decrypts to
// {"orderSn":"XXYYZZ","status":1}.
FeedRequest Vector(const std::string& signature) {
  FeedRequest r;
  r.body = R"({"eventData":"sQmNTAKR2o4HrmCO3OchFgGyJU5Qta57+JQxxgVyVPU="})";
  r.headers["x-tm-app-key"] = "demo-test-app";
  r.headers["x-tm-event-code"] = "bg_test_event";
  r.headers["x-tm-timestamp"] = "1726127013525";
  r.headers["x-tm-ext-param"] = "{}";
  r.headers["x-tm-signature"] = signature;
  return r;
}

FeedRequest Signed(const std::string& code, const std::string& plaintext,
                   absl::Time sent = kVectorTime) {
  FeedRequest r;
  absl::StatusOr<std::string> c = EncryptAes128Cbc(kSecret, plaintext);
  EXPECT_TRUE(c.ok());
  r.body = absl::StrCat(R"({"eventData":")", absl::Base64Escape(*c), R"("})");
  r.headers["x-tm-app-key"] = "demo-test-app";
  r.headers["x-tm-event-code"] = code;
  r.headers["x-tm-timestamp"] = absl::StrCat(absl::ToUnixMillis(sent));
  r.headers["x-tm-ext-param"] = "{}";
  r.headers["x-tm-signature"] =
      HmacSha256Hex(kSecret, TemuSignatureBase(r, plaintext, true));
  return r;
}

TEST(TemuFeedTest, OfficialVectorVerifiesInBothForms) {
  FeedRequest r = Vector(
      "b5143d1a831453afbcf76d4621baa74a2dc07a486f26f5a956c6e50c61a338fb");
  EXPECT_EQ(
      TemuSignatureBase(r, R"({"orderSn":"XXYYZZ","status":1})", true),
      R"(eventData{"orderSn":"XXYYZZ","status":1}x-tm-app-keydemo-test-appx-tm-event-codebg_test_eventx-tm-ext-param{}x-tm-timestamp1726127013525)");
  absl::StatusOr<FeedDelivery> d = Feed()->Receive(r, kVectorTime);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->tenant, "acme");
  EXPECT_EQ(d->unknown_types, 1);  // bg_test_event: not a type depositd uses
  // Upper case is the same signature.
  ASSERT_TRUE(Feed()
                  ->Receive(Vector("B5143D1A831453AFBCF76D4621BAA74A2DC07A486F2"
                                   "6F5A956C6E50C61A338FB"),
                            kVectorTime)
                  .ok());
  // The guide's sample request signs without x-tm-ext-param: accepted too.
  const std::string without = HmacSha256Hex(
      kSecret,
      R"(eventData{"orderSn":"XXYYZZ","status":1}x-tm-app-keydemo-test-appx-tm-event-codebg_test_eventx-tm-timestamp1726127013525)");
  EXPECT_TRUE(Feed()->Receive(Vector(without), kVectorTime).ok());
  EXPECT_EQ(Feed()->answer().body, R"({"result":{}})");
}

TEST(TemuFeedTest, RefusesWrongSignatureUnknownAppStaleAndGarbage) {
  auto feed = Feed();
  EXPECT_EQ(
      feed->Receive(Vector(std::string(64, 'a')), kVectorTime).status().code(),
      absl::StatusCode::kUnauthenticated);
  FeedRequest other = Vector(
      "b5143d1a831453afbcf76d4621baa74a2dc07a486f26f5a9"
      "56c6e50c61a338fb");
  other.headers["x-tm-app-key"] = "someone-else";
  EXPECT_EQ(feed->Receive(other, kVectorTime).status().code(),
            absl::StatusCode::kPermissionDenied);
  // A retry carries a new timestamp; an old one is refused.
  EXPECT_EQ(feed->Receive(Vector("b5143d1a831453afbcf76d4621baa74a2dc07a486f26"
                                 "f5a956c6e50c61a338fb"),
                          kVectorTime + absl::Minutes(11))
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  FeedRequest garbage = Vector("00");
  garbage.body = R"({"eventData":"!!!"})";
  EXPECT_EQ(feed->Receive(garbage, kVectorTime).status().code(),
            absl::StatusCode::kInvalidArgument);
  // A timestamp header changed after signing: the signature no longer holds.
  FeedRequest moved = Vector(
      "b5143d1a831453afbcf76d4621baa74a2dc07a486f26f5a9"
      "56c6e50c61a338fb");
  moved.headers["x-tm-timestamp"] = "1726127013526";
  EXPECT_EQ(feed->Receive(moved, kVectorTime).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(TemuFeedTest, OrderStatusesAndStableIds) {
  struct Case {
    int status;
    v1::OrderStatus want;
  };
  const Case cases[] = {
      {1, v1::PLACED},    {2, v1::PLACED},
      {3, v1::CANCELLED}, {4, v1::SHIPPED},
      {41, v1::SHIPPED},  {5, v1::DELIVERED},
      {51, v1::SHIPPED},  {99, v1::ORDER_STATUS_UNSPECIFIED},
  };
  auto feed = Feed();
  for (const Case& c : cases) {
    const std::string plain =
        absl::StrCat(R"({"orderSn":"PO-1","orderStatus":)", c.status,
                     R"(,"updateAt":1726127000000,"mallId":"mall-9"})");
    absl::StatusOr<FeedDelivery> d = feed->Receive(
        Signed("bg_order_status_change_event", plain), kVectorTime);
    ASSERT_TRUE(d.ok()) << c.status << ": " << d.status();
    if (c.want == v1::ORDER_STATUS_UNSPECIFIED) {
      EXPECT_TRUE(d->events.empty());
      continue;
    }
    ASSERT_EQ(d->events.size(), 1u);
    const v1::Event& e = d->events[0];
    EXPECT_EQ(e.shop_id(), "mall-9");
    EXPECT_EQ(e.order_status_changed().status(), c.want) << c.status;
    EXPECT_EQ(e.occurred_at().seconds(), 1726127000);
    EXPECT_EQ(e.event_id(),
              absl::StrCat("temu:bg_order_status_change_event:mall-9:PO-1:",
                           c.status, ":1726127000000"));
    // A retry (new x-tm-timestamp, new signature) gives the same id.
    absl::StatusOr<FeedDelivery> retry =
        feed->Receive(Signed("bg_order_status_change_event", plain,
                             kVectorTime + absl::Minutes(2)),
                      kVectorTime + absl::Minutes(2));
    ASSERT_TRUE(retry.ok());
    EXPECT_EQ(retry->events[0].event_id(), e.event_id());
  }
}

TEST(TemuFeedTest, CancellationsAfterSalesAndDefaultShop) {
  auto feed = Feed();
  absl::StatusOr<FeedDelivery> cancel =
      feed->Receive(Signed("bg_cancel_order_status_change",
                           R"({"orderSn":"PO-2","status":3})"),
                    kVectorTime);
  ASSERT_TRUE(cancel.ok()) << cancel.status();
  ASSERT_EQ(cancel->events.size(), 1u);
  EXPECT_EQ(cancel->events[0].shop_id(), "temu-shop-1");
  EXPECT_EQ(cancel->events[0].order_status_changed().status(), v1::CANCELLED);

  absl::StatusOr<FeedDelivery> as = feed->Receive(
      Signed(
          "bg_aftersales_status_change",
          R"({"parentAfterSalesSn":"AS-1","parentOrderSn":"PO-1","afterSalesType":2,"parentAfterSalesStatus":1,"updateAt":1726127000000})"),
      kVectorTime);
  ASSERT_TRUE(as.ok()) << as.status();
  ASSERT_EQ(as->events.size(), 1u);
  EXPECT_EQ(as->events[0].dispute_opened().dispute_id(),
            "temu-aftersales:AS-1");
  EXPECT_EQ(as->events[0].dispute_opened().kind(), v1::RETURN);
  EXPECT_EQ(as->events[0].dispute_opened().order_id(), "PO-1");

  absl::StatusOr<FeedDelivery> address = feed->Receive(
      Signed("bg_trade_logistics_address_changed", R"({"orderSn":"PO-1"})"),
      kVectorTime);
  ASSERT_TRUE(address.ok());
  EXPECT_EQ(address->ignored, 1);
}

TEST(TemuFeedTest, CreateNeedsA16ByteSecret) {
  TemuFeed::Options o;
  o.apps.push_back({"a", "short", "t", "", ""});
  EXPECT_EQ(TemuFeed::Create(o).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace depositd::feeds
