// Test-only: a real store and its event log in a temporary folder that is
// removed at the end, for the unit tests of the engine's parts (committer,
// shard). Not thread-safe to set up; the store and log are as thread-safe
// as their own contracts say.
#ifndef DEPOSITD_DAEMON_TEST_STORE_H_
#define DEPOSITD_DAEMON_TEST_STORE_H_

#include <memory>
#include <string>

#include "daemon/event_log.h"
#include "daemon/store.h"
#include "gtest/gtest.h"
#include "tests/temp_files.h"

namespace depositd::daemon {

struct TestStore {
  // Opens both (a failure is reported to gtest; the pointers stay null).
  explicit TestStore(const std::string& prefix) : dir(prefix) {
    absl::StatusOr<std::unique_ptr<Store>> opened = Store::Open({dir.path()});
    EXPECT_TRUE(opened.ok()) << opened.status();
    if (!opened.ok()) return;
    store = *std::move(opened);
    auto created = RocksDbEventLog::Create(store.get(), /*sync=*/false);
    EXPECT_TRUE(created.ok()) << created.status();
    if (created.ok()) log = *std::move(created);
  }

  integration::ScopedTempDir dir;
  std::unique_ptr<Store> store;
  std::unique_ptr<RocksDbEventLog> log;  // in `store`
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_TEST_STORE_H_
