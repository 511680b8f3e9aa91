// SinkDispatcher against a real store and alert hub, delivering to the test
// HTTP receiver on 127.0.0.1 (no daemon process).
#include "daemon/sink_dispatcher.h"

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "daemon/alert_hub.h"
#include "daemon/store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "notifier/payload.h"
#include "notifier/routing.h"
#include "notifier/silences.h"
#include "tests/http_receiver.h"

namespace depositd::daemon {
namespace {

using integration::HttpReceiver;
using integration::RecordedRequest;
using ::testing::HasSubstr;

std::string TempDir() {
  std::string tmpl = testing::TempDir() + "/sink_dispatcher_test_XXXXXX";
  char* dir = mkdtemp(tmpl.data());
  EXPECT_NE(dir, nullptr);
  return tmpl;
}

v1::Alert MakeAlert(uint64_t seq, const std::string& shop, v1::AlertKind kind,
                    v1::AlertState state = v1::FIRING,
                    v1::AlertChange change = v1::OPENED) {
  v1::Alert a;
  a.set_sequence(seq);
  a.mutable_key()->set_tenant("acme");
  a.mutable_key()->set_shop_id(shop);
  a.mutable_key()->set_kind(kind);
  a.set_state(state);
  a.set_change(change);
  a.set_severity(v1::WARNING);
  a.set_summary(absl::StrCat("summary ", seq));
  a.mutable_starts_at()->set_seconds(1767225600);
  a.mutable_at()->set_seconds(1767225600 + static_cast<int64_t>(seq));
  if (state == v1::RESOLVED) a.mutable_ends_at()->set_seconds(1767229200);
  return a;
}

// A store, a hub over it, and helpers to commit alerts the way the
// committer does (alert family + hub).
struct Fixture {
  std::string dir = TempDir();
  std::unique_ptr<Store> store;
  std::unique_ptr<AlertHub> hub;
  uint64_t last = 0;

