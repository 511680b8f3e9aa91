#include "watchers/projection.h"

#include "gtest/gtest.h"
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

TEST(ProjectRefund, AnchoredAtTheRefundApplication) {
  auto reg = testing::BuiltIns();
  const ResolvedProfile* p =
      *reg->Resolve("t1", "s1", "temu");  // 30 natural days
  testing::Events ev;
  ShopState shop("t1", "s1");
  ASSERT_TRUE(shop.Apply(ev.Closed(At(2026, 3, 1)), *p).ok());
  v1::Event req = ev.Base(At(2026, 3, 5));
  req.mutable_refund_requested()->set_refund_id("r");
  ASSERT_TRUE(shop.Apply(req, *p).ok());
  // Evaluated weeks later, review still counts from the application.
  const v1::RefundProjection proj = ProjectRefund(shop, *p, At(2026, 3, 20));
  EXPECT_EQ(proj.ready_at().seconds(), absl::ToUnixSeconds(At(2026, 3, 5)));
  EXPECT_EQ(proj.review_done_at().seconds(),
            absl::ToUnixSeconds(At(2026, 4, 4)));
}

}  // namespace
}  // namespace depositd::watchers
