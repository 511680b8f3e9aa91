// Engine tests against a real RocksDB in a temp dir: ingest outcomes, group
// commit, recovery by log replay (simulated crash: no final checkpoint),
// recovery from checkpoints, a changed shard count, and test-clock
// deadlines.
#include "daemon/engine.h"

#include <atomic>
#include <cstdlib>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace depositd::daemon {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1767225600);  // 2026-01-01

std::string TempDir() {
  std::string tmpl = testing::TempDir() + "/engine_test_XXXXXX";
  EXPECT_NE(mkdtemp(tmpl.data()), nullptr);
  return tmpl;
}

google::protobuf::Timestamp Ts(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

v1::Event Envelope(const std::string& id, const std::string& shop,
                   absl::Time at) {
  v1::Event e;
  e.set_event_id(id);
  e.set_tenant("acme");
  e.set_shop_id(shop);
  *e.mutable_occurred_at() = Ts(at);
  return e;
}

// domain.md §7 example 3: paid from corp-A, refund account corp-B.
std::vector<v1::Event> WrongAccountShop(const std::string& shop) {
  std::vector<v1::Event> out;
  v1::Event r = Envelope(shop + "-1", shop, kT0);
  r.mutable_shop_registered()->set_profile("douyin");
  r.mutable_shop_registered()->set_site("CN");
  out.push_back(r);
  v1::Event d = Envelope(shop + "-2", shop, kT0 + absl::Hours(1));
  auto* paid = d.mutable_deposit_paid();
  paid->set_payment_id("dep-1");
  paid->set_kind(v1::BASE);
  paid->mutable_amount()->set_minor_units(3000000);
  paid->mutable_amount()->set_currency("CNY");
  paid->set_channel("corporate_account");
  paid->set_paying_account("corp-A");
  out.push_back(d);
  v1::Event a = Envelope(shop + "-3", shop, kT0 + absl::Hours(2));
  a.mutable_refund_account_set()->set_channel("corporate_account");
  a.mutable_refund_account_set()->set_account("corp-B");
  a.mutable_refund_account_set()->set_currency("CNY");
  out.push_back(a);
  return out;
}

v1::Event NotReceivedDispute(const std::string& id, const std::string& shop,
                             absl::Time opened, absl::Time due) {
  v1::Event e = Envelope(id, shop, opened);
  auto* d = e.mutable_dispute_opened();
  d->set_dispute_id("nr-1");
  d->set_kind(v1::NOT_RECEIVED);
  d->set_order_id("o-1");
  *d->mutable_response_due_at() = Ts(due);
  return e;
}

class EngineTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir();
    auto registry = watchers::ProfileRegistry::Create(v1::DaemonConfig());
    ASSERT_TRUE(registry.ok()) << registry.status();
    registry_ = *std::move(registry);
  }

  // Options of every engine here: dir_, clock_, 2 shards unless told, no
  // fsync, no timed checkpoints.
  Engine::Options Options(int shards = 2, bool checkpoint_on_stop = true) {
    Engine::Options o;
    o.data_dir = dir_;
    o.sync = false;
    o.shards = shards;
    o.checkpoint_interval = absl::Hours(1);
    o.registry = registry_.get();
    o.clock = &clock_;
    o.checkpoint_on_stop = checkpoint_on_stop;
    o.repeat = repeat_;
    o.feed_silence = feed_silence_;
    o.checkpoint_slice_shops = checkpoint_slice_shops_;
    o.checkpoint_slice_gate = slice_gate_;
    o.on_checkpoint_slice_durable = on_slice_durable_;
    return o;
  }

  std::unique_ptr<Engine> Start(int shards, bool checkpoint_on_stop = true) {
    absl::StatusOr<std::unique_ptr<Engine>> e =
        Engine::Create(Options(shards, checkpoint_on_stop));
    EXPECT_TRUE(e.ok()) << e.status();
    return e.ok() ? *std::move(e) : nullptr;
  }

  // Runs an asynchronous Engine call, `start(callback)`, and returns what
  // it called back with.
  template <typename T>
  static T Await(const std::function<void(std::function<void(T)>)>& start) {
    absl::Notification done;
    T out;
    start([&](T r) {
      out = std::move(r);
      done.Notify();
    });
    done.WaitForNotification();
    return out;
  }

  static v1::IngestAck Ingest(Engine& engine, std::vector<v1::Event> events,
                              uint64_t seq = 1) {
    v1::EventBatch batch;
    batch.set_batch_seq(seq);
    for (auto& e : events) *batch.add_events() = std::move(e);
    return Await<v1::IngestAck>([&](auto done) {
      engine.Ingest(std::move(batch), nullptr, std::move(done));
    });
  }

  static absl::StatusOr<v1::ReadinessReport> GetShop(Engine& engine,
                                                     const std::string& shop) {
    v1::GetShopRequest req;
    req.set_tenant("acme");
    req.set_shop_id(shop);
    return Await<absl::StatusOr<v1::ReadinessReport>>(
        [&](auto done) { engine.GetShop(req, std::move(done)); });
  }

  static std::string FiringAlerts(Engine& engine) {
    std::string out;
    absl::StatusOr<v1::ListAlertsResponse> list = engine.ListAlerts({});
    EXPECT_TRUE(list.ok());
    for (v1::Alert a : list->alerts()) {
      // After a restart, List knows an alert's state but not the sequence
      // of the transition that fired it (see alert_hub.h).
      a.clear_sequence();
      absl::StrAppend(&out, a.ShortDebugString(), "\n");
    }
    return out;
  }

  static void Advance(Engine& engine, absl::Duration d) {
    const absl::Status status = Await<absl::Status>(
        [&](auto done) { engine.AdvanceTestClock(d, std::move(done)); });
    ASSERT_TRUE(status.ok()) << status;
  }

  static absl::Status Acknowledge(Engine& engine, const v1::AlertKey& key,
                                  const std::string& by) {
    v1::AcknowledgeRequest req;
    *req.mutable_key() = key;
    req.set_by(by);
    return Await<absl::Status>(
        [&](auto done) { engine.Acknowledge(req, std::move(done)); });
  }

  // Transitions of `kind` in the alert log, in order.
  static std::vector<v1::Alert> LogOf(Engine& engine, v1::AlertKind kind) {
    std::vector<v1::Alert> log, out;
    EXPECT_TRUE(engine.alert_hub()->Read(1, 100000, &log).ok());
    for (v1::Alert& a : log) {
      if (a.key().kind() == kind) out.push_back(std::move(a));
    }
    return out;
  }

  static std::vector<v1::Alert> Firing(Engine& engine, v1::AlertKind kind) {
    std::vector<v1::Alert> out;
    absl::StatusOr<v1::ListAlertsResponse> list = engine.ListAlerts({});
    EXPECT_TRUE(list.ok());
    for (const v1::Alert& a : list->alerts()) {
      if (a.key().kind() == kind) out.push_back(a);
    }
    return out;
  }

  std::string dir_;
  std::unique_ptr<watchers::ProfileRegistry> registry_;
  TestClock clock_{kT0 + absl::Hours(3)};
  notifier::RepeatPolicy repeat_;
  std::map<std::string, absl::Duration> feed_silence_;
  int checkpoint_slice_shops_ = 0;
  std::function<bool(uint32_t, int)> slice_gate_;
  std::function<void(uint32_t, int, bool)> on_slice_durable_;
};

