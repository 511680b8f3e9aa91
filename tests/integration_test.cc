// Integration tests: the real depositd binary, real gRPC on 127.0.0.1.
#include <algorithm>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "depositd/v1/service.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"
#include "tests/test_events.h"
#include "tools/format.h"
#include "tools/stream_sender.h"

namespace depositd::integration {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

std::unique_ptr<DaemonHarness> StartDaemon(
    DaemonHarness::Options options = DaemonHarness::Options()) {
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      DaemonHarness::Start(options);
  EXPECT_TRUE(daemon.ok()) << daemon.status();
  return daemon.ok() ? *std::move(daemon) : nullptr;
}

#define ASSERT_DAEMON(d) \
  ASSERT_NE(d, nullptr) << "the daemon did not start (see the status above)"

// Checks the tour's NOT_READY report (domain.md §7 example 2, before the
// claim and fee clear).
void ExpectClosedNotReady(const v1::ReadinessReport& report) {
  EXPECT_EQ(report.verdict(), v1::NOT_READY) << report.DebugString();
  EXPECT_EQ(report.lifecycle(), v1::CLOSED);
  const v1::Blocker* claim = FindBlocker(report, v1::R3_OPEN_DISPUTES);
  ASSERT_NE(claim, nullptr) << BlockerNames(report);
  EXPECT_EQ(claim->count(), 1);
  EXPECT_THAT(claim->ids(), Contains("atoz-1"));
  const v1::Blocker* fee = FindBlocker(report, v1::R4_UNPAID_FEES);
  ASSERT_NE(fee, nullptr) << BlockerNames(report);
  EXPECT_THAT(fee->ids(), Contains("ads-1"));
  ASSERT_EQ(fee->amounts_size(), 1);
  EXPECT_EQ(fee->amounts(0).minor_units(), 3500);
  EXPECT_EQ(fee->amounts(0).currency(), "USD");
  // Refund account matches the PayPal payment; the order is completed.
  EXPECT_EQ(FindBlocker(report, v1::R8_REFUND_ACCOUNT), nullptr)
      << BlockerNames(report);
  EXPECT_EQ(FindBlocker(report, v1::R1_ORDERS_IN_FLIGHT), nullptr)
      << BlockerNames(report);
  ASSERT_EQ(report.balance_size(), 1);
  EXPECT_EQ(report.balance(0).minor_units(), 50000);
  EXPECT_EQ(report.balance(0).currency(), "USD");
}

TEST(IngestTest, IngestThenQueryShowsVerdictAndBlockers) {
  auto daemon = StartDaemon();
  ASSERT_DAEMON(daemon);
  ShopEvents shop("acme", "tts-us-001");
  absl::StatusOr<v1::IngestAck> ack =
      Publish(daemon->channel(), shop.ClosedNotReadyTour("tour-"));
  ASSERT_TRUE(ack.ok()) << ack.status();
  EXPECT_EQ(ack->applied(), 9) << ack->DebugString();
  EXPECT_EQ(ack->rejected(), 0) << ack->DebugString();
  ASSERT_EQ(ack->results_size(), 9);
  for (const v1::EventResult& r : ack->results()) {
    EXPECT_EQ(r.outcome(), v1::APPLIED) << r.reason();
  }

  absl::StatusOr<v1::ReadinessReport> report =
      GetShop(daemon->channel(), "acme", "tts-us-001");
  ASSERT_TRUE(report.ok()) << report.status();
  ExpectClosedNotReady(*report);
  EXPECT_EQ(report->events_applied(), 9);
  EXPECT_EQ(report->profile(), "tiktok_shop_cross_border");

  // A shop that never sent an event is NOT_FOUND.
  absl::StatusOr<v1::ReadinessReport> missing =
      GetShop(daemon->channel(), "acme", "no-such-shop");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);

  EXPECT_TRUE(daemon->Stop().ok());
}

