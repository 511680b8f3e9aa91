// The native feeds through the real depositd binary: each platform's signed
// requests POSTed over HTTP to /hooks/<platform> on 127.0.0.1, the answers
// each platform expects, the shop read back through gRPC.
//
// Table-driven over the five platforms, with the sample sequences of
// tests/data/feeds (an order placed to a deauthorization, as far as each
// platform's feed carries it): the sequence moves GetShop exactly as the
// same events sent as canonical events through EventIngest; retries come
// back DUPLICATE; delivered reversed and twice it ends the same; a wrong
// signature, a wrong app key and a truncated body change nothing; after a
// kill -9 between a delivery and its answer the platform's retry applies
// once (FeedsCrashTest, label crash too). Amazon goes through its bearer
// token.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "feeds/request_signer.h"
#include "feeds/signatures.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"
#include "tests/feed_samples.h"
#include "tests/http_test_client.h"
#include "tests/temp_files.h"
#include "tests/test_events.h"

namespace depositd::integration {
namespace {

namespace samples = feeds::samples;
using ::testing::HasSubstr;

// The daemon's test clock; signed timestamps are a minute before it.
constexpr char kStart[] = "2026-03-05T00:00:00Z";

int64_t StartSeconds() {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, kStart, &t, &err));
  return absl::ToUnixSeconds(t);
}

absl::Time SignedAt() { return absl::FromUnixSeconds(StartSeconds() - 60); }

using HttpAnswer = HttpTestResult;

// Bearer tokens of the daemons with a token file: relay writes acme (what
// /hooks/amazon is given), reader only reads it, ops is the tests' own.
constexpr char kRelay[] = "Bearer relay-token-0123456789";
constexpr char kReader[] = "Bearer reader-token-0123456789";
constexpr char kOps[] = "Bearer ops-token-0123456789";

std::string TokenFile(const std::string& dir) {
  const auto line = [](const std::string& token, const std::string& rest) {
    return absl::StrCat("sha256:", feeds::Sha256Hex(token), " ", rest, "\n");
  };
  return WriteFile(
      dir, "tokens",
      line("relay-token-0123456789", "tenant=acme roles=ingest name=relay") +
          line("reader-token-0123456789", "tenant=acme roles=read name=r") +
          line("ops-token-0123456789", "tenant=* roles=ingest,read name=ops"));
}

// A daemon serving every platform's test app (tests/feed_samples.h), with
// the token file unless `tokens` is false.
absl::StatusOr<std::unique_ptr<DaemonHarness>> StartDaemon(
    const std::string& dir, const std::string& sync = "os",
    bool tokens = true) {
  DaemonHarness::Options o;
  o.test_clock_start = kStart;
  o.sync = sync;
  o.extra_args = {"--config", samples::WriteFeedsConfig(dir)};
  if (tokens) {
    o.token_file = TokenFile(dir);
    o.client.token = "ops-token-0123456789";
  }
  return DaemonHarness::Start(o);
}

int64_t EventsApplied(DaemonHarness& d, const std::string& shop) {
  absl::StatusOr<v1::ReadinessReport> r = GetShop(d.channel(), "acme", shop);
  return r.ok() ? r->events_applied() : -1;
}

// The platform's sample sequence, in order.
std::vector<samples::Sample> Sequence(const std::string& platform) {
  std::vector<samples::Sample> out;
  for (const std::string& path : samples::SampleFiles(platform, "seq-")) {
    absl::StatusOr<samples::Sample> s = samples::LoadSample(path);
    EXPECT_TRUE(s.ok()) << s.status();
    if (s.ok()) out.push_back(*std::move(s));
  }
  return out;
}

// The shop a sample is about (the first word of its first expect line).
std::string ShopOf(const samples::Sample& s) {
  return s.expect.empty() ? "" : s.expect[0].substr(0, s.expect[0].find(' '));
}

