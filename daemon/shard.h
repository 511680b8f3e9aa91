// Shard: one thread that owns a hash range of shops (by ShopHash % shards):
// their state, alert books, deadline index and dedupe ids. Nothing in a shard
// is shared, so shop state needs no locks; other threads talk to a shard only
// through its task queue (Push) and get answers through callbacks.
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
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "daemon/committer.h"
#include "daemon/dedupe.h"
#include "daemon/engine_clock.h"
#include "daemon/engine_internal.h"
#include "daemon/packed_store.h"
#include "depositd/store/v1/log.pb.h"
#include "notifier/alert_book.h"
#include "watchers/profiles.h"
#include "watchers/risk_watchers.h"
#include "watchers/shop_state.h"

namespace depositd::daemon {

inline constexpr int64_t kNoDeadline = std::numeric_limits<int64_t>::max();

// A shop and everything the shard keeps about it. Owned by its shard.
struct ShopEntry {
  ShopEntry(absl::string_view k, uint64_t h, watchers::ShopState s)
      : key(k), shop_hash(h), state(std::move(s)) {}
  // tenant "\0" shop_id, in the shard's key blocks (lives as long as it).
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

// Budget of one checkpoint slice (see the Shard comment).
inline constexpr absl::Duration kCheckpointSliceTime = absl::Milliseconds(2);
inline constexpr size_t kCheckpointSliceBytes = 512 << 10;
inline constexpr absl::Duration kCheckpointSliceGap = absl::Milliseconds(5);
// Budget of one packing slice (checked every few shops).
inline constexpr absl::Duration kPackSliceTime = absl::Milliseconds(1);
// Bytes of packed shops moved per packing slice by compaction (see
// PackedStore).
inline constexpr size_t kCompactPerSlice = 256 << 10;

// "tenant\0shop_id".
std::string ShopKey(absl::string_view tenant, absl::string_view shop_id);
// The store key of a shop's page (an order or a record page, see
// ShopState::SerializeHead): ShopKey "\0" big-endian page number. Ids never
// contain '\0', so a key with two is a page, sorted right after its shop
// and in page order.
std::string PageKey(absl::string_view shop_key, uint32_t page);

// Push/Wake/stat getters are thread-safe; everything else runs on the shard
// thread (or, for Load*/Replay*/Checkpoint, before Start).
class Shard {
 public:
  struct Context {
    const watchers::ProfileRegistry* registry = nullptr;  // borrowed
    const watchers::RiskWatchers* watchers = nullptr;     // borrowed
    EngineClock* clock = nullptr;                         // borrowed
    Committer* committer = nullptr;                       // borrowed
    absl::Duration dedupe_window = absl::Hours(24 * 30);
    std::atomic<uint64_t>* next_bucket = nullptr;  // dedupe bucket numbers
    // The last group sequence taken (ProcessingGroup.seq), shared by all
    // shards; a shard takes the next one when it seals a group.
    std::atomic<uint64_t>* group_seq = nullptr;
    // False only in tests that simulate a crash (recovery must replay).
    bool checkpoint_on_stop = true;
    // Repeat intervals of firing alerts (from the routes); null: no repeats.
    const notifier::RepeatPolicy* repeat = nullptr;
    // FEED_SILENT: the silence after which a tenant's feed counts as blind;
    // zero or unset: not watched.
    std::function<absl::Duration(absl::string_view tenant)> feed_silence;
    // Tests only: at most this many shops per checkpoint slice; 0: none.
    int checkpoint_slice_shops = 0;
    // Tests only: Engine::Options::checkpoint_slice_gate and
    // on_checkpoint_slice_durable.
    std::function<bool(uint32_t shard, int written)> checkpoint_slice_gate;
    std::function<void(uint32_t shard, int written, bool round_done)>
        on_checkpoint_slice_durable;
    // Idle time (engine clock) after which a clean shop is packed; zero:
    // shops are never packed.
    absl::Duration pack_idle = absl::ZeroDuration();
  };

  Shard(uint32_t id, Context context);
  ~Shard();

  uint32_t id() const { return id_; }

  // Queues a task. Thread-safe.
  void Push(ShardTask task);
  // Makes the thread look at its deadlines (after a test-clock change).
  void Wake();
  // Sets the committer (before Start).
  void SetCommitter(Committer* committer) { ctx_.committer = committer; }
  // Starts the thread. Stop is a kStop task: the shard finishes earlier
  // tasks, writes a final checkpoint and exits; Join waits for that.
  void Start();
  void Join();

