// Engine: depositd's processing core behind the gRPC services.
//
// Threads
//   - gRPC callback threads call Ingest and the queries. Ingest validates
//     each event (watchers::ValidateEvent), splits the batch by shard
//     (stable ShopHash(tenant, shop) % shards) and queues one task per
//     shard; it never blocks: a batch that does not fit the in-flight budget
//     (Options::max_inflight_events) waits in a FIFO and `accepted` runs
//     when it is queued, so the stream reactor holds its next read until
//     then and HTTP/2 flow control slows the client.
//   - N shard threads (shard.h) own the shops: dedupe, apply, watchers,
//     alert transitions, deadlines. No locks on shop state.
//   - One committer thread (committer.h): group commit. Everything shards
//     produced while the previous write was syncing becomes one log record
//     + its alert transitions in one WriteBatch, one fsync (--sync=fsync) or
//     one write() (--sync=os). Acks go out only after that write.
//   - One checkpoint timer thread: every checkpoint_interval it asks each
//     shard for a checkpoint (dirty shops, new dedupe ids, alert books,
//     deadlines) which the committer writes with that shard's cut (the log
//     position its state includes), then drops the log before the lowest
//     cut.
//
// Recovery (Create)
//   1. load every shop checkpoint and dedupe bucket, routed by shop hash (so
//      the shard count may change between runs);
//   2. replay log records after the cuts: each ShardPart group is re-applied
//      at its logged processing time (events, then watchers for touched and
//      logged deadline-fired shops), giving the same state and alert books;
//      a shop whose checkpoint covers the group (covered_seq) skips it. Steps
//      1 and 2 run per shard in parallel (shard_feeder.h);
//   3. with a new shard count, write a startup checkpoint (cuts = end of
//      log); with the same, keep the cuts (the first round writes the
//      replayed shops). Start the threads; the shards' first step fires
//      deadlines that passed while down, once.
//
// Determinism: a log record holds everything the state depends on: accepted
// events in apply order, the processing time of each group, and the shops
// whose deadline firing changed an alert. Rejections depend only on state,
// so rejected events and duplicates are not logged.
//
// Components (each in its own files): recovery.h (steps 1-3 above),
// admission.h (the in-flight budget), request_checks.h (what a request must
// satisfy before it reaches a shard), shop_queries.h (GetShop, Explain,
// ListShops as shard tasks), shard.h and its parts, committer.h,
// alert_hub.h, silence_registry.h. Live steps and replay apply events
// through the same function (event_apply.h).
#ifndef DEPOSITD_DAEMON_ENGINE_H_
#define DEPOSITD_DAEMON_ENGINE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "daemon/alert_hub.h"
#include "daemon/config_versions.h"
#include "daemon/engine_clock.h"
#include "daemon/engine_internal.h"
#include "daemon/engine_metrics.h"
#include "daemon/silence_registry.h"
#include "depositd/v1/service.pb.h"
#include "notifier/alert_book.h"
#include "watchers/profiles.h"
#include "watchers/risk_watchers.h"

