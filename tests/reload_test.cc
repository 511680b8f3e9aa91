// Live configuration reload against the real binary (docs/operations.md,
// "Reload"): Admin.ReloadConfig, `depositctl config reload` and SIGHUP
// re-read --config.
//   - a good file: a profile change moves a shop's projection, the alert
//     language changes the firing alert's words, a new sink starts;
//   - a bad file: nothing changes and the caller and the log get
//     FILE:LINE:COLUMN;
//   - kill -9 after the reloads, restart: every shop and every firing alert
//     is what the live run showed (the log replays across the changes);
//   - a standing silence added to the file mutes the firing alert after the
//     reload (silenced_by "config:<name>"), survives a restart, and stops
//     once removed from the file; an API silence is untouched by reloads.
#include <signal.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"
#include "tests/temp_files.h"
#include "tests/test_events.h"

namespace depositd::integration {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// Configuration files, as an operator writes them (the "cfg" delimiter
// keeps clang-format from reflowing them: the line numbers matter).
// Built-in profiles; acme in English.
constexpr char kConfigA[] = R"cfg(tenants { tenant: "acme" }
)cfg";
// acme's shops wait 45 days after closing (30 built in), its alerts are in
// Chinese, and a webhook sink gets every alert.
constexpr char kConfigB[] = R"cfg(tenants {
  tenant: "acme"
  language: "zh-CN"
  profile { closure_waiting_days: 45 }
}
sinks { name: "ops" type: WEBHOOK url: "http://127.0.0.1:1/hook" }
routes { sinks: "ops" }
)cfg";
// Line 3 is wrong.
constexpr char kBadConfig[] = R"cfg(tenants {
  tenant: "acme"
  closure_waiting_days: 60
}
)cfg";
// Through SIGHUP: 60 days.
constexpr char kConfigC[] = R"cfg(tenants {
  tenant: "acme"
  language: "zh-CN"
  profile { closure_waiting_days: 60 }
}
sinks { name: "ops" type: WEBHOOK url: "http://127.0.0.1:1/hook" }
routes { sinks: "ops" }
)cfg";

// A closed TikTok Shop cross-border US shop with nothing blocking but the
// waiting period (the tour without its claim and unpaid fee).
std::vector<v1::Event> ReadyShop(const std::string& shop) {
  ShopEvents s("acme", shop);
  const std::string account = "paypal:finance@acme.example";
  return {
      s.Registered(shop + "-1", "2026-01-05T02:00:00Z",
                   "tiktok_shop_cross_border", "US"),
      s.DepositPaid(shop + "-2", "2026-01-05T03:00:00Z", "dep-1", 50000, "USD",
                    "paypal", account),
      s.RefundAccountSet(shop + "-3", "2026-01-06T03:00:00Z", "paypal", account,
                         "USD"),
      s.Order(shop + "-4", "2026-01-20T08:00:00Z", "o-1", v1::COMPLETED),
      s.ClosureRequested(shop + "-5", "2026-03-01T02:00:00Z"),
      s.Closed(shop + "-6", "2026-03-02T02:00:00Z"),
  };
}

std::string ReadyAt(const std::shared_ptr<grpc::Channel>& ch,
                    const std::string& shop) {
  absl::StatusOr<v1::ReadinessReport> r = GetShop(ch, "acme", shop);
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok()) return "";
  return absl::FormatTime("%Y-%m-%d",
                          absl::FromUnixSeconds(r->ready_at().seconds()),
                          absl::UTCTimeZone());
}

absl::StatusOr<v1::ReloadConfigResponse> Reload(
    const std::shared_ptr<grpc::Channel>& ch) {
  auto stub = v1::Admin::NewStub(ch);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  v1::ReloadConfigResponse out;
  grpc::Status s = stub->ReloadConfig(&ctx, v1::ReloadConfigRequest(), &out);
  if (!s.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                        s.error_message());
  }
  return out;
}

