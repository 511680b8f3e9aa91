// Conversions between google.protobuf.Timestamp (the API's time) and
// absl::Time (the core's time). Pure; safe from any thread.
#ifndef DEPOSITD_WATCHERS_TIMESTAMPS_H_
#define DEPOSITD_WATCHERS_TIMESTAMPS_H_

#include <cstdint>

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace depositd::watchers {

inline absl::Time FromTimestamp(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

// Writes `t` with nanos in [0, 1e9), as the Timestamp contract requires
// (times before 1970 borrow a second).
inline void ToTimestamp(absl::Time t, google::protobuf::Timestamp* ts) {
  const int64_t nanos = absl::ToUnixNanos(t);
  int64_t seconds = nanos / 1000000000;
  int64_t rem = nanos % 1000000000;
  if (rem < 0) {
    rem += 1000000000;
    --seconds;
  }
  ts->set_seconds(seconds);
  ts->set_nanos(static_cast<int32_t>(rem));
}

}  // namespace depositd::watchers

#endif  // DEPOSITD_WATCHERS_TIMESTAMPS_H_