// How many events the sequence maps to (its expect lines: seq-* samples
// map every message).
int64_t EventCount(const std::vector<samples::Sample>& sequence) {
  int64_t n = 0;
  for (const auto& s : sequence) n += static_cast<int64_t>(s.expect.size());
  return n;
}

// A request as the platform delivers it to `d`.
struct Delivery {
  std::string url;
  HttpTestHeaders headers;
  std::string body;
  feeds::FeedRequest request;  // what was signed, for in-process mapping
};

// `sample` signed with `app` (default: the test app) for `d`; the shop
// renamed to its name + `shop_suffix` first, for another shop with the
// same sequence. Amazon: with the relay token.
Delivery Signed(const DaemonHarness& d, const std::string& platform,
                const samples::Sample& sample,
                const std::string& shop_suffix = "",
                const feeds::FeedApp* app = nullptr) {
  Delivery out;
  out.request = sample.captured.request;
  if (!shop_suffix.empty()) {
    const std::string shop = ShopOf(sample);
    out.request.body =
        absl::StrReplaceAll(out.request.body, {{shop, shop + shop_suffix}});
  }
  const feeds::FeedApp test_app = samples::TestApp(platform);
  EXPECT_TRUE(feeds::SignAsPlatform(platform, app ? *app : test_app, SignedAt(),
                                    &out.request)
                  .ok());
  out.url = absl::StrCat(d.http_url(), "/hooks/", platform);
  out.headers = {out.request.headers.begin(), out.request.headers.end()};
  if (platform == "amazon") out.headers["Authorization"] = kRelay;
  out.body = out.request.body;
  return out;
}

HttpAnswer Send(const Delivery& delivery) {
  return HttpPost(delivery.url, delivery.headers, delivery.body);
}

// The body each platform expects with its 200.
std::string AnswerBody(const std::string& platform) {
  if (platform == "douyin") return R"({"code":0,"msg":"success"})";
  if (platform == "temu") return R"({"result":{}})";
  return "";
}

// The value of a metric line `name{labels}` in /metrics, or -1.
int64_t Metric(DaemonHarness& d, const std::string& series) {
  const HttpAnswer m =
      HttpGet(d.http_url() + "/metrics", {{"Authorization", kOps}});
  const size_t at = m.body.find(series + " ");
  if (at == std::string::npos) return -1;
  return std::stoll(m.body.substr(at + series.size() + 1));
}

bool SameShop(v1::ReadinessReport a, v1::ReadinessReport b) {
  a.clear_shop_id();
  b.clear_shop_id();
  const bool same = google::protobuf::util::MessageDifferencer::Equals(a, b);
  EXPECT_TRUE(same) << a.DebugString() << "\nvs\n" << b.DebugString();
  return same;
}

class FeedsSequenceTest : public ::testing::TestWithParam<std::string> {};

