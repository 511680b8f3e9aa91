// What a message says about one alert kind: the subject in words, what is
// at risk (a sentence, plus detail lines for CLOSURE_BLOCKED) and what to do,
// built from the alert's key, stage, evidence, money and due time. One
// function per alert kind, each building its sentences once from the
// language's tables (sentences.h for the sentences, phrases.h for the
// domain's words), so no text here depends on which language it is.
//
// The functions live by watcher family, mirroring watchers/:
//   kinds/deadlines.cc  INACTIVITY, DISPUTE_RESPONSE_DUE, APPEAL_WINDOW_CLOSING
//   kinds/money.cc      BALANCE_SHORT, UNPAID_FEES, REFUND_OVERDUE,
//                       ACCOUNT_MISMATCH
//   kinds/closure.cc    METRIC_BELOW_THRESHOLD, CLOSURE_BLOCKED,
//                       REOPEN_COOLING_OFF
//   kinds/feeds.cc      FEED_SILENT, FEED_DEAUTHORIZED, SINK_FAILING
// message.cc puts them into a whole message (title, lines, status, trace).
//
// Pure: no I/O, no clock. Thread-safe.
#ifndef DEPOSITD_NOTIFIER_KIND_TEXT_H_
#define DEPOSITD_NOTIFIER_KIND_TEXT_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "depositd/v1/alerts.pb.h"
#include "notifier/phrases.h"
#include "notifier/sentences.h"

namespace depositd::notifier {

// An alert's evidence by key (watchers/evidence_keys.h): "" when absent.
// Money values (amount, balance, required, shortfall, outstanding) come in
// the message's language ("35.00 美元").
class EvidenceText {
 public:
  EvidenceText(const v1::Alert& alert, const Phrases& words)
      : alert_(alert), words_(words) {}
  std::string operator[](absl::string_view key) const;
  bool Has(absl::string_view key) const;

 private:
  const v1::Alert& alert_;
  const Phrases& words_;
};

// What one kind's function reads. Borrowed: valid while the alert is.
struct KindInput {
  const v1::Alert& alert;
  const Phrases& words;
  const Sentences& s;
  EvidenceText ev;
  // amount_at_risk formatted in the message's language, "" when unset.
  std::string money;
  // due_at as "2024-05-01 00:00 UTC", "" when unset.
  std::string due;
};

// What a message says about its kind. An empty field means "nothing from
// the kind" and RenderAlert falls back: the key's subject as it is, the
// watcher's summary (or the kind's title) and the watcher's action.
struct KindText {
  std::string subject;
  std::string risk;
  std::vector<std::string> details;  // lines under the risk sentence
  std::string action;
};

// The text of `in.alert`'s kind; every field empty for a kind without one.
KindText DescribeKind(const KindInput& in);

// One per kind, by family (see above).
KindText InactivityText(const KindInput& in);
KindText DisputeResponseDueText(const KindInput& in);
KindText AppealWindowClosingText(const KindInput& in);
KindText BalanceShortText(const KindInput& in);
KindText UnpaidFeesText(const KindInput& in);
KindText RefundOverdueText(const KindInput& in);
KindText AccountMismatchText(const KindInput& in);
KindText MetricBelowThresholdText(const KindInput& in);
KindText ClosureBlockedText(const KindInput& in);
KindText ReopenCoolingOffText(const KindInput& in);
KindText FeedSilentText(const KindInput& in);
KindText FeedDeauthorizedText(const KindInput& in);
KindText SinkFailingText(const KindInput& in);

// Shared pieces of the sentences.
// `text` as an aside (s.paren), or "" when `text` is empty.
std::string Paren(const Sentences& s, absl::string_view text);
// `text` as an aside (s.paren), or s.no_aside when `text` is empty.
std::string Aside(const Sentences& s, absl::string_view text);
// `items` joined by s.list_separator as an aside, or s.no_aside when there
// are no items (an item may be empty: it still makes an aside).
std::string AsideList(const Sentences& s,
                      const std::vector<std::string>& items);

}  // namespace depositd::notifier

#endif  // DEPOSITD_NOTIFIER_KIND_TEXT_H_
