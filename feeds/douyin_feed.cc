#include "feeds/douyin_feed.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "depositd/feeds/v1/douyin.pb.h"
#include "feeds/app_check.h"
#include "feeds/canonical_event.h"
#include "feeds/signatures.h"

namespace depositd::feeds {
namespace {

using feeds::v1::DouyinData;
using feeds::v1::DouyinMessage;
using feeds::v1::DouyinPush;
namespace dv1 = ::depositd::v1;

// What a tag becomes.
enum class Action {
  kUnknown,      // a tag depositd does not know
  kIgnored,      // known, changes nothing the deposit depends on
  kOrder,        // OrderStatusChanged
  kOpen,         // DisputeOpened (after-sale)
  kRespond,      // DisputeResponded (after-sale)
  kResolve,      // DisputeResolved (after-sale)
  kDeadline,     // DisputeDeadlineChanged (after-sale)
  kArbOpen,      // DisputeOpened (arbitration)
  kArbRespond,   // DisputeResponded (arbitration)
  kArbWithdraw,  // DisputeResolved WITHDRAWN (arbitration)
  kArbResult,    // DisputeResolved by arbitrate_conclusion
};

struct TagRule {
  Action action;
  const char* name;
  dv1::OrderStatus status = dv1::ORDER_STATUS_UNSPECIFIED;
  dv1::DisputeOutcome outcome = dv1::DISPUTE_OUTCOME_UNSPECIFIED;
};

TagRule RuleFor(const std::string& tag) {
  // Trade tags (doudian_trade_*).
  if (tag == "100") return {Action::kIgnored, "TradeCreate"};
  if (tag == "101") return {Action::kOrder, "TradePaid", dv1::PLACED};
  if (tag == "102") return {Action::kOrder, "TradeSellerShip", dv1::SHIPPED};
  if (tag == "103") return {Action::kOrder, "TradeSuccess", dv1::COMPLETED};
  if (tag == "104") return {Action::kIgnored, "TradeLogisticsChanged"};
  if (tag == "105") return {Action::kIgnored, "TradeAddressChanged"};
  if (tag == "106") return {Action::kOrder, "TradeCanceled", dv1::CANCELLED};
  if (tag == "108") {
    return {Action::kOrder, "TradePartlySellerShip", dv1::SHIPPED};
  }
  if (tag == "109") return {Action::kIgnored, "TradeAmountChanged"};
  if (tag == "110") return {Action::kIgnored, "TradePending"};
  // After-sale tags (doudian_refund_*).
  if (tag == "200") return {Action::kOpen, "RefundCreated"};
  if (tag == "201") return {Action::kRespond, "RefundAgreed"};
  if (tag == "202") return {Action::kRespond, "ReturnApplyAgreed"};
  if (tag == "203") return {Action::kIgnored, "BuyerReturnGoods"};
  if (tag == "204") return {Action::kRespond, "RefundRefused"};
  if (tag == "205") return {Action::kRespond, "ReturnApplyRefused"};
  if (tag == "206") {
    return {Action::kResolve, "RefundSuccess", {}, dv1::BUYER_WON};
  }
  if (tag == "207") {
    return {Action::kResolve, "RefundClosed", {}, dv1::WITHDRAWN};
  }
  if (tag == "208") return {Action::kIgnored, "RefundModified"};
  if (tag == "209") return {Action::kDeadline, "ExpirationChange"};
  if (tag == "211") {
    return {Action::kResolve, "ExchangeConfirmed", {}, dv1::SETTLED};
  }
  // Arbitration.
  if (tag == "212") return {Action::kArbOpen, "ArbitrateApplied"};
  if (tag == "213") return {Action::kIgnored, "ArbitrateSubmiting"};
  if (tag == "214") return {Action::kArbRespond, "ArbitrateSubmited"};
  if (tag == "215") return {Action::kArbWithdraw, "ArbitrateCancelled"};
  if (tag == "216") return {Action::kArbResult, "ArbitrateAudited"};
  if (tag == "217") return {Action::kIgnored, "ArbitrateServiceIntervene"};
  if (tag == "218") return {Action::kIgnored, "ArbitrateNegotiationEvidence"};
  return {Action::kUnknown, "unknown"};
}

dv1::DisputeKind KindOf(int64_t aftersale_type) {
  switch (aftersale_type) {
    case 0:  // return
    case 3:  // exchange
      return dv1::RETURN;
    default:  // 1 refund only, 2 refund before shipping
      return dv1::REFUND_REQUEST;
  }
}

// The first time the message carries, in the order of `fields`.
absl::StatusOr<absl::Time> TimeOf(std::initializer_list<int64_t> fields) {
  for (int64_t t : fields) {
    if (t > 0) return absl::FromUnixSeconds(t);
  }
  return absl::InvalidArgumentError(
      "the message's data has no time (update_time, create_time, …)");
}

absl::Status MapMessage(const DouyinMessage& m, const std::string& tenant,
                        FeedDelivery* out) {
  const TagRule rule = RuleFor(m.tag());
  if (rule.action == Action::kUnknown) {
    ++out->unknown_types;
    return absl::OkStatus();
  }
  if (rule.action == Action::kIgnored) {
    ++out->ignored;
    return absl::OkStatus();
  }
  if (m.msg_id().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("a tag ", m.tag(), " message has no msg_id"));
  }
  DouyinData d;
  if (absl::Status s =
          ParseJson(m.data(), absl::StrCat("data of message ", m.msg_id()), &d);
      !s.ok()) {
    return s;
  }
  if (d.shop_id() <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("data of message ", m.msg_id(), " has no shop_id"));
  }
  absl::StatusOr<absl::Time> at = absl::InfinitePast();
  switch (rule.action) {
    case Action::kOrder:
      at = TimeOf({d.complete_time(), d.cancel_time(), d.ship_time(),
                   d.pay_time(), d.update_time(), d.create_time()});
      break;
    default:
      at = TimeOf({d.update_time(), d.apply_time(), d.create_time()});
      break;
  }
  if (!at.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("message ", m.msg_id(), ": ", at.status().message()));
  }
  dv1::Event e = NewEvent(
      tenant, absl::StrCat(d.shop_id()), DerivedEventId("douyin", {m.msg_id()}),
      *at,
      absl::StrCat(
          "douyin:push:tag=", m.tag(), ":", rule.name,
          d.aftersale_status() != 0
              ? absl::StrCat(":aftersale_status=", d.aftersale_status())
              : "",
          ":msg_id=", m.msg_id()));
  const std::string order = d.p_id() > 0 ? absl::StrCat(d.p_id()) : "";
  const std::string aftersale =
      absl::StrCat("douyin-aftersale:", d.aftersale_id());
  const std::string arbitration =
      absl::StrCat("douyin-arbitration:", d.aftersale_id());
  const bool needs_aftersale = rule.action != Action::kOrder;
  if (needs_aftersale && d.aftersale_id() <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "message ", m.msg_id(), " (tag ", m.tag(), ") has no aftersale_id"));
  }
  switch (rule.action) {
    case Action::kOrder: {
      if (order.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "message ", m.msg_id(), " (tag ", m.tag(), ") has no p_id"));
      }
      auto* b = e.mutable_order_status_changed();
      b->set_order_id(order);
      b->set_status(rule.status);
      b->set_platform_status(rule.name);
      break;
    }
    case Action::kOpen: {
      auto* b = e.mutable_dispute_opened();
      b->set_dispute_id(aftersale);
      b->set_kind(KindOf(d.aftersale_type()));
      b->set_order_id(order);
      if (d.refund_amount() > 0) {
        b->mutable_amount()->set_minor_units(d.refund_amount());
        b->mutable_amount()->set_currency("CNY");
      }
      break;
    }
    case Action::kRespond:
      e.mutable_dispute_responded()->set_dispute_id(aftersale);
      break;
    case Action::kResolve: {
      auto* b = e.mutable_dispute_resolved();
      b->set_dispute_id(aftersale);
      b->set_outcome(rule.outcome);
      break;
    }
    case Action::kDeadline: {
      absl::StatusOr<absl::Time> due =
          UnixSeconds(d.expiration_time(), "data.expiration_time");
      if (!due.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "message ", m.msg_id(), " (tag 209): ", due.status().message()));
      }
      auto* b = e.mutable_dispute_deadline_changed();
      b->set_dispute_id(aftersale);
      SetTime(*due, b->mutable_response_due_at());
      break;
    }
    case Action::kArbOpen: {
      auto* b = e.mutable_dispute_opened();
      b->set_dispute_id(arbitration);
      b->set_kind(dv1::ARBITRATION);
      b->set_order_id(order);
      break;
    }
    case Action::kArbRespond:
      e.mutable_dispute_responded()->set_dispute_id(arbitration);
      break;
    case Action::kArbWithdraw: {
      auto* b = e.mutable_dispute_resolved();
      b->set_dispute_id(arbitration);
      b->set_outcome(dv1::WITHDRAWN);
      break;
    }
    case Action::kArbResult: {
      auto* b = e.mutable_dispute_resolved();
      b->set_dispute_id(arbitration);
      switch (d.arbitrate_conclusion()) {
        case 1:
        case 3:
          b->set_outcome(dv1::BUYER_WON);
          break;
        case 2:
          b->set_outcome(dv1::SELLER_WON);
          break;
        default:
          return absl::InvalidArgumentError(absl::StrCat(
              "message ", m.msg_id(), " (tag 216): arbitrate_conclusion ",
              d.arbitrate_conclusion(), " is not 1, 2 or 3"));
      }
      break;
    }
    default:
      break;
  }
  out->events.push_back(std::move(e));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<DouyinFeed>> DouyinFeed::Create(
    Options options) {
  if (absl::Status s = CheckApps("douyin", options.apps); !s.ok()) return s;
  return std::unique_ptr<DouyinFeed>(new DouyinFeed(std::move(options)));
}

