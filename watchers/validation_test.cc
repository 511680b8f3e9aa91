// Input limits of the domain core (watchers/limits.h): every bad input is a
// per-event rejection that names the field and the limit, changes nothing in
// the shop, and leaves the other events of the same batch as if it had never
// been sent. Sums of money saturate instead of overflowing.
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "watchers/limits.h"
#include "watchers/risk_watchers.h"
#include "watchers/shop_state.h"
#include "watchers/test_events.h"

namespace depositd::watchers {
namespace {

using testing::At;
using testing::Events;

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();

// Builders of one valid event of a kind, at 2026-03-01, for shop t1/s1.
using Make = std::function<v1::Event(Events&)>;

v1::Event Registered(Events& ev) {
  v1::Event e = ev.Registered(At(2026, 3, 1), "generic", "US");
  e.mutable_shop_registered()->set_legal_entity_id("le-1");
  return e;
}
v1::Event Paid(Events& ev) {
  return ev.Paid(At(2026, 3, 1), "pay-9", 5000, "USD");
}
v1::Event TopUp(Events& ev) {
  return ev.TopUp(At(2026, 3, 1), "top-9", 5000, "USD");
}
v1::Event Deducted(Events& ev) {
  return ev.Deducted(At(2026, 3, 1), "ded-9", 100, "USD");
}
v1::Event Order(Events& ev) {
  return ev.Order(At(2026, 3, 1), "o-9", v1::PLACED);
}
v1::Event Dispute(Events& ev) {
  return ev.DisputeOpened(At(2026, 3, 1), "dsp-9", v1::A_TO_Z);
}
v1::Event DisputeDeadline(Events& ev) {
  return ev.DisputeDeadline(At(2026, 3, 1), "dsp-9", At(2026, 3, 4));
}
v1::Event DisputeResolved(Events& ev) {
  return ev.DisputeResolved(At(2026, 3, 1), "dsp-9");
}
v1::Event Fee(Events& ev) {
  return ev.FeeCharged(At(2026, 3, 1), "fee-9", v1::FINE, 100, "USD");
}
v1::Event FeePaid(Events& ev) {
  return ev.FeePaid(At(2026, 3, 1), "fee-9", 100, "USD");
}
v1::Event Frozen(Events& ev) {
  v1::Event e = ev.Base(At(2026, 3, 1));
  e.mutable_deposit_frozen()->set_violation_id("v-9");
  e.mutable_deposit_frozen()->set_reason("fake shipping");
  return e;
}
v1::Event RefundRequested(Events& ev) {
  v1::Event e = ev.Base(At(2026, 3, 1));
  e.mutable_refund_requested()->set_refund_id("r-9");
  return e;
}
v1::Event RefundPaid(Events& ev) {
  v1::Event e = ev.Base(At(2026, 3, 1));
  e.mutable_refund_paid()->set_refund_id("r-9");
  *e.mutable_refund_paid()->mutable_amount() = testing::Money(100, "USD");
  return e;
}
v1::Event RefundRejected(Events& ev) {
  v1::Event e = ev.Base(At(2026, 3, 1));
  e.mutable_refund_rejected()->set_refund_id("r-9");
  e.mutable_refund_rejected()->set_reason("account mismatch");
  return e;
}
v1::Event Requirement(Events& ev) {
  v1::Event e = ev.Base(At(2026, 3, 1));
  e.mutable_deposit_requirement_set()->set_kind(v1::CREDIT);
  *e.mutable_deposit_requirement_set()->mutable_required() =
      testing::Money(100, "USD");
  return e;
}
v1::Event AppealDecided(Events& ev) {
  v1::Event e = ev.Base(At(2026, 3, 1));
  e.mutable_appeal_decided()->set_deduction_id("ded-9");
  e.mutable_appeal_decided()->set_reversed(true);
  *e.mutable_appeal_decided()->mutable_amount_returned() =
      testing::Money(50, "USD");
  return e;
}
v1::Event Clawback(Events& ev) {
  v1::Event e = ev.Base(At(2026, 3, 1));
  e.mutable_clawback_paid()->set_payment_id("cb-9");
  *e.mutable_clawback_paid()->mutable_amount() = testing::Money(100, "USD");
  return e;
}
v1::Event Violation(Events& ev) {
  v1::Event e = ev.Base(At(2026, 3, 1));
  e.mutable_violation_recorded()->set_violation_id("v-9");
  e.mutable_violation_recorded()->set_kind("counterfeit");
  e.mutable_violation_recorded()->set_description("listing 42");
  return e;
}
v1::Event Rectification(Events& ev) {
  v1::Event e = ev.Base(At(2026, 3, 1));
  e.mutable_rectification_filed()->set_violation_id("v-9");
  e.mutable_rectification_filed()->set_statement("fixed");
  return e;
}
v1::Event Metrics(Events& ev) {
  v1::Event e = ev.Base(At(2026, 3, 1));
  e.mutable_metrics_reported()->set_dsr(4.8);
  return e;
}
v1::Event Feed(Events& ev) {
  v1::Event e = ev.Base(At(2026, 3, 1));
  e.mutable_feed_authorization_changed()->set_state(v1::EXPIRING);
  e.mutable_feed_authorization_changed()->mutable_expires_at()->set_seconds(
      absl::ToUnixSeconds(At(2026, 3, 8)));
  return e;
}

std::string Bytes(size_t n) { return std::string(n, 'x'); }

void SetSeconds(google::protobuf::Timestamp* ts, int64_t s) {
  ts->set_seconds(s);
  ts->set_nanos(0);
}

struct BadCase {
  const char* name;
  Make make;
  std::function<void(v1::Event&)> spoil;
  // Expected in the reason: the field and what is wrong.
  std::string reason;
};

std::vector<BadCase> BadCases() {
  const int64_t y1999 = absl::ToUnixSeconds(At(1999, 12, 31, 23, 59));
  const int64_t y2100 = absl::ToUnixSeconds(At(2100, 1, 1));
  return {
      // --- ids and names: length --------------------------------------------
      {"event_id 129 bytes", Order,
       [](v1::Event& e) { e.set_event_id(Bytes(129)); },
       "event_id: 129 bytes, the limit is 128"},
      {"tenant 65 bytes", Order, [](v1::Event& e) { e.set_tenant(Bytes(65)); },
       "tenant: 65 bytes, the limit is 64"},
      {"shop_id 129 bytes", Order,
       [](v1::Event& e) { e.set_shop_id(Bytes(129)); },
       "shop_id: 129 bytes, the limit is 128"},
      {"order_id 300 bytes", Order,
       [](v1::Event& e) {
         e.mutable_order_status_changed()->set_order_id(Bytes(300));
       },
       "order_status_changed.order_id: 300 bytes, the limit is 128"},
      {"platform_status 65 bytes", Order,
       [](v1::Event& e) {
         e.mutable_order_status_changed()->set_platform_status(Bytes(65));
       },
       "order_status_changed.platform_status: 65 bytes, the limit is 64"},
      {"sale order_id 129 bytes", Order,
       [](v1::Event& e) {
         e.mutable_sale_recorded()->set_order_id(Bytes(129));
       },
       "sale_recorded.order_id: 129 bytes, the limit is 128"},
      {"payment_id 129 bytes", Paid,
       [](v1::Event& e) {
         e.mutable_deposit_paid()->set_payment_id(Bytes(129));
       },
       "deposit_paid.payment_id: 129 bytes, the limit is 128"},
      {"paying_account 129 bytes", Paid,
       [](v1::Event& e) {
         e.mutable_deposit_paid()->set_paying_account(Bytes(129));
       },
       "deposit_paid.paying_account: 129 bytes, the limit is 128"},
      {"channel 65 bytes", Paid,
       [](v1::Event& e) { e.mutable_deposit_paid()->set_channel(Bytes(65)); },
       "deposit_paid.channel: 65 bytes, the limit is 64"},
      {"top-up account 129 bytes", TopUp,
       [](v1::Event& e) {
         e.mutable_deposit_topped_up()->set_paying_account(Bytes(129));
       },
       "deposit_topped_up.paying_account: 129 bytes, the limit is 128"},
      {"deduction_id 129 bytes", Deducted,
       [](v1::Event& e) {
         e.mutable_deposit_deducted()->set_deduction_id(Bytes(129));
       },
       "deposit_deducted.deduction_id: 129 bytes, the limit is 128"},
      {"dispute_id 129 bytes", Dispute,
       [](v1::Event& e) {
         e.mutable_dispute_opened()->set_dispute_id(Bytes(129));
       },
       "dispute_opened.dispute_id: 129 bytes, the limit is 128"},
      {"dispute order_id 129 bytes", Dispute,
       [](v1::Event& e) {
         e.mutable_dispute_opened()->set_order_id(Bytes(129));
       },
       "dispute_opened.order_id: 129 bytes, the limit is 128"},
      {"fee_id 129 bytes", Fee,
       [](v1::Event& e) { e.mutable_fee_charged()->set_fee_id(Bytes(129)); },
       "fee_charged.fee_id: 129 bytes, the limit is 128"},
      {"fee payment_id 129 bytes", FeePaid,
       [](v1::Event& e) { e.mutable_fee_paid()->set_payment_id(Bytes(129)); },
       "fee_paid.payment_id: 129 bytes, the limit is 128"},
      {"refund_id 129 bytes", RefundPaid,
       [](v1::Event& e) { e.mutable_refund_paid()->set_refund_id(Bytes(129)); },
       "refund_paid.refund_id: 129 bytes, the limit is 128"},
      {"violation_id 129 bytes", Violation,
       [](v1::Event& e) {
         e.mutable_violation_recorded()->set_violation_id(Bytes(129));
       },
       "violation_recorded.violation_id: 129 bytes, the limit is 128"},
      {"violation kind 65 bytes", Violation,
       [](v1::Event& e) {
         e.mutable_violation_recorded()->set_kind(Bytes(65));
       },
       "violation_recorded.kind: 65 bytes, the limit is 64"},
      {"profile 65 bytes", Registered,
       [](v1::Event& e) {
         e.mutable_shop_registered()->set_profile(Bytes(65));
       },
       "shop_registered.profile: 65 bytes, the limit is 64"},
      {"site 33 bytes", Registered,
       [](v1::Event& e) { e.mutable_shop_registered()->set_site(Bytes(33)); },
       "shop_registered.site: 33 bytes, the limit is 32"},
      {"legal_entity_id 129 bytes", Registered,
       [](v1::Event& e) {
         e.mutable_shop_registered()->set_legal_entity_id(Bytes(129));
       },
       "shop_registered.legal_entity_id: 129 bytes, the limit is 128"},
      {"order id with a control character", Order,
       [](v1::Event& e) {
         e.mutable_order_status_changed()->set_order_id("o\n1");
       },
       "order_status_changed.order_id contains control characters"},
      {"order id not UTF-8", Order,
       [](v1::Event& e) {
         e.mutable_order_status_changed()->set_order_id("o-\xff");
       },
       "order_status_changed.order_id is not valid UTF-8"},
      {"tenant with an overlong slash", Order,
       [](v1::Event& e) { e.set_tenant("a\xc0\xaf"); },
       "tenant is not valid UTF-8"},
      {"reason with a surrogate", Deducted,
       [](v1::Event& e) {
         e.mutable_deposit_deducted()->set_reason("bad \xed\xa0\x80 text");
       },
       "deposit_deducted.reason is not valid UTF-8"},
      {"statement cut inside a character", Rectification,
       [](v1::Event& e) {
         e.mutable_rectification_filed()->set_statement("\xe4\xb8");
       },
       "rectification_filed.statement is not valid UTF-8"},
      // --- free text: length -------------------------------------------------
      {"source 4097 bytes", Order,
       [](v1::Event& e) { e.set_source(Bytes(4097)); },
       "source: 4097 bytes, the limit is 4096"},
      {"deduction reason 4097 bytes", Deducted,
       [](v1::Event& e) {
         e.mutable_deposit_deducted()->set_reason(Bytes(4097));
       },
       "deposit_deducted.reason: 4097 bytes, the limit is 4096"},
      {"freeze reason 5000 bytes", Frozen,
       [](v1::Event& e) {
         e.mutable_deposit_frozen()->set_reason(Bytes(5000));
       },
       "deposit_frozen.reason: 5000 bytes, the limit is 4096"},
      {"refund rejection reason 4097 bytes", RefundRejected,
       [](v1::Event& e) {
         e.mutable_refund_rejected()->set_reason(Bytes(4097));
       },
       "refund_rejected.reason: 4097 bytes, the limit is 4096"},
      {"violation description 4097 bytes", Violation,
       [](v1::Event& e) {
         e.mutable_violation_recorded()->set_description(Bytes(4097));
       },
       "violation_recorded.description: 4097 bytes, the limit is 4096"},
      {"rectification statement 1 MB", Rectification,
       [](v1::Event& e) {
         e.mutable_rectification_filed()->set_statement(Bytes(1 << 20));
       },
       "rectification_filed.statement: 1048576 bytes, the limit is 4096"},
      // --- times -------------------------------------------------------------
      {"occurred_at missing", Order,
       [](v1::Event& e) { e.clear_occurred_at(); }, "occurred_at is required"},
      {"occurred_at in 1999", Order,
       [=](v1::Event& e) { SetSeconds(e.mutable_occurred_at(), y1999); },
       "occurred_at: 1999-12-31T23:59:00Z (946684740 s since 1970) is before "
       "2000-01-01"},
      {"occurred_at zero (unset in JSON)", Order,
       [](v1::Event& e) { SetSeconds(e.mutable_occurred_at(), 0); },
       "occurred_at: 1970-01-01T00:00:00Z"},
      {"occurred_at in milliseconds", Order,
       [](v1::Event& e) { SetSeconds(e.mutable_occurred_at(), 1772323200000); },
       "is after 2099-12-31"},
      {"occurred_at in 2100", Order,
       [=](v1::Event& e) { SetSeconds(e.mutable_occurred_at(), y2100); },
       "occurred_at: 2100-01-01T00:00:00Z (4102444800 s since 1970) is after "
       "2099-12-31"},
      {"occurred_at INT64_MAX", Order,
       [](v1::Event& e) { SetSeconds(e.mutable_occurred_at(), kInt64Max); },
       "occurred_at: 9223372036854775807 s since 1970 is after 2099-12-31"},
      {"occurred_at INT64_MIN", Order,
       [](v1::Event& e) { SetSeconds(e.mutable_occurred_at(), kInt64Min); },
       "is before 2000-01-01"},
      {"occurred_at negative nanos", Order,
       [](v1::Event& e) { e.mutable_occurred_at()->set_nanos(-1); },
       "occurred_at.nanos is -1; it must be within 0..999999999"},
      {"occurred_at nanos 1e9", Order,
       [](v1::Event& e) { e.mutable_occurred_at()->set_nanos(1000000000); },
       "occurred_at.nanos is 1000000000"},
      {"entity_last_closed_at INT64_MIN", Registered,
       [](v1::Event& e) {
         SetSeconds(
             e.mutable_shop_registered()->mutable_entity_last_closed_at(),
             kInt64Min);
       },
       "shop_registered.entity_last_closed_at: -9223372036854775808 s since "
       "1970 is before 2000-01-01"},
      {"discount_clawback_until 2100", Paid,
       [=](v1::Event& e) {
         SetSeconds(e.mutable_deposit_paid()->mutable_discount_clawback_until(),
                    y2100);
       },
       "deposit_paid.discount_clawback_until: 2100-01-01"},
      {"notified_at 1999", Deducted,
       [=](v1::Event& e) {
         SetSeconds(e.mutable_deposit_deducted()->mutable_notified_at(), y1999);
       },
       "deposit_deducted.notified_at: 1999-12-31"},
      {"appeal_deadline far future", Deducted,
       [](v1::Event& e) {
         SetSeconds(e.mutable_deposit_deducted()->mutable_appeal_deadline(),
                    kInt64Max / 2);
       },
       "deposit_deducted.appeal_deadline: 4611686018427387903 s since 1970 "
       "is after 2099-12-31"},
      {"dispute response_due_at bad nanos", Dispute,
       [](v1::Event& e) {
         e.mutable_dispute_opened()->mutable_response_due_at()->set_seconds(
             absl::ToUnixSeconds(At(2026, 3, 4)));
         e.mutable_dispute_opened()->mutable_response_due_at()->set_nanos(-5);
       },
       "dispute_opened.response_due_at.nanos is -5"},
      {"deadline change without a deadline", DisputeDeadline,
       [](v1::Event& e) {
         e.mutable_dispute_deadline_changed()->clear_response_due_at();
       },
       "dispute_deadline_changed.response_due_at is required"},
      {"deadline change to 2100", DisputeDeadline,
       [=](v1::Event& e) {
         SetSeconds(
             e.mutable_dispute_deadline_changed()->mutable_response_due_at(),
             y2100);
       },
       "dispute_deadline_changed.response_due_at: 2100-01-01"},
      {"fee due_at 1999", Fee,
       [=](v1::Event& e) {
         SetSeconds(e.mutable_fee_charged()->mutable_due_at(), y1999);
       },
       "fee_charged.due_at: 1999-12-31"},
      {"feed expires_at INT64_MIN", Feed,
       [](v1::Event& e) {
         SetSeconds(
             e.mutable_feed_authorization_changed()->mutable_expires_at(),
             kInt64Min);
       },
       "feed_authorization_changed.expires_at: -9223372036854775808"},
      // --- enums -------------------------------------------------------------
      {"order status 42", Order,
       [](v1::Event& e) {
         e.mutable_order_status_changed()->set_status(
             static_cast<v1::OrderStatus>(42));
       },
       "order_status_changed.status has unknown value 42"},
      {"order status -1", Order,
       [](v1::Event& e) {
         e.mutable_order_status_changed()->set_status(
             static_cast<v1::OrderStatus>(-1));
       },
       "order_status_changed.status has unknown value -1"},
      {"deposit kind 9", Paid,
       [](v1::Event& e) {
         e.mutable_deposit_paid()->set_kind(static_cast<v1::DepositKind>(9));
       },
       "deposit_paid.kind has unknown value 9"},
      {"deposit kind unspecified", Paid,
       [](v1::Event& e) {
         e.mutable_deposit_paid()->set_kind(v1::DEPOSIT_KIND_UNSPECIFIED);
       },
       "deposit_paid.kind is required"},
      {"deduction kind 7", Deducted,
       [](v1::Event& e) {
         e.mutable_deposit_deducted()->set_kind(
             static_cast<v1::DepositKind>(7));
       },
       "deposit_deducted.kind has unknown value 7"},
      {"top-up kind 5", TopUp,
       [](v1::Event& e) {
         e.mutable_deposit_topped_up()->set_kind(
             static_cast<v1::DepositKind>(5));
       },
       "deposit_topped_up.kind has unknown value 5"},
      {"requirement kind 100", Requirement,
       [](v1::Event& e) {
         e.mutable_deposit_requirement_set()->set_kind(
             static_cast<v1::DepositKind>(100));
       },
       "deposit_requirement_set.kind has unknown value 100"},
      {"dispute kind 7", Dispute,
       [](v1::Event& e) {
         e.mutable_dispute_opened()->set_kind(static_cast<v1::DisputeKind>(7));
       },
       "dispute_opened.kind has unknown value 7"},
      {"dispute outcome 5", DisputeResolved,
       [](v1::Event& e) {
         e.mutable_dispute_resolved()->set_outcome(
             static_cast<v1::DisputeOutcome>(5));
       },
       "dispute_resolved.outcome has unknown value 5"},
      {"fee category 7", Fee,
       [](v1::Event& e) {
         e.mutable_fee_charged()->set_category(static_cast<v1::FeeCategory>(7));
       },
       "fee_charged.category has unknown value 7"},
      {"feed state 4", Feed,
       [](v1::Event& e) {
         e.mutable_feed_authorization_changed()->set_state(
             static_cast<v1::FeedAuthorization>(4));
       },
       "feed_authorization_changed.state has unknown value 4"},
      // --- amounts -----------------------------------------------------------
      {"negative deposit", Paid,
       [](v1::Event& e) {
         e.mutable_deposit_paid()->mutable_amount()->set_minor_units(-500);
       },
       "deposit_paid.amount.minor_units is negative (-500)"},
      {"INT64_MIN deduction", Deducted,
       [](v1::Event& e) {
         e.mutable_deposit_deducted()->mutable_amount()->set_minor_units(
             kInt64Min);
       },
       "deposit_deducted.amount.minor_units is negative"},
      {"deposit over 10^15", Paid,
       [](v1::Event& e) {
         e.mutable_deposit_paid()->mutable_amount()->set_minor_units(
             kMaxMinorUnits + 1);
       },
       "deposit_paid.amount.minor_units: 1000000000000001, the limit is "
       "1000000000000000"},
      {"INT64_MAX top-up", TopUp,
       [](v1::Event& e) {
         e.mutable_deposit_topped_up()->mutable_amount()->set_minor_units(
             kInt64Max);
       },
       "deposit_topped_up.amount.minor_units: 9223372036854775807, the limit"},
      {"INT64_MAX discount", Paid,
       [](v1::Event& e) {
         *e.mutable_deposit_paid()->mutable_discount() =
             testing::Money(kInt64Max, "USD");
       },
       "deposit_paid.discount.minor_units: 9223372036854775807"},
      {"INT64_MAX fee", Fee,
       [](v1::Event& e) {
         e.mutable_fee_charged()->mutable_amount()->set_minor_units(kInt64Max);
       },
       "fee_charged.amount.minor_units: 9223372036854775807"},
      {"INT64_MAX fee payment", FeePaid,
       [](v1::Event& e) {
         e.mutable_fee_paid()->mutable_amount()->set_minor_units(kInt64Max);
       },
       "fee_paid.amount.minor_units: 9223372036854775807"},
      {"INT64_MAX refund payment", RefundPaid,
       [](v1::Event& e) {
         e.mutable_refund_paid()->mutable_amount()->set_minor_units(kInt64Max);
       },
       "refund_paid.amount.minor_units: 9223372036854775807"},
      {"INT64_MAX requirement", Requirement,
       [](v1::Event& e) {
         e.mutable_deposit_requirement_set()
             ->mutable_required()
             ->set_minor_units(kInt64Max);
       },
       "deposit_requirement_set.required.minor_units: 9223372036854775807"},
      {"INT64_MAX appeal return", AppealDecided,
       [](v1::Event& e) {
         e.mutable_appeal_decided()->mutable_amount_returned()->set_minor_units(
             kInt64Max);
       },
       "appeal_decided.amount_returned.minor_units: 9223372036854775807"},
      {"INT64_MAX clawback", Clawback,
       [](v1::Event& e) {
         e.mutable_clawback_paid()->mutable_amount()->set_minor_units(
             kInt64Max);
       },
       "clawback_paid.amount.minor_units: 9223372036854775807"},
      {"INT64_MAX dispute claim", Dispute,
       [](v1::Event& e) {
         *e.mutable_dispute_opened()->mutable_amount() =
             testing::Money(kInt64Max, "USD");
       },
       "dispute_opened.amount.minor_units: 9223372036854775807"},
      {"negative order value", Order,
       [](v1::Event& e) {
         *e.mutable_order_status_changed()->mutable_amount() =
             testing::Money(-1, "USD");
       },
       "order_status_changed.amount.minor_units is negative"},
      {"refund request over 10^15", RefundRequested,
       [](v1::Event& e) {
         *e.mutable_refund_requested()->mutable_amount() =
             testing::Money(kMaxMinorUnits * 2, "USD");
       },
       "refund_requested.amount.minor_units: 2000000000000000"},
      {"currency garbage is escaped and cut", Paid,
       [](v1::Event& e) {
         e.mutable_deposit_paid()->mutable_amount()->set_currency(
             std::string("\x01") + Bytes(500));
       },
       "deposit_paid.amount.currency \"\\x01xxxxxxxxxxxxxxx\" is not an ISO "
       "4217"},
      {"metric NaN", Metrics,
       [](v1::Event& e) {
         e.mutable_metrics_reported()->set_fulfilment_rate_pct(
             std::numeric_limits<double>::quiet_NaN());
       },
       "metrics_reported.fulfilment_rate_pct is nan; it must be within "
       "0..100"},
      {"metric over 100", Metrics,
       [](v1::Event& e) {
         e.mutable_metrics_reported()->set_return_rate_pct(101);
       },
       "metrics_reported.return_rate_pct is 101"},
      {"dsr infinite", Metrics,
       [](v1::Event& e) {
         e.mutable_metrics_reported()->set_dsr(
             std::numeric_limits<double>::infinity());
       },
       "metrics_reported.dsr is inf"},
  };
}

// A shop with a little of everything, and the events it was built from.
class ValidationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_ = testing::BuiltIns();
    profile_ = *registry_->Resolve("t1", "s1", "generic");
  }
  // Applies the baseline history to `shop` with its own event ids.
  void Baseline(ShopState& shop, Events& ev) {
    for (const v1::Event& e :
         {ev.Registered(At(2026, 1, 1), "generic", "US"),
          ev.Paid(At(2026, 1, 2), "pay-1", 10000, "USD"),
          ev.RefundAccount(At(2026, 1, 2), "bank_transfer", "A", "USD"),
          ev.Order(At(2026, 2, 1), "o-1", v1::PLACED),
          ev.FeeCharged(At(2026, 2, 1), "fee-9", v1::FINE, 1000, "USD"),
          ev.DisputeOpened(At(2026, 2, 2), "dsp-9", v1::A_TO_Z),
          ev.Deducted(At(2026, 2, 3), "ded-9", 100, "USD")}) {
      ASSERT_TRUE(shop.Apply(e, *profile_).ok()) << e.ShortDebugString();
    }
  }