TEST_F(EngineTest, AckHasOneResultPerEventAppliedDuplicateRejected) {
  auto engine = Start(2);
  ASSERT_NE(engine, nullptr);
  std::vector<v1::Event> events = WrongAccountShop("s1");
  events.push_back(events[0]);  // same id again in the batch
  v1::Event bad = Envelope("bad-1", "s1", kT0);
  bad.clear_occurred_at();
  events.push_back(bad);
  v1::IngestAck ack = Ingest(*engine, events, 42);
  EXPECT_EQ(ack.batch_seq(), 42u);
  ASSERT_EQ(ack.results_size(), 5);
  EXPECT_EQ(ack.results(0).outcome(), v1::APPLIED);
  EXPECT_EQ(ack.results(2).outcome(), v1::APPLIED);
  EXPECT_EQ(ack.results(3).outcome(), v1::DUPLICATE);
  EXPECT_EQ(ack.results(4).outcome(), v1::REJECTED);
  EXPECT_FALSE(ack.results(4).reason().empty());
  EXPECT_EQ(ack.applied(), 3u);
  EXPECT_EQ(ack.duplicates(), 1u);
  EXPECT_EQ(ack.rejected(), 1u);

  v1::Event unknown = Envelope("u-1", "s2", kT0);
  unknown.mutable_shop_registered()->set_profile("no_such_profile");
  ack = Ingest(*engine, {unknown});
  EXPECT_EQ(ack.results(0).outcome(), v1::REJECTED);
  EXPECT_NE(ack.results(0).reason().find("no_such_profile"), std::string::npos);
  EXPECT_TRUE(absl::IsNotFound(GetShop(*engine, "s2").status()));

  v1::StatsResponse stats = engine->Stats();
  EXPECT_EQ(stats.events_applied(), 3);
  EXPECT_EQ(stats.events_duplicate(), 1);
  EXPECT_EQ(stats.events_rejected(), 2);
  EXPECT_EQ(stats.shops(), 1);
  EXPECT_GE(stats.log_position(), 1u);
  EXPECT_NE(FiringAlerts(*engine).find("ACCOUNT_MISMATCH"), std::string::npos);
}

