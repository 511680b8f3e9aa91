// The English sentence table (see sentences.h).
#include "notifier/sentences.h"

namespace depositd::notifier {
namespace {

Sentences* MakeEnglish() {
  auto* s = new Sentences();
  s->paren = " ($0)";
  s->no_aside = "";
  s->list_separator = ", ";

  s->one_day = "$0 day";
  s->days = "$0 days";
  s->hours = "$0 h";
  s->minutes = "$0 min";
  s->now = "now";
  s->in = "in $0";
  s->overdue_by = "overdue by $0";
  s->full_alerts = "Full alerts: depositctl alerts list --tenant $0";
  s->digest_one = "$1 alert for tenant $0$2";
  s->digest_many = "$1 alerts for tenant $0$2";
  s->digest_critical = " ($0 critical)";

  s->tenant = "tenant $0";
  s->tenant_all_shops = "tenant $0 (all shops)";
  s->shop_and_subject = "$0, $1";
  s->title = "[$0] $1: $2 — $3$4";

  s->status.opened = "New alert, firing since $0.";
  s->status.escalated = "Escalated to stage $0 ($1); firing since $2.";
  s->status.repeated =
      "Reminder: still firing since $0 ($1) and not acknowledged.";
  s->status.acknowledged =
      "Acknowledged by $0: reminders stop; escalation and resolution are "
      "still sent.";
  s->status.someone = "someone";
  s->status.updated =
      "Updated (not a new page): firing since $0; what follows is the "
      "situation now.";
  s->status.cleared = "Resolved at $0 (lasted $1); no action needed any more.";

  s->subject.dispute = "dispute $0";
  s->subject.deduction = "deduction $0";
  s->subject.currency = "currency $0";
  s->subject.fee = "fee $0";
  s->subject.metric = "metric $0";
  s->subject.sink = "sink $0";
  s->subject.reopen = "reopen";
  s->subject.registration = "new shop registration";

  s->inactivity.counting =
      "$0 days without a sale; at $1 days $2% of the deposit$3 is deducted";
  s->inactivity.crossed =
      "$0 days without a sale: the $1-day limit is crossed and $2% of the "
      "deposit$3 is deducted";
  s->inactivity.act_now =
      "Make a sale now and ask the platform about the deduction.";
  s->inactivity.sell_by =
      "Make at least one sale before $0; a sale restarts the count.";

  s->dispute.order = "order $0";
  s->dispute.unanswered =
      "dispute $0$1 is unanswered and must be answered before its deadline";
  s->dispute.breached = "dispute $0$1 passed its response deadline unanswered";
  s->dispute.at_stake = "; $0 at stake";
  s->dispute.upload_proof =
      "Upload proof of delivery (logistics tracking) and respond to dispute "
      "$0.";
  s->dispute.respond = "Respond to dispute $0 with evidence now.";

  s->appeal.reason = "reason: $0";
  s->appeal.counterfeit = "counterfeit finding";
  s->appeal.closing =
      "the appeal window for deduction $0$1 is closing and no appeal is "
      "filed; after it closes the deduction is final";
  s->appeal.by_due = "$0";
  s->appeal.before_close = "the window closes";
  s->appeal.appeal =
      "If you dispute deduction $0, file the appeal with evidence before $1.";

  s->balance.short_by =
      "the deposit balance $0 is below the required $1 (short by $2)";
  s->balance.by = " by $0";
  s->balance.top_up = "Top up the deposit$0 to the required $1.";

  s->fees.unpaid =
      "fee $0$1 of $2 is unpaid $3 days after it was due; unpaid fees block "
      "the deposit refund";
  s->fees.pay = "Pay fee $0$1 now.";

  s->metric.below_minimum =
      "the $0 is $1, below the minimum $2; the platform checks it before "
      "refunding the deposit";
  s->metric.above_maximum =
      "the $0 is $1, above the maximum $2; the platform checks it before "
      "refunding the deposit";
  s->metric.improve =
      "Bring the $0 back within the threshold, or the deposit refund may be "
      "refused.";

  s->closure.requested = "closure was requested";
  s->closure.requested_at = "closure was requested at $0";
  s->closure.blocked_one = "$0 but $1 condition blocks the deposit refund:";
  s->closure.blocked_many = "$0 but $1 conditions block the deposit refund:";
  s->closure.clear_each =
      "Clear each blocker listed above (disputes, fees, violations, account, "
      "…); the platform refunds the deposit only when none remains.";

  s->refund.amount = " of $0";
  s->refund.overdue =
      "the deposit refund$1 was expected by $0 and has not "
      "arrived";
  s->refund.chase =
      "Chase the platform's refund team; keep the application and the payment "
      "receipts.";

  s->account.mismatch =
      "the refund account $0 differs from the paying accounts ($1) in "
      "channel, account or currency; deposits are refunded by the original "
      "path only";
  s->account.fix =
      "Set the refund account to the paying channel, account and currency.";

  s->reopen.entity_named = "legal entity $0";
  s->reopen.entity_unnamed = "a legal entity";
  s->reopen.registration =
      "the shop was registered at $0 by $1 whose other shop closed at $2, "
      "inside the $3-day cooling-off period; it may be rejected";
  s->reopen.reopen =
      "the shop was reopened at $2, inside the $1-day cooling-off period "
      "after its closure at $0; it may be rejected";
  s->reopen.or_wait_until = ", or wait until $0";
  s->reopen.check_rule =
      "Check the platform's cooling-off rule before going on$0.";

  s->silent.last = " (last $0)";
  s->silent.silent =
      "no events from tenant $0 for $1 minutes$2 — depositd cannot see its "
      "shops' risks; check the integration";
  s->silent.check =
      "Check the integration of tenant $0: its event pusher, its platform "
      "authorization and the network path to depositd.";

  s->feed.revoked_at = " at $0";
  s->feed.revoked =
      "the shop's feed was revoked$0: depositd no longer sees its orders, "
      "disputes or deductions";
  s->feed.expired =
      "the shop's feed authorization expired at $0: depositd cannot see this "
      "shop";
  s->feed.expiring =
      "the shop's feed authorization expires at $0; after that depositd "
      "cannot see this shop";
  s->feed.reauthorize =
      "Re-authorize the integration in the platform's seller centre, then "
      "re-send the events missed meanwhile.";
  s->feed.by_due = "$0";
  s->feed.before_expiry = "it expires";
  s->feed.renew =
      "Renew the integration's authorization in the platform's seller centre "
      "before $0.";

  s->sink.refused_alert = "; alert $0 did not reach it";
  s->sink.refuses =
      "sink $0$1 refuses alerts: $2$3$4, so the people behind it see nothing";
  s->sink.check =
      "Check sink $0's URL, secret (signature) and keyword rule, on the "
      "platform and in the configuration; the refused alerts are listed by "
      "depositctl alerts list --tenant $1.";
  s->finding.inactivity_amount = " ($0)";
  s->finding.inactivity_counting =
      "$0 days without a sale; $4 before a $2% deduction of the deposit$3 at "
      "$1 days";
  s->finding.inactivity_crossed =
      "$0 days without a sale: the $1-day limit is crossed; $2% of the "
      "deposit$3 is deducted";
  s->finding.inactivity_act_now =
      "Make a sale now and ask the platform about the deduction.";
  s->finding.inactivity_sell_by = "Make at least one sale before $0.";
  s->finding.dispute_unanswered =
      "dispute $0 ($1) must be answered by $2 ($3 left)";
  s->finding.dispute_breached =
      "dispute $0 ($1) passed its response deadline $2";
  s->finding.dispute_upload_proof =
      "Upload proof of delivery (logistics tracking) and respond.";
  s->finding.dispute_respond = "Respond to the dispute with evidence now.";
  s->finding.appeal_closing =
      "appeal window for deduction $0 ($1) closes $2; no appeal filed";
  s->finding.appeal_file =
      "File the appeal with evidence before the window closes.";
  s->finding.balance_short =
      "deposit balance $0 is below the required $1 (short by $2)";
  s->finding.balance_top_up = "Top up the deposit to the required amount.";
  s->finding.fee_unpaid = "fee $0 ($1) $2 unpaid $3 days after it was due";
  s->finding.fee_pay = "Pay the fee; unpaid fees block the deposit refund.";
  s->finding.metric_below = "$0 is $1, below the threshold $2";
  s->finding.metric_above = "$0 is $1, above the threshold $2";
  s->finding.metric_improve =
      "Improve the metric; the platform checks it before refunding.";
  s->finding.closure_blocked =
      "closure requested but $0 conditions block the refund: $1";
  s->finding.closure_separator = "; ";
  s->finding.closure_grace_ended =
      "the post-closure grace ended $0: the refund may be rejected";
  s->finding.closure_clear_each =
      "Clear each blocker listed (disputes, fees, violations, account, …).";
  s->finding.refund_overdue =
      "the deposit refund was expected by $0 and has not arrived";
  s->finding.refund_chase =
      "Chase the platform's refund team; keep the application and receipts.";
  s->finding.account_mismatch =
      "refund account $0 differs from the paying accounts: $1";
  s->finding.account_separator = ", ";
  s->finding.account_fix =
      "Refunds go back by the original path: set the refund account to the "
      "paying channel, account and currency.";
  s->finding.reopen_months = "$0-month";
  s->finding.reopen_days = "$0-day";
  s->finding.reopen_inside =
      "reopen attempted inside the $0 cooling-off period after closure (ends "
      "$1)";
  s->finding.reopen_check =
      "Check the platform's cooling-off rule before reopening; the attempt "
      "may be rejected.";
  s->finding.feed_revoked =
      "the shop's feed was deauthorized at $0: depositd no longer sees its "
      "orders, disputes or deductions";
  s->finding.feed_reauthorize =
      "Re-authorize the integration in the platform's seller centre, then "
      "re-send the events missed meanwhile.";
  s->finding.feed_expired =
      "the shop's feed authorization expired at $0: depositd cannot see this "
      "shop";
  s->finding.feed_expiring =
      "the shop's feed authorization expires at $0; after that depositd "
      "cannot see this shop";
  s->finding.feed_renew =
      "Renew the integration's authorization in the platform's seller centre "
      "before it expires.";
  s->finding.silent =
      "no events from tenant $0 for $3 minutes (limit $1, last at $2): "
      "depositd cannot see its shops' risks";
  s->finding.silent_check =
      "Check the tenant's integration: its event pusher, its platform "
      "authorization and the network path to depositd.";
  return s;
}

}  // namespace

const Sentences& EnglishSentences() {
  static const Sentences* const table = MakeEnglish();
  return *table;
}

}  // namespace depositd::notifier
