#include "notifier/finding_text.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/substitute.h"
#include "common/currency.h"
#include "common/timestamps.h"
#include "depositd/v1/readiness.pb.h"
#include "notifier/phrases.h"
#include "notifier/sentences.h"
#include "watchers/evidence_keys.h"

namespace depositd::notifier {
namespace {

namespace evidence = watchers::evidence;
using common::FromTimestamp;

// What one kind's wording reads. Borrowed for one call.
struct Input {
  const v1::Finding& f;
  const Sentences::Findings& s;
  const Phrases& words;
  const FindingWording& how;
  // Evidence by key: "" when absent.
  std::string operator[](absl::string_view key) const {
    auto it = f.evidence().find(std::string(key));
    return it == f.evidence().end() ? std::string() : it->second;
  }
  // due_at in the profile's zone, as the evidence's times are.
  std::string Due() const {
    return absl::FormatTime("%Y-%m-%d %H:%M %Ez", FromTimestamp(f.due_at()),
                            how.zone);
  }
};

struct Text {
  std::string summary;
  std::string action;
};

Text Inactivity(const Input& in) {
  const bool crossed = in.f.stage() == "crossed";
  const std::string at_risk =
      in.f.has_amount_at_risk()
          ? absl::Substitute(
                in.s.inactivity_amount,
                common::FormatMoney(in.f.amount_at_risk().minor_units(),
                                    in.f.amount_at_risk().currency()))
          : std::string();
  return {absl::Substitute(
              crossed ? in.s.inactivity_crossed : in.s.inactivity_counting,
              in[evidence::kDaysWithoutSale], in[evidence::kLimitDays],
              in[evidence::kDeductionPercent], at_risk, in.f.stage()),
          crossed ? std::string(in.s.inactivity_act_now)
                  : absl::Substitute(in.s.inactivity_sell_by, in.Due())};
}

Text DisputeResponseDue(const Input& in) {
  return {absl::Substitute(in.f.stage() == "breached" ? in.s.dispute_breached
                                                      : in.s.dispute_unanswered,
                           in[evidence::kDisputeId], in[evidence::kDisputeKind],
                           in[evidence::kResponseDueAt], in.f.stage()),
          std::string(in[evidence::kDisputeKind] == "NOT_RECEIVED"
                          ? in.s.dispute_upload_proof
                          : in.s.dispute_respond)};
}

Text AppealWindowClosing(const Input& in) {
  return {
      absl::Substitute(in.s.appeal_closing, in[evidence::kDeductionId],
                       in[evidence::kAmount], in[evidence::kAppealDeadline]),
      std::string(in.s.appeal_file)};
}

Text BalanceShort(const Input& in) {
  return {absl::Substitute(in.s.balance_short, in[evidence::kBalance],
                           in[evidence::kRequired], in[evidence::kShortfall]),
          std::string(in.s.balance_top_up)};
}

Text UnpaidFees(const Input& in) {
  return {absl::Substitute(in.s.fee_unpaid, in[evidence::kFeeId],
                           in[evidence::kCategory], in[evidence::kOutstanding],
                           in[evidence::kDaysOverdue]),
          std::string(in.s.fee_pay)};
}

Text MetricBelowThreshold(const Input& in) {
  const std::string metric = in[evidence::kMetric];
  // The one metric with a maximum; the others have a minimum.
  return {absl::Substitute(metric == "return_rate_pct" ? in.s.metric_above
                                                       : in.s.metric_below,
                           metric, in[evidence::kValue],
                           in[evidence::kThreshold], in.words.Metric(metric)),
          std::string(in.s.metric_improve)};
}

// The blockers that need action, as the watcher put them in the evidence
// (one entry per condition, keyed by its name), in condition order, as
// "R3_OPEN_DISPUTES: <the blocker's summary>"; then, once the post-closure
// grace has passed (the stage ends "-grace-passed"), that line.
Text ClosureBlocked(const Input& in) {
  std::map<int, std::string> blockers;
  for (const auto& [k, v] : in.f.evidence()) {
    v1::Condition c;
    if (v1::Condition_Parse(k, &c) && c != v1::CONDITION_UNSPECIFIED) {
      blockers[c] = absl::StrCat(k, ": ", v);
    }
  }
  std::vector<std::string> lines;
  for (auto& [c, line] : blockers) lines.push_back(std::move(line));
  const size_t count = lines.size();
  if (absl::EndsWith(in.f.stage(), "-grace-passed")) {
    lines.push_back(
        absl::Substitute(in.s.closure_grace_ended, in[evidence::kGraceEndsAt]));
  }
  return {absl::Substitute(in.s.closure_blocked, count,
                           absl::StrJoin(lines, in.s.closure_separator)),
          std::string(in.s.closure_clear_each)};
}

Text RefundOverdue(const Input& in) {
  return {absl::Substitute(in.s.refund_overdue, in[evidence::kExpectedPaidAt]),
          std::string(in.s.refund_chase)};
}

// The refund account evidence is "channel/account currency"; the account
// alone is what follows the first '/' up to the last ' '.
std::string AccountAlone(absl::string_view refund) {
  const size_t slash = refund.find('/');
  if (slash != absl::string_view::npos) refund.remove_prefix(slash + 1);
  const size_t space = refund.rfind(' ');
  if (space != absl::string_view::npos) refund = refund.substr(0, space);
  return std::string(refund);
}

Text AccountMismatch(const Input& in) {
  const std::string refund = in[evidence::kRefundAccount];
  const std::vector<std::string> paying =
      absl::StrSplit(in[evidence::kPayingAccounts], ", ");
  return {absl::Substitute(in.s.account_mismatch, refund,
                           absl::StrJoin(paying, in.s.account_separator),
                           AccountAlone(refund)),
          std::string(in.s.account_fix)};
}

Text ReopenCoolingOff(const Input& in) {
  const std::string period =
      in.f.evidence().contains(evidence::kCoolingOffMonths)
          ? absl::Substitute(in.s.reopen_months,
                             in[evidence::kCoolingOffMonths])
          : absl::Substitute(in.s.reopen_days, in[evidence::kCoolingOffDays]);
  return {absl::Substitute(in.s.reopen_inside, period, in.Due()),
          std::string(in.s.reopen_check)};
}

Text FeedDeauthorized(const Input& in) {
  if (in[evidence::kFeedState] == "DEAUTHORIZED") {
    return {absl::Substitute(in.s.feed_revoked, in[evidence::kChangedAt]),
            std::string(in.s.feed_reauthorize)};
  }
  return {absl::Substitute(in.f.stage() == "expired" ? in.s.feed_expired
                                                     : in.s.feed_expiring,
                           in[evidence::kExpiresAt]),
          std::string(in.s.feed_renew)};
}

// Silent for the limit at due_at and for every whole minute since (exact
// for a silence of whole minutes, which is what the configuration holds).
Text FeedSilent(const Input& in) {
  int64_t limit = 0;
  (void)absl::SimpleAtoi(in[evidence::kSilenceMinutes], &limit);
  const int64_t minutes =
      limit + absl::ToInt64Minutes(in.how.now - FromTimestamp(in.f.due_at()));
  return {absl::Substitute(in.s.silent, in.f.key().tenant(), limit,
                           in[evidence::kLastEventAt], minutes),
          std::string(in.s.silent_check)};
}

}  // namespace

FindingWording WordingFor(const watchers::ResolvedProfile& profile,
                          absl::Time now) {
  FindingWording how;
  how.language = profile.language;
  if (profile.calendar != nullptr) how.zone = profile.calendar->zone();
  how.now = now;
  return how;
}

void WordFinding(const FindingWording& how, v1::Finding* finding) {
  const Input in{*finding, SentencesFor(how.language).finding,
                 PhrasesFor(how.language), how};
  Text t;
  switch (finding->key().kind()) {
    case v1::INACTIVITY:
      t = Inactivity(in);
      break;
    case v1::DISPUTE_RESPONSE_DUE:
      t = DisputeResponseDue(in);
      break;
    case v1::APPEAL_WINDOW_CLOSING:
      t = AppealWindowClosing(in);
      break;
    case v1::BALANCE_SHORT:
      t = BalanceShort(in);
      break;
    case v1::UNPAID_FEES:
      t = UnpaidFees(in);
      break;
    case v1::METRIC_BELOW_THRESHOLD:
      t = MetricBelowThreshold(in);
      break;
    case v1::CLOSURE_BLOCKED:
      t = ClosureBlocked(in);
      break;
    case v1::REFUND_OVERDUE:
      t = RefundOverdue(in);
      break;
    case v1::ACCOUNT_MISMATCH:
      t = AccountMismatch(in);
      break;
    case v1::REOPEN_COOLING_OFF:
      t = ReopenCoolingOff(in);
      break;
    case v1::FEED_DEAUTHORIZED:
      t = FeedDeauthorized(in);
      break;
    case v1::FEED_SILENT:
      t = FeedSilent(in);
      break;
    default:
      return;  // SINK_FAILING: the sink dispatcher words its own
  }
  finding->set_summary(std::move(t.summary));
  finding->set_action(std::move(t.action));
}

void WordFindings(const FindingWording& how,
                  std::vector<v1::Finding>* findings) {
  for (v1::Finding& f : *findings) WordFinding(how, &f);
}

}  // namespace depositd::notifier
