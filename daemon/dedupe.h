// DedupeIndex: the event ids a shard has accepted inside the dedupe window.
//
// An id is remembered as a 128-bit key: (shop hash, event-id hash) — see
// stable_hash.h. The first half routes it to the shop's shard, so buckets
// loaded from a checkpoint can be re-routed when the shard count changes; the
// second half makes a false "duplicate" practically impossible (two ids of the
// same shop would have to collide on 64 bits).
//
// Ids are kept in generations: the open generation collects ids accepted
// since the last checkpoint; a checkpoint seals it into a persisted bucket
// (store.v1.DedupeBucket). A generation expires, as a whole, when its newest
// id is older than the window. Memory: about 32 bytes per id.
//
// The ids are spread over kPartitions hash sets by their id hash, so growing
// one never rehashes more than a 1/kPartitions share of them at once (a
// single set of millions of ids stalls its shard for tens of milliseconds
// each time it doubles).
#ifndef DEPOSITD_DAEMON_DEDUPE_H_
#define DEPOSITD_DAEMON_DEDUPE_H_

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace depositd::daemon {

struct DedupeKey {
  uint64_t shop_hash = 0;
  uint64_t id_hash = 0;
  friend bool operator==(const DedupeKey& a, const DedupeKey& b) {
    return a.shop_hash == b.shop_hash && a.id_hash == b.id_hash;
  }
  template <typename H>
  friend H AbslHashValue(H h, const DedupeKey& k) {
    // In-memory only; the halves are already well mixed.
    return H::combine(std::move(h), k.id_hash ^ (k.shop_hash * 31));
  }
};

// Not thread-safe; owned by one shard.
class DedupeIndex {
 public:
  bool Contains(const DedupeKey& key) const { return Part(key).contains(key); }

  // Remembers `key` as seen at `seen` (in the open generation).
  void Insert(const DedupeKey& key, absl::Time seen);

  // Seals the open generation (a no-op when it holds no ids). Its ids are
  // then handed out for the checkpoint by TakeSealedPiece, a bounded piece
  // at a time: a generation holds every id of a checkpoint interval
  // (megabytes at high rates), and writing it in one piece made one commit
  // group, and every ack waiting on it, that much slower.
  void Seal();
  // The next piece of sealed ids not yet handed out, at most `max_ids`, as a
  // serialized store.v1.DedupeBucket (its generation's newest time in
  // *max_seen); an empty string when every sealed id has been handed out.
  // Ids of a generation that expired before they were handed out are
  // dropped.
  std::string TakeSealedPiece(size_t max_ids, absl::Time* max_seen);
  // Sealed ids not yet handed out.
  bool has_untaken() const { return !untaken_.empty(); }

  // Adds a sealed generation (from a checkpoint bucket) with its newest time.
  void AddSealed(absl::Time max_seen, const std::vector<DedupeKey>& keys);

  // Forgets sealed generations whose newest id is before `cutoff`. Returns
  // the number of ids forgotten.
  size_t ExpireBefore(absl::Time cutoff);

  size_t size() const { return size_; }

  // Parses a serialized bucket. DATA_LOSS if corrupt.
  static absl::Status ParseBucket(absl::string_view bytes, absl::Time* max_seen,
                                  std::vector<DedupeKey>* keys);

 private:
  struct Generation {
    absl::Time max_seen = absl::InfinitePast();
    std::vector<DedupeKey> keys;
    uint64_t serial = 0;  // sealed generations: 1, 2, ... in sealing order
  };
  // Sealed generations (by serial) and how many of their ids were handed
  // out, oldest first.
  struct Untaken {
    uint64_t serial;
    size_t next;
  };
  static constexpr int kPartitions = 64;
  absl::flat_hash_set<DedupeKey>& Part(const DedupeKey& key) {
    return ids_[key.id_hash >> 58];
  }
  const absl::flat_hash_set<DedupeKey>& Part(const DedupeKey& key) const {
    return ids_[key.id_hash >> 58];
  }
  absl::flat_hash_set<DedupeKey> ids_[kPartitions];
  size_t size_ = 0;
  std::deque<Generation> sealed_;  // oldest first
  Generation open_;
  uint64_t last_serial_ = 0;
  std::deque<Untaken> untaken_;
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_DEDUPE_H_
