// Alert lifecycle against the real daemon over gRPC: a stuck Watch
// subscriber is ended with RESOURCE_EXHAUSTED and resumes with nothing lost
// while ingest goes on; Acknowledge and Silence over the API and across a
// restart; FEED_DEAUTHORIZED and FEED_SILENT from a real feed.
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "depositd/v1/service.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"
#include "tests/test_events.h"

namespace depositd::integration {
namespace {

std::unique_ptr<DaemonHarness> StartDaemon(
    DaemonHarness::Options options = DaemonHarness::Options()) {
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      DaemonHarness::Start(options);
  EXPECT_TRUE(daemon.ok()) << daemon.status();
  return daemon.ok() ? *std::move(daemon) : nullptr;
}

// Three events that make ACCOUNT_MISMATCH fire for `shop` (domain.md §7
// example 3).
std::vector<v1::Event> WrongAccount(const ShopEvents& shop,
                                    const std::string& p) {
  return {shop.Registered(p + "1", "2026-01-05T00:00:00Z", "douyin", "CN"),
          shop.DepositPaid(p + "2", "2026-01-05T01:00:00Z", "dep-1", 3000000,
                           "CNY", "corporate_account", "corp-A"),
          shop.RefundAccountSet(p + "3", "2026-01-06T00:00:00Z",
                                "corporate_account", "corp-B", "CNY")};
}

std::vector<v1::Alert> List(const std::shared_ptr<grpc::Channel>& ch,
                            const v1::AlertFilter& filter) {
  auto stub = v1::Alerts::NewStub(ch);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  v1::ListAlertsRequest req;
  *req.mutable_filter() = filter;
  v1::ListAlertsResponse resp;
  grpc::Status s = stub->List(&context, req, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return {resp.alerts().begin(), resp.alerts().end()};
}

// Reads a Watch from `from` until `n` alerts or 30 s; returns the alerts and
// the final status.
std::vector<v1::Alert> Drain(const std::shared_ptr<grpc::Channel>& ch,
                             uint64_t from, size_t n, grpc::Status* status) {
  auto stub = v1::Alerts::NewStub(ch);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  v1::WatchAlertsRequest req;
  req.set_from_sequence(from);
  auto reader = stub->Watch(&context, req);
  std::vector<v1::Alert> out;
  v1::Alert a;
  while (out.size() < n && reader->Read(&a)) out.push_back(a);
  if (out.size() >= n) context.TryCancel();
  *status = reader->Finish();
  return out;
}

TEST(AlertLifecycleTest, StuckWatcherIsEndedResumesAndNeverBlocksIngest) {
  auto daemon = StartDaemon();
  ASSERT_NE(daemon, nullptr);
  // A slow reader: a small HTTP/2 window and no window growth, so the
  // transport holds only a few alerts for it (otherwise gRPC would buffer
  // megabytes and the server would never see the lag).
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 16 * 1024);
  args.SetInt("grpc.use_local_subchannel_pool", 1);  // its own connection
  auto slow_channel = grpc::CreateCustomChannel(
      daemon->address(), grpc::InsecureChannelCredentials(), args);
  auto stub = v1::Alerts::NewStub(slow_channel);

  // A live subscriber that never reads.
  grpc::ClientContext stuck_ctx;
  stuck_ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(120)));
  v1::WatchAlertsRequest live;  // from_sequence 0: from now on
  auto stuck = stub->Watch(&stuck_ctx, live);
  // Let the call reach the server before the alerts start.
  absl::SleepFor(absl::Milliseconds(300));

  // Far more alert transitions than the Watch lag bound (4096) plus what
  // the transport buffers: ingest must finish regardless.
  constexpr int kShops = 12000;
  std::vector<v1::Event> batch;
  uint64_t seq = 0;
  int applied = 0;
  for (int i = 0; i < kShops; ++i) {
    ShopEvents shop("acme", absl::StrCat("stuck-", i));
    for (v1::Event& e : WrongAccount(shop, absl::StrCat("s", i, "-"))) {
      batch.push_back(std::move(e));
    }
    if (batch.size() >= 3000 || i + 1 == kShops) {
      absl::StatusOr<v1::IngestAck> ack =
          Publish(daemon->channel(), batch, ++seq);
      ASSERT_TRUE(ack.ok()) << ack.status();
      applied += ack->applied();
      batch.clear();
    }
  }
  EXPECT_EQ(applied, 3 * kShops);

