// Reading depositd events from JSON Lines: one depositd.v1.Event per line in
// protobuf's JSON mapping (lowerCamelCase field names, enums by name, int64
// as strings or numbers, timestamps in RFC 3339), e.g.
//
//   {"eventId":"e1","tenant":"acme","shopId":"s1",
//    "occurredAt":"2026-03-02T00:00:00Z","shopClosed":{}}
//
// Blank lines and lines whose first non-blank character is '#' are skipped.
// A line that does not parse is reported with its line number and the
// parser's message, and reading continues with the next line.
#ifndef DEPOSITD_TOOLS_JSONL_READER_H_
#define DEPOSITD_TOOLS_JSONL_READER_H_

#include <cstdint>
#include <istream>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "depositd/v1/events.pb.h"

namespace depositd::tools {

// Parses one JSON object into an Event. Unknown fields are an error (a typo
// in a field name must not be silently dropped). INVALID_ARGUMENT with the
// parser's message on failure. Does not check the event's content (ids,
// amounts): that is the daemon's job, and its reasons come back in the ack.
absl::StatusOr<v1::Event> ParseEventJson(absl::string_view json);

// True for lines the reader skips: empty, only whitespace, or '#' comments.
bool IsSkippableLine(absl::string_view line);

// One non-skipped line of the input.
struct JsonlRecord {
  // 1-based line number in the input.
  int64_t line_number = 0;
  // The event, or INVALID_ARGUMENT "line N: <parser message>".
  absl::StatusOr<v1::Event> event;
};

// Reads records from a stream, one at a time, without holding the whole
// input in memory. The stream is borrowed and must outlive the reader.
// Not thread-safe.
class JsonlEventReader {
 public:
  explicit JsonlEventReader(std::istream* in) : in_(in) {}

  // The next non-skipped line, or nullopt at end of input. A read error of
  // the stream itself ends the input too; check stream_failed().
  std::optional<JsonlRecord> Next();

  // True when reading stopped because of an I/O error rather than EOF.
  bool stream_failed() const { return in_->bad(); }

  // Lines read so far, skipped ones included.
  int64_t lines_read() const { return line_number_; }

 private:
  std::istream* in_;
  int64_t line_number_ = 0;
  std::string buffer_;
};

}  // namespace depositd::tools

#endif  // DEPOSITD_TOOLS_JSONL_READER_H_
