#include "daemon/shard_feeder.h"

#include <atomic>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace depositd::daemon {
namespace {

// Each shard sees exactly its items, in the order they were added, whatever
// the chunk size (including a last, partial chunk).
TEST(ShardFeederTest, EachShardGetsItsItemsInOrder) {
  for (size_t chunk : {1u, 7u, 512u}) {
    SCOPED_TRACE(absl::StrCat("chunk ", chunk));
    constexpr int kShards = 3;
    std::vector<std::vector<int>> seen(kShards);
    ShardFeeder<int> feeder(kShards, chunk, [&](int shard, int& v) {
      seen[shard].push_back(v);  // one thread per shard: no lock needed
      return absl::OkStatus();
    });
    for (int v = 0; v < 10000; ++v) ASSERT_TRUE(feeder.Add(v % kShards, v));
    ASSERT_TRUE(feeder.Finish().ok());
    for (int s = 0; s < kShards; ++s) {
      ASSERT_EQ(seen[s].size(), s == 0 ? 3334u : 3333u);
      for (size_t i = 0; i < seen[s].size(); ++i) {
        ASSERT_EQ(seen[s][i], static_cast<int>(i) * kShards + s);
      }
    }
  }
}

// The first failure is returned by Finish; Add says false from then on, and
// a shard that failed keeps draining so the caller never blocks on it.
TEST(ShardFeederTest, FirstErrorStopsTheFeedAndIsReturned) {
  std::atomic<int> applied{0};
  ShardFeeder<int> feeder(2, 1, [&](int shard, int& v) {
    if (shard == 1 && v == 51) return absl::DataLossError("item 51 is bad");
    ++applied;
    return absl::OkStatus();
  });
  bool refused = false;
  for (int v = 0; v < 200000 && !refused; ++v) {
    refused = !feeder.Add(v % 2, v);
  }
  EXPECT_TRUE(refused);
  absl::Status s = feeder.Finish();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(s.message(), "item 51 is bad");
  EXPECT_EQ(feeder.Finish(), s);  // idempotent
  EXPECT_GT(applied.load(), 0);
}

}  // namespace
}  // namespace depositd::daemon