v1::GetConfigResponse Config(const std::shared_ptr<grpc::Channel>& ch) {
  auto stub = v1::Admin::NewStub(ch);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::GetConfigRequest req;
  req.set_tenant("acme");
  v1::GetConfigResponse out;
  grpc::Status s = stub->GetConfig(&ctx, req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return out;
}

// Firing alerts without their sequence (alerts recovered at start carry 0).
std::string FiringAlerts(const std::shared_ptr<grpc::Channel>& ch) {
  auto stub = v1::Alerts::NewStub(ch);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::ListAlertsResponse out;
  grpc::Status s = stub->List(&ctx, v1::ListAlertsRequest(), &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  for (v1::Alert& a : *out.mutable_alerts()) a.clear_sequence();
  return out.DebugString();
}

// Shop id → silenced_by of its firing CLOSURE_BLOCKED alert.
std::map<std::string, std::string> Silenced(
    const std::shared_ptr<grpc::Channel>& ch) {
  auto stub = v1::Alerts::NewStub(ch);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::ListAlertsRequest req;
  req.mutable_filter()->add_kinds(v1::CLOSURE_BLOCKED);
  v1::ListAlertsResponse out;
  grpc::Status s = stub->List(&ctx, req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  std::map<std::string, std::string> by;
  for (const v1::Alert& a : out.alerts()) {
    by[a.key().shop_id()] = a.silenced_by();
  }
  return by;
}

std::vector<std::string> SinkNames(const std::shared_ptr<grpc::Channel>& ch) {
  absl::StatusOr<v1::StatsResponse> stats = GetStats(ch);
  EXPECT_TRUE(stats.ok()) << stats.status();
  std::vector<std::string> out;
  if (stats.ok()) {
    for (const auto& s : stats->sinks()) out.push_back(s.name());
  }
  return out;
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

TEST(ReloadTest, GoodAndBadFilesThenKillAndReplayAgrees) {
  ScopedTempDir dir("reload-test");
  const std::string config =
      WriteFile(dir.path(), "depositd.textproto", kConfigA);
  DaemonHarness::Options options;
  // No checkpoint round: the restart replays the whole log, across every
  // configuration change.
  options.extra_args = {"--config", config, "--checkpoint-interval-seconds",
                        "3600"};
  absl::StatusOr<std::unique_ptr<DaemonHarness>> started =
      DaemonHarness::Start(options);
  ASSERT_TRUE(started.ok()) << started.status();
  DaemonHarness& daemon = **started;
  auto ch = daemon.channel();

  ASSERT_TRUE(Publish(ch, ReadyShop("ready")).ok());
  ASSERT_TRUE(
      Publish(ch, ShopEvents("acme", "blocked").ClosedNotReadyTour("b"), 2)
          .ok());
  EXPECT_EQ(ReadyAt(ch, "ready"), "2026-04-01");
  const uint64_t v1 = Config(ch).config_version();
  EXPECT_GT(v1, 0u);
  EXPECT_EQ(Config(ch).config_file(), config);
  EXPECT_TRUE(SinkNames(ch).empty());
  const std::string alerts_a = FiringAlerts(ch);
  EXPECT_THAT(alerts_a, HasSubstr("CLOSURE_BLOCKED"));

  // The same file: nothing to do.
  absl::StatusOr<v1::ReloadConfigResponse> same = Reload(ch);
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_FALSE(same->changed());
  EXPECT_EQ(same->config_version(), v1);

  // A good file: the projection moves, the alert is reworded, the sink
  // starts.
  WriteFile(dir.path(), "depositd.textproto", kConfigB);
  absl::StatusOr<v1::ReloadConfigResponse> b = Reload(ch);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_TRUE(b->changed());
  EXPECT_EQ(b->config_version(), v1 + 1);
  EXPECT_EQ(b->shops_reevaluated(), 2);
  EXPECT_EQ(b->file(), config);
  EXPECT_EQ(ReadyAt(ch, "ready"), "2026-04-16");
  const std::string alerts_b = FiringAlerts(ch);
  EXPECT_NE(alerts_b, alerts_a);
  EXPECT_THAT(alerts_b, HasSubstr("change: UPDATED"));
  EXPECT_EQ(SinkNames(ch), std::vector<std::string>{"ops"});
  EXPECT_EQ(Config(ch).file_config().tenants(0).language(), "zh-CN");

  // A bad file: INVALID_ARGUMENT with FILE:LINE, nothing changes, and the
  // log says the same.
  WriteFile(dir.path(), "depositd.textproto", kBadConfig);
  absl::StatusOr<v1::ReloadConfigResponse> bad = Reload(ch);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()),
              StartsWith(absl::StrCat(config, ":3:")));
  EXPECT_EQ(Config(ch).config_version(), v1 + 1);
  EXPECT_EQ(ReadyAt(ch, "ready"), "2026-04-16");
  EXPECT_EQ(FiringAlerts(ch), alerts_b);
  EXPECT_EQ(SinkNames(ch), std::vector<std::string>{"ops"});
  EXPECT_THAT(daemon.LogTail(20), HasSubstr(absl::StrCat(config, ":3:")));

  // depositctl says the same and exits 1.
  const std::string ctl =
      absl::StrCat("'", DEPOSITCTL_BINARY, "' --addr ", daemon.address());
  CommandResult ctl_bad = RunCommand(ctl + " config reload");
  EXPECT_EQ(ctl_bad.exit_code, 1) << ctl_bad.output;
  EXPECT_THAT(ctl_bad.output, HasSubstr(absl::StrCat(config, ":3:")));

  // SIGHUP applies a good file (waited for: the version moves).
  WriteFile(dir.path(), "depositd.textproto", kConfigC);
  ASSERT_EQ(kill(daemon.pid(), SIGHUP), 0);
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (Config(ch).config_version() != v1 + 2 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_EQ(Config(ch).config_version(), v1 + 2) << daemon.LogTail();
  EXPECT_EQ(ReadyAt(ch, "ready"), "2026-05-01");
  CommandResult ctl_same = RunCommand(ctl + " config reload");
  EXPECT_EQ(ctl_same.exit_code, 0) << ctl_same.output;
  EXPECT_THAT(ctl_same.output, HasSubstr("nothing changed"));
  CommandResult shown = RunCommand(ctl + " config show --tenant acme");
  EXPECT_EQ(shown.exit_code, 0) << shown.output;
  EXPECT_THAT(shown.output,
              HasSubstr(absl::StrCat("configuration version ", v1 + 2)));
  EXPECT_THAT(shown.output, HasSubstr("closure_waiting_days: 60"));

  // An event after the reloads, then kill -9 and restart: everything as
  // live.
  ASSERT_TRUE(Publish(ch, ReadyShop("late"), 3).ok());
  const std::vector<std::string> shops = {"ready", "blocked", "late"};
  std::vector<std::string> live;
  for (const std::string& shop : shops) {
    absl::StatusOr<v1::ReadinessReport> r = GetShop(ch, "acme", shop);
    ASSERT_TRUE(r.ok()) << r.status();
    live.push_back(r->DebugString());
  }
  const std::string alerts_live = FiringAlerts(ch);
  ASSERT_TRUE(daemon.Kill().ok());
  ASSERT_TRUE(daemon.Restart().ok()) << daemon.LogTail();
  ch = daemon.channel();
  EXPECT_EQ(Config(ch).config_version(), v1 + 2);
  for (size_t i = 0; i < shops.size(); ++i) {
    absl::StatusOr<v1::ReadinessReport> r = GetShop(ch, "acme", shops[i]);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->DebugString(), live[i]) << shops[i];
  }
  EXPECT_EQ(FiringAlerts(ch), alerts_live);
  EXPECT_EQ(SinkNames(ch), std::vector<std::string>{"ops"});
  EXPECT_TRUE(daemon.Stop().ok()) << daemon.LogTail();
}

// A file changed while depositd was down is applied at start like a
// reload (logged, so a later crash replays it too).
TEST(ReloadTest, FileChangedWhileDownIsAppliedAtStart) {
  ScopedTempDir dir("reload-start-test");
  const std::string config =
      WriteFile(dir.path(), "depositd.textproto", kConfigA);
  DaemonHarness::Options options;
  options.extra_args = {"--config", config};
  absl::StatusOr<std::unique_ptr<DaemonHarness>> started =
      DaemonHarness::Start(options);
  ASSERT_TRUE(started.ok()) << started.status();
  DaemonHarness& daemon = **started;
  ASSERT_TRUE(Publish(daemon.channel(), ReadyShop("ready")).ok());
  EXPECT_EQ(ReadyAt(daemon.channel(), "ready"), "2026-04-01");
  const uint64_t v1 = Config(daemon.channel()).config_version();
  ASSERT_TRUE(daemon.Stop().ok()) << daemon.LogTail();

  WriteFile(dir.path(), "depositd.textproto", kConfigB);
  ASSERT_TRUE(daemon.Restart().ok()) << daemon.LogTail();
  EXPECT_EQ(Config(daemon.channel()).config_version(), v1 + 1);
  EXPECT_EQ(ReadyAt(daemon.channel(), "ready"), "2026-04-16");
  EXPECT_THAT(daemon.LogTail(40), HasSubstr("judged again"));

  // A bad file at start is still refused outright, with its line.
  ASSERT_TRUE(daemon.Stop().ok());
  WriteFile(dir.path(), "depositd.textproto", kBadConfig);
  absl::Status restart = daemon.Restart();
  EXPECT_FALSE(restart.ok());
  EXPECT_THAT(daemon.LogTail(10), HasSubstr(absl::StrCat(config, ":3:")));
}

// The file's standing silences: a reload adding one mutes the firing
// alert, a restart keeps it, a reload removing it unmutes; API silences are
// the API's.
TEST(ReloadTest, SilencesInTheFileApplyAtReloadAndStart) {
  ScopedTempDir dir("reload-silence-test");
  const std::string config =
      WriteFile(dir.path(), "depositd.textproto", kConfigA);
  DaemonHarness::Options options;
  options.extra_args = {"--config", config};
  absl::StatusOr<std::unique_ptr<DaemonHarness>> started =
      DaemonHarness::Start(options);
  ASSERT_TRUE(started.ok()) << started.status();
  DaemonHarness& daemon = **started;
  auto ch = daemon.channel();
  ASSERT_TRUE(
      Publish(ch, ShopEvents("acme", "blocked").ClosedNotReadyTour("b")).ok());
  ASSERT_TRUE(
      Publish(ch, ShopEvents("acme", "held").ClosedNotReadyTour("h"), 2).ok());
  using Muted = std::map<std::string, std::string>;
  ASSERT_EQ(Silenced(ch), (Muted{{"blocked", ""}, {"held", ""}}));

  // An API silence on shop "held": reloads leave it alone (it is checked
  // before the file's, so it keeps naming that alert).
  std::string api;
  {
    auto stub = v1::Alerts::NewStub(ch);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    v1::SilenceRequest req;
    req.set_tenant("acme");
    req.set_shop_id("held");
    req.set_by("oncall");
    req.mutable_ends_at()->set_seconds(
        absl::ToUnixSeconds(absl::Now() + absl::Hours(24)));
    v1::SilenceResponse resp;
    grpc::Status s = stub->Silence(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    api = resp.silence_id();
  }
  ASSERT_EQ(Silenced(ch), (Muted{{"blocked", ""}, {"held", api}}));

  // Added to the file: muted after the reload.
  WriteFile(dir.path(), "depositd.textproto", R"cfg(tenants { tenant: "acme" }
silences {
  name: "acme-closures"
  tenant: "acme"
  kind: CLOSURE_BLOCKED
  by: "ops"
  comment: "closures handled by hand this quarter"
}
)cfg");
  absl::StatusOr<v1::ReloadConfigResponse> added = Reload(ch);
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_TRUE(added->changed());
  const Muted muted = {{"blocked", "config:acme-closures"}, {"held", api}};
  EXPECT_EQ(Silenced(ch), muted);

  // A bad silence (no matcher) is refused with its line; the one in force
  // stays.
  WriteFile(dir.path(), "depositd.textproto", R"cfg(tenants { tenant: "acme" }
silences { name: "all" by: "ops" }
)cfg");
  absl::StatusOr<v1::ReloadConfigResponse> bad = Reload(ch);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()),
              StartsWith(absl::StrCat(config, ":2:")));
  EXPECT_EQ(Silenced(ch), muted);

  // Restored, then a restart: applied at start too.
  WriteFile(dir.path(), "depositd.textproto", R"cfg(tenants { tenant: "acme" }
silences { name: "acme-closures" tenant: "acme" kind: CLOSURE_BLOCKED }
)cfg");
  ASSERT_TRUE(Reload(ch).ok());
  ASSERT_TRUE(daemon.Stop().ok()) << daemon.LogTail();
  ASSERT_TRUE(daemon.Restart().ok()) << daemon.LogTail();
  ch = daemon.channel();
  EXPECT_EQ(Silenced(ch), muted);

  // Removed from the file: no longer muted; the API silence still is.
  WriteFile(dir.path(), "depositd.textproto", kConfigA);
  absl::StatusOr<v1::ReloadConfigResponse> removed = Reload(ch);
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_TRUE(removed->changed());
  EXPECT_EQ(Silenced(ch), (Muted{{"blocked", ""}, {"held", api}}));
  EXPECT_TRUE(daemon.Stop().ok()) << daemon.LogTail();
}

}  // namespace
}  // namespace depositd::integration
