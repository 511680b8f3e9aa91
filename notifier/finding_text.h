// The human text of a finding: v1::Finding.summary and .action, in the
// tenant's language (English, or Chinese for "zh-CN"). The risk watchers
// (watchers/risk_watchers.h) produce structured findings only (kind,
// subject, stage, severity, due_at, amount_at_risk and the evidence under
// watchers/evidence_keys.h); the daemon words them here before the alert
// book sees them, so localized text lives in notifier/ alone. The words are
// those the watchers wrote before, from the Findings part of the sentence
// tables (sentences.h), one function per kind.
//
// The summary and action travel with the alert (Alert.summary/.action): the
// alert log, depositctl, webhook bodies, and a message's fallback when its
// evidence is incomplete. A change of words is an UPDATED transition, so
// wording is a pure function of (finding, language, zone, now).
//
// Pure: no I/O, no clock. Thread-safe.
#ifndef DEPOSITD_NOTIFIER_FINDING_TEXT_H_
#define DEPOSITD_NOTIFIER_FINDING_TEXT_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "depositd/v1/alerts.pb.h"
#include "watchers/profiles.h"

namespace depositd::notifier {

// How to word findings: the tenant's language, the zone its calendar shows
// times in (due_at appears in some texts), and the moment the watchers ran
// (FEED_SILENT counts the minutes of silence up to it).
struct FindingWording {
  absl::string_view language;
  absl::TimeZone zone = absl::UTCTimeZone();
  absl::Time now;
};

// Language and zone of `profile` (its calendar's zone, else UTC), at `now`.
FindingWording WordingFor(const watchers::ResolvedProfile& profile,
                          absl::Time now);

// Sets summary and action of every finding from its kind, stage and
// evidence. Findings of a kind without words (none today) keep theirs.
// Never fails: missing evidence leaves a blank where it would be.
void WordFindings(const FindingWording& how,
                  std::vector<v1::Finding>* findings);
void WordFinding(const FindingWording& how, v1::Finding* finding);

}  // namespace depositd::notifier

#endif  // DEPOSITD_NOTIFIER_FINDING_TEXT_H_
