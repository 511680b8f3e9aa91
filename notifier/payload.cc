#include "notifier/payload.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
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
#include "common/json.h"
#include "common/timestamps.h"
#include "common/utf8.h"
#include "depositd/v1/sink_payloads.pb.h"
#include "notifier/alert_key.h"
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

// Text for a payload field: UTF-8 as it is; a byte that is not UTF-8
// becomes U+FFFD (protobuf's JSON printer would drop it silently).
std::string Text(absl::string_view s) { return common::ReplaceInvalidUtf8(s); }

bool HasMoney(const v1::Alert& alert) {
  return alert.has_amount_at_risk() &&
         !alert.amount_at_risk().currency().empty();
}

std::string Formatted(const v1::Money& m) {
  return common::FormatMoney(m.minor_units(), m.currency());
}

// Sets `body` as the request's JSON body, or returns why it cannot be
// printed (not expected: the bodies are generated messages).
absl::StatusOr<HttpRequest> WithBody(HttpRequest req,
                                     const google::protobuf::Message& body) {
  absl::StatusOr<std::string> json = common::MessageToJson(body);
  if (!json.ok()) return json.status();
  req.body = *std::move(json);
  return req;
}

// A body's size for FitText; a body that cannot be printed never fits.
size_t JsonSize(const google::protobuf::Message& body) {
  absl::StatusOr<std::string> json = common::MessageToJson(body);
  return json.ok() ? json->size() : std::numeric_limits<size_t>::max();
}

v1::WebhookAlert WebhookBody(const v1::Alert& alert, const AlertMessage& msg) {
  v1::WebhookAlert out;
  out.set_version(1);
  out.set_sequence(alert.sequence());
  v1::WebhookAlertKey& key = *out.mutable_key();
  key.set_tenant(Text(alert.key().tenant()));
  key.set_shop_id(Text(alert.key().shop_id()));
  key.set_kind(alert.key().kind());
  key.set_subject(Text(alert.key().subject()));
  out.set_state(alert.state());
  out.set_change(alert.change());
  out.set_severity(alert.severity());
  out.set_stage(Text(alert.stage()));
  out.set_title(Text(msg.title));
  out.set_text(Text(msg.text));
  out.set_summary(Text(alert.summary()));
  out.set_action(Text(alert.action()));
  if (alert.has_due_at()) out.set_due_at(Rfc3339(alert.due_at()));
  if (HasMoney(alert)) {
    const v1::Money& m = alert.amount_at_risk();
    v1::WebhookAmount& amount = *out.mutable_amount_at_risk();
    amount.set_currency(Text(m.currency()));
    amount.set_minor_units(m.minor_units());
    amount.set_formatted(Text(Formatted(m)));
  }
  for (const auto& [k, v] : alert.evidence()) {
    (*out.mutable_evidence())[Text(k)] = Text(v);
  }
  if (alert.has_starts_at()) out.set_starts_at(Rfc3339(alert.starts_at()));
  if (alert.has_ends_at()) out.set_ends_at(Rfc3339(alert.ends_at()));
  if (alert.has_at()) out.set_at(Rfc3339(alert.at()));
  out.set_repeat(alert.repeat());
  out.set_acknowledged(alert.acknowledged());
  out.set_acknowledged_by(Text(alert.acknowledged_by()));
  return out;
}

v1::SlackMessage SlackBody(absl::string_view text) {
  v1::SlackMessage out;
  out.set_text(Text(text));
  return out;
}

v1::DingTalkMarkdownMessage DingTalkBody(const AlertMessage& msg,
                                         absl::string_view text) {
  v1::DingTalkMarkdownMessage out;
  out.set_msgtype("markdown");
  out.mutable_markdown()->set_title(Text(msg.title));
  out.mutable_markdown()->set_text(Text(text));
  return out;
}

// `ts` and `sign` empty without a signing secret (then both are omitted).
v1::FeishuTextMessage FeishuBody(absl::string_view ts, absl::string_view sign,
                                 absl::string_view text) {
  v1::FeishuTextMessage out;
  out.set_timestamp(std::string(ts));
  out.set_sign(std::string(sign));
  out.set_msg_type("text");
  out.mutable_content()->set_text(Text(text));
  return out;
}

