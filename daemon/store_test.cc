#include "daemon/store.h"

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "daemon/event_log.h"
#include "gtest/gtest.h"

namespace depositd::daemon {
namespace {

std::string TempDir() {
  std::string tmpl = testing::TempDir() + "/store_test_XXXXXX";
  char* dir = mkdtemp(tmpl.data());
  EXPECT_NE(dir, nullptr);
  return tmpl;
}

TEST(StoreTest, BigEndianKeysSortNumerically) {
  EXPECT_LT(EncodeBigEndian64(9), EncodeBigEndian64(10));
  EXPECT_LT(EncodeBigEndian64(255), EncodeBigEndian64(256));
  EXPECT_EQ(DecodeBigEndian64(EncodeBigEndian64(123456789)), 123456789u);
}

TEST(StoreTest, BatchIsAtomicAcrossFamiliesAndSurvivesReopen) {
  const std::string dir = TempDir();
  {
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open({dir});
    ASSERT_TRUE(store.ok()) << store.status();
    StoreBatch batch(**store);
    batch.Put(Family::kShops, "t\0s", "state");
    batch.Put(Family::kAlerts, EncodeBigEndian64(1), "alert");
    batch.PutParts(Family::kMeta, "k", {"ab", "cd"});
    ASSERT_TRUE((*store)->Write(batch, /*sync=*/true).ok());
  }
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open({dir});
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(*(*store)->Get(Family::kMeta, "k"), "abcd");
  EXPECT_EQ(*(*store)->Get(Family::kAlerts, EncodeBigEndian64(1)), "alert");
  EXPECT_TRUE(absl::IsNotFound((*store)->Get(Family::kLog, "x").status()));
}

TEST(StoreTest, SecondOpenOfTheSameDirSaysItIsInUse) {
  const std::string dir = TempDir();
  absl::StatusOr<std::unique_ptr<Store>> first = Store::Open({dir});
  ASSERT_TRUE(first.ok());
  absl::StatusOr<std::unique_ptr<Store>> second = Store::Open({dir});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("is in use by another depositd"),
            std::string::npos)
      << second.status();
}

TEST(EventLogTest, AppendReadTruncate) {
  const std::string dir = TempDir();
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open({dir});
  ASSERT_TRUE(store.ok());
  auto log = RocksDbEventLog::Create(store->get(), /*sync=*/false);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ((*log)->LastPosition(), 0u);
  {
    StoreBatch batch(**store);
    batch.Put(Family::kAlerts, EncodeBigEndian64(7), "side effect");
    std::vector<RecordPieces> records = {{"r1"}, {"r", "2"}, {"r3"}};
    absl::StatusOr<uint64_t> last = (*log)->Append(records, batch);
    ASSERT_TRUE(last.ok());
    EXPECT_EQ(*last, 3u);
  }
  std::vector<std::pair<uint64_t, std::string>> read;
  ASSERT_TRUE((*log)
                  ->ReadFrom(2,
                             [&](uint64_t pos, absl::string_view bytes) {
                               read.emplace_back(pos, std::string(bytes));
                               return true;
                             })
                  .ok());
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[0], std::make_pair(uint64_t{2}, std::string("r2")));
  EXPECT_EQ(read[1].first, 3u);
  EXPECT_EQ(*(*store)->Get(Family::kAlerts, EncodeBigEndian64(7)),
            "side effect");

  {
    StoreBatch batch(**store);
    (*log)->TruncateBefore(3, batch);
    ASSERT_TRUE((*log)->Append({}, batch).ok());
  }
  read.clear();
  ASSERT_TRUE((*log)
                  ->ReadFrom(0,
                             [&](uint64_t pos, absl::string_view bytes) {
                               read.emplace_back(pos, std::string(bytes));
                               return true;
                             })
                  .ok());
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].first, 3u);

  // A new log over the same store continues after the last position.
  log->reset();
  auto again = RocksDbEventLog::Create(store->get(), false);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->LastPosition(), 3u);
}

}  // namespace
}  // namespace depositd::daemon
