#include "notifier/payload.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/timestamps.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "notifier/message.h"

namespace depositd::notifier {
namespace {

using ::google::protobuf::ListValue;
using ::google::protobuf::Struct;
using ::google::protobuf::Value;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// 2024-03-01 08:00:00.123 UTC.
const absl::Time kNow = absl::FromCivil(absl::CivilSecond(2024, 3, 1, 8, 0, 0),
                                        absl::UTCTimeZone()) +
                        absl::Milliseconds(123);
constexpr int64_t kNowSeconds = 1709280000;

Struct ParseObject(const std::string& json) {
  Struct s;
  const auto status = google::protobuf::util::JsonStringToMessage(json, &s);
  EXPECT_TRUE(status.ok()) << status << "\n" << json;
  return s;
}

ListValue ParseArray(const std::string& json) {
  ListValue l;
  const auto status = google::protobuf::util::JsonStringToMessage(json, &l);
  EXPECT_TRUE(status.ok()) << status << "\n" << json;
  return l;
}

std::string Field(const Struct& s, const std::string& key) {
  auto it = s.fields().find(key);
  if (it == s.fields().end()) return "<missing>";
  return it->second.string_value();
}

const Struct& Obj(const Struct& s, const std::string& key) {
  static const Struct kEmpty;
  auto it = s.fields().find(key);
  return it == s.fields().end() ? kEmpty : it->second.struct_value();
}

std::string Header(const HttpRequest& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "<missing>";
}

v1::Alert SampleAlert() {
  v1::Alert a;
  a.set_sequence(77);
  a.mutable_key()->set_tenant("acme");
  a.mutable_key()->set_shop_id("shop-1");
  a.mutable_key()->set_kind(v1::DISPUTE_RESPONSE_DUE);
  a.mutable_key()->set_subject("D-7");
  a.set_state(v1::FIRING);
  a.set_change(v1::ESCALATED);
  a.set_severity(v1::CRITICAL);
  a.set_stage("6h");
  a.set_summary("dispute D-7 \"quoted\" <b> & \\ \t must be answered");
  a.set_action("Respond now.");
  common::ToTimestamp(kNow + absl::Hours(5), a.mutable_due_at());
  a.mutable_amount_at_risk()->set_minor_units(1999);
  a.mutable_amount_at_risk()->set_currency("USD");
  (*a.mutable_evidence())["dispute_id"] = "D-7";
  (*a.mutable_evidence())["dispute_kind"] = "NOT_RECEIVED";
  (*a.mutable_evidence())["order_id"] = "订单\x01-9";
  common::ToTimestamp(kNow - absl::Hours(19), a.mutable_starts_at());
  common::ToTimestamp(kNow - absl::Seconds(1), a.mutable_at());
  return a;
}

v1::Sink MakeSink(v1::SinkType type, const std::string& url,
                  const std::string& secret = "") {
  v1::Sink s;
  s.set_name("s");
  s.set_type(type);
  s.set_url(url);
  s.set_secret(secret);
  return s;
}

// --- primitives

TEST(CryptoTest, HmacSha256Rfc4231Case2) {
  EXPECT_EQ(absl::BytesToHexString(
                HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(CryptoTest, HmacSha256Rfc4231Case1) {
  EXPECT_EQ(
      absl::BytesToHexString(HmacSha256(std::string(20, '\x0b'), "Hi There")),
      "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

// Base64, hex and percent-encoding (with the vectors this file held for
// them) are tested in common/encodings_test.cc.

TEST(AlertKeyStringTest, Format) {
  EXPECT_EQ(AlertKeyString(SampleAlert().key()),
            "acme/shop-1/DISPUTE_RESPONSE_DUE/D-7");
  v1::AlertKey k;
  k.set_tenant("acme");
  k.set_kind(v1::FEED_SILENT);
  // No trailing '/' for an empty subject (issue 13 point 6).
  EXPECT_EQ(AlertKeyString(k), "acme//FEED_SILENT");
  k.set_shop_id("s1");
  k.set_kind(v1::ACCOUNT_MISMATCH);
  EXPECT_EQ(AlertKeyString(k), "acme/s1/ACCOUNT_MISMATCH");
}

// What JsonQuoteTest checked of the hand-written quoting, now of the body
// protobuf's printer writes: the same escapes, UTF-8 passed through, bytes
// that are not UTF-8 replaced (by U+FFFD itself now, not a \ufffd escape:
// the same text once parsed), control characters round-trip.
std::string WebhookBodyWith(const std::string& acknowledged_by) {
  v1::Alert alert = SampleAlert();
  alert.set_acknowledged_by(acknowledged_by);
  absl::StatusOr<HttpRequest> req = BuildSinkRequest(
      MakeSink(v1::WEBHOOK, "https://x.example/h"), alert, "en", kNow);
  EXPECT_TRUE(req.ok()) << req.status();
  return req.ok() ? req->body : "";
}

TEST(SinkBodyTextTest, EscapesAndStaysValid) {
  EXPECT_THAT(WebhookBodyWith("a\"b\\c\n\t\x01"),
              HasSubstr("\"acknowledged_by\":\"a\\\"b\\\\c\\n\\t\\u0001\""));
  EXPECT_THAT(WebhookBodyWith("店铺 ✓ 😀"),
              HasSubstr("\"acknowledged_by\":\"店铺 ✓ 😀\""));
  // Invalid UTF-8 (lone continuation byte, truncated sequence) is replaced.
  EXPECT_EQ(
      Field(ParseObject(WebhookBodyWith("a\x80z\xe5\xba")), "acknowledged_by"),
      "a\uFFFDz\uFFFD\uFFFD");
  EXPECT_EQ(
      Field(ParseObject(WebhookBodyWith(std::string("x\x00\x1f\x7f\"\\", 6))),
            "acknowledged_by"),
      std::string("x\x00\x1f\x7f\"\\", 6));
}

TEST(TruncateUtf8Test, CutsOnCharacterBoundary) {
  EXPECT_EQ(TruncateUtf8("short", 10), "short");
  EXPECT_EQ(TruncateUtf8("abcdefghij", 10), "abcdefghij");
  EXPECT_EQ(TruncateUtf8("abcdefghijk", 10), "abcdefg…");
  // "店" is 3 bytes: 4 of them are 12 bytes; 10 bytes leave 7 for text, which
  // holds 2 whole characters.
  EXPECT_EQ(TruncateUtf8("店店店店", 10), "店店…");
  EXPECT_EQ(TruncateUtf8("a店店店店", 10), "a店店…");
  EXPECT_EQ(TruncateUtf8("ab店店店店", 10), "ab店…");
}

// --- every body, byte for byte

// The body of each sink type for fixed alerts, as in
// notifier/testdata/sink_bodies/<name>.json (one line, then a newline).
// Receivers verify X-Depositd-Signature over these bytes, and robots and
// Alertmanager parse them: a change here is a change of the format, to be
// made deliberately (and, for the webhook, written in the README).
std::string Golden(const std::string& name) {
  const std::string path =
      absl::StrCat(DEPOSITD_PAYLOAD_TESTDATA, "/sink_bodies/", name, ".json");
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::stringstream text;
  text << in.rdbuf();
  std::string out = text.str();
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

TEST(SinkBodyBytesTest, EveryBodyAsPinned) {
  v1::Alert with_bad_byte = SampleAlert();
  (*with_bad_byte.mutable_evidence())["bad_utf8"] = "x\x80y";
  v1::Alert resolved = SampleAlert();
  resolved.set_state(v1::RESOLVED);
  resolved.set_change(v1::CLEARED);
  resolved.set_acknowledged(true);
  resolved.set_acknowledged_by("alice");
  resolved.clear_amount_at_risk();
  resolved.clear_evidence();
  resolved.set_stage("");
  resolved.set_summary("");
  resolved.set_action("");
  resolved.clear_due_at();
  common::ToTimestamp(kNow, resolved.mutable_ends_at());
  v1::Alert bare;  // every field at its default but the key
  bare.mutable_key()->set_tenant("acme");
  bare.mutable_key()->set_kind(v1::FEED_SILENT);
  v1::Alert tenant_wide;
  tenant_wide.set_sequence(5);
  tenant_wide.mutable_key()->set_tenant("acme");
  tenant_wide.mutable_key()->set_kind(v1::FEED_SILENT);
  tenant_wide.set_state(v1::FIRING);
  tenant_wide.set_change(v1::OPENED);
  tenant_wide.set_severity(v1::WARNING);
  common::ToTimestamp(kNow, tenant_wide.mutable_starts_at());
  common::ToTimestamp(kNow, tenant_wide.mutable_at());

  const struct {
    std::string name;
    absl::StatusOr<HttpRequest> request;
  } cases[] = {
      {"webhook",
       BuildSinkRequest(MakeSink(v1::WEBHOOK, "https://w.example/h", "s3cret"),
                        with_bad_byte, "en", kNow)},
      {"webhook_resolved",
       BuildSinkRequest(MakeSink(v1::WEBHOOK, "https://w.example/h"), resolved,
                        "en", kNow)},
      {"webhook_empty",
       BuildSinkRequest(MakeSink(v1::WEBHOOK, "https://w.example/h"), bare,
                        "en", kNow)},
      {"slack", BuildSinkRequest(MakeSink(v1::SLACK, "https://s.example/h"),
                                 SampleAlert(), "en", kNow)},
      {"dingtalk",
       BuildSinkRequest(MakeSink(v1::DINGTALK, "https://d.example/h", "k"),
                        SampleAlert(), "zh-CN", kNow)},
      {"feishu",
       BuildSinkRequest(MakeSink(v1::FEISHU, "https://f.example/h", "k"),
                        SampleAlert(), "zh-CN", kNow)},
      {"feishu_plain",
       BuildSinkRequest(MakeSink(v1::FEISHU, "https://f.example/h"),
                        SampleAlert(), "en", kNow)},
      {"wecom", BuildSinkRequest(MakeSink(v1::WECOM, "https://q.example/h"),
                                 SampleAlert(), "zh-CN", kNow)},
      {"am", BuildAlertmanagerRequest(
                 MakeSink(v1::ALERTMANAGER, "http://am.example/"),
                 {tenant_wide, SampleAlert()}, "en", kNow, absl::Minutes(30))},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    ASSERT_TRUE(c.request.ok()) << c.request.status();
    EXPECT_EQ(c.request->body, Golden(c.name));
  }
}

// --- WEBHOOK

TEST(WebhookTest, BodyHeadersAndSignature) {
  const v1::Alert alert = SampleAlert();
  const v1::Sink sink =
      MakeSink(v1::WEBHOOK, "https://hooks.example/depositd", "s3cret");
  absl::StatusOr<HttpRequest> req = BuildSinkRequest(sink, alert, "en", kNow);
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->url, "https://hooks.example/depositd");
  EXPECT_EQ(Header(*req, "Content-Type"), "application/json");
  EXPECT_EQ(Header(*req, "X-Depositd-Alert-Key"),
            "acme/shop-1/DISPUTE_RESPONSE_DUE/D-7");
  EXPECT_EQ(Header(*req, "X-Depositd-Sequence"), "77");
  EXPECT_EQ(Header(*req, "X-Depositd-Timestamp"), absl::StrCat(kNowSeconds));
  // The receiver's recipe, with OpenSSL directly.
  const std::string signed_data = absl::StrCat(kNowSeconds, ".", req->body);
  unsigned char mac[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), "s3cret", 6,
       reinterpret_cast<const unsigned char*>(signed_data.data()),
       signed_data.size(), mac, &len);
  ASSERT_EQ(len, 32u);
  EXPECT_EQ(Header(*req, "X-Depositd-Signature"),
            "sha256=" + absl::BytesToHexString(
                            std::string(reinterpret_cast<char*>(mac), 32)));

  const Struct body = ParseObject(req->body);
  EXPECT_EQ(body.fields().at("version").number_value(), 1);
  EXPECT_EQ(Field(body, "sequence"), "77");
  EXPECT_EQ(Field(Obj(body, "key"), "tenant"), "acme");
  EXPECT_EQ(Field(Obj(body, "key"), "shop_id"), "shop-1");
  EXPECT_EQ(Field(Obj(body, "key"), "kind"), "DISPUTE_RESPONSE_DUE");
  EXPECT_EQ(Field(Obj(body, "key"), "subject"), "D-7");
  EXPECT_EQ(Field(body, "state"), "FIRING");
  EXPECT_EQ(Field(body, "change"), "ESCALATED");
  EXPECT_EQ(Field(body, "severity"), "CRITICAL");
  EXPECT_EQ(Field(body, "stage"), "6h");
  const AlertMessage msg = RenderAlert(alert, "en");
  EXPECT_EQ(Field(body, "title"), msg.title);
  EXPECT_EQ(Field(body, "text"), msg.text);
  EXPECT_EQ(Field(body, "summary"), alert.summary());
  EXPECT_EQ(Field(body, "action"), "Respond now.");
  EXPECT_EQ(Field(body, "due_at"), "2024-03-01T13:00:00.123Z");
  EXPECT_EQ(Field(Obj(body, "amount_at_risk"), "currency"), "USD");
  EXPECT_EQ(Field(Obj(body, "amount_at_risk"), "minor_units"), "1999");
  EXPECT_EQ(Field(Obj(body, "amount_at_risk"), "formatted"), "USD 19.99");
  EXPECT_EQ(Field(Obj(body, "evidence"), "order_id"), "订单\x01-9");
  EXPECT_EQ(Field(body, "starts_at"), "2024-02-29T13:00:00.123Z");
  EXPECT_EQ(Field(body, "at"), "2024-03-01T07:59:59.123Z");
  EXPECT_FALSE(body.fields().contains("ends_at"));
  EXPECT_FALSE(body.fields().contains("acknowledged_by"));
  EXPECT_FALSE(body.fields().at("repeat").bool_value());
  EXPECT_FALSE(body.fields().at("acknowledged").bool_value());
}

TEST(WebhookTest, NoSecretNoSignatureAndResolvedFields) {
  v1::Alert alert = SampleAlert();
  alert.set_state(v1::RESOLVED);
  alert.set_change(v1::CLEARED);
  alert.set_acknowledged(true);
  alert.set_acknowledged_by("alice");
  alert.clear_amount_at_risk();
  alert.clear_evidence();
  common::ToTimestamp(kNow, alert.mutable_ends_at());
  absl::StatusOr<HttpRequest> req = BuildSinkRequest(
      MakeSink(v1::WEBHOOK, "http://127.0.0.1:1/x"), alert, "zh-CN", kNow);
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(Header(*req, "X-Depositd-Signature"), "<missing>");
  const Struct body = ParseObject(req->body);
  EXPECT_EQ(Field(body, "state"), "RESOLVED");
  EXPECT_EQ(Field(body, "change"), "CLEARED");
  EXPECT_EQ(Field(body, "ends_at"), "2024-03-01T08:00:00.123Z");
  EXPECT_EQ(Field(body, "acknowledged_by"), "alice");
  EXPECT_TRUE(body.fields().at("acknowledged").bool_value());
  EXPECT_FALSE(body.fields().contains("amount_at_risk"));
  EXPECT_FALSE(body.fields().contains("evidence"));
  EXPECT_THAT(Field(body, "title"), HasSubstr("已恢复"));
}

TEST(WebhookTest, HeaderValuesCannotInjectLines) {
  v1::Alert alert = SampleAlert();
  alert.mutable_key()->set_subject("D-7\r\nX-Evil: 1");
  absl::StatusOr<HttpRequest> req = BuildSinkRequest(
      MakeSink(v1::WEBHOOK, "http://127.0.0.1:1/x"), alert, "en", kNow);
  ASSERT_TRUE(req.ok());
  for (const auto& [k, v] : req->headers) {
    EXPECT_EQ(v.find_first_of("\r\n"), std::string::npos) << k;
  }
}

// --- SLACK

TEST(SlackTest, TextIsEscapedMrkdwn) {
  v1::Alert alert = SampleAlert();
  alert.mutable_key()->set_shop_id("s<1>&2");
  absl::StatusOr<HttpRequest> req = BuildSinkRequest(
      MakeSink(v1::SLACK, "https://hooks.slack.example/services/T/B/X"), alert,
      "en", kNow);
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->url, "https://hooks.slack.example/services/T/B/X");
  EXPECT_EQ(Header(*req, "Content-Type"), "application/json");
  const Struct body = ParseObject(req->body);
  ASSERT_EQ(body.fields().size(), 1u);
  const std::string text = Field(body, "text");
  EXPECT_THAT(text, StartsWith("*[CRITICAL] ESCALATED: "));
  EXPECT_THAT(text, HasSubstr("acme/s&lt;1&gt;&amp;2"));
  EXPECT_EQ(text.find('<'), std::string::npos);
  EXPECT_EQ(text.find('>'), std::string::npos);
  EXPECT_THAT(text, HasSubstr("USD 19.99"));
}

// --- DINGTALK

std::string IndependentDingTalkSign(const std::string& secret, int64_t ms) {
  const std::string data = absl::StrCat(ms, "\n", secret);
  unsigned char mac[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), secret.size(),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac,
       &len);
  unsigned char b64[64] = {0};
  const int n = EVP_EncodeBlock(b64, mac, len);
  std::string sign(reinterpret_cast<char*>(b64), n);
  return absl::StrReplaceAll(sign, {{"+", "%2B"}, {"/", "%2F"}, {"=", "%3D"}});
}

TEST(DingTalkTest, MarkdownBodyAndSignedUrl) {
  const std::string secret = "SECabc123";
  const int64_t ms = kNowSeconds * 1000 + 123;
  absl::StatusOr<HttpRequest> req = BuildSinkRequest(
      MakeSink(v1::DINGTALK,
               "https://oapi.dingtalk.example/robot/send?access_token=T",
               secret),
      SampleAlert(), "zh-CN", kNow);
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(
      req->url,
      absl::StrCat("https://oapi.dingtalk.example/robot/send?access_token=T"
                   "&timestamp=",
                   ms, "&sign=", IndependentDingTalkSign(secret, ms)));
  const Struct body = ParseObject(req->body);
  EXPECT_EQ(Field(body, "msgtype"), "markdown");
  const AlertMessage msg = RenderAlert(SampleAlert(), "zh-CN");
  EXPECT_EQ(Field(Obj(body, "markdown"), "title"), msg.title);
  EXPECT_EQ(Field(Obj(body, "markdown"), "text"), msg.markdown);
  EXPECT_THAT(msg.markdown, HasSubstr("纠纷 D-7"));
}

TEST(DingTalkTest, QuerySeparator) {
  const int64_t ms = kNowSeconds * 1000 + 123;
  const std::string sign = IndependentDingTalkSign("k", ms);
  struct Case {
    std::string url, want_prefix;
  };
  for (const Case& c : std::vector<Case>{
           {"https://d.example/robot/send", "https://d.example/robot/send?"},
           {"https://d.example/robot/send?", "https://d.example/robot/send?"},
           {"https://d.example/send?a=1&", "https://d.example/send?a=1&"},
       }) {
    absl::StatusOr<HttpRequest> req = BuildSinkRequest(
        MakeSink(v1::DINGTALK, c.url, "k"), SampleAlert(), "en", kNow);
    ASSERT_TRUE(req.ok());
    EXPECT_EQ(req->url,
              absl::StrCat(c.want_prefix, "timestamp=", ms, "&sign=", sign));
  }
  // No secret: the URL as configured.
  absl::StatusOr<HttpRequest> plain = BuildSinkRequest(
      MakeSink(v1::DINGTALK, "https://d.example/robot/send?access_token=T"),
      SampleAlert(), "en", kNow);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->url, "https://d.example/robot/send?access_token=T");
}

// --- FEISHU

TEST(FeishuTest, SignedTextBody) {
  const std::string secret = "feishu-secret";
  absl::StatusOr<HttpRequest> req = BuildSinkRequest(
      MakeSink(v1::FEISHU,
               "https://open.feishu.example/open-apis/bot/v2/hook/x", secret),
      SampleAlert(), "zh-CN", kNow);
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->url, "https://open.feishu.example/open-apis/bot/v2/hook/x");
  const Struct body = ParseObject(req->body);
  EXPECT_EQ(Field(body, "msg_type"), "text");
  EXPECT_EQ(Field(Obj(body, "content"), "text"),
            RenderAlert(SampleAlert(), "zh-CN").text);
  EXPECT_EQ(Field(body, "timestamp"), absl::StrCat(kNowSeconds));
  // Independent: key = timestamp + "\n" + secret, empty message.
  const std::string key = absl::StrCat(kNowSeconds, "\n", secret);
  unsigned char mac[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), key.size(),
       reinterpret_cast<const unsigned char*>(""), 0, mac, &len);
  unsigned char b64[64] = {0};
  const int n = EVP_EncodeBlock(b64, mac, len);
  EXPECT_EQ(Field(body, "sign"), std::string(reinterpret_cast<char*>(b64), n));
}

TEST(FeishuTest, NoSecretNoSign) {
  absl::StatusOr<HttpRequest> req =
      BuildSinkRequest(MakeSink(v1::FEISHU, "https://f.example/hook"),
                       SampleAlert(), "en", kNow);
  ASSERT_TRUE(req.ok());
  const Struct body = ParseObject(req->body);
  EXPECT_FALSE(body.fields().contains("sign"));
  EXPECT_FALSE(body.fields().contains("timestamp"));
}

TEST(FeishuTest, LongTextKeepsBodyUnder20KB) {
  // CLOSURE_BLOCKED without evidence: the summary is the risk sentence.
  v1::Alert alert = SampleAlert();
  alert.mutable_key()->set_kind(v1::CLOSURE_BLOCKED);
  alert.clear_evidence();
  std::string lines;
  for (int i = 0; i < 5000; ++i) absl::StrAppend(&lines, "行\n");
  alert.set_summary(lines);
  absl::StatusOr<HttpRequest> req =
      BuildSinkRequest(MakeSink(v1::FEISHU, "https://f.example/hook", "k"),
                       alert, "zh-CN", kNow);
  ASSERT_TRUE(req.ok());
  EXPECT_LE(req->body.size(), 20000u);
  const Struct body = ParseObject(req->body);
  // Cut with "…", then where to read the rest.
  EXPECT_THAT(
      Field(Obj(body, "content"), "text"),
      testing::EndsWith("…\n\n完整告警：depositctl alerts list --tenant acme"));
}

// --- WECOM

TEST(WeComTest, MarkdownBody) {
  absl::StatusOr<HttpRequest> req = BuildSinkRequest(
      MakeSink(v1::WECOM, "https://qyapi.example/cgi-bin/webhook/send?key=K"),
      SampleAlert(), "zh-CN", kNow);
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->url, "https://qyapi.example/cgi-bin/webhook/send?key=K");
  const Struct body = ParseObject(req->body);
  EXPECT_EQ(Field(body, "msgtype"), "markdown");
  EXPECT_EQ(Field(Obj(body, "markdown"), "content"),
            RenderAlert(SampleAlert(), "zh-CN").markdown);
}

