// The HTTP API's wire form (/api/v1, api_router.h): protobuf messages in
// protobuf's JSON mapping both ways, errors as
//   {"error": {"code": "PERMISSION_DENIED", "message": "..."}}
// with the HTTP status of their code, the headers every API answer
// carries, and the query string of a GET.
//
// Output: common::MessageToJson (lowerCamelCase keys, enums by name,
// 64-bit integers as strings, timestamps RFC 3339, defaults omitted).
// Input: JsonParseOptions with ignore_unknown_fields (a newer console may
// send fields this daemon does not know); enum values by name or number.
//
// Pure; thread-safe.
#ifndef DEPOSITD_DAEMON_API_JSON_H_
#define DEPOSITD_DAEMON_API_JSON_H_

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "daemon/http_handler.h"
#include "google/protobuf/message.h"

namespace depositd::daemon {

// The HTTP status for an absl code: INVALID_ARGUMENT 400, UNAUTHENTICATED
// 401, PERMISSION_DENIED 403, NOT_FOUND 404, FAILED_PRECONDITION 409 (412
// would suggest conditional requests), ALREADY_EXISTS 409,
// RESOURCE_EXHAUSTED 429, UNAVAILABLE 503, DEADLINE_EXCEEDED 504, the rest
// 500.
int HttpStatusFor(absl::StatusCode code);

// An API answer with the common headers (Content-Type: application/json;
// Cache-Control: no-store; X-Content-Type-Options: nosniff) and `body`.
HttpEdgeResponse JsonResponse(int status, std::string body);
// 200 with `message` as JSON (500 with the printer's error if it fails).
HttpEdgeResponse MessageResponse(const google::protobuf::Message& message);
// The error body for `status` (not OK), with HttpStatusFor its code; 401s
// also carry WWW-Authenticate: Bearer.
HttpEdgeResponse ErrorResponse(const absl::Status& status);
// An error with an explicit HTTP status and code name (404 for an unknown
// path, 405, 413), e.g. ErrorResponse(405, "METHOD_NOT_ALLOWED", "...").
HttpEdgeResponse ErrorResponse(int http_status, absl::string_view code,
                               absl::string_view message);

// Parses a JSON request body into `message`; INVALID_ARGUMENT naming the
// message type and protobuf's complaint. An empty body is the empty
// message.
absl::Status ParseJsonBody(absl::string_view body,
                           google::protobuf::Message* message);

// The query string "a=1&b=x%20y" decoded (percent escapes and '+' as
// space); a repeated name keeps its last value. INVALID_ARGUMENT for a bad
// escape.
absl::StatusOr<std::map<std::string, std::string>> ParseQuery(
    absl::string_view query);

// Percent-decodes one path segment (no '+' rule); INVALID_ARGUMENT for a
// bad escape or a decoded '/' or NUL.
absl::StatusOr<std::string> DecodePathSegment(absl::string_view segment);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_API_JSON_H_
