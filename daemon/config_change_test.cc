// Configuration change inside the engine (Engine::ApplyConfig, the
// start-up move to a changed file) and its replay: a profile change moves a
// shop's projection, a language change rewords its firing alert, and after
// a crash (no final checkpoint) the replayed state and alerts are the live
// run's, also with another shard count.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "daemon/config_loader.h"
#include "daemon/engine.h"
#include "gtest/gtest.h"

namespace depositd::daemon {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1772668800);  // 2026-03-05

google::protobuf::Timestamp Ts(const char* rfc3339) {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &err)) << err;
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

v1::Event Envelope(const std::string& shop, int n, const char* at) {
  v1::Event e;
  e.set_event_id(absl::StrCat(shop, "-", n));
  e.set_tenant("acme");
  e.set_shop_id(shop);
  *e.mutable_occurred_at() = Ts(at);
  return e;
}

// A TikTok Shop cross-border US shop closed on 2026-03-02; with `claim`, an
// A-to-Z claim is still open (CLOSURE_BLOCKED fires).
std::vector<v1::Event> ClosedShop(const std::string& shop, bool claim) {
  std::vector<v1::Event> out;
  v1::Event r = Envelope(shop, 1, "2026-01-05T02:00:00Z");
  r.mutable_shop_registered()->set_profile("tiktok_shop_cross_border");
  r.mutable_shop_registered()->set_site("US");
  out.push_back(r);
  v1::Event d = Envelope(shop, 2, "2026-01-05T03:00:00Z");
  d.mutable_deposit_paid()->set_payment_id("dep-1");
  d.mutable_deposit_paid()->set_kind(v1::BASE);
  d.mutable_deposit_paid()->mutable_amount()->set_minor_units(50000);
  d.mutable_deposit_paid()->mutable_amount()->set_currency("USD");
  d.mutable_deposit_paid()->set_channel("paypal");
  d.mutable_deposit_paid()->set_paying_account("paypal:fin@acme.example");
  out.push_back(d);
  v1::Event a = Envelope(shop, 3, "2026-01-06T03:00:00Z");
  a.mutable_refund_account_set()->set_channel("paypal");
  a.mutable_refund_account_set()->set_account("paypal:fin@acme.example");
  a.mutable_refund_account_set()->set_currency("USD");
  out.push_back(a);
  v1::Event o = Envelope(shop, 4, "2026-01-20T08:00:00Z");
  o.mutable_order_status_changed()->set_order_id("o-1");
  o.mutable_order_status_changed()->set_status(v1::COMPLETED);
  out.push_back(o);
  if (claim) {
    v1::Event c = Envelope(shop, 5, "2026-02-22T09:00:00Z");
    c.mutable_dispute_opened()->set_dispute_id("atoz-1");
    c.mutable_dispute_opened()->set_kind(v1::A_TO_Z);
    out.push_back(c);
  }
  out.push_back(Envelope(shop, 6, "2026-03-01T02:00:00Z"));
  out.back().mutable_closure_requested();
  out.push_back(Envelope(shop, 7, "2026-03-02T02:00:00Z"));
  out.back().mutable_shop_closed();
  return out;
}

v1::DaemonConfig Config(const char* text) {
  absl::StatusOr<v1::DaemonConfig> c = ParseDaemonConfig(text, "test");
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *c : v1::DaemonConfig();
}

// A: the built-in profiles. B: acme's shops wait 45 days after closing
// (30 built in) and acme's alerts are in Chinese.
constexpr char kConfigA[] = R"pb(tenants { tenant: "acme" })pb";
constexpr char kConfigB[] = R"pb(
  tenants {
    tenant: "acme"
    language: "zh-CN"
    profile { closure_waiting_days: 45 }
  }
)pb";

class ConfigChangeTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = testing::TempDir() + "/config_change_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }

  std::unique_ptr<Engine> Start(const char* config, int shards,
                                bool checkpoint_on_stop = false) {
    Engine::Options o;
    o.data_dir = dir_;
    o.sync = false;
    o.shards = shards;
    o.checkpoint_interval = absl::Hours(1);
    o.clock = &clock_;
    o.config = Config(config);
    o.checkpoint_on_stop = checkpoint_on_stop;
    absl::StatusOr<std::unique_ptr<Engine>> e = Engine::Create(o);
    EXPECT_TRUE(e.ok()) << e.status();
    return e.ok() ? *std::move(e) : nullptr;
  }

  static void Ingest(Engine& engine, std::vector<v1::Event> events) {
    v1::EventBatch batch;
    for (v1::Event& e : events) *batch.add_events() = std::move(e);
    absl::Notification done;
    v1::IngestAck ack;
    engine.Ingest(std::move(batch), nullptr, [&](v1::IngestAck a) {
      ack = std::move(a);
      done.Notify();
    });
    done.WaitForNotification();
    for (const v1::EventResult& r : ack.results()) {
      EXPECT_EQ(r.outcome(), v1::APPLIED) << r.reason();
    }
  }

  static v1::ReadinessReport Shop(Engine& engine, const std::string& shop) {
    v1::GetShopRequest req;
    req.set_tenant("acme");
    req.set_shop_id(shop);
    absl::Notification done;
    absl::StatusOr<v1::ReadinessReport> out;
    engine.GetShop(req, [&](absl::StatusOr<v1::ReadinessReport> r) {
      out = std::move(r);
      done.Notify();
    });
    done.WaitForNotification();
    EXPECT_TRUE(out.ok()) << out.status();
    return out.ok() ? *out : v1::ReadinessReport();
  }

  // The firing alerts, without their sequence: alerts recovered at start
  // carry sequence 0 (alert_hub.h), the rest must be the same.
  static std::string Alerts(Engine& engine) {
    absl::StatusOr<v1::ListAlertsResponse> list = engine.ListAlerts({});
    EXPECT_TRUE(list.ok()) << list.status();
    if (!list.ok()) return "";
    for (v1::Alert& a : *list->mutable_alerts()) a.clear_sequence();
    return list->DebugString();
  }

  static std::string ReadyAt(const v1::ReadinessReport& r) {
    return absl::FormatTime("%Y-%m-%d",
                            absl::FromUnixSeconds(r.ready_at().seconds()),
                            absl::UTCTimeZone());
  }

  std::string dir_;
  TestClock clock_{kNow};
};

