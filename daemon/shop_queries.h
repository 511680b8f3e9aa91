// ShopQueries: the read side (Readiness.GetShop, Explain, ListShops,
// CountShops) as shard tasks. A query runs on the shard owning the shop
// (ListShops, CountShops: on every shard), after every task queued before
// it, so it sees every event accepted before it was asked; `done` runs on
// a shard thread (ListShops / CountShops: on the last shard to answer,
// with the shards' answers merged).
//
// ListShops and CountShops read each shard's ShopIndex (shop_index.h),
// never every shop: a page walks the smallest of the index sets that its
// filters select (the tenant's shops, one verdict, one risk kind, one
// profile), checks the other filters on the indexed facts, and evaluates
// only the shops it returns. SHOP_ORDER_RISK walks the shard's risk order
// (shops with a firing alert), or, when another filter selects far fewer
// shops, sorts those. shop_id_prefix walks the key ranges "tenant \0
// prefix" (of the tenant, or of each tenant in turn).
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
// i). INVALID_ARGUMENT for a page token this server did not issue for the
// request's order.
absl::StatusOr<std::vector<ShardTask>> ListShopsTasks(
    const v1::ListShopsRequest& request, int shards,
    std::function<void(absl::StatusOr<v1::ListShopsResponse>)> done);

// CountShops: one task per shard, as ListShopsTasks.
std::vector<ShardTask> CountShopsTasks(
    const v1::CountShopsRequest& request, int shards,
    std::function<void(absl::StatusOr<v1::CountShopsResponse>)> done);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_SHOP_QUERIES_H_
