#include "watchers/projection.h"

#include "gtest/gtest.h"
#include "watchers/derived_facts.h"
#include "watchers/shop_state_test_peer.h"
#include "watchers/test_events.h"

namespace depositd::watchers {
namespace {

using testing::At;

TEST(NextBatchRun, BeforeOnAndAfterTheBatchDay) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  struct Case {
    absl::Time t;
    int day;
    absl::Time want;
  } cases[] = {
      {At(2026, 4, 10, 9), 15, At(2026, 4, 15, 9)},   // before: this month
      {At(2026, 4, 15, 9), 15, At(2026, 4, 15, 9)},   // on the day
      {At(2026, 4, 16, 9), 15, At(2026, 5, 15, 9)},   // after: next month
      {At(2026, 12, 20, 9), 15, At(2027, 1, 15, 9)},  // year end
      {At(2026, 1, 31, 9), 28, At(2026, 2, 28, 9)},   // month end into February
      {At(2026, 2, 28, 9), 1, At(2026, 3, 1, 9)},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(NextBatchRun(c.t, c.day, utc), c.want) << absl::FormatTime(c.t);
  }
}

TEST(NextBatchRun, CountsInTheCalendarZone) {
  absl::TimeZone cn;
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Shanghai", &cn));
  // 2026-04-15 23:30 Beijing is 15:30 UTC on the 15th; 2026-04-16 00:30
  // Beijing is still the 15th in UTC but the 16th in Beijing: next month.
  EXPECT_EQ(NextBatchRun(At(2026, 4, 15, 23, 30, "Asia/Shanghai"), 15, cn),
            At(2026, 4, 15, 23, 30, "Asia/Shanghai"));
  EXPECT_EQ(NextBatchRun(At(2026, 4, 16, 0, 30, "Asia/Shanghai"), 15, cn),
            At(2026, 5, 15, 0, 30, "Asia/Shanghai"));
}

// Issue 13 point 2: Temu's review counts from when every condition holds
// (the closure, 03-01), not from the refund application (03-05) nor from
// the time of asking; the old anchor at the application was this test's
// previous expectation (ready 03-05, review 04-04).
TEST(ProjectRefund, TemuReviewCountsFromReadyNotFromTheApplication) {
  auto reg = testing::BuiltIns();
  const ResolvedProfile* p =
      *reg->Resolve("t1", "s1", "temu");  // 30 natural days
  testing::Events ev;
  ShopState shop("t1", "s1");
  ASSERT_TRUE(shop.Apply(ev.Closed(At(2026, 3, 1)), *p).ok());
  v1::Event req = ev.Base(At(2026, 3, 5));
  req.mutable_refund_requested()->set_refund_id("r");
  ASSERT_TRUE(shop.Apply(req, *p).ok());
  for (absl::Time asked : {At(2026, 3, 5), At(2026, 3, 20), At(2026, 5, 1)}) {
    const v1::RefundProjection proj =
        ProjectRefund(ProjectionFactsOf(ShopStateTestPeer::internals(shop)), *p,
                      asked, /*action_blockers_remain=*/false);
    EXPECT_FALSE(proj.conditional());
    EXPECT_EQ(proj.ready_at().seconds(), absl::ToUnixSeconds(At(2026, 3, 1)));
    EXPECT_EQ(proj.review_done_at().seconds(),
              absl::ToUnixSeconds(At(2026, 3, 31)));
  }
  // With blockers needing an action: conditional, counted from as_of.
  const v1::RefundProjection cond =
      ProjectRefund(ProjectionFactsOf(ShopStateTestPeer::internals(shop)), *p,
                    At(2026, 3, 20), /*action_blockers_remain=*/true);
  EXPECT_TRUE(cond.conditional());
  EXPECT_EQ(cond.ready_at().seconds(), absl::ToUnixSeconds(At(2026, 3, 20)));
  EXPECT_EQ(cond.review_done_at().seconds(),
            absl::ToUnixSeconds(At(2026, 4, 19)));
}

}  // namespace
}  // namespace depositd::watchers
