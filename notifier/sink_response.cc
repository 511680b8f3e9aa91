#include "notifier/sink_response.h"

#include <cmath>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace depositd::notifier {
namespace {

constexpr size_t kDetailBytes = 200;

std::string Detail(absl::string_view text) {
  std::string out(text.substr(0, kDetailBytes));
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

SinkVerdict Verdict(SinkVerdict::Kind kind, std::string reason,
                    absl::string_view detail, bool throttled = false) {
  SinkVerdict v;
  v.kind = kind;
  v.throttled = throttled;
  v.reason = std::move(reason);
  v.detail = Detail(detail);
  return v;
}

// The transport-level verdict shared by every kind: no answer, 408, 429 and
// 5xx are "later", other non-2xx "refused". nullopt-like: kDelivered means
// "2xx, look at the body".
SinkVerdict ByHttpStatus(int status, absl::string_view body) {
  if (status == 0) return Verdict(SinkVerdict::kRetry, "no answer", body);
  if (status >= 200 && status < 300)
    return Verdict(SinkVerdict::kDelivered, "", "");
  const std::string reason = absl::StrCat("HTTP ", status);
  if (status == 429) return Verdict(SinkVerdict::kRetry, reason, body, true);
  if (status == 408 || status >= 500) {
    return Verdict(SinkVerdict::kRetry, reason, body, status == 503);
  }
  return Verdict(SinkVerdict::kRefused, reason, body);
}

// The platform's JSON answer as a Struct; false when the body is not a JSON
// object.
bool ParseObject(absl::string_view body, google::protobuf::Struct* out) {
  return google::protobuf::util::JsonStringToMessage(std::string(body), out)
      .ok();
}

// Integer field `name` of `o`; false when absent or not a number.
bool IntField(const google::protobuf::Struct& o, const std::string& name,
              long long* out) {
  auto it = o.fields().find(name);
  if (it == o.fields().end()) return false;
  const google::protobuf::Value& v = it->second;
  if (v.kind_case() == google::protobuf::Value::kNumberValue) {
    if (!std::isfinite(v.number_value())) return false;
    *out = static_cast<long long>(v.number_value());
    return true;
  }
  return false;
}

std::string StringField(const google::protobuf::Struct& o,
                        const std::string& name) {
  auto it = o.fields().find(name);
  if (it == o.fields().end() ||
      it->second.kind_case() != google::protobuf::Value::kStringValue) {
    return "";
  }
  return it->second.string_value();
}

// A robot answering {"<code_field>": n, "<msg_field>": "..."}: 0 delivered,
// a throttling code later, anything else refused.
SinkVerdict ByRobotCode(absl::string_view platform, absl::string_view body,
                        std::initializer_list<const char*> code_fields,
                        std::initializer_list<const char*> msg_fields,
                        std::initializer_list<long long> throttling,
                        std::initializer_list<long long> busy) {
  google::protobuf::Struct o;
  if (!ParseObject(body, &o)) {
    return Verdict(SinkVerdict::kRefused,
                   absl::StrCat(platform, " answer is not JSON"), body);
  }
  for (const char* field : code_fields) {
    long long code = 0;
    if (!IntField(o, field, &code)) continue;
    std::string msg;
    for (const char* m : msg_fields) {
      msg = StringField(o, m);
      if (!msg.empty()) break;
    }
    if (code == 0) return Verdict(SinkVerdict::kDelivered, "", "");
    const std::string reason = absl::StrCat(platform, " ", field, " ", code);
    for (long long t : throttling) {
      if (code == t) return Verdict(SinkVerdict::kRetry, reason, msg, true);
    }
    for (long long b : busy) {
      if (code == b) return Verdict(SinkVerdict::kRetry, reason, msg);
    }
    return Verdict(SinkVerdict::kRefused, reason, msg);
  }
  return Verdict(SinkVerdict::kRefused,
                 absl::StrCat(platform, " answer has no result code"), body);
}

}  // namespace

SinkVerdict ClassifySinkResponse(v1::SinkType type, int http_status,
                                 absl::string_view body) {
  SinkVerdict by_status = ByHttpStatus(http_status, body);
  if (by_status.kind == SinkVerdict::kRefused) {
    // Some robots refuse with a 4xx and their throttling code in the body:
    // that is still "later".
    SinkVerdict by_code = by_status;
    switch (type) {
      case v1::DINGTALK:
      case v1::FEISHU:
      case v1::WECOM:
        by_code = ClassifySinkResponse(type, 200, body);
        break;
      default:
        break;
    }
    if (by_code.throttled) return by_code;
    // A refusal that names the platform's code says more than "HTTP 400".
    if (by_code.kind == SinkVerdict::kRefused &&
        !absl::EndsWith(by_code.reason, "is not JSON") &&
        !absl::EndsWith(by_code.reason, "no result code")) {
      return by_code;
    }
    return by_status;
  }
  if (by_status.kind != SinkVerdict::kDelivered) return by_status;
  switch (type) {
    case v1::DINGTALK:
      return ByRobotCode("dingtalk", body, {"errcode"}, {"errmsg"},
                         /*throttling=*/{130101}, /*busy=*/{-1});
    case v1::FEISHU:
      return ByRobotCode("feishu", body, {"code", "StatusCode"},
                         {"msg", "StatusMessage"},
                         /*throttling=*/{11232, 9499}, /*busy=*/{});
    case v1::WECOM:
      return ByRobotCode("wecom", body, {"errcode"}, {"errmsg"},
                         /*throttling=*/{45009}, /*busy=*/{-1});
    case v1::SLACK: {
      const absl::string_view text = absl::StripAsciiWhitespace(body);
      if (text.empty() || text == "ok") return by_status;
      return Verdict(SinkVerdict::kRefused, "slack answer is not \"ok\"", body);
    }
    default:
      return by_status;
  }
}

}  // namespace depositd::notifier
