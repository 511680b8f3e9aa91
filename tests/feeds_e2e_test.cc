// The native feeds through the real depositd binary: each platform's signed
// requests POSTed over HTTP to /hooks/<platform> on 127.0.0.1, the answers
// each platform expects, the shop read back through gRPC, and the refusals
// (wrong signature, unknown app key, truncated body) writing nothing. A
// TikTok sequence moves GetShop exactly as the same canonical events sent
// through EventIngest do; a retry after kill -9 applies once.
#include <sys/stat.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "feeds/signatures.h"
#include "feeds/temu_feed.h"
#include "feeds/tiktok_feed.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"
#include "tests/http_test_client.h"
#include "tests/temp_files.h"
#include "tests/test_events.h"

namespace depositd::integration {
namespace {

using ::testing::HasSubstr;

// The daemon's test clock; signed timestamps are near it.
constexpr char kStart[] = "2026-03-05T00:00:00Z";
constexpr char kShopeeUrl[] = "https://hooks.example.com/hooks/shopee";

int64_t StartSeconds() {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, kStart, &t, &err));
  return absl::ToUnixSeconds(t);
}

using HttpAnswer = HttpTestResult;

std::string Secret(const std::string& dir, const std::string& name,
                   const std::string& value) {
  const std::string path = WriteFile(dir, name, value + "\n");
  chmod(path.c_str(), 0600);
  return path;
}

// A config serving every platform, with its secret files in `dir`.
std::string FeedsConfig(const std::string& dir) {
  const std::string text = absl::StrCat(
      "feeds {\n"
      "  tiktok { apps { app_key: \"tt-app\" secret_file: \"",
      Secret(dir, "tiktok.secret", "tt-secret"),
      "\" tenant: \"acme\" } }\n"
      "  douyin { apps { app_key: \"7001\" secret_file: \"",
      Secret(dir, "douyin.secret", "dy-secret"),
      "\" tenant: \"acme\" } }\n"
      "  shopee { apps { app_key: \"2001234\" secret_file: \"",
      Secret(dir, "shopee.secret", "sp-key"),
      "\" tenant: \"acme\" callback_url: \"", kShopeeUrl,
      "\" } }\n"
      "  temu { apps { app_key: \"temu-app\" secret_file: \"",
      Secret(dir, "temu.secret", "12345678abcdefgh"),
      "\" tenant: \"acme\" default_shop_id: \"temu-shop\" } }\n"
      "  amazon { enabled: true }\n"
      "}\n");
  return WriteFile(dir, "depositd.textproto", text);
}

absl::StatusOr<std::unique_ptr<DaemonHarness>> StartDaemon(
    const std::string& dir, const std::string& sync = "os") {
  DaemonHarness::Options o;
  o.test_clock_start = kStart;
  o.sync = sync;
  o.extra_args = {"--config", FeedsConfig(dir)};
  return DaemonHarness::Start(o);
}

HttpTestHeaders TikTokHeaders(const std::string& body,
                              const std::string& secret = "tt-secret") {
  return {{"Authorization", feeds::HmacSha256Hex(secret, "tt-app" + body)}};
}

// TikTok notification `id` for shop "tt-shop".
std::string TikTokBody(const std::string& id, int type,
                       const std::string& data) {
  return absl::StrCat(R"({"type":)", type, R"(,"tts_notification_id":")", id,
                      R"(","shop_id":"tt-shop","timestamp":)",
                      StartSeconds() - 60, R"(,"data":)", data, "}");
}

