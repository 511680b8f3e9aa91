// Private to watchers/: ShopState::Evaluate's driver. Fills the report's
// facts (lifecycle, balance, refundable, recoverable by appeal), runs the
// ten rules of watchers/readiness_rules.h in order, decides the verdict
// (READY without blockers; READY_AT when every blocker clears by itself;
// else NOT_READY) and, for a closed shop, the refund projection
// (watchers/projection.h).
#ifndef DEPOSITD_WATCHERS_READINESS_H_
#define DEPOSITD_WATCHERS_READINESS_H_

#include "absl/time/time.h"
#include "depositd/v1/readiness.pb.h"
#include "watchers/profiles.h"
#include "watchers/shop_state_internals.h"

namespace depositd::watchers {

// The readiness report of `in` at `as_of` (see ShopState::Evaluate).
v1::ReadinessReport EvaluateReadiness(const ShopStateInternals& in,
                                      absl::Time as_of,
                                      const ResolvedProfile& profile);

}  // namespace depositd::watchers

#endif  // DEPOSITD_WATCHERS_READINESS_H_