TEST(WeComTest, ContentTruncatedTo4096BytesOnUtf8Boundary) {
  // CLOSURE_BLOCKED without evidence: the summary is the risk sentence.
  v1::Alert alert = SampleAlert();
  alert.mutable_key()->set_kind(v1::CLOSURE_BLOCKED);
  alert.clear_evidence();
  std::string longtext;
  for (int i = 0; i < 3000; ++i) longtext += "店";  // 9000 bytes
  alert.set_summary(longtext);
  absl::StatusOr<HttpRequest> req =
      BuildSinkRequest(MakeSink(v1::WECOM, "https://qyapi.example/send?key=K"),
                       alert, "zh-CN", kNow);
  ASSERT_TRUE(req.ok());
  const Struct body = ParseObject(req->body);
  const std::string content = Field(Obj(body, "markdown"), "content");
  EXPECT_LE(content.size(), kWeComMarkdownMaxBytes);
  EXPECT_GT(content.size(), kWeComMarkdownMaxBytes - 6);
  // Cut with "…", then where to read the rest.
  EXPECT_THAT(content,
              testing::EndsWith(
                  "店…\n\n完整告警：depositctl alerts list --tenant acme"));
  // The parse back succeeded, so the cut left valid UTF-8 (protobuf's JSON
  // parser rejects invalid UTF-8 in strings).
}