// The shard heartbeat behind /livez: a shard held inside a step (here by a
// query's callback, which runs on the shard's thread) shows in
// LongestShardStep until the step ends; idle shards show zero.
TEST_F(EngineTest, LongestShardStepShowsAShardHeldInAStep) {
  auto engine = Start(2);
  ASSERT_NE(engine, nullptr);
  // Polls `ok` until it holds (10 s at most).
  auto eventually = [](const std::function<bool()>& ok) {
    const absl::Time until = absl::Now() + absl::Seconds(10);
    while (!ok() && absl::Now() < until) absl::SleepFor(absl::Milliseconds(1));
    return ok();
  };
  Engine* e = engine.get();
  ASSERT_TRUE(eventually(
      [e] { return e->LongestShardStep() == absl::ZeroDuration(); }));

  absl::Notification entered, release;
  v1::GetShopRequest req;
  req.set_tenant("acme");
  req.set_shop_id("nobody");
  engine->GetShop(req, [&](absl::StatusOr<v1::ReadinessReport>) {
    entered.Notify();
    release.WaitForNotification();
  });
  ASSERT_TRUE(entered.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_TRUE(eventually([e] {
    return e->LongestShardStep() >= absl::Milliseconds(50);
  })) << e->LongestShardStep();
  // SlowestShardStep names the held shard (/livez reports it).
  const Engine::ShardStep slowest = e->SlowestShardStep();
  EXPECT_GE(slowest.shard, 0);
  EXPECT_LT(slowest.shard, 2);
  EXPECT_GE(slowest.time, absl::Milliseconds(50));
  release.Notify();
  EXPECT_TRUE(eventually([e] {
    return e->LongestShardStep() == absl::ZeroDuration();
  })) << e->LongestShardStep();
}

TEST_F(EngineTest, BatchOverTheLimitIsRejectedWhole) {
  auto engine = Start(1);
  ASSERT_NE(engine, nullptr);
  std::vector<v1::Event> events;
  for (int i = 0; i < kMaxEventsPerBatch + 1; ++i) {
    v1::Event e = Envelope(absl::StrCat("e", i), "big", kT0);
    e.mutable_sale_recorded()->set_order_id(absl::StrCat("o", i));
    events.push_back(std::move(e));
  }
  v1::IngestAck ack = Ingest(*engine, events);
  EXPECT_EQ(ack.rejected(), static_cast<uint32_t>(kMaxEventsPerBatch + 1));
  EXPECT_NE(ack.results(0).reason().find("split"), std::string::npos);
}

// The core durability contract: after a crash (no final checkpoint) the log
// replays to the same state, alert book and dedupe memory, even with a
// different shard count; a clean stop + restart (checkpoint path) too.
TEST_F(EngineTest, CrashRecoveryReplaysToTheSameStateWithAnyShardCount) {
  std::vector<std::string> shops;
  std::string reports_before, alerts_before;
  uint64_t alert_seq_before = 0;
  {
    auto engine = Start(2, /*checkpoint_on_stop=*/false);
    ASSERT_NE(engine, nullptr);
    for (int i = 0; i < 20; ++i) {
      shops.push_back(absl::StrCat("shop-", i));
      v1::IngestAck ack = Ingest(*engine, WrongAccountShop(shops.back()), i);
      ASSERT_EQ(ack.applied(), 3u) << ack.DebugString();
    }
    // A deadline firing (not an event) must replay too.
    v1::IngestAck ack = Ingest(
        *engine, {NotReceivedDispute("d-1", "shop-0", kT0 + absl::Hours(3),
                                     kT0 + absl::Hours(75))});
    ASSERT_EQ(ack.applied(), 1u) << ack.DebugString();
    Advance(*engine, absl::Hours(49));  // 23 h before the response deadline
    alerts_before = FiringAlerts(*engine);
    EXPECT_NE(alerts_before.find("DISPUTE_RESPONSE_DUE"), std::string::npos)
        << alerts_before;
    for (const std::string& s : shops) {
      absl::StatusOr<v1::ReadinessReport> r = GetShop(*engine, s);
      ASSERT_TRUE(r.ok()) << r.status();
      reports_before += r->SerializeAsString();
    }
    alert_seq_before = engine->Stats().alert_sequence();
    engine->Stop();
  }
  for (int shards : {3, 1}) {
    auto engine = Start(shards);
    ASSERT_NE(engine, nullptr);
    if (shards == 3) EXPECT_GT(engine->recovery().replayed_events, 0);
    EXPECT_EQ(engine->recovery().shops, 20);
    std::string reports_after;
    for (const std::string& s : shops) {
      absl::StatusOr<v1::ReadinessReport> r = GetShop(*engine, s);
      ASSERT_TRUE(r.ok()) << r.status();
      reports_after += r->SerializeAsString();
    }
    EXPECT_EQ(reports_after, reports_before) << "shards=" << shards;
    EXPECT_EQ(FiringAlerts(*engine), alerts_before) << "shards=" << shards;
    EXPECT_EQ(engine->Stats().alert_sequence(), alert_seq_before);
    // Every event is remembered: resending is all DUPLICATE.
    v1::IngestAck ack = Ingest(*engine, WrongAccountShop("shop-7"));
    EXPECT_EQ(ack.duplicates(), 3u) << ack.DebugString();
    engine->Stop();
  }
}

// Checkpoints are written in rounds, a slice per step (shard.h). A crash in
// the middle of a round leaves some shops checkpointed after the cut: replay
// must skip their share of the logged groups (not apply it twice) and apply
// everyone else's. Crashes after 0, 1, 3, 6 and every slice of the round (a
// slice gate holds the round there); each recovery must give the state and
// alerts of a run without a crash.
TEST_F(EngineTest, CrashInsideACheckpointRoundRecoversTheSameState) {
  checkpoint_slice_shops_ = 1;  // one shop per slice: a round spans steps
  std::vector<std::string> shops;
  for (int i = 0; i < 24; ++i) shops.push_back(absl::StrCat("shop-", i));
  // Slices the second round may write per shard (12 shops each, about).
  std::atomic<int> limit{std::numeric_limits<int>::max()};
  slice_gate_ = [&](uint32_t, int written) { return written < limit.load(); };
  // Shards whose second round is held or complete, its last slice durable.
  absl::Mutex mu;
  bool armed = false;
  int shards_settled = 0;
  on_slice_durable_ = [&](uint32_t, int written, bool round_done) {
    absl::MutexLock lock(&mu);
    if (armed && (round_done || written == limit.load())) ++shards_settled;
  };
  int64_t rounds_cut_short = 0;
  const int limits[] = {0, 1, 3, 6, std::numeric_limits<int>::max()};
  int run = 0;
  for (int slices : limits) {
    SCOPED_TRACE(absl::StrCat("crash after ", slices, " slices of the round"));
    dir_ = TempDir();
    limit = std::numeric_limits<int>::max();
    {
      absl::MutexLock lock(&mu);
      armed = false;
      shards_settled = 0;
    }
    std::string reports_before, alerts_before;
    int64_t logged_after_first_round = 0;
    {
      auto engine = Start(2, /*checkpoint_on_stop=*/false);
      ASSERT_NE(engine, nullptr);
      for (int i = 0; i < 24; ++i) {
        ASSERT_EQ(Ingest(*engine, WrongAccountShop(shops[i]), i).applied(), 3u);
      }
      absl::Notification first;
      engine->RequestCheckpoint([&] { first.Notify(); });
      first.WaitForNotification();
      // Changes after the first round: these are what the second round
      // writes, slice by slice, and what replay must not apply twice.
      for (int i = 0; i < 24; ++i) {
        v1::Event e = Envelope(absl::StrCat(shops[i], "-late"), shops[i],
                               kT0 + absl::Hours(2) + absl::Minutes(i));
        auto* f = e.mutable_fee_charged();
        f->set_fee_id("f-1");
        f->set_category(v1::TECHNICAL_SERVICE);
        f->mutable_amount()->set_minor_units(1000 + i);
        f->mutable_amount()->set_currency("CNY");
        ASSERT_EQ(Ingest(*engine, {e}, 100 + i).applied(), 1u);
        ++logged_after_first_round;
      }
      ASSERT_EQ(
          Ingest(*engine,
                 {NotReceivedDispute("d-1", "shop-0", kT0 + absl::Hours(3),
                                     kT0 + absl::Hours(75))},
                 200)
              .applied(),
          1u);
      ++logged_after_first_round;
      Advance(*engine, absl::Hours(49));  // fires DISPUTE_RESPONSE_DUE
      alerts_before = FiringAlerts(*engine);
      for (const std::string& s : shops) {
        absl::StatusOr<v1::ReadinessReport> r = GetShop(*engine, s);
        ASSERT_TRUE(r.ok()) << r.status();
        reports_before += r->SerializeAsString();
      }
      {
        absl::MutexLock lock(&mu);
        armed = true;
      }
      limit = slices;
      engine->RequestCheckpoint(nullptr);
      if (slices > 0) {
        absl::MutexLock lock(&mu);
        ASSERT_TRUE(mu.AwaitWithTimeout(
            absl::Condition(
                +[](int* n) { return *n == 2; }, &shards_settled),
            absl::Seconds(60)))
            << shards_settled << " of 2 shards reached the crash point";
      }
      engine->Stop();  // no final checkpoint: a crash
    }
    auto engine = Start(run++ % 2 == 0 ? 2 : 3);
    ASSERT_NE(engine, nullptr);
    const Engine::RecoveryStats& rec = engine->recovery();
    // An event after the first round is replayed, or skipped because its
    // shop's checkpoint already holds it, or neither when its shard's round
    // completed (the cut moved past it); never both.
    EXPECT_LE(rec.replayed_events + rec.skipped_events,
              logged_after_first_round);
    if (rec.skipped_events > 0) ++rounds_cut_short;
    if (slices == 0) EXPECT_EQ(rec.skipped_events, 0);
    std::string reports_after;
    for (const std::string& s : shops) {
      absl::StatusOr<v1::ReadinessReport> r = GetShop(*engine, s);
      ASSERT_TRUE(r.ok()) << r.status();
      reports_after += r->SerializeAsString();
    }
    EXPECT_EQ(reports_after, reports_before);
    EXPECT_EQ(FiringAlerts(*engine), alerts_before);
    v1::IngestAck ack = Ingest(*engine, WrongAccountShop("shop-5"));
    EXPECT_EQ(ack.duplicates(), 3u) << ack.DebugString();
    engine->Stop();
  }
  // The rounds held after 1, 3 and 6 slices were cut short (some shops'
  // checkpoints newer than the cut): the case this test is for.
  EXPECT_GE(rounds_cut_short, 3);
}

// A restart after a crash keeps the cuts (the replayed shops are written by
// the first round); a restart after a clean stop starts the log positions
// again. Either way, what is acknowledged after the restart must survive
// the next crash: crash, crash, clean stop, crash, each with new events, and
// the end state equals that of a run that never stopped.
TEST_F(EngineTest, EventsAfterEveryKindOfRestartSurviveTheNextCrash) {
  auto events_of_run = [](int run) {
    std::vector<v1::Event> out;
    for (int i = 0; i < 6; ++i) {
      const std::string shop = absl::StrCat("shop-", i);
      v1::Event e = Envelope(absl::StrCat(shop, "-run", run), shop,
                             kT0 + absl::Hours(1) + absl::Minutes(run));
      auto* f = e.mutable_fee_charged();
      f->set_fee_id(absl::StrCat("f-", run));
      f->set_category(v1::TECHNICAL_SERVICE);
      f->mutable_amount()->set_minor_units(100 * (run + 1) + i);
      f->mutable_amount()->set_currency("CNY");
      out.push_back(e);
    }
    return out;
  };
  auto reports = [&](Engine& engine) {
    std::string out;
    for (int i = 0; i < 6; ++i) {
      absl::StatusOr<v1::ReadinessReport> r =
          GetShop(engine, absl::StrCat("shop-", i));
      EXPECT_TRUE(r.ok()) << r.status();
      if (r.ok()) out += r->SerializeAsString();
    }
    return out;
  };
  const std::string crashed_dir = dir_;
  // crash, crash, clean stop, crash
  const bool clean_stop[] = {false, false, true, false};
  for (int run = 0; run < 4; ++run) {
    SCOPED_TRACE(absl::StrCat("run ", run));
    auto engine = Start(2, /*checkpoint_on_stop=*/clean_stop[run]);
    ASSERT_NE(engine, nullptr);
    if (run > 0 && !clean_stop[run - 1]) {
      EXPECT_GT(engine->recovery().replayed_events, 0);
    }
    for (int past = 0; past < run; ++past) {
      EXPECT_EQ(Ingest(*engine, events_of_run(past), 50 + past).duplicates(),
                6u)
          << "events of run " << past << " were lost";
    }
    ASSERT_EQ(Ingest(*engine, events_of_run(run), run).applied(), 6u);
    engine->Stop();
  }
  auto engine = Start(2);
  ASSERT_NE(engine, nullptr);
  const std::string after_crashes = reports(*engine);
  engine->Stop();

  dir_ = TempDir();  // the same events, no restarts
  auto reference = Start(2);
  ASSERT_NE(reference, nullptr);
  for (int run = 0; run < 4; ++run) {
    ASSERT_EQ(Ingest(*reference, events_of_run(run), run).applied(), 6u);
  }
  EXPECT_EQ(after_crashes, reports(*reference));
  reference->Stop();
}

// A shop of several order pages (watchers::kOrderPageSlots orders each):
// rounds write only the pages whose orders changed; a crash after more
// changes, a restart with the same and with another shard count must all
// give back the same shop.
TEST_F(EngineTest, ShopOfManyOrderPagesSurvivesRoundsCrashAndRestarts) {
  checkpoint_slice_shops_ = 1;
  int next_id = 0;
  auto order = [&](int n, v1::OrderStatus status) {
    v1::Event e = Envelope(absl::StrCat("big-ev-", next_id++), "big",
                           kT0 + absl::Minutes(n % 600) +
                               absl::Minutes(status == v1::PLACED ? 0 : 700));
    e.mutable_order_status_changed()->set_order_id(absl::StrCat("ord-", n));
    e.mutable_order_status_changed()->set_status(status);
    return e;
  };
  const int kOrders = 2 * watchers::kOrderPageSlots + 500;
  std::string before;
  std::vector<v1::Event> late_events;
  {
    auto engine = Start(2, /*checkpoint_on_stop=*/false);
    ASSERT_NE(engine, nullptr);
    for (int start = 0; start < kOrders; start += 1000) {
      std::vector<v1::Event> batch;
      for (int n = start; n < std::min(kOrders, start + 1000); ++n) {
        batch.push_back(order(n, v1::PLACED));
      }
      const size_t size = batch.size();
      ASSERT_EQ(Ingest(*engine, std::move(batch), start).applied(), size);
    }
    ASSERT_EQ(Ingest(*engine, WrongAccountShop("small"), 50).applied(), 3u);
    absl::Notification first;
    engine->RequestCheckpoint([&] { first.Notify(); });
    first.WaitForNotification();
    // Page 0 and a new order (last page) change; a round writes them.
    std::vector<v1::Event> changes;
    for (int n = 0; n < 10; ++n) changes.push_back(order(n, v1::SHIPPED));
    changes.push_back(order(kOrders, v1::PLACED));
    ASSERT_EQ(Ingest(*engine, std::move(changes), 60).applied(), 11u);
    absl::Notification second;
    engine->RequestCheckpoint([&] { second.Notify(); });
    second.WaitForNotification();
    // Page 1 changes after the last round: only the log has it.
    std::vector<v1::Event> late;
    for (int n = watchers::kOrderPageSlots;
         n < static_cast<int>(watchers::kOrderPageSlots) + 7; ++n) {
      late.push_back(order(n, v1::SHIPPED));
    }
    late_events = late;
    ASSERT_EQ(Ingest(*engine, std::move(late), 70).applied(), 7u);
    absl::StatusOr<v1::ReadinessReport> r = GetShop(*engine, "big");
    ASSERT_TRUE(r.ok()) << r.status();
    before = r->SerializeAsString();
    engine->Stop();  // crash
  }
  for (int shards : {2, 2, 3}) {  // after the crash, after a clean stop, new
    SCOPED_TRACE(absl::StrCat(shards, " shards"));
    auto engine = Start(shards);
    ASSERT_NE(engine, nullptr);
    absl::StatusOr<v1::ReadinessReport> r = GetShop(*engine, "big");
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->SerializeAsString(), before);
    // The events only the log had are remembered too.
    EXPECT_EQ(Ingest(*engine, late_events, 80).duplicates(), 7u);
    engine->Stop();
  }
}