TEST(IngestTest, ClearingTheBlockersGivesReadyAtWithProjection) {
  auto daemon = StartDaemon();
  ASSERT_DAEMON(daemon);
  ShopEvents shop("acme", "tts-us-001");
  ASSERT_TRUE(Publish(daemon->channel(), shop.ClosedNotReadyTour("t-")).ok());
  absl::StatusOr<v1::IngestAck> ack = Publish(
      daemon->channel(),
      {shop.DisputeResolved("t-10", "2026-03-10T02:00:00Z", "atoz-1"),
       shop.FeePaid("t-11", "2026-03-10T03:00:00Z", "ads-1", 3500, "USD")});
  ASSERT_TRUE(ack.ok()) << ack.status();
  EXPECT_EQ(ack->applied(), 2) << ack->DebugString();

  absl::StatusOr<v1::ReadinessReport> report =
      GetShop(daemon->channel(), "acme", "tts-us-001", "2026-03-10T12:00:00Z");
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->verdict(), v1::READY_AT) << report->DebugString();
  EXPECT_EQ(FindBlocker(*report, v1::R3_OPEN_DISPUTES), nullptr);
  EXPECT_EQ(FindBlocker(*report, v1::R4_UNPAID_FEES), nullptr);
  // domain.md §7 example 2: closure + 30 natural days = 2026-04-01, then 15
  // working days of review = 2026-04-22 (dates in the profile's calendar;
  // the shop closed at 10:00 Beijing time, so the UTC date is the same).
  EXPECT_THAT(tools::FormatTimestamp(report->ready_at()),
              HasSubstr("2026-04-01"));
  ASSERT_TRUE(report->has_projection()) << report->DebugString();
  EXPECT_THAT(tools::FormatTimestamp(report->projection().review_done_at()),
              HasSubstr("2026-04-22"))
      << report->projection().DebugString();
  EXPECT_THAT(report->projection().steps(), Not(IsEmpty()));
  EXPECT_TRUE(daemon->Stop().ok());
}

TEST(IngestTest, RestartKeepsEverything) {
  auto daemon = StartDaemon();
  ASSERT_DAEMON(daemon);
  ShopEvents shop("acme", "tts-us-001");
  const std::vector<v1::Event> tour = shop.ClosedNotReadyTour("r-");
  ASSERT_TRUE(Publish(daemon->channel(), tour).ok());
  absl::StatusOr<v1::ReadinessReport> before =
      GetShop(daemon->channel(), "acme", "tts-us-001", "2026-03-05T00:00:00Z");
  ASSERT_TRUE(before.ok()) << before.status();

  ASSERT_TRUE(daemon->Stop().ok());
  ASSERT_TRUE(daemon->Restart().ok());

  absl::StatusOr<v1::ReadinessReport> after =
      GetShop(daemon->channel(), "acme", "tts-us-001", "2026-03-05T00:00:00Z");
  ASSERT_TRUE(after.ok()) << after.status();
  ExpectClosedNotReady(*after);
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(*before, *after))
      << "before:\n"
      << before->DebugString() << "after:\n"
      << after->DebugString();

  // Event ids survive the restart too: the same events are duplicates.
  absl::StatusOr<v1::IngestAck> again = Publish(daemon->channel(), tour);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->duplicates(), tour.size()) << again->DebugString();
  EXPECT_EQ(again->applied(), 0);
  absl::StatusOr<v1::ReadinessReport> last =
      GetShop(daemon->channel(), "acme", "tts-us-001");
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->events_applied(), 9);
  EXPECT_TRUE(daemon->Stop().ok());
}