  absl::StatusOr<v1::StatsResponse> stats = GetStats(daemon->channel());
  ASSERT_TRUE(stats.ok());
  const uint64_t last = stats->alert_sequence();
  ASSERT_GE(last, static_cast<uint64_t>(kShops));

  // Now read the stuck stream: it ends with RESOURCE_EXHAUSTED naming the
  // sequence to resume from, and resuming there gives the rest.
  std::vector<v1::Alert> got;
  v1::Alert a;
  while (stuck->Read(&a)) got.push_back(a);

  grpc::Status status = stuck->Finish();
  ASSERT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << status.error_message();
  ASSERT_FALSE(got.empty());
  const uint64_t resume = got.back().sequence() + 1;
  EXPECT_NE(status.error_message().find(absl::StrCat("from_sequence=", resume)),
            std::string::npos)
      << status.error_message();
  grpc::Status rest_status;
  std::vector<v1::Alert> rest =
      Drain(daemon->channel(), resume, last - resume + 1, &rest_status);
  got.insert(got.end(), rest.begin(), rest.end());
  ASSERT_EQ(got.back().sequence(), last);
  for (size_t i = 1; i < got.size(); ++i) {
    ASSERT_EQ(got[i].sequence(), got[i - 1].sequence() + 1) << "gap at " << i;
  }
  EXPECT_TRUE(daemon->Stop().ok());
}

