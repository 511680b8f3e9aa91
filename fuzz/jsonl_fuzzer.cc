// Fuzz target (b): the JSON Lines reader of `depositctl send`
// (tools/jsonl_reader.h). The input is a whole file. Checks: the reader
// never crashes, numbers the lines it returns in increasing order, every
// error names its line; an event it accepts goes through the daemon's
// validation without harm, prints back to JSON, and that JSON parses to the
// same event.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "fuzz/fuzz_checks.h"
#include "google/protobuf/util/json_util.h"
#include "tools/jsonl_reader.h"
#include "watchers/shop_state.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace depositd;
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::istringstream stream(text);
  tools::JsonlEventReader reader(&stream);
  int64_t last_line = 0;
  while (std::optional<tools::JsonlRecord> record = reader.Next()) {
    fuzz::Require(record->line_number > last_line, "line numbers increase");
    last_line = record->line_number;
    if (!record->event.ok()) {
      fuzz::Require(absl::StartsWith(record->event.status().message(),
                                     absl::StrCat("line ", last_line, ": ")),
                    "a parse error names its line",
                    record->event.status().ToString());
      continue;
    }
    const v1::Event& event = *record->event;
    (void)watchers::ValidateEvent(event);
    std::string json;
    google::protobuf::util::JsonPrintOptions print;
    const auto printed =
        google::protobuf::util::MessageToJsonString(event, &json, print);
    fuzz::Require(printed.ok(), "an accepted event prints as JSON",
                  printed.ToString());
    absl::StatusOr<v1::Event> again = tools::ParseEventJson(json);
    fuzz::Require(again.ok(), "printed JSON parses again",
                  again.status().ToString() + "\n" + json);
    fuzz::Require(
        fuzz::DeterministicBytes(*again) == fuzz::DeterministicBytes(event),
        "JSON round trip keeps the event", json);
  }
  fuzz::Require(!reader.stream_failed(), "an in-memory stream never fails");
  fuzz::Require(reader.lines_read() >= last_line, "lines_read counts lines");
  return 0;
}
