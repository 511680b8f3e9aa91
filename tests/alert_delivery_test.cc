// Alert delivery end to end: the real depositd delivering alert transitions
// to a WEBHOOK sink (a local HTTP receiver) through scripted failures, 429s,
// a receiver restart and a kill -9 of the daemon; and the 90-day inactivity
// example of domain.md §7 walked with the test clock, seen on Watch and at
// the webhook; and a paid fee updating a CLOSURE_BLOCKED alert (UPDATED, not
// a page) on Watch, in List and at the webhook.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/timestamps.h"
#include "depositd/v1/service.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"
#include "tests/http_receiver.h"
#include "tests/temp_files.h"
#include "tests/test_events.h"

namespace depositd::integration {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSecret[] = "webhook-shared-secret";

// The config: one WEBHOOK sink with a secret, one route (optionally only
// some kinds), no repeats within the test's time span.
std::string WebhookConfig(const std::string& url,
                          const std::string& route_kinds = "") {
  return absl::StrFormat(
      R"pb(
        tenants { tenant: "acme" language: "en" }
        sinks {
          name: "ops-hook"
          type: WEBHOOK
          url: "%s"
          secret: "%s"
          timeout_ms: 3000
        }
        routes { sinks: "ops-hook" %s repeat_interval_minutes: 525600 }
      )pb",
      url, kSecret, route_kinds);
}

std::unique_ptr<DaemonHarness> StartDaemon(DaemonHarness::Options options) {
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      DaemonHarness::Start(options);
  EXPECT_TRUE(daemon.ok()) << daemon.status();
  return daemon.ok() ? *std::move(daemon) : nullptr;
}

// The receiver-side check of a webhook signature, written from the format
// (notifier/payload.h), not with depositd's code.
std::string ExpectedSignature(const RecordedRequest& r) {
  const std::string data =
      absl::StrCat(r.Header("X-Depositd-Timestamp"), ".", r.body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), kSecret, static_cast<int>(sizeof(kSecret) - 1),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac,
       &len);
  return "sha256=" + absl::BytesToHexString(absl::string_view(
                         reinterpret_cast<const char*>(mac), len));
}

// The X-Depositd-Alert-Key header: no trailing '/' for an empty subject.
std::string KeyString(const v1::AlertKey& k) {
  return absl::StrCat(k.tenant(), "/", k.shop_id(), "/",
                      v1::AlertKind_Name(k.kind()),
                      k.subject().empty() ? "" : "/", k.subject());
}

uint64_t SequenceOf(const RecordedRequest& r) {
  uint64_t seq = 0;
  return absl::SimpleAtoi(r.Header("X-Depositd-Sequence"), &seq) ? seq : 0;
}

bool Delivered(const RecordedRequest& r) {
  return r.status >= 200 && r.status < 300;
}

std::set<uint64_t> DeliveredSet(const std::vector<RecordedRequest>& rs) {
  std::set<uint64_t> out;
  for (const RecordedRequest& r : rs) {
    if (Delivered(r)) out.insert(SequenceOf(r));
  }
  return out;
}

// The index of the first request from `from` on that is not answered (held),
// or requests.size().
size_t FirstHeld(const std::vector<RecordedRequest>& requests, size_t from) {
  for (size_t i = from; i < requests.size(); ++i) {
    if (requests[i].status == 0) return i;
  }
  return requests.size();
}

// Every transition in the alert log from sequence 1 up to the daemon's last
// one, read over Alerts.Watch.
std::vector<v1::Alert> WatchAll(const std::shared_ptr<grpc::Channel>& channel,
                                const v1::AlertFilter& filter = {}) {
  absl::StatusOr<v1::StatsResponse> stats = GetStats(channel);
  EXPECT_TRUE(stats.ok()) << stats.status();
  if (!stats.ok()) return {};
  const uint64_t last = stats->alert_sequence();
  std::vector<v1::Alert> out;
  if (last == 0) return out;
  // Unfiltered, so that the last sequence is seen even when it does not
  // match; filtered here.
  auto stub = v1::Alerts::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
  v1::WatchAlertsRequest request;
  request.set_from_sequence(1);
  auto reader = stub->Watch(&context, request);
  v1::Alert alert;
  while (reader->Read(&alert)) {
    const bool kind_ok = filter.kinds_size() == 0 ||
                         std::find(filter.kinds().begin(), filter.kinds().end(),
                                   alert.key().kind()) != filter.kinds().end();
    const bool shop_ok =
        filter.shop_id().empty() || alert.key().shop_id() == filter.shop_id();
    if (kind_ok && shop_ok) out.push_back(alert);
    if (alert.sequence() >= last) break;
  }
  context.TryCancel();
  reader->Finish();
  EXPECT_TRUE(!out.empty() || filter.kinds_size() > 0)
      << "Watch ended before sequence " << last;
  return out;
}