namespace depositd::daemon {

class Admission;
class Committer;
class EventLog;
class Shard;
class Store;

inline constexpr int kMaxEventsPerBatch = 10000;

// Thread-safe.
class Engine {
 public:
  struct Options {
    std::string data_dir = "./var/depositd";
    // true: fsync the WAL before acks; false: write() only.
    bool sync = true;
    // 0: the number of cores.
    int shards = 0;
    absl::Duration checkpoint_interval = absl::Seconds(5);
    absl::Duration dedupe_window = absl::Hours(24 * 30);
    // Events accepted into shard queues but not yet durable, at most.
    int64_t max_inflight_events = 200000;
    // The configuration, when the daemon runs with one (depositd: always,
    // the empty one without --config). Set: it is recorded as a
    // configuration version (config_versions.h), every shard is moved to it
    // after recovery when it differs from the one recorded last, and
    // ApplyConfig works; `registry`, `repeat` and `feed_silence` are then
    // built from it and the fields below are ignored. Unset (tests): the
    // borrowed `registry`, `repeat` and `feed_silence` are version 0.
    std::optional<v1::DaemonConfig> config;
    const watchers::ProfileRegistry* registry = nullptr;  // borrowed
    EngineClock* clock = nullptr;                         // borrowed
    // Tests only: false makes Stop skip the final checkpoint, as a crash
    // would, so the next Create must replay the log.
    bool checkpoint_on_stop = true;
    // How long an unacknowledged firing alert waits before it repeats
    // (from the routes: notifier::AlertRouter::RepeatInterval). Unset: no
    // repeats.
    notifier::RepeatPolicy repeat;
    // FEED_SILENT: tenants watched, with the silence after which their feed
    // counts as blind (TenantConfig.feed_silence_minutes).
    std::map<std::string, absl::Duration> feed_silence;
    // Tests only: Store::Options::test_write_buffer_bytes (tiny memtables,
    // constant compactions, DIR/compactions.trace). 0: off.
    size_t store_test_write_buffer_bytes = 0;
    // Tests only: at most this many shops per checkpoint slice, so a round
    // spans many steps (see shard.h). 0: by kCheckpointSliceTime/Bytes.
    int checkpoint_slice_shops = 0;
    // Tests only, so a test can crash inside a round at a chosen point
    // without sleeping: `checkpoint_slice_gate(shard, written)` is asked
    // (on the shard's thread) before each slice of an open round with the
    // slices the round has written; false holds the round there, as if the
    // process died inside it. `on_checkpoint_slice_durable(shard, written,
    // round_done)` runs on the committer's thread once each slice is
    // durable.
    std::function<bool(uint32_t shard, int written)> checkpoint_slice_gate;
    std::function<void(uint32_t shard, int written, bool round_done)>
        on_checkpoint_slice_durable;
    // A clean shop with no event, acknowledgement or query for this long
    // (engine clock) is held packed, as its snapshot bytes (see shard.h);
    // zero: never.
    absl::Duration pack_idle = absl::Seconds(60);
  };

  struct RecoveryStats {
    int64_t shops = 0;
    int64_t dedupe_ids = 0;
    int64_t replayed_records = 0;
    int64_t replayed_events = 0;
    // Logged events a shop's checkpoint already held (written by a later
    // slice of the round that was open at the crash): skipped.
    int64_t skipped_events = 0;
    int64_t firing_alerts = 0;
    uint64_t log_position = 0;
    uint64_t alert_sequence = 0;
    absl::Duration took;
    // The configuration version in force after start-up, and the shops
    // judged again because it differs from the one they ran under (a new
    // file, or a reload a crash interrupted).
    uint64_t config_version = 0;
    int64_t config_shops = 0;
  };

  // What ApplyConfig did.
  struct ConfigApplied {
    uint64_t version = 0;
    bool changed = false;           // false: the configuration was in force
    int64_t shops_reevaluated = 0;  // entries judged again, all shards
  };

  // Opens the store, recovers and starts the threads. Errors: the store's
  // (data dir in use, corruption), DATA_LOSS for undecodable records.
  static absl::StatusOr<std::unique_ptr<Engine>> Create(const Options& options);
  ~Engine();

  int shard_count() const;
  const RecoveryStats& recovery() const { return recovery_; }

  // Ingests a batch (events are moved out). `accepted` runs once the batch
  // is queued (possibly inside this call); `done` runs once with the ack,
  // after every accepted event is durable. Batches over kMaxEventsPerBatch
  // get every event REJECTED.
  void Ingest(v1::EventBatch batch, std::function<void()> accepted,
              std::function<void(v1::IngestAck)> done);
  // The same for a batch parsed on its own arena (the ingest stream does
  // this: parsing is bump allocation and freeing the batch is one call).
  // The engine keeps `arena` until the ack; the events are read in place.
  // A `batch` that is not on `arena` is copied.
  void Ingest(std::unique_ptr<google::protobuf::Arena> arena,
              v1::EventBatch* batch, std::function<void()> accepted,
              std::function<void(v1::IngestAck)> done);

  // Queries run on the owning shard thread(s); `done` runs there.
  void GetShop(const v1::GetShopRequest& request,
               std::function<void(absl::StatusOr<v1::ReadinessReport>)> done);
  void Explain(const v1::ExplainRequest& request,
               std::function<void(absl::StatusOr<v1::ExplainResponse>)> done);
  void ListShops(
      const v1::ListShopsRequest& request,
      std::function<void(absl::StatusOr<v1::ListShopsResponse>)> done);