TEST_P(FeedsSequenceTest,
       MovesTheShopLikeCanonicalEventsAndRetriesAreDuplicate) {
  const std::string& platform = GetParam();
  ScopedTempDir dir("feeds-e2e");
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      StartDaemon(dir.path());
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  DaemonHarness& d = **daemon;
  const std::vector<samples::Sample> sequence = Sequence(platform);
  ASSERT_GE(sequence.size(), 4u);
  const std::string shop = ShopOf(sequence[0]);
  const int64_t n = EventCount(sequence);
  std::vector<Delivery> deliveries;
  for (const samples::Sample& s : sequence) {
    deliveries.push_back(Signed(d, platform, s));
    const HttpAnswer a = Send(deliveries.back());
    EXPECT_EQ(a.status, 200) << s.path << ": " << a.body << d.LogTail();
    EXPECT_EQ(a.body, AnswerBody(platform)) << s.path;
  }
  // The same requests mapped in-process, sent as canonical events for a
  // twin shop through EventIngest.
  std::vector<v1::Event> twin;
  for (const Delivery& delivery : deliveries) {
    absl::StatusOr<feeds::FeedDelivery> mapped =
        samples::MapInProcess(platform, delivery.request, SignedAt());
    ASSERT_TRUE(mapped.ok()) << mapped.status();
    for (v1::Event e : mapped->events) {
      e.set_shop_id("twin-shop");
      twin.push_back(e);
    }
  }
  ASSERT_EQ(static_cast<int64_t>(twin.size()), n);
  absl::StatusOr<v1::IngestAck> ack = Publish(d.channel(), twin);
  ASSERT_TRUE(ack.ok()) << ack.status();
  EXPECT_EQ(static_cast<int64_t>(ack->applied()), n);
  absl::StatusOr<v1::ReadinessReport> hooked =
      GetShop(d.channel(), "acme", shop);
  absl::StatusOr<v1::ReadinessReport> direct =
      GetShop(d.channel(), "acme", "twin-shop");
  ASSERT_TRUE(hooked.ok()) << hooked.status();
  ASSERT_TRUE(direct.ok()) << direct.status();
  EXPECT_EQ(hooked->events_applied(), n);
  SameShop(*hooked, *direct);

  // The platform retries every delivery: answered the same, DUPLICATE.
  for (const Delivery& delivery : deliveries) {
    const HttpAnswer a = Send(delivery);
    EXPECT_EQ(a.status, 200) << a.body;
    EXPECT_EQ(a.body, AnswerBody(platform));
  }
  EXPECT_EQ(EventsApplied(d, shop), n);
  EXPECT_EQ(
      Metric(
          d,
          absl::StrCat(
              R"(depositd_feed_event_outcomes_total{outcome="duplicate",platform=")",
              platform, R"("})")),
      n);

  // Refusals, on the first delivery for another shop: nothing is written.
  const samples::Sample& first = sequence[0];
  const std::string refused_shop = shop + "8";
  feeds::FeedApp wrong_secret = samples::TestApp(platform);
  wrong_secret.secret = "wrong-secret-0123456789";
  feeds::FeedApp wrong_app = samples::TestApp(platform);
  wrong_app.app_key = "9999";
  wrong_app.callback_url = "https://other.example.com/hooks/shopee";
  Delivery bad_signature = Signed(d, platform, first, "8", &wrong_secret);
  Delivery bad_app = Signed(d, platform, first, "8", &wrong_app);
  Delivery truncated = Signed(d, platform, first, "8");
  truncated.body.resize(truncated.body.size() - 5);
  if (platform == "amazon") {  // its token is what authenticates it
    bad_signature.headers["Authorization"] = "Bearer wrong-token-0123456789";
    bad_app.headers["Authorization"] = kReader;
  }
  // Douyin and Temu name the app in a header: 403; TikTok and Shopee find
  // it by the signature: 401; Amazon: a token without role ingest, 403.
  const bool app_in_header =
      platform == "douyin" || platform == "temu" || platform == "amazon";
  EXPECT_EQ(Send(bad_signature).status, 401);
  EXPECT_EQ(Send(bad_app).status, app_in_header ? 403 : 401);
  // A truncated body no longer matches its signature; Temu's envelope and
  // Amazon's notification are no longer JSON at all: malformed.
  EXPECT_EQ(Send(truncated).status,
            platform == "amazon" || platform == "temu" ? 400 : 401);
  EXPECT_FALSE(GetShop(d.channel(), "acme", refused_shop).ok());
  EXPECT_EQ(EventsApplied(d, shop), n);
  EXPECT_TRUE(d.Stop().ok()) << d.LogTail();
}