std::vector<std::string> TikTokSequence() {
  const int64_t day = 86400;
  const int64_t t0 = StartSeconds() - 4 * day;
  auto order = [&](const char* status, int64_t at) {
    return absl::StrCat(R"({"order_id":"576653688135258178","order_status":")",
                        status, R"(","update_time":)", at, "}");
  };
  return {
      TikTokBody("n-1", 1, order("AWAITING_SHIPMENT", t0)),
      TikTokBody("n-2", 1, order("IN_TRANSIT", t0 + day / 2)),
      TikTokBody("n-3", 1, order("DELIVERED", t0 + day)),
      TikTokBody(
          "n-4", 12,
          absl::StrCat(
              R"({"order_id":"576653688135258178","return_id":"r-1","return_type":"RETURN_AND_REFUND","return_status":"RETURN_OR_REFUND_REQUEST_PENDING","update_time":)",
              t0 + 2 * day, "}")),
      TikTokBody(
          "n-5", 12,
          absl::StrCat(
              R"({"order_id":"576653688135258178","return_id":"r-1","return_type":"RETURN_AND_REFUND","return_status":"RETURN_OR_REFUND_REQUEST_SUCCESS","update_time":)",
              t0 + 3 * day, "}")),
      TikTokBody("n-6", 6, "{}"),
  };
}

int64_t EventsApplied(DaemonHarness& d, const std::string& shop) {
  absl::StatusOr<v1::ReadinessReport> r = GetShop(d.channel(), "acme", shop);
  return r.ok() ? r->events_applied() : -1;
}

TEST(FeedsE2eTest, TikTokSequenceMovesTheShopLikeCanonicalEvents) {
  ScopedTempDir dir("feeds-e2e");
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      StartDaemon(dir.path());
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  DaemonHarness& d = **daemon;
  const std::string url = d.http_url() + "/hooks/tiktok";
  for (const std::string& body : TikTokSequence()) {
    HttpAnswer a = HttpPost(url, TikTokHeaders(body), body);
    EXPECT_EQ(a.status, 200) << a.body << d.LogTail();
    EXPECT_EQ(a.body, "");
  }
  // The same requests mapped in-process and sent as canonical events for a
  // twin shop, through EventIngest.
  feeds::TikTokFeed::Options options;
  options.apps.push_back({"tt-app", "tt-secret", "acme", "", ""});
  auto feed = feeds::TikTokFeed::Create(options);
  ASSERT_TRUE(feed.ok());
  std::vector<v1::Event> twin;
  for (const std::string& body : TikTokSequence()) {
    feeds::FeedRequest request;
    request.body = body;
    request.headers["authorization"] = TikTokHeaders(body)["Authorization"];
    absl::StatusOr<feeds::FeedDelivery> delivery =
        (*feed)->Receive(request, absl::FromUnixSeconds(StartSeconds()));
    ASSERT_TRUE(delivery.ok()) << delivery.status();
    for (v1::Event e : delivery->events) {
      e.set_shop_id("twin-shop");
      twin.push_back(e);
    }
  }
  ASSERT_EQ(twin.size(), 6u);
  absl::StatusOr<v1::IngestAck> ack = Publish(d.channel(), twin);
  ASSERT_TRUE(ack.ok()) << ack.status();
  EXPECT_EQ(ack->applied(), 6u);

  absl::StatusOr<v1::ReadinessReport> hooked =
      GetShop(d.channel(), "acme", "tt-shop");
  absl::StatusOr<v1::ReadinessReport> direct =
      GetShop(d.channel(), "acme", "twin-shop");
  ASSERT_TRUE(hooked.ok()) << hooked.status();
  ASSERT_TRUE(direct.ok()) << direct.status();
  EXPECT_EQ(hooked->events_applied(), 6);
  hooked->clear_shop_id();
  direct->clear_shop_id();
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(*hooked, *direct))
      << hooked->DebugString() << "\nvs\n"
      << direct->DebugString();

  // A retried delivery is answered the same and applies nothing.
  const std::string again = TikTokSequence()[2];
  HttpAnswer retry = HttpPost(url, TikTokHeaders(again), again);
  EXPECT_EQ(retry.status, 200);
  EXPECT_EQ(EventsApplied(d, "tt-shop"), 6);

  // Refusals write nothing.
  const std::string next = TikTokBody(
      "n-7", 1,
      R"({"order_id":"o-2","order_status":"AWAITING_SHIPMENT","update_time":1772500000})");
  EXPECT_EQ(HttpPost(url, TikTokHeaders(next, "wrong-secret"), next).status,
            401);
  EXPECT_EQ(HttpPost(url, TikTokHeaders(next), next.substr(0, next.size() - 5))
                .status,
            401);  // a truncated body no longer matches its signature
  EXPECT_EQ(HttpPost(url, {}, next).status, 401);
  EXPECT_EQ(EventsApplied(d, "tt-shop"), 6);

  const HttpAnswer metrics = HttpGet(d.http_url() + "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_THAT(
      metrics.body,
      HasSubstr(
          R"(depositd_feed_requests_received_total{platform="tiktok"} 10)"));
  EXPECT_THAT(
      metrics.body,
      HasSubstr(
          R"(depositd_feed_requests_rejected_total{platform="tiktok",reason="signature"} 3)"));
  EXPECT_THAT(
      metrics.body,
      HasSubstr(
          R"(depositd_feed_event_outcomes_total{outcome="duplicate",platform="tiktok"} 1)"));
  EXPECT_TRUE(d.Stop().ok()) << d.LogTail();
}