  void Open() {
    Store::Options o;
    o.dir = dir;
    absl::StatusOr<std::unique_ptr<Store>> s = Store::Open(o);
    ASSERT_TRUE(s.ok()) << s.status();
    store = *std::move(s);
    absl::StatusOr<std::optional<std::string>> lk =
        store->LastKey(Family::kAlerts);
    ASSERT_TRUE(lk.ok());
    last = lk->has_value() ? DecodeBigEndian64(**lk) : 0;
    AlertHub::Options ho;
    ho.store = store.get();
    hub = std::make_unique<AlertHub>(ho, last, std::vector<v1::Alert>());
  }
  void Close() {
    hub.reset();
    store.reset();
  }
  void Commit(std::vector<v1::Alert> alerts) {
    StoreBatch batch(*store);
    for (const v1::Alert& a : alerts) {
      batch.Put(Family::kAlerts, EncodeBigEndian64(a.sequence()),
                a.SerializeAsString());
      last = a.sequence();
    }
    ASSERT_TRUE(store->Write(batch, false).ok());
    hub->Publish(std::move(alerts));
  }
  ~Fixture() { std::filesystem::remove_all(dir); }
};

notifier::AlertRouter Router(const std::string& url, v1::SinkType type,
                             const std::string& route_text = "") {
  v1::DaemonConfig config;
  v1::Sink* sink = config.add_sinks();
  sink->set_name("hook");
  sink->set_type(type);
  sink->set_url(url);
  sink->set_secret("s3cret");
  sink->set_timeout_ms(2000);
  v1::Route* route = config.add_routes();
  route->add_sinks("hook");
  if (route_text == "account_only") route->add_kinds(v1::ACCOUNT_MISMATCH);
  absl::StatusOr<notifier::AlertRouter> router =
      notifier::AlertRouter::Create(config);
  EXPECT_TRUE(router.ok()) << router.status();
  return router.ok() ? *std::move(router) : notifier::AlertRouter();
}

SinkDispatcher::Options FastOptions(Fixture& f,
                                    const notifier::AlertRouter* router) {
  SinkDispatcher::Options o;
  o.store = f.store.get();
  o.hub = f.hub.get();
  o.router = router;
  o.backoff_base = absl::Milliseconds(10);
  o.backoff_cap = absl::Milliseconds(100);
  return o;
}

std::vector<uint64_t> DeliveredSequences(
    const std::vector<RecordedRequest>& requests) {
  std::vector<uint64_t> out;
  for (const RecordedRequest& r : requests) {
    uint64_t seq = 0;
    if (r.status / 100 == 2 &&
        absl::SimpleAtoi(r.Header("X-Depositd-Sequence"), &seq)) {
      out.push_back(seq);
    }
  }
  return out;
}

// Waits until the dispatcher's (only) sink has moved its cursor to `cursor`:
// everything before it is delivered, skipped or dropped, and counted.
bool WaitForCursor(const SinkDispatcher& d, uint64_t cursor) {
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline) {
    if (d.Stats()[0].cursor >= cursor) return true;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return false;
}

uint64_t StoredCursor(const Store& store) {
  absl::StatusOr<std::string> v =
      store.Get(Family::kMeta, SinkCursorKey("hook"));
  return v.ok() ? DecodeBigEndian64(*v) : 0;
}

TEST(SinkDispatcherTest, DeliversInOrderWithSignatureAndPersistsCursor) {
  auto receiver = HttpReceiver::Start();
  ASSERT_TRUE(receiver.ok()) << receiver.status();
  Fixture f;
  f.Open();
  notifier::AlertRouter router = Router((*receiver)->Url("/hook"), v1::WEBHOOK);
  auto d = SinkDispatcher::Create(FastOptions(f, &router));
  ASSERT_TRUE(d.ok()) << d.status();
  // A new sink's cursor is written at once: the end of the (empty) log.
  EXPECT_EQ(StoredCursor(*f.store), 1u);
  (*d)->Start();
  f.Commit(
      {MakeAlert(1, "s1", v1::ACCOUNT_MISMATCH),
       MakeAlert(2, "s2", v1::BALANCE_SHORT),
       MakeAlert(3, "s1", v1::ACCOUNT_MISMATCH, v1::RESOLVED, v1::CLEARED)});
  ASSERT_TRUE(WaitForCursor(**d, 4));
  (*d)->Stop();
  const std::vector<RecordedRequest> requests = (*receiver)->requests();
  EXPECT_EQ(DeliveredSequences(requests), (std::vector<uint64_t>{1, 2, 3}));
  for (const RecordedRequest& r : requests) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.path, "/hook");
    const std::string ts = r.Header("X-Depositd-Timestamp");
    EXPECT_EQ(r.Header("X-Depositd-Signature"),
              "sha256=" + absl::BytesToHexString(notifier::HmacSha256(
                              "s3cret", absl::StrCat(ts, ".", r.body))));
  }
  EXPECT_EQ(requests[0].Header("X-Depositd-Alert-Key"),
            "acme/s1/ACCOUNT_MISMATCH");
  EXPECT_EQ(StoredCursor(*f.store), 4u);
  std::vector<SinkDispatcher::SinkStats> stats = (*d)->Stats();
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].delivered, 3);
  EXPECT_EQ(stats[0].cursor, 4u);
  EXPECT_EQ(stats[0].retries, 0);
}