// The same for a shop whose fees fill three record pages (records past
// kRecordsInHead leave the head): rounds write the changed pages, a crash
// keeps what only the log has, and the shop packs and unpacks whole.
TEST_F(EngineTest, ShopOfManyRecordPagesSurvivesRoundsCrashAndRestarts) {
  checkpoint_slice_shops_ = 1;
  int next_id = 0;
  auto fee = [&](int n, bool paid) {
    v1::Event e = Envelope(
        absl::StrCat("fee-ev-", next_id++), "big",
        kT0 + absl::Hours(3) + absl::Minutes(n) + absl::Hours(paid ? 48 : 0));
    if (paid) {
      auto* b = e.mutable_fee_paid();
      b->set_fee_id(absl::StrCat("fee-", n));
      b->set_payment_id(absl::StrCat("pay-", n));
      b->mutable_amount()->set_minor_units(500);
      b->mutable_amount()->set_currency("CNY");
    } else {
      auto* b = e.mutable_fee_charged();
      b->set_fee_id(absl::StrCat("fee-", n));
      b->set_category(v1::TECHNICAL_SERVICE);
      b->mutable_amount()->set_minor_units(500);
      b->mutable_amount()->set_currency("CNY");
    }
    return e;
  };
  const int kFees = 2 * watchers::kRecordPageSlots + 60;
  std::string before;
  std::vector<v1::Event> late_events;
  {
    auto engine = Start(2, /*checkpoint_on_stop=*/false);
    ASSERT_NE(engine, nullptr);
    ASSERT_EQ(Ingest(*engine, WrongAccountShop("big"), 1).applied(), 3u);
    std::vector<v1::Event> charges;
    for (int n = 0; n < kFees; ++n) charges.push_back(fee(n, false));
    ASSERT_EQ(Ingest(*engine, std::move(charges), 2).applied(),
              static_cast<uint32_t>(kFees));
    absl::Notification first;
    engine->RequestCheckpoint([&] { first.Notify(); });
    first.WaitForNotification();
    // Old fees are paid and a new one is charged; a round writes them.
    std::vector<v1::Event> changes;
    for (int n = 0; n < 10; ++n) changes.push_back(fee(n, true));
    changes.push_back(fee(kFees, false));
    ASSERT_EQ(Ingest(*engine, std::move(changes), 3).applied(), 11u);
    absl::Notification second;
    engine->RequestCheckpoint([&] { second.Notify(); });
    second.WaitForNotification();
    // More fees are paid after the last round: only the log has it.
    std::vector<v1::Event> late;
    for (int n = 200; n < 207; ++n) late.push_back(fee(n, true));
    late_events = late;
    ASSERT_EQ(Ingest(*engine, std::move(late), 4).applied(), 7u);
    absl::StatusOr<v1::ReadinessReport> r = GetShop(*engine, "big");
    ASSERT_TRUE(r.ok()) << r.status();
    before = r->SerializeAsString();
    engine->Stop();  // crash
  }
  // After the crash and after a clean stop (shops packed as they load,
  // their pages only checked), then with a new shard count and no packing
  // (pages indexed as they load).
  for (int shards : {2, 2, 3}) {
    SCOPED_TRACE(absl::StrCat(shards, " shards"));
    Engine::Options o = Options(shards);
    o.pack_idle = shards == 2 ? absl::Hours(24 * 365) : absl::ZeroDuration();
    absl::StatusOr<std::unique_ptr<Engine>> started = Engine::Create(o);
    ASSERT_TRUE(started.ok()) << started.status();
    std::unique_ptr<Engine> engine = *std::move(started);
    absl::StatusOr<v1::ReadinessReport> r = GetShop(*engine, "big");
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->SerializeAsString(), before);
    absl::Notification written;  // replayed events leave the shop dirty
    engine->RequestCheckpoint([&] { written.Notify(); });
    written.WaitForNotification();
    EXPECT_GT(engine->PackAllShops(), 0);
    r = GetShop(*engine, "big");  // unpacks it
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->SerializeAsString(), before);
    EXPECT_EQ(Ingest(*engine, late_events, 5).duplicates(), 7u);
    engine->Stop();
  }
}

