#include "feeds/feed.h"

#include "absl/strings/str_cat.h"

namespace depositd::feeds {

absl::string_view FeedRequest::Header(absl::string_view name) const {
  auto it = headers.find(std::string(name));
  return it == headers.end() ? absl::string_view() : it->second;
}

absl::Status CheckFreshness(absl::Time signed_at, absl::Time now,
                            const Freshness& freshness,
                            absl::string_view what) {
  const auto text = [](absl::Time t) {
    return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
  };
  if (freshness.max_age > absl::ZeroDuration() &&
      now - signed_at > freshness.max_age) {
    return absl::FailedPreconditionError(absl::StrCat(
        what, " ", text(signed_at), " is older than ",
        absl::FormatDuration(freshness.max_age), " (now ", text(now),
        "): refused as a possible replay; check the sender's clock"));
  }
  if (signed_at - now > freshness.max_ahead) {
    return absl::FailedPreconditionError(absl::StrCat(
        what, " ", text(signed_at), " is more than ",
        absl::FormatDuration(freshness.max_ahead), " ahead of now (", text(now),
        "); check the sender's clock (milliseconds vs seconds?)"));
  }
  return absl::OkStatus();
}

absl::string_view RejectionReason(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
      return "malformed";
    case absl::StatusCode::kUnauthenticated:
      return "signature";
    case absl::StatusCode::kPermissionDenied:
      return "unknown_app";
    case absl::StatusCode::kFailedPrecondition:
      return "stale";
    default:
      return "other";
  }
}

}  // namespace depositd::feeds
