// PackedStore: blobs read back as written through every Put, Free and
// compaction; compaction moves live blobs and unmaps half-empty blocks; big
// blobs get their own mapping; a mapping that fails is an error, not a lost
// blob.
#include "daemon/packed_store.h"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
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
      ASSERT_TRUE(store.Put(&refs[i], expected[i]).ok());
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
    ASSERT_TRUE(store.Put(&refs[i], Blob(static_cast<int>(i), 700)).ok());
  }
  PackedStore::Ref big;
  ASSERT_TRUE(store.Put(&big, Blob(1, 3 << 20)).ok());
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

// Address space in use now, from /proc/self/statm (pages).
rlim_t AddressSpaceBytes() {
  std::ifstream statm("/proc/self/statm");
  rlim_t pages = 0;
  statm >> pages;
  return pages * static_cast<rlim_t>(sysconf(_SC_PAGESIZE));
}

TEST(PackedStoreTest, FailedMappingIsAnErrorAndLosesNoBlob) {
  PackedStore store;
  // Everything this test allocates is allocated before the limit: only
  // the store's own mappings may hit it.
  std::vector<std::string> blobs;
  for (int i = 0; i < 40; ++i) blobs.push_back(Blob(i, 200000));
  const std::string big_bytes(64 << 20, 'x');
  std::vector<PackedStore::Ref> refs(blobs.size());  // not resized below
  PackedStore::Ref big;
  rlimit old;
  ASSERT_EQ(getrlimit(RLIMIT_AS, &old), 0);
  // Room for a few blocks (five blobs each) beyond what is mapped now.
  rlimit tight = old;
  tight.rlim_cur = AddressSpaceBytes() + 6 * PackedStore::kBlockBytes;
  ASSERT_EQ(setrlimit(RLIMIT_AS, &tight), 0);
  size_t stored = 0;
  absl::Status failed;
  for (; stored < blobs.size(); ++stored) {
    failed = store.Put(&refs[stored], blobs[stored]);
    if (!failed.ok()) break;
  }
  const absl::Status big_failed = store.Put(&big, big_bytes);
  ASSERT_EQ(setrlimit(RLIMIT_AS, &old), 0);

  ASSERT_LT(stored, blobs.size()) << "the limit never bit";
  EXPECT_GT(stored, 0u);
  EXPECT_EQ(failed.code(), absl::StatusCode::kResourceExhausted) << failed;
  EXPECT_TRUE(refs[stored].empty());
  EXPECT_EQ(big_failed.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(big.empty());
  for (size_t i = 0; i < stored; ++i) {
    ASSERT_EQ(store.Get(refs[i]), blobs[i]) << "blob " << i;
  }
  // With the limit lifted the same blobs go in.
  ASSERT_TRUE(store.Put(&refs[stored], blobs[stored]).ok());
  EXPECT_EQ(store.Get(refs[stored]), blobs[stored]);
  ASSERT_TRUE(store.Put(&big, big_bytes).ok());
  EXPECT_EQ(store.Get(big).size(), big_bytes.size());
}

}  // namespace
}  // namespace depositd::daemon