// Packed shops (shard.h) must be indistinguishable from live ones. Two
// engines get the same events, clock moves and acknowledgements: one never
// packs, the other packs every clean shop before each change (so events,
// deadline firings and acknowledgements land on packed shops) and is
// crashed and restarted (loading packs shops). After every phase both give
// the same readiness, explanations, shop listings and firing alerts. One
// shop spans three order pages.
TEST_F(EngineTest, PackedShopsBehaveExactlyLikeLiveOnes) {
  struct Side {
    std::string dir;
    std::unique_ptr<TestClock> clock;
    std::unique_ptr<Engine> engine;
  };
  auto start = [&](Side& side, bool pack, bool checkpoint_on_stop) {
    Engine::Options o = Options(2, checkpoint_on_stop);
    o.data_dir = side.dir;
    o.clock = side.clock.get();
    // Packing is done by the test (PackAllShops, before every change), so
    // that it knows what is packed; the background pass, which packs shops
    // idle for pack_idle of engine time, must not race it after the clock
    // jumps 49 h (IdleShopsArePackedByTheCheckpointRounds covers that pass).
    o.pack_idle = pack ? absl::Hours(24 * 365) : absl::ZeroDuration();
    absl::StatusOr<std::unique_ptr<Engine>> e = Engine::Create(o);
    ASSERT_TRUE(e.ok()) << e.status();
    side.engine = *std::move(e);
  };
  Side live{TempDir(), std::make_unique<TestClock>(kT0 + absl::Hours(3)), {}};
  Side packed{TempDir(), std::make_unique<TestClock>(kT0 + absl::Hours(3)), {}};
  start(live, false, true);
  start(packed, true, false);
  ASSERT_NE(live.engine, nullptr);
  ASSERT_NE(packed.engine, nullptr);

  std::vector<std::string> shops;
  for (int i = 0; i < 12; ++i) shops.push_back(absl::StrCat("shop-", i));
  shops.push_back("big");
  uint64_t seq = 1;
  auto ingest = [&](const std::vector<v1::Event>& events) {
    v1::IngestAck a = Ingest(*live.engine, events, seq);
    v1::IngestAck b = Ingest(*packed.engine, events, seq);
    ++seq;
    EXPECT_EQ(a.SerializeAsString(), b.SerializeAsString())
        << a.DebugString() << "\nvs packed\n"
        << b.DebugString();
  };
  auto describe = [&](Engine& engine) {
    std::string out;
    for (const std::string& shop : shops) {
      absl::StatusOr<v1::ReadinessReport> r = GetShop(engine, shop);
      EXPECT_TRUE(r.ok()) << shop << ": " << r.status();
      if (r.ok()) absl::StrAppend(&out, shop, " ", r->ShortDebugString(), "\n");
      v1::ExplainRequest req;
      req.set_tenant("acme");
      req.set_shop_id(shop);
      const absl::StatusOr<v1::ExplainResponse> x =
          Await<absl::StatusOr<v1::ExplainResponse>>(
              [&](auto done) { engine.Explain(req, std::move(done)); });
      EXPECT_TRUE(x.ok()) << x.status();
      if (x.ok()) absl::StrAppend(&out, x->ShortDebugString(), "\n");
    }
    return out + FiringAlerts(engine);
  };
  auto list = [&](Engine& engine) {
    std::string out;
    v1::ListShopsRequest req;
    req.set_page_size(5);
    for (;;) {
      const absl::StatusOr<v1::ListShopsResponse> page =
          Await<absl::StatusOr<v1::ListShopsResponse>>(
              [&](auto done) { engine.ListShops(req, std::move(done)); });
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) return out;
      absl::StrAppend(&out, page->ShortDebugString(), "\n");
      if (page->next_page_token().empty()) return out;
      req.set_page_token(page->next_page_token());
    }
  };
  // Packs every shop of the packing side; listing them first exercises
  // the scan over packed shops (which leaves them packed), then compares.
  // Changed shops are packed once a checkpoint round has written them.
  // `changed`: some shop changed since the last packing.
  auto pack_and_compare = [&](const std::string& phase, bool changed = true) {
    SCOPED_TRACE(phase);
    absl::Notification written;
    packed.engine->RequestCheckpoint([&] { written.Notify(); });
    written.WaitForNotification();
    const int64_t n = packed.engine->PackAllShops();
    if (changed) EXPECT_GT(n, 0);
    EXPECT_GE(packed.engine->Stats().packed_shops(), n);
    EXPECT_EQ(list(*packed.engine), list(*live.engine));
    EXPECT_EQ(packed.engine->PackAllShops(), 0)
        << "listing left shops unpacked";
    EXPECT_EQ(describe(*packed.engine), describe(*live.engine));
    EXPECT_GT(packed.engine->PackAllShops(), 0);  // the queries unpacked them
  };

  // Phase 1: registrations, deposits, orders, a dispute; the big shop's
  // orders fill three pages.
  std::vector<v1::Event> first;
  for (const std::string& shop : shops) {
    for (v1::Event& e : WrongAccountShop(shop)) first.push_back(e);
  }
  auto order = [](const std::string& shop, int n, v1::OrderStatus status,
                  absl::Duration at) {
    v1::Event e =
        Envelope(absl::StrCat(shop, "-o", n, "-", v1::OrderStatus_Name(status)),
                 shop, kT0 + at);
    e.mutable_order_status_changed()->set_order_id(absl::StrCat("o-", n));
    e.mutable_order_status_changed()->set_status(status);
    return e;
  };
  for (int i = 0; i < 12; ++i) {
    for (int n = 0; n < i; ++n) {
      first.push_back(order(shops[i], n, v1::PLACED, absl::Minutes(10 + n)));
    }
  }
  ingest(first);
  std::vector<v1::Event> big;
  for (int n = 0; n < 2 * static_cast<int>(watchers::kOrderPageSlots) + 300;
       ++n) {
    big.push_back(order("big", n, v1::PLACED, absl::Minutes(n % 500)));
    if (big.size() == 1000) {
      ingest(big);
      big.clear();
    }
  }
  ingest(big);
  ingest({NotReceivedDispute("d-1", "shop-3", kT0 + absl::Hours(3),
                             kT0 + absl::Hours(75))});
  pack_and_compare("after the first events");

  // Phase 2: events on packed shops: shipments and deliveries (one in each
  // of the big shop's pages), a fee, a rejected event.
  std::vector<v1::Event> second;
  for (int i = 1; i < 12; i += 2) {
    second.push_back(order(shops[i], 0, v1::SHIPPED, absl::Hours(2)));
  }
  for (int n : {3, 1500, 2300}) {
    second.push_back(order("big", n, v1::DELIVERED, absl::Hours(2)));
  }
  v1::Event fee = Envelope("fee-1", "shop-4", kT0 + absl::Hours(2));
  fee.mutable_fee_charged()->set_fee_id("f-1");
  fee.mutable_fee_charged()->set_category(v1::TECHNICAL_SERVICE);
  fee.mutable_fee_charged()->mutable_amount()->set_minor_units(1234);
  fee.mutable_fee_charged()->mutable_amount()->set_currency("CNY");
  second.push_back(fee);
  // Shipped after cancelled: rejected, and the shop stays as it was.
  second.push_back(order("shop-6", 1, v1::CANCELLED, absl::Hours(1)));
  ingest(second);
  pack_and_compare("before the rejection");
  ingest({order("shop-6", 1, v1::SHIPPED, absl::Hours(3))});
  pack_and_compare("after events on packed shops");

  // Phase 3: deadlines fire on packed shops.
  Advance(*live.engine, absl::Hours(49));
  Advance(*packed.engine, absl::Hours(49));
  pack_and_compare("after deadlines fired");
  const std::vector<v1::Alert> due =
      Firing(*live.engine, v1::DISPUTE_RESPONSE_DUE);
  ASSERT_EQ(due.size(), 1u) << FiringAlerts(*live.engine);

  // Phase 4: an acknowledgement of a packed shop's alert.
  EXPECT_TRUE(Acknowledge(*live.engine, due[0].key(), "ops").ok());
  EXPECT_TRUE(Acknowledge(*packed.engine, due[0].key(), "ops").ok());
  pack_and_compare("after an acknowledgement");

  // Phase 5: a crash (no final checkpoint) of the packing side, then a
  // clean restart; shops load packed. Events after each.
  for (bool crash : {true, false}) {
    SCOPED_TRACE(crash ? "after a crash" : "after a clean stop");
    // Logged, not checkpointed: a crash replays them onto packed shops.
    ingest(
        {order("shop-8", 2, v1::SHIPPED, absl::Hours(55)),
         order("big", 1030, v1::SHIPPED, absl::Hours(55)),
         order(crash ? "shop-9" : "shop-10", 3, v1::SHIPPED, absl::Hours(56))});
    packed.engine->Stop();
    packed.engine.reset();
    // The first stop is a crash (started without a final checkpoint),
    // the second a clean stop.
    start(packed, true, /*checkpoint_on_stop=*/true);
    ASSERT_NE(packed.engine, nullptr);
    if (crash) EXPECT_GT(packed.engine->recovery().replayed_events, 0);
    EXPECT_GT(packed.engine->Stats().packed_shops(), 0)
        << "loaded shops should be packed";
    pack_and_compare("restarted", /*changed=*/crash);  // replayed events
    ingest({order("shop-2", 0, v1::SHIPPED, absl::Hours(crash ? 60 : 61)),
            order("big", crash ? 2000 : 2001, v1::SHIPPED, absl::Hours(60))});
    pack_and_compare("events after the restart");
    // Every event is remembered by both.
    v1::IngestAck again = Ingest(*packed.engine, WrongAccountShop("shop-5"), 9);
    EXPECT_EQ(again.duplicates(), 3u);
  }
  live.engine->Stop();
  packed.engine->Stop();
}

