#include "watchers/shop_state.h"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "depositd/store/v1/shop_snapshot.pb.h"
#include "gtest/gtest.h"
#include "watchers/derived_facts.h"
#include "watchers/limits.h"
#include "watchers/risk_watchers.h"
#include "watchers/shop_state_internals.h"
#include "watchers/shop_state_test_peer.h"
#include "watchers/test_events.h"

namespace depositd::watchers {
namespace {

using testing::At;
using testing::Events;
using testing::Money;

absl::Time FromTs(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

const v1::Blocker* Find(const v1::ReadinessReport& r, v1::Condition c) {
  for (const auto& b : r.blockers()) {
    if (b.condition() == c) return &b;
  }
  return nullptr;
}

class ShopStateTest : public ::testing::Test {
 protected:
  void Use(const std::string& profile) {
    auto r = registry_->Resolve("t1", "s1", profile);
    ASSERT_TRUE(r.ok());
    profile_ = *r;
  }
  void Apply(const v1::Event& e) {
    absl::Status s = shop_.Apply(e, *profile_);
    ASSERT_TRUE(s.ok()) << s << "\n" << e.DebugString();
  }
  v1::ReadinessReport Eval(absl::Time t) {
    return shop_.Evaluate(t, *profile_);
  }
  // Evaluates at `t` and finds condition `c`; the blocker lives until the
  // next call.
  const v1::Blocker* Blocked(absl::Time t, v1::Condition c) {
    last_ = Eval(t);
    return Find(last_, c);
  }

  // A clean shop under `profile`: deposit USD 100.00 by bank transfer from
  // account A, refund account matching, closed at `closed` (if not
  // InfinitePast).
  void CleanShop(const std::string& profile, absl::Time closed) {
    Use(profile);
    Apply(ev_.Registered(At(2026, 1, 1), profile));
    Apply(ev_.Paid(At(2026, 1, 1), "pay-1", 10000, "USD"));
    Apply(ev_.RefundAccount(At(2026, 1, 2), "bank_transfer", "A", "USD"));
    if (closed != absl::InfinitePast()) Apply(ev_.Closed(closed));
  }

  std::unique_ptr<ProfileRegistry> registry_ = testing::BuiltIns();
  const ResolvedProfile* profile_ = nullptr;
  v1::ReadinessReport last_;
  Events ev_;
  ShopState shop_{"t1", "s1"};
};

// --- domain.md §7 worked examples --------------------------------------------

TEST_F(ShopStateTest, WorkedExample2ClosedButNotReady) {
  const char* cn = "Asia/Shanghai";
  Use("tiktok_shop_cross_border");
  Apply(ev_.Registered(At(2025, 6, 1), "tiktok_shop_cross_border", "US"));
  Apply(ev_.Paid(At(2025, 6, 1), "dep-1", 50000, "USD", "paypal", "P-1"));
  Apply(ev_.RefundAccount(At(2025, 6, 2), "paypal", "P-1", "USD"));
  Apply(ev_.DisputeOpened(At(2026, 2, 20), "atoz-7", v1::A_TO_Z));
  Apply(ev_.FeeCharged(At(2026, 2, 25), "ads-2026-02", v1::ADS_SETTLEMENT, 3500,
                       "USD"));
  const absl::Time closed = At(2026, 3, 2, 10, 0, cn);
  Apply(ev_.Closed(closed));

  const v1::ReadinessReport before = Eval(At(2026, 3, 5, 12, 0, cn));
  EXPECT_EQ(before.verdict(), v1::NOT_READY);
  EXPECT_EQ(before.lifecycle(), v1::CLOSED);
  const v1::Blocker* r3 = Find(before, v1::R3_OPEN_DISPUTES);
  ASSERT_NE(r3, nullptr);
  EXPECT_EQ(r3->count(), 1);
  ASSERT_EQ(r3->ids_size(), 1);
  EXPECT_EQ(r3->ids(0), "atoz-7");
  EXPECT_FALSE(r3->has_clears_at());
  const v1::Blocker* r4 = Find(before, v1::R4_UNPAID_FEES);
  ASSERT_NE(r4, nullptr);
  EXPECT_EQ(r4->ids(0), "ads-2026-02");
  ASSERT_EQ(r4->amounts_size(), 1);
  EXPECT_EQ(r4->amounts(0).minor_units(), 3500);
  EXPECT_EQ(r4->amounts(0).currency(), "USD");
  // The waiting period is the only other blocker, and it clears by itself.
  const v1::Blocker* r7 = Find(before, v1::R7_WAITING_PERIOD);
  ASSERT_NE(r7, nullptr);
  EXPECT_EQ(FromTs(r7->clears_at()), At(2026, 4, 1, 10, 0, cn));
  EXPECT_EQ(before.blockers_size(), 3);
  // Blockers needing an action remain: the projection is conditional.
  ASSERT_TRUE(before.has_projection());
  EXPECT_TRUE(before.projection().conditional());

  // Both clear on 2026-03-10.
  Apply(ev_.DisputeResolved(At(2026, 3, 10, 9, 0, cn), "atoz-7"));
  Apply(ev_.FeePaid(At(2026, 3, 10, 9, 30, cn), "ads-2026-02", 3500, "USD"));
  const v1::ReadinessReport after = Eval(At(2026, 3, 10, 12, 0, cn));
  EXPECT_EQ(after.verdict(), v1::READY_AT);
  EXPECT_EQ(FromTs(after.ready_at()), At(2026, 4, 1, 10, 0, cn));
  ASSERT_TRUE(after.has_projection());
  EXPECT_FALSE(after.projection().conditional());
  // closure + 30 natural days = 2026-04-01, then 15 working days = 2026-04-22.
  EXPECT_EQ(FromTs(after.projection().ready_at()), At(2026, 4, 1, 10, 0, cn));
  EXPECT_EQ(FromTs(after.projection().review_done_at()),
            At(2026, 4, 22, 10, 0, cn));
  EXPECT_EQ(FromTs(after.projection().batch_at()), At(2026, 4, 22, 10, 0, cn));
  EXPECT_GT(FromTs(after.projection().expected_paid_at()),
            At(2026, 4, 22, 10, 0, cn));
  EXPECT_GE(after.projection().steps_size(), 3);
  // On 2026-04-01 itself the shop is READY.
  EXPECT_EQ(Eval(At(2026, 4, 1, 10, 0, cn)).verdict(), v1::READY);
}

TEST_F(ShopStateTest, WorkedExample3WrongAccount) {
  Use("generic");
  Apply(ev_.Paid(At(2026, 1, 1), "dep-1", 3000000, "CNY", "corporate_account",
                 "A"));
  Apply(ev_.RefundAccount(At(2026, 1, 2), "corporate_account", "B", "CNY"));
  Apply(ev_.Closed(At(2026, 2, 1)));
  const v1::ReadinessReport r = Eval(At(2026, 2, 2));
  EXPECT_EQ(r.verdict(), v1::NOT_READY);
  const v1::Blocker* r8 = Find(r, v1::R8_REFUND_ACCOUNT);
  ASSERT_NE(r8, nullptr);
  EXPECT_EQ(r8->ids(0), "dep-1");
  EXPECT_NE(r8->summary().find("B"), std::string::npos);
}

// domain.md §7 example 5 as corrected: the counterfeit deduction leaves the
// balance once and is never subtracted again; it is never recoverable by
// appeal, while a late-shipment deduction under appeal is.
TEST_F(ShopStateTest, WorkedExample5CounterfeitDeduction) {
  Use("generic");  // 7-day appeal window
  Apply(ev_.Paid(At(2026, 1, 1), "dep-1", 3000000, "CNY", "alipay", "A"));
  Apply(ev_.Deducted(At(2026, 2, 1), "ded-1", 500000, "CNY",
                     /*counterfeit=*/true));
  v1::ReadinessReport r = Eval(At(2026, 2, 2));
  ASSERT_EQ(r.balance_size(), 1);
  EXPECT_EQ(r.balance(0).minor_units(), 2500000);
  // Balance and refundable CNY 25,000, not 20,000.
  ASSERT_EQ(r.refundable_size(), 1);
  EXPECT_EQ(r.refundable(0).currency(), "CNY");
  EXPECT_EQ(r.refundable(0).minor_units(), 2500000);
  // Inside its appeal window the counterfeit deduction is not recoverable.
  EXPECT_EQ(r.recoverable_by_appeal_size(), 0);
  // After a top-up of CNY 5,000: CNY 30,000.
  Apply(ev_.TopUp(At(2026, 2, 3), "top-1", 500000, "CNY", "alipay", "A"));
  r = Eval(At(2026, 2, 4));
  EXPECT_EQ(r.balance(0).minor_units(), 3000000);
  EXPECT_EQ(r.refundable(0).minor_units(), 3000000);
  // Even with an appeal filed the counterfeit CNY 5,000 is never
  // recoverable; a CNY 2,000 late-shipment deduction under appeal is.
  v1::Event appeal = ev_.Base(At(2026, 2, 5));
  appeal.mutable_appeal_filed()->set_deduction_id("ded-1");
  Apply(appeal);
  Apply(ev_.Deducted(At(2026, 2, 6), "ded-late", 200000, "CNY"));
  v1::Event appeal2 = ev_.Base(At(2026, 2, 7));
  appeal2.mutable_appeal_filed()->set_deduction_id("ded-late");
  Apply(appeal2);
  r = Eval(At(2026, 3, 1));  // both appeal windows long closed
  EXPECT_EQ(r.balance(0).minor_units(), 2800000);
  EXPECT_EQ(r.refundable(0).minor_units(), 2800000);
  ASSERT_EQ(r.recoverable_by_appeal_size(), 1);
  EXPECT_EQ(r.recoverable_by_appeal(0).currency(), "CNY");
  EXPECT_EQ(r.recoverable_by_appeal(0).minor_units(), 200000);
}

// Recoverable by appeal before, at and after the appeal window's end, with
// and without an appeal filed, and once decided.
TEST_F(ShopStateTest, RecoverableByAppealFollowsTheWindowAndTheAppeal) {
  Use("generic");  // 7-day appeal window: notified 02-01 -> closes 02-08
  Apply(ev_.Paid(At(2026, 1, 1), "dep-1", 3000000, "CNY", "alipay", "A"));
  Apply(ev_.Deducted(At(2026, 2, 1), "late", 200000, "CNY"));
  Apply(ev_.Deducted(At(2026, 2, 1), "fake", 500000, "CNY", true));
  auto recoverable = [&](absl::Time t) -> int64_t {
    const v1::ReadinessReport r = Eval(t);
    EXPECT_LE(r.recoverable_by_appeal_size(), 1);
    EXPECT_EQ(r.refundable(0).minor_units(), 2300000);  // the balance
    return r.recoverable_by_appeal_size() == 0
               ? 0
               : r.recoverable_by_appeal(0).minor_units();
  };
  struct Case {
    absl::Time at;
    int64_t want;
  } no_appeal[] = {
      {At(2026, 2, 7, 23, 59), 200000},  // window open
      {At(2026, 2, 8), 0},               // window closed at its end
      {At(2026, 2, 9), 0},
  };
  for (const Case& c : no_appeal) {
    SCOPED_TRACE(absl::FormatTime(c.at));
    EXPECT_EQ(recoverable(c.at), c.want);
  }
  v1::Event filed = ev_.Base(At(2026, 2, 7));
  filed.mutable_appeal_filed()->set_deduction_id("late");
  Apply(filed);
  EXPECT_EQ(recoverable(At(2026, 2, 9)), 200000);  // filed, undecided
  v1::Event decided = ev_.Base(At(2026, 2, 20));
  decided.mutable_appeal_decided()->set_deduction_id("late");
  decided.mutable_appeal_decided()->set_reversed(false);
  Apply(decided);
  EXPECT_EQ(recoverable(At(2026, 2, 21)), 0);  // decided: nothing left
}

TEST_F(ShopStateTest, WorkedExample6ReturnWindow) {
  CleanShop("generic", At(2026, 6, 1));
  const char* cn = "Asia/Shanghai";
  Apply(ev_.Order(At(2026, 5, 30), "o-1", v1::PLACED));
  Apply(ev_.Order(At(2026, 6, 1, 18, 0, cn), "o-1", v1::DELIVERED));
  Apply(ev_.Order(At(2026, 6, 3, 18, 0, cn), "o-last", v1::DELIVERED));
  const v1::ReadinessReport r = Eval(At(2026, 6, 5));
  EXPECT_EQ(r.verdict(), v1::READY_AT);
  EXPECT_EQ(FromTs(r.ready_at()), At(2026, 6, 10, 18, 0, cn));
  const v1::Blocker* r2 = Find(r, v1::R2_RETURN_WINDOWS_OPEN);
  ASSERT_NE(r2, nullptr);
  EXPECT_EQ(FromTs(r2->clears_at()), At(2026, 6, 10, 18, 0, cn));
  EXPECT_EQ(r2->count(), 2);
  EXPECT_EQ(r2->ids(0), "o-last");
  EXPECT_EQ(Eval(At(2026, 6, 10, 18, 0, cn)).verdict(), v1::READY);
}

// --- issue 13: projection facts, post-closure grace, Explain ---------------

// Point 2: a Temu shop closed clean on 03-02. ready_at is the closure and
// the review ends 30 natural days later, whatever day is asked: before the
// review ends, at it, and after it.
TEST_F(ShopStateTest, ProjectionIsAFactOfTheShopNotOfTheTimeOfAsking) {
  CleanShop("temu", At(2026, 3, 2));
  struct Case {
    absl::Time asked;
  } cases[] = {{At(2026, 3, 2)}, {At(2026, 3, 3)},  {At(2026, 3, 20)},
               {At(2026, 4, 1)}, {At(2026, 4, 19)}, {At(2026, 6, 1)}};
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::FormatTime(c.asked));
    const v1::ReadinessReport r = Eval(c.asked);
    EXPECT_EQ(r.verdict(), v1::READY);
    ASSERT_TRUE(r.has_projection());
    EXPECT_FALSE(r.projection().conditional());
    EXPECT_EQ(FromTs(r.projection().ready_at()), At(2026, 3, 2));
    EXPECT_EQ(FromTs(r.projection().review_done_at()), At(2026, 4, 1));
  }
}

// Point 2: ready_at is the event time at which the last action-blocker
// cleared; while it remains the projection is conditional and moves with
// as_of; once it cleared, the dates are the same on every later day.
TEST_F(ShopStateTest, ProjectionReadyAtIsWhenTheLastBlockerCleared) {
  CleanShop("temu", At(2026, 3, 2));
  Apply(ev_.FeeCharged(At(2026, 2, 20), "fine-1", v1::FINE, 500, "USD"));
  Apply(ev_.Order(At(2026, 2, 21), "o-1", v1::PLACED));
  struct Before {
    absl::Time asked;
  } before[] = {{At(2026, 3, 3)}, {At(2026, 3, 8)}};
  for (const Before& c : before) {
    SCOPED_TRACE(absl::FormatTime(c.asked));
    const v1::ReadinessReport r = Eval(c.asked);
    EXPECT_EQ(r.verdict(), v1::NOT_READY);
    ASSERT_TRUE(r.has_projection());
    EXPECT_TRUE(r.projection().conditional());
    EXPECT_EQ(FromTs(r.projection().ready_at()), c.asked);  // "if now"
    EXPECT_EQ(FromTs(r.projection().review_done_at()),
              c.asked + absl::Hours(24 * 30));
  }
  Apply(ev_.FeePaid(At(2026, 3, 9), "fine-1", 500, "USD"));
  // The order still blocks: conditional.
  EXPECT_TRUE(Eval(At(2026, 3, 10)).projection().conditional());
  Apply(ev_.Order(At(2026, 3, 12, 6), "o-1", v1::CANCELLED));
  struct After {
    absl::Time asked;
  } after[] = {{At(2026, 3, 12, 6)},
               {At(2026, 3, 13)},
               {At(2026, 4, 11, 6)},
               {At(2026, 5, 30)}};
  for (const After& c : after) {
    SCOPED_TRACE(absl::FormatTime(c.asked));
    const v1::ReadinessReport r = Eval(c.asked);
    EXPECT_EQ(r.verdict(), v1::READY);
    EXPECT_FALSE(r.projection().conditional());
    EXPECT_EQ(FromTs(r.projection().ready_at()), At(2026, 3, 12, 6));
    EXPECT_EQ(FromTs(r.projection().review_done_at()), At(2026, 4, 11, 6));
  }
  // The fee payment alone sets it when it is the last to clear.
  ShopState other("t1", "s2");
  Events ev("t1", "s2");
  for (const v1::Event& e :
       {ev.Paid(At(2026, 1, 1), "p", 10000, "USD"),
        ev.RefundAccount(At(2026, 1, 2), "bank_transfer", "A", "USD"),
        ev.FeeCharged(At(2026, 2, 20), "f", v1::FINE, 500, "USD"),
        ev.Closed(At(2026, 3, 2)),
        ev.FeePaid(At(2026, 3, 9, 9), "f", 500, "USD")}) {
    ASSERT_TRUE(other.Apply(e, *profile_).ok());
  }
  for (absl::Time asked : {At(2026, 3, 10), At(2026, 3, 25)}) {
    const v1::ReadinessReport r = other.Evaluate(asked, *profile_);
    EXPECT_EQ(FromTs(r.projection().ready_at()), At(2026, 3, 9, 9));
  }
  // It survives a checkpoint (the payment's time is in the snapshot).
  auto parsed = ShopState::Parse(other.Serialize());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(
      FromTs(
          parsed->Evaluate(At(2026, 3, 25), *profile_).projection().ready_at()),
      At(2026, 3, 9, 9));
}

// Point 2: the cancellation that clears R1 counts by its (earliest) time,
// whatever order the events arrive in, and the same after a checkpoint.
TEST_F(ShopStateTest, ProjectionCancellationTimeIsOrderIndependent) {
  Use("temu");
  Events ev;
  const std::vector<v1::Event> events = {
      ev.Paid(At(2026, 1, 1), "p", 10000, "USD"),
      ev.RefundAccount(At(2026, 1, 2), "bank_transfer", "A", "USD"),
      ev.Order(At(2026, 2, 21), "o-1", v1::PLACED),
      ev.Closed(At(2026, 3, 2)),
      ev.Order(At(2026, 3, 12), "o-1", v1::CANCELLED),
      ev.Order(At(2026, 3, 8), "o-1", v1::CANCELLED),
  };
  for (bool reversed : {false, true}) {
    SCOPED_TRACE(reversed ? "late cancellation last" : "in order");
    std::vector<v1::Event> order = events;
    if (reversed) std::swap(order[4], order[5]);
    ShopState shop("t1", "s1");
    for (const v1::Event& e : order) ASSERT_TRUE(shop.Apply(e, *profile_).ok());
    EXPECT_EQ(
        FromTs(
            shop.Evaluate(At(2026, 3, 20), *profile_).projection().ready_at()),
        At(2026, 3, 8));
    auto parsed = ShopState::Parse(shop.Serialize());
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(FromTs(parsed->Evaluate(At(2026, 3, 20), *profile_)
                         .projection()
                         .ready_at()),
              At(2026, 3, 8));
  }
}

// Point 2: Douyin's review counts from the later of ready_at and the
// refund request; with no request yet the projection is conditional.
TEST_F(ShopStateTest, ProjectionDouyinReviewCountsFromTheRefundRequest) {
  const char* cn = "Asia/Shanghai";
  CleanShop("douyin", At(2026, 3, 2, 10, 0, cn));  // a Monday
  // No request: conditional, as if requested when asked.
  v1::ReadinessReport r = Eval(At(2026, 3, 4, 10, 0, cn));
  EXPECT_EQ(r.verdict(), v1::READY);
  EXPECT_TRUE(r.projection().conditional());
  EXPECT_EQ(FromTs(r.projection().ready_at()), At(2026, 3, 2, 10, 0, cn));
  // Wed 03-04 + 3 working days = Mon 03-09.
  EXPECT_EQ(FromTs(r.projection().review_done_at()), At(2026, 3, 9, 10, 0, cn));
  // Requested Thu 03-05 14:00: review to Tue 03-10 14:00, on any later day.
  v1::Event req = ev_.Base(At(2026, 3, 5, 14, 0, cn));
  req.mutable_refund_requested()->set_refund_id("r-1");
  Apply(req);
  for (absl::Time asked : {At(2026, 3, 5, 15, 0, cn), At(2026, 3, 20)}) {
    SCOPED_TRACE(absl::FormatTime(asked));
    r = Eval(asked);
    EXPECT_FALSE(r.projection().conditional());
    EXPECT_EQ(FromTs(r.projection().ready_at()), At(2026, 3, 2, 10, 0, cn));
    EXPECT_EQ(FromTs(r.projection().review_done_at()),
              At(2026, 3, 10, 14, 0, cn));
  }
  // Temu (no such setting): the request does not move the review.
  ShopState temu("t1", "s3");
  Events ev("t1", "s3");
  const ResolvedProfile* t = *registry_->Resolve("t1", "s3", "temu");
  ASSERT_TRUE(temu.Apply(ev.Closed(At(2026, 3, 1)), *t).ok());
  v1::Event req2 = ev.Base(At(2026, 3, 5));
  req2.mutable_refund_requested()->set_refund_id("r");
  ASSERT_TRUE(temu.Apply(req2, *t).ok());
  r = temu.Evaluate(At(2026, 3, 20), *t);
  EXPECT_EQ(FromTs(r.projection().ready_at()), At(2026, 3, 1));
  EXPECT_EQ(FromTs(r.projection().review_done_at()), At(2026, 3, 31));
}

// Point 4: a Shopee dispute still open after the 30-day post-closure grace:
// inside the grace the blocker gives its end; once passed it says so with
// the date.
TEST_F(ShopStateTest, PostClosureGraceEndIsSaidBeforeAtAndAfter) {
  CleanShop("shopee", At(2026, 3, 1));  // 08:00 Singapore
  Apply(ev_.DisputeOpened(At(2026, 2, 25), "d-1", v1::NOT_RECEIVED));
  struct Case {
    absl::Time asked;
    const char* says;
  } cases[] = {
      {At(2026, 3, 2), "allows finishing it until 2026-03-31 08:00 +08:00"},
      {At(2026, 3, 31) - absl::Seconds(1),
       "allows finishing it until 2026-03-31 08:00 +08:00"},
      {At(2026, 3, 31),
       "30-day post-closure grace ended 2026-03-31 08:00 +08:00: the refund "
       "may be rejected"},
      {At(2026, 5, 1),
       "30-day post-closure grace ended 2026-03-31 08:00 +08:00"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::FormatTime(c.asked));
    const v1::Blocker* b = Blocked(c.asked, v1::R3_OPEN_DISPUTES);
    ASSERT_NE(b, nullptr);
    EXPECT_NE(b->summary().find(c.says), std::string::npos) << b->summary();
  }
}

// Point 6: Explain's R7 evidence cites the ShopClosed (and ClosureRequested)
// event ids, also after a checkpoint round trip.
TEST_F(ShopStateTest, ExplainR7CitesTheShopClosedEventId) {
  Use("tiktok_shop_cross_border");
  v1::Event requested = ev_.ClosureRequested(At(2026, 2, 28));
  v1::Event closed = ev_.Closed(At(2026, 3, 2));
  Apply(requested);
  Apply(closed);
  auto check = [&](const ShopState& shop) {
    const v1::ExplainResponse x = shop.Explain(At(2026, 3, 5), *profile_);
    bool found_closed = false, found_requested = false;
    for (const auto& e : x.explanations()) {
      if (e.blocker().condition() != v1::R7_WAITING_PERIOD) continue;
      for (const auto& ev : e.events()) {
        if (ev.type() == "shop_closed") {
          found_closed = true;
          EXPECT_EQ(ev.event_id(), closed.event_id());
        }
        if (ev.type() == "closure_requested") {
          found_requested = true;
          EXPECT_EQ(ev.event_id(), requested.event_id());
        }
      }
    }
    EXPECT_TRUE(found_closed);
    EXPECT_TRUE(found_requested);
  };
  check(shop_);
  auto parsed = ShopState::Parse(shop_.Serialize());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  check(*parsed);
}

// A snapshot written before this change (no lifecycle event ids, no fee
// payment times) still loads: Explain shows the closure without an id and
// the fee payment does not move the projection.
TEST_F(ShopStateTest, SnapshotsWithoutEventIdsOrPaymentTimesStillLoad) {
  CleanShop("temu", At(2026, 3, 2));
  Apply(ev_.FeeCharged(At(2026, 2, 20), "f", v1::FINE, 500, "USD"));
  Apply(ev_.FeePaid(At(2026, 3, 9), "f", 500, "USD"));
  ASSERT_EQ(FromTs(Eval(At(2026, 3, 20)).projection().ready_at()),
            At(2026, 3, 9));
  store::v1::ShopSnapshot old;
  ASSERT_TRUE(old.ParseFromString(shop_.Serialize()));
  ASSERT_GT(old.lifecycle_event_id_size(), 0);
  old.clear_lifecycle_event_id();
  for (auto& fee : *old.mutable_fees()) {
    for (auto& line : *fee.mutable_paid()) line.clear_at();
  }
  auto parsed = ShopState::Parse(old.SerializeAsString());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const v1::ReadinessReport r = parsed->Evaluate(At(2026, 3, 20), *profile_);
  EXPECT_EQ(r.verdict(), v1::READY);
  EXPECT_EQ(FromTs(r.projection().ready_at()), At(2026, 3, 2));
}

// --- R1..R10, before / at / after -------------------------------------------

TEST_F(ShopStateTest, R1OrdersInFlight) {
  CleanShop("generic", At(2026, 3, 1));
  EXPECT_EQ(Eval(At(2026, 3, 2)).verdict(), v1::READY);
  for (int i = 0; i < 25; ++i) {
    Apply(ev_.Order(At(2026, 2, 1), absl::StrCat("o-", 100 + i), v1::PLACED));
  }
  Apply(ev_.Order(At(2026, 2, 2), "o-100", v1::SHIPPED));
  Apply(ev_.Order(At(2026, 2, 3), "o-101", v1::IN_TRANSIT));
  v1::ReadinessReport r = Eval(At(2026, 3, 2));
  EXPECT_EQ(r.verdict(), v1::NOT_READY);
  const v1::Blocker* b = Find(r, v1::R1_ORDERS_IN_FLIGHT);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->count(), 25);
  EXPECT_EQ(b->ids_size(), 20);
  EXPECT_TRUE(b->ids_truncated());
  EXPECT_EQ(b->ids(0), "o-100");
  EXPECT_NE(b->summary().find("23 unshipped, 1 shipped, 1 in transit"),
            std::string::npos)
      << b->summary();
  // Cancel all but two, deliver those two long ago: R1 clears.
  for (int i = 2; i < 25; ++i) {
    Apply(
        ev_.Order(At(2026, 2, 5), absl::StrCat("o-", 100 + i), v1::CANCELLED));
  }
  Apply(ev_.Order(At(2026, 2, 6), "o-100", v1::DELIVERED));
  Apply(ev_.Order(At(2026, 2, 6), "o-101", v1::COMPLETED));
  r = Eval(At(2026, 3, 2));
  EXPECT_EQ(Find(r, v1::R1_ORDERS_IN_FLIGHT), nullptr);
  EXPECT_EQ(r.verdict(), v1::READY);
}

