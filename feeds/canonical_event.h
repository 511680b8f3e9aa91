// Building canonical events from platform messages: identity, event time,
// evidence, and event ids derived from a message's fields when the platform
// gives none. Also the JSON parse every feed uses (protobuf's parser over
// the payload protos in proto/depositd/feeds/v1, unknown fields ignored).
//
// Pure functions. Thread-safe.
#ifndef DEPOSITD_FEEDS_CANONICAL_EVENT_H_
#define DEPOSITD_FEEDS_CANONICAL_EVENT_H_

#include <cstdint>
#include <initializer_list>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "depositd/v1/events.pb.h"
#include "google/protobuf/message.h"

namespace depositd::feeds {

// "<platform>:<part>:<part>…". Ids longer than the 128 bytes an event id may
// have become "<platform>:h:" + the first 40 hex digits of the SHA-256 of
// the joined form, so the same parts always give the same id.
std::string DerivedEventId(absl::string_view platform,
                           std::initializer_list<absl::string_view> parts);

// An event with identity, time and evidence set and no body yet.
::depositd::v1::Event NewEvent(absl::string_view tenant,
                               absl::string_view shop_id, std::string event_id,
                               absl::Time occurred_at, std::string source);

// Sets a Timestamp.
void SetTime(absl::Time t, google::protobuf::Timestamp* out);

// Unix seconds (or milliseconds) as a time. INVALID_ARGUMENT naming `field`
// when zero or negative (the field was missing).
absl::StatusOr<absl::Time> UnixSeconds(int64_t seconds,
                                       absl::string_view field);
absl::StatusOr<absl::Time> UnixMillis(int64_t millis, absl::string_view field);

// Parses `json` into `out` with protobuf's JSON parser, ignoring unknown
// fields. INVALID_ARGUMENT naming `what` and the parser's reason.
absl::Status ParseJson(absl::string_view json, absl::string_view what,
                       google::protobuf::Message* out);

}  // namespace depositd::feeds

#endif  // DEPOSITD_FEEDS_CANONICAL_EVENT_H_