  std::unique_ptr<ProfileRegistry> registry_;
  const ResolvedProfile* profile_ = nullptr;
};

TEST_F(ValidationTest, EachBadInputIsRejectedWithAReasonAndHarmsNothing) {
  for (const BadCase& c : BadCases()) {
    SCOPED_TRACE(c.name);
    Events ev;
    v1::Event bad = c.make(ev);
    ASSERT_TRUE(ValidateEvent(bad).ok()) << "the unspoiled event is valid";
    c.spoil(bad);

    const absl::Status s = ValidateEvent(bad);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_NE(s.message().find(c.reason), std::string::npos)
        << "reason: " << s.message() << "\nwanted: " << c.reason;
    EXPECT_LE(s.message().size(), 400u) << "reasons stay short";

    // A batch [good, bad, good] leaves the shop exactly as [good, good].
    ShopState with_bad("t1", "s1"), without("t1", "s1");
    Events ev_a, ev_b;
    Baseline(with_bad, ev_a);
    Baseline(without, ev_b);
    const v1::Event before = ev_a.Order(At(2026, 3, 2), "o-2", v1::PLACED);
    const v1::Event after = ev_a.Order(At(2026, 3, 3), "o-2", v1::SHIPPED);
    ASSERT_TRUE(with_bad.Apply(before, *profile_).ok());
    const std::string snapshot = with_bad.Serialize();
    const absl::Status applied = with_bad.Apply(bad, *profile_);
    EXPECT_EQ(applied, s) << "Apply gives ValidateEvent's reason";
    EXPECT_EQ(with_bad.Serialize(), snapshot) << "the shop did not change";
    ASSERT_TRUE(with_bad.Apply(after, *profile_).ok());

    ASSERT_TRUE(without.Apply(before, *profile_).ok());
    ASSERT_TRUE(without.Apply(after, *profile_).ok());
    EXPECT_EQ(with_bad.Serialize(), without.Serialize());
  }
}

