// Shard on its own: one shard with a real committer, store and log, fed
// tasks by hand as Engine::Ingest would, on a test clock. Then the log it
// wrote is replayed into a fresh shard, which must end with the same shops
// and alerts (replay is how a restart rebuilds what was not checkpointed).
#include "daemon/shard.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "daemon/stable_hash.h"
#include "daemon/test_store.h"
#include "depositd/store/v1/log.pb.h"
#include "gtest/gtest.h"
#include "watchers/test_events.h"

namespace depositd::daemon {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1767225600);  // 2026-01-01

// Events of the tenant "acme"'s shop `shop`, with ids e1, e2, ... per shop.
watchers::testing::Events Shop(const std::string& shop) {
  return watchers::testing::Events("acme", shop);
}

class ShardTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(test_store_.log, nullptr);
    store_ = test_store_.store.get();
    log_ = test_store_.log.get();
    auto registry = watchers::ProfileRegistry::Create(v1::DaemonConfig());
    ASSERT_TRUE(registry.ok()) << registry.status();
    registry_ = *std::move(registry);
    Committer::Options co;
    co.store = store_;
    co.log = log_;
    co.shard_count = 1;
    co.publish_alerts = [this](std::vector<v1::Alert> alerts) {
      absl::MutexLock lock(&mu_);
      for (v1::Alert& a : alerts) published_.push_back(std::move(a));
    };
    committer_ = std::make_unique<Committer>(std::move(co));
    committer_->Start();
    live_ = NewShard(committer_.get());
    live_->Start();
  }

  void TearDown() override {
    if (live_ != nullptr) StopLive();
  }

  std::unique_ptr<Shard> NewShard(Committer* committer) {
    Shard::Context ctx;
    ctx.registry = registry_.get();
    ctx.watchers = &watchers_;
    ctx.clock = &clock_;
    ctx.committer = committer;
    ctx.next_bucket = &next_bucket_;
    ctx.group_seq = &group_seq_;
    ctx.checkpoint_on_stop = false;  // the log alone must rebuild it
    return std::make_unique<Shard>(0, ctx);
  }

  // One client batch through the live shard, as Engine::Ingest hands it
  // over; returns the ack once it is durable.
  v1::IngestAck Ingest(const std::vector<v1::Event>& events) {
    auto* pending = new PendingBatch;
    pending->heap = std::make_unique<v1::EventBatch>();
    pending->batch = pending->heap.get();
    ShardTask task;
    task.kind = ShardTask::kIngest;
    task.batch = pending;
    task.shard = 0;
    for (size_t i = 0; i < events.size(); ++i) {
      *pending->batch->add_events() = events[i];
      pending->ack.add_results();
    }
    for (int i = 0; i < pending->batch->events_size(); ++i) {
      const v1::Event& e = pending->batch->events(i);
      task.events.push_back(IndexedEvent{
          static_cast<uint32_t>(i), ShopHash(e.tenant(), e.shop_id()), &e});
    }
    pending->parts_left = 1;
    pending->parts_unapplied = 1;
    absl::Notification done;
    v1::IngestAck ack;
    pending->finish = [&](PendingBatch* b) {
      ack = b->ack;
      done.Notify();
      delete b;
    };
    live_->Push(std::move(task));
    EXPECT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(30)));
    return ack;
  }

  // Runs fn on the live shard's thread after every earlier task.
  void OnShard(const std::function<void(Shard&)>& fn) {
    absl::Notification done;
    ShardTask task;
    task.kind = ShardTask::kQuery;
    task.query = [&](Shard& s) {
      fn(s);
      done.Notify();
    };
    live_->Push(std::move(task));
    ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(30)));
  }

  // A shop's state as bytes (head and pages) and its firing alerts.
  static std::string Describe(Shard& s, const std::vector<std::string>& shops) {
    std::string out;
    for (const std::string& shop : shops) {
      const ShopEntry* e = s.Find("acme", shop);
      if (e == nullptr) {
        absl::StrAppend(&out, shop, ": none\n");
        continue;
      }
      absl::StrAppend(&out, shop, ": ", e->state.SerializeHead().size(), " ",
                      absl::CEscape(e->state.SerializeHead()), "\n");
      for (uint32_t p : e->state.Pages()) {
        absl::StrAppend(&out, "  page ", p, " ",
                        absl::CEscape(e->state.SerializePage(p)), "\n");
      }
    }
    for (const v1::Alert& a : s.FiringAlerts()) {
      absl::StrAppend(&out, "alert ", a.key().ShortDebugString(), " ",
                      a.stage(), " ", a.severity(), "\n");
    }
    return out;
  }

  void StopLive() {
    ShardTask stop;
    stop.kind = ShardTask::kStop;
    live_->Push(std::move(stop));
    live_->Join();
    committer_->Stop();
    live_.reset();
  }

  // A fresh shard that replays everything the live one logged.
  std::unique_ptr<Shard> Replay() {
    std::unique_ptr<Shard> shard = NewShard(nullptr);
    std::vector<std::unique_ptr<store::v1::LogRecord>> records;
    EXPECT_TRUE(
        log_->ReadFrom(1,
                       [&](uint64_t, absl::string_view bytes) {
                         auto r = std::make_unique<store::v1::LogRecord>();
                         EXPECT_TRUE(r->ParseFromString(std::string(bytes)));
                         records.push_back(std::move(r));
                         return true;
                       })
            .ok());
    for (const auto& record : records) {
      for (const store::v1::ShardPart& part : record->parts()) {
        for (const store::v1::ProcessingGroup& g : part.groups()) {
          Shard::ReplayInput in;
          for (const v1::Event& e : g.events()) in.events.push_back(&e);
          for (const auto& ref : g.fired()) in.fired.push_back(&ref);
          for (const auto& ack : g.acks()) in.acks.push_back(&ack);
          for (const auto& t : g.heartbeats()) in.heartbeats.push_back(&t);
          in.seq = g.seq();
          shard->ReplayGroup(absl::FromUnixNanos(g.processed_at_nanos()), in);
        }
      }
    }
    return shard;
  }

  TestStore test_store_{"shard_test"};
  Store* store_ = nullptr;          // test_store_'s
  RocksDbEventLog* log_ = nullptr;  // test_store_'s
  std::unique_ptr<watchers::ProfileRegistry> registry_;
  watchers::RiskWatchers watchers_;
  TestClock clock_{kT0 + absl::Hours(3)};
  std::atomic<uint64_t> next_bucket_{1};
  std::atomic<uint64_t> group_seq_{0};
  std::unique_ptr<Committer> committer_;
  std::unique_ptr<Shard> live_;
  absl::Mutex mu_;
  std::vector<v1::Alert> published_ ABSL_GUARDED_BY(mu_);
};

