#include "feeds/amazon_feed.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "depositd/feeds/v1/amazon.pb.h"
#include "feeds/canonical_event.h"

namespace depositd::feeds {
namespace {

using feeds::v1::AmazonEventBridgeEvent;
using feeds::v1::AmazonNotification;
namespace dv1 = ::depositd::v1;

dv1::OrderStatus OrderStatusOf(const std::string& s) {
  if (s == "Unshipped") return dv1::PLACED;
  if (s == "PartiallyShipped" || s == "Shipped") return dv1::SHIPPED;
  if (s == "Canceled") return dv1::CANCELLED;
  // Pending (not paid yet), Unfulfillable, InvoiceUnconfirmed, …
  return dv1::ORDER_STATUS_UNSPECIFIED;
}

bool BlocksAccount(const std::string& status) {
  return status == "AT_RISK" || status == "DEACTIVATED";
}

}  // namespace

absl::StatusOr<FeedDelivery> ReceiveAmazonNotification(
    absl::string_view body, absl::string_view tenant) {
  // An EventBridge event wraps the notification in `detail`.
  AmazonEventBridgeEvent wrapper;
  AmazonNotification n;
  if (absl::Status s = ParseJson(body, "the Amazon notification", &wrapper);
      !s.ok()) {
    return s;
  }
  if (wrapper.has_detail()) {
    n = wrapper.detail();
  } else if (absl::Status s = ParseJson(body, "the Amazon notification", &n);
             !s.ok()) {
    return s;
  }
  const std::string& id = n.notification_metadata().notification_id();
  if (n.notification_type().empty() || id.empty()) {
    return absl::InvalidArgumentError(
        "not an SP-API notification: NotificationType and "
        "NotificationMetadata.NotificationId are required");
  }
  FeedDelivery out;
  out.tenant = std::string(tenant);
  const bool order = n.notification_type() == "ORDER_CHANGE";
  const bool account = n.notification_type() == "ACCOUNT_STATUS_CHANGED";
  if (!order && !account) {
    ++out.unknown_types;
    return out;
  }
  absl::Time at;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, n.event_time(), &at, &err)) {
    return absl::InvalidArgumentError(
        absl::StrCat("EventTime \"", n.event_time().substr(0, 40),
                     "\" is not an RFC 3339 time"));
  }
  const std::string event_id = DerivedEventId("amazon", {id});
  if (order) {
    const auto& o = n.payload().order_change_notification();
    if (o.seller_id().empty() || o.amazon_order_id().empty()) {
      return absl::InvalidArgumentError(
          "ORDER_CHANGE without SellerId or AmazonOrderId");
    }
    const std::string& raw = o.summary().order_status();
    const dv1::OrderStatus status = OrderStatusOf(raw);
    if (status == dv1::ORDER_STATUS_UNSPECIFIED) {
      ++out.ignored;
      return out;
    }
    dv1::Event e =
        NewEvent(tenant, o.seller_id(), event_id, at,
                 absl::StrCat("amazon:ORDER_CHANGE:", o.order_change_type(),
                              ":OrderStatus=", raw));
    auto* b = e.mutable_order_status_changed();
    b->set_order_id(o.amazon_order_id());
    b->set_status(status);
    b->set_platform_status(raw);
    out.events.push_back(std::move(e));
    return out;
  }
  const auto& a = n.payload().account_status_change_notification();
  if (a.seller_id().empty()) {
    return absl::InvalidArgumentError(
        "ACCOUNT_STATUS_CHANGED without SellerId");
  }
  const std::string& now_status = a.current_account_status();
  const std::string& before = a.previous_account_status();
  dv1::Event e = NewEvent(
      tenant, a.seller_id(), event_id, at,
      absl::StrCat("amazon:ACCOUNT_STATUS_CHANGED:", before, "->", now_status));
  if (BlocksAccount(now_status)) {
    auto* b = e.mutable_violation_recorded();
    b->set_violation_id(
        absl::StrCat("amazon-account:", a.seller_id(), ":", now_status));
    b->set_kind(now_status == "DEACTIVATED" ? "account_deactivated"
                                            : "account_at_risk");
    b->set_description(absl::StrCat("Amazon account status ", now_status,
                                    " (was ", before, ")"));
  } else if (now_status == "NORMAL" && BlocksAccount(before)) {
    e.mutable_violation_resolved()->set_violation_id(
        absl::StrCat("amazon-account:", a.seller_id(), ":", before));
  } else {
    ++out.ignored;
    return out;
  }
  out.events.push_back(std::move(e));
  return out;
}

}  // namespace depositd::feeds