absl::StatusOr<FeedDelivery> DouyinFeed::Receive(const FeedRequest& request,
                                                 absl::Time) const {
  const absl::string_view app_id = request.Header("app-id");
  const absl::string_view signature = request.Header("event-sign");
  if (app_id.empty() || signature.empty()) {
    return absl::UnauthenticatedError(
        "no app-id or event-sign header: Douyin signs every push with "
        "MD5(app_key + body + app_secret)");
  }
  const FeedApp* app = nullptr;
  for (const FeedApp& a : options_.apps) {
    if (a.app_key == app_id) app = &a;
  }
  if (app == nullptr) {
    return absl::PermissionDeniedError(absl::StrCat(
        "app-id \"", app_id.substr(0, 64),
        "\" is not a configured Douyin app (feeds.douyin in the config)"));
  }
  if (!HexDigestEquals(signature, DouyinSignature(*app, request.body))) {
    return absl::UnauthenticatedError(absl::StrCat(
        "event-sign does not verify for Douyin app ", app->app_key,
        " (MD5 of app_key + body + app_secret): check its secret file"));
  }
  // The body is a JSON array; protobuf's parser reads objects, so it is
  // read as the `messages` field of a wrapper.
  DouyinPush push;
  if (absl::Status s =
          ParseJson(absl::StrCat(R"({"messages":)", request.body, "}"),
                    "the Douyin push (a JSON array of messages)", &push);
      !s.ok()) {
    return s;
  }
  FeedDelivery out;
  out.tenant = app->tenant;
  for (const DouyinMessage& m : push.messages()) {
    if (m.tag() == "0") {
      out.verification = true;
      continue;
    }
    if (absl::Status s = MapMessage(m, app->tenant, &out); !s.ok()) return s;
  }
  return out;
}

}  // namespace depositd::feeds
