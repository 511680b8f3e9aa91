#include "watchers/risk_watchers.h"

namespace depositd::watchers {

RiskWatchers::RiskWatchers() = default;
RiskWatchers::~RiskWatchers() = default;

WatchResult RiskWatchers::CheckAll(const ShopState& shop,
                                   const ResolvedProfile& profile,
                                   absl::Time now) const {
  WatchResult out;
  for (const auto& w : watchers_) w->Check(shop, profile, now, &out);
  return out;
}

}  // namespace depositd::watchers
