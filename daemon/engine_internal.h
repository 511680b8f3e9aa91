// Private to daemon/: the messages passed between the engine's threads
// (ingest → shard → committer). See engine.h for the overall picture.
#ifndef DEPOSITD_DAEMON_ENGINE_INTERNAL_H_
#define DEPOSITD_DAEMON_ENGINE_INTERNAL_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "depositd/store/v1/log.pb.h"
#include "depositd/v1/alerts.pb.h"
#include "depositd/v1/events.pb.h"
#include "depositd/v1/service.pb.h"
#include "google/protobuf/arena.h"

namespace depositd::daemon {

class Shard;
struct RunningConfig;

// One client batch on its way to durability. Created by Engine::Ingest,
// completed by the committer when its last shard part is durable.
// Shards write results at distinct indices (no lock needed); the final
// decrement of `parts_left` (acq_rel) publishes them to the completer.
struct PendingBatch {
  // The client batch: shards read its events in place (IndexedEvent::event)
  // until the batch is committed. `batch` lives on `arena` when the service
  // parsed it there (no copy, one free), else it is `heap`.
  std::unique_ptr<google::protobuf::Arena> arena;
  std::unique_ptr<v1::EventBatch> heap;
  v1::EventBatch* batch = nullptr;
  // Shard parts whose events are not applied yet; the shard that applies
  // the last one frees the batch (events are in the log record by then), so
  // it is not held until the commit.
  std::atomic<int> parts_unapplied{0};
  v1::IngestAck ack;  // results pre-sized to the batch
  std::atomic<int> parts_left{0};
  int64_t admitted_events = 0;
  // MonotonicNanos() when the engine got the batch (ack latency metric).
  int64_t arrived_nanos = 0;
  std::function<void(PendingBatch*)> finish;  // called once, then deletes
};

// An event with its index in the client batch; `event` is owned by the
// batch's PendingBatch.
struct IndexedEvent {
  uint32_t index;
  uint64_t shop_hash;
  const v1::Event* event;
};

// Work for one shard, in arrival order.
struct ShardTask {
  enum Kind {
    kIngest,
    kQuery,
    kCheckpoint,
    kBarrier,
    kStop,
    kAck,
    kHeartbeat,
    kConfig
  };
  Kind kind = kIngest;
  // kIngest: the shard's part of a client batch, and the tenants of the
  // batch whose feed watchdog lives on this shard and is due a heartbeat
  // (applied with the part, so the ack covers a FEED_SILENT it clears).
  PendingBatch* batch = nullptr;
  std::vector<IndexedEvent> events;
  std::vector<std::string> heartbeats;
  int shard = -1;  // the shard it is for
  // kQuery: runs on the shard thread, after earlier tasks are applied.
  std::function<void(Shard&)> query;
  // kBarrier / kCheckpoint / kStop: runs on the committer thread once the
  // shard's output up to this task is durable.
  std::function<void()> on_durable;
  // kAck: acknowledge the firing alert `ack.key`; `ack_done` runs once: with
  // the error (NOT_FOUND) at once, or OK once the acknowledgement is durable.
  store::v1::AlertAck ack;
  std::function<void(absl::Status)> ack_done;
  // kHeartbeat: an event of `tenant` arrived (FEED_SILENT watchdog). With
  // `if_missing`, only creates the tenant's watchdog entry if it has none.
  std::string tenant;
  bool if_missing = false;
  // kConfig: move the shard to `config` at this point of its order
  // (config_change.h), in a logged group of its own; `on_durable` runs once
  // that group is durable, and *config_shops (when set) is increased by the
  // entries judged again. A shard already at that version does nothing.
  const RunningConfig* config = nullptr;
  std::atomic<int64_t>* config_shops = nullptr;
};

// A shard's output for one processing step (or one checkpoint), handed to
// the committer in the shard's order.
struct CommitItem {
  uint32_t shard = 0;
  // A serialized store.v1.LogRecord with one ShardPart, as two pieces
  // (header, body); both empty when the step logged nothing.
  std::string record_head;
  std::string record_body;
  // Alert transitions caused by the step (sequence assigned at commit).
  std::vector<v1::Alert> alerts;
  // Batches the step completes a part of.
  std::vector<PendingBatch*> batches;
  std::vector<std::function<void()>> on_durable;
  // Checkpoint round of the shard (see Shard): `cut_mark` takes the cut at
  // this item (covering all the shard's earlier items); shop_puts may come
  // in this and later items; `cut_commit` stores the last marked cut in the
  // checkpoint metadata (the round is complete). A full checkpoint (start,
  // stop) has both in one item.
  bool cut_mark = false;
  bool cut_commit = false;
  std::vector<std::pair<std::string, std::string>> shop_puts;
  std::vector<std::pair<uint64_t, std::string>> dedupe_puts;
  std::vector<uint64_t> dedupe_deletes;
  int64_t events_logged = 0;
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_ENGINE_INTERNAL_H_
