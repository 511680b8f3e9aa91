// The texts of the deadline watchers' kinds (kind_text.h): INACTIVITY,
// DISPUTE_RESPONSE_DUE, APPEAL_WINDOW_CLOSING.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/substitute.h"
#include "notifier/kind_text.h"
#include "watchers/evidence_keys.h"

namespace depositd::notifier {

namespace evidence = watchers::evidence;

KindText InactivityText(const KindInput& in) {
  const Sentences::Inactivity& s = in.s.inactivity;
  KindText out;
  const bool crossed = in.alert.stage() == "crossed";
  if (in.ev.Has(evidence::kDaysWithoutSale) &&
      in.ev.Has(evidence::kLimitDays)) {
    out.risk = absl::Substitute(
        crossed ? s.crossed : s.counting, in.ev[evidence::kDaysWithoutSale],
        in.ev[evidence::kLimitDays], in.ev[evidence::kDeductionPercent],
        Paren(in.s, in.money));
  }
  if (crossed) {
    out.action = std::string(s.act_now);
  } else if (!in.due.empty()) {
    out.action = absl::Substitute(s.sell_by, in.due);
  }
  return out;
}

KindText DisputeResponseDueText(const KindInput& in) {
  const Sentences::DisputeResponseDue& s = in.s.dispute;
  const std::string& subject = in.alert.key().subject();
  KindText out;
  if (!subject.empty())
    out.subject = absl::Substitute(in.s.subject.dispute, subject);
  const std::string id =
      in.ev.Has(evidence::kDisputeId) ? in.ev[evidence::kDisputeId] : subject;
  if (!id.empty()) {
    std::vector<std::string> about;
    if (in.ev.Has(evidence::kDisputeKind)) {
      about.push_back(in.words.DisputeKind(in.ev[evidence::kDisputeKind]));
    }
    if (in.ev.Has(evidence::kOrderId)) {
      about.push_back(absl::Substitute(s.order, in.ev[evidence::kOrderId]));
    }
    const bool breached = in.alert.stage() == "breached";
    out.risk = absl::Substitute(breached ? s.breached : s.unanswered, id,
                                AsideList(in.s, about));
    if (!in.money.empty()) {
      absl::StrAppend(&out.risk, absl::Substitute(s.at_stake, in.money));
    }
  }
  out.action = absl::Substitute(in.ev[evidence::kDisputeKind] == "NOT_RECEIVED"
                                    ? s.upload_proof
                                    : s.respond,
                                id);
  return out;
}

KindText AppealWindowClosingText(const KindInput& in) {
  const Sentences::AppealWindowClosing& s = in.s.appeal;
  const std::string& subject = in.alert.key().subject();
  KindText out;
  if (!subject.empty()) {
    out.subject = absl::Substitute(in.s.subject.deduction, subject);
  }
  const std::string id = in.ev.Has(evidence::kDeductionId)
                             ? in.ev[evidence::kDeductionId]
                             : subject;
  if (!id.empty()) {
    const std::string amount =
        in.ev.Has(evidence::kAmount) ? in.ev[evidence::kAmount] : in.money;
    std::vector<std::string> about;
    if (!amount.empty()) about.push_back(amount);
    if (!in.ev[evidence::kReason].empty()) {
      about.push_back(absl::Substitute(s.reason, in.ev[evidence::kReason]));
    }
    if (in.ev[evidence::kCounterfeit] == "true") {
      about.push_back(std::string(s.counterfeit));
    }
    out.risk = absl::Substitute(s.closing, id, AsideList(in.s, about));
  }
  out.action =
      absl::Substitute(s.appeal, id,
                       in.due.empty() ? std::string(s.before_close)
                                      : absl::Substitute(s.by_due, in.due));
  return out;
}

}  // namespace depositd::notifier
