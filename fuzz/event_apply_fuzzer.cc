// Fuzz target (a): event validation + apply + evaluate + risk watchers.
//
// The input drives a FuzzedDataProvider that builds a sequence of events for
// one shop: every event kind, ids from a small pool (so facts about the same
// order, fee, dispute or payment meet) or arbitrary strings (long ones too),
// times around 2026 or arbitrary, amounts small or extreme, currencies known,
// unknown or garbage, enum values in and out of range, and now and then an
// event for another shop. Between events the shop is evaluated at a moment
// taken from the input (any Timestamp a GetShop request could carry). See
// fuzz_checks.h for the invariants checked.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/timestamps.h"
#include "depositd/v1/events.pb.h"
#include "fuzz/fuzz_checks.h"
#include "fuzzer/FuzzedDataProvider.h"
#include "notifier/alert_book.h"
#include "watchers/shop_state.h"

namespace depositd::fuzz {
namespace {

constexpr int64_t kBase = 1767225600;  // 2026-01-01T00:00:00Z
constexpr int kMaxEvents = 200;

class EventMaker {
 public:
  explicit EventMaker(FuzzedDataProvider& in) : in_(in) {}

  std::string Id(const char* prefix) {
    switch (in_.ConsumeIntegralInRange(0, 9)) {
      case 0:
        return in_.ConsumeRandomLengthString(300);
      case 1:
        return "";
      default:
        return prefix + std::to_string(in_.ConsumeIntegralInRange(0, 3));
    }
  }

  void Time(google::protobuf::Timestamp* ts) {
    if (in_.ConsumeIntegralInRange(0, 15) == 0) {
      ts->set_seconds(in_.ConsumeIntegral<int64_t>());
      ts->set_nanos(in_.ConsumeIntegral<int32_t>());
      return;
    }
    ts->set_seconds(
        kBase + in_.ConsumeIntegralInRange<int64_t>(-86400 * 400, 86400 * 400));
    ts->set_nanos(in_.ConsumeBool() ? 0
                                    : in_.ConsumeIntegralInRange(0, 999999999));
  }

  absl::Time Now() {
    google::protobuf::Timestamp ts;
    Time(&ts);
    return common::FromTimestamp(ts);
  }

  void Money(v1::Money* m) {
    static const char* kCurrencies[] = {"USD", "CNY", "GBP", "JPY",
                                        "KWD", "XYZ", "",    "usd"};
    switch (in_.ConsumeIntegralInRange(0, 7)) {
      case 0:
        m->set_minor_units(in_.ConsumeIntegral<int64_t>());
        break;
      case 1:
        m->set_minor_units(in_.PickValueInArray<int64_t>(
            {INT64_MAX, INT64_MIN, -1, 0, 1000000000000000LL,
             1000000000000001LL, 4611686018427387904LL}));
        break;
      default:
        m->set_minor_units(in_.ConsumeIntegralInRange<int64_t>(0, 100000));
    }
    if (in_.ConsumeIntegralInRange(0, 9) == 0) {
      m->set_currency(in_.ConsumeRandomLengthString(8));
    } else {
      m->set_currency(in_.PickValueInArray(kCurrencies));
    }
  }

  int Enum(int max) { return in_.ConsumeIntegralInRange(-1, max + 1); }

  std::string Text() {
    return in_.ConsumeIntegralInRange(0, 7) == 0
               ? in_.ConsumeRandomLengthString(5000)
               : in_.ConsumeRandomLengthString(12);
  }