TEST_F(ShopStateTest, R2ReturnWindowBeforeAtAfter) {
  CleanShop("generic", At(2026, 3, 1));
  Apply(ev_.Order(At(2026, 3, 10, 12), "o-1", v1::DELIVERED));
  const absl::Time end = At(2026, 3, 17, 12);
  struct Case {
    absl::Time as_of;
    v1::Verdict verdict;
    bool blocked;
  } cases[] = {
      {At(2026, 3, 9), v1::READY_AT, true},  // past as_of: window still ahead
      {end - absl::Seconds(1), v1::READY_AT, true},
      {end, v1::READY, false},
      {end + absl::Hours(1), v1::READY, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::FormatTime(c.as_of));
    const v1::ReadinessReport r = Eval(c.as_of);
    EXPECT_EQ(r.verdict(), c.verdict);
    const v1::Blocker* b = Find(r, v1::R2_RETURN_WINDOWS_OPEN);
    EXPECT_EQ(b != nullptr, c.blocked);
    if (b) EXPECT_EQ(FromTs(b->clears_at()), end);
  }
  // A delivered order later cancelled leaves the window index.
  Apply(ev_.Order(At(2026, 3, 11), "o-1", v1::CANCELLED));
  EXPECT_EQ(Eval(At(2026, 3, 12)).verdict(), v1::READY);
}