  // Shops by verdict and risk kind (the shards' indexes), for
  // Readiness.CountShops; `done` runs on a shard thread.
  void CountShops(
      const v1::CountShopsRequest& request,
      std::function<void(absl::StatusOr<v1::CountShopsResponse>)> done);

  // Firing alerts; each carries silenced_by when a silence matches it now.
  absl::StatusOr<v1::ListAlertsResponse> ListAlerts(
      const v1::ListAlertsRequest& request) const;
  // Acknowledges a firing alert: `done` runs once, OK after the
  // acknowledgement (and its ACKNOWLEDGED transition) is durable;
  // INVALID_ARGUMENT for a malformed key, NOT_FOUND when nothing with that
  // key is firing. Acknowledging twice is OK (no second transition).
  void Acknowledge(const v1::AcknowledgeRequest& request,
                   std::function<void(absl::Status)> done);
  // Adds a persisted silence (durable when this returns). INVALID_ARGUMENT
  // for no matchers, an unknown kind or severity, a shop without its tenant,
  // or an end time not in the future (engine clock) or over a year away.
  absl::StatusOr<v1::SilenceResponse> Silence(
      const v1::SilenceRequest& request);
  // Silences as the sinks see them (engine clock).
  const notifier::AlertSilencer* silencer() const { return silences_.get(); }
  AlertHub* alert_hub() { return hub_.get(); }
  // The store, borrowed for the engine's lifetime (the sink dispatcher keeps
  // its cursors in the meta family).
  Store* store() { return store_.get(); }

  v1::StatsResponse Stats() const;
  // The hot-path metric cells (engine_metrics.h): the services count
  // refusals into it, /metrics reads Snapshot(). Thread-safe.
  EngineMetrics& metrics() const { return *metrics_; }

  // Liveness of the shard threads, for /livez: the longest time any shard
  // has spent inside its current processing step (zero when every shard is
  // waiting for work). Steps take milliseconds, so a value that keeps
  // growing (seconds) means a shard thread is stuck and acks behind it
  // wait. Lock-free (one relaxed atomic per shard); thread-safe; zero
  // before the shards start.
  absl::Duration LongestShardStep() const;
  // The same with the shard it is (shard -1 and zero when every shard
  // waits for work), for /livez to name it.
  struct ShardStep {
    int shard = -1;
    absl::Duration time = absl::ZeroDuration();
  };
  ShardStep SlowestShardStep() const;
  // The effective profiles for `tenant` / `shop_id` (empty: defaults) and
  // every calendar (Admin.GetConfig). INTERNAL only if the registry cannot
  // resolve one of its own profiles. Thread-safe (the registry is
  // immutable).
  absl::Status EffectiveConfig(absl::string_view tenant,
                               absl::string_view shop_id,
                               v1::GetConfigResponse* out) const;

  // Makes `config` the configuration in force (live reload): records it as
  // a new version unless it is the one in force, then moves every shard to
  // it in its order of work (each shop the change can move judged again
  // under it, config_change.h; logged, so a replay agrees) and returns once
  // that is durable. The file's standing silences (config_silences.h)
  // replace the previous version's at once. Ingest goes on
  // meanwhile; each shard pauses for the time it takes to judge its shops.
  // One call at a time (others wait). INVALID_ARGUMENT for a configuration
  // the registry or router refuse (check it with config_loader.h first for
  // the line); FAILED_PRECONDITION for an engine without Options::config;
  // the store's error when recording fails (nothing changed then).
  absl::StatusOr<ConfigApplied> ApplyConfig(const v1::DaemonConfig& config);
  // The configuration in force (never null). Thread-safe.
  const RunningConfig* config() const {
    return current_config_.load(std::memory_order_acquire);
  }

  // OK while the store accepts writes. After a failed write (disk full, I/O
  // error), until its automatic retry succeeds: RESOURCE_EXHAUSTED ("disk
  // full in DIR: ...") or UNAVAILABLE, saying what to do. Batches ingested
  // meanwhile wait (their acks too), so the services refuse new ones with
  // this status. Reads keep working. Thread-safe.
  absl::Status WritableStatus() const;

