#include "daemon/log_throttle.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace depositd::daemon {

LogThrottle::LogThrottle(absl::Duration interval,
                         std::function<void(absl::string_view)> sink,
                         std::function<absl::Time()> now)
    : interval_(interval), sink_(std::move(sink)), now_(std::move(now)) {}

void LogThrottle::Note(absl::string_view line) {
  const absl::Time now = now_();
  uint64_t suppressed;
  {
    absl::MutexLock lock(&mu_);
    ++total_;
    if (now < next_line_) {
      ++suppressed_;
      return;
    }
    suppressed = suppressed_;
    suppressed_ = 0;
    next_line_ = now + interval_;
  }
  if (suppressed == 0) {
    sink_(line);
  } else {
    sink_(absl::StrCat(line, " (and ", suppressed,
                       " more like it since the "
                       "last such line; at most one line per ",
                       absl::FormatDuration(interval_), ")"));
  }
}

uint64_t LogThrottle::total() const {
  absl::MutexLock lock(&mu_);
  return total_;
}

}  // namespace depositd::daemon
