// HTTP requests for every sink type: the exact URL, headers and JSON body of
// one alert transition sent to a WEBHOOK, SLACK, DINGTALK, FEISHU or WECOM
// sink, and of a batch of alerts sent to Alertmanager. The daemon's delivery
// code POSTs them as they are; nothing here does I/O or reads a clock (`now`
// is an argument, used only for signature timestamps and Alertmanager's
// endsAt).
//
// Every body is a message of proto/depositd/v1/sink_payloads.proto (the
// schema of each format, field by field) printed by protobuf's JSON printer
// (common/json.h: deterministic, map keys sorted; '<', '>' and invisible
// characters escaped as \uXXXX; bytes that are not UTF-8 sent as U+FFFD).
// Nothing here writes JSON by hand; an Alertmanager batch is its printed
// elements joined into an array.
//
// WEBHOOK (depositd's own format, depositd.v1.WebhookAlert)
//   POST sink.url, Content-Type: application/json, body a JSON object:
//     {"version":1, "sequence":"42", "key":{"tenant","shop_id","kind",
//      "subject"}, "state":"FIRING", "change":"OPENED", "severity":"CRITICAL",
//      "stage", "title", "text", "summary", "action", "due_at",
//      "amount_at_risk":{"currency","minor_units","formatted"},
//      "evidence":{...}, "starts_at", "ends_at", "at", "repeat",
//      "acknowledged", "acknowledged_by"}
//   Enums are names, times RFC 3339 UTC, unset fields omitted; "sequence" and
//   "minor_units" are JSON strings (64-bit integers do not fit a double).
//   Headers: X-Depositd-Alert-Key (AlertKeyString), X-Depositd-Sequence,
//   X-Depositd-Timestamp (unix seconds of `now`) and, when sink.secret is
//   non-empty, X-Depositd-Signature: "sha256=" + hex(HMAC-SHA256(secret,
//   timestamp + "." + body)).
//
//   Verifying a webhook (receiver side):
//     1. t = X-Depositd-Timestamp; reject if |your_now - t| > 300 s (replay).
//     2. expected = "sha256=" + lower-hex(HMAC-SHA256(key = secret,
//        data = t + "." + raw request body bytes)).
//     3. Compare expected with X-Depositd-Signature in constant time.
//     4. De-duplicate by X-Depositd-Sequence (deliveries are at least once).
//   In shell: printf '%s.%s' "$t" "$body" | openssl dgst -sha256 -hmac
//   "$secret"
//
// SLACK incoming webhook: {"text": mrkdwn}; &, <, > escaped as &amp; &lt;
//   &gt;. The body is kept within 40,000 bytes (Slack truncates text beyond
//   40,000 characters).
// DINGTALK custom robot: {"msgtype":"markdown","markdown":{"title","text"}}.
//   With a secret ("加签"), the URL gets timestamp=<unix ms>&sign=<UrlEncode(
//   Base64(HMAC-SHA256(key = secret, data = ms + "\n" + secret)))>, appended
//   with '&' if the URL already has a query, '?' otherwise. DingTalk accepts a
//   timestamp within one hour of its clock. The whole body is kept within
//   20,000 bytes (DingTalk's limit is on the request, not the text).
// FEISHU / Lark custom bot: {"msg_type":"text","content":{"text"}}; with a
//   secret also "timestamp":"<unix seconds>" and "sign": Base64(HMAC-SHA256(
//   key = timestamp + "\n" + secret, data = "")). Body within 20,000 bytes
//   (Feishu's limit is 20 KB per request).
// WECOM group robot: {"msgtype":"markdown","markdown":{"content"}}; content is
//   at most 4096 bytes of UTF-8 (WeCom's limit is on the content).
// ALERTMANAGER: see BuildAlertmanagerRequest.
//
// A chat robot's text that does not fit is cut on a UTF-8 character
// boundary, ends with "…", and is followed by a blank line and
// FullAlertPointer (the depositctl command that lists the full alerts), all
// inside the platform's limit.
#ifndef DEPOSITD_NOTIFIER_PAYLOAD_H_
#define DEPOSITD_NOTIFIER_PAYLOAD_H_

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "depositd/v1/alerts.pb.h"
#include "depositd/v1/config.pb.h"
#include "notifier/alert_key.h"  // AlertKeyString, for the header