// Shops idle for the packing time are packed by the pass that runs with
// each checkpoint round; a shop with a recent event stays live.
TEST_F(EngineTest, IdleShopsArePackedByTheCheckpointRounds) {
  Engine::Options o = Options();
  o.pack_idle = absl::Minutes(10);
  absl::StatusOr<std::unique_ptr<Engine>> created = Engine::Create(o);
  ASSERT_TRUE(created.ok()) << created.status();
  Engine& engine = **created;
  for (int i = 0; i < 30; ++i) {
    ASSERT_EQ(
        Ingest(engine, WrongAccountShop(absl::StrCat("s-", i)), i).applied(),
        3u);
  }
  auto round = [&] {
    absl::Notification done;
    engine.RequestCheckpoint([&] { done.Notify(); });
    done.WaitForNotification();
  };
  // A packing pass runs in slices after its round started, so it may end
  // after the round's cut is durable: wait for it (10 s at most).
  auto packed_becomes = [&](int64_t want) {
    const absl::Time until = absl::Now() + absl::Seconds(10);
    int64_t n = engine.Stats().packed_shops();
    while (n != want && absl::Now() < until) {
      absl::SleepFor(absl::Milliseconds(1));
      n = engine.Stats().packed_shops();
    }
    return n;
  };
  round();  // writes them: clean, but not idle yet
  EXPECT_EQ(engine.Stats().packed_shops(), 0);
  Advance(engine, absl::Minutes(11));
  ASSERT_EQ(
      Ingest(engine, {Envelope("s-0-late", "s-0", kT0 + absl::Hours(3))}, 100)
          .rejected(),
      1u);  // an empty event: rejected, and not a use
  v1::Event fee = Envelope("fee", "s-1", kT0 + absl::Hours(3));
  fee.mutable_fee_charged()->set_fee_id("f");
  fee.mutable_fee_charged()->set_category(v1::TECHNICAL_SERVICE);
  fee.mutable_fee_charged()->mutable_amount()->set_minor_units(5);
  fee.mutable_fee_charged()->mutable_amount()->set_currency("CNY");
  ASSERT_EQ(Ingest(engine, {fee}, 101).applied(), 1u);
  round();
  round();  // the second pass: s-1 is clean now, but used a moment ago
  EXPECT_EQ(packed_becomes(29), 29);
  absl::StatusOr<v1::ReadinessReport> r = GetShop(engine, "s-7");
  ASSERT_TRUE(r.ok()) << r.status();
  round();  // a query unpacks it, and it is not idle any more
  EXPECT_EQ(packed_becomes(28), 28);
  Advance(engine, absl::Minutes(11));
  round();
  EXPECT_EQ(packed_becomes(30), 30);
  engine.Stop();
}

TEST_F(EngineTest, TestClockFiresDeadlinesBeforeReturningAndResolves) {
  auto engine = Start(2);
  ASSERT_NE(engine, nullptr);
  const absl::Time due = kT0 + absl::Hours(75);
  ASSERT_EQ(Ingest(*engine,
                   {NotReceivedDispute("d-1", "s1", kT0 + absl::Hours(3), due)})
                .applied(),
            1u);
  EXPECT_EQ(FiringAlerts(*engine).find("DISPUTE_RESPONSE_DUE"),
            std::string::npos);
  EXPECT_GE(engine->Stats().pending_deadlines(), 1);
  Advance(*engine, absl::Hours(49));
  const std::string firing = FiringAlerts(*engine);
  EXPECT_NE(firing.find("DISPUTE_RESPONSE_DUE"), std::string::npos) << firing;

  // Responding clears it: RESOLVED in the alert log, nothing firing.
  v1::Event responded = Envelope("d-2", "s1", kT0 + absl::Hours(53));
  responded.mutable_dispute_responded()->set_dispute_id("nr-1");
  ASSERT_EQ(Ingest(*engine, {responded}).applied(), 1u);
  EXPECT_EQ(FiringAlerts(*engine).find("DISPUTE_RESPONSE_DUE"),
            std::string::npos);
  std::vector<v1::Alert> log;
  ASSERT_TRUE(engine->alert_hub()->Read(1, 100, &log).ok());
  ASSERT_GE(log.size(), 2u);
  for (size_t i = 0; i < log.size(); ++i) {
    EXPECT_EQ(log[i].sequence(), i + 1);  // gap-free
  }
  EXPECT_EQ(log.back().state(), v1::RESOLVED);
}

TEST_F(EngineTest, DeadlinePassedWhileDownFiresOnceAtStart) {
  const absl::Time due = kT0 + absl::Hours(75);
  {
    auto engine = Start(2);
    ASSERT_NE(engine, nullptr);
    ASSERT_EQ(Ingest(*engine, {NotReceivedDispute("d-1", "s1",
                                                  kT0 + absl::Hours(3), due)})
                  .applied(),
              1u);
    EXPECT_EQ(FiringAlerts(*engine), "");
    engine->Stop();
  }
  // Down past every lead time and the deadline itself.
  ASSERT_TRUE(clock_.Set(due + absl::Hours(5)).ok());
  uint64_t sequence_after_start = 0;
  {
    auto engine = Start(2);
    ASSERT_NE(engine, nullptr);
    std::string firing;
    for (int i = 0; i < 500; ++i) {  // the shards' first step fires it
      firing = FiringAlerts(*engine);
      if (!firing.empty()) break;
      absl::SleepFor(absl::Milliseconds(10));
    }
    EXPECT_NE(firing.find("DISPUTE_RESPONSE_DUE"), std::string::npos) << firing;
    std::vector<v1::Alert> log;
    ASSERT_TRUE(engine->alert_hub()->Read(1, 100, &log).ok());
    ASSERT_EQ(log.size(), 1u);  // once: the breach, not the missed lead times
    EXPECT_EQ(log[0].state(), v1::FIRING);
    EXPECT_EQ(log[0].key().kind(), v1::DISPUTE_RESPONSE_DUE);
    EXPECT_EQ(log[0].stage(), "breached");
    sequence_after_start = engine->Stats().alert_sequence();
    engine->Stop();
  }
  {
    // Another restart at the same time fires nothing again.
    auto engine = Start(1);
    ASSERT_NE(engine, nullptr);
    // Advancing the test clock by nothing returns once every shard has
    // fired what is due now: a barrier behind the start's first step.
    Advance(*engine, absl::ZeroDuration());
    EXPECT_EQ(engine->Stats().alert_sequence(), sequence_after_start);
    EXPECT_NE(FiringAlerts(*engine).find("DISPUTE_RESPONSE_DUE"),
              std::string::npos);
    engine->Stop();
  }
}

