// Backups under load (Admin.Backup through `depositctl backup DIR`) and the
// restore: a second depositd started on the backup directory.
//
// What it proves, with one sender streaming batches in order (each acked
// before the next) while the backup is taken:
//   - the backup holds a prefix of the batches: resending every batch to
//     the restored daemon gives all-duplicate acks up to some batch K and
//     all-applied acks from K on (each batch whole or not at all), with K
//     at least the batches acked before the backup started and at most
//     those sent before it returned;
//   - the restored daemon answers every shop exactly as a daemon fed only
//     batches [0, K) does (GetShop, whole report; the test clock is the
//     same fixed time in every daemon, so reports compare byte for byte);
//   - after the resend, every shop's report equals the original daemon's.
#include <sys/wait.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"
#include "tests/temp_files.h"
#include "tests/test_events.h"

namespace depositd::integration {
namespace {

constexpr int kShops = 20;
// At most; the sender stops a little after the backup returned.
constexpr int kBatches = 3000;
constexpr int kEventsPerBatch = 10;

std::string ShopId(int i) { return absl::StrCat("shop-", i); }

// Every shop registered, paid and taking orders, round-robin over shops, in
// batches of kEventsPerBatch.
std::vector<std::vector<v1::Event>> MakeBatches() {
  std::vector<v1::Event> all;
  for (int i = 0; i < kShops; ++i) {
    ShopEvents s("acme", ShopId(i));
    all.push_back(s.Registered(ShopId(i) + "-reg", "2026-01-05T00:00:00Z",
                               "generic", "US"));
    all.push_back(s.DepositPaid(ShopId(i) + "-pay", "2026-01-06T00:00:00Z",
                                "pay-1", 50000, "USD", "paypal", "acct"));
  }
  for (int n = 0; all.size() < kBatches * kEventsPerBatch; ++n) {
    const int i = n % kShops;
    ShopEvents s("acme", ShopId(i));
    all.push_back(s.Order(absl::StrCat(ShopId(i), "-o", n),
                          "2026-02-01T00:00:00Z", absl::StrCat("order-", n),
                          v1::PLACED));
  }
  std::vector<std::vector<v1::Event>> batches(kBatches);
  for (size_t e = 0; e < all.size(); ++e) {
    batches[e / kEventsPerBatch].push_back(all[e]);
  }
  return batches;
}

std::vector<v1::ReadinessReport> AllShops(
    const std::shared_ptr<grpc::Channel>& channel) {
  std::vector<v1::ReadinessReport> out;
  for (int i = 0; i < kShops; ++i) {
    absl::StatusOr<v1::ReadinessReport> r = GetShop(channel, "acme", ShopId(i));
    EXPECT_TRUE(r.ok()) << ShopId(i) << ": " << r.status();
    out.push_back(r.ok() ? *r : v1::ReadinessReport());
  }
  return out;
}

void ExpectSameShops(const std::vector<v1::ReadinessReport>& got,
                     const std::vector<v1::ReadinessReport>& want,
                     absl::string_view what) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    std::string diff;
    google::protobuf::util::MessageDifferencer d;
    d.ReportDifferencesToString(&diff);
    EXPECT_TRUE(d.Compare(want[i], got[i]))
        << what << ", " << ShopId(static_cast<int>(i)) << ":\n"
        << diff;
  }
}

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