TEST(AlertLifecycleTest, AcknowledgeAndSilenceOverTheApiSurviveRestart) {
  auto daemon = StartDaemon();
  ASSERT_NE(daemon, nullptr);
  ShopEvents shop("acme", "ack-1");
  absl::StatusOr<v1::IngestAck> ack =
      Publish(daemon->channel(), WrongAccount(shop, "a"));
  ASSERT_TRUE(ack.ok() && ack->applied() == 3) << ack.status();
  v1::AlertFilter filter;
  filter.set_tenant("acme");
  filter.set_shop_id("ack-1");
  std::vector<v1::Alert> firing = List(daemon->channel(), filter);
  ASSERT_EQ(firing.size(), 1u);
  ASSERT_EQ(firing[0].key().kind(), v1::ACCOUNT_MISMATCH);

  auto stub = v1::Alerts::NewStub(daemon->channel());
  {
    grpc::ClientContext ctx;
    v1::AcknowledgeRequest req;
    *req.mutable_key() = firing[0].key();
    v1::AcknowledgeResponse resp;
    grpc::Status s = stub->Acknowledge(&ctx, req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << "no by";
  }
  {
    grpc::ClientContext ctx;
    v1::AcknowledgeRequest req;
    *req.mutable_key() = firing[0].key();
    req.mutable_key()->set_subject("other");
    req.set_by("alice");
    v1::AcknowledgeResponse resp;
    grpc::Status s = stub->Acknowledge(&ctx, req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
  }
  {
    grpc::ClientContext ctx;
    v1::AcknowledgeRequest req;
    *req.mutable_key() = firing[0].key();
    req.set_by("alice");
    req.set_comment("calling the seller");
    v1::AcknowledgeResponse resp;
    grpc::Status s = stub->Acknowledge(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  std::string silence_id;
  {
    grpc::ClientContext ctx;
    v1::SilenceRequest req;
    req.set_tenant("acme");
    req.set_shop_id("ack-1");
    req.set_by("bob");
    // The daemon runs a test clock starting 2026-03-05: end a day later.
    req.mutable_ends_at()->set_seconds(absl::ToUnixSeconds(
        absl::FromCivil(absl::CivilDay(2026, 3, 6), absl::UTCTimeZone())));
    v1::SilenceResponse resp;
    grpc::Status s = stub->Silence(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    silence_id = resp.silence_id();
    ASSERT_FALSE(silence_id.empty());
  }
  {
    grpc::ClientContext ctx;
    v1::SilenceRequest req;  // no matchers
    req.set_by("bob");
    req.mutable_ends_at()->set_seconds(absl::ToUnixSeconds(
        absl::FromCivil(absl::CivilDay(2026, 3, 6), absl::UTCTimeZone())));
    v1::SilenceResponse resp;
    grpc::Status s = stub->Silence(&ctx, req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(s.error_message().find("matcher"), std::string::npos);
  }
  auto check = [&](const char* when) {
    std::vector<v1::Alert> f = List(daemon->channel(), filter);
    ASSERT_EQ(f.size(), 1u) << when;
    EXPECT_TRUE(f[0].acknowledged()) << when;
    EXPECT_EQ(f[0].acknowledged_by(), "alice") << when;
    EXPECT_EQ(f[0].silenced_by(), silence_id) << when;
  };
  check("before restart");
  ASSERT_TRUE(daemon->Kill().ok());  // kill -9
  ASSERT_TRUE(daemon->Restart().ok());
  check("after kill -9 and restart");

  // The log has OPENED then ACKNOWLEDGED for the key.
  grpc::Status st;
  std::vector<v1::Alert> log = Drain(daemon->channel(), 1, 2, &st);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].change(), v1::OPENED);
  EXPECT_EQ(log[1].change(), v1::ACKNOWLEDGED);
  EXPECT_TRUE(daemon->Stop().ok());
}

TEST(AlertLifecycleTest, BlindFeedsFireFeedDeauthorizedAndFeedSilent) {
  const std::string config =
      testing::TempDir() + "/alert_lifecycle_feed.textproto";
  {
    std::ofstream out(config);
    out << "tenants { tenant: \"acme\" feed_silence_minutes: 30 }\n";
  }
  DaemonHarness::Options o;
  o.extra_args = {"--config", config};
  auto daemon = StartDaemon(o);
  ASSERT_NE(daemon, nullptr);
  ShopEvents shop("acme", "blind-1");
  v1::Event deauth = shop.Envelope("f1", "2026-03-05T00:00:00Z");
  deauth.mutable_feed_authorization_changed()->set_state(v1::DEAUTHORIZED);
  absl::StatusOr<v1::IngestAck> ack = Publish(daemon->channel(), {deauth});
  ASSERT_TRUE(ack.ok() && ack->applied() == 1) << ack.status();
  v1::AlertFilter filter;
  filter.set_tenant("acme");
  filter.add_kinds(v1::FEED_DEAUTHORIZED);
  filter.add_kinds(v1::FEED_SILENT);
  std::vector<v1::Alert> firing = List(daemon->channel(), filter);
  ASSERT_EQ(firing.size(), 1u);
  EXPECT_EQ(firing[0].key().kind(), v1::FEED_DEAUTHORIZED);
  EXPECT_EQ(firing[0].severity(), v1::CRITICAL);

  // 31 minutes of silence.
  auto admin = v1::Admin::NewStub(daemon->channel());
  {
    grpc::ClientContext ctx;
    v1::AdvanceTestClockRequest req;
    req.mutable_by()->set_seconds(31 * 60);
    v1::TestClockResponse resp;
    ASSERT_TRUE(admin->AdvanceTestClock(&ctx, req, &resp).ok());
  }
  firing = List(daemon->channel(), filter);
  ASSERT_EQ(firing.size(), 2u);
  EXPECT_EQ(firing[0].key().kind(), v1::FEED_SILENT);
  EXPECT_EQ(firing[0].key().shop_id(), "");

  // The shop is re-authorized: both clear.
  v1::Event reauth = shop.Envelope("f2", "2026-03-05T00:40:00Z");
  reauth.mutable_feed_authorization_changed()->set_state(v1::AUTHORIZED);
  ack = Publish(daemon->channel(), {reauth});
  ASSERT_TRUE(ack.ok() && ack->applied() == 1) << ack.status();
  EXPECT_TRUE(List(daemon->channel(), filter).empty());
  EXPECT_TRUE(daemon->Stop().ok());
}

}  // namespace
}  // namespace depositd::integration
