// PackedStore: blobs read back as written through every Put, Free and
// compaction; compaction moves live blobs and unmaps half-empty blocks; big
// blobs get their own mapping.
#include "daemon/packed_store.h"

#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace depositd::daemon {
namespace {

std::string Blob(int id, size_t size) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; ++i) {
    s[i] = static_cast<char>('a' + (id * 31 + i) % 26);
  }
  return s;
}

TEST(PackedStoreTest, RandomPutsFreesAndCompactionsKeepEveryBlob) {
  PackedStore store;
  // Refs must not move while they hold a blob: a fixed array.
  constexpr int kRefs = 20000;
  auto refs = std::make_unique<PackedStore::Ref[]>(kRefs);
  std::map<int, std::string> expected;
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> pick(0, kRefs - 1);
  std::uniform_int_distribution<int> size(0, 3000);
  size_t live = 0;
  for (int step = 0; step < 200000; ++step) {
    const int i = pick(rng);
    if (refs[i].empty()) {
      // Now and then a blob bigger than a quarter block.
      const size_t n = step % 5000 == 0 ? PackedStore::kBlockBytes / 2 + step
                                        : static_cast<size_t>(size(rng));
      expected[i] = Blob(step, n);
      store.Put(&refs[i], expected[i]);
      live += n;
    } else {
      ASSERT_EQ(store.Get(refs[i]), expected[i]) << "step " << step;
      live -= expected[i].size();
      store.Free(&refs[i]);
      EXPECT_TRUE(refs[i].empty());
      expected.erase(i);
    }
    if (step % 1000 == 0) store.Compact(256 << 10);
    ASSERT_EQ(store.live_bytes(), live);
  }
  while (store.Compact(1 << 20)) {
  }
  for (const auto& [i, bytes] : expected) {
    ASSERT_EQ(store.Get(refs[i]), bytes) << "ref " << i;
  }
  // After compaction no block is more than half garbage, except the one
  // appended to: the mapping is at most about twice the live bytes.
  EXPECT_LE(store.mapped_bytes(), 2 * live + 2 * PackedStore::kBlockBytes);
}

TEST(PackedStoreTest, FreeingEverythingUnmapsEverything) {
  PackedStore store;
  std::vector<PackedStore::Ref> refs(5000);  // not resized below
  for (size_t i = 0; i < refs.size(); ++i) {
    store.Put(&refs[i], Blob(static_cast<int>(i), 700));
  }
  PackedStore::Ref big;
  store.Put(&big, Blob(1, 3 << 20));
  EXPECT_GE(store.mapped_bytes(), 5000u * 700 + (3u << 20));
  store.Free(&big);
  for (size_t i = 0; i < refs.size(); ++i) {
    if (i % 10 != 0) store.Free(&refs[i]);
  }
  while (store.Compact(1 << 20)) {
  }
  // 500 blobs of 700 bytes left: all in the block appended to (and at most
  // one more).
  EXPECT_LE(store.mapped_bytes(), 2 * PackedStore::kBlockBytes);
  for (size_t i = 0; i < refs.size(); i += 10) {
    ASSERT_EQ(store.Get(refs[i]), Blob(static_cast<int>(i), 700));
  }
  for (size_t i = 0; i < refs.size(); i += 10) store.Free(&refs[i]);
  EXPECT_EQ(store.live_bytes(), 0u);
  EXPECT_LE(store.mapped_bytes(), PackedStore::kBlockBytes);
}

}  // namespace
}  // namespace depositd::daemon