TEST_F(ConfigChangeTest, ReloadMovesProjectionAndRewordsAlerts) {
  std::unique_ptr<Engine> engine = Start(kConfigA, 2);
  ASSERT_NE(engine, nullptr);
  const uint64_t v1 = engine->config()->version;
  EXPECT_GT(v1, 0u);
  Ingest(*engine, ClosedShop("ready", false));
  Ingest(*engine, ClosedShop("blocked", true));
  EXPECT_EQ(ReadyAt(Shop(*engine, "ready")), "2026-04-01");
  const std::string alerts_a = Alerts(*engine);
  EXPECT_NE(alerts_a.find("CLOSURE_BLOCKED"), std::string::npos) << alerts_a;

  // The same file again: nothing to do.
  absl::StatusOr<Engine::ConfigApplied> same =
      engine->ApplyConfig(Config(kConfigA));
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_FALSE(same->changed);
  EXPECT_EQ(same->version, v1);

  absl::StatusOr<Engine::ConfigApplied> b =
      engine->ApplyConfig(Config(kConfigB));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_TRUE(b->changed);
  EXPECT_EQ(b->version, v1 + 1);
  EXPECT_EQ(b->shops_reevaluated, 2);
  EXPECT_EQ(ReadyAt(Shop(*engine, "ready")), "2026-04-16");
  const std::string alerts_b = Alerts(*engine);
  EXPECT_NE(alerts_b, alerts_a);  // reworded in zh-CN
  v1::GetConfigResponse shown;
  ASSERT_TRUE(engine->EffectiveConfig("acme", "", &shown).ok());
  EXPECT_EQ(shown.config_version(), v1 + 1);

  // A change for another tenant is a new version that judges no shop of
  // acme again.
  std::string other = std::string(kConfigB) +
                      "tenants { tenant: \"other\" profile { "
                      "closure_waiting_days: 10 } }\n";
  absl::StatusOr<Engine::ConfigApplied> c =
      engine->ApplyConfig(Config(other.c_str()));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->changed);
  EXPECT_EQ(c->version, v1 + 2);
  EXPECT_EQ(c->shops_reevaluated, 0);
  EXPECT_EQ(ReadyAt(Shop(*engine, "ready")), "2026-04-16");
  EXPECT_EQ(Alerts(*engine), alerts_b);

  // A bad configuration changes nothing.
  v1::DaemonConfig bad = Config(kConfigB);
  bad.add_routes()->add_sinks("nope");
  absl::StatusOr<Engine::ConfigApplied> refused = engine->ApplyConfig(bad);
  EXPECT_TRUE(absl::IsInvalidArgument(refused.status())) << refused.status();
  EXPECT_EQ(engine->config()->version, v1 + 2);
  EXPECT_EQ(ReadyAt(Shop(*engine, "ready")), "2026-04-16");
}

// Crash after a reload (no final checkpoint): the log is replayed across
// the change, with the old version before it and the new one after.
class ConfigReplayTest : public ConfigChangeTest,
                         public testing::WithParamInterface<int> {};

TEST_P(ConfigReplayTest, ReplayAfterReloadAgreesWithLiveRun) {
  std::string ready_live, blocked_live, alerts_live;
  uint64_t version_live = 0;
  {
    std::unique_ptr<Engine> engine = Start(kConfigA, 2);
    ASSERT_NE(engine, nullptr);
    Ingest(*engine, ClosedShop("ready", false));
    Ingest(*engine, ClosedShop("blocked", true));
    ASSERT_TRUE(engine->ApplyConfig(Config(kConfigB)).ok());
    // An event after the change runs under B.
    Ingest(*engine, ClosedShop("late", true));
    ready_live = Shop(*engine, "ready").DebugString();
    blocked_live = Shop(*engine, "blocked").DebugString();
    alerts_live = Alerts(*engine);
    version_live = engine->config()->version;
    engine->Stop();  // checkpoint_on_stop false: as a kill -9
  }
  // The same file as in force: nothing to move; the replay alone must give
  // the live run's state, with the same or another shard count.
  std::unique_ptr<Engine> engine = Start(kConfigB, GetParam(), true);
  ASSERT_NE(engine, nullptr);
  EXPECT_EQ(engine->config()->version, version_live);
  EXPECT_EQ(engine->recovery().config_shops, 0);
  EXPECT_EQ(Shop(*engine, "ready").DebugString(), ready_live);
  EXPECT_EQ(Shop(*engine, "blocked").DebugString(), blocked_live);
  EXPECT_EQ(Alerts(*engine), alerts_live);
  engine->Stop();
  engine.reset();

  // Restarted with the old file: treated as a reload (a new version), the
  // shops move back.
  engine = Start(kConfigA, GetParam(), true);
  ASSERT_NE(engine, nullptr);
  EXPECT_EQ(engine->config()->version, version_live + 1);
  EXPECT_EQ(engine->recovery().config_shops, 3);
  EXPECT_EQ(ReadyAt(Shop(*engine, "ready")), "2026-04-01");
}

INSTANTIATE_TEST_SUITE_P(ShardCounts, ConfigReplayTest, testing::Values(2, 3));

}  // namespace
}  // namespace depositd::daemon
