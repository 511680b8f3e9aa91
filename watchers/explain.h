// Private to watchers/: ShopState::Explain. The readiness report plus, per
// blocker, the facts behind it as evidence events (at most 50 each): the
// orders of R1/R2, the disputes, fees and violations named by R3-R5, the
// payments (and deductions, refund account) of R6/R8/R10, the closure
// facts of R7 and the metrics of R9.
#ifndef DEPOSITD_WATCHERS_EXPLAIN_H_
#define DEPOSITD_WATCHERS_EXPLAIN_H_

#include "absl/time/time.h"
#include "depositd/v1/service.pb.h"
#include "watchers/profiles.h"
#include "watchers/shop_state_internals.h"

namespace depositd::watchers {

// EvaluateReadiness(in, as_of, profile) with the evidence of each blocker.
v1::ExplainResponse ExplainReadiness(const ShopStateInternals& in,
                                     absl::Time as_of,
                                     const ResolvedProfile& profile);

}  // namespace depositd::watchers

#endif  // DEPOSITD_WATCHERS_EXPLAIN_H_
