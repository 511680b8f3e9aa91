#include "feeds/shopee_feed.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "depositd/feeds/v1/shopee.pb.h"
#include "feeds/app_check.h"
#include "feeds/canonical_event.h"
#include "feeds/signatures.h"

namespace depositd::feeds {
namespace {

using feeds::v1::ShopeeData;
using feeds::v1::ShopeePush;
namespace dv1 = ::depositd::v1;

constexpr int kAuthorizationCancelled = 2;
constexpr int kOrderStatus = 3;
constexpr int kTrackingNumber = 4;
constexpr int kBannedItem = 6;
constexpr int kAuthorizationExpiring = 12;
constexpr int kShopPenalty = 28;
constexpr int kReturnUpdates = 29;

dv1::OrderStatus OrderStatusOf(const std::string& s) {
  if (s == "READY_TO_SHIP" || s == "PROCESSED" || s == "RETRY_SHIP") {
    return dv1::PLACED;
  }
  if (s == "SHIPPED") return dv1::SHIPPED;
  if (s == "TO_CONFIRM_RECEIVE") return dv1::DELIVERED;
  if (s == "COMPLETED") return dv1::COMPLETED;
  if (s == "CANCELLED") return dv1::CANCELLED;
  // UNPAID (not a sale yet), IN_CANCEL (a request; CANCELLED follows or
  // not), TO_RETURN (code 29 carries the return): nothing to record.
  return dv1::ORDER_STATUS_UNSPECIFIED;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ShopeeFeed>> ShopeeFeed::Create(
    Options options) {
  if (absl::Status s = CheckApps("shopee", options.apps); !s.ok()) return s;
  for (const FeedApp& a : options.apps) {
    if (a.callback_url.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "shopee partner ", a.app_key,
          ": callback_url is required (Shopee signs the URL it posts to, "
          "exactly as registered in its console)"));
    }
  }
  return std::unique_ptr<ShopeeFeed>(new ShopeeFeed(std::move(options)));
}

absl::StatusOr<FeedDelivery> ShopeeFeed::Receive(const FeedRequest& request,
                                                 absl::Time now) const {
  const absl::string_view signature = request.Header("authorization");
  if (signature.empty()) {
    return absl::UnauthenticatedError(
        "no Authorization header: Shopee signs every push with "
        "HMAC-SHA256(partner_key, callback URL + \"|\" + body)");
  }
  const FeedApp* app = FindSigningApp(
      options_.apps, signature,
      [&](const FeedApp& a) { return ShopeeSignature(a, request.body); });
  if (app == nullptr) {
    return absl::UnauthenticatedError(
        "the Authorization signature verifies with no configured Shopee "
        "partner (HMAC-SHA256 of callback_url + \"|\" + body under "
        "partner_key): check callback_url (exactly as registered) and the "
        "partner_key file");
  }
  ShopeePush p;
  if (absl::Status s = ParseJson(request.body, "the Shopee push", &p);
      !s.ok()) {
    return s;
  }
  if (p.partner_id() != 0 && absl::StrCat(p.partner_id()) != app->app_key) {
    return absl::PermissionDeniedError(absl::StrCat(
        "the push names partner_id ", p.partner_id(),
        ", which is not the configured partner whose key signed it"));
  }
  absl::StatusOr<absl::Time> sent = UnixSeconds(p.timestamp(), "timestamp");
  if (!sent.ok()) return sent.status();
  if (absl::Status s =
          CheckFreshness(*sent, now, options_.freshness, "timestamp");
      !s.ok()) {
    return s;
  }
  const ShopeeData& d = p.data();
  const int64_t shop_number =
      p.shop_id() != 0
          ? p.shop_id()
          : (d.shop_id() != 0 ? d.shop_id() : d.shop_id_in_samples());
  const std::string shop = shop_number != 0 ? absl::StrCat(shop_number) : "";
  FeedDelivery out;
  out.tenant = app->tenant;
  const std::string code = absl::StrCat(p.code());
  auto need_shop = [&]() -> absl::Status {
    if (shop.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("the Shopee push (code ", p.code(), ") has no shop_id"));
    }
    return absl::OkStatus();
  };
  switch (p.code()) {
    case kOrderStatus: {
      if (absl::Status s = need_shop(); !s.ok()) return s;
      if (d.ordersn().empty() || d.status().empty()) {
        return absl::InvalidArgumentError(
            "Shopee order status push without data.ordersn or data.status");
      }
      const dv1::OrderStatus status = OrderStatusOf(d.status());
      if (status == dv1::ORDER_STATUS_UNSPECIFIED) {
        ++out.ignored;
        break;
      }
      const std::string update = absl::StrCat(d.update_time());
      dv1::Event e = NewEvent(
          app->tenant, shop,
          DerivedEventId("shopee",
                         {code, shop, d.ordersn(), d.status(), update}),
          d.update_time() > 0 ? absl::FromUnixSeconds(d.update_time()) : *sent,
          absl::StrCat("shopee:push:code=3:status=", d.status(),
                       ":update_time=", update));
      auto* b = e.mutable_order_status_changed();
      b->set_order_id(d.ordersn());
      b->set_status(status);
      b->set_platform_status(d.status());
      out.events.push_back(std::move(e));
      break;
    }
    case kReturnUpdates: {
      if (absl::Status s = need_shop(); !s.ok()) return s;
      if (d.return_sn().empty()) {
        return absl::InvalidArgumentError(
            "Shopee return push without data.return_sn");
      }
      const std::string dispute = absl::StrCat("shopee-return:", d.return_sn());
      for (const auto& v : d.updated_values()) {
        const int64_t t =
            v.update_time() > 0 ? v.update_time() : d.update_time();
        const std::string& s = v.new_value();
        dv1::Event e = NewEvent(
            app->tenant, shop,
            DerivedEventId("shopee",
                           {code, shop, d.return_sn(), s, absl::StrCat(t)}),
            t > 0 ? absl::FromUnixSeconds(t) : *sent,
            absl::StrCat("shopee:push:code=29:return_status=", v.old_value(),
                         "->", s));
        if (s == "REQUESTED") {
          auto* b = e.mutable_dispute_opened();
          b->set_dispute_id(dispute);
          b->set_kind(dv1::RETURN);
          b->set_order_id(d.ordersn());
        } else if (s == "PROCESSING" || s == "SELLER_DISPUTE") {
          e.mutable_dispute_responded()->set_dispute_id(dispute);
        } else if (s == "ACCEPTED" || s == "REFUND_PAID") {
          auto* b = e.mutable_dispute_resolved();
          b->set_dispute_id(dispute);
          b->set_outcome(dv1::BUYER_WON);
        } else if (s == "CANCELLED") {
          auto* b = e.mutable_dispute_resolved();
          b->set_dispute_id(dispute);
          b->set_outcome(dv1::WITHDRAWN);
        } else if (s == "CLOSED") {
          auto* b = e.mutable_dispute_resolved();
          b->set_dispute_id(dispute);
          b->set_outcome(dv1::SELLER_WON);
        } else {
          ++out.ignored;  // JUDGING and others: still open
          continue;
        }
        out.events.push_back(std::move(e));
      }
      break;
    }
    case kAuthorizationCancelled: {
      if (absl::Status s = need_shop(); !s.ok()) return s;
      dv1::Event e = NewEvent(
          app->tenant, shop,
          DerivedEventId("shopee", {code, shop, absl::StrCat(p.timestamp())}),
          *sent, "shopee:push:code=2:authorization cancelled");
      e.mutable_feed_authorization_changed()->set_state(dv1::DEAUTHORIZED);
      out.events.push_back(std::move(e));
      break;
    }
    case kAuthorizationExpiring: {
      absl::StatusOr<absl::Time> expires =
          UnixSeconds(d.expire_before(), "data.expire_before");
      if (!expires.ok()) return expires.status();
      std::vector<std::string> shops;
      for (int64_t s : d.shop_expire_soon()) shops.push_back(absl::StrCat(s));
      if (shops.empty() && !shop.empty()) shops.push_back(shop);
      if (shops.empty()) {
        return absl::InvalidArgumentError(
            "Shopee authorization expiry push naming no shop "
            "(data.shop_expire_soon or shop_id)");
      }
      for (const std::string& s : shops) {
        dv1::Event e =
            NewEvent(app->tenant, s,
                     DerivedEventId("shopee",
                                    {code, s, absl::StrCat(d.expire_before())}),
                     *sent, "shopee:push:code=12:authorization expiring");
        auto* b = e.mutable_feed_authorization_changed();
        b->set_state(dv1::EXPIRING);
        SetTime(*expires, b->mutable_expires_at());
        out.events.push_back(std::move(e));
      }
      break;
    }
    case kShopPenalty: {
      if (absl::Status s = need_shop(); !s.ok()) return s;
      const int64_t t = d.update_time() > 0 ? d.update_time() : p.timestamp();
      const std::string reference =
          !d.reference_id().empty() ? d.reference_id() : absl::StrCat(t);
      const std::string violation =
          absl::StrCat("shopee-penalty:", shop, ":", reference);
      dv1::Event e = NewEvent(
          app->tenant, shop,
          DerivedEventId("shopee", {code, shop, absl::StrCat(d.action_type()),
                                    reference, absl::StrCat(t)}),
          absl::FromUnixSeconds(t),
          absl::StrCat("shopee:push:code=28:action_type=", d.action_type(),
                       ":points=", d.points()));
      if (d.action_type() == 2) {
        e.mutable_violation_resolved()->set_violation_id(violation);
      } else {
        auto* b = e.mutable_violation_recorded();
        b->set_violation_id(violation);
        b->set_kind(!d.violation_type().empty()
                        ? d.violation_type()
                        : (d.action_type() == 3 ? "penalty_tier_change"
                                                : "penalty_points"));
        b->set_description(absl::StrCat("Shopee penalty: action ",
                                        d.action_type(), ", ", d.points(),
                                        " points"));
      }
      out.events.push_back(std::move(e));
      break;
    }
    case kTrackingNumber:
    case kBannedItem:
      ++out.ignored;
      break;
    default:
      ++out.unknown_types;
      break;
  }
  return out;
}

}  // namespace depositd::feeds
