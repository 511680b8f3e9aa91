// Integration tests of issue 13 through the real depositd binary: the
// refund projection is a fact about the shop (the same dates asked on two
// different days of the test clock), GetStats.events_applied agrees with
// the acks, and Admin.GetConfig shows the effective profiles and calendars.
#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/timestamps.h"
#include "depositd/v1/service.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"
#include "tests/test_events.h"
#include "tools/format.h"

namespace depositd::integration {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<DaemonHarness> StartDaemon(absl::string_view clock_start) {
  DaemonHarness::Options options;
  options.test_clock_start = std::string(clock_start);
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      DaemonHarness::Start(options);
  EXPECT_TRUE(daemon.ok()) << daemon.status();
  return daemon.ok() ? *std::move(daemon) : nullptr;
}

#define ASSERT_DAEMON(d) \
  ASSERT_NE(d, nullptr) << "the daemon did not start (see the status above)"

absl::Status ToAbsl(const grpc::Status& s) {
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                      s.error_message());
}

absl::Status SetTestClock(const std::shared_ptr<grpc::Channel>& channel,
                          absl::string_view rfc3339) {
  auto stub = v1::Admin::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  v1::SetTestClockRequest request;
  absl::StatusOr<absl::Time> t = common::ParseRfc3339(rfc3339);
  if (!t.ok()) return t.status();
  common::ToTimestamp(*t, request.mutable_now());
  v1::TestClockResponse response;
  return ToAbsl(stub->SetTestClock(&context, request, &response));
}

// A Temu shop (no waiting period, 30 natural days of review) closed clean
// on 2026-03-02.
std::vector<v1::Event> TemuClosedClean(const ShopEvents& shop) {
  return {
      shop.Registered("c-1", "2026-01-01T00:00:00Z", "temu", "CN"),
      shop.DepositPaid("c-2", "2026-01-01T00:00:00Z", "dep-1", 1000000, "CNY",
                       "alipay", "A"),
      shop.RefundAccountSet("c-3", "2026-01-02T00:00:00Z", "alipay", "A",
                            "CNY"),
      shop.Closed("c-4", "2026-03-02T00:00:00Z"),
  };
}

// Issue 13 point 2: asked on 03-03 and on 03-20 (the daemon's clock, no
// as_of), a shop that did not change gives the same dates: ready at the
// closure, review done 30 natural days later (2026-04-01).
TEST(ReadinessFactsTest, ProjectionIsTheSameAskedOnTwoDifferentDays) {
  auto daemon = StartDaemon("2026-03-03T00:00:00Z");
  ASSERT_DAEMON(daemon);
  ShopEvents shop("acme", "temu-1");
  absl::StatusOr<v1::IngestAck> ack =
      Publish(daemon->channel(), TemuClosedClean(shop));
  ASSERT_TRUE(ack.ok()) << ack.status();
  ASSERT_EQ(ack->applied(), 4) << ack->DebugString();

  absl::StatusOr<v1::ReadinessReport> first =
      GetShop(daemon->channel(), "acme", "temu-1");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->verdict(), v1::READY) << first->DebugString();
  EXPECT_THAT(tools::FormatTimestamp(first->as_of()), HasSubstr("2026-03-03"));
  ASSERT_TRUE(first->has_projection()) << first->DebugString();
  EXPECT_FALSE(first->projection().conditional());
  EXPECT_EQ(tools::FormatTimestamp(first->projection().ready_at()),
            "2026-03-02T00:00:00Z");
  EXPECT_EQ(tools::FormatTimestamp(first->projection().review_done_at()),
            "2026-04-01T00:00:00Z");

  ASSERT_TRUE(SetTestClock(daemon->channel(), "2026-03-20T00:00:00Z").ok());
  absl::StatusOr<v1::ReadinessReport> second =
      GetShop(daemon->channel(), "acme", "temu-1");
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_THAT(tools::FormatTimestamp(second->as_of()), HasSubstr("2026-03-20"));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      first->projection(), second->projection()))
      << first->projection().DebugString() << "\nvs\n"
      << second->projection().DebugString();

  // A new fact moves it: a fee charged and paid after the closure.
  ack = Publish(
      daemon->channel(),
      {shop.FeeCharged("c-5", "2026-03-05T00:00:00Z", "fine-1", v1::FINE, 5000,
                       "CNY"),
       shop.FeePaid("c-6", "2026-03-10T00:00:00Z", "fine-1", 5000, "CNY")},
      2);
  ASSERT_TRUE(ack.ok()) << ack.status();
  absl::StatusOr<v1::ReadinessReport> third =
      GetShop(daemon->channel(), "acme", "temu-1");
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(tools::FormatTimestamp(third->projection().ready_at()),
            "2026-03-10T00:00:00Z");
  EXPECT_EQ(tools::FormatTimestamp(third->projection().review_done_at()),
            "2026-04-09T00:00:00Z");
  EXPECT_TRUE(daemon->Stop().ok());
}