v1::WeComMarkdownMessage WeComBody(absl::string_view content) {
  v1::WeComMarkdownMessage out;
  out.set_msgtype("markdown");
  out.mutable_markdown()->set_content(Text(content));
  return out;
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
            return JsonSize(SlackBody(absl::StrCat(title, SlackEscape(t))));
          });
      return WithBody(std::move(req),
                      SlackBody(absl::StrCat(title, SlackEscape(text))));
    }
    case v1::DINGTALK: {
      const std::string text = FitText(
          msg.markdown, pointer, kDingTalkBodyMaxBytes,
          [&](const std::string& t) { return JsonSize(DingTalkBody(msg, t)); });
      if (!sink.secret().empty()) {
        const std::string ms = absl::StrCat(absl::ToUnixMillis(now));
        const std::string sign = common::PercentEncode(absl::Base64Escape(
            HmacSha256(sink.secret(), absl::StrCat(ms, "\n", sink.secret()))));
        req.url = WithQuery(sink.url(),
                            absl::StrCat("timestamp=", ms, "&sign=", sign));
      }
      return WithBody(std::move(req), DingTalkBody(msg, text));
    }
    case v1::FEISHU: {
      std::string ts, sign;
      if (!sink.secret().empty()) {
        ts = absl::StrCat(absl::ToUnixSeconds(now));
        sign = absl::Base64Escape(
            HmacSha256(absl::StrCat(ts, "\n", sink.secret()), ""));
      }
      const std::string text = FitText(
          msg.text, pointer, kFeishuBodyMaxBytes, [&](const std::string& t) {
            return JsonSize(FeishuBody(ts, sign, t));
          });
      return WithBody(std::move(req), FeishuBody(ts, sign, text));
    }
    case v1::WECOM: {
      // WeCom limits the content (4096 bytes of UTF-8), not the body.
      const std::string content =
          FitText(msg.markdown, pointer, kWeComMarkdownMaxBytes,
                  [](const std::string& t) { return t.size(); });
      return WithBody(std::move(req), WeComBody(content));
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
      absl::StatusOr<std::string> body =
          common::MessageToJson(WebhookBody(alert, msg));
      if (!body.ok()) return body.status();
      req.body = *std::move(body);
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
  // Each element printed alone, then joined: protobuf prints messages, and
  // the body is a bare JSON array of them.
  std::vector<std::string> entries;
  for (const v1::Alert& alert : alerts) {
    const AlertMessage msg = RenderAlert(alert, language);
    v1::AlertmanagerAnnotations annotations;
    annotations.set_summary(Text(msg.title));
    annotations.set_description(Text(msg.text));
    annotations.set_action(Text(msg.action));
    if (alert.has_due_at()) annotations.set_due_at(Rfc3339(alert.due_at()));
    if (HasMoney(alert)) {
      annotations.set_amount_at_risk(Text(Formatted(alert.amount_at_risk())));
    }
    annotations.set_stage(Text(alert.stage()));
    annotations.set_sequence(absl::StrCat(alert.sequence()));

    auto labels = [&](v1::Severity severity) {
      v1::AlertmanagerLabels l;
      l.set_alertname(v1::AlertKind_Name(alert.key().kind()));
      l.set_tenant(Text(alert.key().tenant()));
      l.set_shop_id(Text(alert.key().shop_id()));
      l.set_kind(v1::AlertKind_Name(alert.key().kind()));
      l.set_subject(Text(alert.key().subject()));
      l.set_severity(SeverityLabel(severity));
      l.set_source("depositd");
      return l;
    };
    // Alertmanager rejects endsAt before startsAt, so startsAt never passes
    // the entry's end (possible only when clocks disagree).
    auto entry = [&](v1::Severity severity,
                     absl::Time ends) -> absl::StatusOr<std::string> {
      absl::Time starts = alert.has_starts_at()
                              ? FromTimestamp(alert.starts_at())
                              : FromTimestamp(alert.at());
      starts = std::min(starts, ends);
      v1::AlertmanagerAlert e;
      *e.mutable_labels() = labels(severity);
      *e.mutable_annotations() = annotations;
      e.set_starts_at(common::FormatRfc3339(starts));
      e.set_ends_at(common::FormatRfc3339(ends));
      return common::MessageToJson(e);
    };
    const bool resolved = alert.state() == v1::RESOLVED;
    const absl::Time resolved_at =
        alert.has_ends_at() ? FromTimestamp(alert.ends_at()) : now;
    const v1::Severity own = alert.severity() == v1::SEVERITY_UNSPECIFIED
                                 ? v1::INFO
                                 : alert.severity();
    std::vector<std::pair<v1::Severity, absl::Time>> wanted = {
        {own, resolved ? resolved_at : now + firing_ttl}};
    // An escalation may have changed the severity label: the same alert at
    // the other severities is resolved (see payload.h).
    if (!resolved && alert.change() == v1::ESCALATED) {
      for (v1::Severity other : {v1::INFO, v1::WARNING, v1::CRITICAL}) {
        if (other != own) wanted.emplace_back(other, now);
      }
    }
    for (const auto& [severity, ends] : wanted) {
      absl::StatusOr<std::string> json = entry(severity, ends);
      if (!json.ok()) return json.status();
      entries.push_back(*std::move(json));
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
