#include "daemon/dedupe.h"

#include <vector>

#include "daemon/stable_hash.h"
#include "gtest/gtest.h"

namespace depositd::daemon {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1767225600);  // 2026-01-01

DedupeKey Key(absl::string_view shop, absl::string_view id) {
  const uint64_t h = ShopHash("t1", shop);
  return DedupeKey{h, EventIdHash(h, id)};
}

TEST(StableHashTest, ValuesAreStableAcrossBuilds) {
  // Routing and persisted dedupe keys depend on these exact values.
  EXPECT_EQ(Fnv1a64(""), 14695981039346656037ull);
  EXPECT_EQ(Fnv1a64("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_NE(ShopHash("ab", "c"), ShopHash("a", "bc"));
  EXPECT_EQ(ShopHash("t1", "s1"), ShopHash("t1", "s1"));
}

TEST(DedupeIndexTest, RemembersIdsPerShop) {
  DedupeIndex index;
  index.Insert(Key("s1", "e1"), kT0);
  EXPECT_TRUE(index.Contains(Key("s1", "e1")));
  EXPECT_FALSE(index.Contains(Key("s1", "e2")));
  EXPECT_FALSE(index.Contains(Key("s2", "e1")));
  index.Insert(Key("s1", "e1"), kT0);  // idempotent
  EXPECT_EQ(index.size(), 1u);
}

TEST(DedupeIndexTest, SealedBucketRoundTripsAndExpires) {
  DedupeIndex index;
  index.Insert(Key("s1", "e1"), kT0);
  index.Insert(Key("s1", "e2"), kT0 + absl::Hours(1));
  absl::Time max_seen;
  const std::string bucket = index.SealForCheckpoint(&max_seen);
  ASSERT_FALSE(bucket.empty());
  EXPECT_EQ(max_seen, kT0 + absl::Hours(1));
  absl::Time none;
  EXPECT_TRUE(index.SealForCheckpoint(&none).empty());  // nothing new

  absl::Time parsed_max;
  std::vector<DedupeKey> keys;
  ASSERT_TRUE(DedupeIndex::ParseBucket(bucket, &parsed_max, &keys).ok());
  EXPECT_EQ(parsed_max, max_seen);
  ASSERT_EQ(keys.size(), 2u);
  DedupeIndex loaded;
  loaded.AddSealed(parsed_max, keys);
  EXPECT_TRUE(loaded.Contains(Key("s1", "e2")));

  index.Insert(Key("s1", "e3"), kT0 + absl::Hours(48));
  // The sealed generation (newest 01:00) expires; the open one stays.
  EXPECT_EQ(index.ExpireBefore(kT0 + absl::Hours(2)), 2u);
  EXPECT_FALSE(index.Contains(Key("s1", "e1")));
  EXPECT_TRUE(index.Contains(Key("s1", "e3")));
}

TEST(DedupeIndexTest, CorruptBucketIsDataLoss) {
  absl::Time t;
  std::vector<DedupeKey> keys;
  EXPECT_EQ(DedupeIndex::ParseBucket("\xff\xff\xff", &t, &keys).code(),
            absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace depositd::daemon
