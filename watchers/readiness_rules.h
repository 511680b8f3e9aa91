// Private to watchers/: the ten readiness rules of domain.md §3, one
// function each. A rule reads the shop's facts at `as_of` and adds at most
// one blocker to the report (condition, evidence ids, amounts, summary,
// action, and clears_at when it clears by itself). The driver
// (EvaluateReadiness, watchers/readiness.cc) runs them in order, then
// decides the verdict and the projection.
#ifndef DEPOSITD_WATCHERS_READINESS_RULES_H_
#define DEPOSITD_WATCHERS_READINESS_RULES_H_

#include <string>

#include "absl/time/time.h"
#include "depositd/v1/readiness.pb.h"
#include "watchers/derived_facts.h"
#include "watchers/profiles.h"
#include "watchers/shop_state_internals.h"

namespace depositd::watchers {

// What every rule reads: the shop, its profile, the time of asking, and
// the facts the driver derives once for all of them. Borrows `in` and
// `profile` for the evaluation.
struct RuleContext {
  const ShopStateInternals& in;
  const ResolvedProfile& profile;
  absl::Time as_of;
  // The current closure episode.
  ClosureFacts closure;
  // R1 and R3 say when the shop must have finished them: the post-closure
  // grace (still running or ended) or "before closure"; empty while the
  // shop is not closed.
  std::string grace_note;
};

RuleContext MakeRuleContext(const ShopStateInternals& in,
                            const ResolvedProfile& profile, absl::Time as_of);

using ReadinessRule = void (*)(const RuleContext& c, v1::ReadinessReport* r);

void CheckR1OrdersInFlight(const RuleContext& c, v1::ReadinessReport* r);
void CheckR2ReturnWindowsOpen(const RuleContext& c, v1::ReadinessReport* r);
void CheckR3OpenDisputes(const RuleContext& c, v1::ReadinessReport* r);
void CheckR4UnpaidFees(const RuleContext& c, v1::ReadinessReport* r);
void CheckR5PendingViolations(const RuleContext& c, v1::ReadinessReport* r);
void CheckR6BalanceShort(const RuleContext& c, v1::ReadinessReport* r);
void CheckR7WaitingPeriod(const RuleContext& c, v1::ReadinessReport* r);
void CheckR8RefundAccount(const RuleContext& c, v1::ReadinessReport* r);
void CheckR9HealthMetrics(const RuleContext& c, v1::ReadinessReport* r);
void CheckR10DiscountClawback(const RuleContext& c, v1::ReadinessReport* r);

// R1..R10 in the order their blockers appear in a report.
inline constexpr ReadinessRule kReadinessRules[] = {
    CheckR1OrdersInFlight,    CheckR2ReturnWindowsOpen, CheckR3OpenDisputes,
    CheckR4UnpaidFees,        CheckR5PendingViolations, CheckR6BalanceShort,
    CheckR7WaitingPeriod,     CheckR8RefundAccount,     CheckR9HealthMetrics,
    CheckR10DiscountClawback,
};

// A time as blockers and explanations write it: minutes, in the profile's
// calendar zone (UTC without a calendar).
std::string TimeText(absl::Time t, const ResolvedProfile& profile);

}  // namespace depositd::watchers

#endif  // DEPOSITD_WATCHERS_READINESS_RULES_H_
