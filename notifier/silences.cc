#include "notifier/silences.h"

#include <algorithm>
#include <utility>

namespace depositd::notifier {

bool SilenceMatches(const Silence& s, const v1::Alert& alert, absl::Time now) {
  if (now < s.starts_at || now >= s.ends_at) return false;
  const v1::AlertKey& k = alert.key();
  if (!s.tenant.empty() && s.tenant != k.tenant()) return false;
  if (!s.shop_id.empty() && s.shop_id != k.shop_id()) return false;
  if (s.kind != v1::ALERT_KIND_UNSPECIFIED && s.kind != k.kind()) return false;
  if (s.severity != v1::SEVERITY_UNSPECIFIED && s.severity != alert.severity())
    return false;
  return true;
}

void SilenceSet::Add(Silence s) {
  for (Silence& old : silences_) {
    if (old.id == s.id) {
      old = std::move(s);
      return;
    }
  }
  silences_.push_back(std::move(s));
}

size_t SilenceSet::Expire(absl::Time now) {
  const size_t before = silences_.size();
  silences_.erase(
      std::remove_if(silences_.begin(), silences_.end(),
                     [&](const Silence& s) { return now >= s.ends_at; }),
      silences_.end());
  return before - silences_.size();
}

std::string SilenceSet::SilencedBy(const v1::Alert& alert,
                                   absl::Time now) const {
  for (const Silence& s : silences_) {
    if (SilenceMatches(s, alert, now)) return s.id;
  }
  return "";
}

}  // namespace depositd::notifier