TEST_F(ShopStateTest, R3OpenDisputes) {
  CleanShop("shopee", At(2026, 3, 1));
  Apply(ev_.DisputeOpened(At(2026, 3, 2), "d-1", v1::REFUND_REQUEST));
  Apply(ev_.DisputeOpened(At(2026, 3, 2), "d-2", v1::RETURN));
  v1::ReadinessReport r = Eval(At(2026, 3, 3));
  const v1::Blocker* b = Find(r, v1::R3_OPEN_DISPUTES);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->count(), 2);
  // Shopee lets disputes finish within 30 days after closure: said in words.
  EXPECT_NE(b->summary().find("2026-03-31"), std::string::npos) << b->summary();
  Apply(ev_.DisputeResponded(At(2026, 3, 3), "d-1"));
  EXPECT_NE(Blocked(At(2026, 3, 4), v1::R3_OPEN_DISPUTES), nullptr);
  Apply(ev_.DisputeResolved(At(2026, 3, 4), "d-1"));
  Apply(ev_.DisputeResolved(At(2026, 3, 4), "d-2"));
  EXPECT_EQ(Blocked(At(2026, 3, 5), v1::R3_OPEN_DISPUTES), nullptr);
}

TEST_F(ShopStateTest, R4UnpaidFees) {
  CleanShop("generic", At(2026, 3, 1));
  Apply(ev_.FeeCharged(At(2026, 3, 2), "f-1", v1::FINE, 1000, "USD"));
  Apply(
      ev_.FeeCharged(At(2026, 3, 2), "f-2", v1::LOGISTICS_ADVANCE, 500, "CNY"));
  v1::ReadinessReport r = Eval(At(2026, 3, 3));
  const v1::Blocker* b = Find(r, v1::R4_UNPAID_FEES);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->count(), 2);
  ASSERT_EQ(b->amounts_size(), 2);  // one per currency
  Apply(ev_.FeePaid(At(2026, 3, 3), "f-1", 400, "USD", "p1"));
  Apply(ev_.FeePaid(At(2026, 3, 3), "f-1", 400, "USD", "p2"));
  r = Eval(At(2026, 3, 4));
  b = Find(r, v1::R4_UNPAID_FEES);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->amounts(1).currency(), "USD");
  EXPECT_EQ(b->amounts(1).minor_units(), 200);
  Apply(ev_.FeePaid(At(2026, 3, 4), "f-1", 200, "USD", "p3"));
  v1::Event waive = ev_.Base(At(2026, 3, 4));
  waive.mutable_fee_waived()->set_fee_id("f-2");
  Apply(waive);
  EXPECT_EQ(Blocked(At(2026, 3, 5), v1::R4_UNPAID_FEES), nullptr);
}

TEST_F(ShopStateTest, R5ViolationsAndFreeze) {
  CleanShop("generic", At(2026, 3, 1));
  v1::Event v = ev_.Base(At(2026, 3, 2));
  v.mutable_violation_recorded()->set_violation_id("v-1");
  v.mutable_violation_recorded()->set_kind("false_shipping");
  Apply(v);
  EXPECT_NE(Blocked(At(2026, 3, 3), v1::R5_PENDING_VIOLATIONS), nullptr);
  v1::Event res = ev_.Base(At(2026, 3, 3));
  res.mutable_violation_resolved()->set_violation_id("v-1");
  Apply(res);
  EXPECT_EQ(Blocked(At(2026, 3, 4), v1::R5_PENDING_VIOLATIONS), nullptr);
  v1::Event freeze = ev_.Base(At(2026, 3, 4));
  freeze.mutable_deposit_frozen()->set_violation_id("v-1");
  Apply(freeze);
  const v1::Blocker* b = Blocked(At(2026, 3, 5), v1::R5_PENDING_VIOLATIONS);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(b->summary().find("rectification"), std::string::npos);
  v1::Event rect = ev_.Base(At(2026, 3, 5));
  rect.mutable_rectification_filed()->set_violation_id("v-1");
  rect.mutable_rectification_filed()->set_statement("fixed");
  Apply(rect);
  EXPECT_EQ(Blocked(At(2026, 3, 6), v1::R5_PENDING_VIOLATIONS), nullptr);
}

TEST_F(ShopStateTest, R6BalanceShort) {
  CleanShop("tiktok_shop_cross_border", At(2026, 3, 1));
  // Registered without a site: the required amount is what was paid.
  EXPECT_EQ(Blocked(At(2026, 3, 2), v1::R6_BALANCE_SHORT), nullptr);
  Apply(ev_.Deducted(At(2026, 3, 2), "d-1", 3000, "USD"));
  const v1::Blocker* b = Blocked(At(2026, 3, 3), v1::R6_BALANCE_SHORT);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->amounts(0).minor_units(), 3000);
  Apply(ev_.TopUp(At(2026, 3, 3), "top-1", 3000, "USD"));
  EXPECT_EQ(Blocked(At(2026, 3, 4), v1::R6_BALANCE_SHORT), nullptr);
  // A raised requirement.
  v1::Event req = ev_.Base(At(2026, 3, 4));
  req.mutable_deposit_requirement_set()->set_kind(v1::BASE);
  *req.mutable_deposit_requirement_set()->mutable_required() =
      testing::Money(15000, "USD");
  Apply(req);
  b = Blocked(At(2026, 3, 5), v1::R6_BALANCE_SHORT);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->amounts(0).minor_units(), 5000);
  // The site minimum (US: USD 500) applies once the site is known.
  Apply(ev_.Registered(At(2026, 3, 5), "tiktok_shop_cross_border", "US"));
  b = Blocked(At(2026, 3, 6), v1::R6_BALANCE_SHORT);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->amounts(0).minor_units(), 40000);
}

TEST_F(ShopStateTest, R7WaitingPeriodBeforeAtAfter) {
  const absl::Time closed = At(2026, 3, 2, 23, 30, "Asia/Shanghai");
  CleanShop("tiktok_shop_cross_border", absl::InfinitePast());
  // Not closed: R7 blocks and does not clear by itself.
  const v1::Blocker* open = Blocked(At(2026, 3, 1), v1::R7_WAITING_PERIOD);
  ASSERT_NE(open, nullptr);
  EXPECT_FALSE(open->has_clears_at());
  Apply(ev_.ClosureRequested(At(2026, 3, 1)));
  EXPECT_EQ(Eval(At(2026, 3, 2)).lifecycle(), v1::CLOSURE_REQUESTED);
  Apply(ev_.Closed(closed));
  const absl::Time end = At(2026, 4, 1, 23, 30, "Asia/Shanghai");
  struct Case {
    absl::Time as_of;
    bool blocked;
  } cases[] = {{closed, true},
               {end - absl::Seconds(1), true},
               {end, false},
               {end + absl::Hours(24), false}};
  for (const Case& c : cases) {
    const v1::ReadinessReport r = Eval(c.as_of);
    const v1::Blocker* b = Find(r, v1::R7_WAITING_PERIOD);
    EXPECT_EQ(b != nullptr, c.blocked) << absl::FormatTime(c.as_of);
    if (b) {
      EXPECT_EQ(FromTs(b->clears_at()), end);
      EXPECT_EQ(r.verdict(), v1::READY_AT);
    } else {
      EXPECT_EQ(r.verdict(), v1::READY);
    }
  }
  // Reopened: closure no longer counts.
  Apply(ev_.Reopened(At(2026, 4, 5)));
  EXPECT_EQ(Eval(At(2026, 4, 6)).lifecycle(), v1::OPERATING);
  EXPECT_NE(Blocked(At(2026, 4, 6), v1::R7_WAITING_PERIOD), nullptr);
}