TEST(IngestTest, ReplayedBatchComesBackDuplicate) {
  auto daemon = StartDaemon();
  ASSERT_DAEMON(daemon);
  ShopEvents shop("acme", "dup-shop");
  std::vector<v1::Event> events = {
      shop.Registered("d-1", "2026-01-05T00:00:00Z", "generic", "CN"),
      shop.Order("d-2", "2026-01-06T00:00:00Z", "o-1", v1::PLACED),
      shop.Order("d-3", "2026-01-07T00:00:00Z", "o-1", v1::SHIPPED),
  };
  absl::StatusOr<v1::IngestAck> first = Publish(daemon->channel(), events, 7);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->batch_seq(), 7u);
  EXPECT_EQ(first->applied(), 3);

  // Again over Publish...
  absl::StatusOr<v1::IngestAck> second = Publish(daemon->channel(), events, 8);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->batch_seq(), 8u);
  EXPECT_EQ(second->duplicates(), 3);
  EXPECT_EQ(second->applied(), 0);
  for (const v1::EventResult& r : second->results()) {
    EXPECT_EQ(r.outcome(), v1::DUPLICATE);
  }

  // ...and over a Stream, mixed with one new event.
  events.push_back(
      shop.Order("d-4", "2026-01-08T00:00:00Z", "o-1", v1::DELIVERED));
  auto stub = v1::EventIngest::NewStub(daemon->channel());
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  auto stream = stub->Stream(&context);
  ASSERT_TRUE(stream->Write(Batch(1, events)));
  stream->WritesDone();
  v1::IngestAck ack;
  ASSERT_TRUE(stream->Read(&ack));
  EXPECT_EQ(ack.batch_seq(), 1u);
  ASSERT_EQ(ack.results_size(), 4);
  EXPECT_EQ(ack.results(0).outcome(), v1::DUPLICATE);
  EXPECT_EQ(ack.results(1).outcome(), v1::DUPLICATE);
  EXPECT_EQ(ack.results(2).outcome(), v1::DUPLICATE);
  EXPECT_EQ(ack.results(3).outcome(), v1::APPLIED) << ack.results(3).reason();
  EXPECT_FALSE(stream->Read(&ack));
  grpc::Status status = stream->Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();

  absl::StatusOr<v1::ReadinessReport> report =
      GetShop(daemon->channel(), "acme", "dup-shop");
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->events_applied(), 4);
  EXPECT_TRUE(daemon->Stop().ok());
}

TEST(IngestTest, MalformedEventsAreRejectedWithReasonsAndTheRestApplied) {
  auto daemon = StartDaemon();
  ASSERT_DAEMON(daemon);
  ShopEvents shop("acme", "bad-input");

  v1::Event missing_id =
      shop.Order("", "2026-01-06T00:00:00Z", "o-2", v1::PLACED);
  v1::Event negative = shop.FeeCharged("m-3", "2026-01-06T00:00:00Z", "fee-1",
                                       v1::FINE, -100, "USD");
  v1::Event unknown_currency = shop.FeeCharged("m-4", "2026-01-06T00:00:00Z",
                                               "fee-2", v1::FINE, 100, "XYZ");
  v1::Event no_body = shop.Envelope("m-5", "2026-01-06T00:00:00Z");
  const std::vector<v1::Event> events = {
      shop.Registered("m-1", "2026-01-05T00:00:00Z", "generic", "CN"),
      missing_id,
      negative,
      unknown_currency,
      no_body,
      shop.Order("m-6", "2026-01-07T00:00:00Z", "o-1", v1::PLACED),
  };
  absl::StatusOr<v1::IngestAck> ack = Publish(daemon->channel(), events);
  ASSERT_TRUE(ack.ok()) << "a malformed event must not fail the call: "
                        << ack.status();
  ASSERT_EQ(ack->results_size(), 6);
  EXPECT_EQ(ack->applied(), 2) << ack->DebugString();
  EXPECT_EQ(ack->rejected(), 4) << ack->DebugString();
  EXPECT_EQ(ack->results(0).outcome(), v1::APPLIED) << ack->results(0).reason();
  EXPECT_EQ(ack->results(5).outcome(), v1::APPLIED) << ack->results(5).reason();
  for (int i = 1; i <= 4; ++i) {
    EXPECT_EQ(ack->results(i).outcome(), v1::REJECTED) << "event " << i;
    EXPECT_FALSE(ack->results(i).reason().empty()) << "event " << i;
  }
  EXPECT_THAT(absl::AsciiStrToLower(ack->results(1).reason()),
              HasSubstr("event_id"));
  EXPECT_THAT(ack->results(3).reason(), HasSubstr("XYZ"));

  absl::StatusOr<v1::ReadinessReport> report =
      GetShop(daemon->channel(), "acme", "bad-input");
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->events_applied(), 2);
  // The rejected fees did not count: no unpaid-fee blocker.
  EXPECT_EQ(FindBlocker(*report, v1::R4_UNPAID_FEES), nullptr)
      << BlockerNames(*report);

  // A rejected event's id is not remembered: fixed, it is applied.
  v1::Event fixed = negative;
  fixed.mutable_fee_charged()->mutable_amount()->set_minor_units(100);
  absl::StatusOr<v1::IngestAck> retry = Publish(daemon->channel(), {fixed});
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->applied(), 1) << retry->DebugString();
  EXPECT_TRUE(daemon->Stop().ok());
}