TEST_P(FeedsSequenceTest, OutOfOrderAndRepeatedDeliveriesEndTheSame) {
  const std::string& platform = GetParam();
  ScopedTempDir dir("feeds-e2e");
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      StartDaemon(dir.path());
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  DaemonHarness& d = **daemon;
  const std::vector<samples::Sample> sequence = Sequence(platform);
  const std::string shop = ShopOf(sequence[0]);
  for (const samples::Sample& s : sequence) {
    ASSERT_EQ(Send(Signed(d, platform, s)).status, 200) << s.path;
  }
  // Reversed, and each delivered twice (a platform retry), for shop + "7".
  for (auto it = sequence.rbegin(); it != sequence.rend(); ++it) {
    const Delivery delivery = Signed(d, platform, *it, "7");
    ASSERT_EQ(Send(delivery).status, 200) << it->path;
    ASSERT_EQ(Send(delivery).status, 200) << it->path;
  }
  absl::StatusOr<v1::ReadinessReport> in_order =
      GetShop(d.channel(), "acme", shop);
  absl::StatusOr<v1::ReadinessReport> reversed =
      GetShop(d.channel(), "acme", shop + "7");
  ASSERT_TRUE(in_order.ok() && reversed.ok());
  EXPECT_EQ(reversed->events_applied(), EventCount(sequence));
  SameShop(*in_order, *reversed);
  EXPECT_EQ(
      Metric(
          d,
          absl::StrCat(
              R"(depositd_feed_event_outcomes_total{outcome="duplicate",platform=")",
              platform, R"("})")),
      EventCount(sequence));
  EXPECT_TRUE(d.Stop().ok()) << d.LogTail();
}

// kill -9 between a delivery and its answer: the platform sent the request
// and gave up without an answer (the connection closed unread), the daemon
// dies, and the platform retries after the restart: applied exactly once,
// whether or not the first delivery became durable before the kill.
class FeedsCrashTest : public ::testing::TestWithParam<std::string> {};

TEST_P(FeedsCrashTest, KillBetweenDeliveryAndAnswerTheRetryAppliesOnce) {
  const std::string& platform = GetParam();
  ScopedTempDir dir("feeds-crash");
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      StartDaemon(dir.path(), "fsync");
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  DaemonHarness& d = **daemon;
  const std::vector<samples::Sample> sequence = Sequence(platform);
  const std::string shop = ShopOf(sequence[0]);
  const Delivery first = Signed(d, platform, sequence[0]);
  ASSERT_TRUE(HttpPostWithoutAnswer(first.url, first.headers, first.body));
  ASSERT_TRUE(d.Kill().ok());
  ASSERT_TRUE(d.Restart().ok()) << d.LogTail();
  // The restarted edge listens on a new port: the retry goes there.
  const HttpAnswer retry = Send(Signed(d, platform, sequence[0]));
  EXPECT_EQ(retry.status, 200) << retry.body << d.LogTail();
  const int64_t once = static_cast<int64_t>(sequence[0].expect.size());
  EXPECT_EQ(EventsApplied(d, shop), once);
  // Answered after durability: killed again after the answer, the rest of
  // the sequence and a second retry still apply exactly once.
  for (size_t i = 1; i < sequence.size(); ++i) {
    ASSERT_EQ(Send(Signed(d, platform, sequence[i])).status, 200);
  }
  ASSERT_TRUE(d.Kill().ok());
  ASSERT_TRUE(d.Restart().ok()) << d.LogTail();
  EXPECT_EQ(EventsApplied(d, shop), EventCount(sequence));
  EXPECT_EQ(Send(Signed(d, platform, sequence.back())).status, 200);
  EXPECT_EQ(EventsApplied(d, shop), EventCount(sequence));
  EXPECT_TRUE(d.Stop().ok()) << d.LogTail();
}

INSTANTIATE_TEST_SUITE_P(Platforms, FeedsSequenceTest,
                         ::testing::ValuesIn(samples::Platforms()),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Platforms, FeedsCrashTest,
                         ::testing::ValuesIn(samples::Platforms()),
                         [](const auto& info) { return info.param; });

