// TikTok Shop Partner API webhooks (POST /hooks/tiktok): one notification
// per request, signed with `Authorization` = lower-case hex
// HMAC-SHA256(app_secret, app_key + raw body). TikTok expects HTTP 200 with
// an empty body within 3 s, and retries otherwise (2 min … 12 h).
//
// Which app sent it is not in the request: the signature is checked against
// each configured app and the one that verifies binds the tenant. Event ids
// are "tiktok:<tts_notification_id>" (TikTok's own id, the same on every
// retry). The mapping of types and statuses is in docs/feeds.md.
//
// Thread-safe (immutable).
#ifndef DEPOSITD_FEEDS_TIKTOK_FEED_H_
#define DEPOSITD_FEEDS_TIKTOK_FEED_H_

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "feeds/feed.h"

namespace depositd::feeds {

class TikTokFeed final : public PlatformFeed {
 public:
  struct Options {
    // At least one; app_key, secret and tenant required.
    std::vector<FeedApp> apps;
    // The body's `timestamp` is signed but the same on every retry (the last
    // one about 15 h after the first), so the default allows 48 h.
    Freshness freshness{absl::Hours(48), absl::Minutes(5)};
  };
  // INVALID_ARGUMENT naming the app when one lacks a key, secret or tenant.
  static absl::StatusOr<std::unique_ptr<TikTokFeed>> Create(Options options);

  absl::string_view name() const override { return "tiktok"; }
  absl::StatusOr<FeedDelivery> Receive(const FeedRequest& request,
                                       absl::Time now) const override;
  FeedAnswer answer() const override { return FeedAnswer{200, "", ""}; }

 private:
  explicit TikTokFeed(Options options) : options_(std::move(options)) {}
  const Options options_;
};

}  // namespace depositd::feeds

#endif  // DEPOSITD_FEEDS_TIKTOK_FEED_H_