CommandResult RunCommand(const std::string& command) {
  CommandResult r;
  FILE* out = popen((command + " 2>&1").c_str(), "r");
  if (out == nullptr) return r;
  char buffer[512];
  while (fgets(buffer, sizeof(buffer), out) != nullptr) r.output += buffer;
  const int status = pclose(out);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

TEST(BackupTest, BackupUnderLoadRestoresAPrefixAndResentEventsApply) {
  const std::vector<std::vector<v1::Event>> batches = MakeBatches();
  DaemonHarness::Options options;
  absl::StatusOr<std::unique_ptr<DaemonHarness>> original =
      DaemonHarness::Start(options);
  ASSERT_TRUE(original.ok()) << original.status();

  // The load: batches in order, each acked (durable) before the next.
  std::atomic<int> acked{0};
  std::atomic<int> started{0};
  std::atomic<bool> send_failed{false};
  std::atomic<bool> stop{false};
  std::thread sender([&] {
    for (int b = 0; b < kBatches && !stop.load(); ++b) {
      started = b + 1;
      absl::StatusOr<v1::IngestAck> ack =
          Publish((*original)->channel(), batches[b], b + 1);
      if (!ack.ok() || ack->applied() != kEventsPerBatch) {
        send_failed = true;
        return;
      }
      acked = b + 1;
    }
  });
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (acked.load() < 100 && !send_failed.load() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(1));
  }

  ScopedTempDir backups("depositd-backups");
  const std::string backup_dir = backups.path() + "/b1";
  const int acked_before = acked.load();
  const CommandResult backup = RunCommand(
      absl::StrCat("'", DEPOSITCTL_BINARY, "' --addr ", (*original)->address(),
                   " backup '", backup_dir, "'"));
  const int started_after = started.load();
  // Some load after the backup too, then stop.
  while (acked.load() < started_after + 20 && !send_failed.load() &&
         acked.load() < kBatches &&
         absl::Now() < deadline + absl::Seconds(60)) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  stop = true;
  sender.join();
  const int sent = acked.load();
  ASSERT_FALSE(send_failed.load()) << (*original)->LogTail();
  ASSERT_EQ(backup.exit_code, 0) << backup.output;
  EXPECT_THAT(backup.output, ::testing::HasSubstr("backup in " + backup_dir +
                                                  ": log position "));
  // Otherwise the test did not test a backup under load.
  EXPECT_LT(started_after, kBatches) << "the load ended before the backup";
  const std::vector<v1::ReadinessReport> original_final =
      AllShops((*original)->channel());

  // The restore: a daemon on the backup directory.
  DaemonHarness::Options restored_options;
  restored_options.extra_args = {"--data-dir", backup_dir};
  absl::StatusOr<std::unique_ptr<DaemonHarness>> restored =
      DaemonHarness::Start(restored_options);
  ASSERT_TRUE(restored.ok()) << restored.status();
  const std::vector<v1::ReadinessReport> restored_at_backup =
      AllShops((*restored)->channel());

  // Resend everything: the backup's batches are duplicates, the rest apply.
  int prefix = -1;
  for (int b = 0; b < sent; ++b) {
    absl::StatusOr<v1::IngestAck> ack =
        Publish((*restored)->channel(), batches[b], b + 1);
    ASSERT_TRUE(ack.ok()) << ack.status();
    if (prefix < 0 && ack->applied() > 0) prefix = b;
    if (prefix < 0) {
      EXPECT_EQ(ack->duplicates(), kEventsPerBatch) << "batch " << b;
    } else {
      EXPECT_EQ(ack->applied(), kEventsPerBatch) << "batch " << b;
    }
  }
  if (prefix < 0) prefix = sent;
  EXPECT_GE(prefix, acked_before) << "an acked batch is not in the backup";
  EXPECT_LE(prefix, started_after) << "the backup holds a later batch";
  ExpectSameShops(AllShops((*restored)->channel()), original_final,
                  "restored + resent vs original");

  // A daemon fed exactly the backup's batches answers as the restored one
  // did before the resend.
  absl::StatusOr<std::unique_ptr<DaemonHarness>> reference =
      DaemonHarness::Start(options);
  ASSERT_TRUE(reference.ok()) << reference.status();
  for (int b = 0; b < prefix; ++b) {
    ASSERT_TRUE(Publish((*reference)->channel(), batches[b], b + 1).ok());
  }
  ExpectSameShops(restored_at_backup, AllShops((*reference)->channel()),
                  "restored vs the backup's prefix");
  std::printf(
      "backup under load: %d batches acked before, %d sent by its "
      "end, backup holds %d, %d sent in all; %s",
      acked_before, started_after, prefix, sent, backup.output.c_str());
}

}  // namespace
}  // namespace depositd::integration
