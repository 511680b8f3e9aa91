// ShopTable: the shops of one shard, found by key and walked in key order,
// with an allocator of their own.
//
// Entries and their keys are allocated in blocks, apart from the live
// states' many small blocks: allocated one by one they sat between them, so
// a packed shop's freed state left every page in use and the resident size
// did not drop. Entries are never removed, so a ShopEntry* stays valid for
// the table's lifetime.
//
// Not thread-safe; owned by one shard and used on its thread (before Start,
// on the thread loading it).
#ifndef DEPOSITD_DAEMON_SHOP_TABLE_H_
#define DEPOSITD_DAEMON_SHOP_TABLE_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "daemon/packed_store.h"
#include "notifier/alert_book.h"
#include "watchers/profiles.h"
#include "watchers/shop_state.h"

namespace depositd::daemon {

inline constexpr int64_t kNoDeadline = std::numeric_limits<int64_t>::max();

// A shop and everything the shard keeps about it. Owned by its ShopTable.
struct ShopEntry {
  ShopEntry(absl::string_view k, uint64_t h, watchers::ShopState s)
      : key(k), shop_hash(h), state(std::move(s)) {}
  // tenant "\0" shop_id (ShopKey), in the table's key blocks (lives as long
  // as it).
  absl::string_view key;
  uint64_t shop_hash;
  // The live state; moved from (unusable) while the shop is packed. Shard
  // methods unpack before use; a ShopEntry handed to a query is live.
  watchers::ShopState state;
  bool live = true;
  // Non-empty: the shop's packed snapshot (chunks: head, then each order
  // page) in the shard's PackedStore, equal to `state` when both are
  // present. Dropped when the state changes.
  PackedStore::Ref packed;
  // Engine-clock Unix nanos of the last event, acknowledgement or query.
  int64_t last_used = 0;
  const watchers::ResolvedProfile* profile = nullptr;
  std::string profile_name;  // the name `profile` was resolved for
  notifier::AlertBook alerts;
  int64_t next_check = kNoDeadline;  // Unix nanos
  bool dirty = false;                // changed since the last checkpoint
  uint64_t step = 0;                 // last step that touched it
  // A tenant's FEED_SILENT watchdog entry (shop_id empty; `state` is empty):
  // when an event of the tenant was last heard, Unix nanos.
  bool feed = false;
  int64_t feed_heard = 0;
  // Recovery only: the group sequence its loaded checkpoint covers (replay
  // skips the shop's share of groups up to it).
  uint64_t covered_seq = 0;
};

class ShopTable {
 public:
  using Ordered = absl::btree_map<absl::string_view, ShopEntry*>;

  ShopTable() = default;
  ~ShopTable();
  ShopTable(const ShopTable&) = delete;
  ShopTable& operator=(const ShopTable&) = delete;

  // The entry with key ShopKey(tenant, shop_id), or null.
  ShopEntry* Find(absl::string_view tenant, absl::string_view shop_id);
  // The entry with `key` (a ShopKey), or null.
  ShopEntry* FindKey(absl::string_view key) const;
  // Adds a shop (its key must not be in the table); `profile` was resolved
  // for the profile name `resolved_for`. Never fails (allocation aborts).
  ShopEntry* Insert(absl::string_view key, uint64_t hash,
                    watchers::ShopState state,
                    const watchers::ResolvedProfile* profile,
                    absl::string_view resolved_for);

  size_t size() const { return shops_.size(); }
  // Every entry in key order (a tenant's entries together, its watchdog
  // entry first).
  const Ordered& ordered() const { return ordered_; }

 private:
  static constexpr size_t kEntriesPerBlock = 256;
  static constexpr size_t kKeyBlockBytes = 64 << 10;

  absl::flat_hash_map<absl::string_view, ShopEntry*> shops_;
  Ordered ordered_;
  std::vector<std::unique_ptr<unsigned char[]>> entry_blocks_;
  size_t entries_in_last_block_ = kEntriesPerBlock;
  std::vector<std::unique_ptr<char[]>> key_blocks_;
  size_t key_block_size_ = 0;
  size_t key_block_used_ = 0;
  std::string key_scratch_;  // Find's lookup key
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_SHOP_TABLE_H_
