// What a sink's answer means: whether the platform accepted an alert, asks
// for it later, or refused it for good. Chat robots answer HTTP 200 even when
// they refuse a message, with the verdict in a code inside the JSON body, so
// "2xx" alone is not "delivered":
//
//   DINGTALK  delivered: 2xx and errcode == 0.
//             later: errcode 130101 (sending too fast), HTTP 429, 5xx.
//             refused: any other errcode (310000 signature, keyword or IP
//             rule; 460101 message too long; 300001 unknown token; ...).
//   FEISHU    delivered: 2xx and code == 0 (older robots: StatusCode == 0).
//             later: code 11232 (rate limited) or 9499 (too many
//             requests), HTTP 429, 5xx.
//             refused: any other code (19021 signature, 19024 keyword rule,
//             19001 bad request, ...).
//   WECOM     delivered: 2xx and errcode == 0.
//             later: errcode 45009 (frequency limit), -1 (system busy),
//             HTTP 429, 5xx.
//             refused: any other errcode (93000 bad key, 40058 invalid or
//             too long content, 40008 bad message type, ...).
//   SLACK     delivered: 2xx with body "ok" (or empty).
//             later: 429, 5xx. refused: other 4xx (invalid_payload,
//             channel_is_archived, no_service, ...) or a 2xx saying else.
//   WEBHOOK, ALERTMANAGER
//             delivered: 2xx. later: 408, 429, 5xx, no answer.
//             refused: other 4xx.
//   For every kind, no answer (status 0), 408 and 5xx are "later".
//
// A 2xx from a robot whose body is not the platform's JSON (or lacks the
// code) is refused: nothing is reported delivered that the robot did not
// confirm.
//
// Pure: no I/O, no clock. Thread-safe (free functions).
#ifndef DEPOSITD_NOTIFIER_SINK_RESPONSE_H_
#define DEPOSITD_NOTIFIER_SINK_RESPONSE_H_

#include <string>

#include "absl/strings/string_view.h"
#include "depositd/v1/config.pb.h"

namespace depositd::notifier {

struct SinkVerdict {
  enum Kind {
    kDelivered,  // the platform accepted the message
    kRetry,      // try again later (throttled, busy, no answer)
    kRefused,    // the platform refused this message; sending it again
                 // cannot help
  };
  Kind kind = kDelivered;
  // True when the platform said "too fast" (HTTP 429 or its throttling
  // code): the caller should honour Retry-After or back off.
  bool throttled = false;
  // kRetry / kRefused: a short, stable cause, e.g. "dingtalk errcode 310000"
  // or "HTTP 404"; the same cause gives the same reason (so it can be
  // counted and logged once).
  std::string reason;
  // The platform's own words (errmsg / msg / body), at most 200 bytes.
  std::string detail;
};

// Classifies one answer of `type` (http_status 0: no answer at all).
SinkVerdict ClassifySinkResponse(v1::SinkType type, int http_status,
                                 absl::string_view body);

}  // namespace depositd::notifier

#endif  // DEPOSITD_NOTIFIER_SINK_RESPONSE_H_