// Issue 13 point 6: GetStats.events_applied is the sum of the acks' APPLIED
// counts, including a valid SaleRecorded older than the last sale (which
// changes nothing in its shop and so is not in the shop's events_applied).
TEST(ReadinessFactsTest, StatsEventsAppliedAgreesWithTheAcks) {
  auto daemon = StartDaemon("2026-03-03T00:00:00Z");
  ASSERT_DAEMON(daemon);
  ShopEvents shop("acme", "sales-1");
  v1::Event newer = shop.Envelope("s-1", "2026-03-01T00:00:00Z");
  newer.mutable_sale_recorded();
  v1::Event older = shop.Envelope("s-2", "2026-02-01T00:00:00Z");
  older.mutable_sale_recorded();
  int64_t acked = 0;
  for (const auto& batch : std::vector<std::vector<v1::Event>>{
           {shop.Registered("s-0", "2026-01-01T00:00:00Z", "generic", "")},
           {newer},
           {older}}) {
    absl::StatusOr<v1::IngestAck> ack =
        Publish(daemon->channel(), batch, static_cast<uint64_t>(acked + 1));
    ASSERT_TRUE(ack.ok()) << ack.status();
    ASSERT_EQ(ack->results_size(), 1);
    EXPECT_EQ(ack->results(0).outcome(), v1::APPLIED) << ack->DebugString();
    acked += ack->applied();
  }
  absl::StatusOr<v1::StatsResponse> stats = GetStats(daemon->channel());
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->events_applied(), acked);
  EXPECT_EQ(stats->events_applied(), 3);
  absl::StatusOr<v1::ReadinessReport> report =
      GetShop(daemon->channel(), "acme", "sales-1");
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->events_applied(), 2);  // state changes only (documented)
  EXPECT_TRUE(daemon->Stop().ok());
}

// Issue 13 point 6: the effective configuration is visible.
TEST(ReadinessFactsTest, GetConfigShowsProfilesAndCalendars) {
  auto daemon = StartDaemon("2026-03-03T00:00:00Z");
  ASSERT_DAEMON(daemon);
  auto stub = v1::Admin::NewStub(daemon->channel());
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  v1::GetConfigResponse config;
  grpc::Status s = stub->GetConfig(&context, v1::GetConfigRequest(), &config);
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::map<std::string, v1::PlatformProfile> profiles;
  for (const auto& p : config.profiles()) profiles[p.name()] = p;
  ASSERT_EQ(profiles.count("shopee"), 1u);
  EXPECT_EQ(profiles["shopee"].calendar(), "SEA");
  EXPECT_EQ(profiles["shopee"].post_closure_dispute_grace_days(), 30);
  ASSERT_EQ(profiles.count("douyin"), 1u);
  EXPECT_EQ(profiles["douyin"].reopen_cooling_off_months(), 6);
  EXPECT_TRUE(profiles["douyin"].review_starts_at_refund_request());
  std::map<std::string, std::string> zones;
  for (const auto& c : config.calendars()) zones[c.name()] = c.time_zone();
  EXPECT_EQ(zones["SEA"], "Asia/Singapore");
  EXPECT_EQ(zones["CN"], "Asia/Shanghai");
  EXPECT_THAT(tools::FormatConfig(config), HasSubstr("shopee"));
  EXPECT_TRUE(daemon->Stop().ok());
}

}  // namespace
}  // namespace depositd::integration
