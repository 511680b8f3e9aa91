#include "daemon/engine_metrics.h"

#include <utility>

#include "depositd/v1/alerts.pb.h"

namespace depositd::daemon {
namespace {

// Bucket bounds (the le labels). Latencies from 0.5 ms (a group commit
// without fsync) to 10 s (a stalled disk); writes from 0.1 ms; groups from
// one event to a full batch; rounds up to 5 min and 1 GiB.
std::vector<double> AckLatencyBounds() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
          0.1,    0.25,  0.5,    1,     2.5,  5,     10};
}
std::vector<double> WriteBounds() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
          0.025,  0.05,    0.1,    0.25,  0.5,    1,     2.5};
}
std::vector<double> GroupBounds() {
  return {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000};
}
std::vector<double> RoundSecondsBounds() {
  return {0.001, 0.01, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};
}
std::vector<double> RoundBytesBounds() {
  return {1024,    4096,     16384,    65536,     262144,    1048576,
          4194304, 16777216, 67108864, 268435456, 1073741824};
}
std::vector<double> LatenessBounds() {
  return {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60, 300};
}

const char* RefusalName(IngestRefusal r) {
  switch (r) {
    case IngestRefusal::kUndecodable:
      return "undecodable";
    case IngestRefusal::kBatchTooLarge:
      return "batch_too_large";
    case IngestRefusal::kStoreUnwritable:
      return "store_unwritable";
    case IngestRefusal::kCount:
      break;
  }
  return "unknown";
}

}  // namespace

ShardMetrics::ShardMetrics()
    : deadline_lateness_seconds(LatenessBounds()),
      checkpoint_round_seconds(RoundSecondsBounds()),
      checkpoint_round_bytes(RoundBytesBounds()) {}

CommitterMetrics::CommitterMetrics()
    : ack_latency_seconds(AckLatencyBounds()),
      commit_group_events(GroupBounds()),
      commit_fsync_seconds(WriteBounds()) {}

EngineMetrics::EngineMetrics(int shards)
    : committer_(std::make_unique<CommitterMetrics>()) {
  for (int i = 0; i < shards; ++i) {
    shards_.push_back(std::make_unique<ShardMetrics>());
  }
}

HotPathFigures EngineMetrics::Snapshot() const {
  HotPathFigures f;
  const CommitterMetrics& c = *committer_;
  f.ack_latency_seconds = c.ack_latency_seconds.Snapshot();
  f.commit_group_events = c.commit_group_events.Snapshot();
  f.commit_fsync_seconds = c.commit_fsync_seconds.Snapshot();
  f.batches = c.batches.load(std::memory_order_relaxed);
  f.log_bytes_not_checkpointed =
      c.log_bytes_not_checkpointed.load(std::memory_order_relaxed);
  f.deadline_lateness_seconds.bounds = LatenessBounds();
  f.deadline_lateness_seconds.counts.assign(
      f.deadline_lateness_seconds.bounds.size() + 1, 0);
  f.checkpoint_round_seconds.bounds = RoundSecondsBounds();
  f.checkpoint_round_seconds.counts.assign(
      f.checkpoint_round_seconds.bounds.size() + 1, 0);
  f.checkpoint_round_bytes.bounds = RoundBytesBounds();
  f.checkpoint_round_bytes.counts.assign(
      f.checkpoint_round_bytes.bounds.size() + 1, 0);
  for (const auto& s : shards_) {
    f.deadline_lateness_seconds.Merge(s->deadline_lateness_seconds.Snapshot());
    f.checkpoint_round_seconds.Merge(s->checkpoint_round_seconds.Snapshot());
    f.checkpoint_round_bytes.Merge(s->checkpoint_round_bytes.Snapshot());
  }
  for (int k = 0; k < kMetricAlertKinds; ++k) {
    for (int ch = 0; ch < kMetricAlertChanges; ++ch) {
      const uint64_t n = c.transitions[k][ch].load(std::memory_order_relaxed);
      if (n == 0) continue;
      const std::string& kind =
          v1::AlertKind_IsValid(k) ? v1::AlertKind_Name(k) : "";
      const std::string& change =
          v1::AlertChange_IsValid(ch) ? v1::AlertChange_Name(ch) : "";
      f.transitions.push_back({kind.empty() ? std::to_string(k) : kind,
                               change.empty() ? std::to_string(ch) : change,
                               n});
    }
  }
  for (int r = 0; r < static_cast<int>(IngestRefusal::kCount); ++r) {
    f.refusals.emplace_back(RefusalName(static_cast<IngestRefusal>(r)),
                            refusals_[r].load(std::memory_order_relaxed));
  }
  return f;
}

}  // namespace depositd::daemon