// Events for one shop: many orders moving through statuses, a deposit and a
// fee. The final state does not depend on arrival order (shop_state.h).
std::vector<v1::Event> ManyOrderEvents(const ShopEvents& shop, int orders) {
  std::vector<v1::Event> events;
  events.push_back(
      shop.Registered("c-reg", "2026-01-01T00:00:00Z", "generic", "CN"));
  events.push_back(shop.DepositPaid("c-dep", "2026-01-01T01:00:00Z", "pay-1",
                                    100000, "CNY", "alipay", "acct-1"));
  const v1::OrderStatus path[] = {v1::PLACED, v1::SHIPPED, v1::IN_TRANSIT,
                                  v1::DELIVERED};
  for (int o = 0; o < orders; ++o) {
    // Orders stop at different statuses: o % 4 picks how far they got.
    for (int s = 0; s <= o % 4; ++s) {
      events.push_back(
          shop.Order(absl::StrCat("c-o", o, "-", s),
                     absl::StrCat("2026-02-", 10 + s, "T00:00:00Z"),
                     absl::StrCat("o", o), path[s]));
    }
  }
  events.push_back(shop.FeeCharged("c-fee", "2026-02-01T00:00:00Z", "fee-1",
                                   v1::TECHNICAL_SERVICE, 2000, "CNY"));
  return events;
}

absl::Status StreamAll(const std::shared_ptr<grpc::Channel>& channel,
                       const std::vector<v1::Event>& events, int batch_size,
                       int64_t* applied, int64_t* duplicates,
                       int64_t* rejected) {
  auto stub = v1::EventIngest::NewStub(channel);
  tools::StreamSender::Options options;
  options.batch_size = batch_size;
  options.deadline = absl::Seconds(60);
  tools::StreamSender sender(stub.get(), options);
  size_t next = 0;
  return sender.Run(
      [&](tools::StreamSender::Item* item) {
        if (next == events.size()) return false;
        item->event = events[next];
        item->tag = next++;
        return true;
      },
      [&](const tools::StreamSender::SentBatch&, const v1::IngestAck& ack) {
        *applied += ack.applied();
        *duplicates += ack.duplicates();
        *rejected += ack.rejected();
      });
}

