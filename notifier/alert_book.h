// AlertBook: the alert lifecycle of one shop, as a pure state machine.
//
// The risk watchers (watchers/risk_watchers.h) say what is true at a moment
// (findings). AlertBook remembers which alerts are FIRING and turns each new
// set of findings into transitions:
//   - a finding whose key is not firing          → FIRING (starts_at = now)
//   - a firing key whose stage or severity moved → FIRING again (same
//     starts_at; a new stage pages once more)
//   - a firing key absent from the findings      → RESOLVED (ends_at = now)
//   - an unchanged finding                       → nothing (never pages twice;
//     the book keeps the alert as last paged, so it depends only on the
//     transitions and replays exactly)
// Transitions carry no sequence number: the daemon assigns global sequence
// numbers when it commits them to the alert log.
//
// Pure: no clock, no I/O; time comes in as an argument. A later issue adds
// repeats of unacknowledged alerts, acknowledgement and silences.
//
// Example:
//   AlertBook book;
//   std::vector<v1::Alert> t = book.Update(result.findings, now);
//   // write `t` to the alert log
#ifndef DEPOSITD_NOTIFIER_ALERT_BOOK_H_
#define DEPOSITD_NOTIFIER_ALERT_BOOK_H_

#include <vector>

#include "absl/time/time.h"
#include "absl/types/span.h"
#include "depositd/v1/alerts.pb.h"

namespace depositd::notifier {

// Orders alert keys by (kind, subject, tenant, shop): a book holds one
// shop's alerts, so kind and subject decide.
bool AlertKeyLess(const v1::AlertKey& a, const v1::AlertKey& b);
bool AlertKeyEqual(const v1::AlertKey& a, const v1::AlertKey& b);

// Not thread-safe; owned by one shard (one book per shop).
class AlertBook {
 public:
  AlertBook() = default;

  // Replaces the current findings with `findings` (all findings true at
  // `now`; duplicates by key keep the first) and returns the transitions, in
  // key order (AlertKeyLess). Findings are consumed (moved from).
  std::vector<v1::Alert> Update(std::vector<v1::Finding> findings,
                                absl::Time now);

  // Alerts currently FIRING, ordered by key. Each is the last FIRING
  // transition of its key.
  const std::vector<v1::Alert>& active() const { return active_; }
  bool empty() const { return active_.empty(); }
  bool HasFiring(v1::AlertKind kind) const;

  // Restores the active set from a checkpoint (alerts in any order).
  void Restore(std::vector<v1::Alert> active);

 private:
  std::vector<v1::Alert> active_;  // sorted by key
};

}  // namespace depositd::notifier

#endif  // DEPOSITD_NOTIFIER_ALERT_BOOK_H_
