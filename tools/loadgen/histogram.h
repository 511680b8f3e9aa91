// LatencyHistogram: a log-linear histogram of non-negative integer values
// (nanoseconds in depositd-loadgen), in the manner of HdrHistogram: every
// power of two is split into 2^kSubBucketBits equal sub-buckets, so any
// recorded value is known to within 1/2^kSubBucketBits (0.78%) of itself,
// whatever its magnitude, in a fixed 58 KiB of counters. Values below
// 2^(kSubBucketBits+1) are exact.
//
// Why not keep every sample and sort: a 60-second run at a million events a
// second has too many, and per-thread histograms merge exactly.
//
//   LatencyHistogram h;
//   h.Record(absl::ToInt64Nanoseconds(ack_time - send_time));
//   ...
//   int64_t p99 = h.ValueAtPercentile(99.0);
//
// Percentiles report the highest value equivalent to the bucket holding the
// requested rank (an upper bound, never under-reporting), clamped to the
// largest value recorded; min, max and mean are exact.
//
// Thread-safety: not thread-safe. Give each thread its own histogram and
// Merge() them, or guard one with a mutex.
#ifndef DEPOSITD_TOOLS_LOADGEN_HISTOGRAM_H_
#define DEPOSITD_TOOLS_LOADGEN_HISTOGRAM_H_

#include <cstdint>
#include <vector>

namespace depositd::loadgen {

class LatencyHistogram {
 public:
  // Sub-buckets per power of two: 2^7 = 128.
  static constexpr int kSubBucketBits = 7;

  LatencyHistogram();

  // Adds one value (`count` times). Negative values are recorded as 0.
  void Record(int64_t value, int64_t count = 1);
  // Adds every value recorded in `other`.
  void Merge(const LatencyHistogram& other);
  void Reset();

  int64_t count() const { return count_; }
  // 0 when empty.
  int64_t min() const { return count_ == 0 ? 0 : min_; }
  int64_t max() const { return max_; }
  double mean() const;

  // The value at or below which `percentile` (0..100) percent of the
  // recorded values lie, to within the bucket's width. 0 when empty;
  // percentile >= 100 gives max().
  int64_t ValueAtPercentile(double percentile) const;

  // One point of the percentile curve, for plots.
  struct Point {
    double percentile;
    int64_t value;
    int64_t count_at_or_below;
  };
  // The curve at percentiles 0, 50, 75, 87.5, … (halving the remainder each
  // time, `ticks_per_half` points per halving), ending at 100: the usual
  // HdrHistogram percentile distribution. Empty when nothing was recorded.
  std::vector<Point> PercentileCurve(int ticks_per_half = 5) const;

  // Bucket arithmetic, exposed for tests.
  static int BucketIndex(int64_t value);
  static int64_t BucketLowest(int index);
  static int64_t BucketHighest(int index);
  static int BucketCount();

 private:
  std::vector<int64_t> counts_;
  int64_t count_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
  // Sum in long double: 1e9 samples of 1e9 ns overflow int64.
  long double sum_ = 0;
};

}  // namespace depositd::loadgen

#endif  // DEPOSITD_TOOLS_LOADGEN_HISTOGRAM_H_
