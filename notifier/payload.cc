#include "notifier/payload.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/currency.h"
#include "common/encodings.h"
#include "common/timestamps.h"
#include "common/utf8.h"
#include "notifier/digest.h"
#include "notifier/message.h"

namespace depositd::notifier {
namespace {

using common::FromTimestamp;

constexpr absl::string_view kEllipsis = "…";  // 3 bytes of UTF-8

std::string Rfc3339(const google::protobuf::Timestamp& ts) {
  return common::FormatRfc3339(common::FromTimestamp(ts));
}

// A header value without CR/LF (no header injection through ids).
std::string HeaderValue(absl::string_view v) {
  std::string out(v);
  std::replace(out.begin(), out.end(), '\r', ' ');
  std::replace(out.begin(), out.end(), '\n', ' ');
  return out;
}

// Builds one JSON object; values are added already encoded.
class JsonObject {
 public:
  JsonObject& Raw(absl::string_view key, absl::string_view json) {
    absl::StrAppend(&out_, out_.empty() ? "{" : ",", JsonQuote(key), ":", json);
    return *this;
  }
  JsonObject& Str(absl::string_view key, absl::string_view value) {
    return Raw(key, JsonQuote(value));
  }
  JsonObject& StrIfSet(absl::string_view key, absl::string_view value) {
    if (!value.empty()) Str(key, value);
    return *this;
  }
  JsonObject& Bool(absl::string_view key, bool value) {
    return Raw(key, value ? "true" : "false");
  }
  std::string Done() const { return out_.empty() ? "{}" : out_ + "}"; }

