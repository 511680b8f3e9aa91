// Douyin 抖店 message push (POST /hooks/douyin): a JSON array of
// {tag, msg_id, data} where `data` is a JSON document encoded as a string.
// Headers `app-id` (the app key) and `event-sign` = lower-case hex
// MD5(app_key + raw body + app_secret). Douyin expects
// {"code":0,"msg":"success"} within 5 s, also for the verification push
// (tag "0") it sends when the URL is configured.
//
// The app-id header names the app (PERMISSION_DENIED when it is not
// configured). Event ids are "douyin:<msg_id>" (Douyin's id per message,
// the same on every retry). A batch is mapped whole or refused whole. The
// mapping of tags is in docs/feeds.md.
//
// Thread-safe (immutable).
#ifndef DEPOSITD_FEEDS_DOUYIN_FEED_H_
#define DEPOSITD_FEEDS_DOUYIN_FEED_H_

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "feeds/feed.h"

namespace depositd::feeds {

class DouyinFeed final : public PlatformFeed {
 public:
  struct Options {
    // At least one; app_key (= the app-id header), secret, tenant required.
    std::vector<FeedApp> apps;
  };
  // INVALID_ARGUMENT naming the app when one lacks a key, secret or tenant.
  static absl::StatusOr<std::unique_ptr<DouyinFeed>> Create(Options options);

  absl::string_view name() const override { return "douyin"; }
  // Douyin signs no timestamp, so `now` is not used: a replayed push is
  // only caught by deduplication (msg_id).
  absl::StatusOr<FeedDelivery> Receive(const FeedRequest& request,
                                       absl::Time now) const override;
  FeedAnswer answer() const override {
    return FeedAnswer{200, "application/json", R"({"code":0,"msg":"success"})"};
  }

 private:
  explicit DouyinFeed(Options options) : options_(std::move(options)) {}
  const Options options_;
};

}  // namespace depositd::feeds

#endif  // DEPOSITD_FEEDS_DOUYIN_FEED_H_
