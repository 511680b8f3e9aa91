// Sentences: the templates of a message's sentences in one language, one
// group per alert kind plus the pieces every message shares (status lines,
// durations, relative times). Where phrases.h holds the domain's words
// ("item not received" / "买家称未收到货"), this holds how a sentence is put
// together around them, so that the per-kind texts (kind_text.h) build every
// sentence once, for any language, and a language differs only in its table
// (sentences_en.cc, sentences_zh.cc).
//
// Each template is an absl::Substitute format: "$0", "$1", … are the
// arguments its comment names, in that order; languages put them where their
// grammar wants them ("$0 days without a sale" / "已连续 $0 天无销售").
//
// Pure: no I/O. Thread-safe: the tables are immutable singletons.
#ifndef DEPOSITD_NOTIFIER_SENTENCES_H_
#define DEPOSITD_NOTIFIER_SENTENCES_H_

#include "absl/strings/string_view.h"

namespace depositd::notifier {

struct Sentences {
  // --- Pieces.
  // An aside after a word, $0: " ($0)" / "（$0）".
  absl::string_view paren;
  // What an absent aside leaves between two words: "" / " " (Chinese sets
  // ids apart by a space unless a full-width bracket does).
  absl::string_view no_aside;
  // Between the items of a list: ", " / "，".
  absl::string_view list_separator;

  // --- Durations and times.
  absl::string_view one_day;  // $0 = 1
  absl::string_view days;     // $0 days
  absl::string_view hours;    // $0 hours
  absl::string_view minutes;  // $0 minutes
  absl::string_view now;
  absl::string_view in;          // $0 = a duration
  absl::string_view overdue_by;  // $0 = a duration
  // Where the whole alert is: $0 tenant.
  absl::string_view full_alerts;
  // A digest's title (digest.h): $0 tenant, $1 how many alerts, $2 the
  // critical aside (digest_critical, or "").
  absl::string_view digest_one;
  absl::string_view digest_many;
  absl::string_view digest_critical;  // $0 how many are critical

  // --- Which shop, the title and the lines around the risk.
  absl::string_view tenant;            // $0 tenant
  absl::string_view tenant_all_shops;  // $0 tenant
  // $0 "tenant/shop", $1 the subject in words.
  absl::string_view shop_and_subject;
  // $0 severity, $1 change, $2 kind title, $3 where, $4 the subject aside
  // (paren, or "" without a subject).
  absl::string_view title;

  // Why a transition was sent; times are UTC date-times.
  struct Status {
    absl::string_view opened;        // $0 starts
    absl::string_view escalated;     // $0 stage, $1 severity, $2 starts
    absl::string_view repeated;      // $0 starts, $1 how long
    absl::string_view acknowledged;  // $0 by whom
    absl::string_view someone;       // by whom, when nobody is named
    absl::string_view updated;       // $0 starts
    absl::string_view cleared;       // $0 ends, $1 how long
  } status;

  // What a key's subject names: $0 the subject (a metric in words).
  struct Subjects {
    absl::string_view dispute;
    absl::string_view deduction;
    absl::string_view currency;
    absl::string_view fee;
    absl::string_view metric;
    absl::string_view sink;
    absl::string_view reopen;        // no argument
    absl::string_view registration;  // no argument
  } subject;

  // --- Per alert kind: `risk` sentences (what is at risk) and `action`s.
  struct Inactivity {
    // $0 days without a sale, $1 limit days, $2 deduction %, $3 the amount
    // aside (paren, or "").
    absl::string_view counting;
    absl::string_view crossed;
    absl::string_view act_now;  // when crossed
    absl::string_view sell_by;  // $0 deadline
  } inactivity;

  struct DisputeResponseDue {
    absl::string_view order;  // $0 order id, in the aside
    // $0 dispute id, $1 the aside (kind, order) or no_aside.
    absl::string_view unanswered;
    absl::string_view breached;
    absl::string_view at_stake;      // appended: $0 money
    absl::string_view upload_proof;  // $0 dispute id (NOT_RECEIVED)
    absl::string_view respond;       // $0 dispute id
  } dispute;

  struct AppealWindowClosing {
    absl::string_view reason;       // $0 reason, in the aside
    absl::string_view counterfeit;  // in the aside
    // $0 deduction id, $1 the aside (amount, reason, counterfeit) or
    // no_aside.
    absl::string_view closing;
    absl::string_view by_due;        // $0 due
    absl::string_view before_close;  // without a due time
    // $0 deduction id, $1 by_due or before_close.
    absl::string_view appeal;
  } appeal;

  struct BalanceShort {
    // $0 balance, $1 required, $2 shortfall.
    absl::string_view short_by;
    absl::string_view by;  // $0 shortfall, in the action
    // $0 by (or ""), $1 required.
    absl::string_view top_up;
  } balance;

  struct UnpaidFees {
    // $0 fee id, $1 the category aside or no_aside, $2 amount owed, $3 days
    // overdue.
    absl::string_view unpaid;
    // $0 fee id, $1 the outstanding aside (paren, or "").
    absl::string_view pay;
  } fees;

  struct MetricBelowThreshold {
    // $0 the metric in words, $1 value, $2 threshold.
    absl::string_view below_minimum;
    absl::string_view above_maximum;
    absl::string_view improve;  // $0 the metric in words
  } metric;

  struct ClosureBlocked {
    absl::string_view requested;     // no argument
    absl::string_view requested_at;  // $0 when
    // $0 requested(_at), $1 how many conditions.
    absl::string_view blocked_one;
    absl::string_view blocked_many;
    absl::string_view clear_each;
  } closure;