  v1::Event Next() {
    v1::Event e;
    e.set_event_id(in_.ConsumeIntegralInRange(0, 31) == 0
                       ? in_.ConsumeRandomLengthString(200)
                       : "e" + std::to_string(++seq_));
    if (in_.ConsumeIntegralInRange(0, 31) == 0) {
      e.set_tenant(in_.ConsumeRandomLengthString(80));
      e.set_shop_id(in_.ConsumeRandomLengthString(140));
    } else {
      e.set_tenant("t");
      e.set_shop_id("s");
    }
    if (in_.ConsumeIntegralInRange(0, 31) != 0) Time(e.mutable_occurred_at());
    if (in_.ConsumeBool()) e.set_source(Text());
    switch (in_.ConsumeIntegralInRange(0, 32)) {
      case 0: {
        auto* b = e.mutable_shop_registered();
        static const char* kProfiles[] = {"tiktok_shop_cross_border", "douyin",
                                          "shopee", "temu", "generic"};
        b->set_profile(in_.ConsumeIntegralInRange(0, 7) == 0
                           ? in_.ConsumeRandomLengthString(80)
                           : in_.PickValueInArray(kProfiles));
        b->set_site(in_.PickValueInArray({"US", "UK", "SEA", "CN", ""}));
        b->set_legal_entity_id(Id("le"));
        if (in_.ConsumeBool()) Time(b->mutable_entity_last_closed_at());
        break;
      }
      case 1:
        e.mutable_closure_requested();
        break;
      case 2:
        e.mutable_shop_closed();
        break;
      case 3:
        e.mutable_shop_reopened();
        break;
      case 4: {
        auto* b = e.mutable_deposit_paid();
        b->set_payment_id(Id("p"));
        b->set_kind(static_cast<v1::DepositKind>(Enum(4)));
        Money(b->mutable_amount());
        b->set_channel(in_.PickValueInArray({"paypal", "bank", ""}));
        b->set_paying_account(Id("acct"));
        if (in_.ConsumeBool()) Money(b->mutable_discount());
        if (in_.ConsumeBool()) Time(b->mutable_discount_clawback_until());
        break;
      }
      case 5: {
        auto* b = e.mutable_deposit_deducted();
        b->set_deduction_id(Id("d"));
        b->set_kind(static_cast<v1::DepositKind>(Enum(4)));
        Money(b->mutable_amount());
        b->set_reason(Text());
        b->set_counterfeit(in_.ConsumeBool());
        if (in_.ConsumeBool()) Time(b->mutable_notified_at());
        if (in_.ConsumeBool()) Time(b->mutable_appeal_deadline());
        break;
      }
      case 6: {
        auto* b = e.mutable_deposit_topped_up();
        b->set_payment_id(Id("p"));
        b->set_kind(static_cast<v1::DepositKind>(Enum(4)));
        Money(b->mutable_amount());
        b->set_channel(in_.PickValueInArray({"paypal", "bank", ""}));
        b->set_paying_account(Id("acct"));
        break;
      }
      case 7:
        e.mutable_deposit_frozen()->set_violation_id(Id("v"));
        e.mutable_deposit_frozen()->set_reason(Text());
        break;
      case 8:
        e.mutable_deposit_unfrozen();
        break;
      case 9:
        e.mutable_refund_requested()->set_refund_id(Id("r"));
        if (in_.ConsumeBool())
          Money(e.mutable_refund_requested()->mutable_amount());
        break;
      case 10:
        e.mutable_refund_paid()->set_refund_id(Id("r"));
        Money(e.mutable_refund_paid()->mutable_amount());
        break;
      case 11:
        e.mutable_refund_rejected()->set_refund_id(Id("r"));
        e.mutable_refund_rejected()->set_reason(Text());
        break;
      case 12: {
        auto* b = e.mutable_refund_account_set();
        b->set_channel(in_.PickValueInArray({"paypal", "bank", ""}));
        b->set_account(Id("acct"));
        b->set_currency(in_.PickValueInArray({"USD", "CNY", "XYZ", ""}));
        break;
      }
      case 13:
        e.mutable_deposit_requirement_set()->set_kind(
            static_cast<v1::DepositKind>(Enum(4)));
        Money(e.mutable_deposit_requirement_set()->mutable_required());
        break;
      case 14:
        e.mutable_appeal_filed()->set_deduction_id(Id("d"));
        break;
      case 15: {
        auto* b = e.mutable_appeal_decided();
        b->set_deduction_id(Id("d"));
        b->set_reversed(in_.ConsumeBool());
        if (in_.ConsumeBool()) Money(b->mutable_amount_returned());
        break;
      }
      case 16:
        e.mutable_clawback_paid()->set_payment_id(Id("cb"));
        Money(e.mutable_clawback_paid()->mutable_amount());
        break;
      case 17:
      case 18:
      case 19: {
        auto* b = e.mutable_order_status_changed();
        b->set_order_id(Id("o"));
        b->set_status(static_cast<v1::OrderStatus>(Enum(7)));
        b->set_platform_status(Text());
        if (in_.ConsumeBool()) Money(b->mutable_amount());
        break;
      }
      case 20:
        e.mutable_sale_recorded()->set_order_id(Id("o"));
        break;
      case 21: {
        auto* b = e.mutable_dispute_opened();
        b->set_dispute_id(Id("dp"));
        b->set_kind(static_cast<v1::DisputeKind>(Enum(6)));
        b->set_order_id(Id("o"));
        if (in_.ConsumeBool()) Time(b->mutable_response_due_at());
        if (in_.ConsumeBool()) Money(b->mutable_amount());
        break;
      }
      case 22:
        e.mutable_dispute_deadline_changed()->set_dispute_id(Id("dp"));
        if (in_.ConsumeIntegralInRange(0, 7) != 0) {
          Time(e.mutable_dispute_deadline_changed()->mutable_response_due_at());
        }
        break;
      case 23:
        e.mutable_dispute_responded()->set_dispute_id(Id("dp"));
        break;
      case 24: {
        auto* b = e.mutable_dispute_resolved();
        b->set_dispute_id(Id("dp"));
        b->set_outcome(static_cast<v1::DisputeOutcome>(Enum(4)));
        if (in_.ConsumeBool()) Money(b->mutable_amount());
        break;
      }
      case 25: {
        auto* b = e.mutable_fee_charged();
        b->set_fee_id(Id("f"));
        b->set_category(static_cast<v1::FeeCategory>(Enum(6)));
        Money(b->mutable_amount());
        if (in_.ConsumeBool()) Time(b->mutable_due_at());
        break;
      }
      case 26: {
        auto* b = e.mutable_fee_paid();
        b->set_fee_id(Id("f"));
        Money(b->mutable_amount());
        if (in_.ConsumeBool()) b->set_payment_id(Id("fp"));
        break;
      }
      case 27:
        e.mutable_fee_waived()->set_fee_id(Id("f"));
        break;
      case 28: {
        auto* b = e.mutable_violation_recorded();
        b->set_violation_id(Id("v"));
        b->set_kind(Text());
        b->set_description(Text());
        break;
      }
      case 29:
        e.mutable_violation_resolved()->set_violation_id(Id("v"));
        break;
      case 30:
        e.mutable_rectification_filed()->set_violation_id(Id("v"));
        e.mutable_rectification_filed()->set_statement(Text());
        break;
      case 31: {
        auto* b = e.mutable_metrics_reported();
        auto value = [&] {
          return in_.ConsumeIntegralInRange(0, 7) == 0
                     ? in_.ConsumeFloatingPoint<double>()
                     : in_.ConsumeFloatingPointInRange<double>(-1, 101);
        };
        if (in_.ConsumeBool()) b->set_fulfilment_rate_pct(value());
        if (in_.ConsumeBool()) b->set_return_rate_pct(value());
        if (in_.ConsumeBool()) b->set_dsr(value());
        break;
      }
      case 32: {
        auto* b = e.mutable_feed_authorization_changed();
        b->set_state(static_cast<v1::FeedAuthorization>(Enum(3)));
        if (in_.ConsumeBool()) Time(b->mutable_expires_at());
        break;
      }
    }
    return e;
  }

 private:
  FuzzedDataProvider& in_;
  int seq_ = 0;
};

}  // namespace
}  // namespace depositd::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace depositd;
  FuzzedDataProvider in(data, size);
  fuzz::EventMaker make(in);
  const watchers::ProfileRegistry& registry = fuzz::BuiltinRegistry();
  watchers::ShopState shop("t", "s");
  notifier::AlertBook book;
  for (int i = 0; i < fuzz::kMaxEvents && in.remaining_bytes() > 0; ++i) {
    const v1::Event e = make.Next();
    const watchers::ResolvedProfile& profile = fuzz::ProfileFor(registry, shop);
    (void)fuzz::ApplyChecked(shop, e, profile);
    if (in.ConsumeIntegralInRange(0, 7) == 0) {
      fuzz::CheckShop(shop, fuzz::ProfileFor(registry, shop), make.Now(),
                      &book);
    }
  }
  fuzz::CheckShop(shop, fuzz::ProfileFor(registry, shop), make.Now(), &book);
  fuzz::CheckSnapshotRoundTrip(shop);
  return 0;
}
