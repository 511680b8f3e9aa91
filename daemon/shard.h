// Shard: one thread that owns a hash range of shops (by ShopHash % shards):
// their state, alert books, deadline index and dedupe ids. Nothing in a shard
// is shared, so shop state needs no locks; other threads talk to a shard only
// through its task queue (Push) and get answers through callbacks.
//
// This file holds the thread, its task queue and the step loop; the parts a
// step uses are components of their own, on a ShardState (shard_state.h):
//   event_apply.h       applying events, heartbeats, acknowledgements (the
//                       one path for live steps and replay)
//   shop_checks.h       watchers, alert books and deadlines of a step
//   log_record_writer.h the step's share of the log record
//   checkpoint_round.h  checkpoint rounds and their slices
//   packed_shops.h      packing idle shops (shop_table.h: the shop table)
//   shard_loader.h      loading checkpoints at start-up
//   shard_replay.h      replaying logged groups at start-up
//
// A processing step takes every queued task, at one processing time T:
//   1. ingest tasks: dedupe (event id) → ShopState::Apply with the shop's
//      profile → per-event result in the batch's ack; accepted events are
//      appended, serialized, to the step's log record;
//   2. deadlines: shops whose next check is <= T;
//   3. watchers: RiskWatchers::CheckAll at T for every touched or due shop →
//      AlertBook::Update → transitions; reschedule each shop's next check
//      (one entry per shop: a new deadline replaces the old);
//   4. one CommitItem (record part + transitions + batches) to the
//      committer. Acks are sent by the committer after the write.
// Queries (kQuery) run between ingest tasks and see every earlier task.
//
// Checkpoints are written in rounds, a slice per step, so that no step
// stalls the shard (and every ack behind it) for long: a checkpoint task
// starts a round at the end of its step (the committer takes the shard's cut
// there and the new dedupe ids are sealed); each following step writes the
// next piece of the sealed dedupe ids, then the next shops that were dirty
// at the start, for at most kCheckpointSliceTime or kCheckpointSliceBytes;
// the step that writes the last one completes the round (the committer
// stores the cut). A slice waits until the previous one is durable and at
// least kCheckpointSliceGap after it, so a commit group carries at most one
// slice of each shard (about kCheckpointSliceBytes: its fsync, and every
// ack in the group, grows with the bytes; unpaced, slices queued behind a
// slow fsync made the next group megabytes larger still). Each shop checkpoint
// records the group sequence it covers (ShopCheckpoint.covered_seq), so replay
// from the cut skips what a shop's checkpoint already holds. Start (after
// recovery) and Stop write a full checkpoint in one item.
//
// Packed shops: most shops are idle most of the time (a million shops, a
// few thousand active in any minute), and a live ShopState costs several
// times its snapshot (hash maps, order slots, indexes). A shop that is
// clean (checkpointed) and has had no event or acknowledgement for
// Context::pack_idle is packed: its state is kept, still in memory, as its
// paged snapshot (head, order and record pages; ~25 bytes per order) and the
// live state is freed. Everything else about it (alert book, deadline, profile)
// stays in the ShopEntry. Any use unpacks it (a parse, microseconds for a
// small shop); a shop that was only read keeps its packed bytes, so packing
// it again is free. Packing runs as its own slices (kPackSliceTime, at
// kCheckpointSliceGap) over all shops once per checkpoint round; shops
// loaded at start-up are packed as they load (their checkpoint bytes are
// the packed form), so a restart does not parse-and-hold every shop.
#ifndef DEPOSITD_DAEMON_SHARD_H_
#define DEPOSITD_DAEMON_SHARD_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "daemon/checkpoint_round.h"
#include "daemon/committer.h"
#include "daemon/dedupe.h"
#include "daemon/engine_clock.h"
#include "daemon/engine_internal.h"
#include "daemon/shard_loader.h"
#include "daemon/shard_replay.h"
#include "daemon/shard_state.h"
#include "daemon/shop_table.h"
#include "depositd/v1/alerts.pb.h"

namespace depositd::daemon {

// Push/Wake/stat getters are thread-safe; everything else runs on the shard
// thread (or, for Load*/Replay*/Checkpoint, before Start).
class Shard {
 public:
  using Context = ShardContext;
  using ReplayInput = depositd::daemon::ReplayInput;

  Shard(uint32_t id, Context context);
  ~Shard();

  uint32_t id() const { return state_.id; }

  // Queues a task. Thread-safe.
  void Push(ShardTask task);
  // Makes the thread look at its deadlines (after a test-clock change).
  void Wake();
  // Sets the committer (before Start).
  void SetCommitter(Committer* committer) { state_.ctx.committer = committer; }
  // Starts the thread. Stop is a kStop task: the shard finishes earlier
  // tasks, writes a final checkpoint and exits; Join waits for that.
  void Start();
  void Join();