TEST_F(ShopStateTest, R8RefundAccountMatchesEveryPayment) {
  struct Case {
    const char* name;
    const char* channel;
    const char* account;
    const char* currency;
    bool set;
    bool blocked;
  } cases[] = {
      {"match", "bank_transfer", "A", "USD", true, false},
      {"other account", "bank_transfer", "B", "USD", true, true},
      {"other channel", "paypal", "A", "USD", true, true},
      {"other currency", "bank_transfer", "A", "CNY", true, true},
      {"none on file", "", "", "", false, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ShopState shop("t1", "s1");
    Events ev;
    auto generic = *registry_->Resolve("t1", "s1", "generic");
    ASSERT_TRUE(
        shop.Apply(ev.Paid(At(2026, 1, 1), "p-1", 1000, "USD"), *generic).ok());
    ASSERT_TRUE(shop.Apply(ev.Closed(At(2026, 2, 1)), *generic).ok());
    if (c.set) {
      ASSERT_TRUE(shop.Apply(ev.RefundAccount(At(2026, 1, 5), c.channel,
                                              c.account, c.currency),
                             *generic)
                      .ok());
    }
    const v1::ReadinessReport r = shop.Evaluate(At(2026, 2, 2), *generic);
    EXPECT_EQ(Find(r, v1::R8_REFUND_ACCOUNT) != nullptr, c.blocked);
  }
}

TEST_F(ShopStateTest, R9HealthThresholds) {
  struct Case {
    double fulfilment, returns, dsr;
    int failing;
  } cases[] = {
      {98.5, 8.2, 4.7, 0},  // exactly at the thresholds passes
      {98.4, 8.2, 4.7, 1}, {99.0, 8.3, 4.7, 1},
      {99.0, 5.0, 4.6, 1}, {90.0, 20.0, 3.0, 3},
  };
  for (const Case& c : cases) {
    ShopState shop("t1", "s1");
    Events ev;
    auto tt = *registry_->Resolve("t1", "s1", "tiktok_shop_cross_border");
    v1::Event m = ev.Base(At(2026, 3, 1));
    m.mutable_metrics_reported()->set_fulfilment_rate_pct(c.fulfilment);
    m.mutable_metrics_reported()->set_return_rate_pct(c.returns);
    m.mutable_metrics_reported()->set_dsr(c.dsr);
    ASSERT_TRUE(shop.Apply(m, *tt).ok());
    const v1::ReadinessReport report = shop.Evaluate(At(2026, 3, 2), *tt);
    const v1::Blocker* b = Find(report, v1::R9_HEALTH_METRICS);
    EXPECT_EQ(b ? b->count() : 0, c.failing)
        << c.fulfilment << " " << c.returns << " " << c.dsr;
  }
  // Generic has no thresholds: not checked.
  ShopState shop("t1", "s1");
  Events ev;
  auto generic = *registry_->Resolve("t1", "s1", "generic");
  v1::Event m = ev.Base(At(2026, 3, 1));
  m.mutable_metrics_reported()->set_dsr(1.0);
  ASSERT_TRUE(shop.Apply(m, *generic).ok());
  EXPECT_EQ(
      Find(shop.Evaluate(At(2026, 3, 2), *generic), v1::R9_HEALTH_METRICS),
      nullptr);
}

TEST_F(ShopStateTest, R10DiscountClawback) {
  struct Case {
    absl::Time closure_request;
    bool owed;
  } cases[] = {
      {At(2026, 6, 30), true},
      {At(2026, 12, 31, 23, 59), true},
      {At(2027, 1, 1),
       false},  // at the end of the clawback period: nothing owed
      {At(2027, 2, 1), false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::FormatTime(c.closure_request));
    ShopState shop("t1", "s1");
    Events ev;
    auto generic = *registry_->Resolve("t1", "s1", "generic");
    v1::Event paid = ev.Paid(At(2026, 1, 1), "p-1", 5000, "USD");
    *paid.mutable_deposit_paid()->mutable_discount() =
        testing::Money(5000, "USD");
    testing::SetTs(
        At(2027, 1, 1),
        paid.mutable_deposit_paid()->mutable_discount_clawback_until());
    ASSERT_TRUE(shop.Apply(paid, *generic).ok());
    ASSERT_TRUE(
        shop.Apply(ev.ClosureRequested(c.closure_request), *generic).ok());
    const v1::ReadinessReport report =
        shop.Evaluate(c.closure_request + absl::Hours(1), *generic);
    const v1::Blocker* b = Find(report, v1::R10_DISCOUNT_CLAWBACK);
    EXPECT_EQ(b != nullptr, c.owed);
    if (b) {
      EXPECT_EQ(b->amounts(0).minor_units(), 5000);
      v1::Event cb = ev.Base(c.closure_request + absl::Hours(2));
      cb.mutable_clawback_paid()->set_payment_id("cb-1");
      *cb.mutable_clawback_paid()->mutable_amount() =
          testing::Money(5000, "USD");
      ASSERT_TRUE(shop.Apply(cb, *generic).ok());
      EXPECT_EQ(
          Find(shop.Evaluate(c.closure_request + absl::Hours(3), *generic),
               v1::R10_DISCOUNT_CLAWBACK),
          nullptr);
    }
  }
}

TEST_F(ShopStateTest, ProjectionReviewManualReviewBatchAndTransit) {
  // A custom profile: 10 working days review, +3 with a complaint, batch on
  // the 15th, 2 working days transit.
  auto config = ProfileRegistry::ParseConfigText(
      R"pb(
        profiles {
          name: "batchy"
          base: "tiktok_shop_cross_border"
          closure_waiting_days: 0
          review { days: 10 counting: WORKING_DAYS }
          refund_batch_day_of_month: 15
          payout_transit { days: 2 counting: WORKING_DAYS }
        }
      )pb",
      "t.textproto");
  ASSERT_TRUE(config.ok()) << config.status();
  auto reg = ProfileRegistry::Create(*config);
  ASSERT_TRUE(reg.ok()) << reg.status();
  const ResolvedProfile* p = *(*reg)->Resolve("t1", "s1", "batchy");
  const char* cn = "Asia/Shanghai";
  ShopState shop("t1", "s1");
  Events ev;
  ASSERT_TRUE(shop.Apply(ev.Closed(At(2026, 4, 1, 10, 0, cn)), *p).ok());
  // Wed 2026-04-01 + 10 working days = Wed 04-15: on the batch day itself.
  v1::ReadinessReport r = shop.Evaluate(At(2026, 4, 1, 10, 0, cn), *p);
  ASSERT_EQ(r.verdict(), v1::READY);
  EXPECT_EQ(FromTs(r.projection().review_done_at()),
            At(2026, 4, 15, 10, 0, cn));
  EXPECT_EQ(FromTs(r.projection().batch_at()), At(2026, 4, 15, 10, 0, cn));
  EXPECT_EQ(FromTs(r.projection().expected_paid_at()),
            At(2026, 4, 17, 10, 0, cn));
  // Complaint history: +3 working days -> Mon 04-20, after the 15th: next
  // month's batch on 05-15 (a Friday), transit to Tue 05-19.
  ASSERT_TRUE(
      shop.Apply(ev.DisputeOpened(At(2026, 3, 1), "c-1", v1::COMPLAINT), *p)
          .ok());
  ASSERT_TRUE(shop.Apply(ev.DisputeResolved(At(2026, 3, 2), "c-1"), *p).ok());
  r = shop.Evaluate(At(2026, 4, 1, 10, 0, cn), *p);
  EXPECT_EQ(FromTs(r.projection().review_done_at()),
            At(2026, 4, 20, 10, 0, cn));
  EXPECT_EQ(FromTs(r.projection().batch_at()), At(2026, 5, 15, 10, 0, cn));
  EXPECT_EQ(FromTs(r.projection().expected_paid_at()),
            At(2026, 5, 19, 10, 0, cn));
  bool mentions_manual = false;
  for (const auto& s : r.projection().steps()) {
    mentions_manual |= s.find("manual review") != std::string::npos;
  }
  EXPECT_TRUE(mentions_manual);
}

TEST_F(ShopStateTest, LifecycleThroughRefund) {
  CleanShop("generic", At(2026, 3, 1));
  EXPECT_EQ(Eval(At(2026, 3, 2)).lifecycle(), v1::CLOSED);
  v1::Event req = ev_.Base(At(2026, 3, 2));
  req.mutable_refund_requested()->set_refund_id("r-1");
  Apply(req);
  EXPECT_EQ(Eval(At(2026, 3, 3)).lifecycle(), v1::REFUND_APPLIED);
  v1::Event rej = ev_.Base(At(2026, 3, 3));
  rej.mutable_refund_rejected()->set_refund_id("r-1");
  rej.mutable_refund_rejected()->set_reason("account mismatch");
  Apply(rej);
  EXPECT_EQ(Eval(At(2026, 3, 4)).lifecycle(), v1::REFUND_REJECTED);
  v1::Event req2 = ev_.Base(At(2026, 3, 5));
  req2.mutable_refund_requested()->set_refund_id("r-2");
  Apply(req2);
  EXPECT_EQ(Eval(At(2026, 3, 6)).lifecycle(), v1::REFUND_APPLIED);
  v1::Event paid = ev_.Base(At(2026, 3, 20));
  paid.mutable_refund_paid()->set_refund_id("r-2");
  *paid.mutable_refund_paid()->mutable_amount() = testing::Money(4000, "USD");
  Apply(paid);
  EXPECT_EQ(Eval(At(2026, 3, 21)).lifecycle(), v1::PARTLY_REFUNDED);
  v1::Event paid2 = ev_.Base(At(2026, 3, 22));
  paid2.mutable_refund_paid()->set_refund_id("r-2");
  *paid2.mutable_refund_paid()->mutable_amount() = testing::Money(6000, "USD");
  Apply(paid2);
  EXPECT_EQ(Eval(At(2026, 3, 23)).lifecycle(), v1::REFUNDED);
}

// --- bad events --------------------------------------------------------------

TEST_F(ShopStateTest, BadEventsAreRejectedAndLeaveStateUnchanged) {
  CleanShop("generic", absl::InfinitePast());
  Apply(ev_.Order(At(2026, 2, 1), "o-1", v1::PLACED));
  Apply(ev_.Order(At(2026, 2, 2), "o-1", v1::CANCELLED));
  Apply(ev_.FeeCharged(At(2026, 2, 1), "f-1", v1::FINE, 1000, "USD"));

  struct Case {
    const char* name;
    v1::Event event;
    absl::StatusCode code;
    const char* reason;
  };
  std::vector<Case> cases;
  {
    v1::Event e = ev_.Paid(At(2026, 2, 3), "p-neg", -5, "USD");
    cases.push_back(
        {"negative amount", e, absl::StatusCode::kInvalidArgument, "negative"});
  }
  cases.push_back({"deposit currency mismatch",
                   ev_.TopUp(At(2026, 2, 3), "t-1", 100, "CNY"),
                   absl::StatusCode::kFailedPrecondition, "USD"});
  cases.push_back({"deduction currency mismatch",
                   ev_.Deducted(At(2026, 2, 3), "d-1", 100, "EUR"),
                   absl::StatusCode::kFailedPrecondition, "deposit"});
  cases.push_back({"shipped after cancelled",
                   ev_.Order(At(2026, 2, 3), "o-1", v1::SHIPPED),
                   absl::StatusCode::kFailedPrecondition, "cancelled"});
  {
    v1::Event e = ev_.Order(At(2026, 2, 3), "o-2", v1::PLACED);
    e.mutable_order_status_changed()->set_status(
        static_cast<v1::OrderStatus>(42));
    cases.push_back({"unknown enum", e, absl::StatusCode::kInvalidArgument,
                     "unknown value 42"});
  }
  cases.push_back({"missing order id",
                   ev_.Order(At(2026, 2, 3), "", v1::PLACED),
                   absl::StatusCode::kInvalidArgument, "order_id is required"});
  {
    v1::Event e = ev_.Order(At(2026, 2, 3), "o-3", v1::PLACED);
    e.clear_event_id();
    cases.push_back({"missing event id", e, absl::StatusCode::kInvalidArgument,
                     "event_id"});
  }
  cases.push_back({"fee paid in wrong currency",
                   ev_.FeePaid(At(2026, 2, 3), "f-1", 1000, "CNY"),
                   absl::StatusCode::kFailedPrecondition, "own currency"});
  cases.push_back({"payment id reused",
                   ev_.Paid(At(2026, 2, 3), "pay-1", 999, "USD"),
                   absl::StatusCode::kFailedPrecondition, "pay-1"});
  {
    v1::Event e = ev_.Paid(At(2026, 2, 3), "p-x", 100, "usd");
    cases.push_back({"bad currency code", e, absl::StatusCode::kInvalidArgument,
                     "ISO 4217"});
  }
  {
    v1::Event e = ev_.FeePaid(At(2026, 2, 3), "f-2", 1000, "XYZ");
    cases.push_back({"unknown currency code", e,
                     absl::StatusCode::kInvalidArgument,
                     "\"XYZ\" is not an ISO 4217"});
  }
  {
    v1::Event e = ev_.Base(At(2026, 2, 3));
    cases.push_back(
        {"no body", e, absl::StatusCode::kInvalidArgument, "no body"});
  }
  {
    v1::Event e = ev_.DisputeOpened(At(2026, 2, 3), "d-1", v1::A_TO_Z);
    e.mutable_dispute_opened()->set_kind(v1::DISPUTE_KIND_UNSPECIFIED);
    cases.push_back({"dispute without kind", e,
                     absl::StatusCode::kInvalidArgument, "kind"});
  }
  {
    v1::Event e = ev_.Order(At(2026, 2, 3), "o-9", v1::PLACED);
    e.set_shop_id("other-shop");
    cases.push_back(
        {"wrong shop", e, absl::StatusCode::kInvalidArgument, "other-shop"});
  }
  const std::string before = shop_.Serialize();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    absl::Status s = shop_.Apply(c.event, *profile_);
    EXPECT_EQ(s.code(), c.code) << s;
    EXPECT_NE(s.message().find(c.reason), std::string::npos) << s;
    EXPECT_EQ(shop_.Serialize(), before);
  }
}

