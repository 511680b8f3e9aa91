#include "feeds/tiktok_feed.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "depositd/feeds/v1/tiktok.pb.h"
#include "feeds/app_check.h"
#include "feeds/canonical_event.h"
#include "feeds/signatures.h"

namespace depositd::feeds {
namespace {

using feeds::v1::TikTokNotification;

constexpr int kOrderStatusChange = 1;
constexpr int kPackageUpdate = 4;
constexpr int kSellerDeauthorization = 6;
constexpr int kUpcomingAuthorizationExpiration = 7;
constexpr int kCancellationStatusChange = 11;
constexpr int kReturnStatusChange = 12;

// An order status depositd tracks; UNSPECIFIED for statuses that change
// nothing (UNPAID: not a sale yet; an unpaid order that is never paid is
// CANCELLED later).
depositd::v1::OrderStatus OrderStatusOf(const std::string& s) {
  if (s == "ON_HOLD" || s == "AWAITING_SHIPMENT" ||
      s == "AWAITING_COLLECTION") {
    return depositd::v1::PLACED;
  }
  if (s == "IN_TRANSIT") return depositd::v1::IN_TRANSIT;
  if (s == "DELIVERED") return depositd::v1::DELIVERED;
  if (s == "COMPLETED") return depositd::v1::COMPLETED;
  if (s == "CANCEL" || s == "CANCELLED") return depositd::v1::CANCELLED;
  return depositd::v1::ORDER_STATUS_UNSPECIFIED;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TikTokFeed>> TikTokFeed::Create(
    Options options) {
  if (absl::Status s = CheckApps("tiktok", options.apps); !s.ok()) return s;
  return std::unique_ptr<TikTokFeed>(new TikTokFeed(std::move(options)));
}

absl::StatusOr<FeedDelivery> TikTokFeed::Receive(const FeedRequest& request,
                                                 absl::Time now) const {
  const absl::string_view signature = request.Header("authorization");
  if (signature.empty()) {
    return absl::UnauthenticatedError(
        "no Authorization header: TikTok signs every webhook with "
        "HMAC-SHA256(app_secret, app_key + body)");
  }
  const FeedApp* app = FindSigningApp(
      options_.apps, signature,
      [&](const FeedApp& a) { return TikTokSignature(a, request.body); });
  if (app == nullptr) {
    return absl::UnauthenticatedError(
        "the Authorization signature verifies with no configured TikTok app "
        "(HMAC-SHA256 of app_key + body under app_secret): check the "
        "app_key and its secret file");
  }

  TikTokNotification n;
  if (absl::Status s = ParseJson(request.body, "the TikTok notification", &n);
      !s.ok()) {
    return s;
  }
  if (n.tts_notification_id().empty() || n.shop_id().empty()) {
    return absl::InvalidArgumentError(
        "the TikTok notification has no tts_notification_id or shop_id");
  }
  absl::StatusOr<absl::Time> sent = UnixSeconds(n.timestamp(), "timestamp");
  if (!sent.ok()) return sent.status();
  if (absl::Status s =
          CheckFreshness(*sent, now, options_.freshness, "timestamp");
      !s.ok()) {
    return s;
  }

  FeedDelivery out;
  out.tenant = app->tenant;
  const auto& d = n.data();
  const std::string id = DerivedEventId("tiktok", {n.tts_notification_id()});
  // Event time: the change's own time where the type has one.
  const absl::Time at =
      d.update_time() > 0 ? absl::FromUnixSeconds(d.update_time()) : *sent;
  auto event = [&](std::string detail) {
    return NewEvent(app->tenant, n.shop_id(), id, at,
                    absl::StrCat("tiktok:webhook:type=", n.type(), detail,
                                 ":notification=", n.tts_notification_id()));
  };
  switch (n.type()) {
    case kOrderStatusChange: {
      if (d.order_id().empty()) {
        return absl::InvalidArgumentError(
            "TikTok order status notification without data.order_id");
      }
      const depositd::v1::OrderStatus status = OrderStatusOf(d.order_status());
      if (status == depositd::v1::ORDER_STATUS_UNSPECIFIED) {
        ++out.ignored;
        break;
      }
      depositd::v1::Event e =
          event(absl::StrCat(":order_status=", d.order_status()));
      auto* b = e.mutable_order_status_changed();
      b->set_order_id(d.order_id());
      b->set_status(status);
      b->set_platform_status(d.order_status());
      out.events.push_back(std::move(e));
      break;
    }
    case kPackageUpdate:
      ++out.ignored;
      break;
    case kSellerDeauthorization: {
      depositd::v1::Event e = event("");
      e.mutable_feed_authorization_changed()->set_state(
          depositd::v1::DEAUTHORIZED);
      out.events.push_back(std::move(e));
      break;
    }
    case kUpcomingAuthorizationExpiration: {
      absl::StatusOr<absl::Time> expires =
          UnixSeconds(d.expiration_time(), "data.expiration_time");
      if (!expires.ok()) return expires.status();
      depositd::v1::Event e = event("");
      auto* b = e.mutable_feed_authorization_changed();
      b->set_state(depositd::v1::EXPIRING);
      SetTime(*expires, b->mutable_expires_at());
      out.events.push_back(std::move(e));
      break;
    }
    case kCancellationStatusChange: {
      if (d.cancel_id().empty()) {
        return absl::InvalidArgumentError(
            "TikTok cancellation notification without data.cancel_id");
      }
      const std::string& s = d.cancel_status();
      depositd::v1::Event e = event(
          absl::StrCat(":cancel_status=", s, ":role=", d.cancellations_role()));
      const std::string dispute = absl::StrCat("tiktok-cancel:", d.cancel_id());
      if (s == "CANCELLATION_REQUEST_PENDING") {
        auto* b = e.mutable_dispute_opened();
        b->set_dispute_id(dispute);
        b->set_kind(depositd::v1::REFUND_REQUEST);
        b->set_order_id(d.order_id());
      } else if (s == "CANCELLATION_REQUEST_SUCCESS" ||
                 s == "CANCELLATION_REQUEST_COMPLETE") {
        auto* b = e.mutable_dispute_resolved();
        b->set_dispute_id(dispute);
        b->set_outcome(depositd::v1::BUYER_WON);
      } else if (s == "CANCELLATION_REQUEST_CANCELLED" ||
                 s == "CANCELLATION_REQUEST_CANCEL") {
        auto* b = e.mutable_dispute_resolved();
        b->set_dispute_id(dispute);
        b->set_outcome(depositd::v1::WITHDRAWN);
      } else if (s == "CANCELLATION_REQUEST_REJECT") {
        auto* b = e.mutable_dispute_resolved();
        b->set_dispute_id(dispute);
        b->set_outcome(depositd::v1::SELLER_WON);
      } else {
        ++out.ignored;
        break;
      }
      out.events.push_back(std::move(e));
      break;
    }
    case kReturnStatusChange: {
      if (d.return_id().empty()) {
        return absl::InvalidArgumentError(
            "TikTok return notification without data.return_id");
      }
      const std::string& s = d.return_status();
      depositd::v1::Event e = event(
          absl::StrCat(":return_status=", s, ":return_type=", d.return_type()));
      const std::string dispute = absl::StrCat("tiktok-return:", d.return_id());
      if (s == "RETURN_OR_REFUND_REQUEST_PENDING") {
        auto* b = e.mutable_dispute_opened();
        b->set_dispute_id(dispute);
        b->set_kind(d.return_type() == "REFUND" ? depositd::v1::REFUND_REQUEST
                                                : depositd::v1::RETURN);
        b->set_order_id(d.order_id());
      } else if (s == "AWAITING_BUYER_SHIP" || s == "REJECT_RECEIVE_PACKAGE") {
        e.mutable_dispute_responded()->set_dispute_id(dispute);
      } else if (s == "RETURN_OR_REFUND_REQUEST_SUCCESS" ||
                 s == "RETURN_OR_REFUND_REQUEST_COMPLETE") {
        auto* b = e.mutable_dispute_resolved();
        b->set_dispute_id(dispute);
        b->set_outcome(depositd::v1::BUYER_WON);
      } else if (s == "REFUND_OR_RETURN_REQUEST_REJECT") {
        auto* b = e.mutable_dispute_resolved();
        b->set_dispute_id(dispute);
        b->set_outcome(depositd::v1::SELLER_WON);
      } else if (s == "RETURN_OR_REFUND_REQUEST_CANCEL") {
        auto* b = e.mutable_dispute_resolved();
        b->set_dispute_id(dispute);
        b->set_outcome(depositd::v1::WITHDRAWN);
      } else {
        ++out.ignored;  // BUYER_SHIPPED_ITEM: still open, nothing new
        break;
      }
      out.events.push_back(std::move(e));
      break;
    }
    default:
      ++out.unknown_types;
      break;
  }
  return out;
}

}  // namespace depositd::feeds