TEST(FeedsE2eTest, EachPlatformGetsItsOwnAnswer) {
  ScopedTempDir dir("feeds-e2e");
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      StartDaemon(dir.path(), "os", false);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  DaemonHarness& d = **daemon;
  const int64_t now = StartSeconds();

  // Douyin: the verification push, then a batch (paid, after-sale opened).
  const std::string verify = R"([{"tag":"0","msg_id":"0","data":"{}"}])";
  HttpAnswer v =
      HttpPost(d.http_url() + "/hooks/douyin",
               {{"app-id", "7001"},
                {"event-sign",
                 feeds::DouyinSignature(samples::TestApp("douyin"), verify)}},
               verify);
  EXPECT_EQ(v.status, 200);
  EXPECT_EQ(v.body, R"({"code":0,"msg":"success"})");
  auto message = [](const std::string& tag, const std::string& id,
                    const std::string& data) {
    return absl::StrCat(R"({"tag":")", tag, R"(","msg_id":")", id,
                        R"(","data":")",
                        absl::StrReplaceAll(data, {{"\"", "\\\""}}), R"("})");
  };
  const std::string batch = absl::StrCat(
      "[",
      message("101", "dy-1",
              absl::StrCat(R"({"shop_id":4463798,"p_id":111,"pay_time":)",
                           now - 3600, "}")),
      ",",
      message(
          "200", "dy-2",
          absl::StrCat(
              R"({"shop_id":4463798,"p_id":111,"aftersale_id":555,"aftersale_type":1,"refund_amount":1999,"apply_time":)",
              now - 1800, "}")),
      "]");
  HttpAnswer dy =
      HttpPost(d.http_url() + "/hooks/douyin",
               {{"app-id", "7001"},
                {"event-sign",
                 feeds::DouyinSignature(samples::TestApp("douyin"), batch)}},
               batch);
  EXPECT_EQ(dy.status, 200) << dy.body;
  EXPECT_EQ(dy.body, R"({"code":0,"msg":"success"})");
  EXPECT_EQ(HttpPost(d.http_url() + "/hooks/douyin",
                     {{"app-id", "7999"}, {"event-sign", "00"}}, batch)
                .status,
            403);  // unknown app key
  absl::StatusOr<v1::ReadinessReport> douyin =
      GetShop(d.channel(), "acme", "4463798");
  ASSERT_TRUE(douyin.ok()) << douyin.status();
  EXPECT_EQ(douyin->events_applied(), 2);
  EXPECT_NE(FindBlocker(*douyin, v1::R3_OPEN_DISPUTES), nullptr)
      << BlockerNames(*douyin);

  // Shopee: 2xx with an empty body.
  const std::string push = absl::StrCat(
      R"({"code":3,"shop_id":600001,"timestamp":)", now - 30,
      R"(,"data":{"ordersn":"2411XYZ","status":"READY_TO_SHIP","update_time":)",
      now - 60, "}}");
  HttpAnswer sp =
      HttpPost(d.http_url() + "/hooks/shopee",
               {{"Authorization",
                 feeds::ShopeeSignature(samples::TestApp("shopee"), push)}},
               push);
  EXPECT_EQ(sp.status, 200) << sp.body;
  EXPECT_EQ(sp.body, "");
  absl::StatusOr<v1::ReadinessReport> shopee =
      GetShop(d.channel(), "acme", "600001");
  ASSERT_TRUE(shopee.ok()) << shopee.status();
  EXPECT_NE(FindBlocker(*shopee, v1::R1_ORDERS_IN_FLIGHT), nullptr)
      << BlockerNames(*shopee);

  // Temu: encrypted, {"result":{}}.
  const std::string plain =
      R"({"orderSn":"PO-1","orderStatus":2,"updateAt":1772668000000})";
  absl::StatusOr<std::string> cipher =
      feeds::EncryptAes128Cbc("12345678abcdefgh", plain);
  ASSERT_TRUE(cipher.ok());
  feeds::FeedRequest temu;
  temu.body =
      absl::StrCat(R"({"eventData":")", absl::Base64Escape(*cipher), R"("})");
  temu.headers = {{"x-tm-app-key", "temu-app"},
                  {"x-tm-event-code", "bg_order_status_change_event"},
                  {"x-tm-timestamp", absl::StrCat((now - 5) * 1000)},
                  {"x-tm-ext-param", "{}"}};
  temu.headers["x-tm-signature"] =
      feeds::TemuSignature(samples::TestApp("temu"), temu, plain, true);
  HttpAnswer tm =
      HttpPost(d.http_url() + "/hooks/temu",
               {temu.headers.begin(), temu.headers.end()}, temu.body);
  EXPECT_EQ(tm.status, 200) << tm.body;
  EXPECT_EQ(tm.body, R"({"result":{}})");
  absl::StatusOr<v1::ReadinessReport> temu_shop =
      GetShop(d.channel(), "acme", "temu-shop");
  ASSERT_TRUE(temu_shop.ok()) << temu_shop.status();
  EXPECT_EQ(temu_shop->events_applied(), 1);

  // Amazon (no token file here: the tenant comes from the URL).
  const std::string notification = absl::StrCat(
      R"({"NotificationType":"ORDER_CHANGE","EventTime":"2026-03-04T10:00:00Z","Payload":{"OrderChangeNotification":{"SellerId":"A3TH9S8BH6GOGM","AmazonOrderId":"903-1","OrderChangeType":"OrderStatusChange","Summary":{"OrderStatus":"Unshipped"}}},"NotificationMetadata":{"NotificationId":"amz-1"}})");
  EXPECT_EQ(
      HttpPost(d.http_url() + "/hooks/amazon?tenant=acme", {}, notification)
          .status,
      200);
  EXPECT_EQ(EventsApplied(d, "A3TH9S8BH6GOGM"), 1);

  // Over the size limit: 413, nothing read.
  EXPECT_EQ(
      HttpPost(d.http_url() + "/hooks/shopee", {}, std::string(2 << 20, ' '))
          .status,
      413);
  EXPECT_TRUE(d.Stop().ok()) << d.LogTail();
}

