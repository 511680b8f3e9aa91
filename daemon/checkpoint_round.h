// CheckpointRound: a shard's checkpoints, written in rounds a slice per step
// (see shard.h, "Checkpoints are written in rounds").
//
// A round starts at the end of a step (Start: the committer takes the
// shard's cut at the mark item and the dedupe ids since the last round are
// sealed); each later step may write a Slice: the next pieces of the sealed
// dedupe ids, then the next shops that were dirty when the round started,
// for at most kCheckpointSliceTime or kCheckpointSliceBytes. A slice waits
// until the previous one is durable and kCheckpointSliceGap has passed; the
// slice that writes the last shop completes the round (cut_commit). Full
// writes everything at once (start-up and stop).
//
// Each shop checkpoint (store.v1.ShopCheckpoint under ShopKey, plus its
// pages changed since its last one under PageKey) records the group
// sequence it covers, so replay skips what it already holds.
//
// Not thread-safe; owned by one shard and used on its thread, except the
// slice-durable callbacks it adds to items, which run on the committer
// thread and touch only an atomic and Wake.
#ifndef DEPOSITD_DAEMON_CHECKPOINT_ROUND_H_
#define DEPOSITD_DAEMON_CHECKPOINT_ROUND_H_

#include <atomic>
#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "daemon/engine_internal.h"
#include "daemon/shard_state.h"

namespace depositd::daemon {

// Budget of one checkpoint slice.
inline constexpr absl::Duration kCheckpointSliceTime = absl::Milliseconds(2);
inline constexpr size_t kCheckpointSliceBytes = 512 << 10;
inline constexpr absl::Duration kCheckpointSliceGap = absl::Milliseconds(5);

// One shop's checkpoint, covering the group sequence `covered_seq`,
// appended to `puts`: its record (ShopKey) and the pages changed since its
// last checkpoint (PageKey). Unpacks the shop if needed. Returns the bytes
// appended.
size_t AppendShopCheckpoint(
    ShardState& s, ShopEntry& e, uint64_t covered_seq,
    std::vector<std::pair<std::string, std::string>>* puts);

class CheckpointRound {
 public:
  // `s` and `wake` (makes the shard's thread look again) are borrowed for
  // the round's lifetime.
  CheckpointRound(ShardState* s, std::function<void()> wake)
      : s_(*s), wake_(std::move(wake)) {}

  // A checkpoint was asked for: a round starts at the end of this step (or
  // of the open round); `on_durable` (may be empty) runs once that round is
  // durable.
  void Request(std::function<void()> on_durable);
  bool requested() const { return requested_; }
  bool active() const { return active_; }

  // Starts a round: returns its cut_mark item, for the committer (with
  // cut_commit already when nothing changed since the last round).
  CommitItem Start(absl::Time now);
  // Whether the open round may write its next slice now: the previous one
  // is durable (tests: the slice gate lets it). Wall-clock pacing is the
  // caller's (next_slice()).
  bool SliceDue() const;
  // When the next slice may be written at the earliest (wall clock).
  absl::Time next_slice() const { return last_slice_ + kCheckpointSliceGap; }
  // Writes the next slice into `item`; completes the round when it writes
  // the last shop.
  void Slice(CommitItem& item);
  // A full checkpoint as of `now`, in one item (cut_mark and cut_commit):
  // every dirty shop, including the rest of an open round, and the new
  // dedupe ids. For start-up and stop.
  CommitItem Full(absl::Time now);

 private:
  // Seals the dedupe ids accepted since the last seal (their pieces taken
  // into `ck` now when `take_all`, else by the round's slices) and expires
  // old buckets.
  void SealDedupe(absl::Time now, CommitItem& ck, bool take_all);
  // Adds the next piece of sealed dedupe ids to `ck`; its bytes (0: none).
  size_t TakeDedupePiece(CommitItem& ck);

  ShardState& s_;
  const std::function<void()> wake_;
  bool requested_ = false;
  bool active_ = false;
  std::vector<ShopEntry*> pending_;  // dirty when the round started
  size_t next_ = 0;                  // next index to write
  int slices_ = 0;                   // slices the open round wrote
  absl::Time last_slice_ = absl::InfinitePast();  // wall clock
  // The last slice is not durable yet (cleared by the committer thread).
  std::atomic<bool> slice_in_flight_{false};
  std::vector<std::function<void()>> waiters_;       // on_durable at commit
  std::vector<std::function<void()>> next_waiters_;  // for the next round
  // The open round's start (MonotonicNanos) and bytes so far (metrics).
  int64_t round_started_nanos_ = 0;
  size_t round_bytes_ = 0;
  // Records a completed round in the shard's metric cells (if any).
  void RecordRound(int64_t started_nanos, size_t bytes);
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_CHECKPOINT_ROUND_H_