absl::Status SetTestClock(const std::shared_ptr<grpc::Channel>& channel,
                          absl::string_view rfc3339) {
  auto stub = v1::Admin::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  v1::SetTestClockRequest request;
  *request.mutable_now() = Ts(rfc3339);
  v1::TestClockResponse response;
  grpc::Status s = stub->SetTestClock(&context, request, &response);
  if (!s.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                        s.error_message());
  }
  return absl::OkStatus();
}

// Checks that every transition of `expected` reached the webhook at least
// once, with its key, and that per shop the first deliveries came in log
// order; and that every request (answered or not) was correctly signed.
void ExpectDeliveredInOrder(const std::vector<v1::Alert>& expected,
                            const std::vector<RecordedRequest>& requests) {
  std::map<uint64_t, const v1::Alert*> by_seq;
  std::map<std::string, std::vector<uint64_t>> log_order;  // per shop
  for (const v1::Alert& a : expected) {
    by_seq[a.sequence()] = &a;
    log_order[a.key().shop_id()].push_back(a.sequence());
  }
  std::map<std::string, std::vector<uint64_t>> first_arrivals;
  std::set<uint64_t> seen;
  for (const RecordedRequest& r : requests) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.Header("X-Depositd-Signature"), ExpectedSignature(r))
        << "bad signature on " << r.Header("X-Depositd-Sequence");
    const uint64_t seq = SequenceOf(r);
    ASSERT_GT(seq, 0u) << "no X-Depositd-Sequence header";
    EXPECT_THAT(r.body, HasSubstr(absl::StrCat("\"sequence\":\"", seq, "\"")));
    auto it = by_seq.find(seq);
    if (it == by_seq.end()) continue;  // not among the checked transitions
    EXPECT_EQ(r.Header("X-Depositd-Alert-Key"), KeyString(it->second->key()))
        << "sequence " << seq;
    if (Delivered(r) && seen.insert(seq).second) {
      first_arrivals[it->second->key().shop_id()].push_back(seq);
    }
  }
  for (const auto& [shop, order] : log_order) {
    EXPECT_EQ(first_arrivals[shop], order)
        << "shop " << shop << ": first deliveries "
        << absl::StrJoin(first_arrivals[shop], ",") << " vs log "
        << absl::StrJoin(order, ",");
  }
}

// Shops whose refund account flips between the paying account (alert
// resolved) and another one (ACCOUNT_MISMATCH firing): one transition per
// shop per round.
class FlippingShops {
 public:
  explicit FlippingShops(int count) {
    for (int i = 0; i < count; ++i) {
      shops_.emplace_back("acme", absl::StrCat("flip-", i));
    }
  }
  std::vector<v1::Event> Setup() const {
    std::vector<v1::Event> out;
    for (const ShopEvents& s : shops_) {
      out.push_back(s.Registered(s.shop_id() + "-reg", "2026-01-05T00:00:00Z",
                                 "douyin", "CN"));
      out.push_back(s.DepositPaid(s.shop_id() + "-dep", "2026-01-05T01:00:00Z",
                                  "dep-1", 3000000, "CNY", "corporate_account",
                                  "corp-A"));
    }
    return out;
  }
  // Round 1, 3, 5, ...: mismatch (FIRING); 2, 4, ...: fixed (RESOLVED).
  std::vector<v1::Event> Round(int round) const {
    std::vector<v1::Event> out;
    const std::string at = absl::FormatTime(
        absl::RFC3339_sec,
        absl::FromCivil(absl::CivilHour(2026, 1, 6, 0), absl::UTCTimeZone()) +
            absl::Hours(round),
        absl::UTCTimeZone());
    for (const ShopEvents& s : shops_) {
      out.push_back(s.RefundAccountSet(
          absl::StrCat(s.shop_id(), "-r", round), at, "corporate_account",
          round % 2 == 1 ? "corp-B" : "corp-A", "CNY"));
    }
    return out;
  }

