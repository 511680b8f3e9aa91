// The texts of the kinds about what the monitor itself can see and say
// (kind_text.h): FEED_SILENT, FEED_DEAUTHORIZED, SINK_FAILING.
#include <cstdint>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/substitute.h"
#include "absl/time/time.h"
#include "common/timestamps.h"
#include "notifier/kind_text.h"
#include "watchers/evidence_keys.h"

namespace depositd::notifier {

namespace evidence = watchers::evidence;
using common::FromTimestamp;

KindText FeedSilentText(const KindInput& in) {
  const Sentences::FeedSilent& s = in.s.silent;
  const v1::Alert& alert = in.alert;
  KindText out;
  out.action = absl::Substitute(s.check, alert.key().tenant());
  int64_t limit = 0;
  if (!absl::SimpleAtoi(in.ev[evidence::kSilenceMinutes], &limit)) return out;
  // Silent for the limit at due_at, and for as long again as `at` is past it.
  int64_t minutes = limit;
  if (alert.has_due_at() && alert.has_at()) {
    const absl::Duration past =
        FromTimestamp(alert.at()) - FromTimestamp(alert.due_at());
    if (past > absl::ZeroDuration()) minutes += absl::ToInt64Minutes(past);
  }
  const std::string last = in.ev[evidence::kLastEventAt];
  out.risk = absl::Substitute(
      s.silent, alert.key().tenant(), minutes,
      last.empty() ? std::string() : absl::Substitute(s.last, last));
  return out;
}

KindText FeedDeauthorizedText(const KindInput& in) {
  const Sentences::FeedDeauthorized& s = in.s.feed;
  const std::string& stage = in.alert.stage();
  KindText out;
  const bool revoked =
      in.ev[evidence::kFeedState] == "DEAUTHORIZED" || stage == "revoked";
  if (revoked) {
    const std::string at = in.ev[evidence::kChangedAt];
    out.risk = absl::Substitute(
        s.revoked,
        at.empty() ? std::string() : absl::Substitute(s.revoked_at, at));
  } else {
    const std::string when =
        in.ev.Has(evidence::kExpiresAt) ? in.ev[evidence::kExpiresAt] : in.due;
    if (!when.empty()) {
      out.risk =
          absl::Substitute(stage == "expired" ? s.expired : s.expiring, when);
    }
  }
  if (revoked || stage == "expired") {
    out.action = std::string(s.reauthorize);
  } else {
    out.action = absl::Substitute(
        s.renew, in.due.empty() ? std::string(s.before_expiry)
                                : absl::Substitute(s.by_due, in.due));
  }
  return out;
}

KindText SinkFailingText(const KindInput& in) {
  const Sentences::SinkFailing& s = in.s.sink;
  const std::string& sink = in.alert.key().subject();
  KindText out;
  if (!sink.empty()) out.subject = absl::Substitute(in.s.subject.sink, sink);
  if (!sink.empty() && in.ev.Has(evidence::kReason)) {
    const std::string refused = in.ev[evidence::kRefusedAlert];
    out.risk = absl::Substitute(
        s.refuses, sink,
        in.ev.Has(evidence::kSinkType)
            ? absl::Substitute(in.s.paren,
                               in.words.SinkType(in.ev[evidence::kSinkType]))
            : std::string(in.s.no_aside),
        in.ev[evidence::kReason], Paren(in.s, in.ev[evidence::kDetail]),
        refused.empty() ? std::string()
                        : absl::Substitute(s.refused_alert, refused));
  }
  out.action = absl::Substitute(s.check, sink, in.alert.key().tenant());
  return out;
}

}  // namespace depositd::notifier