TEST_F(ShopStateTest, OutOfOrderFactsAreAccepted) {
  Use("generic");
  ShopState sorted("t1", "s1");
  std::vector<v1::Event> history = {
      ev_.DisputeOpened(At(2026, 3, 1), "d-1", v1::NOT_RECEIVED),
      ev_.DisputeResolved(At(2026, 3, 2), "d-1"),
      ev_.FeeCharged(At(2026, 3, 1), "f-1", v1::FINE, 100, "USD"),
      ev_.FeePaid(At(2026, 3, 2), "f-1", 100, "USD"),
      ev_.Order(At(2026, 3, 1), "o-1", v1::PLACED),
      ev_.Order(At(2026, 3, 2), "o-1", v1::SHIPPED),
      ev_.Order(At(2026, 3, 3), "o-1", v1::DELIVERED),
  };
  for (const auto& e : history) ASSERT_TRUE(sorted.Apply(e, *profile_).ok());
  // Reverse order: resolution before opening, payment before charge,
  // delivery before placement.
  for (auto it = history.rbegin(); it != history.rend(); ++it) Apply(*it);
  v1::ReadinessReport a = sorted.Evaluate(At(2026, 3, 5), *profile_);
  v1::ReadinessReport b = Eval(At(2026, 3, 5));
  EXPECT_EQ(a.SerializeAsString(), b.SerializeAsString());
  EXPECT_EQ(Find(b, v1::R3_OPEN_DISPUTES), nullptr);
  EXPECT_EQ(Find(b, v1::R4_UNPAID_FEES), nullptr);
  EXPECT_NE(Find(b, v1::R2_RETURN_WINDOWS_OPEN), nullptr);
}

// --- property: any permutation with duplicates = sorted history
// ----------------

struct Generated {
  std::vector<v1::Event> events;  // in time order
};

Generated GenerateHistory(uint32_t seed) {
  std::mt19937 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  Events ev("t1", "s1");
  Generated g;
  absl::Time t = At(2026, 1, 1);
  auto later = [&](int max_hours) {
    return t += absl::Hours(1 + pick(max_hours));
  };
  g.events.push_back(ev.Registered(t, "generic"));
  g.events.push_back(ev.Paid(later(5), "dep-base", 100000, "USD", "bank", "A"));
  g.events.push_back(
      ev.Paid(later(5), "dep-cat", 50000, "USD", "bank", "A", v1::CATEGORY));
  g.events.push_back(
      ev.RefundAccount(later(5), "bank", pick(4) == 0 ? "B" : "A", "USD"));
  const int orders = 10 + pick(30);
  for (int i = 0; i < orders; ++i) {
    const std::string id = absl::StrCat("o-", seed, "-", i);
    absl::Time ot = At(2026, 1, 2) + absl::Hours(pick(24 * 60));
    const int furthest = 1 + pick(6);  // PLACED..COMPLETED
    for (int s = v1::PLACED; s <= furthest; ++s) {
      if (s != v1::PLACED && pick(3) == 0) continue;  // feeds skip statuses
      g.events.push_back(ev.Order(ot, id, static_cast<v1::OrderStatus>(s)));
      ot += absl::Hours(1 + pick(48));
    }
    if (pick(5) == 0) g.events.push_back(ev.Order(ot, id, v1::CANCELLED));
  }
  const int disputes = pick(6);
  for (int i = 0; i < disputes; ++i) {
    const std::string id = absl::StrCat("d-", i);
    absl::Time dt = At(2026, 2, 1) + absl::Hours(pick(24 * 30));
    const auto kind = static_cast<v1::DisputeKind>(1 + pick(6));
    g.events.push_back(ev.DisputeOpened(
        dt, id, kind, pick(2) ? dt + absl::Hours(72) : absl::InfinitePast()));
    for (int m = pick(3); m > 0; --m) {
      dt += absl::Hours(1 + pick(10));
      g.events.push_back(
          ev.DisputeDeadline(dt, id, dt + absl::Hours(pick(100))));
    }
    if (pick(2))
      g.events.push_back(ev.DisputeResponded(dt + absl::Hours(1), id));
    if (pick(3))
      g.events.push_back(ev.DisputeResolved(dt + absl::Hours(5), id));
  }
  const int fees = pick(5);
  for (int i = 0; i < fees; ++i) {
    const std::string id = absl::StrCat("f-", i);
    absl::Time ft = At(2026, 2, 1) + absl::Hours(pick(24 * 30));
    const int64_t amount = 100 + pick(10000);
    g.events.push_back(ev.FeeCharged(
        ft, id, static_cast<v1::FeeCategory>(1 + pick(6)), amount, "USD"));
    const int parts = pick(3);
    for (int p = 0; p < parts; ++p) {
      g.events.push_back(ev.FeePaid(ft + absl::Hours(p + 1), id, amount / 2,
                                    "USD", absl::StrCat("fp-", p)));
    }
  }
  const int deductions = pick(3);
  for (int i = 0; i < deductions; ++i) {
    const std::string id = absl::StrCat("ded-", i);
    absl::Time dt = At(2026, 2, 1) + absl::Hours(pick(24 * 30));
    g.events.push_back(
        ev.Deducted(dt, id, 1000 + pick(5000), "USD", pick(2) == 0));
    if (pick(2)) {
      v1::Event a = ev.Base(dt + absl::Hours(3));
      a.mutable_appeal_filed()->set_deduction_id(id);
      g.events.push_back(a);
      if (pick(2)) {
        v1::Event d = ev.Base(dt + absl::Hours(30));
        d.mutable_appeal_decided()->set_deduction_id(id);
        d.mutable_appeal_decided()->set_reversed(true);
        g.events.push_back(d);
      }
    }
    if (pick(2)) {
      g.events.push_back(ev.TopUp(dt + absl::Hours(50), absl::StrCat("top-", i),
                                  2000, "USD", "bank", "A"));
    }
  }
  if (pick(3))
    g.events.push_back(ev.Closed(At(2026, 3, 15) + absl::Hours(pick(24 * 20))));
  std::stable_sort(g.events.begin(), g.events.end(),
                   [](const v1::Event& a, const v1::Event& b) {
                     return std::make_pair(a.occurred_at().seconds(),
                                           a.occurred_at().nanos()) <
                            std::make_pair(b.occurred_at().seconds(),
                                           b.occurred_at().nanos());
                   });
  return g;
}

std::string Fingerprint(const ShopState& shop, const ResolvedProfile& profile,
                        absl::Time as_of) {
  v1::ReadinessReport r = shop.Evaluate(as_of, profile);
  r.clear_events_applied();  // counts applied events, not facts
  std::string out = r.SerializeAsString();
  RiskWatchers watchers;
  const WatchResult w = watchers.CheckAll(shop, profile, as_of);
  for (const v1::Finding& f : w.findings) {
    // Maps serialize in unspecified order; compare a canonical form.
    v1::Finding copy = f;
    copy.clear_evidence();
    out += copy.SerializeAsString();
    std::map<std::string, std::string> evidence(f.evidence().begin(),
                                                f.evidence().end());
    for (const auto& [k, v] : evidence) out += k + "=" + v + ";";
  }
  out += absl::FormatTime(w.next_check);
  return out;
}

TEST(ShopStateProperty, AnyPermutationWithDuplicatesGivesSortedReadiness) {
  auto registry = testing::BuiltIns();
  const ResolvedProfile* profile = *registry->Resolve("t1", "s1", "generic");
  const std::vector<absl::Time> as_ofs = {At(2026, 2, 15), At(2026, 3, 20),
                                          At(2026, 4, 10), At(2026, 6, 1)};
  for (uint32_t seed = 1; seed <= 200; ++seed) {
    SCOPED_TRACE(seed);
    const Generated g = GenerateHistory(seed);
    ShopState sorted("t1", "s1");
    for (const auto& e : g.events) {
      absl::Status s = sorted.Apply(e, *profile);
      ASSERT_TRUE(s.ok()) << s << e.DebugString();
    }
    std::mt19937 rng(seed * 7919);
    for (int round = 0; round < 3; ++round) {
      std::vector<v1::Event> shuffled = g.events;
      const size_t dups = 1 + rng() % (shuffled.size() / 2 + 1);
      for (size_t i = 0; i < dups; ++i)
        shuffled.push_back(shuffled[rng() % g.events.size()]);
      std::shuffle(shuffled.begin(), shuffled.end(), rng);
      ShopState shop("t1", "s1");
      for (const auto& e : shuffled) {
        absl::Status s = shop.Apply(e, *profile);
        ASSERT_TRUE(s.ok()) << s << e.DebugString();
      }
      for (absl::Time as_of : as_ofs) {
        ASSERT_EQ(Fingerprint(shop, *profile, as_of),
                  Fingerprint(sorted, *profile, as_of))
            << "as_of " << absl::FormatTime(as_of);
      }
    }
  }
}

// --- derived facts (DerivedFacts: kept by Apply, rebuilt by Parse)
// ---------------------------------------------------------------------------

// A random ledger-heavy history over a few ids of each kind, so that events
// repeat, arrive before what they refer to, move facts back and forth and
// contradict each other (rejected events must leave the facts alone).
// `huge`: amounts of 10^15, so that sums pass kMaxMoneyTotal.
std::vector<v1::Event> RandomLedger(uint32_t seed, int n, bool huge) {
  std::mt19937 rng(seed);
  auto pick = [&](int k) { return static_cast<int>(rng() % k); };
  Events ev;
  const char* currencies[] = {"USD", "USD", "USD", "CNY"};
  auto cur = [&] { return std::string(currencies[pick(4)]); };
  auto amount = [&]() -> int64_t {
    return huge && pick(2) ? kMaxMinorUnits : 1 + pick(20000);
  };
  auto when = [&] { return At(2026, 2, 1) + absl::Hours(pick(24 * 40)); };
  auto kind = [&] { return static_cast<v1::DepositKind>(1 + pick(3)); };
  auto id = [&](const char* prefix, int k) {
    return absl::StrCat(prefix, pick(k));
  };
  std::vector<v1::Event> out;
  for (int i = 0; i < n; ++i) {
    const absl::Time t = when();
    switch (pick(19)) {
      case 0:
        out.push_back(ev.Paid(t, id("p", 6), amount(), cur(),
                              pick(2) ? "bank" : "paypal", pick(2) ? "A" : "B",
                              kind()));
        break;
      case 1:
        out.push_back(ev.TopUp(t, id("t", 8), amount(), cur(),
                               pick(2) ? "bank" : "paypal", "A", kind()));
        break;
      case 2:
        out.push_back(
            ev.Deducted(t, id("x", 6), amount(), cur(), pick(2), kind()));
        break;
      case 3: {
        v1::Event e = ev.Base(t);
        e.mutable_appeal_filed()->set_deduction_id(id("x", 6));
        out.push_back(e);
        break;
      }
      case 4: {
        v1::Event e = ev.Base(t);
        auto* b = e.mutable_appeal_decided();
        b->set_deduction_id(id("x", 6));
        b->set_reversed(pick(3) != 0);
        if (pick(2)) *b->mutable_amount_returned() = Money(amount(), cur());
        out.push_back(e);
        break;
      }
      case 5: {
        v1::Event e = ev.Base(t);
        *e.mutable_refund_paid()->mutable_amount() = Money(amount(), cur());
        e.mutable_refund_paid()->set_refund_id(id("r", 3));
        out.push_back(e);
        break;
      }
      case 6: {
        v1::Event e = ev.Base(t);
        e.mutable_refund_requested()->set_refund_id(id("r", 3));
        out.push_back(e);
        break;
      }
      case 7:
        out.push_back(ev.FeeCharged(t, id("f", 6),
                                    static_cast<v1::FeeCategory>(1 + pick(6)),
                                    amount(), cur()));
        break;
      case 8:
        out.push_back(
            ev.FeePaid(t, id("f", 6), 1 + pick(15000), cur(), id("fp", 4)));
        break;
      case 9: {
        v1::Event e = ev.Base(t);
        e.mutable_fee_waived()->set_fee_id(id("f", 6));
        out.push_back(e);
        break;
      }
      case 10:
        out.push_back(ev.DisputeOpened(
            t, id("d", 6), static_cast<v1::DisputeKind>(1 + pick(6)),
            pick(2) ? t + absl::Hours(pick(100)) : absl::InfinitePast()));
        break;
      case 11:
        out.push_back(
            ev.DisputeDeadline(t, id("d", 6), t + absl::Hours(pick(100))));
        break;
      case 12:
        out.push_back(ev.DisputeResponded(t, id("d", 6)));
        break;
      case 13:
        out.push_back(ev.DisputeResolved(t, id("d", 6)));
        break;
      case 14:
        out.push_back(ev.RefundAccount(t, pick(2) ? "bank" : "paypal",
                                       pick(2) ? "A" : "B", cur()));
        break;
      case 15: {
        v1::Event e = ev.Base(t);
        e.mutable_deposit_requirement_set()->set_kind(kind());
        *e.mutable_deposit_requirement_set()->mutable_required() =
            Money(amount(), cur());
        out.push_back(e);
        break;
      }
      case 16:
        out.push_back(ev.Registered(t, "tiktok_shop_cross_border",
                                    pick(2) ? "US" : "SEA"));
        break;
      case 17:
        out.push_back(ev.Order(t, id("o", 10),
                               static_cast<v1::OrderStatus>(1 + pick(7))));
        break;
      default:
        // Replays an earlier event: duplicates are no-ops.
        if (!out.empty()) out.push_back(out[pick(out.size())]);
        break;
    }
  }
  return out;
}