namespace depositd::notifier {

// A request to POST.
struct HttpRequest {
  std::string url;
  // Includes Content-Type.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// Size limits of the chat sinks, bytes of UTF-8.
inline constexpr size_t kWeComMarkdownMaxBytes = 4096;  // the content
inline constexpr size_t kDingTalkBodyMaxBytes = 20000;  // the whole body
inline constexpr size_t kFeishuBodyMaxBytes = 20000;    // the whole body
inline constexpr size_t kSlackBodyMaxBytes = 40000;     // the whole body

// True for SLACK, DINGTALK, FEISHU and WECOM (chat robots: paced, digests).
bool IsChatSink(v1::SinkType type);

// One transition to a WEBHOOK, SLACK, DINGTALK, FEISHU or WECOM sink.
// INVALID_ARGUMENT for ALERTMANAGER (use BuildAlertmanagerRequest) or an
// unspecified type. `now` is wall-clock time for signature timestamps.
absl::StatusOr<HttpRequest> BuildSinkRequest(const v1::Sink& sink,
                                             const v1::Alert& alert,
                                             absl::string_view language,
                                             absl::Time now);

// A digest of several transitions of one tenant (notifier/digest.h) to a
// chat robot, within the platform's limits as above. INVALID_ARGUMENT for
// empty `alerts` or a sink that is not a chat robot.
absl::StatusOr<HttpRequest> BuildDigestRequest(
    const v1::Sink& sink, absl::Span<const v1::Alert> alerts,
    absl::string_view language, absl::Time now);

// Alertmanager API v2: POST <sink.url without trailing slash>/api/v2/alerts,
// a JSON array with one element per alert:
//   labels {alertname: kind name e.g. "INACTIVITY", tenant, shop_id (omitted
//     if empty), kind, subject (omitted if empty), severity: "info" |
//     "warning" | "critical", source: "depositd"}
//   annotations {summary: title, description: text, action, due_at (RFC 3339,
//     if set), amount_at_risk (formatted, if set), stage, sequence}
//   startsAt = alert.starts_at (RFC 3339); endsAt = now + firing_ttl for
//   FIRING, alert.ends_at for RESOLVED.
// Labels depend only on the alert key and severity, so every transition of
// one key at one severity carries identical labels and Alertmanager matches
// firing and resolved (a CLEARED transition keeps the last severity).
// Severity is a label (for Alertmanager routing) but changes when an alert
// ESCALATES; so that the alert at the old severity does not linger until its
// endsAt, an ESCALATED transition also yields entries for the other two
// severities, identical otherwise, resolved (endsAt = now). Alertmanager does
// not notify a group of only resolved alerts it never notified as firing; a
// receiver with send_resolved may see such an entry once, listed as resolved,
// next to the escalated alert.
// startsAt never passes endsAt (Alertmanager rejects that): it is clamped
// when the alert's clock is ahead of `now`.
// INVALID_ARGUMENT for empty `alerts` or a sink that is not ALERTMANAGER.
absl::StatusOr<HttpRequest> BuildAlertmanagerRequest(
    const v1::Sink& sink, absl::Span<const v1::Alert> alerts,
    absl::string_view language, absl::Time now, absl::Duration firing_ttl);

// HMAC-SHA256 of `data` under `key`: the raw 32 bytes (OpenSSL).
std::string HmacSha256(absl::string_view key, absl::string_view data);
// The longest prefix of `s` of at most `max_bytes` bytes that ends on a UTF-8
// character boundary; when `s` is cut, the result ends with "…" (counted in
// max_bytes). `s` as is when it fits.
std::string TruncateUtf8(absl::string_view s, size_t max_bytes);

}  // namespace depositd::notifier

#endif  // DEPOSITD_NOTIFIER_PAYLOAD_H_
