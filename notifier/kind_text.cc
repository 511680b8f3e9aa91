#include "notifier/kind_text.h"

#include "absl/strings/str_join.h"
#include "absl/strings/substitute.h"
#include "watchers/evidence_keys.h"

namespace depositd::notifier {

namespace evidence = watchers::evidence;

std::string EvidenceText::operator[](absl::string_view key) const {
  auto it = alert_.evidence().find(std::string(key));
  if (it == alert_.evidence().end()) return std::string();
  if (key == evidence::kAmount || key == evidence::kBalance ||
      key == evidence::kRequired || key == evidence::kShortfall ||
      key == evidence::kOutstanding) {
    return words_.Money(it->second);
  }
  return it->second;
}

bool EvidenceText::Has(absl::string_view key) const {
  return alert_.evidence().contains(std::string(key));
}

std::string Paren(const Sentences& s, absl::string_view text) {
  return text.empty() ? std::string() : absl::Substitute(s.paren, text);
}

std::string Aside(const Sentences& s, absl::string_view text) {
  return text.empty() ? std::string(s.no_aside)
                      : absl::Substitute(s.paren, text);
}

std::string AsideList(const Sentences& s,
                      const std::vector<std::string>& items) {
  return items.empty() ? std::string(s.no_aside)
                       : absl::Substitute(
                             s.paren, absl::StrJoin(items, s.list_separator));
}

KindText DescribeKind(const KindInput& in) {
  switch (in.alert.key().kind()) {
    case v1::INACTIVITY:
      return InactivityText(in);
    case v1::DISPUTE_RESPONSE_DUE:
      return DisputeResponseDueText(in);
    case v1::APPEAL_WINDOW_CLOSING:
      return AppealWindowClosingText(in);
    case v1::BALANCE_SHORT:
      return BalanceShortText(in);
    case v1::UNPAID_FEES:
      return UnpaidFeesText(in);
    case v1::REFUND_OVERDUE:
      return RefundOverdueText(in);
    case v1::ACCOUNT_MISMATCH:
      return AccountMismatchText(in);
    case v1::METRIC_BELOW_THRESHOLD:
      return MetricBelowThresholdText(in);
    case v1::CLOSURE_BLOCKED:
      return ClosureBlockedText(in);
    case v1::REOPEN_COOLING_OFF:
      return ReopenCoolingOffText(in);
    case v1::FEED_SILENT:
      return FeedSilentText(in);
    case v1::FEED_DEAUTHORIZED:
      return FeedDeauthorizedText(in);
    case v1::SINK_FAILING:
      return SinkFailingText(in);
    default:
      return KindText();
  }
}

}  // namespace depositd::notifier