 private:
  std::vector<ShopEvents> shops_;
};

TEST(AlertDeliveryTest, EveryTransitionArrivesThroughFailuresRestartsAndCrash) {
  absl::StatusOr<std::unique_ptr<HttpReceiver>> receiver =
      HttpReceiver::Start();
  ASSERT_TRUE(receiver.ok()) << receiver.status();
  HttpReceiver& hook = **receiver;
  // The first posts fail: three 500s, then two 429s with Retry-After: 1.
  hook.FailNext(3, 500);
  hook.TooManyRequestsNext(2, "1");

  ScopedTempDir temp("alert-delivery");
  const std::string& dir = temp.path();
  DaemonHarness::Options options;
  options.extra_args = {"--config",
                        WriteFile(dir, "depositd.textproto",
                                  WebhookConfig(hook.Url("/hooks/depositd")))};
  auto daemon = StartDaemon(options);
  ASSERT_NE(daemon, nullptr);

  FlippingShops shops(4);
  std::vector<v1::Event> first = shops.Setup();
  for (v1::Event& e : shops.Round(1)) first.push_back(std::move(e));
  ASSERT_TRUE(Publish(daemon->channel(), first).ok());
  ASSERT_TRUE(
      hook.WaitFor([](const auto& r) { return DeliveredSet(r).size() >= 2; },
                   absl::Seconds(30)))
      << "nothing delivered after the scripted failures\n"
      << daemon->LogTail();

  // The receiver goes away with a request in flight, and comes back on the
  // same port.
  size_t from = hook.requests().size();
  hook.Hold(true);
  ASSERT_TRUE(Publish(daemon->channel(), shops.Round(2)).ok());
  ASSERT_TRUE(Publish(daemon->channel(), shops.Round(3)).ok());
  ASSERT_TRUE(hook.WaitFor(
      [from](const auto& r) { return FirstHeld(r, from) < r.size(); },
      absl::Seconds(30)));
  const size_t held_at_stop = FirstHeld(hook.requests(), from);
  hook.Stop();
  absl::SleepFor(absl::Milliseconds(500));  // connections refused meanwhile
  absl::Status restarted = hook.Restart();
  ASSERT_TRUE(restarted.ok()) << restarted;
  hook.Hold(false);

  // depositd is killed with a request in flight (held, unanswered) and
  // restarted: that transition is sent again, nothing is lost.
  ASSERT_TRUE(
      hook.WaitFor([](const auto& r) { return DeliveredSet(r).size() >= 6; },
                   absl::Seconds(30)))
      << daemon->LogTail();
  from = hook.requests().size();
  hook.Hold(true);
  ASSERT_TRUE(Publish(daemon->channel(), shops.Round(4)).ok());
  ASSERT_TRUE(Publish(daemon->channel(), shops.Round(5)).ok());
  ASSERT_TRUE(hook.WaitFor(
      [from](const auto& r) { return FirstHeld(r, from) < r.size(); },
      absl::Seconds(30)));
  const size_t held_at_kill = FirstHeld(hook.requests(), from);
  ASSERT_TRUE(daemon->Kill().ok());
  hook.Hold(false);
  ASSERT_TRUE(daemon->Restart().ok());
  ASSERT_TRUE(Publish(daemon->channel(), shops.Round(6)).ok());

  const std::vector<v1::Alert> log = WatchAll(daemon->channel());
  ASSERT_GE(log.size(), 24u) << "4 shops x 6 rounds of ACCOUNT_MISMATCH";
  std::set<uint64_t> all;
  for (const v1::Alert& a : log) all.insert(a.sequence());
  const bool complete = hook.WaitFor(
      [&all](const auto& r) {
        const std::set<uint64_t> got = DeliveredSet(r);
        return std::includes(got.begin(), got.end(), all.begin(), all.end());
      },
      absl::Seconds(60));
  const std::vector<RecordedRequest> requests = hook.requests();
  if (!complete) {
    std::set<uint64_t> got = DeliveredSet(requests);
    std::vector<uint64_t> missing;
    std::set_difference(all.begin(), all.end(), got.begin(), got.end(),
                        std::back_inserter(missing));
    ADD_FAILURE() << "never delivered: " << absl::StrJoin(missing, ",") << "\n"
                  << daemon->LogTail();
  }
  ExpectDeliveredInOrder(log, requests);

  // The script ran: 500s, then 429s whose retry waited for Retry-After.
  int failed_500 = 0;
  for (size_t i = 0; i < requests.size(); ++i) {
    if (requests[i].status == 500) ++failed_500;
    if (requests[i].status == 429) {
      ASSERT_LT(i + 1, requests.size());
      EXPECT_GE(requests[i + 1].received_at - requests[i].received_at,
                absl::Milliseconds(900))
          << "the retry after a 429 with Retry-After: 1 came too early";
    }
  }
  EXPECT_EQ(failed_500, 3);
  // The requests in flight when the receiver stopped and when depositd was
  // killed were never answered (so they did not count as delivered), and
  // their transitions arrived later all the same.
  for (size_t held : {held_at_stop, held_at_kill}) {
    EXPECT_EQ(requests[held].status, 0) << "request " << held;
    EXPECT_EQ(DeliveredSet(requests).count(SequenceOf(requests[held])), 1u);
  }
  EXPECT_TRUE(daemon->Stop().ok());
}

