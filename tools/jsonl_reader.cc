#include "tools/jsonl_reader.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace depositd::tools {

absl::StatusOr<v1::Event> ParseEventJson(absl::string_view json) {
  v1::Event event;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  options.case_insensitive_enum_parsing = false;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &event, options);
  if (!status.ok()) {
    std::string message(status.message());
    if (message.empty()) message = "invalid JSON";
    return absl::InvalidArgumentError(message);
  }
  return event;
}

bool IsSkippableLine(absl::string_view line) {
  absl::string_view stripped = absl::StripAsciiWhitespace(line);
  return stripped.empty() || stripped.front() == '#';
}

std::optional<JsonlRecord> JsonlEventReader::Next() {
  while (std::getline(*in_, buffer_)) {
    ++line_number_;
    if (!buffer_.empty() && buffer_.back() == '\r') buffer_.pop_back();
    if (IsSkippableLine(buffer_)) continue;
    JsonlRecord record;
    record.line_number = line_number_;
    absl::StatusOr<v1::Event> event = ParseEventJson(buffer_);
    if (event.ok()) {
      record.event = *std::move(event);
    } else {
      record.event = absl::InvalidArgumentError(
          absl::StrCat("line ", line_number_, ": ", event.status().message()));
    }
    return record;
  }
  return std::nullopt;
}

}  // namespace depositd::tools
