// The projected refund date of a closed shop (domain.md §4): when review can
// start, when it ends on the business calendar, the batch run that picks the
// refund up, and payout transit. Used by ShopState::Evaluate and the
// REFUND_OVERDUE watcher.
#ifndef DEPOSITD_WATCHERS_PROJECTION_H_
#define DEPOSITD_WATCHERS_PROJECTION_H_

#include "absl/time/time.h"
#include "depositd/v1/readiness.pb.h"
#include "watchers/profiles.h"
#include "watchers/shop_state.h"

namespace depositd::watchers {

// Projection as seen at `as_of`: review starts at the latest of the closure
// waiting period's end, the last open return window's end, and the anchor,
// where the anchor is the pending refund application's time when the shop
// has applied (REFUND_APPLIED), else `as_of`. Then review (working or
// natural days), +manual_review_extra_working_days with complaint history,
// the monthly batch (a review ending after the batch day waits for next
// month's), payout transit. Steps are written in words. Meaningful only
// for a closed shop; for an open one ready_at counts from `as_of`.
v1::RefundProjection ProjectRefund(const ShopState& shop,
                                   const ResolvedProfile& profile,
                                   absl::Time as_of);

// The same projection with an explicit anchor (not replaced by the refund
// application time).
v1::RefundProjection ProjectRefundFrom(const ShopState& shop,
                                       const ResolvedProfile& profile,
                                       absl::Time anchor);

// The next monthly batch run at or after `t` on `day_of_month` (1..28), at
// t's local time of day in `zone`: t itself when t falls on the batch day,
// this month's when t is before it, else next month's.
absl::Time NextBatchRun(absl::Time t, int day_of_month,
                        const absl::TimeZone& zone);

}  // namespace depositd::watchers

#endif  // DEPOSITD_WATCHERS_PROJECTION_H_
