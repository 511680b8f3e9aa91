// EngineMetrics: the figures the engine records on its hot path for
// /metrics (ack latency, commit groups and their synced writes, alert
// transitions, checkpoint rounds, deadline lateness, ingest refusals),
// kept so that recording never takes a lock shared between shards:
//
//   ShardMetrics      one per shard, written only by that shard's thread
//                     (deadline lateness, checkpoint rounds)
//   CommitterMetrics  written only by the committer thread (ack latency,
//                     group size, write time, batches, transitions, log
//                     bytes not checkpointed)
//   refusals          relaxed atomic counters bumped by gRPC threads on the
//                     (rare) refusal of a batch
//
// Histograms are HistogramCells (metrics_histogram.h); each writer's
// structure sits on its own cache lines. Snapshot() merges them at scrape
// time into HotPathFigures, which metrics.h maps to families.
//
// Thread-safety: as above for writers; Snapshot from any thread. The
// object outlives the engine's threads (the engine owns it).
#ifndef DEPOSITD_DAEMON_ENGINE_METRICS_H_
#define DEPOSITD_DAEMON_ENGINE_METRICS_H_

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "daemon/metrics_histogram.h"

namespace depositd::daemon {

// Monotonic nanoseconds (std::chrono::steady_clock), for durations.
inline int64_t MonotonicNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Why an ingest call refused a batch before taking it.
enum class IngestRefusal {
  kUndecodable,      // INVALID_ARGUMENT: the request does not parse
  kBatchTooLarge,    // INVALID_ARGUMENT: over kMaxEventsPerBatch
  kStoreUnwritable,  // the store refuses writes (disk full, I/O error)
  kCount,
};

struct alignas(64) ShardMetrics {
  ShardMetrics();
  // Engine-clock time between a deadline's due time and the step that fired
  // it (live steps only, not replay).
  HistogramCell deadline_lateness_seconds;
  // One observation per completed checkpoint round of the shard: from its
  // start to its last slice written, and the bytes it wrote.
  HistogramCell checkpoint_round_seconds;
  HistogramCell checkpoint_round_bytes;
};

// AlertKind and AlertChange values are small proto enums.
inline constexpr int kMetricAlertKinds = 16;
inline constexpr int kMetricAlertChanges = 8;

struct alignas(64) CommitterMetrics {
  CommitterMetrics();
  // Owning (committer) thread only: counts a committed transition.
  void CountTransition(int kind, int change) {
    if (kind < 0 || kind >= kMetricAlertKinds || change < 0 ||
        change >= kMetricAlertChanges) {
      return;
    }
    std::atomic<uint64_t>& c = transitions[kind][change];
    c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  void CountBatch() {
    batches.store(batches.load(std::memory_order_relaxed) + 1,
                  std::memory_order_relaxed);
  }

  // From the batch's arrival at the engine to its ack going out.
  HistogramCell ack_latency_seconds;
  // Events logged per group commit, and the time of its synced write.
  HistogramCell commit_group_events;
  HistogramCell commit_fsync_seconds;
  std::atomic<uint64_t> batches{0};
  std::array<std::array<std::atomic<uint64_t>, kMetricAlertChanges>,
             kMetricAlertKinds>
      transitions{};
  // Bytes of log records written by this process after the last
  // checkpoint's cut.
  std::atomic<uint64_t> log_bytes_not_checkpointed{0};
};

// What a scrape reports of the above, merged over shards.
struct HotPathFigures {
  HistogramSnapshot ack_latency_seconds;
  HistogramSnapshot commit_group_events;
  HistogramSnapshot commit_fsync_seconds;
  HistogramSnapshot checkpoint_round_seconds;
  HistogramSnapshot checkpoint_round_bytes;
  HistogramSnapshot deadline_lateness_seconds;
  uint64_t batches = 0;
  struct Transitions {
    std::string kind;    // "INACTIVITY", ... (the AlertKind name)
    std::string change;  // "OPENED", ... (the AlertChange name)
    uint64_t count = 0;
  };
  // Only the (kind, change) pairs seen since start.
  std::vector<Transitions> transitions;
  // Every IngestRefusal reason ("undecodable", "batch_too_large",
  // "store_unwritable"), zero included.
  std::vector<std::pair<std::string, uint64_t>> refusals;
  uint64_t log_bytes_not_checkpointed = 0;
};

class EngineMetrics {
 public:
  explicit EngineMetrics(int shards);
  EngineMetrics(const EngineMetrics&) = delete;
  EngineMetrics& operator=(const EngineMetrics&) = delete;

  ShardMetrics* shard(int i) { return shards_[i].get(); }
  CommitterMetrics* committer() { return committer_.get(); }
  // Any thread.
  void CountRefusal(IngestRefusal reason) {
    refusals_[static_cast<int>(reason)].fetch_add(1, std::memory_order_relaxed);
  }

  HotPathFigures Snapshot() const;

 private:
  std::vector<std::unique_ptr<ShardMetrics>> shards_;
  std::unique_ptr<CommitterMetrics> committer_;
  std::array<std::atomic<uint64_t>, static_cast<int>(IngestRefusal::kCount)>
      refusals_{};
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_ENGINE_METRICS_H_
