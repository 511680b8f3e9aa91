#include "feeds/temu_feed.h"

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "depositd/feeds/v1/temu.pb.h"
#include "feeds/app_check.h"
#include "feeds/canonical_event.h"
#include "feeds/signatures.h"

namespace depositd::feeds {
namespace {

using feeds::v1::TemuEnvelope;
using feeds::v1::TemuEventData;
namespace dv1 = ::depositd::v1;

constexpr char kOrderStatus[] = "bg_order_status_change_event";
constexpr char kAfterSales[] = "bg_aftersales_status_change";
constexpr char kCancel[] = "bg_cancel_order_status_change";
constexpr char kAddress[] = "bg_trade_logistics_address_changed";

dv1::OrderStatus OrderStatusOf(int64_t s) {
  switch (s) {
    case 1:  // pending
    case 2:  // unshipped
      return dv1::PLACED;
    case 3:
      return dv1::CANCELLED;
    case 4:   // shipped
    case 41:  // partly shipped
    case 51:  // partly delivered
      return dv1::SHIPPED;
    case 5:
      return dv1::DELIVERED;
    default:
      return dv1::ORDER_STATUS_UNSPECIFIED;
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<TemuFeed>> TemuFeed::Create(Options options) {
  if (absl::Status s = CheckApps("temu", options.apps); !s.ok()) return s;
  for (const FeedApp& a : options.apps) {
    if (a.secret.size() < 16) {
      return absl::InvalidArgumentError(absl::StrCat(
          "temu app ", a.app_key, ": the app secret has ", a.secret.size(),
          " bytes; Temu's AES-128 key is its first 16, so it needs 16 or "
          "more (check the secret file)"));
    }
  }
  return std::unique_ptr<TemuFeed>(new TemuFeed(std::move(options)));
}

absl::StatusOr<FeedDelivery> TemuFeed::Receive(const FeedRequest& request,
                                               absl::Time now) const {
  const absl::string_view app_key = request.Header("x-tm-app-key");
  const absl::string_view signature = request.Header("x-tm-signature");
  const absl::string_view code = request.Header("x-tm-event-code");
  const absl::string_view timestamp = request.Header("x-tm-timestamp");
  if (app_key.empty() || signature.empty() || code.empty() ||
      timestamp.empty()) {
    return absl::UnauthenticatedError(
        "a Temu webhook needs the headers x-tm-app-key, x-tm-event-code, "
        "x-tm-timestamp and x-tm-signature");
  }
  const FeedApp* app = nullptr;
  for (const FeedApp& a : options_.apps) {
    if (a.app_key == app_key) app = &a;
  }
  if (app == nullptr) {
    return absl::PermissionDeniedError(absl::StrCat(
        "x-tm-app-key \"", app_key.substr(0, 64),
        "\" is not a configured Temu app (feeds.temu in the config)"));
  }
  // The signature covers the plaintext, so the envelope is read and
  // decrypted first.
  TemuEnvelope envelope;
  if (absl::Status s =
          ParseJson(request.body, "the Temu webhook body", &envelope);
      !s.ok()) {
    return s;
  }
  std::string ciphertext;
  if (envelope.event_data().empty() ||
      !absl::Base64Unescape(envelope.event_data(), &ciphertext)) {
    return absl::InvalidArgumentError(
        "the Temu webhook body has no eventData, or it is not base64");
  }
  absl::StatusOr<std::string> plaintext =
      DecryptAes128Cbc(app->secret, ciphertext);
  if (!plaintext.ok()) {
    return absl::UnauthenticatedError(absl::StrCat(
        "Temu app ", app->app_key, ": ", plaintext.status().message()));
  }
  if (!HexDigestEquals(signature,
                       TemuSignature(*app, request, *plaintext, true)) &&
      !HexDigestEquals(signature,
                       TemuSignature(*app, request, *plaintext, false))) {
    return absl::UnauthenticatedError(absl::StrCat(
        "x-tm-signature does not verify for Temu app ", app->app_key,
        " (HMAC-SHA256 of the sorted x-tm-* headers and the decrypted "
        "eventData): check its secret file"));
  }
  int64_t millis = 0;
  if (!absl::SimpleAtoi(timestamp, &millis) || millis <= 0) {
    return absl::InvalidArgumentError(
        "x-tm-timestamp is not milliseconds since 1970");
  }
  const absl::Time sent = absl::FromUnixMillis(millis);
  if (absl::Status s =
          CheckFreshness(sent, now, options_.freshness, "x-tm-timestamp");
      !s.ok()) {
    return s;
  }

  FeedDelivery out;
  out.tenant = app->tenant;
  const bool order = code == kOrderStatus;
  const bool cancel = code == kCancel;
  const bool aftersales = code == kAfterSales;
  if (code == kAddress) {
    ++out.ignored;
    return out;
  }
  if (!order && !cancel && !aftersales) {
    ++out.unknown_types;
    return out;
  }
  TemuEventData d;
  if (absl::Status s = ParseJson(*plaintext, "the decrypted Temu event", &d);
      !s.ok()) {
    return s;
  }
  const std::string shop =
      !d.mall_id().empty() ? d.mall_id() : app->default_shop_id;
  if (shop.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the Temu event names no mallId and app ", app->app_key,
                     " has no default_shop_id in the config"));
  }
  const absl::Time at =
      d.update_at() > 0 ? absl::FromUnixMillis(d.update_at()) : sent;
  const std::string update = absl::StrCat(d.update_at());
  if (order || cancel) {
    if (d.order_sn().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("the Temu ", code, " event has no orderSn"));
    }
    const int64_t raw =
        order || d.order_status() != 0 ? d.order_status() : d.status();
    const dv1::OrderStatus status =
        cancel ? (raw == 3 ? dv1::CANCELLED : dv1::ORDER_STATUS_UNSPECIFIED)
               : OrderStatusOf(raw);
    if (status == dv1::ORDER_STATUS_UNSPECIFIED) {
      ++out.ignored;
      return out;
    }
    dv1::Event e = NewEvent(
        app->tenant, shop,
        DerivedEventId("temu",
                       {code, shop, d.order_sn(), absl::StrCat(raw), update}),
        at, absl::StrCat("temu:webhook:", code, ":status=", raw));
    auto* b = e.mutable_order_status_changed();
    b->set_order_id(d.order_sn());
    b->set_status(status);
    b->set_platform_status(absl::StrCat(cancel ? "cancel:" : "", raw));
    out.events.push_back(std::move(e));
    return out;
  }
  // After-sales: opened (and kept open) with the status as evidence; Temu's
  // after-sales status values are unconfirmed, so their resolution comes
  // from polling (see docs/feeds.md).
  if (d.parent_after_sales_sn().empty()) {
    return absl::InvalidArgumentError(
        "the Temu after-sales event has no parentAfterSalesSn");
  }
  dv1::Event e = NewEvent(
      app->tenant, shop,
      DerivedEventId("temu",
                     {code, shop, d.parent_after_sales_sn(),
                      absl::StrCat(d.parent_after_sales_status()), update}),
      at,
      absl::StrCat("temu:webhook:", code,
                   ":parentAfterSalesStatus=", d.parent_after_sales_status(),
                   ":afterSalesType=", d.after_sales_type()));
  auto* b = e.mutable_dispute_opened();
  b->set_dispute_id(
      absl::StrCat("temu-aftersales:", d.parent_after_sales_sn()));
  b->set_kind(d.after_sales_type() == 2 ? dv1::RETURN : dv1::REFUND_REQUEST);
  b->set_order_id(!d.parent_order_sn().empty() ? d.parent_order_sn()
                                               : d.order_sn());
  out.events.push_back(std::move(e));
  return out;
}

}  // namespace depositd::feeds
