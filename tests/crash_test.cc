// Crash test: kill -9 in the middle of a stream of 100,000 events, restart,
// and check that no acknowledged event was lost and none applied twice.
//
// The daemon runs with its default --sync (fsync): an ack means the event is
// in the synced write-ahead log. Shops' order events commute (the furthest
// status wins), so the final state is exactly known: per shop, one
// registration and kOrdersPerShop orders, each PLACED, SHIPPED, IN_TRANSIT.
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "depositd/v1/service.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"
#include "tests/test_events.h"
#include "tools/stream_sender.h"

namespace depositd::integration {
namespace {

constexpr int kShops = 10;
constexpr int kOrdersPerShop = 3333;
constexpr int kEventsPerShop = 1 + 3 * kOrdersPerShop;  // 10,000
constexpr int kEvents = kShops * kEventsPerShop;        // 100,000
constexpr int kBatchSize = 500;
// Kill once this many events are acknowledged.
constexpr int64_t kKillAfterAcked = 40000;

std::string ShopId(int s) { return absl::StrFormat("crash-shop-%02d", s); }

// All events, shops interleaved; each order's statuses in order.
std::vector<v1::Event> CrashEvents() {
  std::vector<v1::Event> events;
  events.reserve(kEvents);
  std::vector<ShopEvents> shops;
  for (int s = 0; s < kShops; ++s) shops.emplace_back("crash", ShopId(s));
  for (int s = 0; s < kShops; ++s) {
    events.push_back(shops[s].Registered(absl::StrCat(ShopId(s), ":reg"),
                                         "2026-01-01T00:00:00Z", "generic",
                                         "CN"));
  }
  const v1::OrderStatus path[] = {v1::PLACED, v1::SHIPPED, v1::IN_TRANSIT};
  for (int o = 0; o < kOrdersPerShop; ++o) {
    for (int step = 0; step < 3; ++step) {
      for (int s = 0; s < kShops; ++s) {
        events.push_back(shops[s].Order(
            absl::StrCat(ShopId(s), ":o", o, ":", step),
            absl::StrFormat("2026-02-%02dT%02d:00:00Z", 1 + step, o % 24),
            absl::StrCat("o", o), path[step]));
      }
    }
  }
  return events;
}

TEST(CrashTest, KillDuringIngestLosesNoAckedEventAndAppliesNoneTwice) {
  DaemonHarness::Options options;
  options.sync = "";  // The daemon's default: fsync before ack.
  absl::StatusOr<std::unique_ptr<DaemonHarness>> started =
      DaemonHarness::Start(options);
  ASSERT_TRUE(started.ok()) << started.status();
  DaemonHarness& daemon = **started;
  const std::vector<v1::Event> events = CrashEvents();
  ASSERT_EQ(events.size(), static_cast<size_t>(kEvents));

  // Phase 1: stream until kKillAfterAcked are acknowledged, then SIGKILL.
  std::vector<char> acked(kEvents, 0);
  int64_t acked_count = 0;
  int64_t rejected_before = 0;
  bool killed = false;
  absl::Status stream_status;
  int64_t sent_before_kill = 0;
  {
    auto stub = v1::EventIngest::NewStub(daemon.channel());
    tools::StreamSender::Options so;
    so.batch_size = kBatchSize;
    so.max_in_flight = 8;
    so.deadline = absl::Seconds(120);
    tools::StreamSender sender(stub.get(), so);
    size_t next = 0;
    stream_status = sender.Run(
        [&](tools::StreamSender::Item* item) {
          if (next == events.size()) return false;
          item->event = events[next];
          item->tag = next++;
          return true;
        },
        [&](const tools::StreamSender::SentBatch& batch,
            const v1::IngestAck& ack) {
          for (int i = 0; i < ack.results_size(); ++i) {
            if (ack.results(i).outcome() == v1::REJECTED) {
              ++rejected_before;
              ADD_FAILURE() << "event " << batch.batch.events(i).event_id()
                            << " rejected: " << ack.results(i).reason();
              continue;
            }
            acked[batch.tags[i]] = 1;
            ++acked_count;
          }
          if (!killed && acked_count >= kKillAfterAcked) {
            killed = true;
            sent_before_kill = sender.events_sent();
            ASSERT_TRUE(daemon.Kill().ok());
          }
        });
  }
  ASSERT_TRUE(killed) << "the stream ended before " << kKillAfterAcked
                      << " events were acknowledged: " << stream_status;
  EXPECT_FALSE(stream_status.ok())
      << "a stream whose server was killed cannot end OK";
  EXPECT_EQ(rejected_before, 0);
  // Acks already in the socket when the kill happened count as acked too:
  // the server sent them, so those events were durable.
  const int64_t acked_before_kill = acked_count;

  // Phase 2: restart on the same data directory and resend everything.
  const absl::Time restart_start = absl::Now();
  ASSERT_TRUE(daemon.Restart().ok());
  const absl::Duration restart_time = absl::Now() - restart_start;

  int64_t applied_on_resend = 0, duplicate_on_resend = 0,
          rejected_on_resend = 0, acked_but_reapplied = 0;
  {
    auto stub = v1::EventIngest::NewStub(daemon.channel());
    tools::StreamSender::Options so;
    so.batch_size = kBatchSize;
    so.deadline = absl::Seconds(120);
    tools::StreamSender sender(stub.get(), so);
    size_t next = 0;
    absl::Status status = sender.Run(
        [&](tools::StreamSender::Item* item) {
          if (next == events.size()) return false;
          item->event = events[next];
          item->tag = next++;
          return true;
        },
        [&](const tools::StreamSender::SentBatch& batch,
            const v1::IngestAck& ack) {
          for (int i = 0; i < ack.results_size(); ++i) {
            switch (ack.results(i).outcome()) {
              case v1::APPLIED:
                ++applied_on_resend;
                if (acked[batch.tags[i]]) ++acked_but_reapplied;
                break;
              case v1::DUPLICATE:
                ++duplicate_on_resend;
                break;
              default:
                ++rejected_on_resend;
            }
          }
        });
    ASSERT_TRUE(status.ok()) << status << "\n" << daemon.LogTail();
  }

  // Phase 3: the state counts every distinct event exactly once.
  int64_t applied_after = 0;
  for (int s = 0; s < kShops; ++s) {
    absl::StatusOr<v1::ReadinessReport> report =
        GetShop(daemon.channel(), "crash", ShopId(s), "2026-03-01T00:00:00Z");
    ASSERT_TRUE(report.ok()) << ShopId(s) << ": " << report.status();
    EXPECT_EQ(report->events_applied(), kEventsPerShop) << ShopId(s);
    applied_after += report->events_applied();
    const v1::Blocker* in_flight =
        FindBlocker(*report, v1::R1_ORDERS_IN_FLIGHT);
    ASSERT_NE(in_flight, nullptr) << ShopId(s) << ": " << BlockerNames(*report);
    EXPECT_EQ(in_flight->count(), kOrdersPerShop) << ShopId(s);
  }
  absl::StatusOr<v1::StatsResponse> stats = GetStats(daemon.channel());
  ASSERT_TRUE(stats.ok()) << stats.status();

  std::cout << absl::StrFormat(
      "crash test: events %d; sent before kill %d; acked before kill %d; "
      "after restart (%s): resend applied %d, duplicate %d, rejected %d; "
      "acked-then-reapplied %d; applied in shops after %d; stats "
      "events_applied %d, shops %d\n",
      kEvents, sent_before_kill, acked_before_kill,
      absl::FormatDuration(restart_time), applied_on_resend,
      duplicate_on_resend, rejected_on_resend, acked_but_reapplied,
      applied_after, stats->events_applied(), stats->shops());

  // No acknowledged event was lost: each comes back DUPLICATE.
  EXPECT_EQ(acked_but_reapplied, 0);
  EXPECT_GE(duplicate_on_resend, acked_before_kill);
  EXPECT_EQ(rejected_on_resend, 0);
  EXPECT_EQ(applied_on_resend + duplicate_on_resend, kEvents);
  // None applied twice.
  EXPECT_EQ(applied_after, kEvents);

  EXPECT_TRUE(daemon.Stop().ok()) << daemon.LogTail();
}

}  // namespace
}  // namespace depositd::integration
