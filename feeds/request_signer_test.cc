#include "feeds/request_signer.h"

#include <string>

#include "feeds/captured_request.h"
#include "feeds/tiktok_feed.h"
#include "gtest/gtest.h"

namespace depositd::feeds {
namespace {

TEST(RequestSignerTest, SetTopLevelNumberTouchesOnlyTheTopLevel) {
  struct Case {
    const char* in;
    const char* out;  // nullptr: unchanged, false
  };
  const Case cases[] = {
      {R"({"timestamp":1,"data":{}})", R"({"timestamp":42,"data":{}})"},
      {R"({"data":{"timestamp":1},"timestamp" : 7})",
       R"({"data":{"timestamp":1},"timestamp" : 42})"},
      {R"({"data":{"timestamp":1}})", nullptr},
      {R"({"a":"timestamp","b":"\"timestamp\":1"})", nullptr},
      {R"({"timestamp":"1"})", nullptr},
      {R"([{"timestamp":1}])", nullptr},
  };
  for (const Case& c : cases) {
    std::string json = c.in;
    EXPECT_EQ(SetTopLevelNumber("timestamp", 42, &json), c.out != nullptr)
        << c.in;
    EXPECT_EQ(json, c.out != nullptr ? c.out : c.in);
  }
}

TEST(RequestSignerTest, RefusesWhatItCannotSign) {
  FeedRequest r;
  r.body = "{}";
  const FeedApp app{"k", "0123456789abcdef", "t", "", ""};
  EXPECT_EQ(SignAsPlatform("ebay", app, absl::UnixEpoch(), &r).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      SignAsPlatform("tiktok", {"k", "", "t", "", ""}, absl::UnixEpoch(), &r)
          .code(),
      absl::StatusCode::kInvalidArgument);
  // Shopee signs the callback URL: it must be given.
  EXPECT_EQ(SignAsPlatform("shopee", app, absl::UnixEpoch(), &r).code(),
            absl::StatusCode::kInvalidArgument);
  // Temu: the event code is needed, and an envelope under another secret
  // does not decrypt.
  EXPECT_EQ(SignAsPlatform("temu", app, absl::UnixEpoch(), &r).code(),
            absl::StatusCode::kInvalidArgument);
  r.headers["x-tm-event-code"] = "bg_order_status_change_event";
  r.body = R"({"eventData":"sQmNTAKR2o4HrmCO3OchFgGyJU5Qta57+JQxxgVyVPU="})";
  const absl::Status other = SignAsPlatform("temu", app, absl::UnixEpoch(), &r);
  EXPECT_EQ(other.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(other.message().find("decrypted event as the body"),
            std::string::npos)
      << other;
  // Amazon signs nothing.
  FeedRequest amazon;
  amazon.body = "{}";
  EXPECT_TRUE(SignAsPlatform("amazon", {}, absl::UnixEpoch(), &amazon).ok());
  EXPECT_TRUE(amazon.headers.empty());
}

TEST(RequestSignerTest, ASignedTikTokRequestVerifiesAtItsNewTime) {
  absl::StatusOr<CapturedRequest> c = ParseCapturedRequest(
      "Authorization: stale\n\n"
      R"({"type":6,"tts_notification_id":"n","shop_id":"s","timestamp":1000,"data":{}})");
  ASSERT_TRUE(c.ok()) << c.status();
  const FeedApp app{"tt-app", "tt-secret", "acme", "", ""};
  const absl::Time at = absl::FromUnixSeconds(1772668740);
  ASSERT_TRUE(SignAsPlatform("tiktok", app, at, &c->request).ok());
  EXPECT_NE(c->request.body.find(R"("timestamp":1772668740)"),
            std::string::npos);
  auto feed = TikTokFeed::Create({{app}});
  ASSERT_TRUE(feed.ok());
  absl::StatusOr<FeedDelivery> d = (*feed)->Receive(c->request, at);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->events.size(), 1u);
}

TEST(CapturedRequestTest, ParsesCommentsRequestLineHeadersAndBody) {
  absl::StatusOr<CapturedRequest> c = ParseCapturedRequest(
      "# from the console\r\n#second\r\nPOST /hooks/amazon?tenant=acme "
      "HTTP/1.1\r\nX-Tm-Event-Code:  bg_x \r\nApp-Id: 1\r\nApp-Id: 2\r\n\r\n"
      "{\"a\":\n\n1}\r\n");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->comments,
            (std::vector<std::string>{"from the console", "second"}));
  EXPECT_EQ(c->path, "/hooks/amazon");
  EXPECT_EQ(c->request.query, "tenant=acme");
  EXPECT_EQ(c->request.Header("x-tm-event-code"), "bg_x");
  EXPECT_EQ(c->request.Header("app-id"), "1");
  EXPECT_EQ(c->request.body, "{\"a\":\n\n1}");
}

TEST(CapturedRequestTest, BodyAloneOrAfterAnEmptyLine) {
  absl::StatusOr<CapturedRequest> alone =
      ParseCapturedRequest("# c\n{\"x\":1}\n\n");
  ASSERT_TRUE(alone.ok());
  EXPECT_EQ(alone->request.body, "{\"x\":1}\n");
  EXPECT_TRUE(alone->request.headers.empty());
  absl::StatusOr<CapturedRequest> empty_headers = ParseCapturedRequest("\n[1]");
  ASSERT_TRUE(empty_headers.ok());
  EXPECT_EQ(empty_headers->request.body, "[1]");
  absl::StatusOr<CapturedRequest> no_body = ParseCapturedRequest("A: b\n");
  ASSERT_TRUE(no_body.ok());
  EXPECT_EQ(no_body->request.body, "");
}

TEST(CapturedRequestTest, RefusesLinesThatAreNotHeaders) {
  EXPECT_EQ(ParseCapturedRequest("# c\nnot a header\n\n{}").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseCapturedRequest(": empty name\n\n{}").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseCapturedRequest("POST hooks\n\n{}").status().code(),
            absl::StatusCode::kInvalidArgument);
  const absl::Status s = ParseCapturedRequest("A: b\nbroken\n\n{}").status();
  EXPECT_NE(s.message().find("line 2"), std::string::npos) << s;
}

}  // namespace
}  // namespace depositd::feeds