TEST(SinkDispatcherTest, ResumesFromTheStoredCursorAfterRestart) {
  auto receiver = HttpReceiver::Start();
  ASSERT_TRUE(receiver.ok()) << receiver.status();
  Fixture f;
  f.Open();
  notifier::AlertRouter router = Router((*receiver)->Url("/hook"), v1::WEBHOOK);
  {
    auto d = SinkDispatcher::Create(FastOptions(f, &router));
    ASSERT_TRUE(d.ok()) << d.status();
    (*d)->Start();
    f.Commit({MakeAlert(1, "s1", v1::ACCOUNT_MISMATCH)});
    ASSERT_TRUE(WaitForCursor(**d, 2));
    (*d)->Stop();
  }
  // Committed while no dispatcher runs.
  f.Commit({MakeAlert(2, "s1", v1::BALANCE_SHORT),
            MakeAlert(3, "s2", v1::BALANCE_SHORT)});
  f.Close();
  f.Open();  // the hub's ring is empty now: reads come from the store
  auto d = SinkDispatcher::Create(FastOptions(f, &router));
  ASSERT_TRUE(d.ok()) << d.status();
  (*d)->Start();
  ASSERT_TRUE(WaitForCursor(**d, 4));
  (*d)->Stop();
  EXPECT_EQ(DeliveredSequences((*receiver)->requests()),
            (std::vector<uint64_t>{1, 2, 3}));
}

TEST(SinkDispatcherTest, RetriesServerErrorsAndHonours429) {
  auto receiver = HttpReceiver::Start();
  ASSERT_TRUE(receiver.ok()) << receiver.status();
  (*receiver)->FailNext(2, 500);
  (*receiver)->FailNext(1, 503);
  (*receiver)->TooManyRequestsNext(1, "1");
  Fixture f;
  f.Open();
  notifier::AlertRouter router = Router((*receiver)->Url("/hook"), v1::WEBHOOK);
  auto d = SinkDispatcher::Create(FastOptions(f, &router));
  ASSERT_TRUE(d.ok()) << d.status();
  (*d)->Start();
  f.Commit({MakeAlert(1, "s1", v1::ACCOUNT_MISMATCH),
            MakeAlert(2, "s1", v1::BALANCE_SHORT)});
  ASSERT_TRUE(WaitForCursor(**d, 3));
  (*d)->Stop();
  const std::vector<RecordedRequest> requests = (*receiver)->requests();
  ASSERT_EQ(requests.size(), 6u);
  EXPECT_EQ(requests[3].status, 429);
  // The retry after the 429 waited for its Retry-After (1 s).
  EXPECT_GE(requests[4].received_at - requests[3].received_at,
            absl::Milliseconds(900));
  EXPECT_EQ(DeliveredSequences(requests), (std::vector<uint64_t>{1, 2}));
  std::vector<SinkDispatcher::SinkStats> stats = (*d)->Stats();
  EXPECT_EQ(stats[0].retries, 4);
  EXPECT_EQ(stats[0].delivered, 2);
  EXPECT_TRUE(stats[0].last_error.empty()) << stats[0].last_error;
}

TEST(SinkDispatcherTest, PermanentClientErrorIsDroppedAndDeliveryGoesOn) {
  auto receiver = HttpReceiver::Start();
  ASSERT_TRUE(receiver.ok()) << receiver.status();
  (*receiver)->FailNext(1, 400);
  Fixture f;
  f.Open();
  notifier::AlertRouter router = Router((*receiver)->Url("/hook"), v1::WEBHOOK);
  auto d = SinkDispatcher::Create(FastOptions(f, &router));
  ASSERT_TRUE(d.ok()) << d.status();
  (*d)->Start();
  f.Commit({MakeAlert(1, "s1", v1::ACCOUNT_MISMATCH),
            MakeAlert(2, "s1", v1::BALANCE_SHORT)});
  ASSERT_TRUE(WaitForCursor(**d, 3));
  (*d)->Stop();
  EXPECT_EQ(DeliveredSequences((*receiver)->requests()),
            (std::vector<uint64_t>{2}));
  std::vector<SinkDispatcher::SinkStats> stats = (*d)->Stats();
  EXPECT_EQ(stats[0].dropped, 1);
  EXPECT_EQ(stats[0].retries, 0);
  EXPECT_EQ(stats[0].cursor, 3u);
}