// With a token file: platform hooks still need only their signatures;
// /hooks/amazon needs a token with role ingest, and its tenant.
TEST(FeedsE2eTest, AmazonBehindABearerToken) {
  ScopedTempDir dir("feeds-e2e");
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      StartDaemon(dir.path());
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  DaemonHarness& d = **daemon;
  const std::string notification =
      R"({"NotificationType":"ORDER_CHANGE","EventTime":"2026-03-04T10:00:00Z","Payload":{"OrderChangeNotification":{"SellerId":"SELLER-1","AmazonOrderId":"903-2","OrderChangeType":"OrderStatusChange","Summary":{"OrderStatus":"Canceled"}}},"NotificationMetadata":{"NotificationId":"amz-2"}})";
  const std::string url = d.http_url() + "/hooks/amazon";
  EXPECT_EQ(HttpPost(url, {}, notification).status, 401);
  EXPECT_EQ(
      HttpPost(url, {{"Authorization", "Bearer wrong"}}, notification).status,
      401);
  EXPECT_EQ(HttpPost(url, {{"Authorization", kReader}}, notification).status,
            403);  // no role ingest
  // A token of every tenant must name one.
  EXPECT_EQ(HttpPost(url, {{"Authorization", kOps}}, notification).status, 400);
  absl::StatusOr<v1::ReadinessReport> none =
      GetShop(d.channel(), "acme", "SELLER-1");
  EXPECT_FALSE(none.ok());  // nothing was written
  HttpAnswer ok = HttpPost(url, {{"Authorization", kRelay}}, notification);
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(EventsApplied(d, "SELLER-1"), 1);
  // The platforms' hooks are authenticated by their signatures only.
  const Delivery tiktok = Signed(d, "tiktok", Sequence("tiktok")[0]);
  EXPECT_EQ(HttpPost(tiktok.url, tiktok.headers, tiktok.body).status, 200);
  EXPECT_EQ(EventsApplied(d, "tt-shop"), 1);
  EXPECT_TRUE(d.Stop().ok()) << d.LogTail();
}

}  // namespace
}  // namespace depositd::integration
