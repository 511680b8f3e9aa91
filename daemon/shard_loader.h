// ShardLoader: fills a shard from its checkpoints at start-up, before the
// shard's thread starts: shop checkpoints and their pages (in store order:
// a shop, then its pages), dedupe buckets and the buckets the shard owns.
//
// Shops are packed as they load when packing is on: the checkpoint's bytes
// are the packed form (see packed_shops.h), so the pages are only checked
// (ShopState::CheckPage: they parse, their parts agree, their counts are
// right), not indexed; the shop's first use does that.
//
// Not thread-safe: runs on the one thread loading the shard (recovery.h).
#ifndef DEPOSITD_DAEMON_SHARD_LOADER_H_
#define DEPOSITD_DAEMON_SHARD_LOADER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "daemon/dedupe.h"
#include "daemon/shard_state.h"

namespace depositd::daemon {

class ShardLoader {
 public:
  // `s` is borrowed for the loader's lifetime.
  explicit ShardLoader(ShardState* s) : s_(*s) {}

  // Adds a shop from its checkpoint (key = ShopKey). DATA_LOSS if corrupt;
  // RESOURCE_EXHAUSTED when its packed bytes cannot be mapped.
  absl::Status LoadShop(absl::string_view key, absl::string_view bytes);
  // Adds page `page` (an order or a record page) to the shop `key` loaded
  // just before. DATA_LOSS if the shop is unknown or the page does not fit.
  absl::Status LoadPage(absl::string_view key, uint32_t page,
                        absl::string_view bytes);
  // After loading: DATA_LOSS if a shop's checkpoint announced pages that
  // were not found.
  absl::Status CheckLoaded() const;
  // Adds the ids of a dedupe bucket (those routed to this shard).
  void LoadDedupe(absl::Time max_seen, const std::vector<DedupeKey>& keys);
  // This shard deletes persisted bucket `number` once it expires.
  void AdoptBucket(uint64_t number, absl::Time max_seen);

 private:
  // Stores the gathered bytes of `loading_` and packs it.
  absl::Status FinishLoading();

  ShardState& s_;
  // The shop whose packed bytes are being gathered (its head, then its
  // pages as they load), and the index of the page it expects next.
  ShopEntry* loading_ = nullptr;
  std::string loading_bytes_;
  uint32_t loading_page_ = 0;
  int64_t pages_missing_ = 0;  // announced by loaded shops, not yet loaded
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_SHARD_LOADER_H_