TEST(FeedsE2eTest, EachPlatformGetsItsOwnAnswer) {
  ScopedTempDir dir("feeds-e2e");
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      StartDaemon(dir.path());
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  DaemonHarness& d = **daemon;
  const int64_t now = StartSeconds();

  // Douyin: the verification push, then a batch (paid, after-sale opened).
  const std::string verify = R"([{"tag":"0","msg_id":"0","data":"{}"}])";
  HttpAnswer v =
      HttpPost(d.http_url() + "/hooks/douyin",
               {{"app-id", "7001"},
                {"event-sign", feeds::Md5Hex("7001" + verify + "dy-secret")}},
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
                {"event-sign", feeds::Md5Hex("7001" + batch + "dy-secret")}},
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
  HttpAnswer sp = HttpPost(
      d.http_url() + "/hooks/shopee",
      {{"Authorization",
        feeds::HmacSha256Hex("sp-key", absl::StrCat(kShopeeUrl, "|", push))}},
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
  temu.headers["x-tm-signature"] = feeds::HmacSha256Hex(
      "12345678abcdefgh", feeds::TemuSignatureBase(temu, plain, true));
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

// The TikTok sequence for shop `shop` (ids made unique per shop).
std::vector<std::string> TikTokSequenceFor(const std::string& shop) {
  std::vector<std::string> out;
  for (std::string body : TikTokSequence()) {
    body = absl::StrReplaceAll(
        body, {{R"("shop_id":"tt-shop")",
                absl::StrCat(R"("shop_id":")", shop, R"(")")},
               {R"("tts_notification_id":"n-)",
                absl::StrCat(R"("tts_notification_id":")", shop, "-")}});
    out.push_back(body);
  }
  return out;
}

TEST(FeedsE2eTest, OutOfOrderAndRepeatedDeliveriesEndTheSame) {
  ScopedTempDir dir("feeds-e2e");
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      StartDaemon(dir.path());
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  DaemonHarness& d = **daemon;
  const std::string url = d.http_url() + "/hooks/tiktok";
  for (const std::string& body : TikTokSequenceFor("in-order")) {
    ASSERT_EQ(HttpPost(url, TikTokHeaders(body), body).status, 200);
  }
  // Reversed, and each delivered twice (a platform retry).
  std::vector<std::string> reversed = TikTokSequenceFor("reversed");
  for (auto it = reversed.rbegin(); it != reversed.rend(); ++it) {
    ASSERT_EQ(HttpPost(url, TikTokHeaders(*it), *it).status, 200);
    ASSERT_EQ(HttpPost(url, TikTokHeaders(*it), *it).status, 200);
  }
  absl::StatusOr<v1::ReadinessReport> a =
      GetShop(d.channel(), "acme", "in-order");
  absl::StatusOr<v1::ReadinessReport> b =
      GetShop(d.channel(), "acme", "reversed");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(b->events_applied(), 6);
  a->clear_shop_id();
  b->clear_shop_id();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*a, *b))
      << a->DebugString() << "\nvs\n"
      << b->DebugString();
  EXPECT_TRUE(d.Stop().ok()) << d.LogTail();
}

// With a token file: platform hooks still need only their signatures;
// /hooks/amazon needs a token with role ingest, and its tenant.
TEST(FeedsE2eTest, AmazonBehindABearerToken) {
  ScopedTempDir dir("feeds-e2e");
  const auto line = [](const std::string& token, const std::string& rest) {
    return absl::StrCat("sha256:", feeds::Sha256Hex(token), " ", rest, "\n");
  };
  DaemonHarness::Options o;
  o.test_clock_start = kStart;
  o.extra_args = {"--config", FeedsConfig(dir.path())};
  o.token_file = WriteFile(
      dir.path(), "tokens",
      line("relay-token-0123456789", "tenant=acme roles=ingest name=relay") +
          line("reader-token-0123456789", "tenant=acme roles=read name=r") +
          line("ops-token-0123456789", "tenant=* roles=ingest,read name=ops"));
  o.client.token = "ops-token-0123456789";
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      DaemonHarness::Start(o);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  DaemonHarness& d = **daemon;
  const std::string notification =
      R"({"NotificationType":"ORDER_CHANGE","EventTime":"2026-03-04T10:00:00Z","Payload":{"OrderChangeNotification":{"SellerId":"SELLER-1","AmazonOrderId":"903-2","OrderChangeType":"OrderStatusChange","Summary":{"OrderStatus":"Canceled"}}},"NotificationMetadata":{"NotificationId":"amz-2"}})";
  const std::string url = d.http_url() + "/hooks/amazon";
  EXPECT_EQ(HttpPost(url, {}, notification).status, 401);
  EXPECT_EQ(
      HttpPost(url, {{"Authorization", "Bearer wrong"}}, notification).status,
      401);
  EXPECT_EQ(HttpPost(url, {{"Authorization", "Bearer reader-token-0123456789"}},
                     notification)
                .status,
            403);  // no role ingest
  // A token of every tenant must name one.
  EXPECT_EQ(HttpPost(url, {{"Authorization", "Bearer ops-token-0123456789"}},
                     notification)
                .status,
            400);
  absl::StatusOr<v1::ReadinessReport> none =
      GetShop(d.channel(), "acme", "SELLER-1");
  EXPECT_FALSE(none.ok());  // nothing was written
  HttpAnswer ok = HttpPost(
      url, {{"Authorization", "Bearer relay-token-0123456789"}}, notification);
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(EventsApplied(d, "SELLER-1"), 1);
  // The platforms' hooks are authenticated by their signatures only.
  const std::string body = TikTokSequence()[0];
  EXPECT_EQ(HttpPost(d.http_url() + "/hooks/tiktok", TikTokHeaders(body), body)
                .status,
            200);
  EXPECT_EQ(EventsApplied(d, "tt-shop"), 1);
  EXPECT_TRUE(d.Stop().ok()) << d.LogTail();
}

TEST(FeedsE2eTest, RetryAfterKillAppliesOnce) {
  ScopedTempDir dir("feeds-e2e");
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      StartDaemon(dir.path(), "fsync");
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  DaemonHarness& d = **daemon;
  const std::string body = TikTokSequence()[0];
  ASSERT_EQ(HttpPost(d.http_url() + "/hooks/tiktok", TikTokHeaders(body), body)
                .status,
            200);
  // The answer went out after durability; the process dies before the
  // platform records it, so the platform retries.
  ASSERT_TRUE(d.Kill().ok());
  ASSERT_TRUE(d.Restart().ok()) << d.LogTail();
  EXPECT_EQ(EventsApplied(d, "tt-shop"), 1);
  HttpAnswer retry =
      HttpPost(d.http_url() + "/hooks/tiktok", TikTokHeaders(body), body);
  EXPECT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(EventsApplied(d, "tt-shop"), 1);
  EXPECT_TRUE(d.Stop().ok()) << d.LogTail();
}

}  // namespace
}  // namespace depositd::integration