TEST(Validation, ValuesAtTheLimitsAreAccepted) {
  struct Case {
    const char* name;
    Make make;
    std::function<void(v1::Event&)> edit;
  };
  const Case cases[] = {
      {"event_id 128 bytes", Order,
       [](v1::Event& e) { e.set_event_id(Bytes(128)); }},
      {"tenant 64 bytes", Order, [](v1::Event& e) { e.set_tenant(Bytes(64)); }},
      {"order_id 128 bytes", Order,
       [](v1::Event& e) {
         e.mutable_order_status_changed()->set_order_id(Bytes(128));
       }},
      {"source 4096 bytes with newlines", Order,
       [](v1::Event& e) { e.set_source(Bytes(4095) + "\n"); }},
      {"occurred_at 2000-01-01T00:00:00Z", Order,
       [](v1::Event& e) {
         SetSeconds(e.mutable_occurred_at(), kEarliestEventUnixSeconds);
       }},
      {"occurred_at 2099-12-31T23:59:59.999999999Z", Order,
       [](v1::Event& e) {
         e.mutable_occurred_at()->set_seconds(kLatestEventUnixSeconds - 1);
         e.mutable_occurred_at()->set_nanos(999999999);
       }},
      {"deposit of exactly 10^15", Paid,
       [](v1::Event& e) {
         e.mutable_deposit_paid()->mutable_amount()->set_minor_units(
             kMaxMinorUnits);
       }},
      {"metrics at their bounds", Metrics,
       [](v1::Event& e) {
         e.mutable_metrics_reported()->set_fulfilment_rate_pct(100);
         e.mutable_metrics_reported()->set_return_rate_pct(0);
         e.mutable_metrics_reported()->set_dsr(5);
       }},
      {"four-byte UTF-8 in free text", Order,
       [](v1::Event& e) {
         e.set_source("import \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf");
       }},
      {"UTF-8 ids", Order,
       [](v1::Event& e) {
         e.mutable_order_status_changed()->set_order_id("订单-2026-001");
       }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Events ev;
    v1::Event e = c.make(ev);
    c.edit(e);
    EXPECT_TRUE(ValidateEvent(e).ok()) << ValidateEvent(e);
  }
}

// Ids and free text are checked eight bytes at a time when they are plain
// printable ASCII; a byte that is not must be caught at every position and
// every length, whichever word of the id it falls in.
TEST(Validation, EveryBadByteIsFoundWhereverItIsInAnId) {
  struct Case {
    const char* name;
    std::string bytes;        // put into the id at each position
    const char* id_reason;    // "" when an id may hold it
    const char* text_reason;  // "" when free text may hold it
  };
  const Case cases[] = {
      {"NUL", std::string(1, '\0'), "contains control characters", ""},
      {"unit separator 0x1f", "\x1f", "contains control characters", ""},
      {"tab", "\t", "contains control characters", ""},
      {"DEL 0x7f", "\x7f", "contains control characters", ""},
      {"space", " ", "", ""},
      {"tilde 0x7e", "~", "", ""},
      {"lone continuation byte", "\x80", "is not valid UTF-8",
       "is not valid UTF-8"},
      {"0xff", "\xff", "is not valid UTF-8", "is not valid UTF-8"},
      {"overlong slash", "\xc0\xaf", "is not valid UTF-8",
       "is not valid UTF-8"},
      {"two-byte UTF-8", "\xc3\xa9", "", ""},
      {"three-byte UTF-8", "\xe8\xae\xa2", "", ""},
      {"four-byte UTF-8", "\xf0\x9f\x98\x80", "", ""},
  };
  for (const Case& c : cases) {
    for (size_t len = 0; len <= 24; ++len) {
      for (size_t pos = 0; pos <= len; ++pos) {
        SCOPED_TRACE(absl::StrCat(c.name, " at ", pos, " of ", len));
        std::string id(len, 'a');
        for (size_t k = 0; k < len; ++k)
          id[k] = "s1-0123456789AZaz_.:/"[k % 21];
        id.insert(pos, c.bytes);
        Events ev;
        v1::Event e = ev.Order(At(2026, 3, 1), id, v1::PLACED);
        absl::Status s = ValidateEvent(e);
        if (*c.id_reason == '\0') {
          EXPECT_TRUE(s.ok()) << s;
        } else {
          EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
          EXPECT_NE(s.message().find(absl::StrCat(
                        "order_status_changed.order_id ", c.id_reason)),
                    std::string::npos)
              << s;
        }
        e = ev.Order(At(2026, 3, 1), "o-1", v1::PLACED);
        e.set_source(id);
        s = ValidateEvent(e);
        if (*c.text_reason == '\0') {
          EXPECT_TRUE(s.ok()) << s;
        } else {
          EXPECT_NE(s.message().find(absl::StrCat("source ", c.text_reason)),
                    std::string::npos)
              << s;
        }
      }
    }
  }
}

// Ids must not hold Unicode control or format characters (Cc, Cf): they are
// invisible or reorder the text, so "shop\u202e1-pohs" could pass for
// another shop in an alert. Every id field kind, each character.
TEST(Validation, IdsRejectUnicodeControlAndFormatCharacters) {
  struct Char {
    const char* name;
    const char* utf8;
    const char* code;
  };
  const Char chars[] = {
      {"RIGHT-TO-LEFT OVERRIDE", "\xe2\x80\xae", "U+202E"},
      {"ZERO WIDTH JOINER", "\xe2\x80\x8d", "U+200D"},
      {"BOM", "\xef\xbb\xbf", "U+FEFF"},
      {"C1 NEXT LINE", "\xc2\x85", "U+0085"},
      {"SOFT HYPHEN", "\xc2\xad", "U+00AD"},
      {"LEFT-TO-RIGHT ISOLATE", "\xe2\x81\xa6", "U+2066"},
      {"TAG LATIN SMALL A", "\xf3\xa0\x81\xa1", "U+E0061"},
  };
  struct Field {
    const char* name;
    std::function<void(v1::Event&, const std::string&)> set;
    Make make;
  };
  const Field fields[] = {
      {"tenant", [](v1::Event& e, const std::string& v) { e.set_tenant(v); },
       Order},
      {"shop_id", [](v1::Event& e, const std::string& v) { e.set_shop_id(v); },
       Order},
      {"event_id",
       [](v1::Event& e, const std::string& v) { e.set_event_id(v); }, Order},
      {"order_status_changed.order_id",
       [](v1::Event& e, const std::string& v) {
         e.mutable_order_status_changed()->set_order_id(v);
       },
       Order},
      {"dispute_opened.dispute_id",
       [](v1::Event& e, const std::string& v) {
         e.mutable_dispute_opened()->set_dispute_id(v);
       },
       Dispute},
      {"fee_charged.fee_id",
       [](v1::Event& e, const std::string& v) {
         e.mutable_fee_charged()->set_fee_id(v);
       },
       Fee},
  };
  for (const Field& f : fields) {
    for (const Char& c : chars) {
      SCOPED_TRACE(absl::StrCat(f.name, " with ", c.name));
      Events ev;
      v1::Event e = f.make(ev);
      f.set(e, absl::StrCat("shop", c.utf8, "1"));
      const absl::Status s = ValidateEvent(e);
      EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_NE(s.message().find(absl::StrCat(f.name,
                                              " contains control characters (",
                                              c.code, ", a Unicode control")),
                std::string::npos)
          << s;
    }
    // Printable non-ASCII text stays valid.
    Events ev;
    v1::Event e = f.make(ev);
    f.set(e, "\xe5\xba\x97-caf\xc3\xa9-\xf0\x9f\x98\x80");
    EXPECT_TRUE(ValidateEvent(e).ok()) << f.name << ": " << ValidateEvent(e);
  }
}

TEST(Validation, EventsTooFarAheadOfTheServerClockAreRejected) {
  const absl::Time now = At(2026, 3, 1, 12, 0);
  struct Case {
    const char* name;
    absl::Time occurred_at;
    bool ok;
    const char* reason;
  };
  const Case cases[] = {
      {"in the past", At(2026, 2, 1), true, ""},
      {"a year ago", At(2025, 3, 1), true, ""},
      {"now", now, true, ""},
      {"exactly a day ahead", now + absl::Hours(24), true, ""},
      {"a day and a second ahead", now + absl::Hours(24) + absl::Seconds(1),
       false,
       "occurred_at 2026-03-02T12:00:01Z is 24h ahead of the server's clock "
       "(2026-03-01T12:00:00Z); the limit is 24h"},
      {"a local date read as UTC next year", At(2027, 3, 1), false,
       "occurred_at 2027-03-01T00:00:00Z is 8748h ahead"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Events ev;
    const v1::Event e = ev.Order(c.occurred_at, "o-1", v1::PLACED);
    ASSERT_TRUE(ValidateEvent(e).ok());
    const absl::Status s = ValidateEventTime(e, now);
    EXPECT_EQ(s.ok(), c.ok) << s;
    if (!c.ok) {
      EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_NE(s.message().find(c.reason), std::string::npos) << s;
    }
  }
}

TEST_F(ValidationTest, PaymentsPerFeeAndPerRefundAreBounded) {
  struct Case {
    const char* name;
    std::function<v1::Event(Events&, int)> payment;
    int limit;
    const char* reason;
  };
  const Case cases[] = {
      {"fee payments",
       [](Events& ev, int i) {
         return ev.FeePaid(At(2026, 3, 1), "fee-9", 1, "USD",
                           absl::StrCat("fp-", i));
       },
       kMaxPaymentsPerFee,
       "fee fee-9 already has 1000 payments, the limit per fee is 1000"},
      {"refund payments",
       [](Events& ev, int i) {
         v1::Event e = ev.Base(At(2026, 3, 1) + absl::Seconds(i));
         e.mutable_refund_paid()->set_refund_id("r-1");
         *e.mutable_refund_paid()->mutable_amount() = testing::Money(1, "USD");
         return e;
       },
       kMaxPaymentsPerRefund,
       "refund r-1 already has 1000 payments, the limit per refund is 1000"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ShopState shop("t1", "s1");
    Events ev;
    Baseline(shop, ev);
    for (int i = 0; i < c.limit; ++i) {
      ASSERT_TRUE(shop.Apply(c.payment(ev, i), *profile_).ok()) << i;
    }
    const std::string snapshot = shop.Serialize();
    const absl::Status s = shop.Apply(c.payment(ev, c.limit), *profile_);
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
    EXPECT_NE(s.message().find(c.reason), std::string::npos) << s;
    EXPECT_EQ(shop.Serialize(), snapshot);
    // Other records are not affected by one record's limit.
    EXPECT_TRUE(
        shop.Apply(ev.FeePaid(At(2026, 3, 1), "fee-other", 1, "USD"), *profile_)
            .ok());
  }
}

int64_t AmountOf(const google::protobuf::RepeatedPtrField<v1::Money>& money,
                 const std::string& currency) {
  for (const v1::Money& m : money) {
    if (m.currency() == currency) return m.minor_units();
  }
  return 0;
}

const v1::Blocker* Find(const v1::ReadinessReport& r, v1::Condition c) {
  for (const auto& b : r.blockers()) {
    if (b.condition() == c) return &b;
  }
  return nullptr;
}

// Every sum over a shop's ledger: deposits, deductions, refunds, fees,
// claims, requirements. Each line is at most 10^15, but there may be
// thousands: the sums saturate at ±10^18 and every figure stays consistent.
TEST_F(ValidationTest, SumsOfMoneySaturateInsteadOfOverflowing) {
  constexpr int kLines = 1200;  // 1200 × 10^15 > 10^18
  ShopState shop("t1", "s1");
  Events ev;
  ASSERT_TRUE(
      shop.Apply(ev.Registered(At(2026, 1, 1), "generic", "US"), *profile_)
          .ok());
  for (int i = 0; i < kLines; ++i) {
    const std::string n = absl::StrCat(i);
    for (const v1::Event& e : {
             ev.Paid(At(2026, 1, 2), "pay-" + n, kMaxMinorUnits, "USD"),
             ev.FeeCharged(At(2026, 1, 3), "fee-" + n, v1::FINE, kMaxMinorUnits,
                           "USD"),
             [&] {
               v1::Event d =
                   ev.DisputeOpened(At(2026, 1, 4), "dsp-" + n, v1::A_TO_Z);
               *d.mutable_dispute_opened()->mutable_amount() =
                   testing::Money(kMaxMinorUnits, "USD");
               return d;
             }(),
         }) {
      ASSERT_TRUE(shop.Apply(e, *profile_).ok()) << e.ShortDebugString();
    }
  }
  v1::ReadinessReport r = shop.Evaluate(At(2026, 2, 1), *profile_);
  EXPECT_EQ(AmountOf(r.balance(), "USD"), kMaxMoneyTotal);
  EXPECT_EQ(AmountOf(r.refundable(), "USD"), kMaxMoneyTotal);
  ASSERT_NE(Find(r, v1::R4_UNPAID_FEES), nullptr);
  EXPECT_EQ(AmountOf(Find(r, v1::R4_UNPAID_FEES)->amounts(), "USD"),
            kMaxMoneyTotal);
  EXPECT_EQ(Find(r, v1::R4_UNPAID_FEES)->count(), kLines);
  ASSERT_NE(Find(r, v1::R3_OPEN_DISPUTES), nullptr);
  EXPECT_EQ(AmountOf(Find(r, v1::R3_OPEN_DISPUTES)->amounts(), "USD"),
            kMaxMoneyTotal);

  // Now deduct far more than was paid: the balance saturates below zero and
  // the shortfall against the (saturated) requirement stays representable.
  for (int i = 0; i < 2 * kLines; ++i) {
    ASSERT_TRUE(shop.Apply(ev.Deducted(At(2026, 1, 5), absl::StrCat("d-", i),
                                       kMaxMinorUnits, "USD"),
                           *profile_)
                    .ok());
  }
  r = shop.Evaluate(At(2026, 2, 1), *profile_);
  EXPECT_EQ(AmountOf(r.balance(), "USD"), -kMaxMoneyTotal);
  EXPECT_EQ(AmountOf(r.refundable(), "USD"), 0);
  ASSERT_NE(Find(r, v1::R6_BALANCE_SHORT), nullptr);
  EXPECT_EQ(AmountOf(Find(r, v1::R6_BALANCE_SHORT)->amounts(), "USD"),
            kMaxMoneyTotal);

  // The risk watchers read the same sums (balance short, money at risk).
  const WatchResult w =
      RiskWatchers().CheckAll(shop, *profile_, At(2026, 2, 1));
  bool short_found = false;
  for (const v1::Finding& f : w.findings) {
    if (f.key().kind() == v1::BALANCE_SHORT) {
      short_found = true;
      EXPECT_EQ(f.amount_at_risk().minor_units(), kMaxMoneyTotal);
    }
  }
  EXPECT_TRUE(short_found);
}

// The inactivity rule puts a percentage of the balance at risk: with a
// saturated balance that product must not overflow either.
TEST_F(ValidationTest, MoneyAtRiskOfAHugeBalanceDoesNotOverflow) {
  ShopState shop("t1", "s1");
  Events ev;
  ASSERT_TRUE(
      shop.Apply(ev.Registered(At(2026, 1, 1), "generic"), *profile_).ok());
  for (int i = 0; i < 1001; ++i) {
    ASSERT_TRUE(shop.Apply(ev.Paid(At(2026, 1, 1), absl::StrCat("p-", i),
                                   kMaxMinorUnits, "USD", "bank_transfer", "A"),
                           *profile_)
                    .ok());
  }
  // generic: 90 days without a sale cost 50% of the deposit.
  const WatchResult w =
      RiskWatchers().CheckAll(shop, *profile_, At(2026, 4, 15));
  bool found = false;
  for (const v1::Finding& f : w.findings) {
    if (f.key().kind() != v1::INACTIVITY) continue;
    found = true;
    EXPECT_EQ(f.amount_at_risk().minor_units(), kMaxMoneyTotal / 2);
  }
  EXPECT_TRUE(found);
}

// Configured day and hour counts meet time arithmetic ("24 * days"): each is
// bounded, and a value over the bound is an error with file:line.
TEST(Validation, ConfiguredDaysAndHoursAreBounded) {
  struct Case {
    std::string field;
    int limit;
  };
  const std::vector<Case> cases = {
      {"closure_waiting_days", kMaxConfigDays},
      {"post_closure_dispute_grace_days", kMaxConfigDays},
      {"return_window_days", kMaxConfigDays},
      {"appeal_window_days", kMaxConfigDays},
      {"reopen_cooling_off_days", kMaxConfigDays},
      {"refund_overdue_grace_days", kMaxConfigDays},
      {"unpaid_fee_age_days", kMaxConfigDays},
      {"manual_review_extra_working_days", kMaxConfigDays},
      {"not_received_response_hours", kMaxConfigHours},
      {"closure_blocked_repeat_hours", kMaxConfigHours},
      {"review { days", kMaxConfigDays},
      {"payout_transit { days", kMaxConfigDays},
      {"inactivity { limit_days", kMaxConfigDays},
      {"inactivity { lead_days", kMaxConfigDays},
      {"dispute_lead_hours", kMaxConfigHours},
      {"appeal_lead_days", kMaxConfigDays},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.field);
    const bool nested = c.field.find('{') != std::string::npos;
    auto text = [&](int64_t value) {
      return absl::StrCat("profiles {\n  name: \"generic\"\n  ", c.field, ": ",
                          value, nested ? " }" : "", "\n}\n");
    };
    EXPECT_TRUE(
        ProfileRegistry::ParseConfigText(text(c.limit), "x.textproto").ok());
    for (int64_t bad : {int64_t{c.limit} + 1, int64_t{2147483647}}) {
      auto parsed = ProfileRegistry::ParseConfigText(text(bad), "x.textproto");
      ASSERT_FALSE(parsed.ok());
      EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
      const std::string field =
          nested ? c.field.substr(c.field.find('{') + 2) : c.field;
      for (const std::string& part : {std::string("x.textproto:3:"), field,
                                      absl::StrCat("the limit is ", c.limit)}) {
        EXPECT_NE(parsed.status().message().find(part), std::string::npos)
            << parsed.status() << "\nwanted: " << part;
      }
    }
  }
  auto money = ProfileRegistry::ParseConfigText(
      "profiles {\n  name: \"generic\"\n  site_minimums {\n    site: "
      "\"US\"\n    minimum { minor_units: 1000000000000001 currency: "
      "\"USD\" }\n  }\n}\n",
      "x.textproto");
  ASSERT_FALSE(money.ok());
  EXPECT_NE(money.status().message().find("x.textproto:"), std::string::npos)
      << money.status();
  EXPECT_NE(money.status().message().find("the limit is 1000000000000000"),
            std::string::npos)
      << money.status();
}

}  // namespace
}  // namespace depositd::watchers