// Every derived fact of `shop` equals its definition over the records.
void ExpectDerivedFactsMatchRecords(const ShopState& shop,
                                    const ResolvedProfile& profile) {
  const ShopStateInternals& in = ShopStateTestPeer::internals(shop);
  const DerivedFacts& d = in.derived;
  for (bool after_refunds : {false, true}) {
    EXPECT_EQ(Balance(in, after_refunds), BalanceFromRecords(in, after_refunds))
        << "after_refunds " << after_refunds;
  }
  EXPECT_EQ(Required(in, profile.settings),
            RequiredFromRecords(in, profile.settings));
  {
    const CurrencyAmounts have = BalanceFromRecords(in, false);
    bool short_somewhere = false;
    for (const auto& [cur, need] : RequiredFromRecords(in, profile.settings)) {
      auto it = have.find(cur);
      short_somewhere |= (it == have.end() ? 0 : it->second) < need;
    }
    // True only when nothing is short (false may also mean "not exact").
    if (BalanceCoversRequired(in, profile.settings)) {
      EXPECT_FALSE(short_somewhere);
    } else if (!short_somewhere) {
      bool exact = true;
      for (const auto& c : in.derived.ledger) exact &= c.held.exact();
      for (const auto& k : in.derived.deposits) exact &= k.paid.exact();
      EXPECT_FALSE(exact) << "covered, exact, and still reported short";
    }
  }
  absl::btree_set<std::pair<int64_t, std::string>> unpaid;
  for (const auto& [id, f] : in.fees) {
    if (FeeOutstanding(f) > 0) {
      unpaid.emplace(f.due_at() != 0 ? f.due_at() : f.charged_at(), id);
    }
  }
  EXPECT_EQ(d.open_items().unpaid_fees, unpaid);
  absl::btree_map<std::string, DisputeDeadlineFacts> awaiting;
  for (const auto& [id, x] : in.disputes) {
    if (DisputeOpen(x) && x.responded_at() == 0) {
      awaiting[id] = DeadlineFactsOf(x);
    }
  }
  EXPECT_TRUE(d.open_items().awaiting_response == awaiting);
  absl::btree_map<std::string, AppealDeadlineFacts> appealable;
  for (const auto& [id, x] : in.deductions) {
    if (x.known() && x.appeal_filed_at() == 0 && !x.decided()) {
      appealable[id] = DeadlineFactsOf(x);
    }
  }
  EXPECT_TRUE(d.open_items().appealable == appealable);
  EXPECT_EQ(d.open != nullptr, !d.open_items().empty()) << "trimmed";
  std::vector<std::string> mismatches;
  for (const auto& [id, p] : in.payments) {
    if (in.refund_account_set_at == 0 || p.channel() != in.refund_channel ||
        p.account() != in.refund_account ||
        p.currency() != in.refund_currency) {
      mismatches.push_back(id);
    }
  }
  EXPECT_EQ(AccountMismatches(in), mismatches);
  // The running sums equal sums taken from scratch.
  const DerivedFacts fresh = DeriveFacts(in);
  ASSERT_EQ(d.ledger.size(), fresh.ledger.size());
  for (size_t i = 0; i < d.ledger.size(); ++i) {
    SCOPED_TRACE(d.ledger[i].currency);
    EXPECT_EQ(d.ledger[i].currency, fresh.ledger[i].currency);
    for (auto [a, b] :
         {std::make_pair(&d.ledger[i].held, &fresh.ledger[i].held),
          std::make_pair(&d.ledger[i].refunded, &fresh.ledger[i].refunded)}) {
      EXPECT_EQ(a->terms(), b->terms());
      EXPECT_EQ(a->exact(), b->exact());
      if (a->exact()) EXPECT_EQ(a->value(), b->value());
    }
  }
  ASSERT_EQ(d.deposits.size(), fresh.deposits.size());
  for (size_t i = 0; i < d.deposits.size(); ++i) {
    EXPECT_EQ(d.deposits[i].kind, fresh.deposits[i].kind);
    EXPECT_EQ(d.deposits[i].currency, fresh.deposits[i].currency);
    EXPECT_EQ(d.deposits[i].paid.terms(), fresh.deposits[i].paid.terms());
    if (d.deposits[i].paid.exact()) {
      EXPECT_EQ(d.deposits[i].paid.value(), fresh.deposits[i].paid.value());
    }
  }
  EXPECT_EQ(d.payments_on_refund_path, fresh.payments_on_refund_path);
}

TEST(ShopStateDerivedFacts, EqualTheRecordsAfterEveryEventAndAfterParse) {
  auto registry = testing::BuiltIns();
  struct Case {
    const char* name;
    const char* profile;
    int events;
    bool huge;  // amounts of 10^15: sums pass kMaxMoneyTotal
    uint32_t seeds;
  };
  const Case cases[] = {
      {"small amounts, generic", "generic", 300, false, 60},
      {"small amounts, site minimums", "tiktok_shop_cross_border", 300, false,
       60},
      {"amounts of 10^15", "tiktok_shop_cross_border", 1500, true, 4},
  };
  for (const Case& c : cases) {
    const ResolvedProfile* profile = *registry->Resolve("t1", "s1", c.profile);
    for (uint32_t seed = 1; seed <= c.seeds; ++seed) {
      SCOPED_TRACE(absl::StrCat(c.name, ", seed ", seed));
      ShopState shop("t1", "s1");
      int applied = 0, rejected = 0;
      for (const v1::Event& e : RandomLedger(seed, c.events, c.huge)) {
        (shop.Apply(e, *profile).ok() ? applied : rejected)++;
        ExpectDerivedFactsMatchRecords(shop, *profile);
        if (::testing::Test::HasFailure()) {
          FAIL() << "after " << e.DebugString();
        }
      }
      EXPECT_GT(applied, c.events / 4);
      absl::StatusOr<ShopState> parsed = ShopState::Parse(shop.Serialize());
      ASSERT_TRUE(parsed.ok()) << parsed.status();
      ExpectDerivedFactsMatchRecords(*parsed, *profile);
      for (bool after_refunds : {false, true}) {
        EXPECT_EQ(Balance(ShopStateTestPeer::internals(*parsed), after_refunds),
                  Balance(ShopStateTestPeer::internals(shop), after_refunds));
      }
      for (absl::Time as_of :
           {At(2026, 2, 10), At(2026, 3, 5), At(2026, 3, 12)}) {
        EXPECT_EQ(Fingerprint(*parsed, *profile, as_of),
                  Fingerprint(shop, *profile, as_of));
      }
    }
  }
}

