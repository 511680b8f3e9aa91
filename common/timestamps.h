// Time in its three outside forms, converted in one place:
//   google.protobuf.Timestamp  (the API's and the store's time)
//   absl::Time                 (the time every layer computes with)
//   RFC 3339 text, UTC         (payloads, logs, depositctl)
// Unix seconds are absl::FromUnixSeconds / absl::ToUnixSeconds themselves.
//
//   google::protobuf::Timestamp ts = ToTimestamp(absl::FromUnixSeconds(1));
//   FormatRfc3339(FromTimestamp(ts))          -> "1970-01-01T00:00:01Z"
//   ParseRfc3339("2026-03-10T08:00:00+08:00") -> 2026-03-10T00:00:00Z
//
// Pure functions; thread-safe.
#ifndef DEPOSITD_COMMON_TIMESTAMPS_H_
#define DEPOSITD_COMMON_TIMESTAMPS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace depositd::common {

// The instant `ts` names. Exact for every seconds value; nanos are added as
// they are (a Timestamp with nanos outside [0, 1e9) is not rejected here:
// callers that take timestamps from outside check them first).
absl::Time FromTimestamp(const google::protobuf::Timestamp& ts);

// Writes `t` with nanos in [0, 1e9), as the Timestamp contract requires
// (times before 1970 borrow a second). Exact, to the nanosecond (finer
// fractions are dropped toward the past), for every finite time; the
// infinite past and future become the earliest and latest instant
// absl::ToUnixNanos saturates to (1677-09-21T00:12:43.145224192Z and
// 2262-04-11T23:47:16.854775807Z).
void ToTimestamp(absl::Time t, google::protobuf::Timestamp* ts);
google::protobuf::Timestamp ToTimestamp(absl::Time t);

// "2024-03-01T13:00:00.123Z": UTC, seconds always, a fraction only when it
// is not zero and then with as many digits as it needs (".5", ".123",
// ".000000001").
std::string FormatRfc3339(absl::Time t);

// An RFC 3339 date-time with a 'Z' or numeric offset and an optional
// fraction ("2026-03-10T00:00:00Z", "2026-03-10T08:00:00.5+08:00").
// INVALID_ARGUMENT naming the text, an example and what is wrong otherwise.
absl::StatusOr<absl::Time> ParseRfc3339(absl::string_view text);

}  // namespace depositd::common

#endif  // DEPOSITD_COMMON_TIMESTAMPS_H_
