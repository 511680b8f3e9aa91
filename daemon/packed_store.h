// PackedStore: where a shard keeps its packed shops' bytes (see shard.h).
//
// Why not one std::string per shop: packing frees a shop's live state (many
// small heap blocks) and allocates its packed bytes, which malloc places in
// the holes the freed states left, all over the heap; one small survivor
// per page keeps every page resident, so packing a million shops left the
// resident size almost where it was. Here blobs are appended to 1 MiB
// blocks mapped with mmap, away from the heap; a blob freed (its shop
// changed) leaves garbage in its block, and a block at most half live is
// compacted (its live blobs moved to the current block, the block
// unmapped) a step at a time. A blob larger than a quarter block gets a
// mapping of its own, unmapped when it is freed.
//
// Each blob's header names the Ref that points at it, so compaction can
// update the Ref in place: a Ref must not move while it holds a blob (the
// shard's ShopEntries never move).
//
// Not thread-safe: owned by one shard.
#ifndef DEPOSITD_DAEMON_PACKED_STORE_H_
#define DEPOSITD_DAEMON_PACKED_STORE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace depositd::daemon {

class PackedStore {
 public:
  static constexpr size_t kBlockBytes = 1 << 20;

  struct Ref {
    static constexpr uint32_t kNone = 0xffffffffu;
    uint32_t block = kNone;
    uint32_t offset = 0;  // of the blob's bytes in the block
    uint32_t size = 0;
    bool empty() const { return block == kNone; }
  };

  PackedStore() = default;
  ~PackedStore();
  PackedStore(const PackedStore&) = delete;
  PackedStore& operator=(const PackedStore&) = delete;

  // Stores `bytes` for *ref (which must be empty and stay at its address
  // until Free). Fails with RESOURCE_EXHAUSTED when a new block cannot be
  // mapped (out of memory or address space); *ref then stays empty and
  // nothing else changes, so the caller can keep the shop live instead.
  absl::Status Put(Ref* ref, absl::string_view bytes);
  absl::string_view Get(const Ref& ref) const;
  // Frees *ref's blob and empties it.
  void Free(Ref* ref);
  // Compacts blocks that are at most half live, until about `max_bytes`
  // were copied; returns whether blocks are still waiting. A block that
  // cannot be mapped stops the pass with every blob where it was (the
  // block is queued again for a later pass).
  bool Compact(size_t max_bytes);

  // Bytes of live blobs, and bytes mapped for blocks.
  size_t live_bytes() const { return live_bytes_; }
  size_t mapped_bytes() const { return mapped_bytes_; }

 private:
  struct Header {
    Ref* owner;  // null once freed
    uint32_t size;
    uint32_t reserved;
  };
  struct Block {
    char* data = nullptr;  // null: unmapped (the slot is free)
    size_t capacity = 0;
    size_t used = 0;
    size_t live = 0;      // bytes of live blobs with their headers
    bool queued = false;  // in compact_queue_
    bool own = false;     // one big blob
  };
  static size_t Footprint(size_t size) {
    return (sizeof(Header) + size + 7) & ~size_t{7};
  }
  absl::StatusOr<uint32_t> NewBlock(size_t capacity, bool own);
  void Release(uint32_t index);

  std::vector<Block> blocks_;
  std::vector<uint32_t> free_slots_;
  std::vector<uint32_t> compact_queue_;
  uint32_t current_ = Ref::kNone;  // the block appended to
  size_t live_bytes_ = 0;
  size_t mapped_bytes_ = 0;
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_PACKED_STORE_H_