  // Told when writes start failing (WritableStatus() turns non-OK, or its
  // reason changes): e.g. an ingest stream whose reads are held by flow
  // control, which must end now rather than wait for an ack. Called on the
  // committer thread; must not block. Thread-safe.
  class WriteErrorListener {
   public:
    virtual ~WriteErrorListener() = default;
    virtual void OnWriteError(const absl::Status& status) = 0;
  };
  // Held weakly: a listener that is gone is dropped. Thread-safe.
  void AddWriteErrorListener(std::weak_ptr<WriteErrorListener> listener);

  // Test clock (FAILED_PRECONDITION without one). Set/Advance return (via
  // `done`) after the deadlines that passed have fired and their alerts are
  // durable and published.
  absl::StatusOr<absl::Time> TestClockNow() const;
  void SetTestClock(absl::Time t, std::function<void(absl::Status)> done);
  void AdvanceTestClock(absl::Duration d,
                        std::function<void(absl::Status)> done);

  // Drains queued batches, writes a final checkpoint and stops the threads.
  // Call after the gRPC server stopped accepting. Idempotent.
  void Stop();

  // Asks every shard for a checkpoint round now (as the timer does); `done`
  // runs (on the committer thread) once every shard's round that started
  // after this call is durable.
  void RequestCheckpoint(std::function<void()> done);

  // Tests and benchmarks: packs every clean shop now (see shard.h), idle
  // or not; returns how many were packed. Blocks until every shard did.
  int64_t PackAllShops();

 private:
  explicit Engine(const Options& options);
  absl::Status Recover();
  void CheckpointLoop();
  // Both Ingest: validates and routes pending->batch.
  void IngestPending(PendingBatch* pending, std::function<void()> accepted,
                     std::function<void(v1::IngestAck)> done);
  void FinishBatch(PendingBatch* batch);
  void Barrier(std::function<void(absl::Status)> done);
  // Tells the watchdog that `tenant` was heard (rate-limited per tenant).
  bool HeartbeatDue(const std::string& tenant);
  Shard* ShardFor(absl::string_view tenant, absl::string_view shop_id) const;
  // Moves every shard to `config` (kConfig tasks) and waits until durable;
  // returns the entries judged again. engine_config.cc.
  int64_t MoveShardsTo(const RunningConfig* config);
  // Creates the FEED_SILENT watchdog entries of `config`'s watched tenants
  // that have none, and waits until they exist.
  void CreateWatchdogEntries(const RunningConfig* config);

  Options options_;
  // Made by Recover (with the shard count), before the threads that record
  // into it.
  std::unique_ptr<EngineMetrics> metrics_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<Committer> committer_;
  std::unique_ptr<AlertHub> hub_;
  std::unique_ptr<SilenceRegistry> silences_;
  // Every configuration version (config_versions.h) and the one in force.
  std::unique_ptr<ConfigVersions> configs_;
  std::atomic<const RunningConfig*> current_config_{nullptr};
  absl::Mutex apply_config_mu_;  // one ApplyConfig at a time
  watchers::RiskWatchers watchers_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<uint64_t> next_bucket_{1};
  std::atomic<uint64_t> group_seq_{0};  // last ProcessingGroup.seq taken
  RecoveryStats recovery_;

  // The in-flight event budget (admission.h).
  std::unique_ptr<Admission> admission_;

  void NotifyWriteError(const absl::Status& status);
  absl::Mutex listeners_mu_;
  std::vector<std::weak_ptr<WriteErrorListener>> listeners_
      ABSL_GUARDED_BY(listeners_mu_);
  size_t prune_listeners_at_ ABSL_GUARDED_BY(listeners_mu_) = 64;

  // Watchdog heartbeats: when each watched tenant's last one was sent.
  absl::Mutex heard_mu_;
  std::map<std::string, absl::Time> heard_ ABSL_GUARDED_BY(heard_mu_);

  std::atomic<int64_t> applied_{0};
  std::atomic<int64_t> duplicates_{0};
  std::atomic<int64_t> rejected_{0};

  absl::Mutex stop_mu_;
  bool stopping_ ABSL_GUARDED_BY(stop_mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(stop_mu_) = false;
  std::thread checkpoint_thread_;
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_ENGINE_H_
