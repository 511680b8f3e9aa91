// The shape every platform feed shares: a raw webhook request in, a verified
// list of canonical events (or a clear error) out.
//
//   FeedRequest request;
//   request.headers = {{"authorization", "5dec0f11..."}};
//   request.body = raw_bytes;
//   absl::StatusOr<FeedDelivery> d = tiktok->Receive(request, now);
//   if (!d.ok()) -> answer 4xx (RejectionReason(d.status()) names why)
//   else         -> ingest d->events, then answer tiktok->answer()
//
// A feed is pure: no I/O, threads or clock reads; the caller passes `now`
// for the staleness check of signed timestamps. Receive either returns every
// event of the request or an error: never a partial list.
//
// Error codes (what the receiver answers, see daemon/feed_receivers.h):
//   INVALID_ARGUMENT    the body is malformed (not the platform's JSON, a
//                       field missing); the platform should not retry as is
//   UNAUTHENTICATED     the signature is missing or wrong (no configured
//                       secret verifies it)
//   PERMISSION_DENIED   the request names an app key / partner id that is
//                       not configured
//   FAILED_PRECONDITION a signed timestamp is too old or too far ahead
#ifndef DEPOSITD_FEEDS_FEED_H_
#define DEPOSITD_FEEDS_FEED_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "depositd/v1/events.pb.h"

namespace depositd::feeds {

// A webhook request as it arrived.
struct FeedRequest {
  // Header names in lower case (HTTP names are case-insensitive), each with
  // its first value.
  std::map<std::string, std::string> headers;
  // The raw body: signatures are computed over these bytes.
  std::string body;
  // The query string after '?', without it (Shopee signs the callback URL,
  // which the configuration names; this is not used for signing).
  std::string query;

  // The header's value, or "" when absent. `name` in lower case.
  absl::string_view Header(absl::string_view name) const;
};

// What one request carried.
struct FeedDelivery {
  // The tenant the verified app key / partner id is bound to.
  std::string tenant;
  // Canonical events, in the request's order, with event ids stable across
  // the platform's retries of the same message.
  std::vector<::depositd::v1::Event> events;
  // Messages of a type (or tag, code, event code) depositd does not use:
  // accepted and otherwise ignored, since platforms add types without
  // notice.
  int unknown_types = 0;
  // Messages of a known type that change nothing the deposit depends on
  // (e.g. a TikTok package update, an unpaid order).
  int ignored = 0;
  // Douyin's verification push (tag "0"): answered like any push.
  bool verification = false;
};

// The platform's expected answer to a request it delivered successfully.
struct FeedAnswer {
  int status = 200;
  std::string content_type;  // empty with an empty body
  std::string body;
};

// One platform's webhook format. Implementations are immutable after
// creation. Thread-safe.
class PlatformFeed {
 public:
  virtual ~PlatformFeed() = default;
  // "tiktok", "douyin", "shopee", "temu", "amazon": the path /hooks/<name>
  // and the metrics label.
  virtual absl::string_view name() const = 0;
  // Verifies, parses and maps one request (see the error codes above).
  virtual absl::StatusOr<FeedDelivery> Receive(const FeedRequest& request,
                                               absl::Time now) const = 0;
  // What the platform expects back once the events are durable.
  virtual FeedAnswer answer() const = 0;
};

// One configured app (TikTok app, Douyin app, Shopee partner, Temu app),
// bound to the tenant its shops belong to.
struct FeedApp {
  // TikTok app_key, Douyin app-id, Shopee partner_id, Temu x-tm-app-key.
  std::string app_key;
  // app_secret / partner_key. Never logged or put in an error.
  std::string secret;
  std::string tenant;
  // Shopee: the callback URL exactly as registered at Shopee (it is signed).
  std::string callback_url;
  // Temu: the shop of payloads that name no mallId.
  std::string default_shop_id;
};

// How far a signed timestamp may be from `now`.
struct Freshness {
  // Older than this is refused (FAILED_PRECONDITION). Zero: not checked.
  absl::Duration max_age = absl::ZeroDuration();
  // Further ahead than this is refused.
  absl::Duration max_ahead = absl::Minutes(5);
};

// OK when `signed_at` is within `freshness` of `now`; FAILED_PRECONDITION
// naming `what`, both times and the limit otherwise.
absl::Status CheckFreshness(absl::Time signed_at, absl::Time now,
                            const Freshness& freshness, absl::string_view what);

// Why a request was refused, as a short metrics label: "malformed",
// "signature", "unknown_app", "stale", or "other".
absl::string_view RejectionReason(const absl::Status& status);

}  // namespace depositd::feeds

#endif  // DEPOSITD_FEEDS_FEED_H_