// One INACTIVITY transition as seen on Watch, reduced to what the example
// specifies.
struct Step {
  std::string shop;
  v1::AlertState state;
  v1::AlertChange change;
  std::string stage;  // of FIRING transitions
  v1::Severity severity;
  std::string at;  // processing time, RFC 3339
};

std::string Describe(const Step& s) {
  return absl::StrCat(s.shop, " ", v1::AlertState_Name(s.state), " ",
                      v1::AlertChange_Name(s.change), " ", s.stage, " ",
                      v1::Severity_Name(s.severity), " at ", s.at);
}

// Whole seconds: the times these tests compare are on the test clock.
std::string Rfc3339(const google::protobuf::Timestamp& t) {
  return common::FormatRfc3339(absl::FromUnixSeconds(t.seconds()));
}

// domain.md §7 example 1, the 90-day cliff: generic profile (90 days without
// a sale cost 50% of the deposit; warnings 30, 14, 7 and 1 days before).
// Last sale 2026-01-10. Shop "cliff-sale" follows the example: warned on
// 2026-03-11 (day 60), one sale on 2026-03-20 resolves it. Shop "cliff"
// gets no sale: the alert escalates at each lead time and says the limit is
// crossed on 2026-04-10 (day 90); a sale then resolves it.
TEST(AlertDeliveryTest, NinetyDayInactivityCliffOnWatchAndAtTheWebhook) {
  absl::StatusOr<std::unique_ptr<HttpReceiver>> receiver =
      HttpReceiver::Start();
  ASSERT_TRUE(receiver.ok()) << receiver.status();
  HttpReceiver& hook = **receiver;
  ScopedTempDir temp("alert-delivery");
  const std::string& dir = temp.path();
  DaemonHarness::Options options;
  options.test_clock_start = "2026-01-10T12:00:00Z";
  options.extra_args = {
      "--config",
      WriteFile(dir, "depositd.textproto",
                WebhookConfig(hook.Url("/hook"), "kinds: INACTIVITY"))};
  auto daemon = StartDaemon(options);
  ASSERT_NE(daemon, nullptr);
  auto channel = daemon->channel();

  ShopEvents cliff("acme", "cliff"), sale("acme", "cliff-sale");
  std::vector<v1::Event> events;
  for (const ShopEvents* s : {&cliff, &sale}) {
    const std::string p = s->shop_id();
    events.push_back(
        s->Registered(p + "-1", "2026-01-02T00:00:00Z", "generic", "CN"));
    events.push_back(s->DepositPaid(p + "-2", "2026-01-02T01:00:00Z", "dep-1",
                                    100000, "CNY", "alipay", "acct-1"));
    events.push_back(
        s->Order(p + "-3", "2026-01-10T00:00:00Z", "o-1", v1::PLACED));
  }
  absl::StatusOr<v1::IngestAck> ack = Publish(channel, events);
  ASSERT_TRUE(ack.ok()) << ack.status();
  ASSERT_EQ(ack->applied(), events.size()) << ack->DebugString();

  // Day 59 + 23 h: nothing yet. Day 60: the warning.
  ASSERT_TRUE(SetTestClock(channel, "2026-03-10T23:00:00Z").ok());
  v1::AlertFilter inactivity;
  inactivity.add_kinds(v1::INACTIVITY);
  EXPECT_TRUE(WatchAll(channel, inactivity).empty());
  ASSERT_TRUE(SetTestClock(channel, "2026-03-11T00:00:00Z").ok());
  // The sale of the example.
  ASSERT_TRUE(SetTestClock(channel, "2026-03-20T12:00:00Z").ok());
  ASSERT_TRUE(
      Publish(channel, {sale.Order("cliff-sale-4", "2026-03-20T10:00:00Z",
                                   "o-2", v1::PLACED)})
          .ok());
  // The escalations of "cliff", then the crossing, then a sale.
  for (const char* t : {"2026-03-26T23:00:00Z", "2026-03-27T00:00:00Z",
                        "2026-04-03T00:00:00Z", "2026-04-09T00:00:00Z",
                        "2026-04-10T00:00:00Z", "2026-04-10T12:00:00Z"}) {
    ASSERT_TRUE(SetTestClock(channel, t).ok()) << t;
  }
  ASSERT_TRUE(Publish(channel, {cliff.Order("cliff-4", "2026-04-10T09:00:00Z",
                                            "o-2", v1::PLACED)})
                  .ok());
  // Another two months on, "cliff-sale" (last sale 2026-03-20) is not warned
  // again before day 60 of its new count (2026-05-19).
  ASSERT_TRUE(SetTestClock(channel, "2026-05-18T00:00:00Z").ok());

  const std::vector<v1::Alert> log = WatchAll(channel, inactivity);
  std::vector<Step> got;
  for (const v1::Alert& a : log) {
    if (a.change() == v1::REPEATED || a.change() == v1::ACKNOWLEDGED) continue;
    got.push_back({a.key().shop_id(), a.state(), a.change(),
                   a.state() == v1::FIRING ? a.stage() : "", a.severity(),
                   Rfc3339(a.at())});
  }
  const std::vector<Step> want = {
      {"cliff", v1::FIRING, v1::OPENED, "30d", v1::INFO,
       "2026-03-11T00:00:00Z"},
      {"cliff-sale", v1::FIRING, v1::OPENED, "30d", v1::INFO,
       "2026-03-11T00:00:00Z"},
      {"cliff-sale", v1::RESOLVED, v1::CLEARED, "", v1::INFO,
       "2026-03-20T12:00:00Z"},
      {"cliff", v1::FIRING, v1::ESCALATED, "14d", v1::INFO,
       "2026-03-27T00:00:00Z"},
      {"cliff", v1::FIRING, v1::ESCALATED, "7d", v1::WARNING,
       "2026-04-03T00:00:00Z"},
      {"cliff", v1::FIRING, v1::ESCALATED, "1d", v1::CRITICAL,
       "2026-04-09T00:00:00Z"},
      {"cliff", v1::FIRING, v1::ESCALATED, "crossed", v1::CRITICAL,
       "2026-04-10T00:00:00Z"},
      {"cliff", v1::RESOLVED, v1::CLEARED, "", v1::CRITICAL,
       "2026-04-10T12:00:00Z"},
  };
  // Per shop in log order (the two shops' day-60 warnings share a moment,
  // in no specified order between them).
  auto by_shop = [](const Step& a, const Step& b) { return a.shop < b.shop; };
  std::stable_sort(got.begin(), got.end(), by_shop);
  std::vector<Step> want_sorted = want;
  std::stable_sort(want_sorted.begin(), want_sorted.end(), by_shop);
  std::vector<std::string> got_text, want_text;
  for (const Step& s : got) got_text.push_back(Describe(s));
  for (const Step& s : want_sorted) want_text.push_back(Describe(s));
  EXPECT_EQ(got_text, want_text) << daemon->LogTail();

  // What the day-60 warning says: 60 days, 50% of CNY 1,000.00 due
  // 2026-04-10.
  for (const v1::Alert& a : log) {
    if (a.key().shop_id() != "cliff-sale" || a.state() != v1::FIRING) continue;
    EXPECT_EQ(a.evidence().at("days_without_sale"), "60");
    EXPECT_EQ(Rfc3339(a.due_at()), "2026-04-10T00:00:00Z");
    EXPECT_EQ(a.amount_at_risk().minor_units(), 50000);
    EXPECT_EQ(a.amount_at_risk().currency(), "CNY");
    EXPECT_THAT(a.summary(), HasSubstr("50%"));
  }

  // The webhook got the same transitions, in order, with the same content.
  std::set<uint64_t> all;
  for (const v1::Alert& a : log) all.insert(a.sequence());
  ASSERT_TRUE(hook.WaitFor(
      [&all](const auto& r) {
        const std::set<uint64_t> got = DeliveredSet(r);
        return std::includes(got.begin(), got.end(), all.begin(), all.end());
      },
      absl::Seconds(30)))
      << daemon->LogTail();
  const std::vector<RecordedRequest> requests = hook.requests();
  ExpectDeliveredInOrder(log, requests);
  std::map<uint64_t, const v1::Alert*> by_seq;
  for (const v1::Alert& a : log) by_seq[a.sequence()] = &a;
  for (const RecordedRequest& r : requests) {
    const v1::Alert* a = by_seq[SequenceOf(r)];
    ASSERT_NE(a, nullptr) << "only INACTIVITY is routed here: " << r.body;
    EXPECT_THAT(r.body,
                HasSubstr(absl::StrCat("\"state\":\"",
                                       v1::AlertState_Name(a->state()), "\"")));
    EXPECT_THAT(r.body,
                HasSubstr(absl::StrCat("\"stage\":\"", a->stage(), "\"")));
    EXPECT_THAT(r.body,
                HasSubstr("\"shop_id\":\"" + a->key().shop_id() + "\""));
  }
  EXPECT_TRUE(daemon->Stop().ok());
}