// Each event gets its own result; an event id seen before (in this batch
// or an earlier one) is DUPLICATE and logged once.
TEST_F(ShardTest, DuplicatesAreAnsweredAndLoggedOnce) {
  watchers::testing::Events s1 = Shop("s1");
  const v1::Event paid = s1.Paid(kT0, "p1", 100000, "CNY");
  const v1::Event fee = s1.FeeCharged(kT0 + absl::Hours(1), "f1",
                                      v1::TECHNICAL_SERVICE, 500, "CNY");
  v1::IngestAck first = Ingest({paid, fee, fee});
  ASSERT_EQ(first.results_size(), 3);
  EXPECT_EQ(first.results(0).outcome(), v1::APPLIED);
  EXPECT_EQ(first.results(1).outcome(), v1::APPLIED);
  EXPECT_EQ(first.results(2).outcome(), v1::DUPLICATE);
  v1::IngestAck again = Ingest({paid});
  ASSERT_EQ(again.results_size(), 1);
  EXPECT_EQ(again.results(0).outcome(), v1::DUPLICATE);
  StopLive();
  int logged = 0;
  ASSERT_TRUE(log_->ReadFrom(1,
                             [&](uint64_t, absl::string_view bytes) {
                               store::v1::LogRecord r;
                               EXPECT_TRUE(
                                   r.ParseFromString(std::string(bytes)));
                               for (const auto& part : r.parts()) {
                                 for (const auto& g : part.groups()) {
                                   logged += g.events_size();
                                 }
                               }
                               return true;
                             })
                  .ok());
  EXPECT_EQ(logged, 2);
}