TEST(IngestTest, TwoConcurrentClientsEndLikeOneClient) {
  auto daemon = StartDaemon();
  ASSERT_DAEMON(daemon);
  constexpr int kOrders = 2000;
  // Same shop id and event ids under two tenants: one fed by a single client
  // in order, the other by two clients at once (interleaved halves, each
  // also resending a slice of the other's events, in reverse order).
  ShopEvents single("t-single", "shop-1");
  ShopEvents dual("t-dual", "shop-1");
  const std::vector<v1::Event> one = ManyOrderEvents(single, kOrders);
  const std::vector<v1::Event> all = ManyOrderEvents(dual, kOrders);

  int64_t applied = 0, duplicates = 0, rejected = 0;
  ASSERT_TRUE(
      StreamAll(daemon->channel(), one, 200, &applied, &duplicates, &rejected)
          .ok());
  EXPECT_EQ(applied, static_cast<int64_t>(one.size()));
  EXPECT_EQ(rejected, 0);

  std::vector<v1::Event> a, b;
  for (size_t i = 0; i < all.size(); ++i)
    (i % 2 == 0 ? a : b).push_back(all[i]);
  // Overlap: each client also sends 10% of the other's events.
  for (size_t i = 0; i < all.size() / 10; ++i) {
    a.push_back(all[all.size() - 1 - i]);
    b.push_back(all[i]);
  }
  std::reverse(b.begin(), b.end());
  int64_t applied_a = 0, dup_a = 0, rej_a = 0;
  int64_t applied_b = 0, dup_b = 0, rej_b = 0;
  absl::Status status_a, status_b;
  // Separate channels: two connections, like two integrations.
  auto channel_a = grpc::CreateCustomChannel(
      daemon->address(), grpc::InsecureChannelCredentials(), [] {
        grpc::ChannelArguments args;
        args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
        return args;
      }());
  auto channel_b = grpc::CreateCustomChannel(
      daemon->address(), grpc::InsecureChannelCredentials(), [] {
        grpc::ChannelArguments args;
        args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
        return args;
      }());
  std::thread ta([&] {
    status_a = StreamAll(channel_a, a, 100, &applied_a, &dup_a, &rej_a);
  });
  std::thread tb([&] {
    status_b = StreamAll(channel_b, b, 100, &applied_b, &dup_b, &rej_b);
  });
  ta.join();
  tb.join();
  ASSERT_TRUE(status_a.ok()) << status_a;
  ASSERT_TRUE(status_b.ok()) << status_b;
  EXPECT_EQ(rej_a + rej_b, 0);
  // Every distinct event applied exactly once, whichever client won.
  EXPECT_EQ(applied_a + applied_b, static_cast<int64_t>(all.size()));
  EXPECT_EQ(dup_a + dup_b,
            static_cast<int64_t>(a.size() + b.size() - all.size()));

  const char* kAsOf = "2026-03-01T00:00:00Z";
  absl::StatusOr<v1::ReadinessReport> r1 =
      GetShop(daemon->channel(), "t-single", "shop-1", kAsOf);
  absl::StatusOr<v1::ReadinessReport> r2 =
      GetShop(daemon->channel(), "t-dual", "shop-1", kAsOf);
  ASSERT_TRUE(r1.ok()) << r1.status();
  ASSERT_TRUE(r2.ok()) << r2.status();
  EXPECT_EQ(r1->events_applied(), static_cast<int64_t>(one.size()));
  const v1::Blocker* in_flight = FindBlocker(*r1, v1::R1_ORDERS_IN_FLIGHT);
  ASSERT_NE(in_flight, nullptr) << BlockerNames(*r1);
  // o % 4 == 0, 1, 2 stop at PLACED, SHIPPED, IN_TRANSIT: in flight.
  EXPECT_EQ(in_flight->count(), kOrders / 4 * 3);
  v1::ReadinessReport n1 = *r1, n2 = *r2;
  n1.clear_tenant();
  n2.clear_tenant();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(n1, n2))
      << "one client:\n"
      << n1.DebugString() << "two clients:\n"
      << n2.DebugString();
  EXPECT_TRUE(daemon->Stop().ok());
}

