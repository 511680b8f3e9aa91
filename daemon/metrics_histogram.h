// HistogramCell: a Prometheus-style histogram recorded by ONE thread and
// read by any, for the hot path (committer, shards): no lock, no
// read-modify-write instruction. Each writer owns its own cell (one per
// shard, one for the committer); a scrape reads every cell and merges them
// into a HistogramSnapshot (Merge), which metrics.cc turns into a
// prometheus histogram family.
//
// Why not prometheus::Histogram: prometheus-cpp 1.0.1's Histogram::Observe
// takes a mutex, which shard threads would share.
//
// Buckets are fixed at construction (upper bounds, increasing; +Inf is
// implied). Observe finds the bucket by a linear scan (about a dozen
// bounds) and bumps its count and the sum with relaxed load+store: safe
// because only the owning thread writes. A scrape may see an observation's
// count without its sum (or the reverse) for an instant; counts are
// monotonic and the exported _count is the sum of the bucket counts, so
// the exposition stays self-consistent.
//
// Thread-safety: Observe from the owning thread only; Snapshot / Merge
// from any thread.
#ifndef DEPOSITD_DAEMON_METRICS_HISTOGRAM_H_
#define DEPOSITD_DAEMON_METRICS_HISTOGRAM_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace depositd::daemon {

// A histogram as read at one moment: per-bucket (not cumulative) counts,
// one per bound plus the +Inf bucket last, and the sum of observations.
struct HistogramSnapshot {
  std::vector<double> bounds;
  std::vector<uint64_t> counts;  // bounds.size() + 1
  double sum = 0;

  uint64_t count() const;
  // Adds `other` (same bounds) into this one; empty `this` takes its bounds.
  void Merge(const HistogramSnapshot& other);
};

class HistogramCell {
 public:
  // `bounds`: increasing upper bounds (the le labels), without +Inf.
  explicit HistogramCell(std::vector<double> bounds);
  HistogramCell(const HistogramCell&) = delete;
  HistogramCell& operator=(const HistogramCell&) = delete;

  // Owning thread only.
  void Observe(double value) {
    size_t i = 0;
    const size_t n = bounds_.size();
    while (i < n && value > bounds_[i]) ++i;
    counts_[i].store(counts_[i].load(std::memory_order_relaxed) + 1,
                     std::memory_order_relaxed);
    sum_.store(sum_.load(std::memory_order_relaxed) + value,
               std::memory_order_relaxed);
  }

  HistogramSnapshot Snapshot() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  const std::vector<double> bounds_;
  const std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<double> sum_{0};
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_METRICS_HISTOGRAM_H_