// --- errors

TEST(BuildSinkRequestTest, RejectsAlertmanagerAndUnspecified) {
  for (v1::SinkType t : {v1::ALERTMANAGER, v1::SINK_TYPE_UNSPECIFIED}) {
    absl::StatusOr<HttpRequest> req = BuildSinkRequest(
        MakeSink(t, "http://127.0.0.1:9093"), SampleAlert(), "en", kNow);
    EXPECT_EQ(req.status().code(), absl::StatusCode::kInvalidArgument) << t;
  }
}

// --- ALERTMANAGER

Struct EntryWithSeverity(const ListValue& list, const std::string& severity) {
  for (const Value& v : list.values()) {
    const Struct& labels = Obj(v.struct_value(), "labels");
    if (Field(labels, "severity") == severity) return v.struct_value();
  }
  ADD_FAILURE() << "no entry with severity " << severity;
  return Struct();
}

TEST(AlertmanagerTest, FiringEntryFields) {
  const v1::Sink sink = MakeSink(v1::ALERTMANAGER, "http://127.0.0.1:9093/");
  const v1::Alert alert = SampleAlert();
  absl::StatusOr<HttpRequest> req =
      BuildAlertmanagerRequest(sink, {alert}, "en", kNow, absl::Minutes(30));
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->url, "http://127.0.0.1:9093/api/v2/alerts");
  EXPECT_EQ(Header(*req, "Content-Type"), "application/json");
  const ListValue list = ParseArray(req->body);
  // An escalation: the alert, plus the same labels at the two other
  // severities, resolved.
  ASSERT_EQ(list.values_size(), 3);
  const Struct e = EntryWithSeverity(list, "critical");
  const Struct& labels = Obj(e, "labels");
  EXPECT_EQ(labels.fields().size(), 7u);
  EXPECT_EQ(Field(labels, "alertname"), "DISPUTE_RESPONSE_DUE");
  EXPECT_EQ(Field(labels, "tenant"), "acme");
  EXPECT_EQ(Field(labels, "shop_id"), "shop-1");
  EXPECT_EQ(Field(labels, "kind"), "DISPUTE_RESPONSE_DUE");
  EXPECT_EQ(Field(labels, "subject"), "D-7");
  EXPECT_EQ(Field(labels, "source"), "depositd");
  const Struct& ann = Obj(e, "annotations");
  const AlertMessage msg = RenderAlert(alert, "en");
  EXPECT_EQ(Field(ann, "summary"), msg.title);
  EXPECT_EQ(Field(ann, "description"), msg.text);
  EXPECT_EQ(Field(ann, "action"), msg.action);
  EXPECT_THAT(msg.action, HasSubstr("Upload proof of delivery"));
  EXPECT_EQ(Field(ann, "due_at"), "2024-03-01T13:00:00.123Z");
  EXPECT_EQ(Field(ann, "amount_at_risk"), "USD 19.99");
  EXPECT_EQ(Field(ann, "stage"), "6h");
  EXPECT_EQ(Field(ann, "sequence"), "77");
  EXPECT_EQ(Field(e, "startsAt"), "2024-02-29T13:00:00.123Z");
  EXPECT_EQ(Field(e, "endsAt"), "2024-03-01T08:30:00.123Z");
  for (const std::string other : {"info", "warning"}) {
    const Struct o = EntryWithSeverity(list, other);
    EXPECT_EQ(Field(o, "endsAt"), "2024-03-01T08:00:00.123Z") << other;
    Struct same = Obj(o, "labels");
    (*same.mutable_fields())["severity"].set_string_value("critical");
    EXPECT_EQ(same.DebugString(), labels.DebugString());
  }
}

