#include "watchers/readiness_rules.h"

#include <iterator>
#include <vector>

#include "gtest/gtest.h"
#include "watchers/shop_state.h"
#include "watchers/shop_state_test_peer.h"
#include "watchers/test_events.h"

namespace depositd::watchers {
namespace {

using testing::At;
using testing::Events;

// A TikTok shop (7-day return window, health thresholds) holding one
// reason for each of the ten rules at 2026-03-10: an unshipped order (R1),
// one delivered on 03-08 (R2), an open dispute (R3), an unpaid fee (R4), a
// violation (R5), a deduction leaving the balance short (R6), closure
// requested but not done (R7), no refund account (R8), a DSR below 4.7
// (R9) and a discount whose clawback runs past the closure request (R10).
ShopState EveryRuleBlocks(const ResolvedProfile& profile) {
  Events ev;
  ShopState shop("t1", "s1");
  std::vector<v1::Event> events = {
      ev.Registered(At(2026, 1, 1), "tiktok_shop_cross_border"),
      ev.Order(At(2026, 3, 1), "o-placed", v1::PLACED),
      ev.Order(At(2026, 3, 8), "o-delivered", v1::DELIVERED),
      ev.DisputeOpened(At(2026, 3, 2), "d1", v1::NOT_RECEIVED),
      ev.FeeCharged(At(2026, 3, 3), "f1", v1::TECHNICAL_SERVICE, 700, "USD"),
      ev.Deducted(At(2026, 3, 4), "x1", 300, "USD"),
      ev.ClosureRequested(At(2026, 3, 5)),
  };
  v1::Event paid = ev.Paid(At(2026, 1, 2), "p1", 1000, "USD");
  *paid.mutable_deposit_paid()->mutable_discount() = testing::Money(200, "USD");
  testing::SetTs(
      At(2026, 6, 1),
      paid.mutable_deposit_paid()->mutable_discount_clawback_until());
  events.push_back(paid);
  v1::Event violation = ev.Base(At(2026, 3, 6));
  violation.mutable_violation_recorded()->set_violation_id("v1");
  events.push_back(violation);
  v1::Event metrics = ev.Base(At(2026, 3, 7));
  metrics.mutable_metrics_reported()->set_dsr(3.0);
  events.push_back(metrics);
  for (const v1::Event& e : events) {
    EXPECT_TRUE(shop.Apply(e, profile).ok()) << e.ShortDebugString();
  }
  return shop;
}

// Evaluate is its ten rules in order: each rule alone adds exactly the
// blocker the report holds for its condition, and nothing else.
TEST(ReadinessRules, EachRuleAloneGivesTheReportsBlocker) {
  auto reg = testing::BuiltIns();
  const ResolvedProfile* p =
      *reg->Resolve("t1", "s1", "tiktok_shop_cross_border");
  const ShopState shop = EveryRuleBlocks(*p);
  const absl::Time as_of = At(2026, 3, 10);
  const v1::ReadinessReport report = shop.Evaluate(as_of, *p);
  ASSERT_EQ(report.blockers_size(), 10) << report.ShortDebugString();

  const RuleContext c =
      MakeRuleContext(ShopStateTestPeer::internals(shop), *p, as_of);
  const v1::Condition want[] = {
      v1::R1_ORDERS_IN_FLIGHT,   v1::R2_RETURN_WINDOWS_OPEN,
      v1::R3_OPEN_DISPUTES,      v1::R4_UNPAID_FEES,
      v1::R5_PENDING_VIOLATIONS, v1::R6_BALANCE_SHORT,
      v1::R7_WAITING_PERIOD,     v1::R8_REFUND_ACCOUNT,
      v1::R9_HEALTH_METRICS,     v1::R10_DISCOUNT_CLAWBACK,
  };
  ASSERT_EQ(std::size(kReadinessRules), std::size(want));
  for (size_t i = 0; i < std::size(kReadinessRules); ++i) {
    SCOPED_TRACE(v1::Condition_Name(want[i]));
    v1::ReadinessReport alone;
    kReadinessRules[i](c, &alone);
    ASSERT_EQ(alone.blockers_size(), 1);
    EXPECT_EQ(alone.blockers(0).condition(), want[i]);
    EXPECT_EQ(alone.blockers(0).SerializeAsString(),
              report.blockers(static_cast<int>(i)).SerializeAsString());
  }
}

// A shop with nothing against it: no rule adds a blocker but R7 (not
// closed), which blocks every open shop.
TEST(ReadinessRules, AQuietOpenShopOnlyWaitsForClosure) {
  auto reg = testing::BuiltIns();
  const ResolvedProfile* p = *reg->Resolve("t1", "s1", "generic");
  ShopState shop("t1", "s1");
  const RuleContext c =
      MakeRuleContext(ShopStateTestPeer::internals(shop), *p, At(2026, 3, 10));
  for (ReadinessRule rule : kReadinessRules) {
    v1::ReadinessReport r;
    rule(c, &r);
    if (rule == &CheckR7WaitingPeriod) {
      ASSERT_EQ(r.blockers_size(), 1);
      EXPECT_EQ(r.blockers(0).summary(), "the shop is not closed");
    } else {
      EXPECT_EQ(r.blockers_size(), 0) << r.ShortDebugString();
    }
  }
}

}  // namespace
}  // namespace depositd::watchers
