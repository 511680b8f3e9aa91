// The projected refund date of a closed shop (domain.md §4): when review can
// start, when it ends on the business calendar, the batch run that picks the
// refund up, and payout transit. Used by ShopState::Evaluate and the
// REFUND_OVERDUE watcher (through the report). Reads the shop only through
// ProjectionFacts, so it does not depend on ShopState.
#ifndef DEPOSITD_WATCHERS_PROJECTION_H_
#define DEPOSITD_WATCHERS_PROJECTION_H_

#include <cstdint>

#include "absl/time/time.h"
#include "depositd/v1/readiness.pb.h"
#include "watchers/profiles.h"

namespace depositd::watchers {

// What the projection reads of a shop, all facts of the shop (none depends
// on the time of asking). ProjectionFactsOf (watchers/derived_facts.h)
// takes them from a shop's state.
struct ProjectionFacts {
  // LastBlockerClearedAt: when the last blocker needing an action cleared
  // (Unix nanos; 0: none).
  int64_t last_blocker_cleared_at = 0;
  // The closure of the current closure episode (Unix nanos; 0: not closed).
  int64_t closed_at = 0;
  // Whether a delivered, not cancelled order exists, and the latest such
  // delivery (Unix seconds).
  bool any_delivered = false;
  int64_t last_delivered_s = 0;
  // The latest refund request of the current closure episode that no later
  // rejection answered (Unix nanos; 0: none pending).
  int64_t pending_refund_request_at = 0;
  // A COMPLAINT dispute was ever opened.
  bool complaint_history = false;
};

// The projection of domain.md §4, a fact about the shop: review starts at
// `ready_at`, the latest of the closure waiting period's end, the last open
// return window's end, and LastBlockerClearedAt (the event time at which
// the last blocker needing an action cleared). None of these depends on
// `as_of`, so asking on two later days without a new event gives the same
// dates. Then review (working or natural days),
// +manual_review_extra_working_days with complaint history, the monthly
// batch (a review ending after the batch day waits for next month's),
// payout transit. Steps are written in words.
//
// Conditional projections (`conditional` set, the dates move with `as_of`):
//   - `action_blockers_remain` (verdict NOT_READY): as if those blockers
//     cleared at `as_of`, so ready_at is at least `as_of`;
//   - review_starts_at_refund_request (Douyin) and no pending refund
//     request in the current closure episode: as if requested at `as_of`.
// With review_starts_at_refund_request and a pending request, review
// starts at the later of ready_at and the request (a fact).
// Meaningful only for a closed shop.
v1::RefundProjection ProjectRefund(const ProjectionFacts& shop,
                                   const ResolvedProfile& profile,
                                   absl::Time as_of,
                                   bool action_blockers_remain);

// The next monthly batch run at or after `t` on `day_of_month` (1..28), at
// t's local time of day in `zone`: t itself when t falls on the batch day,
// this month's when t is before it, else next month's.
absl::Time NextBatchRun(absl::Time t, int day_of_month,
                        const absl::TimeZone& zone);

}  // namespace depositd::watchers

#endif  // DEPOSITD_WATCHERS_PROJECTION_H_