TEST_F(EngineTest, TestClockIsOffWithoutTheFlag) {
  RealClock real;
  Engine::Options o;
  o.data_dir = dir_;
  o.sync = false;
  o.shards = 1;
  o.registry = registry_.get();
  o.clock = &real;
  auto engine = Engine::Create(o);
  ASSERT_TRUE(engine.ok());
  EXPECT_EQ((*engine)->TestClockNow().status().code(),
            absl::StatusCode::kFailedPrecondition);
}

// --- alert lifecycle (issue #4): repeats, acknowledgement, silences and the
// feed watchdog, each across a crash (no final checkpoint: log replay).

TEST_F(EngineTest, RepeatsUntilAcknowledgedAndTheAckSurvivesACrash) {
  repeat_ = [](const v1::Alert&) { return absl::Hours(4); };
  v1::AlertKey key;
  {
    auto engine = Start(2, /*checkpoint_on_stop=*/false);
    ASSERT_NE(engine, nullptr);
    ASSERT_EQ(Ingest(*engine, WrongAccountShop("s1")).applied(), 3u);
    auto firing = Firing(*engine, v1::ACCOUNT_MISMATCH);
    ASSERT_EQ(firing.size(), 1u);
    key = firing[0].key();
    Advance(*engine, absl::Hours(3));
    EXPECT_EQ(LogOf(*engine, v1::ACCOUNT_MISMATCH).size(), 1u);
    Advance(*engine, absl::Hours(1));  // 4 h after it fired
    auto log = LogOf(*engine, v1::ACCOUNT_MISMATCH);
    ASSERT_EQ(log.size(), 2u);
    EXPECT_EQ(log[1].change(), v1::REPEATED);
    EXPECT_TRUE(log[1].repeat());

    ASSERT_TRUE(Acknowledge(*engine, key, "alice").ok());
    log = LogOf(*engine, v1::ACCOUNT_MISMATCH);
    ASSERT_EQ(log.size(), 3u);
    EXPECT_EQ(log[2].change(), v1::ACKNOWLEDGED);
    EXPECT_EQ(log[2].acknowledged_by(), "alice");
    EXPECT_TRUE(Acknowledge(*engine, key, "bob").ok());  // idempotent
    EXPECT_EQ(LogOf(*engine, v1::ACCOUNT_MISMATCH).size(), 3u);
    engine->Stop();  // crash: recovery must replay the acknowledgement
  }
  auto engine = Start(3);
  ASSERT_NE(engine, nullptr);
  auto firing = Firing(*engine, v1::ACCOUNT_MISMATCH);
  ASSERT_EQ(firing.size(), 1u);
  EXPECT_TRUE(firing[0].acknowledged());
  EXPECT_EQ(firing[0].acknowledged_by(), "alice");
  Advance(*engine, absl::Hours(24));
  EXPECT_EQ(LogOf(*engine, v1::ACCOUNT_MISMATCH).size(), 3u) << "no repeats";
}

// A closure blocked by an open dispute and two unpaid fees (generic
// profile): closure requested at kT0 + 1 h.
std::vector<v1::Event> ClosureBlockedShop(const std::string& shop) {
  std::vector<v1::Event> out;
  v1::Event r = Envelope(shop + "-1", shop, kT0);
  r.mutable_shop_registered()->set_profile("generic");
  r.mutable_shop_registered()->set_site("CN");
  out.push_back(r);
  out.push_back(
      NotReceivedDispute(shop + "-2", shop, kT0, kT0 + absl::Hours(24 * 30)));
  for (const char* fee : {"fee-1", "fee-2"}) {
    v1::Event f = Envelope(absl::StrCat(shop, "-", fee), shop, kT0);
    f.mutable_fee_charged()->set_fee_id(fee);
    f.mutable_fee_charged()->set_category(v1::ADS_SETTLEMENT);
    f.mutable_fee_charged()->mutable_amount()->set_minor_units(3500);
    f.mutable_fee_charged()->mutable_amount()->set_currency("CNY");
    out.push_back(f);
  }
  v1::Event c = Envelope(shop + "-3", shop, kT0 + absl::Hours(1));
  c.mutable_closure_requested();
  out.push_back(c);
  return out;
}

v1::Event FeePaid(const std::string& shop, const std::string& fee) {
  v1::Event e =
      Envelope(absl::StrCat(shop, "-paid-", fee), shop, kT0 + absl::Hours(2));
  e.mutable_fee_paid()->set_fee_id(fee);
  e.mutable_fee_paid()->set_payment_id("pay-" + fee);
  e.mutable_fee_paid()->mutable_amount()->set_minor_units(3500);
  e.mutable_fee_paid()->mutable_amount()->set_currency("CNY");
  return e;
}

// domain.md §5, through the real shards: paying both fees of a closure-
// blocked shop in one batch or in two gives the same CLOSURE_BLOCKED alert
// (one UPDATED or two, the last saying the same), without R4; and recovery
// from the log (no final checkpoint) gives the same alerts again.
TEST_F(EngineTest, UpdatedAlertsDoNotDependOnBatchingAndReplay) {
  std::string firing_before;
  {
    auto engine = Start(2, /*checkpoint_on_stop=*/false);
    ASSERT_NE(engine, nullptr);
    for (const char* shop : {"one-batch", "two-batches"}) {
      ASSERT_EQ(Ingest(*engine, ClosureBlockedShop(shop)).applied(), 5u);
    }
    ASSERT_EQ(Firing(*engine, v1::CLOSURE_BLOCKED).size(), 2u);
    EXPECT_EQ(Ingest(*engine, {FeePaid("one-batch", "fee-1"),
                               FeePaid("one-batch", "fee-2")})
                  .applied(),
              2u);
    EXPECT_EQ(Ingest(*engine, {FeePaid("two-batches", "fee-1")}).applied(), 1u);
    EXPECT_EQ(Ingest(*engine, {FeePaid("two-batches", "fee-2")}).applied(), 1u);

    std::map<std::string, std::vector<v1::Alert>> log;
    for (v1::Alert& a : LogOf(*engine, v1::CLOSURE_BLOCKED)) {
      log[a.key().shop_id()].push_back(std::move(a));
    }
    std::vector<v1::AlertChange> one, two;
    for (const v1::Alert& a : log["one-batch"]) one.push_back(a.change());
    for (const v1::Alert& a : log["two-batches"]) two.push_back(a.change());
    EXPECT_EQ(one, (std::vector<v1::AlertChange>{v1::OPENED, v1::UPDATED}));
    EXPECT_EQ(two, (std::vector<v1::AlertChange>{v1::OPENED, v1::UPDATED,
                                                 v1::UPDATED}));
    const std::vector<v1::Alert> firing = Firing(*engine, v1::CLOSURE_BLOCKED);
    ASSERT_EQ(firing.size(), 2u);
    for (const v1::Alert& a : firing) {
      SCOPED_TRACE(a.key().shop_id());
      // List shows the alert log's last transition of the key.
      EXPECT_EQ(a.sequence(), log[a.key().shop_id()].back().sequence());
      EXPECT_EQ(a.change(), v1::UPDATED);
      EXPECT_FALSE(a.repeat());
      EXPECT_EQ(a.evidence().count("R4_UNPAID_FEES"), 0u);
      EXPECT_EQ(a.evidence().count("R3_OPEN_DISPUTES"), 1u);
      EXPECT_EQ(a.summary().find("R4"), std::string::npos) << a.summary();
    }
    using Evidence = std::map<std::string, std::string>;
    EXPECT_EQ(firing[0].summary(), firing[1].summary());
    EXPECT_EQ(
        Evidence(firing[0].evidence().begin(), firing[0].evidence().end()),
        Evidence(firing[1].evidence().begin(), firing[1].evidence().end()));
    EXPECT_EQ(firing[0].stage(), firing[1].stage());
    EXPECT_EQ(firing[0].at().seconds(), firing[1].at().seconds());
    EXPECT_EQ(firing[0].last_paged_at().seconds(),
              firing[1].last_paged_at().seconds());
    firing_before = FiringAlerts(*engine);
    engine->Stop();  // no checkpoint: recovery replays the log
  }
  auto engine = Start(3);
  ASSERT_NE(engine, nullptr);
  EXPECT_GT(engine->recovery().replayed_events, 0);
  EXPECT_EQ(FiringAlerts(*engine), firing_before);
}

