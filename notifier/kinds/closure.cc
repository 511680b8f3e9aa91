// The texts of the closure and refund-condition watchers' kinds
// (kind_text.h): METRIC_BELOW_THRESHOLD, CLOSURE_BLOCKED,
// REOPEN_COOLING_OFF.
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/substitute.h"
#include "depositd/v1/readiness.pb.h"
#include "notifier/kind_text.h"
#include "watchers/evidence_keys.h"

namespace depositd::notifier {

namespace evidence = watchers::evidence;

KindText MetricBelowThresholdText(const KindInput& in) {
  const Sentences::MetricBelowThreshold& s = in.s.metric;
  const std::string& subject = in.alert.key().subject();
  KindText out;
  if (!subject.empty()) {
    out.subject =
        absl::Substitute(in.s.subject.metric, in.words.Metric(subject));
  }
  const std::string metric =
      in.ev.Has(evidence::kMetric) ? in.ev[evidence::kMetric] : subject;
  if (!metric.empty() && in.ev.Has(evidence::kValue) &&
      in.ev.Has(evidence::kThreshold)) {
    // The one metric with a maximum; the others have a minimum.
    const bool maximum = metric == "return_rate_pct";
    out.risk = absl::Substitute(
        maximum ? s.above_maximum : s.below_minimum, in.words.Metric(metric),
        in.ev[evidence::kValue], in.ev[evidence::kThreshold]);
  }
  out.action = absl::Substitute(s.improve, in.words.Metric(metric));
  return out;
}

KindText ClosureBlockedText(const KindInput& in) {
  const Sentences::ClosureBlocked& s = in.s.closure;
  KindText out;
  out.action = std::string(s.clear_each);
  std::map<int, std::string> blockers;  // by condition number
  for (const auto& [k, v] : in.alert.evidence()) {
    v1::Condition c;
    if (v1::Condition_Parse(k, &c) && c != v1::CONDITION_UNSPECIFIED) {
      blockers[c] = v;
    }
  }
  if (blockers.empty()) return out;
  const std::string since = in.ev[evidence::kClosureRequestedAt];
  out.risk =
      absl::Substitute(blockers.size() == 1 ? s.blocked_one : s.blocked_many,
                       since.empty() ? std::string(s.requested)
                                     : absl::Substitute(s.requested_at, since),
                       blockers.size());
  for (const auto& [c, summary] : blockers) {
    const v1::Condition condition = static_cast<v1::Condition>(c);
    const std::string name = v1::Condition_Name(condition);
    out.details.push_back(absl::StrCat(
        in.words.Condition(condition), in.words.labels().separator,
        in.words.Blocker(condition, in.ev[name + evidence::kBlockerCountSuffix],
                         in.ev[name + evidence::kBlockerAmountsSuffix],
                         summary)));
  }
  return out;
}

KindText ReopenCoolingOffText(const KindInput& in) {
  const Sentences::ReopenCoolingOff& s = in.s.reopen;
  const std::string& subject = in.alert.key().subject();
  KindText out;
  if (subject == "reopen") out.subject = std::string(in.s.subject.reopen);
  if (subject == "registration") {
    out.subject = std::string(in.s.subject.registration);
  }
  // Alerts in months (cooling_off_months) keep the watcher's summary.
  if (in.ev.Has(evidence::kCoolingOffDays) && in.ev.Has(evidence::kClosedAt)) {
    const std::string days = in.ev[evidence::kCoolingOffDays];
    const std::string entity = in.ev[evidence::kLegalEntityId];
    if (subject == "registration") {
      out.risk = absl::Substitute(
          s.registration, in.ev[evidence::kAttemptAt],
          entity.empty() ? std::string(s.entity_unnamed)
                         : absl::Substitute(s.entity_named, entity),
          in.ev[evidence::kClosedAt], days);
    } else {
      out.risk = absl::Substitute(s.reopen, in.ev[evidence::kClosedAt], days,
                                  in.ev[evidence::kAttemptAt]);
    }
  }
  out.action = absl::Substitute(
      s.check_rule, in.due.empty() ? std::string()
                                   : absl::Substitute(s.or_wait_until, in.due));
  return out;
}

}  // namespace depositd::notifier
