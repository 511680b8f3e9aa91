// LogThrottle: counts a kind of event (an unauthenticated request, a
// request that does not decode, a message of a library's log) and writes at
// most one line per interval about it, with how many happened since the
// last line. A client sending 1,000 bad requests a second then costs a few
// log lines, not 1,000.
//
//   LogThrottle unauthenticated(absl::Seconds(10), [](absl::string_view l) {
//     std::fprintf(stderr, "depositd: %.*s\n", ...);
//   });
//   unauthenticated.Note("no credentials (Readiness.GetShop)");
//   // first time: "no credentials (Readiness.GetShop)"; within the next
//   // 10 s: nothing; after that, on the next Note: "... (and 999 more like
//   // it in the last 10s)".
//
// Thread-safe. The sink is called outside the lock.
#ifndef DEPOSITD_DAEMON_LOG_THROTTLE_H_
#define DEPOSITD_DAEMON_LOG_THROTTLE_H_

#include <cstdint>
#include <functional>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace depositd::daemon {

class LogThrottle {
 public:
  // `sink` writes one line; `now` reads the time (tests pass a fake one).
  LogThrottle(absl::Duration interval,
              std::function<void(absl::string_view)> sink,
              std::function<absl::Time()> now = absl::Now);

  // Counts one event. Writes `line` when the last line is at least an
  // interval old (with the count of the events noted meanwhile); otherwise
  // only counts it.
  void Note(absl::string_view line);

  // Events noted since construction.
  uint64_t total() const;

 private:
  const absl::Duration interval_;
  const std::function<void(absl::string_view)> sink_;
  const std::function<absl::Time()> now_;
  mutable absl::Mutex mu_;
  uint64_t total_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t suppressed_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time next_line_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_LOG_THROTTLE_H_
