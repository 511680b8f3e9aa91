#include "notifier/sink_response.h"

#include <string>

#include "gtest/gtest.h"

namespace depositd::notifier {
namespace {

struct Case {
  v1::SinkType type;
  int status;
  std::string body;
  SinkVerdict::Kind kind;
  bool throttled;
  std::string reason;
};

TEST(ClassifySinkResponseTest, EachPlatformsAnswer) {
  const Case cases[] = {
      // DingTalk: errcode decides, HTTP 200 or not.
      {v1::DINGTALK, 200, R"({"errcode":0,"errmsg":"ok"})",
       SinkVerdict::kDelivered, false, ""},
      {v1::DINGTALK, 200, R"({"errcode":130101,"errmsg":"send too fast"})",
       SinkVerdict::kRetry, true, "dingtalk errcode 130101"},
      {v1::DINGTALK, 200,
       R"({"errcode":310000,"errmsg":"keywords not in content"})",
       SinkVerdict::kRefused, false, "dingtalk errcode 310000"},
      {v1::DINGTALK, 200, R"({"errcode":460101,"errmsg":"message too long"})",
       SinkVerdict::kRefused, false, "dingtalk errcode 460101"},
      {v1::DINGTALK, 200, "ok", SinkVerdict::kRefused, false,
       "dingtalk answer is not JSON"},
      {v1::DINGTALK, 200, R"({"errmsg":"ok"})", SinkVerdict::kRefused, false,
       "dingtalk answer has no result code"},
      {v1::DINGTALK, 502, "", SinkVerdict::kRetry, false, "HTTP 502"},
      {v1::DINGTALK, 0, "connection refused", SinkVerdict::kRetry, false,
       "no answer"},
      // Feishu: code (or StatusCode for older robots).
      {v1::FEISHU, 200, R"({"code":0,"msg":"success","data":{}})",
       SinkVerdict::kDelivered, false, ""},
      {v1::FEISHU, 200, R"({"StatusCode":0,"StatusMessage":"success"})",
       SinkVerdict::kDelivered, false, ""},
      {v1::FEISHU, 200, R"({"code":11232,"msg":"frequency limited"})",
       SinkVerdict::kRetry, true, "feishu code 11232"},
      {v1::FEISHU, 400, R"({"code":9499,"msg":"too many request"})",
       SinkVerdict::kRetry, true, "feishu code 9499"},
      {v1::FEISHU, 200, R"({"code":19021,"msg":"sign match fail"})",
       SinkVerdict::kRefused, false, "feishu code 19021"},
      {v1::FEISHU, 400, R"({"code":19024,"msg":"Key Words Not Found"})",
       SinkVerdict::kRefused, false, "feishu code 19024"},
      {v1::FEISHU, 200, R"({"StatusCode":19021,"StatusMessage":"bad sign"})",
       SinkVerdict::kRefused, false, "feishu StatusCode 19021"},
      // WeCom: errcode.
      {v1::WECOM, 200, R"({"errcode":0,"errmsg":"ok"})",
       SinkVerdict::kDelivered, false, ""},
      {v1::WECOM, 200, R"({"errcode":45009,"errmsg":"api freq out of limit"})",
       SinkVerdict::kRetry, true, "wecom errcode 45009"},
      {v1::WECOM, 200, R"({"errcode":-1,"errmsg":"system busy"})",
       SinkVerdict::kRetry, false, "wecom errcode -1"},
      {v1::WECOM, 200,
       R"({"errcode":40058,"errmsg":"markdown.content exceed max length"})",
       SinkVerdict::kRefused, false, "wecom errcode 40058"},
      {v1::WECOM, 200, R"({"errcode":93000,"errmsg":"invalid webhook url"})",
       SinkVerdict::kRefused, false, "wecom errcode 93000"},
      // Slack: "ok".
      {v1::SLACK, 200, "ok", SinkVerdict::kDelivered, false, ""},
      {v1::SLACK, 200, "", SinkVerdict::kDelivered, false, ""},
      {v1::SLACK, 200, "invalid_token", SinkVerdict::kRefused, false,
       "slack answer is not \"ok\""},
      {v1::SLACK, 429, "rate_limited", SinkVerdict::kRetry, true, "HTTP 429"},
      {v1::SLACK, 404, "no_service", SinkVerdict::kRefused, false, "HTTP 404"},
      {v1::SLACK, 410, "channel_is_archived", SinkVerdict::kRefused, false,
       "HTTP 410"},
      // Webhook and Alertmanager: HTTP status only.
      {v1::WEBHOOK, 204, "", SinkVerdict::kDelivered, false, ""},
      {v1::WEBHOOK, 200, R"({"errcode":5})", SinkVerdict::kDelivered, false,
       ""},
      {v1::WEBHOOK, 408, "", SinkVerdict::kRetry, false, "HTTP 408"},
      {v1::WEBHOOK, 503, "", SinkVerdict::kRetry, true, "HTTP 503"},
      {v1::WEBHOOK, 400, "bad", SinkVerdict::kRefused, false, "HTTP 400"},
      {v1::ALERTMANAGER, 200, "", SinkVerdict::kDelivered, false, ""},
      {v1::ALERTMANAGER, 400, "bad alert", SinkVerdict::kRefused, false,
       "HTTP 400"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message() << v1::SinkType_Name(c.type) << " "
                                    << c.status << " " << c.body);
    const SinkVerdict v = ClassifySinkResponse(c.type, c.status, c.body);
    EXPECT_EQ(v.kind, c.kind);
    EXPECT_EQ(v.throttled, c.throttled);
    EXPECT_EQ(v.reason, c.reason);
  }
}

TEST(ClassifySinkResponseTest, DetailIsThePlatformsWordsShortAndOneLine) {
  const SinkVerdict v = ClassifySinkResponse(
      v1::DINGTALK, 200,
      R"({"errcode":310000,"errmsg":"sign not match,\nmore"})");
  EXPECT_EQ(v.detail, "sign not match, more");
  const SinkVerdict long_body =
      ClassifySinkResponse(v1::WEBHOOK, 400, std::string(1000, 'x'));
  EXPECT_EQ(long_body.detail.size(), 200u);
}

}  // namespace
}  // namespace depositd::notifier
