#include "feeds/amazon_feed.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace depositd::feeds {
namespace {

std::string OrderChange(const std::string& status) {
  return absl::StrCat(
      R"({"NotificationVersion":"1.0","NotificationType":"ORDER_CHANGE","PayloadVersion":"1.0","EventTime":"2026-03-01T10:00:00.000Z","Payload":{"OrderChangeNotification":{"NotificationLevel":"OrderLevel","SellerId":"A3TH9S8BH6GOGM","AmazonOrderId":"903-8868176-2219830","OrderChangeType":"OrderStatusChange","Summary":{"MarketplaceId":"ATVPDKIKX0DER","OrderStatus":")",
      status,
      R"("}}},"NotificationMetadata":{"ApplicationId":"app","SubscriptionId":"sub","PublishTime":"2026-03-01T10:00:01.000Z","NotificationId":"n-)",
      status, R"("}})");
}

TEST(AmazonFeedTest, OrderChangeStatuses) {
  struct Case {
    const char* status;
    v1::OrderStatus want;
  };
  const Case cases[] = {
      {"Pending", v1::ORDER_STATUS_UNSPECIFIED},
      {"Unshipped", v1::PLACED},
      {"PartiallyShipped", v1::SHIPPED},
      {"Shipped", v1::SHIPPED},
      {"Canceled", v1::CANCELLED},
      {"Unfulfillable", v1::ORDER_STATUS_UNSPECIFIED},
  };
  for (const Case& c : cases) {
    absl::StatusOr<FeedDelivery> d =
        ReceiveAmazonNotification(OrderChange(c.status), "acme");
    ASSERT_TRUE(d.ok()) << d.status();
    if (c.want == v1::ORDER_STATUS_UNSPECIFIED) {
      EXPECT_TRUE(d->events.empty());
      continue;
    }
    ASSERT_EQ(d->events.size(), 1u);
    const v1::Event& e = d->events[0];
    EXPECT_EQ(e.event_id(), absl::StrCat("amazon:n-", c.status));
    EXPECT_EQ(e.tenant(), "acme");
    EXPECT_EQ(e.shop_id(), "A3TH9S8BH6GOGM");
    EXPECT_EQ(e.order_status_changed().order_id(), "903-8868176-2219830");
    EXPECT_EQ(e.order_status_changed().status(), c.want);
    EXPECT_EQ(e.occurred_at().seconds(), 1772359200);
  }
}

TEST(AmazonFeedTest, EventBridgeWrapperAndAccountStatus) {
  const std::string wrapped = absl::StrCat(
      R"({"version":"0","id":"e","detail-type":"ORDER_CHANGE","source":"aws.partner/sellingpartnerapi.amazon.com","detail":)",
      OrderChange("Shipped"), "}");
  absl::StatusOr<FeedDelivery> d = ReceiveAmazonNotification(wrapped, "acme");
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_EQ(d->events.size(), 1u);

  auto account = [](const std::string& before, const std::string& now) {
    return absl::StrCat(
        R"({"NotificationType":"ACCOUNT_STATUS_CHANGED","EventTime":"2026-03-02T00:00:00Z","Payload":{"AccountStatusChangeNotification":{"SellerId":"S1","PreviousAccountStatus":")",
        before, R"(","CurrentAccountStatus":")", now,
        R"("}},"NotificationMetadata":{"NotificationId":"a-)", now, R"("}})");
  };
  absl::StatusOr<FeedDelivery> risk =
      ReceiveAmazonNotification(account("NORMAL", "AT_RISK"), "acme");
  ASSERT_TRUE(risk.ok()) << risk.status();
  EXPECT_EQ(risk->events[0].violation_recorded().violation_id(),
            "amazon-account:S1:AT_RISK");
  absl::StatusOr<FeedDelivery> back =
      ReceiveAmazonNotification(account("AT_RISK", "NORMAL"), "acme");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->events[0].violation_resolved().violation_id(),
            "amazon-account:S1:AT_RISK");

  absl::StatusOr<FeedDelivery> other = ReceiveAmazonNotification(
      R"({"NotificationType":"FEED_PROCESSING_FINISHED","NotificationMetadata":{"NotificationId":"x"}})",
      "acme");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->unknown_types, 1);
  EXPECT_EQ(ReceiveAmazonNotification("[]", "acme").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReceiveAmazonNotification(R"({"NotificationType":"ORDER_CHANGE"})",
                                      "acme")
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace depositd::feeds
