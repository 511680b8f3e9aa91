// Silences: mute notifications of alerts that match a set of matchers until
// an end time (Alerts.Silence). A silence changes what the sinks send, never
// the alert log: silenced alerts still fire, escalate and resolve, and Watch
// still streams them.
//
// Matching: each set matcher must equal the alert's field (tenant, shop_id,
// kind, severity); empty / unspecified matchers match anything. A silence is
// active while starts_at <= now < ends_at.
#ifndef DEPOSITD_NOTIFIER_SILENCES_H_
#define DEPOSITD_NOTIFIER_SILENCES_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "depositd/v1/alerts.pb.h"

namespace depositd::notifier {

struct Silence {
  std::string id;
  std::string tenant;                                // empty: any
  std::string shop_id;                               // empty: any
  v1::AlertKind kind = v1::ALERT_KIND_UNSPECIFIED;   // unspecified: any
  v1::Severity severity = v1::SEVERITY_UNSPECIFIED;  // unspecified: any
  absl::Time starts_at = absl::InfinitePast();
  absl::Time ends_at = absl::InfinitePast();
  absl::Time created_at = absl::InfinitePast();
  std::string by;
  std::string comment;
};

// True if `s` is active at `now` and every set matcher equals the alert's.
bool SilenceMatches(const Silence& s, const v1::Alert& alert, absl::Time now);

// Answers "is this alert silenced now?". Implemented by the daemon's silence
// registry (thread-safe there).
class AlertSilencer {
 public:
  virtual ~AlertSilencer() = default;
  // The id of an active silence matching `alert` at `now`, or "" if none.
  virtual std::string SilencedBy(const v1::Alert& alert,
                                 absl::Time now) const = 0;
};

// A plain list of silences. Not thread-safe.
class SilenceSet : public AlertSilencer {
 public:
  void Add(Silence s);
  // Drops silences that ended at or before `now`; returns how many.
  size_t Expire(absl::Time now);
  std::string SilencedBy(const v1::Alert& alert, absl::Time now) const override;
  const std::vector<Silence>& silences() const { return silences_; }

 private:
  std::vector<Silence> silences_;
};

}  // namespace depositd::notifier

#endif  // DEPOSITD_NOTIFIER_SILENCES_H_