TEST(AlertmanagerTest, LabelsStableAcrossTransitionsOfOneKey) {
  const v1::Sink sink = MakeSink(v1::ALERTMANAGER, "http://am.example");
  v1::Alert firing = SampleAlert();
  firing.set_change(v1::OPENED);
  v1::Alert repeated = firing;
  repeated.set_change(v1::REPEATED);
  repeated.set_repeat(true);
  repeated.set_sequence(90);
  repeated.set_summary("other words");
  v1::Alert acked = firing;
  acked.set_change(v1::ACKNOWLEDGED);
  acked.set_acknowledged_by("bob");
  v1::Alert resolved = firing;
  resolved.set_state(v1::RESOLVED);
  resolved.set_change(v1::CLEARED);
  resolved.set_stage("");
  resolved.clear_amount_at_risk();
  common::ToTimestamp(kNow - absl::Minutes(5), resolved.mutable_ends_at());

  std::string want_labels;
  for (const v1::Alert& a : {firing, repeated, acked, resolved}) {
    absl::StatusOr<HttpRequest> req =
        BuildAlertmanagerRequest(sink, {a}, "zh-CN", kNow, absl::Hours(1));
    ASSERT_TRUE(req.ok()) << req.status();
    EXPECT_EQ(req->url, "http://am.example/api/v2/alerts");
    const Struct e = EntryWithSeverity(ParseArray(req->body), "critical");
    const std::string labels = Obj(e, "labels").DebugString();
    if (want_labels.empty()) want_labels = labels;
    EXPECT_EQ(labels, want_labels) << v1::AlertChange_Name(a.change());
    EXPECT_EQ(Field(e, "startsAt"), "2024-02-29T13:00:00.123Z");
  }
  // Only escalations carry the other severities; the rest is one entry.
  for (const v1::Alert& a : {firing, repeated, acked, resolved}) {
    absl::StatusOr<HttpRequest> req =
        BuildAlertmanagerRequest(sink, {a}, "en", kNow, absl::Hours(1));
    ASSERT_TRUE(req.ok());
    const ListValue list = ParseArray(req->body);
    ASSERT_EQ(list.values_size(), 1) << v1::AlertChange_Name(a.change());
    const Struct& e = list.values(0).struct_value();
    EXPECT_EQ(Field(e, "endsAt"), a.state() == v1::RESOLVED
                                      ? "2024-03-01T07:55:00.123Z"
                                      : "2024-03-01T09:00:00.123Z");
    EXPECT_EQ(Field(Obj(e, "annotations"), "sequence"),
              absl::StrCat(a.sequence()));
  }
}

