// Shopee push mechanism (POST /hooks/shopee): one push per request,
// {data, shop_id, code, timestamp}, signed with `Authorization` = hex
// HMAC-SHA256(partner_key, callback URL + "|" + raw body). Shopee expects a
// 2xx with an EMPTY body within 3 s; below 30% success over 6 h it switches
// the subscription off and missed pushes are lost, so nothing but a
// transient failure may answer 5xx.
//
// The partner is found by the signature: each configured app (its
// callback_url and partner_key) is tried; a push that names a partner_id
// (codes 2, 12) must name the one that verified. Shopee gives no event id:
// ids are derived from code, shop, order/return sn, status and update time
// ("shopee:3:<shop>:<ordersn>:<status>:<update_time>"). The mapping of
// codes is in docs/feeds.md.
//
// Thread-safe (immutable).
#ifndef DEPOSITD_FEEDS_SHOPEE_FEED_H_
#define DEPOSITD_FEEDS_SHOPEE_FEED_H_

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "feeds/feed.h"

namespace depositd::feeds {

class ShopeeFeed final : public PlatformFeed {
 public:
  struct Options {
    // At least one; app_key (= partner_id), secret (partner_key), tenant and
    // callback_url required.
    std::vector<FeedApp> apps;
    // The body's `timestamp` is signed and the same on retries (the last
    // about 3.5 h after the first): 24 h by default.
    Freshness freshness{absl::Hours(24), absl::Minutes(5)};
  };
  // INVALID_ARGUMENT naming the app when one lacks a field.
  static absl::StatusOr<std::unique_ptr<ShopeeFeed>> Create(Options options);

  absl::string_view name() const override { return "shopee"; }
  absl::StatusOr<FeedDelivery> Receive(const FeedRequest& request,
                                       absl::Time now) const override;
  FeedAnswer answer() const override { return FeedAnswer{200, "", ""}; }

 private:
  explicit ShopeeFeed(Options options) : options_(std::move(options)) {}
  const Options options_;
};

}  // namespace depositd::feeds

#endif  // DEPOSITD_FEEDS_SHOPEE_FEED_H_