// BalanceCoversRequired at the boundaries: deposits are topped up to the
// exact requirement in real feeds, so equal amounts must count as covered
// and one minor unit less as short.
TEST(ShopStateDerivedFacts, BalanceCoversRequiredAtTheBoundaries) {
  auto registry = testing::BuiltIns();
  const ResolvedProfile* tiktok =
      *registry->Resolve("t1", "s1", "tiktok_shop_cross_border");
  struct Case {
    const char* name;
    const char* site;           // "US": a USD 500.00 site minimum
    int64_t deposit;            // USD, BASE
    int64_t deducted;           // USD
    int64_t topped_up;          // USD
    int64_t requirement;        // USD for CATEGORY, 0: none
    int64_t category_paid_cny;  // a CATEGORY deposit in CNY, 0: none
    bool covered;
  };
  const Case cases[] = {
      {"deposit equals the site minimum", "US", 50000, 0, 0, 0, 0, true},
      {"one cent under the site minimum", "US", 49999, 0, 0, 0, 0, false},
      {"deducted, topped up exactly", "", 50000, 1000, 1000, 0, 0, true},
      {"deducted, topped up a cent short", "", 50000, 1000, 999, 0, 0, false},
      {"deducted, topped up a cent over", "", 50000, 1000, 1001, 0, 0, true},
      {"a requirement replaces the amount paid, met", "", 50000, 0, 0, 50000, 0,
       true},
      {"a requirement a cent above the balance", "", 50000, 0, 0, 50001, 0,
       false},
      {"second currency paid, first short", "", 50000, 1, 0, 0, 7000, false},
      {"second currency paid, first covered", "", 50000, 0, 0, 0, 7000, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ShopState shop("t1", "s1");
    Events ev;
    auto apply = [&](const v1::Event& e) {
      absl::Status s = shop.Apply(e, *tiktok);
      ASSERT_TRUE(s.ok()) << s << e.DebugString();
    };
    apply(ev.Registered(At(2026, 1, 1), "tiktok_shop_cross_border", c.site));
    apply(ev.Paid(At(2026, 1, 1), "dep", c.deposit, "USD"));
    if (c.deducted > 0) {
      apply(ev.Deducted(At(2026, 1, 2), "x", c.deducted, "USD"));
    }
    if (c.topped_up > 0) {
      apply(ev.TopUp(At(2026, 1, 3), "t", c.topped_up, "USD"));
    }
    if (c.requirement > 0) {
      v1::Event e = ev.Base(At(2026, 1, 4));
      e.mutable_deposit_requirement_set()->set_kind(v1::BASE);
      *e.mutable_deposit_requirement_set()->mutable_required() =
          Money(c.requirement, "USD");
      apply(e);
    }
    if (c.category_paid_cny > 0) {
      apply(ev.Paid(At(2026, 1, 5), "cat", c.category_paid_cny, "CNY", "bank",
                    "A", v1::CATEGORY));
    }
    EXPECT_EQ(BalanceCoversRequired(ShopStateTestPeer::internals(shop),
                                    tiktok->settings),
              c.covered);
    RiskWatchers watchers;
    bool fired = false;
    for (const v1::Finding& f :
         watchers.CheckAll(shop, *tiktok, At(2026, 1, 6)).findings) {
      fired |= f.key().kind() == v1::BALANCE_SHORT;
    }
    EXPECT_EQ(fired, !c.covered);
    ExpectDerivedFactsMatchRecords(shop, *tiktok);
  }
}

TEST(ShopStateDerivedFacts, SumsPastTheMoneyLimitFallBackToTheRecords) {
  auto registry = testing::BuiltIns();
  const ResolvedProfile* profile = *registry->Resolve("t1", "s1", "generic");
  ShopState shop("t1", "s1");
  Events ev;
  // 1,001 deposit payments of 10^15: the sum saturates at 10^18.
  for (int i = 0; i <= 1000; ++i) {
    ASSERT_TRUE(shop.Apply(ev.Paid(At(2026, 2, 1), absl::StrCat("p", i),
                                   kMaxMinorUnits, "USD"),
                           *profile)
                    .ok());
  }
  const ShopStateInternals& in = ShopStateTestPeer::internals(shop);
  EXPECT_FALSE(in.derived.ledger[0].held.exact());
  EXPECT_EQ(Balance(in, false), (CurrencyAmounts{{"USD", kMaxMoneyTotal}}));
  EXPECT_EQ(Required(in, profile->settings),
            (CurrencyAmounts{{"USD", kMaxMoneyTotal}}));
  // A deduction of 10^15 from the saturated sum gives 10^18 - 10^15, as
  // the saturating sum in record order does, not the exact 10^18.
  ASSERT_TRUE(
      shop.Apply(ev.Deducted(At(2026, 2, 2), "x", kMaxMinorUnits, "USD"),
                 *profile)
          .ok());
  EXPECT_EQ(Balance(in, false),
            (CurrencyAmounts{{"USD", kMaxMoneyTotal - kMaxMinorUnits}}));
  ExpectDerivedFactsMatchRecords(shop, *profile);
}

// --- snapshots
// ---------------------------------------------------------------------

// Paged snapshots (checkpoints): head + pages read back give the same
// state as the one-piece snapshot; only the pages whose orders changed are
// dirty afterwards; pages out of order or damaged are refused.
TEST(ShopStateSnapshot, PagesRoundTripAndOnlyChangedPagesAreDirty) {
  auto registry = testing::BuiltIns();
  const ResolvedProfile* profile = *registry->Resolve("t1", "s1", "generic");
  Events ev;
  ShopState shop("t1", "s1");
  ASSERT_TRUE(
      shop.Apply(ev.Paid(At(2026, 1, 1), "pay-1", 10000, "USD"), *profile)
          .ok());
  const int kOrders = 2 * kOrderPageSlots + 300;  // 3 pages, the last partial
  for (int i = 0; i < kOrders; ++i) {
    ASSERT_TRUE(shop.Apply(ev.Order(At(2026, 2, 1) + absl::Seconds(i),
                                    absl::StrCat("o-", i), v1::PLACED),
                           *profile)
                    .ok());
  }
  // A new shop's pages are all dirty, each once, and then none.
  EXPECT_EQ(shop.TakeDirtyPages(), (std::vector<uint32_t>{0, 1, 2}));
  EXPECT_TRUE(shop.TakeDirtyPages().empty());

  auto reload = [&](const ShopState& from) -> absl::StatusOr<ShopState> {
    absl::StatusOr<ShopState> parsed = ShopState::Parse(from.SerializeHead());
    if (!parsed.ok()) return parsed.status();
    for (uint32_t p = 0; p < ShopStateTestPeer::order_pages_expected(*parsed);
         ++p) {
      absl::Status s = ShopStateTestPeer::AddOrderPage(
          *parsed, p, from.SerializeOrderPage(p));
      if (!s.ok()) return s;
    }
    parsed->ForgetDirtyPages();
    return parsed;
  };
  absl::StatusOr<ShopState> parsed = reload(shop);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(ShopStateTestPeer::order_pages_expected(*parsed), 3u);
  EXPECT_EQ(parsed->Serialize(), shop.Serialize());
  EXPECT_TRUE(parsed->TakeDirtyPages().empty());
  for (absl::Time as_of : {At(2026, 2, 2), At(2026, 6, 1)}) {
    EXPECT_EQ(parsed->Evaluate(as_of, *profile).SerializeAsString(),
              shop.Evaluate(as_of, *profile).SerializeAsString());
  }

  // Shipping an order of page 1 and adding one order dirties pages 1 and 2.
  for (ShopState* s : {&shop, &*parsed}) {
    Events more("t1", "s1");
    ASSERT_TRUE(s->Apply(more.Order(At(2026, 3, 1),
                                    absl::StrCat("o-", kOrderPageSlots + 5),
                                    v1::SHIPPED),
                         *profile)
                    .ok());
    ASSERT_TRUE(
        s->Apply(more.Order(At(2026, 3, 2), "o-new", v1::PLACED), *profile)
            .ok());
  }
  EXPECT_EQ(parsed->TakeDirtyPages(), (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(parsed->Serialize(), shop.Serialize());

  // An unpaged snapshot (older checkpoints) reads with every page dirty, so
  // the next checkpoint writes them all.
  absl::StatusOr<ShopState> whole = ShopState::Parse(shop.Serialize());
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_EQ(ShopStateTestPeer::order_pages_expected(*whole), 0u);
  EXPECT_EQ(whole->TakeDirtyPages(), (std::vector<uint32_t>{0, 1, 2}));

  // Refused: a page out of order, a damaged page, a page too many.
  absl::StatusOr<ShopState> head = ShopState::Parse(shop.SerializeHead());
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(
      ShopStateTestPeer::AddOrderPage(*head, 1, shop.SerializeOrderPage(1))
          .code(),
      absl::StatusCode::kDataLoss);
  EXPECT_EQ(
      ShopStateTestPeer::AddOrderPage(*head, 0, "\xff\xff garbage").code(),
      absl::StatusCode::kDataLoss);
  for (uint32_t p = 0; p < 3; ++p) {
    ASSERT_TRUE(
        ShopStateTestPeer::AddOrderPage(*head, p, shop.SerializeOrderPage(p))
            .ok());
  }
  EXPECT_EQ(
      ShopStateTestPeer::AddOrderPage(*head, 3, shop.SerializeOrderPage(2))
          .code(),
      absl::StatusCode::kDataLoss);
}

// Records (payments, deductions, refunds, fees, disputes) stay in the head
// of a small shop and move to record pages past kRecordsInHead; a change to
// one old record then dirties only its page.
TEST(ShopStateSnapshot,
     RecordPagesHoldABigShopsRecordsAndOnlyChangedOnesAreDirty) {
  auto registry = testing::BuiltIns();
  const ResolvedProfile* profile = *registry->Resolve("t1", "s1", "generic");
  Events ev;
  ShopState shop("t1", "s1");
  const absl::Time t0 = At(2026, 1, 1);
  auto charge = [&](int i) {
    ASSERT_TRUE(
        shop.Apply(ev.FeeCharged(t0 + absl::Minutes(i), absl::StrCat("f-", i),
                                 v1::TECHNICAL_SERVICE, 100, "USD"),
                   *profile)
            .ok());
  };
  for (int i = 0; i < 10; ++i) charge(i);
  EXPECT_EQ(ShopStateTestPeer::record_pages(shop), 0u);
  EXPECT_TRUE(shop.TakeDirtyPages().empty());
  store::v1::ShopSnapshot snap;
  ASSERT_TRUE(snap.ParseFromString(shop.SerializeHead()));
  EXPECT_EQ(snap.fees_size(), 10);
  EXPECT_EQ(snap.record_pages(), 0u);

  const int kFees = 2 * kRecordPageSlots + 44;  // 3 pages, the last partial
  for (int i = 10; i < kFees; ++i) charge(i);
  EXPECT_EQ(ShopStateTestPeer::record_pages(shop), 3u);
  EXPECT_EQ(shop.TakeDirtyPages(),
            (std::vector<uint32_t>{kRecordPageBase, kRecordPageBase + 1,
                                   kRecordPageBase + 2}));
  ASSERT_TRUE(snap.ParseFromString(shop.SerializeHead()));
  EXPECT_EQ(snap.fees_size(), 0);
  EXPECT_EQ(snap.record_pages(), 3u);

  std::map<uint32_t, std::string> disk;
  for (uint32_t p : shop.Pages()) disk[p] = shop.SerializePage(p);
  auto reload = [&](const std::string& head) -> absl::StatusOr<ShopState> {
    absl::StatusOr<ShopState> parsed = ShopState::Parse(head);
    if (!parsed.ok()) return parsed.status();
    for (uint32_t i = 0; i < parsed->pages_expected(); ++i) {
      const uint32_t p = parsed->PageAt(i);
      auto it = disk.find(p);
      if (it == disk.end()) return absl::NotFoundError(absl::StrCat(p));
      if (absl::Status s = parsed->CheckPage(p, it->second); !s.ok()) return s;
      if (absl::Status s = parsed->AddPage(p, it->second); !s.ok()) return s;
    }
    parsed->ForgetDirtyPages();
    return parsed;
  };
  absl::StatusOr<ShopState> back = reload(shop.SerializeHead());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->Serialize(), shop.Serialize());
  EXPECT_TRUE(back->TakeDirtyPages().empty());
  for (absl::Time as_of : {At(2026, 1, 2), At(2026, 6, 1)}) {
    EXPECT_EQ(back->Evaluate(as_of, *profile).SerializeAsString(),
              shop.Evaluate(as_of, *profile).SerializeAsString());
  }

  // Paying fee f-0 (slot 0: the records held when paging started are
  // slotted in id order) dirties page 0 alone, in both.
  for (ShopState* s : {&shop, &*back}) {
    Events more;
    ASSERT_TRUE(
        s->Apply(more.FeePaid(At(2026, 2, 1), "f-0", 100, "USD"), *profile)
            .ok());
    EXPECT_EQ(s->TakeDirtyPages(), (std::vector<uint32_t>{kRecordPageBase}));
  }
  disk[kRecordPageBase] = shop.SerializePage(kRecordPageBase);
  absl::StatusOr<ShopState> again = reload(shop.SerializeHead());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->Serialize(), shop.Serialize());
  EXPECT_EQ(back->Serialize(), shop.Serialize());

  // An unpaged snapshot of this shop (older checkpoints) reads with its
  // records slotted and every record page dirty.
  absl::StatusOr<ShopState> whole = ShopState::Parse(shop.Serialize());
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_EQ(ShopStateTestPeer::record_pages(*whole), 3u);
  EXPECT_EQ(whole->TakeDirtyPages(),
            (std::vector<uint32_t>{kRecordPageBase, kRecordPageBase + 1,
                                   kRecordPageBase + 2}));
  EXPECT_EQ(whole->Serialize(), shop.Serialize());
}

// Rounds of random events on records of every kind (new ones and changes to
// old ones) and orders, with a store that keeps only the head and what each
// round's TakeDirtyPages wrote: it always reads back to the live state, so
// no change to a record is missed.
TEST(ShopStateSnapshot, PagedCheckpointsKeepEveryChangeOverRandomRounds) {
  auto registry = testing::BuiltIns();
  const ResolvedProfile* profile = *registry->Resolve("t1", "s1", "generic");
  Events ev;
  ShopState shop("t1", "s1");
  std::mt19937_64 rng(20261122);
  absl::Time t = At(2026, 1, 1);
  ASSERT_TRUE(shop.Apply(ev.Paid(t, "pay-0", 100000000, "USD"), *profile).ok());
  std::vector<std::string> fees, disputes, deductions, refunds, orders;
  auto pick = [&](const std::vector<std::string>& ids) -> const std::string* {
    return ids.empty() ? nullptr : &ids[rng() % ids.size()];
  };
  std::map<uint32_t, std::string> disk;
  std::string head;
  int applied = 0;
  // Small rounds (a few events each), so that a page holding a record
  // whose change went unmarked is seldom written anyway.
  for (int round = 0; round < 400; ++round) {
    for (int k = 0; k < 6; ++k) {
      t += absl::Minutes(1);
      std::optional<v1::Event> e;
      const std::string n = absl::StrCat(round, "-", k);
      switch (rng() % 13) {
        case 0:
        case 1:
          fees.push_back("f-" + n);
          e = ev.FeeCharged(t, fees.back(), v1::TECHNICAL_SERVICE, 100, "USD");
          break;
        case 2:
          if (auto* id = pick(fees)) e = ev.FeePaid(t, *id, 100, "USD");
          break;
        case 3:
          if (auto* id = pick(fees)) {
            e = ev.Base(t);
            e->mutable_fee_waived()->set_fee_id(*id);
          }
          break;
        case 4:
          disputes.push_back("d-" + n);
          e = ev.DisputeOpened(t, disputes.back(), v1::NOT_RECEIVED);
          break;
        case 5:
          if (auto* id = pick(disputes)) e = ev.DisputeResponded(t, *id);
          break;
        case 6:
          if (auto* id = pick(disputes)) e = ev.DisputeResolved(t, *id);
          break;
        case 7:
          if (auto* id = pick(disputes)) {
            e = ev.DisputeDeadline(t, *id, t + absl::Hours(72));
          }
          break;
        case 8:
          deductions.push_back("x-" + n);
          e = ev.Deducted(t, deductions.back(), 50, "USD");
          break;
        case 9:
          if (auto* id = pick(deductions)) {
            e = ev.Base(t);
            e->mutable_appeal_filed()->set_deduction_id(*id);
          }
          break;
        case 10:
          e = ev.TopUp(t, "top-" + n, 1000, "USD");
          break;
        case 11:
          refunds.push_back("r-" + n);
          e = ev.Base(t);
          e->mutable_refund_requested()->set_refund_id(refunds.back());
          *e->mutable_refund_requested()->mutable_amount() = Money(10, "USD");
          break;
        case 12:
          orders.push_back("o-" + n);
          e = ev.Order(t, orders.back(), v1::PLACED);
          break;
      }
      if (e.has_value() && shop.Apply(*e, *profile).ok()) ++applied;
    }
    for (uint32_t p : shop.TakeDirtyPages()) disk[p] = shop.SerializePage(p);
    head = shop.SerializeHead();

    absl::StatusOr<ShopState> back = ShopState::Parse(head);
    ASSERT_TRUE(back.ok()) << back.status();
    for (uint32_t i = 0; i < back->pages_expected(); ++i) {
      const uint32_t p = back->PageAt(i);
      ASSERT_TRUE(disk.count(p)) << "round " << round << ": page " << p;
      ASSERT_TRUE(back->AddPage(p, disk[p]).ok()) << "round " << round;
    }
    ASSERT_EQ(back->Serialize(), shop.Serialize()) << "round " << round;
    EXPECT_EQ(back->Evaluate(t, *profile).SerializeAsString(),
              shop.Evaluate(t, *profile).SerializeAsString())
        << "round " << round;
  }
  EXPECT_GT(applied, 1500);
  EXPECT_GT(ShopStateTestPeer::record_pages(shop), 3u);
}

// CheckPage (start-up of a shop kept packed) refuses what AddPage refuses
// of a record page, but a duplicate id (found only by AddPage).
TEST(ShopStateSnapshot, CheckPageAgreesWithAddPageOnRecordPages) {
  auto registry = testing::BuiltIns();
  const ResolvedProfile* profile = *registry->Resolve("t1", "s1", "generic");
  Events ev;
  ShopState shop("t1", "s1");
  const int kFees = 2 * kRecordPageSlots + 44;  // 3 pages, the last partial
  for (int i = 0; i < kFees; ++i) {
    ASSERT_TRUE(shop.Apply(ev.FeeCharged(At(2026, 1, 1) + absl::Minutes(i),
                                         absl::StrCat("f-", i),
                                         v1::TECHNICAL_SERVICE, 100, "USD"),
                           *profile)
                    .ok());
  }
  const uint32_t r0 = kRecordPageBase;
  auto page_of = [&](uint32_t p) {
    store::v1::RecordPage rp;
    EXPECT_TRUE(rp.ParseFromString(shop.SerializePage(p)));
    return rp;
  };
  store::v1::RecordPage kinds_disagree = page_of(r0 + 2);
  kinds_disagree.add_kinds(kFeeKind);
  store::v1::RecordPage unknown_kind = page_of(r0 + 2);
  unknown_kind.set_kinds(0, 9);
  store::v1::RecordPage duplicate = page_of(r0 + 2);
  duplicate.mutable_fees(0)->set_id("f-0");  // an id of page 0
  struct Case {
    std::string name;
    uint32_t page;
    std::string bytes;
    bool check_ok;
    bool add_ok;
  };
  const std::vector<Case> cases = {
      {"page 0", r0, shop.SerializePage(r0), true, true},
      {"the partial last page", r0 + 2, shop.SerializePage(r0 + 2), true, true},
      {"a page beyond the last", r0 + 3, shop.SerializePage(r0 + 2), false,
       false},
      {"a partial page that is not the last", r0 + 1,
       shop.SerializePage(r0 + 2), false, false},
      {"an empty last page", r0 + 2, "", false, false},
      {"garbage", r0 + 2, "\xff\xff garbage", false, false},
      {"kinds and lists disagree", r0 + 2, kinds_disagree.SerializeAsString(),
       false, false},
      {"an unknown kind", r0 + 2, unknown_kind.SerializeAsString(), false,
       false},
      {"a duplicate id", r0 + 2, duplicate.SerializeAsString(), true, false},
  };
  for (const Case& c : cases) {
    absl::StatusOr<ShopState> head = ShopState::Parse(shop.SerializeHead());
    ASSERT_TRUE(head.ok());
    EXPECT_EQ(head->CheckPage(c.page, c.bytes).ok(), c.check_ok) << c.name;
    for (uint32_t p = r0; p < c.page && p < r0 + 3; ++p) {
      ASSERT_TRUE(head->AddPage(p, shop.SerializePage(p)).ok()) << c.name;
    }
    absl::Status added = head->AddPage(c.page, c.bytes);
    EXPECT_EQ(added.ok(), c.add_ok) << c.name << ": " << added;
    if (!c.add_ok) EXPECT_EQ(added.code(), absl::StatusCode::kDataLoss);
  }
}

// SerializeOrderPage writes OrderColumns by hand: byte for byte what the
// protobuf serializer writes for the same message (ids of up to 128 bytes,
// so one- and two-byte varints; milestones unset, early and late; a partial
// page; a page past the last order).
TEST(ShopStateSnapshot, OrderPagesAreWhatTheProtobufSerializerWrites) {
  auto registry = testing::BuiltIns();
  const ResolvedProfile* profile = *registry->Resolve("t1", "s1", "generic");
  Events ev;
  ShopState shop("t1", "s1");
  const int kOrders = kOrderPageSlots + 300;
  for (int i = 0; i < kOrders; ++i) {
    // Up to the 128-byte limit: a length of 128 is a two-byte varint.
    std::string id = absl::StrCat("o-", i);
    id.resize(std::min<size_t>(128, id.size() + i % 130), 'x');
    ASSERT_TRUE(
        shop.Apply(ev.Order(At(2026, 2, 1) + absl::Seconds(i), id, v1::PLACED),
                   *profile)
            .ok());
    if (i % 3 == 0) {
      ASSERT_TRUE(shop.Apply(ev.Order(At(2030, 5, 1) + absl::Seconds(i), id,
                                      v1::SHIPPED),
                             *profile)
                      .ok());
    }
  }
  for (uint32_t page : {0u, 1u, 2u}) {
    SCOPED_TRACE(page);
    const std::string bytes = shop.SerializeOrderPage(page);
    store::v1::OrderColumns oc;
    ASSERT_TRUE(oc.ParseFromString(bytes));
    EXPECT_EQ(oc.id_lengths_size(), page == 0
                                        ? static_cast<int>(kOrderPageSlots)
                                    : page == 1 ? 300
                                                : 0);
    ASSERT_EQ(oc.milestones_size(), 7);
    EXPECT_EQ(oc.SerializeAsString(), bytes);
  }
}

// CheckOrderPage (start-up of a shop kept packed) refuses what AddOrderPage
// refuses, except a duplicate id, which needs the shop's index.
TEST(ShopStateSnapshot, CheckOrderPageAgreesWithAddOrderPage) {
  auto registry = testing::BuiltIns();
  const ResolvedProfile* profile = *registry->Resolve("t1", "s1", "generic");
  Events ev;
  ShopState shop("t1", "s1");
  const int kOrders = 2 * kOrderPageSlots + 300;  // 3 pages, the last partial
  for (int i = 0; i < kOrders; ++i) {
    ASSERT_TRUE(shop.Apply(ev.Order(At(2026, 2, 1) + absl::Seconds(i),
                                    absl::StrCat("o-", i), v1::PLACED),
                           *profile)
                    .ok());
  }
  auto columns = [&](uint32_t page) {
    store::v1::OrderColumns oc;
    EXPECT_TRUE(oc.ParseFromString(shop.SerializeOrderPage(page)));
    return oc;
  };
  auto damaged = [&](uint32_t page,
                     const std::function<void(store::v1::OrderColumns&)>& f) {
    store::v1::OrderColumns oc = columns(page);
    f(oc);
    return oc.SerializeAsString();
  };
  struct Case {
    const char* name;
    uint32_t page;
    std::string bytes;
    bool check_ok;  // CheckOrderPage
    bool add_ok;    // AddOrderPage after pages 0 .. page-1
  };
  const std::vector<Case> cases = {
      {"page 0", 0, shop.SerializeOrderPage(0), true, true},
      {"page 1", 1, shop.SerializeOrderPage(1), true, true},
      {"the partial last page", 2, shop.SerializeOrderPage(2), true, true},
      {"a page beyond the last", 3, shop.SerializeOrderPage(2), false, false},
      {"bytes that do not parse", 0, "\xff\xff garbage", false, false},
      {"a partial page that is not the last", 1, shop.SerializeOrderPage(2),
       false, false},
      {"an empty last page", 2, "", false, false},
      {"a short milestone column", 2,
       damaged(2,
               [](auto& oc) {
                 oc.mutable_milestones(3)->mutable_at_s()->RemoveLast();
               }),
       false, false},
      {"six milestone columns", 2,
       damaged(2, [](auto& oc) { oc.mutable_milestones()->RemoveLast(); }),
       false, false},
      {"id lengths past the ids", 2,
       damaged(2, [](auto& oc) { oc.set_id_lengths(5, 1000); }), false, false},
      {"a zero id length", 2,
       damaged(2, [](auto& oc) { oc.set_id_lengths(0, 0); }), false, false},
      {"trailing id bytes", 2,
       damaged(2, [](auto& oc) { oc.mutable_ids()->append("xyz"); }), false,
       false},
      // Page 2 repeating an id of page 0: well formed, so only the index
      // finds it.
      {"an id of an earlier page", 2,
       damaged(2,
               [&](auto& oc) {
                 const std::string first =
                     columns(0).ids().substr(0, 3);  // "o-0"
                 std::string ids = oc.ids();
                 const size_t len0 = oc.id_lengths(0);
                 ids.replace(0, len0, first);
                 oc.set_ids(ids);
                 oc.set_id_lengths(0, static_cast<uint32_t>(first.size()));
               }),
       true, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(ShopStateTestPeer::CheckOrderPage(c.page, 3, c.bytes).ok(),
              c.check_ok);
    absl::StatusOr<ShopState> head = ShopState::Parse(shop.SerializeHead());
    ASSERT_TRUE(head.ok());
    for (uint32_t p = 0; p < std::min<uint32_t>(c.page, 3); ++p) {
      ASSERT_TRUE(
          ShopStateTestPeer::AddOrderPage(*head, p, shop.SerializeOrderPage(p))
              .ok());
    }
    absl::Status added =
        ShopStateTestPeer::AddOrderPage(*head, c.page, c.bytes);
    EXPECT_EQ(added.ok(), c.add_ok) << added;
    if (!c.add_ok) EXPECT_EQ(added.code(), absl::StatusCode::kDataLoss);
    if (!c.check_ok) {
      EXPECT_EQ(ShopStateTestPeer::CheckOrderPage(c.page, 3, c.bytes).code(),
                absl::StatusCode::kDataLoss);
    }
  }
}

TEST(ShopStateSnapshot, RoundTripWithManyOrdersGivesIdenticalEvaluate) {
  auto registry = testing::BuiltIns();
  const ResolvedProfile* profile =
      *registry->Resolve("t1", "s1", "tiktok_shop_cross_border");
  Events ev;
  ShopState shop("t1", "s1");
  const Generated g = GenerateHistory(42);
  for (const auto& e : g.events) ASSERT_TRUE(shop.Apply(e, *profile).ok());
  for (int i = 0; i < 200000; ++i) {
    const auto status = static_cast<v1::OrderStatus>(1 + i % 7);
    ASSERT_TRUE(shop.Apply(ev.Order(At(2026, 3, 1) + absl::Seconds(i * 13),
                                    absl::StrCat("bulk-", i), status),
                           *profile)
                    .ok());
  }
  const std::string bytes = shop.Serialize();
  EXPECT_LT(bytes.size(), 200000u * 40);  // compact: well under 40 bytes/order
  absl::StatusOr<ShopState> parsed = ShopState::Parse(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->tenant(), "t1");
  EXPECT_EQ(parsed->Serialize(), bytes);
  for (absl::Time as_of : {At(2026, 3, 1), At(2026, 3, 20), At(2026, 5, 1)}) {
    EXPECT_EQ(parsed->Evaluate(as_of, *profile).SerializeAsString(),
              shop.Evaluate(as_of, *profile).SerializeAsString());
    EXPECT_EQ(parsed->Explain(as_of, *profile).SerializeAsString(),
              shop.Explain(as_of, *profile).SerializeAsString());
  }
  EXPECT_GT(shop.ApproximateBytes(), 200000u * 16);
  // The parsed state keeps working.
  ASSERT_TRUE(
      parsed->Apply(ev.Order(At(2026, 5, 1), "bulk-0", v1::DELIVERED), *profile)
          .ok());
}

TEST(ShopStateSnapshot, CorruptInputIsDataLoss) {
  EXPECT_EQ(ShopState::Parse("\xff\xff\xff garbage").status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(ShopState::Parse("").status().code(),
            absl::StatusCode::kDataLoss);  // version 0
}

TEST(ShopStateExplain, NamesTheFactsBehindEachBlocker) {
  auto registry = testing::BuiltIns();
  const ResolvedProfile* profile = *registry->Resolve("t1", "s1", "generic");
  Events ev;
  ShopState shop("t1", "s1");
  ASSERT_TRUE(shop.Apply(ev.FeeCharged(At(2026, 3, 1), "f-1",
                                       v1::ADS_SETTLEMENT, 3500, "USD"),
                         *profile)
                  .ok());
  ASSERT_TRUE(
      shop.Apply(ev.Order(At(2026, 3, 1), "o-1", v1::SHIPPED), *profile).ok());
  const v1::ExplainResponse x = shop.Explain(At(2026, 3, 2), *profile);
  bool fee = false, order = false;
  for (const auto& e : x.explanations()) {
    for (const auto& ref : e.events()) {
      fee |= ref.subject() == "f-1" && ref.event_id() == "e1";
      order |= ref.subject() == "o-1" && ref.type() == "order_status_changed";
    }
  }
  EXPECT_TRUE(fee);
  EXPECT_TRUE(order);
}

}  // namespace

}  // namespace depositd::watchers
