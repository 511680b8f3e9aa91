#include "common/timestamps.h"

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace depositd::common {

absl::Time FromTimestamp(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

void ToTimestamp(absl::Time t, google::protobuf::Timestamp* ts) {
  if (t == absl::InfiniteFuture() || t == absl::InfinitePast()) {
    // What the first conversion (through absl::ToUnixNanos) wrote for them;
    // stored alerts and snapshots hold these values.
    t = absl::FromUnixNanos(absl::ToUnixNanos(t));
  }
  // ToUnixSeconds rounds toward the infinite past, so the rest is in
  // [0, 1 s) for times before 1970 too.
  const int64_t seconds = absl::ToUnixSeconds(t);
  const int64_t nanos =
      absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(seconds));
  ts->set_seconds(seconds);
  ts->set_nanos(static_cast<int32_t>(nanos));
}

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  ToTimestamp(t, &ts);
  return ts;
}

std::string FormatRfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

absl::StatusOr<absl::Time> ParseRfc3339(absl::string_view text) {
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &err)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bad time \"", text,
        "\": expected RFC 3339 such as 2026-03-10T00:00:00Z (", err, ")"));
  }
  return t;
}

}  // namespace depositd::common