 private:
  std::string out_;
};

// Evidence as a JSON object, keys sorted (proto maps have no order).
std::string EvidenceJson(const v1::Alert& alert) {
  std::map<std::string, std::string> sorted(alert.evidence().begin(),
                                            alert.evidence().end());
  JsonObject o;
  for (const auto& [k, v] : sorted) o.Str(k, v);
  return o.Done();
}

bool HasMoney(const v1::Alert& alert) {
  return alert.has_amount_at_risk() &&
         !alert.amount_at_risk().currency().empty();
}

std::string Formatted(const v1::Money& m) {
  return common::FormatMoney(m.minor_units(), m.currency());
}

std::string WebhookBody(const v1::Alert& alert, const AlertMessage& msg) {
  JsonObject key;
  key.Str("tenant", alert.key().tenant())
      .Str("shop_id", alert.key().shop_id())
      .Str("kind", v1::AlertKind_Name(alert.key().kind()))
      .Str("subject", alert.key().subject());
  JsonObject o;
  o.Raw("version", "1")
      .Str("sequence", absl::StrCat(alert.sequence()))
      .Raw("key", key.Done())
      .Str("state", v1::AlertState_Name(alert.state()))
      .StrIfSet("change", alert.change() == v1::ALERT_CHANGE_UNSPECIFIED
                              ? ""
                              : v1::AlertChange_Name(alert.change()))
      .Str("severity", v1::Severity_Name(alert.severity()))
      .StrIfSet("stage", alert.stage())
      .Str("title", msg.title)
      .Str("text", msg.text)
      .StrIfSet("summary", alert.summary())
      .StrIfSet("action", alert.action());
  if (alert.has_due_at()) o.Str("due_at", Rfc3339(alert.due_at()));
  if (HasMoney(alert)) {
    const v1::Money& m = alert.amount_at_risk();
    o.Raw("amount_at_risk",
          JsonObject()
              .Str("currency", m.currency())
              .Str("minor_units", absl::StrCat(m.minor_units()))
              .Str("formatted", Formatted(m))
              .Done());
  }
  if (!alert.evidence().empty()) o.Raw("evidence", EvidenceJson(alert));
  if (alert.has_starts_at()) o.Str("starts_at", Rfc3339(alert.starts_at()));
  if (alert.has_ends_at()) o.Str("ends_at", Rfc3339(alert.ends_at()));
  if (alert.has_at()) o.Str("at", Rfc3339(alert.at()));
  o.Bool("repeat", alert.repeat())
      .Bool("acknowledged", alert.acknowledged())
      .StrIfSet("acknowledged_by", alert.acknowledged_by());
  return o.Done();
}

// Slack mrkdwn: only &, < and > are control characters.
std::string SlackEscape(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string WithQuery(absl::string_view url, absl::string_view query) {
  const size_t hash = url.find('#');
  const absl::string_view base = url.substr(0, hash);
  const absl::string_view fragment =
      hash == absl::string_view::npos ? "" : url.substr(hash);
  const char* sep = base.find('?') == absl::string_view::npos ? "?"
                    : (absl::EndsWith(base, "?") || absl::EndsWith(base, "&"))
                        ? ""
                        : "&";
  return absl::StrCat(base, sep, query, fragment);
}

std::string SeverityLabel(v1::Severity s) {
  switch (s) {
    case v1::CRITICAL:
      return "critical";
    case v1::WARNING:
      return "warning";
    default:
      return "info";
  }
}

}  // namespace

std::string JsonQuote(absl::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        default:
          if (c < 0x20) {
            absl::StrAppend(&out, "\\u00", absl::Hex(c, absl::kZeroPad2));
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    char32_t code_point;
    const size_t n = common::DecodeUtf8At(s, i, &code_point);
    if (n == 0) {  // invalid UTF-8: replacement character, keep JSON valid
      out += "\\ufffd";
      ++i;
    } else {
      out.append(s.data() + i, n);
      i += n;
    }
  }
  out += '"';
  return out;
}

std::string TruncateUtf8(absl::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  const bool room = max_bytes >= kEllipsis.size();
  size_t cut = room ? max_bytes - kEllipsis.size() : max_bytes;
  // Back off continuation bytes (10xxxxxx) so a character is never split.
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return absl::StrCat(s.substr(0, cut), room ? kEllipsis : "");
}

std::string HmacSha256(absl::string_view key, absl::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out,
       &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string AlertKeyString(const v1::AlertKey& key) {
  std::string out = absl::StrCat(key.tenant(), "/", key.shop_id(), "/",
                                 v1::AlertKind_Name(key.kind()));
  if (!key.subject().empty()) absl::StrAppend(&out, "/", key.subject());
  return out;
}

namespace {

// The longest cut of `text` whose `measure` (the body or field the platform
// limits) is at most `max_bytes`: `text` itself when it fits, else a prefix
// cut on a character boundary ending with "…", then a blank line and
// `pointer` (where to read the rest). Escaping grows a body unevenly, so the
// cut is found by bisection on the prefix length (about 16 bodies are built,
// only for texts that do not fit).
std::string FitText(absl::string_view text, absl::string_view pointer,
                    size_t max_bytes,
                    const std::function<size_t(const std::string&)>& measure) {
  std::string whole(text);
  if (measure(whole) <= max_bytes) return whole;
  const std::string tail = absl::StrCat("\n\n", pointer);
  auto cut = [&](size_t prefix) {
    return absl::StrCat(TruncateUtf8(text, prefix + kEllipsis.size()), tail);
  };
  // Invariant: cut(lo) fits (or lo == 0), cut(hi) does not.
  size_t lo = 0, hi = text.size();
  while (hi - lo > 1) {
    const size_t mid = lo + (hi - lo) / 2;
    if (measure(cut(mid)) <= max_bytes) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return cut(lo);
}

std::string DingTalkBody(const AlertMessage& msg, absl::string_view text) {
  return JsonObject()
      .Str("msgtype", "markdown")
      .Raw("markdown",
           JsonObject().Str("title", msg.title).Str("text", text).Done())
      .Done();
}

std::string FeishuBody(absl::string_view ts, absl::string_view sign,
                       absl::string_view text) {
  JsonObject o;
  if (!ts.empty()) o.Str("timestamp", ts).Str("sign", sign);
  o.Str("msg_type", "text")
      .Raw("content", JsonObject().Str("text", text).Done());
  return o.Done();
}

std::string WeComBody(absl::string_view content) {
  return JsonObject()
      .Str("msgtype", "markdown")
      .Raw("markdown", JsonObject().Str("content", content).Done())
      .Done();
}

// A chat robot's request for `msg` (one alert or a digest) of `tenant`.
absl::StatusOr<HttpRequest> ChatRequest(const v1::Sink& sink,
                                        const AlertMessage& msg,
                                        absl::string_view tenant,
                                        absl::string_view language,
                                        absl::Time now) {
  const std::string pointer = FullAlertPointer(tenant, language);
  HttpRequest req;
  req.url = sink.url();
  req.headers.emplace_back("Content-Type", "application/json");
  switch (sink.type()) {
    case v1::SLACK: {
      // The title in bold (Slack's *bold*), then the body lines after it;
      // escaped for mrkdwn, the whole body within Slack's text limit.
      absl::string_view body = msg.text;
      if (absl::ConsumePrefix(&body, msg.title)) {
        absl::ConsumePrefix(&body, "\n");
      }
      const std::string title =
          absl::StrCat("*", SlackEscape(msg.title), "*\n");
      const std::string text =
          FitText(body, pointer, kSlackBodyMaxBytes, [&](const std::string& t) {
            return JsonObject()
                .Str("text", absl::StrCat(title, SlackEscape(t)))
                .Done()
                .size();
          });
      req.body = JsonObject()
                     .Str("text", absl::StrCat(title, SlackEscape(text)))
                     .Done();
      return req;
    }
    case v1::DINGTALK: {
      const std::string text = FitText(
          msg.markdown, pointer, kDingTalkBodyMaxBytes,
          [&](const std::string& t) { return DingTalkBody(msg, t).size(); });
      req.body = DingTalkBody(msg, text);
      if (!sink.secret().empty()) {
        const std::string ms = absl::StrCat(absl::ToUnixMillis(now));
        const std::string sign = common::PercentEncode(absl::Base64Escape(
            HmacSha256(sink.secret(), absl::StrCat(ms, "\n", sink.secret()))));
        req.url = WithQuery(sink.url(),
                            absl::StrCat("timestamp=", ms, "&sign=", sign));
      }
      return req;
    }
    case v1::FEISHU: {
      std::string ts, sign;
      if (!sink.secret().empty()) {
        ts = absl::StrCat(absl::ToUnixSeconds(now));
        sign = absl::Base64Escape(
            HmacSha256(absl::StrCat(ts, "\n", sink.secret()), ""));
      }
      const std::string text = FitText(
          msg.text, pointer, kFeishuBodyMaxBytes,
          [&](const std::string& t) { return FeishuBody(ts, sign, t).size(); });
      req.body = FeishuBody(ts, sign, text);
      return req;
    }
    case v1::WECOM: {
      // WeCom limits the content (4096 bytes of UTF-8), not the body.
      const std::string content =
          FitText(msg.markdown, pointer, kWeComMarkdownMaxBytes,
                  [](const std::string& t) { return t.size(); });
      req.body = WeComBody(content);
      return req;
    }
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("sink \"", sink.name(), "\" is not a chat robot (",
                       v1::SinkType_Name(sink.type()), ")"));
  }
}

}  // namespace

absl::StatusOr<HttpRequest> BuildSinkRequest(const v1::Sink& sink,
                                             const v1::Alert& alert,
                                             absl::string_view language,
                                             absl::Time now) {
  const AlertMessage msg = RenderAlert(alert, language);
  switch (sink.type()) {
    case v1::WEBHOOK: {
      HttpRequest req;
      req.url = sink.url();
      req.headers.emplace_back("Content-Type", "application/json");
      req.body = WebhookBody(alert, msg);
      const std::string ts = absl::StrCat(absl::ToUnixSeconds(now));
      req.headers.emplace_back("X-Depositd-Alert-Key",
                               HeaderValue(AlertKeyString(alert.key())));
      req.headers.emplace_back("X-Depositd-Sequence",
                               absl::StrCat(alert.sequence()));
      req.headers.emplace_back("X-Depositd-Timestamp", ts);
      if (!sink.secret().empty()) {
        req.headers.emplace_back(
            "X-Depositd-Signature",
            absl::StrCat("sha256=",
                         absl::BytesToHexString(HmacSha256(
                             sink.secret(), absl::StrCat(ts, ".", req.body)))));
      }
      return req;
    }
    case v1::SLACK:
    case v1::DINGTALK:
    case v1::FEISHU:
    case v1::WECOM:
      return ChatRequest(sink, msg, alert.key().tenant(), language, now);
    case v1::ALERTMANAGER:
      return absl::InvalidArgumentError(absl::StrCat(
          "sink \"", sink.name(),
          "\" is ALERTMANAGER: use BuildAlertmanagerRequest (batches)"));
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("sink \"", sink.name(), "\" has no supported type (",
                       static_cast<int>(sink.type()), ")"));
  }
}

absl::StatusOr<HttpRequest> BuildDigestRequest(
    const v1::Sink& sink, absl::Span<const v1::Alert> alerts,
    absl::string_view language, absl::Time now) {
  if (alerts.empty()) {
    return absl::InvalidArgumentError("BuildDigestRequest: no alerts to send");
  }
  if (!IsChatSink(sink.type())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sink \"", sink.name(), "\" is ", v1::SinkType_Name(sink.type()),
        ": only chat robots take digests"));
  }
  return ChatRequest(sink, RenderDigest(alerts, language),
                     alerts.front().key().tenant(), language, now);
}