TEST(SinkDispatcherTest, SkipsUnroutedAndSilencedTransitions) {
  auto receiver = HttpReceiver::Start();
  ASSERT_TRUE(receiver.ok()) << receiver.status();
  Fixture f;
  f.Open();
  notifier::AlertRouter router =
      Router((*receiver)->Url("/hook"), v1::WEBHOOK, "account_only");
  notifier::SilenceSet silences;
  notifier::Silence s;
  s.id = "sil-1";
  s.shop_id = "quiet";
  s.ends_at = absl::InfiniteFuture();
  silences.Add(s);
  SinkDispatcher::Options o = FastOptions(f, &router);
  o.silencer = &silences;
  auto d = SinkDispatcher::Create(o);
  ASSERT_TRUE(d.ok()) << d.status();
  (*d)->Start();
  f.Commit({MakeAlert(1, "s1", v1::BALANCE_SHORT),        // not routed
            MakeAlert(2, "quiet", v1::ACCOUNT_MISMATCH),  // silenced
            MakeAlert(3, "s1", v1::ACCOUNT_MISMATCH)});
  ASSERT_TRUE(WaitForCursor(**d, 4));
  (*d)->Stop();
  EXPECT_EQ(DeliveredSequences((*receiver)->requests()),
            (std::vector<uint64_t>{3}));
  std::vector<SinkDispatcher::SinkStats> stats = (*d)->Stats();
  EXPECT_EQ(stats[0].silenced, 1);
  EXPECT_EQ(stats[0].delivered, 1);
  EXPECT_EQ(StoredCursor(*f.store), 4u);
}

TEST(SinkDispatcherTest, StopAbortsARequestInFlight) {
  auto receiver = HttpReceiver::Start();
  ASSERT_TRUE(receiver.ok()) << receiver.status();
  (*receiver)->Hold(true);  // never answers
  Fixture f;
  f.Open();
  notifier::AlertRouter router = Router((*receiver)->Url("/hook"), v1::WEBHOOK);
  auto d = SinkDispatcher::Create(FastOptions(f, &router));
  ASSERT_TRUE(d.ok()) << d.status();
  (*d)->Start();
  f.Commit({MakeAlert(1, "s1", v1::ACCOUNT_MISMATCH)});
  ASSERT_TRUE((*receiver)->WaitFor([](const auto& r) { return !r.empty(); },
                                   absl::Seconds(20)));
  (*d)->Stop();  // returns although the receiver never answers
  // Not delivered, so the cursor stays at the transition.
  EXPECT_EQ(StoredCursor(*f.store), 1u);
  EXPECT_EQ((*d)->Stats()[0].delivered, 0);
}

