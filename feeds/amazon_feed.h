// Amazon SP-API notifications (POST /hooks/amazon). Amazon has no HTTP push:
// notifications go to SQS or EventBridge. An EventBridge API destination
// (or a small relay reading SQS) posts each one here with a depositd bearer
// token (role ingest) whose tenant owns the sellers; the token, not a
// platform signature, authenticates the request, so the daemon checks it
// before calling this. The body is the notification itself or an EventBridge
// event carrying it in `detail`.
//
// Event ids are "amazon:<NotificationMetadata.NotificationId>" (Amazon's id,
// kept on redelivery). ORDER_CHANGE and ACCOUNT_STATUS_CHANGED are mapped
// (docs/feeds.md); other types are counted as unknown.
//
// Pure function. Thread-safe.
#ifndef DEPOSITD_FEEDS_AMAZON_FEED_H_
#define DEPOSITD_FEEDS_AMAZON_FEED_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "feeds/feed.h"

namespace depositd::feeds {

// Maps one notification for `tenant` (the bearer token's). INVALID_ARGUMENT
// for a body that is not a notification or lacks its id, seller or time.
absl::StatusOr<FeedDelivery> ReceiveAmazonNotification(
    absl::string_view body, absl::string_view tenant);

}  // namespace depositd::feeds

#endif  // DEPOSITD_FEEDS_AMAZON_FEED_H_