// A query runs after every task pushed before it: it sees their effects.
TEST_F(ShardTest, AQuerySeesEveryEarlierTask) {
  watchers::testing::Events s1 = Shop("s1");
  Ingest({s1.Paid(kT0, "p1", 100000, "CNY")});
  // Pushed without waiting for its ack: the query still comes after it.
  auto* pending = new PendingBatch;
  pending->heap = std::make_unique<v1::EventBatch>();
  pending->batch = pending->heap.get();
  *pending->batch->add_events() = s1.FeeCharged(
      kT0 + absl::Hours(1), "f1", v1::TECHNICAL_SERVICE, 500, "CNY");
  pending->ack.add_results();
  pending->parts_left = 1;
  pending->parts_unapplied = 1;
  absl::Notification acked;
  pending->finish = [&](PendingBatch* b) {
    acked.Notify();
    delete b;
  };
  ShardTask task;
  task.kind = ShardTask::kIngest;
  task.batch = pending;
  task.events.push_back(
      IndexedEvent{0, ShopHash("acme", "s1"), &pending->batch->events(0)});
  live_->Push(std::move(task));
  size_t fees = 0;
  OnShard([&](Shard& s) {
    const ShopEntry* e = s.Find("acme", "s1");
    ASSERT_NE(e, nullptr);
    v1::ReadinessReport r =
        e->state.Evaluate(kT0 + absl::Hours(2), *e->profile);
    for (const v1::Blocker& b : r.blockers()) {
      if (b.condition() == v1::R4_UNPAID_FEES) fees += b.count();
    }
  });
  EXPECT_EQ(fees, 1u);
  ASSERT_TRUE(acked.WaitForNotificationWithTimeout(absl::Seconds(30)));
}

// What the live shard did (events in several batches, a deadline fired by
// the clock) is what a fresh shard rebuilds from the log alone: the same
// shop bytes and the same firing alerts.
TEST_F(ShardTest, ReplayingTheLogRebuildsTheLiveShopsAndAlerts) {
  const std::vector<std::string> shops = {"s1", "s2", "s3"};
  watchers::testing::Events s1 = Shop("s1"), s2 = Shop("s2"), s3 = Shop("s3");
  Ingest({s1.Paid(kT0, "p1", 100000, "CNY"),
          s1.FeeCharged(kT0, "f1", v1::TECHNICAL_SERVICE, 500, "CNY")});
  Ingest({s2.Paid(kT0, "p2", 200000, "CNY"),
          s2.DisputeOpened(kT0 + absl::Hours(1), "d1", v1::NOT_RECEIVED,
                           kT0 + absl::Hours(73)),
          s3.Paid(kT0, "p3", 300000, "CNY")});
  Ingest({s3.FeeCharged(kT0 + absl::Hours(2), "f2", v1::TECHNICAL_SERVICE, 500,
                        "CNY")});
  // 6 hours before the dispute's deadline: a lead time passes.
  ASSERT_TRUE(clock_.Set(kT0 + absl::Hours(68)).ok());
  live_->Wake();
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  std::string live;
  for (;;) {
    OnShard([&](Shard& s) { live = Describe(s, shops); });
    if (live.find("DISPUTE_RESPONSE_DUE") != std::string::npos) break;
    ASSERT_LT(absl::Now(), give_up) << "the deadline never fired:\n" << live;
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_EQ(live.find(": none"), std::string::npos) << live;
  StopLive();
  {
    absl::MutexLock lock(&mu_);
    EXPECT_FALSE(published_.empty());
  }
  std::unique_ptr<Shard> replayed = Replay();
  EXPECT_EQ(Describe(*replayed, shops), live);
}

}  // namespace
}  // namespace depositd::daemon