TEST(SinkDispatcherTest, AlertmanagerBatchesSkipsRepeatsAndResends) {
  auto receiver = HttpReceiver::Start();
  ASSERT_TRUE(receiver.ok()) << receiver.status();
  Fixture f;
  f.Open();
  notifier::AlertRouter router = Router((*receiver)->Url(""), v1::ALERTMANAGER);
  SinkDispatcher::Options o = FastOptions(f, &router);
  o.alertmanager_resend = absl::Seconds(1);
  auto d = SinkDispatcher::Create(o);
  ASSERT_TRUE(d.ok()) << d.status();
  // Committed before Start: one batch.
  f.Commit(
      {MakeAlert(1, "s1", v1::ACCOUNT_MISMATCH),
       MakeAlert(2, "s2", v1::ACCOUNT_MISMATCH),
       MakeAlert(3, "s1", v1::ACCOUNT_MISMATCH, v1::FIRING, v1::REPEATED),
       MakeAlert(4, "s2", v1::ACCOUNT_MISMATCH, v1::FIRING, v1::ACKNOWLEDGED),
       MakeAlert(5, "s1", v1::ACCOUNT_MISMATCH, v1::RESOLVED, v1::CLEARED)});
  (*d)->Start();
  // Batches: {1, 2} (3 and 4 skipped), then {5} (same key as 1). Then
  // re-posts of the one alert still firing (s2), about every second.
  ASSERT_TRUE(WaitForCursor(**d, 6));
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while ((*d)->Stats()[0].resent == 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  (*d)->Stop();
  const std::vector<RecordedRequest> requests = (*receiver)->requests();
  for (const RecordedRequest& r : requests) {
    EXPECT_EQ(r.path, "/api/v2/alerts");
    EXPECT_EQ(r.status, 200);
  }
  // The re-post right after Start sends nothing: s2's last transition (4) is
  // at or after the cursor, still to be sent in order.
  EXPECT_THAT(requests[0].body, HasSubstr("\"shop_id\":\"s1\""));
  EXPECT_THAT(requests[0].body, HasSubstr("\"shop_id\":\"s2\""));
  EXPECT_THAT(requests[1].body, HasSubstr("\"shop_id\":\"s1\""));
  EXPECT_THAT(requests[1].body, ::testing::Not(HasSubstr("\"s2\"")));
  EXPECT_THAT(requests[2].body, HasSubstr("\"shop_id\":\"s2\""));
  EXPECT_THAT(requests[2].body, ::testing::Not(HasSubstr("\"s1\"")));
  std::vector<SinkDispatcher::SinkStats> stats = (*d)->Stats();
  EXPECT_EQ(stats[0].delivered, 3);
  EXPECT_GE(stats[0].resent, 1);
  EXPECT_EQ(stats[0].cursor, 6u);
}

// An UPDATED transition is not a page: a webhook gets it, Alertmanager gets
// it as the same alert with new annotations, a chat robot (Slack here; every
// non-WEBHOOK chat type takes the same branch) does not, and its cursor
// moves past it.
TEST(SinkDispatcherTest, UpdatedGoesToWebhooksAndAlertmanagerNotChatRobots) {
  struct Case {
    v1::SinkType type;
    size_t posts;  // requests for transitions 1 (OPENED) and 2 (UPDATED)
  };
  for (const Case& c :
       {Case{v1::WEBHOOK, 2}, Case{v1::ALERTMANAGER, 2}, Case{v1::SLACK, 1}}) {
    SCOPED_TRACE(v1::SinkType_Name(c.type));
    auto receiver = HttpReceiver::Start();
    ASSERT_TRUE(receiver.ok()) << receiver.status();
    Fixture f;
    f.Open();
    notifier::AlertRouter router = Router(
        (*receiver)->Url(c.type == v1::ALERTMANAGER ? "" : "/hook"), c.type);
    SinkDispatcher::Options o = FastOptions(f, &router);
    o.alertmanager_resend = absl::Hours(1);  // only the re-post at Start
    auto d = SinkDispatcher::Create(o);
    ASSERT_TRUE(d.ok()) << d.status();
    v1::Alert updated =
        MakeAlert(2, "s1", v1::CLOSURE_BLOCKED, v1::FIRING, v1::UPDATED);
    updated.set_summary("closure requested but 1 conditions block the refund");
    f.Commit({MakeAlert(1, "s1", v1::CLOSURE_BLOCKED), updated});
    (*d)->Start();
    ASSERT_TRUE(WaitForCursor(**d, 3));
    (*d)->Stop();
    const std::vector<RecordedRequest> requests = (*receiver)->requests();
    ASSERT_EQ(requests.size(), c.posts);
    EXPECT_EQ((*d)->Stats()[0].delivered, static_cast<int64_t>(c.posts));
    if (c.type == v1::WEBHOOK) {
      EXPECT_EQ(DeliveredSequences(requests), (std::vector<uint64_t>{1, 2}));
      EXPECT_THAT(requests[1].body, HasSubstr("\"change\":\"UPDATED\""));
      EXPECT_THAT(requests[1].body, HasSubstr("\"repeat\":false"));
    }
    if (c.type == v1::ALERTMANAGER) {
      EXPECT_THAT(requests[1].body, HasSubstr("\"sequence\":\"2\""));
    }
    EXPECT_EQ(StoredCursor(*f.store), 3u);
  }
}

}  // namespace
}  // namespace depositd::daemon
