// The captured-request file: one webhook request as a platform sent it, for
// `depositctl replay-hook` and the sample payloads in tests/data/feeds/.
// Like an HTTP message (docs/feeds.md, "Captured requests"):
//
//   # lines starting with '#' before the request are comments
//   POST /hooks/tiktok HTTP/1.1          (optional request line)
//   Authorization: 5dec0f11...
//   Content-Type: application/json
//                                        (one empty line)
//   {"type":1,"tts_notification_id":...} (the raw body, to the end)
//
// Header lines end in LF or CRLF; names are kept in lower case (first value
// wins). A file whose first line after the comments starts with '{' or '['
// is a JSON body alone, without headers. The body is every byte after the
// empty line, except that one final line break is dropped (files end with
// one; bodies are JSON, where it means nothing).
//
// Pure functions. Thread-safe.
#ifndef DEPOSITD_FEEDS_CAPTURED_REQUEST_H_
#define DEPOSITD_FEEDS_CAPTURED_REQUEST_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "feeds/feed.h"

namespace depositd::feeds {

struct CapturedRequest {
  // The comment lines, without their '#' and one following space.
  std::vector<std::string> comments;
  // The request line's path without the query ("" when there was none).
  std::string path;
  // Headers, body and the query of the request line.
  FeedRequest request;
};

// INVALID_ARGUMENT naming the line for a header line without a colon, an
// empty header name, or a request line that is not "POST <path>".
absl::StatusOr<CapturedRequest> ParseCapturedRequest(absl::string_view text);

}  // namespace depositd::feeds

#endif  // DEPOSITD_FEEDS_CAPTURED_REQUEST_H_
