// Risk watchers (domain.md §5): one small class per alert kind. Given a shop
// and a moment, each returns what it finds true now and when it must look
// again, so the daemon schedules a timer instead of polling.
#ifndef DEPOSITD_WATCHERS_RISK_WATCHERS_H_
#define DEPOSITD_WATCHERS_RISK_WATCHERS_H_

#include <memory>
#include <vector>

#include "absl/time/time.h"
#include "depositd/v1/alerts.pb.h"
#include "watchers/profiles.h"
#include "watchers/shop_state.h"

namespace depositd::watchers {

struct WatchResult {
  // Conditions true at `now`, each with a stable key (tenant, shop, kind,
  // subject). A finding absent from a later result has cleared.
  std::vector<v1::Finding> findings;
  // The earliest future moment at which a finding may appear, change stage
  // or severity, or clear without a new event. InfiniteFuture: none.
  absl::Time next_check = absl::InfiniteFuture();
};

// One alert kind. Thread-safe (stateless).
class RiskWatcher {
 public:
  virtual ~RiskWatcher() = default;
  virtual v1::AlertKind kind() const = 0;
  // Appends findings to out->findings and lowers out->next_check as needed.
  virtual void Check(const ShopState& shop, const ResolvedProfile& profile,
                     absl::Time now, WatchResult* out) const = 0;
};

// Every shop-level watcher: INACTIVITY … REOPEN_COOLING_OFF and
// FEED_DEAUTHORIZED (FEED_SILENT is per tenant, see CheckFeedSilence;
// SINK_FAILING is raised by the daemon's sink dispatcher). Thread-safe
// (stateless).
class RiskWatchers {
 public:
  RiskWatchers();
  ~RiskWatchers();
  // Runs every watcher on `shop` at `now`.
  WatchResult CheckAll(const ShopState& shop, const ResolvedProfile& profile,
                       absl::Time now) const;

 private:
  std::vector<std::unique_ptr<RiskWatcher>> watchers_;
};

// The watcher for one shop-level alert kind (INACTIVITY … REOPEN_COOLING_OFF,
// and FEED_DEAUTHORIZED), e.g. for a test or a daemon that schedules kinds
// separately. Returns nullptr for every other kind: FEED_SILENT (per tenant:
// CheckFeedSilence), SINK_FAILING (raised by the daemon's sink dispatcher),
// ALERT_KIND_UNSPECIFIED and values the enum does not name. Never fails
// otherwise; the caller owns the watcher.
//
// Stages and lead times (profile settings, domain.md §5 defaults):
//   INACTIVITY            "30d","14d","7d","1d" before the limit, "crossed"
//   DISPUTE_RESPONSE_DUE  "24h","6h" before the deadline, "breached"
//   APPEAL_WINDOW_CLOSING "3d","1d" before the window closes; clears after
//   UNPAID_FEES           "<age>d" once a fee is that old past its due time
//   CLOSURE_BLOCKED       "day1","day2",…: one stage per repeat period after
//                         the closure request (the daily repeat)
//   REFUND_OVERDUE        "overdue" at projected arrival + grace
//   BALANCE_SHORT "short", METRIC_BELOW_THRESHOLD "below",
//   ACCOUNT_MISMATCH "mismatch", REOPEN_COOLING_OFF "inside": at once.
// Severity: INFO for leads over 7 days, WARNING up to 7 days, CRITICAL for
// the last lead, leads under a day, and crossed deadlines.
// Findings are deterministic functions of (shop, profile, now). They are
// structured only: kind, subject, stage, severity, due_at, amount_at_risk
// and the evidence (keys in watchers/evidence_keys.h; times in the profile's
// zone). summary and action are left empty: notifier/finding_text.h words
// them in the tenant's language, so no human text is written here.
std::unique_ptr<RiskWatcher> MakeRiskWatcher(v1::AlertKind kind);

// FEED_SILENT, the blind-feed watchdog of one tenant: a CRITICAL finding
// (shop_id empty) once `silence` has passed since `last_heard` without an
// event; next_check is the moment it would fire. No finding and no
// next_check when `silence` is not positive. Like every finding here, it
// carries no text (notifier/finding_text.h words it).
WatchResult CheckFeedSilence(absl::string_view tenant, absl::Time last_heard,
                             absl::Duration silence, absl::Time now);

}  // namespace depositd::watchers

#endif  // DEPOSITD_WATCHERS_RISK_WATCHERS_H_
