#include "daemon/dedupe.h"

#include <vector>

#include "absl/strings/str_cat.h"
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
  // Pinned: a change here moves shops between shards and forgets every
  // persisted dedupe id.
  EXPECT_EQ(ShopHash("t1", "s1"), 0x35dd230a1dc7d443ull);
  EXPECT_EQ(ShopHash("acme", "tts-us-001"), 0xe0dafe460bcd5755ull);
  EXPECT_EQ(EventIdHash(ShopHash("t1", "s1"), "e1"), 0x81b70fccc8e6730full);
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
  index.Seal();
  EXPECT_TRUE(index.has_untaken());
  const std::string bucket = index.TakeSealedPiece(100, &max_seen);
  ASSERT_FALSE(bucket.empty());
  EXPECT_EQ(max_seen, kT0 + absl::Hours(1));
  EXPECT_FALSE(index.has_untaken());
  index.Seal();  // nothing new
  absl::Time none;
  EXPECT_TRUE(index.TakeSealedPiece(100, &none).empty());

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

// A sealed generation is handed out in pieces of at most max_ids, oldest
// generation first, each piece a bucket that loads back; every id is in
// exactly one piece, and a generation that expires before all of its pieces
// were taken is dropped.
TEST(DedupeIndexTest, SealedIdsAreTakenInBoundedPieces) {
  DedupeIndex index;
  for (int i = 0; i < 10; ++i) {
    index.Insert(Key("s1", absl::StrCat("a", i)), kT0 + absl::Minutes(i));
  }
  index.Seal();
  for (int i = 0; i < 5; ++i) {
    index.Insert(Key("s2", absl::StrCat("b", i)), kT0 + absl::Hours(5));
  }
  index.Seal();
  struct Piece {
    size_t ids;
    absl::Time max_seen;
  };
  const std::vector<Piece> want = {{4, kT0 + absl::Minutes(9)},
                                   {4, kT0 + absl::Minutes(9)},
                                   {2, kT0 + absl::Minutes(9)},
                                   {4, kT0 + absl::Hours(5)},
                                   {1, kT0 + absl::Hours(5)}};
  DedupeIndex loaded;
  size_t total = 0;
  for (const Piece& w : want) {
    ASSERT_TRUE(index.has_untaken());
    absl::Time max_seen;
    const std::string bucket = index.TakeSealedPiece(4, &max_seen);
    ASSERT_FALSE(bucket.empty());
    EXPECT_EQ(max_seen, w.max_seen);
    absl::Time parsed_max;
    std::vector<DedupeKey> keys;
    ASSERT_TRUE(DedupeIndex::ParseBucket(bucket, &parsed_max, &keys).ok());
    EXPECT_EQ(keys.size(), w.ids);
    EXPECT_EQ(parsed_max, w.max_seen);
    loaded.AddSealed(parsed_max, keys);
    total += keys.size();
  }
  EXPECT_FALSE(index.has_untaken());
  absl::Time unused;
  EXPECT_TRUE(index.TakeSealedPiece(4, &unused).empty());
  EXPECT_EQ(total, 15u);
  EXPECT_EQ(loaded.size(), 15u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(loaded.Contains(Key("s1", absl::StrCat("a", i))));
  }
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(loaded.Contains(Key("s2", absl::StrCat("b", i))));
  }

  // Expired before it was taken: nothing is handed out for it.
  DedupeIndex expiring;
  expiring.Insert(Key("s1", "old"), kT0);
  expiring.Insert(Key("s1", "old2"), kT0);
  expiring.Seal();
  absl::Time max_seen;
  EXPECT_FALSE(expiring.TakeSealedPiece(1, &max_seen).empty());
  EXPECT_EQ(expiring.ExpireBefore(kT0 + absl::Hours(1)), 2u);
  EXPECT_TRUE(expiring.TakeSealedPiece(1, &max_seen).empty());
  EXPECT_FALSE(expiring.has_untaken());
}

TEST(DedupeIndexTest, CorruptBucketIsDataLoss) {
  absl::Time t;
  std::vector<DedupeKey> keys;
  EXPECT_EQ(DedupeIndex::ParseBucket("\xff\xff\xff", &t, &keys).code(),
            absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace depositd::daemon
