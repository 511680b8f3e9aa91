// ShopQueries: the read side (Readiness.GetShop, Explain, ListShops) as
// shard tasks. A query runs on the shard owning the shop (ListShops: on
// every shard, each scanning its shops in key order from the page token),
// after every task queued before it, so it sees every event accepted
// before it was asked; `done` runs on a shard thread (ListShops: on the
// last shard to answer, with the shards' pages merged in key order).
//
// The functions only build tasks; the caller checks the request
// (request_checks.h) and queues them. Thread-safe.
#ifndef DEPOSITD_DAEMON_SHOP_QUERIES_H_
#define DEPOSITD_DAEMON_SHOP_QUERIES_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "daemon/engine_internal.h"
#include "depositd/v1/service.pb.h"

namespace depositd::daemon {

// GetShop for its shop's shard: NOT_FOUND when the shop is unknown.
ShardTask GetShopTask(
    const v1::GetShopRequest& request,
    std::function<void(absl::StatusOr<v1::ReadinessReport>)> done);

// Explain for its shop's shard: NOT_FOUND when the shop is unknown.
ShardTask ExplainTask(
    const v1::ExplainRequest& request,
    std::function<void(absl::StatusOr<v1::ExplainResponse>)> done);

// ListShops: one task per shard (`shards` of them; queue task i on shard
// i). INVALID_ARGUMENT for a page token this server did not issue.
absl::StatusOr<std::vector<ShardTask>> ListShopsTasks(
    const v1::ListShopsRequest& request, int shards,
    std::function<void(absl::StatusOr<v1::ListShopsResponse>)> done);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_SHOP_QUERIES_H_
