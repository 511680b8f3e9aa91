// Recovery: rebuilds the shards' state at start-up from the store, before
// any shard thread runs (Engine::Create calls these in order):
//   1. ReadCheckpointMeta: the cuts (log positions each shard's checkpoint
//      includes);
//   2. LoadShopCheckpoints and LoadDedupeBuckets: every shop checkpoint (and
//      its pages) and dedupe bucket, routed by shop hash, so the shard count
//      may change between runs;
//   3. ReplayLog: the log records after the cuts, each ShardPart group
//      re-applied at its logged processing time (shard_replay.h);
//   4. WriteStartupCheckpoint, when the cuts cannot be kept: a full
//      checkpoint of every shard that moves every cut to the end of the log.
// Steps 2 and 3 run per shard in parallel (shard_feeder.h): this thread
// reads the store and routes; each shard's share runs on a loader thread of
// its own.
//
// Errors: the store's; DATA_LOSS naming what does not parse. Call from one
// thread, before the shards start.
#ifndef DEPOSITD_DAEMON_RECOVERY_H_
#define DEPOSITD_DAEMON_RECOVERY_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "daemon/config_versions.h"
#include "daemon/event_log.h"
#include "daemon/shard.h"
#include "daemon/store.h"
#include "depositd/store/v1/checkpoint.pb.h"

namespace depositd::daemon {

using ShardList = std::vector<std::unique_ptr<Shard>>;

// The checkpoint metadata (empty when none was written yet).
absl::StatusOr<store::v1::CheckpointMeta> ReadCheckpointMeta(
    const Store& store);

// The last alert sequence in the alert log (0: empty).
absl::StatusOr<uint64_t> LastAlertSequence(const Store& store);

// Step 2a: every shop checkpoint and page into its shard.
absl::Status LoadShopCheckpoints(const Store& store, const ShardList& shards);

// Step 2b: every dedupe bucket's ids into their shards; each bucket is
// adopted (deleted once expired) by shard number % shards. Sets
// *next_bucket past the largest bucket number.
absl::Status LoadDedupeBuckets(const Store& store, const ShardList& shards,
                               std::atomic<uint64_t>* next_bucket);

// Step 3: replays the records after `meta`'s cuts; returns how many records
// were read. Each group runs under the configuration version it logged
// (from `versions`; DATA_LOSS for one not recorded); a configuration
// change goes to every shard, for the shops of the shard that logged it.
absl::StatusOr<int64_t> ReplayLog(const EventLog& log,
                                  const store::v1::CheckpointMeta& meta,
                                  const ConfigVersions& versions,
                                  const ShardList& shards);

// Step 4: a full checkpoint of every shard as of `now`, with every cut at
// the log's last position, and the log before it dropped; one synced
// write.
absl::Status WriteStartupCheckpoint(Store& store, EventLog& log,
                                    const ShardList& shards, absl::Time now);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_RECOVERY_H_