  // --- recovery (before Start) ---
  // Adds a shop from its checkpoint (key = ShopKey). DATA_LOSS if corrupt.
  absl::Status LoadShop(absl::string_view key, absl::string_view bytes);
  // Adds page `page` (an order or a record page) to the shop `key` loaded
  // just before (pages come in order after their shop, as the store sorts
  // them). DATA_LOSS if the shop is unknown or the page does not fit.
  absl::Status LoadPage(absl::string_view key, uint32_t page,
                        absl::string_view bytes);
  // After loading: DATA_LOSS if a shop's checkpoint announced pages that
  // were not found.
  absl::Status CheckLoaded() const;
  void LoadDedupe(absl::Time max_seen, const std::vector<DedupeKey>& keys);
  // This shard deletes persisted bucket `number` once it expires.
  void AdoptBucket(uint64_t number, absl::Time max_seen);
  // Re-applies one logged processing group's share for this shard.
  // Order as live: events and heartbeats, then acknowledgements, then the
  // watchers for touched and fired shops.
  struct ReplayInput {
    std::vector<const v1::Event*> events;
    std::vector<const store::v1::ShopRef*> fired;
    std::vector<const store::v1::AlertAck*> acks;
    std::vector<const std::string*> heartbeats;
    uint64_t seq = 0;  // the group's ProcessingGroup.seq
    bool empty() const {
      return events.empty() && fired.empty() && acks.empty() &&
             heartbeats.empty();
    }
    void clear() {
      events.clear();
      fired.clear();
      acks.clear();
      heartbeats.clear();
    }
  };
  void ReplayGroup(absl::Time at, const ReplayInput& in);
  // The largest group sequence seen in loaded checkpoints and replayed
  // groups (the engine restarts the sequence after it).
  uint64_t max_seq_seen() const { return max_seq_seen_; }
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
  // All firing alerts (recovery, before Start).
  std::vector<v1::Alert> FiringAlerts() const;
  EngineClock* clock() const { return ctx_.clock; }

  // --- stats (thread-safe) ---
  int64_t shop_count() const { return shop_count_.load(); }
  int64_t pending_deadlines() const { return pending_deadlines_.load(); }
  int64_t dedupe_ids() const { return dedupe_ids_.load(); }
  int64_t packed_shops() const { return packed_shops_.load(); }
  int64_t replayed_events() const { return replayed_events_; }
  int64_t skipped_events() const { return skipped_events_; }

 private:
  void Run();
  // Runs one step over `tasks`; true when a kStop was among them.
  bool Step(std::vector<ShardTask>& tasks);
  void IngestTask(ShardTask& task, absl::Time now, CommitItem& item);
  void AckTask(ShardTask& task, absl::Time now, CommitItem& item);
  // Records that `tenant` was heard at `now`; false when `if_missing` and
  // the entry exists (nothing done). Appends it to the step's log record
  // when `log` (live steps; replay writes nothing).
  bool Heartbeat(const std::string& tenant, bool if_missing, absl::Time now,
                 bool log);
  // Fires due deadlines, runs the watchers, seals the record; pushes `item`
  // to the committer if it carries anything, and resets it.
  void FinishStep(absl::Time now, CommitItem& item);
  ShopEntry* FindMutable(absl::string_view tenant, absl::string_view shop_id);
  // `profile` was resolved for the profile name `resolved_for`.
  ShopEntry* Insert(absl::string_view key, uint64_t hash,
                    watchers::ShopState state,
                    const watchers::ResolvedProfile* profile,
                    absl::string_view resolved_for);
  void Touch(ShopEntry* e);
  // Changed since the last checkpoint: unpacks it and drops its packed
  // bytes (they no longer match).
  void MarkDirty(ShopEntry* e);
  // Makes e->state usable (parses the packed bytes, keeping them). A
  // packed snapshot that does not parse is memory corruption: it aborts.
  ShopEntry* Live(ShopEntry* e);
  // Packs a live, clean, non-watchdog shop: builds its packed bytes unless
  // it has them, and frees the live state. Returns false (the shop stays
  // live, a warning is printed) when its bytes cannot be stored.
  bool Pack(ShopEntry* e);
  // Whether e may be packed at `now_nanos` (ignore_idle: idle or not).
  bool Packable(const ShopEntry& e, int64_t now_nanos, bool ignore_idle) const;
  // The next packing slice of the open pass (and some compaction).
  void PackSlice(int64_t now_nanos);
  // Start-up: stores the gathered bytes of `loading_` and packs it.
  // RESOURCE_EXHAUSTED when the bytes cannot be mapped (start-up fails).
  absl::Status FinishLoading();
  void Schedule(ShopEntry* e, absl::Time next_check, absl::Time now);
  void ReResolveProfile(ShopEntry* e);
  // Starts a checkpoint round (pushes the cut_mark item).
  void StartRound(absl::Time now);
  // Writes the next slice of the open round into `item`; completes the
  // round when it writes the last shop.
  void CheckpointSlice(CommitItem& item);
  // Whether the open round may write its next slice now (the previous one
  // is durable; tests: the slice gate lets it).
  bool SliceDue() const;
  // Seals the dedupe ids accepted since the last seal (their pieces taken
  // into `ck` now with `take_all`, else by the round's slices) and expires
  // old buckets.
  void SealDedupe(absl::Time now, CommitItem& ck, bool take_all);
  // Adds the next piece of sealed dedupe ids to `ck`; its bytes (0: none).
  size_t TakeDedupePiece(CommitItem& ck);
  // One shop's checkpoint, covering the current group sequence, appended
  // to `puts`: its record (key) and the pages changed since its last
  // checkpoint (PageKey). Returns the bytes appended.
  size_t PutEntry(ShopEntry& e,
                  std::vector<std::pair<std::string, std::string>>* puts);
  // Runs watchers for touched_ (events) and fired_ (deadlines).
  void CheckShops(absl::Time now, std::vector<v1::Alert>* transitions,
                  std::string* fired_body);
  void UpdateStats();