TEST(AlertmanagerTest, TenantWideAlertOmitsEmptyLabels) {
  v1::Alert a;
  a.set_sequence(5);
  a.mutable_key()->set_tenant("acme");
  a.mutable_key()->set_kind(v1::FEED_SILENT);
  a.set_state(v1::FIRING);
  a.set_change(v1::OPENED);
  a.set_severity(v1::WARNING);
  common::ToTimestamp(kNow, a.mutable_starts_at());
  common::ToTimestamp(kNow, a.mutable_at());
  absl::StatusOr<HttpRequest> req = BuildAlertmanagerRequest(
      MakeSink(v1::ALERTMANAGER, "https://am.example:9093//"),
      {a, SampleAlert()}, "en", kNow, absl::Minutes(10));
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->url, "https://am.example:9093/api/v2/alerts");
  const ListValue list = ParseArray(req->body);
  ASSERT_EQ(list.values_size(), 4);  // 1 + an escalation's 3
  const Struct& labels = Obj(list.values(0).struct_value(), "labels");
  EXPECT_EQ(Field(labels, "severity"), "warning");
  EXPECT_FALSE(labels.fields().contains("shop_id"));
  EXPECT_FALSE(labels.fields().contains("subject"));
  const Struct& ann = Obj(list.values(0).struct_value(), "annotations");
  EXPECT_FALSE(ann.fields().contains("due_at"));
  EXPECT_FALSE(ann.fields().contains("amount_at_risk"));
}