TEST_F(EngineTest, AcknowledgeErrorsSayWhatToDo) {
  auto engine = Start(1);
  ASSERT_NE(engine, nullptr);
  v1::AlertKey key;
  key.set_tenant("acme");
  key.set_shop_id("nope");
  key.set_kind(v1::INACTIVITY);
  absl::Status s = Acknowledge(*engine, key, "alice");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << s;
  EXPECT_NE(s.message().find("Alerts.List"), std::string::npos) << s;
  EXPECT_EQ(Acknowledge(*engine, key, "").code(),
            absl::StatusCode::kInvalidArgument);
  key.set_kind(v1::ALERT_KIND_UNSPECIFIED);
  EXPECT_EQ(Acknowledge(*engine, key, "alice").code(),
            absl::StatusCode::kInvalidArgument);
  key.set_kind(v1::INACTIVITY);
  key.clear_shop_id();
  EXPECT_EQ(Acknowledge(*engine, key, "alice").code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(EngineTest, SilencesArePersistedShownInListAndEnd) {
  {
    auto engine = Start(2);
    ASSERT_NE(engine, nullptr);
    ASSERT_EQ(Ingest(*engine, WrongAccountShop("s1")).applied(), 3u);
    v1::SilenceRequest req;
    req.set_tenant("acme");
    req.set_kind(v1::ACCOUNT_MISMATCH);
    req.set_by("alice");
    *req.mutable_ends_at() = Ts(clock_.Now() + absl::Hours(2));
    absl::StatusOr<v1::SilenceResponse> r = engine->Silence(req);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_FALSE(r->silence_id().empty());
    auto firing = Firing(*engine, v1::ACCOUNT_MISMATCH);
    ASSERT_EQ(firing.size(), 1u);
    EXPECT_EQ(firing[0].silenced_by(), r->silence_id());
    // The alert log itself is untouched by silences.
    for (const v1::Alert& a : LogOf(*engine, v1::ACCOUNT_MISMATCH)) {
      EXPECT_TRUE(a.silenced_by().empty());
    }

    // Bad requests.
    struct Bad {
      std::string what;
      std::function<void(v1::SilenceRequest*)> edit;
    } bad[] = {
        {"no matchers",
         [](v1::SilenceRequest* q) {
           q->clear_tenant();
           q->clear_kind();
         }},
        {"shop without tenant",
         [](v1::SilenceRequest* q) {
           q->clear_tenant();
           q->set_shop_id("s1");
         }},
        {"ends in the past",
         [&](v1::SilenceRequest* q) {
           *q->mutable_ends_at() = Ts(clock_.Now() - absl::Hours(1));
         }},
        {"no end", [](v1::SilenceRequest* q) { q->clear_ends_at(); }},
        {"over a year",
         [&](v1::SilenceRequest* q) {
           *q->mutable_ends_at() = Ts(clock_.Now() + absl::Hours(24 * 400));
         }},
        {"unknown kind",
         [](v1::SilenceRequest* q) {
           q->set_kind(static_cast<v1::AlertKind>(99));
         }},
        {"no by", [](v1::SilenceRequest* q) { q->clear_by(); }},
    };
    for (const Bad& b : bad) {
      v1::SilenceRequest q = req;
      b.edit(&q);
      EXPECT_EQ(engine->Silence(q).status().code(),
                absl::StatusCode::kInvalidArgument)
          << b.what;
    }
    engine->Stop();
  }
  {
    auto engine = Start(2, /*checkpoint_on_stop=*/false);
    ASSERT_NE(engine, nullptr);
    auto firing = Firing(*engine, v1::ACCOUNT_MISMATCH);
    ASSERT_EQ(firing.size(), 1u);
    EXPECT_FALSE(firing[0].silenced_by().empty()) << "persisted";
    Advance(*engine, absl::Hours(2));
    firing = Firing(*engine, v1::ACCOUNT_MISMATCH);
    ASSERT_EQ(firing.size(), 1u);
    EXPECT_TRUE(firing[0].silenced_by().empty()) << "ended";
    engine->Stop();
  }
}

TEST_F(EngineTest, FeedSilentFiresAfterTheSilenceResolvesOnAnEventAndReplays) {
  feed_silence_["acme"] = absl::Minutes(30);
  feed_silence_["quiet"] = absl::Minutes(60);  // never sends anything
  {
    auto engine = Start(2, /*checkpoint_on_stop=*/false);
    ASSERT_NE(engine, nullptr);
    ASSERT_EQ(Ingest(*engine, WrongAccountShop("s1")).applied(), 3u);
    Advance(*engine, absl::Minutes(29));
    EXPECT_TRUE(Firing(*engine, v1::FEED_SILENT).empty());
    Advance(*engine, absl::Minutes(1));
    auto firing = Firing(*engine, v1::FEED_SILENT);
    ASSERT_EQ(firing.size(), 1u);
    EXPECT_EQ(firing[0].key().tenant(), "acme");
    EXPECT_EQ(firing[0].key().shop_id(), "");
    EXPECT_EQ(firing[0].severity(), v1::CRITICAL);
    Advance(*engine, absl::Minutes(30));
    firing = Firing(*engine, v1::FEED_SILENT);
    ASSERT_EQ(firing.size(), 2u);  // and the tenant never heard from
    EXPECT_EQ(firing[1].key().tenant(), "quiet");
    // The watchdog entries are not shops.
    v1::ListShopsRequest lr;
    absl::Notification listed;
    engine->ListShops(lr, [&](absl::StatusOr<v1::ListShopsResponse> r) {
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(r->shops_size(), 1);
      listed.Notify();
    });
    listed.WaitForNotification();
    // An event of the tenant clears it.
    v1::Event sale = Envelope("sale-1", "s1", kT0 + absl::Hours(4));
    sale.mutable_sale_recorded();
    ASSERT_EQ(Ingest(*engine, {sale}).applied(), 1u);
    firing = Firing(*engine, v1::FEED_SILENT);
    ASSERT_EQ(firing.size(), 1u);
    EXPECT_EQ(firing[0].key().tenant(), "quiet");
    auto log = LogOf(*engine, v1::FEED_SILENT);
    ASSERT_EQ(log.size(), 3u);
    EXPECT_EQ(log[2].state(), v1::RESOLVED);
    EXPECT_EQ(log[2].key().tenant(), "acme");
    engine->Stop();  // crash
  }
  auto engine = Start(1);
  ASSERT_NE(engine, nullptr);
  auto firing = Firing(*engine, v1::FEED_SILENT);
  ASSERT_EQ(firing.size(), 1u);
  EXPECT_EQ(firing[0].key().tenant(), "quiet");
  // acme was last heard at the sale: silent again 30 minutes later.
  Advance(*engine, absl::Minutes(31));
  EXPECT_EQ(Firing(*engine, v1::FEED_SILENT).size(), 2u);
}

}  // namespace
}  // namespace depositd::daemon
