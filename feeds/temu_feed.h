// Temu webhooks (POST /hooks/temu): body {"eventData": "<base64>"}, the
// event encrypted with AES-128-CBC/PKCS#5 (key = IV = the first 16 bytes of
// app_secret). Headers x-tm-app-key, x-tm-event-code, x-tm-timestamp (ms),
// x-tm-signature, x-tm-ext-param. The signature is hex HMAC-SHA256 under
// app_secret of the parameters sorted by name and joined as name + value:
// the x-tm-* headers (but the signature) and eventData as the DECRYPTED
// plaintext; compared case-insensitively. Temu's own sample request signs
// without x-tm-ext-param, so that form is accepted too (ext-param is then
// unauthenticated; depositd does not read it). Temu expects HTTP 200 with
// {"result":{}} within 500 ms and retries 8 times (2 min … 12 h).
//
// x-tm-timestamp changes on every retry, so it is checked for freshness
// (10 min by default) but never part of an event id: ids derive from the
// event code, shop, order / after-sales sn, status and update time. The
// mapping is in docs/feeds.md.
//
// Thread-safe (immutable).
#ifndef DEPOSITD_FEEDS_TEMU_FEED_H_
#define DEPOSITD_FEEDS_TEMU_FEED_H_

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "feeds/feed.h"

namespace depositd::feeds {

class TemuFeed final : public PlatformFeed {
 public:
  struct Options {
    // At least one; app_key, secret (>= 16 bytes) and tenant required;
    // default_shop_id for payloads without mallId.
    std::vector<FeedApp> apps;
    Freshness freshness{absl::Minutes(10), absl::Minutes(5)};
  };
  // INVALID_ARGUMENT naming the app when one lacks a field or its secret is
  // shorter than 16 bytes.
  static absl::StatusOr<std::unique_ptr<TemuFeed>> Create(Options options);

  absl::string_view name() const override { return "temu"; }
  absl::StatusOr<FeedDelivery> Receive(const FeedRequest& request,
                                       absl::Time now) const override;
  FeedAnswer answer() const override {
    return FeedAnswer{200, "application/json", R"({"result":{}})"};
  }

 private:
  explicit TemuFeed(Options options) : options_(std::move(options)) {}
  const Options options_;
};

}  // namespace depositd::feeds

#endif  // DEPOSITD_FEEDS_TEMU_FEED_H_