TEST(AlertmanagerTest, StartsAtNeverAfterEndsAt) {
  v1::Alert a = SampleAlert();  // starts 19 h before kNow
  // A test clock far ahead of the wall clock.
  common::ToTimestamp(kNow + absl::Hours(24 * 365), a.mutable_starts_at());
  absl::StatusOr<HttpRequest> req =
      BuildAlertmanagerRequest(MakeSink(v1::ALERTMANAGER, "http://am"), {a},
                               "en", kNow, absl::Minutes(10));
  ASSERT_TRUE(req.ok());
  const ListValue list = ParseArray(req->body);
  ASSERT_EQ(list.values_size(), 3);
  for (const Value& v : list.values()) {
    EXPECT_LE(Field(v.struct_value(), "startsAt"),
              Field(v.struct_value(), "endsAt"));
  }
}

TEST(AlertmanagerTest, Errors) {
  const v1::Alert a = SampleAlert();
  EXPECT_EQ(BuildAlertmanagerRequest(MakeSink(v1::ALERTMANAGER, "http://am"),
                                     {}, "en", kNow, absl::Minutes(1))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BuildAlertmanagerRequest(MakeSink(v1::WEBHOOK, "http://am"), {a},
                                     "en", kNow, absl::Minutes(1))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

// Every chat robot's body (not only its text) within the platform's limit,
// for a long zh-CN alert, with characters that JSON escaping grows (quotes,
// newlines) and 3-byte characters that must not be split.
TEST(AllSinksTest, LongChineseAlertFitsEveryRobotsLimit) {
  struct Case {
    v1::SinkType type;
    size_t limit;
    bool content_only;  // WeCom limits the markdown content, not the body
  };
  const Case cases[] = {
      {v1::DINGTALK, kDingTalkBodyMaxBytes, false},
      {v1::FEISHU, kFeishuBodyMaxBytes, false},
      {v1::WECOM, kWeComMarkdownMaxBytes, true},
      {v1::SLACK, kSlackBodyMaxBytes, false},
  };
  const std::string pointer = "完整告警：depositctl alerts list --tenant acme";
  for (size_t chars : {100, 6000, 6660, 6700, 20000}) {
    v1::Alert alert = SampleAlert();
    alert.mutable_key()->set_kind(v1::CLOSURE_BLOCKED);
    alert.clear_evidence();
    std::string summary;
    for (size_t i = 0; i < chars; ++i) {
      summary += i % 40 == 39 ? "\n" : (i % 10 == 9 ? "\"" : "店");
    }
    alert.set_summary(summary);
    for (const Case& c : cases) {
      SCOPED_TRACE(absl::StrCat(v1::SinkType_Name(c.type), " ", chars));
      absl::StatusOr<HttpRequest> req = BuildSinkRequest(
          MakeSink(c.type, "https://x.example/h", "sec"), alert, "zh-CN", kNow);
      ASSERT_TRUE(req.ok());
      const Struct body = ParseObject(req->body);  // valid JSON and UTF-8
      std::string text;
      switch (c.type) {
        case v1::DINGTALK:
          text = Field(Obj(body, "markdown"), "text");
          break;
        case v1::FEISHU:
          text = Field(Obj(body, "content"), "text");
          break;
        case v1::WECOM:
          text = Field(Obj(body, "markdown"), "content");
          break;
        default:
          text = Field(body, "text");
      }
      EXPECT_LE(c.content_only ? text.size() : req->body.size(), c.limit);
      const bool cut = !absl::StrContains(text, summary.substr(0, 30)) ||
                       absl::StrContains(text, pointer);
      if (absl::StrContains(text, pointer)) {
        EXPECT_THAT(text, testing::EndsWith(absl::StrCat("…\n\n", pointer)));
        // Not cut more than needed: within 1% of the limit.
        EXPECT_GT(c.content_only ? text.size() : req->body.size(),
                  c.limit - c.limit / 100);
      }
      if (chars == 100) EXPECT_FALSE(absl::StrContains(text, pointer));
      if (chars == 20000) EXPECT_TRUE(cut);
    }
  }
}

TEST(DigestRequestTest, OnlyChatRobotsAndWithinLimits) {
  std::vector<v1::Alert> run;
  for (int i = 0; i < 300; ++i) {
    v1::Alert a = SampleAlert();
    a.set_sequence(100 + i);
    run.push_back(a);
  }
  absl::StatusOr<HttpRequest> ding = BuildDigestRequest(
      MakeSink(v1::DINGTALK, "https://d.example/send?access_token=T", "k"), run,
      "zh-CN", kNow);
  ASSERT_TRUE(ding.ok()) << ding.status();
  EXPECT_LE(ding->body.size(), kDingTalkBodyMaxBytes);
  const Struct body = ParseObject(ding->body);
  EXPECT_THAT(Field(Obj(body, "markdown"), "title"),
              testing::HasSubstr("租户 acme 的 300 条告警"));
  EXPECT_THAT(ding->url, testing::HasSubstr("&sign="));
  EXPECT_EQ(BuildDigestRequest(MakeSink(v1::WEBHOOK, "https://w.example"), run,
                               "en", kNow)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BuildDigestRequest(MakeSink(v1::SLACK, "https://s.example"), {},
                               "en", kNow)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(AllSinksTest, EveryBodyIsValidJsonForEveryKindAndLanguage) {
  for (int k = v1::AlertKind_MIN; k <= v1::AlertKind_MAX; ++k) {
    v1::Alert a = SampleAlert();
    a.mutable_key()->set_kind(static_cast<v1::AlertKind>(k));
    for (const char* lang : {"en", "zh-CN"}) {
      for (v1::SinkType t :
           {v1::WEBHOOK, v1::SLACK, v1::DINGTALK, v1::FEISHU, v1::WECOM}) {
        absl::StatusOr<HttpRequest> req = BuildSinkRequest(
            MakeSink(t, "https://x.example/h", "sec"), a, lang, kNow);
        ASSERT_TRUE(req.ok()) << req.status();
        ParseObject(req->body);
        EXPECT_EQ(Header(*req, "Content-Type"), "application/json");
      }
      absl::StatusOr<HttpRequest> am =
          BuildAlertmanagerRequest(MakeSink(v1::ALERTMANAGER, "http://am"), {a},
                                   lang, kNow, absl::Minutes(5));
      ASSERT_TRUE(am.ok());
      ParseArray(am->body);
    }
  }
}

}  // namespace
}  // namespace depositd::notifier
