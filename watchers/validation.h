// Event validation: what makes an event acceptable on its own (ids, times,
// body, amounts, currencies, enums), before any shop sees it. Pure and
// deterministic except ValidateEventTime, which takes the server's clock
// as an argument. Safe from any thread.
#ifndef DEPOSITD_WATCHERS_VALIDATION_H_
#define DEPOSITD_WATCHERS_VALIDATION_H_

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "depositd/v1/events.pb.h"

namespace depositd::watchers {

// Checks an event on its own, without shop context: ids present and within
// length limits, free text within its limit, every timestamp inside
// 2000-01-01..2100-01-01 (occurred_at required), exactly one body, amounts
// non-negative, at most 10^15 minor units, with a valid ISO 4217 currency,
// enums known (watchers/limits.h has the numbers). INVALID_ARGUMENT with a
// reason that names the field and the limit, e.g.
// "order_status_changed.order_id: 300 bytes, the limit is 128".
// Deterministic (no clock), so replaying a log gives the same answers.
absl::Status ValidateEvent(const v1::Event& event);

// The check that needs the receiving server's clock: occurred_at at most
// kMaxFutureSkew (a day) after `now`. For the ingest edge only, never for
// replay (a logged event was checked when it arrived). INVALID_ARGUMENT
// saying how far ahead the event is.
absl::Status ValidateEventTime(const v1::Event& event, absl::Time now);

}  // namespace depositd::watchers

#endif  // DEPOSITD_WATCHERS_VALIDATION_H_
