// Test-only helpers: build canonical events at explicit times, and a profile
// registry with the built-in profiles. No wall clock anywhere.
#ifndef DEPOSITD_WATCHERS_TEST_EVENTS_H_
#define DEPOSITD_WATCHERS_TEST_EVENTS_H_

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "depositd/v1/events.pb.h"
#include "gtest/gtest.h"
#include "watchers/profiles.h"

namespace depositd::watchers::testing {

// A civil time in a zone ("Asia/Shanghai" by default) as an absl::Time.
inline absl::Time At(int y, int mo, int d, int h = 0, int mi = 0,
                     const char* zone = "UTC") {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone(zone, &tz)) << zone;
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0), tz);
}

inline v1::Money Money(int64_t units, const std::string& currency) {
  v1::Money m;
  m.set_minor_units(units);
  m.set_currency(currency);
  return m;
}

inline void SetTs(absl::Time t, google::protobuf::Timestamp* ts) {
  ts->set_seconds(absl::ToUnixSeconds(t));
  ts->set_nanos(0);
}

// Makes events for one shop with unique event ids.
class Events {
 public:
  Events(std::string tenant = "t1", std::string shop = "s1")
      : tenant_(std::move(tenant)), shop_(std::move(shop)) {}

  v1::Event Base(absl::Time t) {
    v1::Event e;
    e.set_event_id(absl::StrCat("e", ++seq_));
    e.set_tenant(tenant_);
    e.set_shop_id(shop_);
    SetTs(t, e.mutable_occurred_at());
    return e;
  }
  v1::Event Registered(absl::Time t, const std::string& profile,
                       const std::string& site = "") {
    v1::Event e = Base(t);
    e.mutable_shop_registered()->set_profile(profile);
    e.mutable_shop_registered()->set_site(site);
    return e;
  }
  v1::Event ClosureRequested(absl::Time t) {
    v1::Event e = Base(t);
    e.mutable_closure_requested();
    return e;
  }
  v1::Event Closed(absl::Time t) {
    v1::Event e = Base(t);
    e.mutable_shop_closed();
    return e;
  }
  v1::Event Reopened(absl::Time t) {
    v1::Event e = Base(t);
    e.mutable_shop_reopened();
    return e;
  }
  v1::Event Paid(absl::Time t, const std::string& id, int64_t units,
                 const std::string& cur,
                 const std::string& channel = "bank_transfer",
                 const std::string& account = "A",
                 v1::DepositKind kind = v1::BASE) {
    v1::Event e = Base(t);
    auto* b = e.mutable_deposit_paid();
    b->set_payment_id(id);
    b->set_kind(kind);
    *b->mutable_amount() = Money(units, cur);
    b->set_channel(channel);
    b->set_paying_account(account);
    return e;
  }
  v1::Event TopUp(absl::Time t, const std::string& id, int64_t units,
                  const std::string& cur,
                  const std::string& channel = "bank_transfer",
                  const std::string& account = "A",
                  v1::DepositKind kind = v1::BASE) {
    v1::Event e = Base(t);
    auto* b = e.mutable_deposit_topped_up();
    b->set_payment_id(id);
    b->set_kind(kind);
    *b->mutable_amount() = Money(units, cur);
    b->set_channel(channel);
    b->set_paying_account(account);
    return e;
  }
  v1::Event Deducted(absl::Time t, const std::string& id, int64_t units,
                     const std::string& cur, bool counterfeit = false,
                     v1::DepositKind kind = v1::BASE) {
    v1::Event e = Base(t);
    auto* b = e.mutable_deposit_deducted();
    b->set_deduction_id(id);
    b->set_kind(kind);
    *b->mutable_amount() = Money(units, cur);
    b->set_reason(counterfeit ? "counterfeit goods" : "violation");
    b->set_counterfeit(counterfeit);
    return e;
  }
  v1::Event RefundAccount(absl::Time t, const std::string& channel,
                          const std::string& account, const std::string& cur) {
    v1::Event e = Base(t);
    auto* b = e.mutable_refund_account_set();
    b->set_channel(channel);
    b->set_account(account);
    b->set_currency(cur);
    return e;
  }
  v1::Event Order(absl::Time t, const std::string& id, v1::OrderStatus status) {
    v1::Event e = Base(t);
    e.mutable_order_status_changed()->set_order_id(id);
    e.mutable_order_status_changed()->set_status(status);
    return e;
  }
  v1::Event Sale(absl::Time t) {
    v1::Event e = Base(t);
    e.mutable_sale_recorded();
    return e;
  }
  v1::Event DisputeOpened(absl::Time t, const std::string& id,
                          v1::DisputeKind kind,
                          absl::Time due = absl::InfinitePast()) {
    v1::Event e = Base(t);
    auto* b = e.mutable_dispute_opened();
    b->set_dispute_id(id);
    b->set_kind(kind);
    if (due != absl::InfinitePast()) SetTs(due, b->mutable_response_due_at());
    return e;
  }
  v1::Event DisputeDeadline(absl::Time t, const std::string& id,
                            absl::Time due) {
    v1::Event e = Base(t);
    e.mutable_dispute_deadline_changed()->set_dispute_id(id);
    SetTs(due, e.mutable_dispute_deadline_changed()->mutable_response_due_at());
    return e;
  }
  v1::Event DisputeResponded(absl::Time t, const std::string& id) {
    v1::Event e = Base(t);
    e.mutable_dispute_responded()->set_dispute_id(id);
    return e;
  }
  v1::Event DisputeResolved(absl::Time t, const std::string& id) {
    v1::Event e = Base(t);
    e.mutable_dispute_resolved()->set_dispute_id(id);
    e.mutable_dispute_resolved()->set_outcome(v1::SELLER_WON);
    return e;
  }
  v1::Event FeeCharged(absl::Time t, const std::string& id, v1::FeeCategory cat,
                       int64_t units, const std::string& cur) {
    v1::Event e = Base(t);
    auto* b = e.mutable_fee_charged();
    b->set_fee_id(id);
    b->set_category(cat);
    *b->mutable_amount() = Money(units, cur);
    return e;
  }
  v1::Event FeePaid(absl::Time t, const std::string& id, int64_t units,
                    const std::string& cur,
                    const std::string& payment_id = "") {
    v1::Event e = Base(t);
    auto* b = e.mutable_fee_paid();
    b->set_fee_id(id);
    *b->mutable_amount() = Money(units, cur);
    b->set_payment_id(payment_id.empty() ? absl::StrCat("pay-", id)
                                         : payment_id);
    return e;
  }

 private:
  std::string tenant_;
  std::string shop_;
  int seq_ = 0;
};

// The built-in profiles, no configuration.
inline std::unique_ptr<ProfileRegistry> BuiltIns() {
  auto reg = ProfileRegistry::Create(v1::DaemonConfig());
  EXPECT_TRUE(reg.ok()) << reg.status();
  return std::move(*reg);
}

}  // namespace depositd::watchers::testing

#endif  // DEPOSITD_WATCHERS_TEST_EVENTS_H_