  // --- recovery (before Start; see shard_loader.h, shard_replay.h) ---
  absl::Status LoadShop(absl::string_view key, absl::string_view bytes);
  absl::Status LoadPage(absl::string_view key, uint32_t page,
                        absl::string_view bytes);
  absl::Status CheckLoaded() const { return loader_.CheckLoaded(); }
  void LoadDedupe(absl::Time max_seen, const std::vector<DedupeKey>& keys);
  void AdoptBucket(uint64_t number, absl::Time max_seen) {
    loader_.AdoptBucket(number, max_seen);
  }
  // Re-applies one logged processing group's share for this shard.
  void ReplayGroup(absl::Time at, const ReplayInput& in);
  // The largest group sequence seen in loaded checkpoints and replayed
  // groups (the engine restarts the sequence after it).
  uint64_t max_seq_seen() const { return state_.max_seq_seen; }
  // A full checkpoint as of now, in one item (cut_mark and cut_commit):
  // every dirty shop, including the rest of an open round, and the new
  // dedupe ids. For start-up and stop.
  CommitItem Checkpoint(absl::Time now);

  // --- queries (shard thread) ---
  // The shop, unpacked (it stays unpacked until the next packing pass).
  const ShopEntry* Find(absl::string_view tenant, absl::string_view shop_id);
  // Visits shops with key > `after` in key order until fn returns false
  // (tenant watchdog entries are not shops and are skipped). A packed shop
  // is unpacked for its call and packed again after it.
  void ScanFrom(absl::string_view after,
                const std::function<bool(const ShopEntry&)>& fn);
  // Tests: packs every shop that may be packed now (clean, idle for
  // pack_idle, not a watchdog entry), regardless of pack_idle being zero
  // when `ignore_idle`. Returns how many were packed.
  int64_t PackAll(bool ignore_idle);
  // Every entry in key order (watchdog entries included: skip e->feed).
  const ShopTable::Ordered& ordered_shops() const {
    return state_.shops.ordered();
  }
  // The query indexes, refreshed to `now` first (every stale verdict
  // evaluated: shop_index.h), so they are exact at `now`.
  const ShopIndex& IndexAt(absl::Time now);
  // All firing alerts (recovery, before Start).
  std::vector<v1::Alert> FiringAlerts() const;
  EngineClock* clock() const { return state_.ctx.clock; }

  // --- stats (thread-safe) ---
  int64_t shop_count() const { return shop_count_.load(); }
  int64_t pending_deadlines() const { return pending_deadlines_.load(); }
  int64_t dedupe_ids() const { return dedupe_ids_.load(); }
  int64_t packed_shops() const { return packed_shops_.load(); }
  int64_t replayed_events() const { return replay_counts_.replayed_events; }

  // --- liveness (thread-safe, lock-free) ---
  // How long the shard's thread has been inside its current step (zero
  // while it waits for work, and before Start). A step takes milliseconds;
  // one that keeps growing means the thread is stuck. Read from a
  // monotonic tick the thread stores (relaxed) when a step starts and ends.
  absl::Duration CurrentStepTime() const;
  int64_t skipped_events() const { return replay_counts_.skipped_events; }

 private:
  void Run();
  // Runs one step over `tasks`; true when a kStop was among them.
  bool Step(std::vector<ShardTask>& tasks);
  void IngestTask(ShardTask& task, absl::Time now, CommitItem& item);
  void AckTask(ShardTask& task, absl::Time now, CommitItem& item);
  // kConfig (config_change.h): ends the step's group, then the change as a
  // group of its own.
  void ConfigTask(ShardTask& task, absl::Time now, CommitItem& item);
  // Fires due deadlines, runs the watchers, seals the record; pushes `item`
  // to the committer if it carries anything, and resets it.
  void FinishStep(absl::Time now, CommitItem& item);
  // Starts a checkpoint round (pushes the cut_mark item) and a packing
  // pass.
  void StartRound(absl::Time now);
  void UpdateStats();

  ShardState state_;  // shard thread only
  CheckpointRound round_;
  ShardLoader loader_;
  ReplayCounts replay_counts_;

  absl::Mutex mu_;
  std::vector<ShardTask> queue_ ABSL_GUARDED_BY(mu_);
  bool wake_ ABSL_GUARDED_BY(mu_) = false;
  int64_t next_deadline_ ABSL_GUARDED_BY(mu_) = kNoDeadline;
  std::thread thread_;

  std::atomic<int64_t> shop_count_{0};
  std::atomic<int64_t> pending_deadlines_{0};
  std::atomic<int64_t> dedupe_ids_{0};
  std::atomic<int64_t> packed_shops_{0};
  // Liveness: steady-clock nanos when the current step started; 0 while
  // the thread waits for work.
  std::atomic<int64_t> step_started_{0};
  // Wall clock of the index's last refresh slice (shard thread).
  absl::Time last_index_slice_ = absl::InfinitePast();
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_SHARD_H_
