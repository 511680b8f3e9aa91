// PackedShops: a shard's idle shops held as their snapshot bytes instead of
// a live ShopState (see shard.h, "Packed shops"), and the packing passes.
//
// A packed shop's bytes are chunks (varint length + bytes): its head, then
// each page in ShopState::Pages() order, i.e. the bytes its checkpoint
// wrote. They live in a PackedStore (mmap'd blocks, compacted here a slice
// at a time). Unpack parses them back (keeping them: a shop that was only
// read packs again for free); MarkChanged drops them.
//
// Not thread-safe; owned by one shard and used on its thread.
#ifndef DEPOSITD_DAEMON_PACKED_SHOPS_H_
#define DEPOSITD_DAEMON_PACKED_SHOPS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "daemon/packed_store.h"
#include "daemon/shop_table.h"

namespace depositd::daemon {

// Budget of one packing slice (checked every few shops).
inline constexpr absl::Duration kPackSliceTime = absl::Milliseconds(1);
// Bytes of packed shops moved per packing slice by compaction (see
// PackedStore).
inline constexpr size_t kCompactPerSlice = 256 << 10;

class PackedShops {
 public:
  // `shard` names the shard in warnings; `pack_idle`: the idle time after
  // which a clean shop is packed (zero: only PackAll packs).
  PackedShops(uint32_t shard, absl::Duration pack_idle)
      : shard_(shard), pack_idle_(pack_idle) {}

  // Appends one chunk of a packed snapshot to *out.
  static void AppendChunk(std::string* out, absl::string_view bytes);

  // Makes e->state usable (parses the packed bytes, keeping them). A packed
  // snapshot that does not parse is memory corruption: it aborts (the store
  // is intact; a restart recovers from it).
  ShopEntry* Unpack(ShopEntry* e);
  // Packs a live, clean, non-watchdog shop: builds its packed bytes unless
  // it has them, and frees the live state. Returns false (the shop stays
  // live, a warning is printed) when its bytes cannot be stored.
  bool Pack(ShopEntry* e);
  // Start-up: stores `bytes` (chunks gathered from the checkpoint) as e's
  // packed form and packs it. RESOURCE_EXHAUSTED when they cannot be
  // mapped (start-up fails).
  absl::Status PackLoaded(ShopEntry* e, absl::string_view bytes);
  // e changed: its packed bytes (if any) no longer match; frees them.
  void Drop(ShopEntry* e) { store_.Free(&e->packed); }
  // Whether e may be packed at `now_nanos` (ignore_idle: idle or not).
  bool Packable(const ShopEntry& e, int64_t now_nanos, bool ignore_idle) const;

  // Passes: one per checkpoint round, in key order, in slices of
  // kPackSliceTime at least `gap` apart.
  bool pass_active() const { return pass_active_; }
  // Starts a pass unless one is open or packing is off.
  void StartPass();
  // When the pass's next slice is due (wall clock).
  absl::Time next_slice(absl::Duration gap) const { return last_slice_ + gap; }
  // The next slice of the open pass (and some compaction).
  void Slice(const ShopTable& shops, int64_t now_nanos);
  // Packs every shop that may be packed now (ignore_idle: idle or not);
  // returns how many were packed.
  int64_t PackAll(const ShopTable& shops, int64_t now_nanos, bool ignore_idle);

  int64_t count() const { return count_; }  // shops with live == false

 private:
  const uint32_t shard_;
  const absl::Duration pack_idle_;
  PackedStore store_;
  int64_t count_ = 0;
  bool pass_active_ = false;
  std::string cursor_;  // exclusive; empty: from the start
  absl::Time last_slice_ = absl::InfinitePast();  // wall clock
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_PACKED_SHOPS_H_