  struct RefundOverdue {
    absl::string_view amount;  // $0 money, as it sits in `overdue`
    // $0 expected date, $1 amount (or "").
    absl::string_view overdue;
    absl::string_view chase;
  } refund;

  struct AccountMismatch {
    // $0 refund account, $1 paying accounts.
    absl::string_view mismatch;
    absl::string_view fix;
  } account;

  struct ReopenCoolingOff {
    absl::string_view entity_named;    // $0 legal entity
    absl::string_view entity_unnamed;  // no argument
    // $0 attempt, $1 entity, $2 closed at, $3 cooling-off days.
    absl::string_view registration;
    // $0 closed at, $1 cooling-off days, $2 attempt.
    absl::string_view reopen;
    absl::string_view or_wait_until;  // $0 due, appended to check_rule
    absl::string_view check_rule;     // $0 or_wait_until (or "")
  } reopen;

  struct FeedSilent {
    absl::string_view last;  // $0 last event at
    // $0 tenant, $1 minutes, $2 last (or "").
    absl::string_view silent;
    absl::string_view check;  // $0 tenant
  } silent;

  struct FeedDeauthorized {
    absl::string_view revoked_at;  // $0 when
    absl::string_view revoked;     // $0 revoked_at (or "")
    absl::string_view expired;     // $0 when
    absl::string_view expiring;    // $0 when
    absl::string_view reauthorize;
    absl::string_view by_due;         // $0 due
    absl::string_view before_expiry;  // without a due time
    absl::string_view renew;          // $0 by_due or before_expiry
  } feed;

  struct SinkFailing {
    absl::string_view refused_alert;  // $0 alert key
    // $0 sink, $1 the type aside or no_aside, $2 reason, $3 the detail aside
    // (paren, or ""), $4 refused_alert (or "").
    absl::string_view refuses;
    absl::string_view check;  // $0 sink, $1 tenant
  } sink;

  // --- A finding's own summary and action (v1::Finding.summary/action,
  // shown by depositctl, the webhook body and Alert.summary; finding_text.h),
  // per kind. Shorter than a message's sentences, and older: they keep the
  // words the watchers used to write. Times are in the profile's zone,
  // money as common::FormatMoney writes it.
  struct Findings {
    // INACTIVITY: $0 days without a sale, $1 limit days, $2 deduction %,
    // $3 the amount aside (amount, or ""), $4 the stage ("30d").
    absl::string_view inactivity_amount;  // $0 money
    absl::string_view inactivity_counting;
    absl::string_view inactivity_crossed;
    absl::string_view inactivity_act_now;
    absl::string_view inactivity_sell_by;  // $0 deadline
    // DISPUTE_RESPONSE_DUE: $0 id, $1 kind code, $2 due, $3 stage ("6h").
    absl::string_view dispute_unanswered;
    absl::string_view dispute_breached;
    absl::string_view dispute_upload_proof;  // NOT_RECEIVED
    absl::string_view dispute_respond;
    // APPEAL_WINDOW_CLOSING: $0 id, $1 amount, $2 deadline.
    absl::string_view appeal_closing;
    absl::string_view appeal_file;
    // BALANCE_SHORT: $0 balance, $1 required, $2 shortfall.
    absl::string_view balance_short;
    absl::string_view balance_top_up;
    // UNPAID_FEES: $0 id, $1 category code, $2 outstanding, $3 days.
    absl::string_view fee_unpaid;
    absl::string_view fee_pay;
    // METRIC_BELOW_THRESHOLD: $0 metric code, $1 value, $2 threshold,
    // $3 the metric in words.
    absl::string_view metric_below;
    absl::string_view metric_above;
    absl::string_view metric_improve;
    // CLOSURE_BLOCKED: $0 how many, $1 the blockers joined by
    // closure_separator ("R3_OPEN_DISPUTES: <summary>").
    absl::string_view closure_blocked;
    absl::string_view closure_separator;
    absl::string_view closure_grace_ended;  // $0 grace end
    absl::string_view closure_clear_each;
    // REFUND_OVERDUE: $0 expected date.
    absl::string_view refund_overdue;
    absl::string_view refund_chase;
    // ACCOUNT_MISMATCH: $0 the refund "channel/account currency", $1 the
    // paying accounts joined by account_separator, $2 the refund account
    // alone.
    absl::string_view account_mismatch;
    absl::string_view account_separator;
    absl::string_view account_fix;
    // REOPEN_COOLING_OFF: $0 the period, $1 its end.
    absl::string_view reopen_months;  // $0 months
    absl::string_view reopen_days;    // $0 days
    absl::string_view reopen_inside;
    absl::string_view reopen_check;
    // FEED_DEAUTHORIZED: $0 when.
    absl::string_view feed_revoked;
    absl::string_view feed_reauthorize;
    absl::string_view feed_expired;
    absl::string_view feed_expiring;
    absl::string_view feed_renew;
    // FEED_SILENT: $0 tenant, $1 limit minutes, $2 last event, $3 minutes
    // silent.
    absl::string_view silent;
    absl::string_view silent_check;
  } finding;
};

// The table of `language`: "zh-CN" for Chinese, anything else English.
const Sentences& SentencesFor(absl::string_view language);

// The tables behind SentencesFor, one file each (use SentencesFor).
const Sentences& EnglishSentences();  // sentences_en.cc
const Sentences& ChineseSentences();  // sentences_zh.cc

}  // namespace depositd::notifier

#endif  // DEPOSITD_NOTIFIER_SENTENCES_H_
