#include "tools/loadgen/histogram.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace depositd::loadgen {
namespace {

TEST(LatencyHistogramTest, EmptyReportsZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.mean(), 0.0);
  EXPECT_EQ(h.ValueAtPercentile(50), 0);
  EXPECT_TRUE(h.PercentileCurve().empty());
}

TEST(LatencyHistogramTest, SmallValuesAreExact) {
  LatencyHistogram h;
  for (int64_t v = 0; v < 256; ++v) h.Record(v);
  EXPECT_EQ(h.count(), 256);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), 255);
  EXPECT_DOUBLE_EQ(h.mean(), 127.5);
  // Rank ceil(0.5 * 256) = 128 is the value 127.
  EXPECT_EQ(h.ValueAtPercentile(50), 127);
  EXPECT_EQ(h.ValueAtPercentile(99), 253);
  EXPECT_EQ(h.ValueAtPercentile(100), 255);
}

TEST(LatencyHistogramTest, BucketsAreContiguousAndCoverInt64) {
  int64_t expected_low = 0;
  for (int i = 0; i < LatencyHistogram::BucketCount(); ++i) {
    ASSERT_EQ(LatencyHistogram::BucketLowest(i), expected_low) << i;
    ASSERT_GE(LatencyHistogram::BucketHighest(i),
              LatencyHistogram::BucketLowest(i));
    ASSERT_EQ(LatencyHistogram::BucketIndex(LatencyHistogram::BucketLowest(i)),
              i);
    ASSERT_EQ(LatencyHistogram::BucketIndex(LatencyHistogram::BucketHighest(i)),
              i);
    if (i + 1 < LatencyHistogram::BucketCount()) {
      expected_low = LatencyHistogram::BucketHighest(i) + 1;
    }
  }
  EXPECT_EQ(
      LatencyHistogram::BucketHighest(LatencyHistogram::BucketCount() - 1),
      INT64_MAX);
}

TEST(LatencyHistogramTest, RelativeErrorIsBounded) {
  // Every value lands in a bucket no wider than 1/128 of its lowest value.
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100000; ++i) {
    const int64_t v = static_cast<int64_t>((rng() >> 1) >> (rng() % 63));
    const int b = LatencyHistogram::BucketIndex(v);
    const int64_t lo = LatencyHistogram::BucketLowest(b);
    const int64_t hi = LatencyHistogram::BucketHighest(b);
    ASSERT_LE(lo, v);
    ASSERT_GE(hi, v);
    ASSERT_LE(static_cast<double>(hi - lo),
              static_cast<double>(lo) / 128.0 + 1.0)
        << v;
  }
}

TEST(LatencyHistogramTest, PercentilesMatchSortedSamplesWithinResolution) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(13.0, 1.0);  // ~0.4 ms median
  std::vector<int64_t> samples;
  LatencyHistogram h;
  for (int i = 0; i < 200000; ++i) {
    const int64_t v = static_cast<int64_t>(dist(rng));
    samples.push_back(v);
    h.Record(v);
  }
  std::sort(samples.begin(), samples.end());
  for (double p : {1.0, 50.0, 90.0, 99.0, 99.9}) {
    const size_t rank =
        static_cast<size_t>(std::ceil(p / 100 * samples.size()));
    const int64_t exact = samples[rank - 1];
    const int64_t got = h.ValueAtPercentile(p);
    EXPECT_GE(got, exact) << p;  // never under-reports
    EXPECT_LE(static_cast<double>(got - exact), exact / 128.0 + 1.0) << p;
  }
  EXPECT_EQ(h.min(), samples.front());
  EXPECT_EQ(h.max(), samples.back());
  EXPECT_EQ(h.ValueAtPercentile(100), samples.back());
}

TEST(LatencyHistogramTest, MergeEqualsRecordingEverythingInOne) {
  LatencyHistogram a, b, all;
  for (int64_t v = 1; v <= 10000; ++v) {
    (v % 3 == 0 ? a : b).Record(v * 1000);
    all.Record(v * 1000);
  }
  a.Merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  EXPECT_DOUBLE_EQ(a.mean(), all.mean());
  for (double p : {10.0, 50.0, 99.0, 99.99}) {
    EXPECT_EQ(a.ValueAtPercentile(p), all.ValueAtPercentile(p)) << p;
  }
}

TEST(LatencyHistogramTest, RecordWithCountAndNegativeClamp) {
  LatencyHistogram h;
  h.Record(-5);
  h.Record(1000000, 99);
  EXPECT_EQ(h.count(), 100);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.ValueAtPercentile(1), 0);
  EXPECT_GE(h.ValueAtPercentile(2), 1000000);
  EXPECT_LE(h.ValueAtPercentile(2), 1000000 + 1000000 / 128);
  h.Reset();
  EXPECT_EQ(h.count(), 0);
  EXPECT_EQ(h.max(), 0);
}

TEST(LatencyHistogramTest, PercentileCurveIsMonotoneAndEndsAtMax) {
  LatencyHistogram h;
  for (int64_t v = 1; v <= 100000; ++v) h.Record(v * 10);
  const std::vector<LatencyHistogram::Point> curve = h.PercentileCurve(5);
  ASSERT_GT(curve.size(), 20u);
  EXPECT_EQ(curve.front().percentile, 0.0);
  EXPECT_EQ(curve.back().percentile, 100.0);
  EXPECT_EQ(curve.back().value, h.max());
  EXPECT_EQ(curve.back().count_at_or_below, h.count());
  for (size_t i = 1; i < curve.size(); ++i) {
    EXPECT_GT(curve[i].percentile, curve[i - 1].percentile);
    EXPECT_GE(curve[i].value, curve[i - 1].value);
    EXPECT_GE(curve[i].count_at_or_below, curve[i - 1].count_at_or_below);
  }
  // Points get denser towards the tail: past 99% there are several.
  const auto tail =
      std::count_if(curve.begin(), curve.end(),
                    [](const auto& p) { return p.percentile > 99; });
  EXPECT_GE(tail, 10);
}

}  // namespace
}  // namespace depositd::loadgen
