// AlertBook: the alert lifecycle of one shop, as a pure state machine.
//
// The risk watchers (watchers/risk_watchers.h) say what is true at a moment
// (findings). AlertBook remembers which alerts are FIRING and turns each new
// set of findings into transitions:
//   - a finding whose key is not firing          → FIRING (starts_at = now)
//   - a firing key whose stage or severity moved → FIRING again (same
//     starts_at; a new stage pages once more)
//   - a firing key absent from the findings      → RESOLVED (ends_at = now)
//   - a firing key, same stage and severity, due → FIRING again with change
//     to repeat: unacknowledged and its repeat     REPEATED (new content)
//     interval (RepeatPolicy, from the routes)
//     has passed since it last paged
//   - a firing key, same stage and severity, not → FIRING, change UPDATED,
//     due to repeat, but what it says changed      carrying the new content;
//     (summary, action, due_at, amount_at_risk,    not a page: repeat false,
//     evidence)                                    last_paged_at kept, so the
//                                                  repeat interval still runs
//                                                  from the last page
//   - an unchanged finding                       → nothing
//   - Acknowledge(key)                           → FIRING, change ACKNOWLEDGED;
//     no more repeats this episode (it still escalates, updates and
//     resolves)
// Each transition says why in `change` (OPENED, ESCALATED, REPEATED,
// UPDATED, ACKNOWLEDGED, CLEARED). Transitions carry no sequence number: the
// daemon assigns global sequence numbers when it commits them to the alert
// log.
//
// The evidence is always current: after every Update, each active alert says
// exactly what its finding says (summary, action, due_at, amount_at_risk,
// evidence, stage, severity). So what the alerts say after a sequence of
// Updates depends only on the last findings, not on how many Updates there
// were in between: applying events to a shop in one group or in several and
// checking after each gives the same active alerts, saying the same (the
// histories differ only in `at`, `change`, `repeat`, `last_paged_at`, and
// `starts_at` when a condition cleared and came back in between), and the
// alert log's last transition of each key is the alert as it is now. The
// book holds each alert as its last transition, so it depends only on the
// transitions and replays exactly.
//
// Pure: no clock, no I/O; time comes in as an argument. Silences do not live
// here: they change what sinks send, not the alert log (silences.h).
//
// Example:
//   AlertBook book;
//   std::vector<v1::Alert> t = book.Update(result.findings, now);
//   // write `t` to the alert log
#ifndef DEPOSITD_NOTIFIER_ALERT_BOOK_H_
#define DEPOSITD_NOTIFIER_ALERT_BOOK_H_

#include <functional>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "depositd/v1/alerts.pb.h"
#include "notifier/alert_key.h"  // AlertKeyLess orders a book

namespace depositd::notifier {

// How long an unchanged, unacknowledged firing alert waits after it was
// last paged before it pages again; absl::InfiniteDuration(): never. Must be
// a pure function of the alert (the daemon derives it from the routes).
using RepeatPolicy = std::function<absl::Duration(const v1::Alert&)>;

// Not thread-safe; owned by one shard (one book per shop).
class AlertBook {
 public:
  AlertBook() = default;

  // Replaces the current findings with `findings` (all findings true at
  // `now`; duplicates by key keep the first) and returns the transitions, in
  // key order (AlertKeyLess). Findings are consumed (moved from). Without a
  // `repeat` policy nothing repeats.
  std::vector<v1::Alert> Update(std::vector<v1::Finding> findings,
                                absl::Time now,
                                const RepeatPolicy* repeat = nullptr);

  // Acknowledges the firing alert `key` at `now`: returns its ACKNOWLEDGED
  // transition, or nullopt when it was already acknowledged (idempotent).
  // NOT_FOUND when no alert with that key is firing.
  absl::StatusOr<std::optional<v1::Alert>> Acknowledge(const v1::AlertKey& key,
                                                       absl::string_view by,
                                                       absl::Time now);

  // The earliest moment an active alert is due to repeat under `repeat`;
  // InfiniteFuture when none (all acknowledged, or no policy).
  absl::Time NextRepeat(const RepeatPolicy* repeat) const;

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