// Alerts.List, CLOSURE_BLOCKED only.
std::vector<v1::Alert> ListClosureBlocked(
    const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = v1::Alerts::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  v1::ListAlertsRequest request;
  request.mutable_filter()->add_kinds(v1::CLOSURE_BLOCKED);
  v1::ListAlertsResponse response;
  const grpc::Status s = stub->List(&context, request, &response);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return {response.alerts().begin(), response.alerts().end()};
}

// domain.md §5, "the evidence is always current": the TikTok tour shop
// (closed 2026-03-02, closure requested 03-01 02:00; an open A-to-Z claim
// and the unpaid USD 35.00 ads settlement "ads-1" block the refund) pages
// CLOSURE_BLOCKED with R3 and R4. The fee is paid at 05:00: the alert is
// UPDATED (same stage, no R4) on Watch, in List and at the webhook, and it
// is not a page: the route repeats every 10 hours, and the reminder comes
// 10 hours after the page (13:00), not after the update (15:00).
TEST(AlertDeliveryTest, PaidFeeUpdatesClosureBlockedEverywhereWithoutAPage) {
  absl::StatusOr<std::unique_ptr<HttpReceiver>> receiver =
      HttpReceiver::Start();
  ASSERT_TRUE(receiver.ok()) << receiver.status();
  HttpReceiver& hook = **receiver;
  ScopedTempDir temp("alert-update");
  const std::string config = absl::StrFormat(
      R"pb(
        tenants { tenant: "acme" language: "en" }
        sinks {
          name: "ops-hook"
          type: WEBHOOK
          url: "%s"
          secret: "%s"
          timeout_ms: 3000
        }
        routes {
          sinks: "ops-hook"
          kinds: CLOSURE_BLOCKED
          repeat_interval_minutes: 600
        }
      )pb",
      hook.Url("/hook"), kSecret);
  DaemonHarness::Options options;
  options.test_clock_start = "2026-03-05T03:00:00Z";
  options.extra_args = {"--config",
                        WriteFile(temp.path(), "depositd.textproto", config)};
  auto daemon = StartDaemon(options);
  ASSERT_NE(daemon, nullptr);
  auto channel = daemon->channel();
  v1::AlertFilter closure;
  closure.add_kinds(v1::CLOSURE_BLOCKED);

  ShopEvents shop("acme", "tts-us-001");
  ASSERT_TRUE(Publish(channel, shop.ClosedNotReadyTour("u-")).ok());
  std::vector<v1::Alert> log = WatchAll(channel, closure);
  ASSERT_EQ(log.size(), 1u) << daemon->LogTail();
  const v1::Alert paged = log[0];
  EXPECT_EQ(paged.change(), v1::OPENED);
  EXPECT_EQ(paged.evidence().count("R3_OPEN_DISPUTES"), 1u);
  EXPECT_EQ(paged.evidence().count("R4_UNPAID_FEES"), 1u);
  EXPECT_THAT(paged.summary(), HasSubstr("R4_UNPAID_FEES"));

  ASSERT_TRUE(SetTestClock(channel, "2026-03-05T05:00:00Z").ok());
  ASSERT_TRUE(Publish(channel, {shop.FeePaid("u-10", "2026-03-05T04:30:00Z",
                                             "ads-1", 3500, "USD")})
                  .ok());
  log = WatchAll(channel, closure);
  ASSERT_EQ(log.size(), 2u) << daemon->LogTail();
  const v1::Alert updated = log[1];
  EXPECT_EQ(updated.change(), v1::UPDATED);
  EXPECT_EQ(updated.state(), v1::FIRING);
  EXPECT_FALSE(updated.repeat());
  EXPECT_EQ(updated.stage(), paged.stage());
  EXPECT_EQ(updated.severity(), paged.severity());
  EXPECT_EQ(Rfc3339(updated.at()), "2026-03-05T05:00:00Z");
  EXPECT_EQ(Rfc3339(updated.starts_at()), "2026-03-05T03:00:00Z");
  EXPECT_EQ(Rfc3339(updated.last_paged_at()), "2026-03-05T03:00:00Z");
  EXPECT_EQ(updated.evidence().count("R3_OPEN_DISPUTES"), 1u);
  EXPECT_EQ(updated.evidence().count("R4_UNPAID_FEES"), 0u);
  EXPECT_THAT(updated.summary(), Not(HasSubstr("R4")));
  EXPECT_THAT(updated.summary(), HasSubstr("R3_OPEN_DISPUTES"));

  // List shows the alert as it is now: the update.
  std::vector<v1::Alert> listed = ListClosureBlocked(channel);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].sequence(), updated.sequence());
  EXPECT_EQ(listed[0].change(), v1::UPDATED);
  EXPECT_EQ(listed[0].evidence().count("R4_UNPAID_FEES"), 0u);
  EXPECT_THAT(listed[0].summary(), Not(HasSubstr("R4")));

  // The webhook got the page and the update, in order, the update saying
  // UPDATED, not a repeat, without R4.
  const std::set<uint64_t> both = {paged.sequence(), updated.sequence()};
  ASSERT_TRUE(hook.WaitFor(
      [&both](const auto& r) {
        const std::set<uint64_t> got = DeliveredSet(r);
        return std::includes(got.begin(), got.end(), both.begin(), both.end());
      },
      absl::Seconds(30)))
      << daemon->LogTail();
  ExpectDeliveredInOrder(log, hook.requests());
  for (const RecordedRequest& r : hook.requests()) {
    if (SequenceOf(r) != updated.sequence()) continue;
    EXPECT_THAT(r.body, HasSubstr("\"change\":\"UPDATED\""));
    EXPECT_THAT(r.body, HasSubstr("\"repeat\":false"));
    EXPECT_THAT(r.body, HasSubstr("R3_OPEN_DISPUTES"));
    EXPECT_THAT(r.body, Not(HasSubstr("R4_UNPAID_FEES")));
    EXPECT_THAT(r.body, HasSubstr("UPDATED: Closure blocked"));
  }

  // Not a page: no reminder before 13:00 (10 h after the page), one at
  // 13:00 with the current evidence.
  ASSERT_TRUE(SetTestClock(channel, "2026-03-05T12:59:00Z").ok());
  log = WatchAll(channel, closure);
  for (const v1::Alert& a : log) {
    EXPECT_NE(a.change(), v1::REPEATED) << "reminder at " << Rfc3339(a.at());
  }
  ASSERT_TRUE(SetTestClock(channel, "2026-03-05T13:00:00Z").ok());
  log = WatchAll(channel, closure);
  std::vector<v1::Alert> repeats;
  for (const v1::Alert& a : log) {
    if (a.change() == v1::REPEATED) repeats.push_back(a);
  }
  ASSERT_EQ(repeats.size(), 1u) << daemon->LogTail();
  EXPECT_EQ(Rfc3339(repeats[0].at()), "2026-03-05T13:00:00Z");
  EXPECT_TRUE(repeats[0].repeat());
  EXPECT_EQ(repeats[0].evidence().count("R4_UNPAID_FEES"), 0u);
  EXPECT_TRUE(daemon->Stop().ok());
}

}  // namespace
}  // namespace depositd::integration
