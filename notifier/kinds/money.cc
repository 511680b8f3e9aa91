// The texts of the money watchers' kinds (kind_text.h): BALANCE_SHORT,
// UNPAID_FEES, REFUND_OVERDUE, ACCOUNT_MISMATCH.
#include <string>

#include "absl/strings/substitute.h"
#include "notifier/kind_text.h"
#include "watchers/evidence_keys.h"

namespace depositd::notifier {

namespace evidence = watchers::evidence;

KindText BalanceShortText(const KindInput& in) {
  const Sentences::BalanceShort& s = in.s.balance;
  const std::string& subject = in.alert.key().subject();
  KindText out;
  if (!subject.empty()) {
    out.subject = absl::Substitute(in.s.subject.currency, subject);
  }
  if (in.ev.Has(evidence::kBalance) && in.ev.Has(evidence::kRequired)) {
    const std::string shortfall = in.ev.Has(evidence::kShortfall)
                                      ? in.ev[evidence::kShortfall]
                                      : in.money;
    out.risk = absl::Substitute(s.short_by, in.ev[evidence::kBalance],
                                in.ev[evidence::kRequired], shortfall);
  }
  if (in.ev.Has(evidence::kRequired)) {
    out.action = absl::Substitute(
        s.top_up,
        in.ev.Has(evidence::kShortfall)
            ? absl::Substitute(s.by, in.ev[evidence::kShortfall])
            : std::string(),
        in.ev[evidence::kRequired]);
  }
  return out;
}

KindText UnpaidFeesText(const KindInput& in) {
  const Sentences::UnpaidFees& s = in.s.fees;
  const std::string& subject = in.alert.key().subject();
  KindText out;
  if (!subject.empty())
    out.subject = absl::Substitute(in.s.subject.fee, subject);
  const std::string id =
      in.ev.Has(evidence::kFeeId) ? in.ev[evidence::kFeeId] : subject;
  if (!id.empty() && in.ev.Has(evidence::kDaysOverdue)) {
    const std::string owed = in.ev.Has(evidence::kOutstanding)
                                 ? in.ev[evidence::kOutstanding]
                                 : in.money;
    out.risk = absl::Substitute(
        s.unpaid, id,
        Aside(in.s, in.words.FeeCategory(in.ev[evidence::kCategory])), owed,
        in.ev[evidence::kDaysOverdue]);
  }
  out.action = absl::Substitute(
      s.pay, id,
      in.ev.Has(evidence::kOutstanding)
          ? absl::Substitute(in.s.paren, in.ev[evidence::kOutstanding])
          : std::string());
  return out;
}

KindText RefundOverdueText(const KindInput& in) {
  const Sentences::RefundOverdue& s = in.s.refund;
  KindText out;
  const std::string expected = in.ev.Has(evidence::kExpectedPaidAt)
                                   ? in.ev[evidence::kExpectedPaidAt]
                                   : in.due;
  if (!expected.empty()) {
    out.risk = absl::Substitute(s.overdue, expected,
                                in.money.empty()
                                    ? std::string()
                                    : absl::Substitute(s.amount, in.money));
  }
  out.action = std::string(s.chase);
  return out;
}

KindText AccountMismatchText(const KindInput& in) {
  const Sentences::AccountMismatch& s = in.s.account;
  KindText out;
  if (in.ev.Has(evidence::kRefundAccount) &&
      in.ev.Has(evidence::kPayingAccounts)) {
    out.risk = absl::Substitute(s.mismatch, in.ev[evidence::kRefundAccount],
                                in.ev[evidence::kPayingAccounts]);
  }
  out.action = std::string(s.fix);
  return out;
}

}  // namespace depositd::notifier
