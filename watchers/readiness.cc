#include "watchers/readiness.h"

#include <algorithm>

#include "watchers/derived_facts.h"
#include "watchers/projection.h"
#include "watchers/readiness_rules.h"

namespace depositd::watchers {

v1::ReadinessReport EvaluateReadiness(const ShopStateInternals& in,
                                      absl::Time as_of,
                                      const ResolvedProfile& profile) {
  const v1::PlatformProfile& p = profile.settings;
  v1::ReadinessReport r;
  r.set_tenant(in.tenant);
  r.set_shop_id(in.shop_id);
  r.set_profile(p.name());
  SetTime(as_of, r.mutable_as_of());
  r.set_lifecycle(DeriveLifecycle(in));
  r.set_events_applied(in.events_applied);
  if (in.last_sale_at != 0) SetTs(in.last_sale_at, r.mutable_last_sale_at());
  for (const auto& [cur, v] : Balance(in, true)) {
    v1::Money* m = r.add_balance();
    m->set_currency(cur);
    m->set_minor_units(v);
  }
  for (const auto& [cur, v] : Refundable(in)) {
    v1::Money* m = r.add_refundable();
    m->set_currency(cur);
    m->set_minor_units(v);
  }
  for (const auto& [cur, v] : RecoverableByAppeal(in, p, as_of)) {
    v1::Money* m = r.add_recoverable_by_appeal();
    m->set_currency(cur);
    m->set_minor_units(v);
  }

  const RuleContext c = MakeRuleContext(in, profile, as_of);
  for (ReadinessRule rule : kReadinessRules) rule(c, &r);

  // Verdict.
  bool only_time = true;
  absl::Time ready_at = as_of;
  for (const v1::Blocker& b : r.blockers()) {
    if (!b.has_clears_at()) {
      only_time = false;
    } else {
      ready_at = std::max(ready_at, NanosToTime(TsNanos(b.clears_at())));
    }
  }
  if (r.blockers_size() == 0) {
    r.set_verdict(v1::READY);
  } else if (only_time) {
    r.set_verdict(v1::READY_AT);
    SetTime(ready_at, r.mutable_ready_at());
  } else {
    r.set_verdict(v1::NOT_READY);
  }
  // domain.md §4 step 1: a fact with READY / READY_AT, conditional (and
  // marked so) while blockers needing an action remain.
  if (c.closure.closed_at != 0) {
    *r.mutable_projection() =
        ProjectRefund(ProjectionFactsOf(in), profile, as_of,
                      /*action_blockers_remain=*/r.verdict() == v1::NOT_READY);
  }
  return r;
}

}  // namespace depositd::watchers
