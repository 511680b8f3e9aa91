// Committer on its own: a real store and event log, the log wrapped so a
// test can hold an append (to see what a group holds) or fail it (to see the
// retry), and items pushed by hand as shards would.
#include "daemon/committer.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "daemon/test_store.h"
#include "depositd/store/v1/checkpoint.pb.h"
#include "depositd/store/v1/log.pb.h"
#include "gtest/gtest.h"

namespace depositd::daemon {
namespace {

// The store's log with two test controls: `fail_next` appends fail with
// UNAVAILABLE (nothing appended), and every append is remembered as the
// shards whose parts its records hold, in order.
class ObservedLog final : public EventLog {
 public:
  explicit ObservedLog(std::unique_ptr<RocksDbEventLog> log)
      : log_(std::move(log)) {}

  absl::StatusOr<uint64_t> Append(absl::Span<const RecordPieces> records,
                                  StoreBatch& side_effects) override {
    absl::MutexLock lock(&mu_);
    ++attempts_;
    if (fail_next_ > 0) {
      --fail_next_;
      return absl::UnavailableError("injected: cannot write to the test dir");
    }
    for (const RecordPieces& pieces : records) {
      std::string bytes;
      for (absl::string_view p : pieces) absl::StrAppend(&bytes, p);
      store::v1::LogRecord record;
      EXPECT_TRUE(record.ParseFromString(bytes));
      std::string parts;
      for (const store::v1::ShardPart& part : record.parts()) {
        for (const store::v1::ProcessingGroup& g : part.groups()) {
          absl::StrAppend(&parts, parts.empty() ? "" : " ", part.shard(), ":",
                          g.heartbeats(0));
        }
      }
      records_.push_back(parts);
    }
    return log_->Append(records, side_effects);
  }
  absl::Status ReadFrom(uint64_t from,
                        const std::function<bool(uint64_t, absl::string_view)>&
                            fn) const override {
    return log_->ReadFrom(from, fn);
  }
  void TruncateBefore(uint64_t position, StoreBatch& batch) override {
    log_->TruncateBefore(position, batch);
  }
  uint64_t LastPosition() const override { return log_->LastPosition(); }

  void FailNext(int n) {
    absl::MutexLock lock(&mu_);
    fail_next_ = n;
  }
  // Each record appended so far: "shard:name" of its groups.
  std::vector<std::string> records() const {
    absl::MutexLock lock(&mu_);
    return records_;
  }
  int attempts() const {
    absl::MutexLock lock(&mu_);
    return attempts_;
  }

 private:
  std::unique_ptr<RocksDbEventLog> log_;
  mutable absl::Mutex mu_;
  int fail_next_ ABSL_GUARDED_BY(mu_) = 0;
  int attempts_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::string> records_ ABSL_GUARDED_BY(mu_);
};

class CommitterTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(test_store_.log, nullptr);
    store_ = test_store_.store.get();
    log_ = std::make_unique<ObservedLog>(std::move(test_store_.log));
  }

  void StartCommitter(int shards) {
    Committer::Options o;
    o.store = store_;
    o.log = log_.get();
    o.shard_count = shards;
    o.publish_alerts = [this](std::vector<v1::Alert> alerts) {
      absl::MutexLock lock(&mu_);
      for (const v1::Alert& a : alerts) published_.push_back(a);
    };
    o.on_write_error = [this](const absl::Status& s) {
      absl::MutexLock lock(&mu_);
      write_errors_.push_back(s);
    };
    committer_ = std::make_unique<Committer>(std::move(o));
    committer_->Start();
  }

  // An item of `shard` logging one group named `name` (its one heartbeat).
  static CommitItem Logged(uint32_t shard, const std::string& name) {
    store::v1::LogRecord record;
    store::v1::ShardPart* part = record.add_parts();
    part->set_shard(shard);
    part->add_groups()->add_heartbeats(name);
    CommitItem item;
    item.shard = shard;
    item.record_head = record.SerializeAsString();
    return item;
  }

  // A client batch with `parts` shard parts; `*finished` is set when the
  // committer completes it (its acks would go out).
  static PendingBatch* Batch(int parts, absl::Notification* finished) {
    auto* b = new PendingBatch;
    b->parts_left = parts;
    b->finish = [finished](PendingBatch* done) {
      finished->Notify();
      delete done;
    };
    return b;
  }

  // Pushes an empty item of `shard` and waits until it is durable: every
  // item pushed before it that can be committed has been.
  void Flush(uint32_t shard) {
    absl::Notification durable;
    CommitItem item;
    item.shard = shard;
    item.on_durable.push_back([&] { durable.Notify(); });
    committer_->Push(std::move(item));
    ASSERT_TRUE(durable.WaitForNotificationWithTimeout(absl::Seconds(30)));
  }

  TestStore test_store_{"committer_test"};
  Store* store_ = nullptr;  // test_store_'s
  std::unique_ptr<ObservedLog> log_;
  std::unique_ptr<Committer> committer_;
  absl::Mutex mu_;
  std::vector<v1::Alert> published_ ABSL_GUARDED_BY(mu_);
  std::vector<absl::Status> write_errors_ ABSL_GUARDED_BY(mu_);
};

