// ShardState: what one shard owns, shared by the shard's components
// (shard.h: the step loop; event_apply.h: applying events, heartbeats and
// acknowledgements; shop_checks.h: watchers and deadlines; shard_loader.h;
// shard_replay.h; checkpoint_round.h): its shops (ShopTable, PackedShops),
// their deadline index, its dedupe ids and the step's bookkeeping (the
// shops the step touched or fired, the shops dirty since the last
// checkpoint, the step's log record).
//
// Not thread-safe; owned by one Shard and used only on its thread (before
// Start: on the thread loading or replaying it).
#ifndef DEPOSITD_DAEMON_SHARD_STATE_H_
#define DEPOSITD_DAEMON_SHARD_STATE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "daemon/dedupe.h"
#include "daemon/engine_clock.h"
#include "daemon/engine_metrics.h"
#include "daemon/log_record_writer.h"
#include "daemon/packed_shops.h"
#include "daemon/shop_index.h"
#include "daemon/shop_table.h"
#include "notifier/alert_book.h"
#include "watchers/profiles.h"
#include "watchers/risk_watchers.h"

namespace depositd::daemon {

class Committer;
struct RunningConfig;

// What a shard is given (Shard::Context). Pointers are borrowed and outlive
// the shard.
struct ShardContext {
  const watchers::ProfileRegistry* registry = nullptr;
  const watchers::RiskWatchers* watchers = nullptr;
  EngineClock* clock = nullptr;
  Committer* committer = nullptr;
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
  // This shard's metric cells (engine_metrics.h), written on its thread
  // only; null: not recorded.
  ShardMetrics* metrics = nullptr;
  // The configuration version `registry`, `repeat` and `feed_silence` come
  // from (config_change.h); its number is logged with each group.
  const RunningConfig* config = nullptr;
};

class ShardState {
 public:
  ShardState(uint32_t id, ShardContext context)
      : id(id), ctx(std::move(context)), packed(id, ctx.pack_idle) {}
  ShardState(const ShardState&) = delete;
  ShardState& operator=(const ShardState&) = delete;

  // Changed by the current step: stamps last_used, lists it for the
  // watchers (once per step) and marks it dirty.
  void Touch(ShopEntry* e);
  // Changed since the last checkpoint: unpacks it and drops its packed
  // bytes (they no longer match).
  void MarkDirty(ShopEntry* e);
  // e, unpacked (see PackedShops::Unpack).
  ShopEntry* Live(ShopEntry* e) { return packed.Unpack(e); }
  // Lists e for the watchers of this step as a shop whose deadline fired.
  void Fire(ShopEntry* e);
  // Sets e's one pending deadline (InfiniteFuture: none). A check asked
  // for at or before `now` is moved a second later (it would spin).
  void Schedule(ShopEntry* e, absl::Time next_check, absl::Time now);
  // After a ShopRegistered: resolves the shop's profile again if its name
  // changed (an unknown name keeps the old profile).
  void ReResolveProfile(ShopEntry* e);
  // e's readiness report at `now` (unpacked for the call and packed again
  // if it was packed): the index's evaluator.
  v1::ReadinessReport EvaluateShop(ShopEntry* e, absl::Time now);
  // Starts a processing step at `at` (live or replayed).
  void BeginStep(absl::Time at) {
    ++step;
    now_nanos = absl::ToUnixNanos(at);
  }

  const uint32_t id;
  ShardContext ctx;

  // Declared before `shops`, so the entries (which hold Refs into it) go
  // first.
  PackedShops packed;
  ShopTable shops;
  // The query indexes over `shops` (shop_index.h).
  ShopIndex index{
      [this](ShopEntry* e, absl::Time now) { return EvaluateShop(e, now); }};
  // (Unix nanos, shop): every shop's pending check, one per shop.
  absl::btree_set<std::pair<int64_t, ShopEntry*>> deadlines;
  DedupeIndex dedupe;
  // Persisted dedupe buckets this shard deletes once they expire.
  std::vector<std::pair<uint64_t, absl::Time>> owned_buckets;
  // Dirty since the last checkpoint round started.
  std::vector<ShopEntry*> dirty;
  // The current step's shops for the watchers: changed, and deadline due.
  std::vector<ShopEntry*> touched;
  std::vector<ShopEntry*> fired;
  uint64_t step = 0;
  // Engine-clock nanos of the current step (Touch stamps last_used).
  int64_t now_nanos = 0;
  // The current step's share of the log record (live steps only).
  LogRecordWriter record;
  // The largest group sequence seen in loaded checkpoints and replayed
  // groups.
  uint64_t max_seq_seen = 0;
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_SHARD_STATE_H_
