#include "daemon/backup.h"

#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "daemon/test_store.h"
#include "depositd/store/v1/checkpoint.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/temp_files.h"

namespace depositd::daemon {
namespace {

using ::testing::HasSubstr;

absl::Status AppendRecord(RocksDbEventLog& log, Store& store,
                          const std::string& bytes) {
  StoreBatch batch(store);
  batch.Put(Family::kAlerts, EncodeBigEndian64(log.LastPosition() + 1),
            "alert for " + bytes);
  return log.Append({RecordPieces{bytes}}, batch).status();
}

TEST(BackupTest, CopyOpensWithEveryRecordAndItsPosition) {
  TestStore t("backup-src");
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(AppendRecord(*t.log, *t.store, absl::StrCat("r", i)).ok());
  }
  integration::ScopedTempDir out("backup-out");
  const std::string target = out.path() + "/b1";
  absl::StatusOr<v1::BackupResponse> r = BackUpStore(*t.store, target);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->directory(), target);
  EXPECT_EQ(r->log_position(), 5u);
  EXPECT_EQ(r->alert_sequence(), 5u);
  EXPECT_GT(r->files(), 0);
  EXPECT_GT(r->bytes(), 0);
  // Private like a data dir (depositd refuses one others can read).
  struct stat st {};
  ASSERT_EQ(stat(target.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u);
  // The copy was closed cleanly: sealed, no pid file.
  EXPECT_TRUE(std::filesystem::exists(target + "/depositd.seal"));
  EXPECT_FALSE(std::filesystem::exists(target + "/depositd.pid"));

  // Writes after the backup are in the source only.
  ASSERT_TRUE(AppendRecord(*t.log, *t.store, "after").ok());
  absl::StatusOr<std::unique_ptr<Store>> copy = Store::Open({target});
  ASSERT_TRUE(copy.ok()) << copy.status();
  std::vector<std::string> records;
  auto log = RocksDbEventLog::Create(copy->get(), false);
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE((*log)
                  ->ReadFrom(1,
                             [&](uint64_t, absl::string_view b) {
                               records.emplace_back(b);
                               return true;
                             })
                  .ok());
  EXPECT_EQ(records, (std::vector<std::string>{"r0", "r1", "r2", "r3", "r4"}));
}

TEST(BackupTest, PositionComesFromTheCutsWhenTheLogWasDropped) {
  TestStore t("backup-cut");
  store::v1::CheckpointMeta meta;
  meta.set_shard_count(2);
  meta.add_cuts(41);
  meta.add_cuts(42);
  StoreBatch batch(*t.store);
  batch.Put(Family::kMeta, "checkpoint", meta.SerializeAsString());
  ASSERT_TRUE(t.store->Write(batch, false).ok());
  integration::ScopedTempDir out("backup-out");
  absl::StatusOr<v1::BackupResponse> r =
      BackUpStore(*t.store, out.path() + "/b");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->log_position(), 42u);
}

TEST(BackupTest, ConsistentWhileWritesGoOn) {
  TestStore t("backup-live");
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    while (!stop.load()) {
      if (!AppendRecord(*t.log, *t.store, absl::StrCat("w", written.load()))
               .ok()) {
        return;
      }
      ++written;
    }
  });
  while (written.load() < 200) std::this_thread::yield();
  integration::ScopedTempDir out("backup-out");
  std::vector<absl::StatusOr<v1::BackupResponse>> backups;
  for (int i = 0; i < 3; ++i) {
    backups.push_back(BackUpStore(*t.store, absl::StrCat(out.path(), "/", i)));
  }
  stop = true;
  writer.join();
  uint64_t previous = 0;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(backups[i].ok()) << backups[i].status();
    // Record i and its alert (one batch) are both in, or both out: the
    // log's last position equals the alert log's.
    EXPECT_EQ(backups[i]->log_position(), backups[i]->alert_sequence());
    EXPECT_GE(backups[i]->log_position(), previous);
    previous = backups[i]->log_position();
  }
  EXPECT_GE(previous, 200u);
}

TEST(BackupTest, RefusesBadDirectoriesSayingWhatToDo) {
  TestStore t("backup-bad");
  integration::ScopedTempDir out("backup-out");
  struct Case {
    std::string directory;
    absl::StatusCode code;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"relative/dir", absl::StatusCode::kInvalidArgument, "absolute path"},
      {out.path(), absl::StatusCode::kAlreadyExists, "give a new one"},
      {out.path() + "/no/such/parent", absl::StatusCode::kFailedPrecondition,
       "create it first"},
      {t.dir.path() + "/inside", absl::StatusCode::kFailedPrecondition,
       "inside the data dir"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<v1::BackupResponse> r = BackUpStore(*t.store, c.directory);
    ASSERT_FALSE(r.ok()) << c.directory;
    EXPECT_EQ(r.status().code(), c.code) << r.status();
    EXPECT_THAT(std::string(r.status().message()), HasSubstr(c.says));
  }
}

}  // namespace
}  // namespace depositd::daemon