bool IsChatSink(v1::SinkType type) {
  return type == v1::SLACK || type == v1::DINGTALK || type == v1::FEISHU ||
         type == v1::WECOM;
}

absl::StatusOr<HttpRequest> BuildAlertmanagerRequest(
    const v1::Sink& sink, absl::Span<const v1::Alert> alerts,
    absl::string_view language, absl::Time now, absl::Duration firing_ttl) {
  if (sink.type() != v1::ALERTMANAGER) {
    return absl::InvalidArgumentError(
        absl::StrCat("sink \"", sink.name(), "\" is not ALERTMANAGER"));
  }
  if (alerts.empty()) {
    return absl::InvalidArgumentError(
        "BuildAlertmanagerRequest: no alerts to send");
  }
  std::vector<std::string> entries;
  for (const v1::Alert& alert : alerts) {
    const AlertMessage msg = RenderAlert(alert, language);
    JsonObject annotations;
    annotations.Str("summary", msg.title)
        .Str("description", msg.text)
        .StrIfSet("action", msg.action);
    if (alert.has_due_at()) annotations.Str("due_at", Rfc3339(alert.due_at()));
    if (HasMoney(alert)) {
      annotations.Str("amount_at_risk", Formatted(alert.amount_at_risk()));
    }
    annotations.StrIfSet("stage", alert.stage())
        .Str("sequence", absl::StrCat(alert.sequence()));
    const std::string annotations_json = annotations.Done();

    auto labels = [&](v1::Severity severity) {
      JsonObject l;
      l.Str("alertname", v1::AlertKind_Name(alert.key().kind()))
          .Str("tenant", alert.key().tenant())
          .StrIfSet("shop_id", alert.key().shop_id())
          .Str("kind", v1::AlertKind_Name(alert.key().kind()))
          .StrIfSet("subject", alert.key().subject())
          .Str("severity", SeverityLabel(severity))
          .Str("source", "depositd");
      return l.Done();
    };
    // Alertmanager rejects endsAt before startsAt, so startsAt never passes
    // the entry's end (possible only when clocks disagree).
    auto entry = [&](v1::Severity severity, absl::Time ends) {
      absl::Time starts = alert.has_starts_at()
                              ? FromTimestamp(alert.starts_at())
                              : FromTimestamp(alert.at());
      starts = std::min(starts, ends);
      return JsonObject()
          .Raw("labels", labels(severity))
          .Raw("annotations", annotations_json)
          .Str("startsAt", common::FormatRfc3339(starts))
          .Str("endsAt", common::FormatRfc3339(ends))
          .Done();
    };
    const bool resolved = alert.state() == v1::RESOLVED;
    const absl::Time resolved_at =
        alert.has_ends_at() ? FromTimestamp(alert.ends_at()) : now;
    const v1::Severity own = alert.severity() == v1::SEVERITY_UNSPECIFIED
                                 ? v1::INFO
                                 : alert.severity();
    entries.push_back(entry(own, resolved ? resolved_at : now + firing_ttl));
    // An escalation may have changed the severity label: the same alert at
    // the other severities is resolved (see payload.h).
    if (!resolved && alert.change() == v1::ESCALATED) {
      for (v1::Severity other : {v1::INFO, v1::WARNING, v1::CRITICAL}) {
        if (other != own) entries.push_back(entry(other, now));
      }
    }
  }
  HttpRequest req;
  req.url = absl::StrCat(absl::StripSuffix(sink.url(), "/"), "/api/v2/alerts");
  // Several trailing slashes: strip them all.
  while (absl::EndsWith(req.url, "//api/v2/alerts")) {
    req.url.erase(req.url.size() - std::string("/api/v2/alerts").size() - 1, 1);
  }
  req.headers.emplace_back("Content-Type", "application/json");
  req.body = absl::StrCat("[", absl::StrJoin(entries, ","), "]");
  return req;
}

}  // namespace depositd::notifier