  const uint32_t id_;
  Context ctx_;

  absl::Mutex mu_;
  std::vector<ShardTask> queue_ ABSL_GUARDED_BY(mu_);
  bool wake_ ABSL_GUARDED_BY(mu_) = false;
  int64_t next_deadline_ ABSL_GUARDED_BY(mu_) = kNoDeadline;
  std::thread thread_;

  // Shard thread only.
  absl::flat_hash_map<absl::string_view, ShopEntry*> shops_;
  // Entries and their keys are allocated in blocks, apart from the live
  // states' many small blocks: allocated one by one they sat between them,
  // so a packed shop's freed state left every page in use and the
  // resident size did not drop. Entries are never removed.
  static constexpr size_t kEntriesPerBlock = 256;
  static constexpr size_t kKeyBlockBytes = 64 << 10;
  std::vector<std::unique_ptr<unsigned char[]>> entry_blocks_;
  size_t entries_in_last_block_ = kEntriesPerBlock;
  PackedStore packed_store_;
  // Start-up: the shop whose packed bytes are being gathered (its head,
  // then its pages as they load), and the index of the page it expects
  // next. Its pages are only checked (ShopState::CheckPage), not indexed:
  // it is packed once the last one is in.
  ShopEntry* loading_ = nullptr;
  std::string loading_bytes_;
  uint32_t loading_page_ = 0;
  std::vector<std::unique_ptr<char[]>> key_blocks_;
  size_t key_block_size_ = 0;
  size_t key_block_used_ = 0;
  absl::btree_map<absl::string_view, ShopEntry*> ordered_;
  absl::btree_set<std::pair<int64_t, ShopEntry*>> deadlines_;
  DedupeIndex dedupe_;
  std::vector<std::pair<uint64_t, absl::Time>> owned_buckets_;
  std::vector<ShopEntry*> dirty_;
  // Checkpoint rounds.
  bool round_requested_ = false;
  bool round_active_ = false;
  std::vector<ShopEntry*> round_pending_;  // dirty when the round started
  size_t round_next_ = 0;                  // next index to write
  int round_slices_ = 0;                   // slices the open round wrote
  absl::Time last_slice_ = absl::InfinitePast();  // wall clock
  // The last slice is not durable yet (cleared by the committer thread).
  std::atomic<bool> slice_in_flight_{false};
  std::vector<std::function<void()>> round_waiters_;  // on_durable at commit
  std::vector<std::function<void()>> next_waiters_;   // for the next round
  uint64_t max_seq_seen_ = 0;
  // Packing passes: one per checkpoint round, in key order from
  // pack_cursor_ (exclusive; empty: from the start).
  bool pack_active_ = false;
  std::string pack_cursor_;
  absl::Time last_pack_ = absl::InfinitePast();  // wall clock
  // Engine-clock nanos of the current step (Touch stamps last_used).
  int64_t now_nanos_ = 0;
  int64_t packed_count_ = 0;  // shops with live == false
  std::vector<ShopEntry*> touched_;
  std::vector<ShopEntry*> fired_;
  uint64_t step_ = 0;
  std::string record_body_;
  std::string key_scratch_;
  int64_t replayed_events_ = 0;
  int64_t skipped_events_ = 0;
  int64_t pages_missing_ = 0;  // announced by loaded shops, not yet loaded

  std::atomic<int64_t> shop_count_{0};
  std::atomic<int64_t> pending_deadlines_{0};
  std::atomic<int64_t> dedupe_ids_{0};
  std::atomic<int64_t> packed_shops_{0};
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_SHARD_H_
