// JetStreamCheckpoints: a partition's checkpoint in JetStream, so that any
// node can load it and replay the partition log (daemon/jetstream_log.h)
// after its cut, and the log before the cut can be purged.
//
// Layout, all in the KV bucket depositd_checkpoints (history 1, so every
// key holds one value and storage stays bounded):
//   p<partition>                 the manifest: format line, partition, cut
//                                (the last log sequence the checkpoint
//                                includes), the write id, the sections
//                                (name and size, in order), the chunk count
//                                and size, the body's length and FNV-1a 64.
//   p<partition>.<write>.<i>     chunk i of the body (the sections' bytes
//                                concatenated) of write id
//                                w<expected revision>-<random 64-bit hex>.
// A body is cut into chunks below the connection's max payload (1 MiB by
// default). Every write puts its chunks under its own id, so no two
// writers (a stale owner racing the new one) ever touch each other's
// chunks; then it writes the manifest, last, with a revision-checked
// update. Once that landed at a revision above R, no write that expected
// R or less can land any more: their chunks (the previous checkpoint's,
// and those of writes that died or lost) are purged then. So a write that
// stops half-way leaves the previous checkpoint whole and loadable.
//
// Contract:
// - Write() is for the partition's owner: it passes the manifest revision
//   it last saw (Load()'s, 0 when none). If anyone wrote a manifest since,
//   or the cut is below the stored one or above the log's last sequence,
//   it is refused with FAILED_PRECONDITION and the stored checkpoint stays.
// - Load() by any node returns the checkpoint byte for byte, or NOT_FOUND
//   when the partition has none. A manifest depositd did not write, one of
//   another partition, or a body whose length or checksum disagrees is
//   DATA_LOSS with what to do, never a crash.
// - PurgeLogBefore() removes the partition's log records with sequence
//   <= the cut; later records stay readable.
// - UNAVAILABLE when NATS cannot answer within the client's request timeout.
//
// Thread-safety: thread-safe (no mutable state; libnats is). Writers of one
// partition are fenced by the manifest revision, not by a lock.
#ifndef DEPOSITD_DAEMON_JETSTREAM_CHECKPOINTS_H_
#define DEPOSITD_DAEMON_JETSTREAM_CHECKPOINTS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "daemon/nats_client.h"
#include "daemon/nats_kv.h"

namespace depositd::daemon {

inline constexpr char kCheckpointBucket[] = "depositd_checkpoints";
inline constexpr char kCheckpointFormat[] = "depositd-checkpoint 1";

// A partition's state at its cut. Sections are opaque bytes named by the
// engine (e.g. "shops", "dedupe", "alerts", "deadlines"); names are
// letters, digits, '_' and '-', and unique.
struct PartitionCheckpoint {
  int partition = 0;
  // The last log sequence included; replay starts at cut + 1.
  uint64_t cut = 0;
  std::vector<std::pair<std::string, std::string>> sections;
};

struct LoadedCheckpoint {
  PartitionCheckpoint checkpoint;
  // The manifest's revision: what the owner's next Write() expects.
  uint64_t revision = 0;
};

// What the manifest says (for status tools: no chunk is read).
struct CheckpointManifest {
  int partition = 0;
  uint64_t cut = 0;
  // The write id its chunks are under.
  std::string write_id;
  uint64_t body_bytes = 0;
  int chunks = 0;
  uint64_t chunk_bytes = 0;
  // FNV-1a 64 of the body.
  uint64_t fnv64 = 0;
  // Name and size of each section, in body order.
  std::vector<std::pair<std::string, uint64_t>> sections;
  uint64_t revision = 0;
};

struct JetStreamCheckpointsOptions {
  int replicas = 3;
  // Bytes per chunk; 0: the connection's max payload less 64 KiB for
  // headers.
  size_t chunk_bytes = 0;
};

class JetStreamCheckpoints {
 public:
  // Creates or verifies the bucket. `client` must outlive the result.
  static absl::StatusOr<std::unique_ptr<JetStreamCheckpoints>> Open(
      NatsClient* client, const JetStreamCheckpointsOptions& options);

  // Writes `checkpoint` if the partition's manifest revision is still
  // `expect_revision` (0: no manifest yet) and `log_last` (the partition
  // log's last sequence, JetStreamLog::LastSequence) >= its cut. Returns
  // the new manifest revision.
  absl::StatusOr<uint64_t> Write(const PartitionCheckpoint& checkpoint,
                                 uint64_t expect_revision, uint64_t log_last);
  absl::StatusOr<LoadedCheckpoint> Load(int partition) const;
  absl::StatusOr<CheckpointManifest> Manifest(int partition) const;
  // The same without opening (never creates the bucket; NOT_FOUND when it
  // does not exist): for status tools.
  static absl::StatusOr<CheckpointManifest> ReadManifest(NatsClient* client,
                                                         int partition);

  // Purges the partition's log records with sequence <= cut.
  absl::Status PurgeLogBefore(int partition, uint64_t cut);

  // The layout's keys (documented above; tests use them to stage a
  // crashed write).
  static std::string ManifestKey(int partition);
  static std::string ChunkKey(int partition, absl::string_view write_id,
                              int index);

 private:
  JetStreamCheckpoints(NatsClient* client, size_t chunk_bytes)
      : client_(client),
        kv_(client, kCheckpointBucket),
        chunk_bytes_(chunk_bytes) {}
  // Purges the chunks of the partition's writes that expected a revision
  // <= `up_to`, except those of `keep` (a write id).
  absl::Status PurgeChunks(int partition, uint64_t up_to,
                           absl::string_view keep);

  NatsClient* client_;
  NatsKv kv_;
  size_t chunk_bytes_;
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_JETSTREAM_CHECKPOINTS_H_
