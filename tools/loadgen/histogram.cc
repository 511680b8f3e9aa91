#include "tools/loadgen/histogram.h"

#include <algorithm>
#include <cmath>

namespace depositd::loadgen {
namespace {

constexpr int kSub = 1 << LatencyHistogram::kSubBucketBits;
// Highest bit position of a positive int64 is 62.
constexpr int kBuckets = (62 - LatencyHistogram::kSubBucketBits + 2) * kSub;

int HighestBit(uint64_t v) { return 63 - __builtin_clzll(v); }

}  // namespace

LatencyHistogram::LatencyHistogram() : counts_(kBuckets, 0) {}

int LatencyHistogram::BucketCount() { return kBuckets; }

int LatencyHistogram::BucketIndex(int64_t value) {
  if (value < 2 * kSub) return static_cast<int>(std::max<int64_t>(value, 0));
  const int shift = HighestBit(static_cast<uint64_t>(value)) - kSubBucketBits;
  // value >> shift keeps the leading one and kSubBucketBits bits below it:
  // a mantissa in [kSub, 2 * kSub).
  return shift * kSub + static_cast<int>(value >> shift);
}

int64_t LatencyHistogram::BucketLowest(int index) {
  if (index < 2 * kSub) return index;
  const int shift = index / kSub - 1;
  const int64_t mantissa = index - shift * kSub;
  return mantissa << shift;
}

int64_t LatencyHistogram::BucketHighest(int index) {
  if (index < 2 * kSub) return index;
  const int shift = index / kSub - 1;
  return BucketLowest(index) + ((int64_t{1} << shift) - 1);
}

void LatencyHistogram::Record(int64_t value, int64_t count) {
  if (count <= 0) return;
  if (value < 0) value = 0;
  counts_[BucketIndex(value)] += count;
  if (count_ == 0 || value < min_) min_ = value;
  if (value > max_) max_ = value;
  count_ += count;
  sum_ += static_cast<long double>(value) * count;
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  for (int i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  if (count_ == 0 || other.min_ < min_) min_ = other.min_;
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
}

void LatencyHistogram::Reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  min_ = 0;
  max_ = 0;
  sum_ = 0;
}

double LatencyHistogram::mean() const {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_ / count_);
}

int64_t LatencyHistogram::ValueAtPercentile(double percentile) const {
  if (count_ == 0) return 0;
  if (percentile >= 100.0) return max_;
  if (percentile <= 0.0) return min_;
  int64_t rank = static_cast<int64_t>(
      std::ceil(percentile / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<int64_t>(rank, 1, count_);
  int64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      return std::max(min_, std::min(BucketHighest(i), max_));
    }
  }
  return max_;
}

std::vector<LatencyHistogram::Point> LatencyHistogram::PercentileCurve(
    int ticks_per_half) const {
  std::vector<Point> out;
  if (count_ == 0) return out;
  ticks_per_half = std::max(1, ticks_per_half);
  // Cumulative counts for count_at_or_below.
  auto count_at_or_below = [&](int64_t value) {
    int64_t c = 0;
    const int last = BucketIndex(value);
    for (int i = 0; i <= last; ++i) c += counts_[i];
    return c;
  };
  double p = 0.0;
  // Stop once the remaining fraction is finer than one sample.
  while ((100.0 - p) / 100.0 * static_cast<double>(count_) >= 1.0) {
    const int64_t v = ValueAtPercentile(p);
    out.push_back({p, v, count_at_or_below(v)});
    const int halvings =
        static_cast<int>(std::floor(std::log2(100.0 / (100.0 - p)))) + 1;
    p += 100.0 / (ticks_per_half * std::pow(2.0, halvings));
    if (out.size() > 10000) break;
  }
  out.push_back({100.0, max_, count_});
  return out;
}

}  // namespace depositd::loadgen