// A client batch split over two shards is written only once both parts are
// there, in one record; meanwhile the other shard's own output goes on, and
// the first shard's later output waits behind its part (shard order).
TEST_F(CommitterTest, ABatchSpanningShardsIsCommittedWhole) {
  StartCommitter(2);
  absl::Notification finished;
  PendingBatch* batch = Batch(2, &finished);
  CommitItem part0 = Logged(0, "batch-part-0");
  part0.batches.push_back(batch);
  committer_->Push(std::move(part0));
  committer_->Push(Logged(0, "after-part-0"));
  committer_->Push(Logged(1, "unrelated-1"));
  Flush(1);
  EXPECT_FALSE(finished.HasBeenNotified());
  EXPECT_EQ(log_->records(), std::vector<std::string>{"1:unrelated-1"});

  CommitItem part1 = Logged(1, "batch-part-1");
  part1.batches.push_back(batch);
  committer_->Push(std::move(part1));
  ASSERT_TRUE(finished.WaitForNotificationWithTimeout(absl::Seconds(30)));
  Flush(0);
  const std::vector<std::string> records = log_->records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1], "0:batch-part-0 0:after-part-0 1:batch-part-1");
  EXPECT_EQ(log_->LastPosition(), 2u);
  committer_->Stop();
}

// Transitions get sequence numbers 1, 2, 3, ... in commit order, are in the
// store under them, and are published only after the write.
TEST_F(CommitterTest, AlertsGetGapFreeSequencesInCommitOrder) {
  StartCommitter(2);
  for (int i = 0; i < 6; ++i) {
    CommitItem item = Logged(i % 2, absl::StrCat("g", i));
    for (int k = 0; k < 2; ++k) {
      v1::Alert a;
      a.mutable_key()->set_shop_id(absl::StrCat("shop-", i, "-", k));
      item.alerts.push_back(a);
    }
    committer_->Push(std::move(item));
  }
  Flush(0);
  Flush(1);
  absl::MutexLock lock(&mu_);
  ASSERT_EQ(published_.size(), 12u);
  // Per shard, in push order; each number once.
  std::vector<bool> seen(13, false);
  uint64_t last[2] = {0, 0};
  for (const v1::Alert& a : published_) {
    ASSERT_GE(a.sequence(), 1u);
    ASSERT_LE(a.sequence(), 12u);
    EXPECT_FALSE(seen[a.sequence()]);
    seen[a.sequence()] = true;
    const int i = a.key().shop_id()[5] - '0';
    EXPECT_GT(a.sequence(), last[i % 2]) << a.key().shop_id();
    last[i % 2] = a.sequence();
    absl::StatusOr<std::string> stored =
        store_->Get(Family::kAlerts, EncodeBigEndian64(a.sequence()));
    ASSERT_TRUE(stored.ok()) << stored.status();
    v1::Alert back;
    ASSERT_TRUE(back.ParseFromString(*stored));
    EXPECT_EQ(back.key().shop_id(), a.key().shop_id());
  }
  EXPECT_EQ(committer_->last_alert_sequence(), 12u);
}

// A failed append is retried with the same group until it succeeds; the
// batch's acks wait for it, the error is reported (what write_status()
// says meanwhile), write_status() is OK again after, and the group is in
// the log once.
TEST_F(CommitterTest, AFailedWriteIsRetriedAndHoldsTheAcks) {
  StartCommitter(1);
  log_->FailNext(2);
  absl::Notification finished;
  CommitItem item = Logged(0, "retried");
  item.batches.push_back(Batch(1, &finished));
  committer_->Push(std::move(item));
  ASSERT_TRUE(finished.WaitForNotificationWithTimeout(absl::Seconds(30)));
  EXPECT_EQ(log_->attempts(), 3);
  EXPECT_EQ(log_->records(), std::vector<std::string>{"0:retried"});
  EXPECT_TRUE(committer_->write_status().ok()) << committer_->write_status();
  absl::MutexLock lock(&mu_);
  ASSERT_FALSE(write_errors_.empty());
  EXPECT_EQ(write_errors_[0].code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(write_errors_[0].message().find("retries the write by itself"),
            std::string::npos)
      << write_errors_[0];
}

// A round's cut covers the shard's records up to its cut_mark, and moves
// (and is stored) only at the round's cut_commit.
TEST_F(CommitterTest, TheCutMovesAtTheRoundsCommitToItsMark) {
  StartCommitter(1);
  committer_->Push(Logged(0, "r1"));
  CommitItem mark;
  mark.cut_mark = true;
  committer_->Push(std::move(mark));
  committer_->Push(Logged(0, "r2"));
  Flush(0);
  EXPECT_EQ(committer_->checkpoint_position(), 0u);
  EXPECT_TRUE(
      absl::IsNotFound(store_->Get(Family::kMeta, "checkpoint").status()));

  CommitItem commit;
  commit.cut_commit = true;
  committer_->Push(std::move(commit));
  Flush(0);
  EXPECT_EQ(committer_->checkpoint_position(), 1u);
  absl::StatusOr<std::string> meta_bytes =
      store_->Get(Family::kMeta, "checkpoint");
  ASSERT_TRUE(meta_bytes.ok()) << meta_bytes.status();
  store::v1::CheckpointMeta meta;
  ASSERT_TRUE(meta.ParseFromString(*meta_bytes));
  ASSERT_EQ(meta.cuts_size(), 1);
  EXPECT_EQ(meta.cuts(0), 1u);
  // The record before the cut is dropped from the log; the one after stays.
  std::vector<uint64_t> positions;
  ASSERT_TRUE(log_->ReadFrom(0,
                             [&](uint64_t pos, absl::string_view) {
                               positions.push_back(pos);
                               return true;
                             })
                  .ok());
  EXPECT_EQ(positions, std::vector<uint64_t>{2});
}

}  // namespace
}  // namespace depositd::daemon