TEST(ReadinessTest, ExplainNamesTheEventsBehindEachBlocker) {
  auto daemon = StartDaemon();
  ASSERT_DAEMON(daemon);
  ShopEvents shop("acme", "tts-us-001");
  ASSERT_TRUE(Publish(daemon->channel(), shop.ClosedNotReadyTour("x-")).ok());

  auto stub = v1::Readiness::NewStub(daemon->channel());
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  v1::ExplainRequest request;
  request.set_tenant("acme");
  request.set_shop_id("tts-us-001");
  v1::ExplainResponse response;
  grpc::Status status = stub->Explain(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ExpectClosedNotReady(response.report());

  std::set<std::string> r3_ids, r4_ids;
  for (const v1::BlockerExplanation& e : response.explanations()) {
    for (const v1::EvidenceEvent& ev : e.events()) {
      if (e.blocker().condition() == v1::R3_OPEN_DISPUTES) {
        r3_ids.insert(ev.event_id());
      }
      if (e.blocker().condition() == v1::R4_UNPAID_FEES) {
        r4_ids.insert(ev.event_id());
      }
    }
  }
  EXPECT_THAT(r3_ids, Contains("x-6")) << response.DebugString();
  EXPECT_THAT(r4_ids, Contains("x-7")) << response.DebugString();

  grpc::ClientContext missing_context;
  request.set_shop_id("nope");
  EXPECT_EQ(stub->Explain(&missing_context, request, &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(daemon->Stop().ok());
}

TEST(ReadinessTest, ListShopsPaginatesAndFilters) {
  auto daemon = StartDaemon();
  ASSERT_DAEMON(daemon);
  constexpr int kShops = 25;
  std::vector<v1::Event> events;
  for (int i = 0; i < kShops; ++i) {
    ShopEvents shop("pager", absl::StrFormat("shop-%02d", i));
    const std::string p = absl::StrCat("p-", i, "-");
    events.push_back(
        shop.Registered(p + "reg", "2026-01-01T00:00:00Z", "generic", "CN"));
    // Every third shop is clean and closed (generic profile: no waiting
    // period): READY. The others are still operating: NOT_READY.
    if (i % 3 == 0) {
      events.push_back(shop.DepositPaid(p + "dep", "2026-01-01T01:00:00Z",
                                        "pay-1", 100000, "CNY", "alipay",
                                        "acct-1"));
      events.push_back(shop.RefundAccountSet(p + "acct", "2026-01-01T02:00:00Z",
                                             "alipay", "acct-1", "CNY"));
      events.push_back(shop.Closed(p + "closed", "2026-01-02T00:00:00Z"));
    }
  }
  // Another tenant's shop must not show up.
  ShopEvents other("other-tenant", "shop-00");
  events.push_back(
      other.Registered("p-other", "2026-01-01T00:00:00Z", "generic", "CN"));
  absl::StatusOr<v1::IngestAck> ack = Publish(daemon->channel(), events);
  ASSERT_TRUE(ack.ok()) << ack.status();
  ASSERT_EQ(ack->rejected(), 0) << ack->DebugString();

  auto stub = v1::Readiness::NewStub(daemon->channel());
  auto list_all = [&](v1::ListShopsRequest request, int* pages) {
    std::vector<v1::ShopSummary> shops;
    *pages = 0;
    for (;;) {
      grpc::ClientContext context;
      context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
      v1::ListShopsResponse response;
      grpc::Status status = stub->ListShops(&context, request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      ++*pages;
      EXPECT_LE(response.shops_size(), request.page_size());
      for (const auto& s : response.shops()) shops.push_back(s);
      if (response.next_page_token().empty() || *pages > 100) break;
      request.set_page_token(response.next_page_token());
    }
    return shops;
  };

  v1::ListShopsRequest request;
  request.set_tenant("pager");
  request.set_page_size(7);
  int pages = 0;
  std::vector<v1::ShopSummary> shops = list_all(request, &pages);
  EXPECT_EQ(pages, 4);  // 7 + 7 + 7 + 4
  ASSERT_EQ(shops.size(), kShops);
  for (int i = 0; i < kShops; ++i) {
    EXPECT_EQ(shops[i].tenant(), "pager");
    // Ordered by shop id, each exactly once.
    EXPECT_EQ(shops[i].shop_id(), absl::StrFormat("shop-%02d", i));
  }

  request.add_verdicts(v1::READY);
  std::vector<v1::ShopSummary> ready = list_all(request, &pages);
  ASSERT_EQ(ready.size(), 9u)
      << "shops 0, 3, ..., 24 should be READY; got " << ready.size();
  for (const auto& s : ready) {
    EXPECT_EQ(s.verdict(), v1::READY) << s.shop_id();
    EXPECT_THAT(s.blocking(), IsEmpty()) << s.shop_id();
  }
  request.clear_verdicts();
  request.add_verdicts(v1::NOT_READY);
  std::vector<v1::ShopSummary> not_ready = list_all(request, &pages);
  EXPECT_EQ(not_ready.size(), 16u);
  for (const auto& s : not_ready) {
    EXPECT_EQ(s.verdict(), v1::NOT_READY) << s.shop_id();
    EXPECT_THAT(s.blocking(), Contains(v1::R7_WAITING_PERIOD)) << s.shop_id();
  }
  EXPECT_TRUE(daemon->Stop().ok());
}

TEST(IngestTest, EdgeLimitsGiveClearErrorsAndHarmNothingElse) {
  auto daemon = StartDaemon();
  ASSERT_DAEMON(daemon);
  ShopEvents shop("acme", "limits-1");
  // An event a week past both clocks is rejected; its neighbours apply.
  std::vector<v1::Event> batch = {
      shop.Registered("l-1", "2026-01-05T00:00:00Z", "douyin", "CN"),
      shop.Order("l-2", "2099-06-01T00:00:00Z", "o-1", v1::PLACED),
      shop.Order("l-3", "2026-01-06T00:00:00Z", "o-2", v1::PLACED)};
  absl::StatusOr<v1::IngestAck> ack = Publish(daemon->channel(), batch);
  ASSERT_TRUE(ack.ok()) << ack.status();
  EXPECT_EQ(ack->applied(), 2);
  ASSERT_EQ(ack->results_size(), 3);
  EXPECT_EQ(ack->results(1).outcome(), v1::REJECTED);
  EXPECT_THAT(ack->results(1).reason(),
              HasSubstr("ahead of the server's clock"));

  // GetShop: as_of out of range, ids longer than any stored one.
  auto stub = v1::Readiness::NewStub(daemon->channel());
  {
    grpc::ClientContext ctx;
    v1::GetShopRequest req;
    req.set_tenant("acme");
    req.set_shop_id("limits-1");
    req.mutable_as_of()->set_seconds(-20000000000);  // before 1370
    v1::ReadinessReport resp;
    grpc::Status st = stub->GetShop(&ctx, req, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(st.error_message(), HasSubstr("as_of"));
  }
  {
    grpc::ClientContext ctx;
    v1::GetShopRequest req;
    req.set_tenant("acme");
    req.set_shop_id(std::string(500, 's'));
    v1::ReadinessReport resp;
    grpc::Status st = stub->GetShop(&ctx, req, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }
  // A message over the 16 MiB limit is refused by the transport.
  {
    auto ingest = v1::EventIngest::NewStub(daemon->channel());
    grpc::ClientContext ctx;
    v1::EventBatch big;
    v1::Event e =
        shop.Order("l-big", "2026-01-07T00:00:00Z", "o-3", v1::PLACED);
    e.set_source(std::string(4000, 'x'));
    for (int i = 0; i < 4500; ++i) *big.add_events() = e;
    v1::IngestAck resp;
    grpc::Status st = ingest->Publish(&ctx, big, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
        << st.error_message();
  }
  // Nothing else was harmed: the shop has its two good orders.
  absl::StatusOr<v1::ReadinessReport> report =
      GetShop(daemon->channel(), "acme", "limits-1");
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(daemon->Stop().ok());
}

// Reads alerts from a Watch stream until `done` says stop or 20 s pass.
std::vector<v1::Alert> WatchUntil(
    const std::shared_ptr<grpc::Channel>& channel,
    const v1::WatchAlertsRequest& request,
    const std::function<bool(const std::vector<v1::Alert>&)>& done) {
  auto stub = v1::Alerts::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
  auto reader = stub->Watch(&context, request);
  std::vector<v1::Alert> alerts;
  v1::Alert alert;
  while (!done(alerts) && reader->Read(&alert)) alerts.push_back(alert);
  context.TryCancel();
  reader->Finish();
  return alerts;
}

bool HasAlert(const std::vector<v1::Alert>& alerts, v1::AlertKind kind,
              v1::AlertState state) {
  for (const v1::Alert& a : alerts) {
    if (a.key().kind() == kind && a.state() == state) return true;
  }
  return false;
}

TEST(AlertsTest, WatchDeliversAccountMismatchAndResumesFromASequence) {
  auto daemon = StartDaemon();
  ASSERT_DAEMON(daemon);
  // domain.md §7 example 3: paid from corporate account A in CNY, refund
  // account set to B.
  ShopEvents shop("acme", "wrong-account");
  absl::StatusOr<v1::IngestAck> ack =
      Publish(daemon->channel(),
              {shop.Registered("w-1", "2026-01-05T00:00:00Z", "douyin", "CN"),
               shop.DepositPaid("w-2", "2026-01-05T01:00:00Z", "dep-1", 3000000,
                                "CNY", "corporate_account", "corp-A"),
               shop.RefundAccountSet("w-3", "2026-01-06T00:00:00Z",
                                     "corporate_account", "corp-B", "CNY")});
  ASSERT_TRUE(ack.ok()) << ack.status();
  ASSERT_EQ(ack->applied(), 3) << ack->DebugString();

  absl::StatusOr<v1::ReadinessReport> report =
      GetShop(daemon->channel(), "acme", "wrong-account");
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_NE(FindBlocker(*report, v1::R8_REFUND_ACCOUNT), nullptr)
      << BlockerNames(*report);

  v1::WatchAlertsRequest request;
  request.set_from_sequence(1);
  request.mutable_filter()->set_tenant("acme");
  request.mutable_filter()->set_shop_id("wrong-account");
  std::vector<v1::Alert> alerts =
      WatchUntil(daemon->channel(), request, [](const auto& got) {
        return HasAlert(got, v1::ACCOUNT_MISMATCH, v1::FIRING);
      });
  ASSERT_TRUE(HasAlert(alerts, v1::ACCOUNT_MISMATCH, v1::FIRING))
      << "no ACCOUNT_MISMATCH FIRING within 20 s; got " << alerts.size()
      << " alerts\n"
      << daemon->LogTail();
  uint64_t fired_seq = 0;
  for (size_t i = 0; i < alerts.size(); ++i) {
    EXPECT_EQ(alerts[i].key().shop_id(), "wrong-account");
    if (i > 0) EXPECT_GT(alerts[i].sequence(), alerts[i - 1].sequence());
    if (alerts[i].key().kind() == v1::ACCOUNT_MISMATCH) {
      fired_seq = alerts[i].sequence();
    }
  }
  ASSERT_GT(fired_seq, 0u);

  // Fix the account: the alert resolves. A watch resuming right after the
  // FIRING transition sees the RESOLVED one and nothing before.
  ack = Publish(daemon->channel(),
                {shop.RefundAccountSet("w-4", "2026-01-07T00:00:00Z",
                                       "corporate_account", "corp-A", "CNY")});
  ASSERT_TRUE(ack.ok()) << ack.status();
  request.set_from_sequence(fired_seq + 1);
  std::vector<v1::Alert> resumed =
      WatchUntil(daemon->channel(), request, [](const auto& got) {
        return HasAlert(got, v1::ACCOUNT_MISMATCH, v1::RESOLVED);
      });
  ASSERT_TRUE(HasAlert(resumed, v1::ACCOUNT_MISMATCH, v1::RESOLVED))
      << "no RESOLVED after the refund account was fixed";
  for (const v1::Alert& a : resumed) EXPECT_GT(a.sequence(), fired_seq);

  // Resuming at the FIRING sequence replays it first.
  request.set_from_sequence(fired_seq);
  std::vector<v1::Alert> replay = WatchUntil(
      daemon->channel(), request, [](const auto& got) { return !got.empty(); });
  ASSERT_FALSE(replay.empty());
  EXPECT_EQ(replay[0].sequence(), fired_seq);
  EXPECT_EQ(replay[0].key().kind(), v1::ACCOUNT_MISMATCH);
  EXPECT_EQ(replay[0].state(), v1::FIRING);

  // List shows nothing firing for this kind any more.
  auto stub = v1::Alerts::NewStub(daemon->channel());
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  v1::ListAlertsRequest list;
  *list.mutable_filter() = request.filter();
  v1::ListAlertsResponse firing;
  ASSERT_TRUE(stub->List(&context, list, &firing).ok());
  for (const v1::Alert& a : firing.alerts()) {
    EXPECT_NE(a.key().kind(), v1::ACCOUNT_MISMATCH) << a.DebugString();
  }
  EXPECT_TRUE(daemon->Stop().ok());
}

TEST(AlertsTest, AlertLogSurvivesRestart) {
  auto daemon = StartDaemon();
  ASSERT_DAEMON(daemon);
  ShopEvents shop("acme", "wrong-account-2");
  ASSERT_TRUE(
      Publish(daemon->channel(),
              {shop.Registered("v-1", "2026-01-05T00:00:00Z", "douyin", "CN"),
               shop.DepositPaid("v-2", "2026-01-05T01:00:00Z", "dep-1", 3000000,
                                "CNY", "corporate_account", "corp-A"),
               shop.RefundAccountSet("v-3", "2026-01-06T00:00:00Z",
                                     "corporate_account", "corp-B", "CNY")})
          .ok());
  v1::WatchAlertsRequest request;
  request.set_from_sequence(1);
  request.mutable_filter()->set_shop_id("wrong-account-2");
  auto fired = [](const auto& got) {
    return HasAlert(got, v1::ACCOUNT_MISMATCH, v1::FIRING);
  };
  std::vector<v1::Alert> before = WatchUntil(daemon->channel(), request, fired);
  ASSERT_TRUE(fired(before));
  ASSERT_TRUE(daemon->Stop().ok());
  ASSERT_TRUE(daemon->Restart().ok());
  std::vector<v1::Alert> after = WatchUntil(daemon->channel(), request, fired);
  ASSERT_TRUE(fired(after));
  EXPECT_EQ(after.back().sequence(), before.back().sequence());
  EXPECT_TRUE(daemon->Stop().ok());
}

}  // namespace
}  // namespace depositd::integration
