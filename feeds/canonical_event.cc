#include "feeds/canonical_event.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "feeds/signatures.h"
#include "google/protobuf/util/json_util.h"

namespace depositd::feeds {

namespace {
constexpr size_t kMaxEventIdBytes = 128;
}  // namespace

std::string DerivedEventId(absl::string_view platform,
                           std::initializer_list<absl::string_view> parts) {
  std::string id = absl::StrCat(platform, ":", absl::StrJoin(parts, ":"));
  if (id.size() <= kMaxEventIdBytes) return id;
  return absl::StrCat(platform, ":h:", Sha256Hex(id).substr(0, 40));
}

void SetTime(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t nanos = absl::ToUnixNanos(t);
  out->set_seconds(nanos / 1000000000);
  out->set_nanos(static_cast<int32_t>(nanos % 1000000000));
}

::depositd::v1::Event NewEvent(absl::string_view tenant,
                               absl::string_view shop_id, std::string event_id,
                               absl::Time occurred_at, std::string source) {
  ::depositd::v1::Event e;
  e.set_event_id(std::move(event_id));
  e.set_tenant(std::string(tenant));
  e.set_shop_id(std::string(shop_id));
  SetTime(occurred_at, e.mutable_occurred_at());
  e.set_source(std::move(source));
  return e;
}

absl::StatusOr<absl::Time> UnixSeconds(int64_t seconds,
                                       absl::string_view field) {
  if (seconds <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " is missing (unix seconds expected)"));
  }
  return absl::FromUnixSeconds(seconds);
}

absl::StatusOr<absl::Time> UnixMillis(int64_t millis, absl::string_view field) {
  if (millis <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " is missing (unix milliseconds expected)"));
  }
  return absl::FromUnixMillis(millis);
}

absl::Status ParseJson(absl::string_view json, absl::string_view what,
                       google::protobuf::Message* out) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const auto s = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), out, options);
  if (!s.ok()) {
    std::string reason(s.message());
    if (reason.empty()) reason = "invalid JSON";
    return absl::InvalidArgumentError(absl::StrCat(
        what, " is not valid JSON of the expected shape: ", reason));
  }
  return absl::OkStatus();
}

}  // namespace depositd::feeds
