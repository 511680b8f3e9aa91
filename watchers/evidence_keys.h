// The keys of a finding's evidence map (v1::Finding.evidence, copied into
// v1::Alert.evidence): one name per fact, shared by the risk watchers that
// write the evidence (watchers/risk_watchers.cc), the daemon's sink watchdog
// that writes SINK_FAILING's, and the notifier that words it
// (notifier/message.cc and its per-kind texts). A key is part of the public
// API (gRPC clients, webhook bodies and depositctl show the map), so a key
// here is never renamed.
//
// The values are strings as the watchers write them: times in the profile's
// zone ("2026-03-01 00:00 +00:00"), money as common::FormatMoney writes it
// ("USD 35.00"), counts and percentages as decimal integers.
//
// Header only, constants only. Thread-safe.
#ifndef DEPOSITD_WATCHERS_EVIDENCE_KEYS_H_
#define DEPOSITD_WATCHERS_EVIDENCE_KEYS_H_

namespace depositd::watchers::evidence {

// INACTIVITY
inline constexpr char kDaysWithoutSale[] = "days_without_sale";
inline constexpr char kLimitDays[] = "limit_days";
inline constexpr char kDeductionPercent[] = "deduction_percent";
inline constexpr char kLastSaleAt[] = "last_sale_at";

// DISPUTE_RESPONSE_DUE
inline constexpr char kDisputeId[] = "dispute_id";
inline constexpr char kDisputeKind[] = "dispute_kind";  // v1::DisputeKind name
inline constexpr char kResponseDueAt[] = "response_due_at";
inline constexpr char kOrderId[] = "order_id";

// APPEAL_WINDOW_CLOSING
inline constexpr char kDeductionId[] = "deduction_id";
inline constexpr char kAmount[] = "amount";  // money
// Also SINK_FAILING's reason (sink_response.h's verdict).
inline constexpr char kReason[] = "reason";
inline constexpr char kAppealDeadline[] = "appeal_deadline";
inline constexpr char kCounterfeit[] = "counterfeit";  // "true" when present

// BALANCE_SHORT (money)
inline constexpr char kBalance[] = "balance";
inline constexpr char kRequired[] = "required";
inline constexpr char kShortfall[] = "shortfall";

// UNPAID_FEES
inline constexpr char kFeeId[] = "fee_id";
inline constexpr char kCategory[] = "category";        // v1::FeeCategory name
inline constexpr char kOutstanding[] = "outstanding";  // money
inline constexpr char kDaysOverdue[] = "days_overdue";

// METRIC_BELOW_THRESHOLD (value and threshold with two decimals)
inline constexpr char kMetric[] = "metric";
inline constexpr char kValue[] = "value";
inline constexpr char kThreshold[] = "threshold";

// CLOSURE_BLOCKED. Besides these, one entry per blocker that needs action,
// keyed by its v1::Condition name ("R3_OPEN_DISPUTES": the blocker's
// summary), with that name + kBlockerCountSuffix (how many things block) and
// + kBlockerAmountsSuffix (the amounts involved, when any).
inline constexpr char kGraceEndsAt[] = "grace_ends_at";
inline constexpr char kClosureRequestedAt[] = "closure_requested_at";
inline constexpr char kBlockerCountSuffix[] = ".count";
inline constexpr char kBlockerAmountsSuffix[] = ".amounts";

// REFUND_OVERDUE
inline constexpr char kExpectedPaidAt[] = "expected_paid_at";
inline constexpr char kProjection[] = "projection";  // the steps, "; "-joined

// ACCOUNT_MISMATCH
// "channel/account currency" of the refund account on file.
inline constexpr char kRefundAccount[] = "refund_account";
// "payment-id=channel/account currency", ", "-joined.
inline constexpr char kPayingAccounts[] = "paying_accounts";

// REOPEN_COOLING_OFF (one of the two periods is present)
inline constexpr char kClosedAt[] = "closed_at";
inline constexpr char kAttemptAt[] = "attempt_at";
inline constexpr char kCoolingOffMonths[] = "cooling_off_months";
inline constexpr char kCoolingOffDays[] = "cooling_off_days";
inline constexpr char kLegalEntityId[] = "legal_entity_id";

// FEED_DEAUTHORIZED
inline constexpr char kFeedState[] =
    "feed_state";  // "DEAUTHORIZED", "EXPIRING"
inline constexpr char kChangedAt[] = "changed_at";
inline constexpr char kExpiresAt[] = "expires_at";

// FEED_SILENT (the time in UTC)
inline constexpr char kLastEventAt[] = "last_event_at";
inline constexpr char kSilenceMinutes[] = "silence_minutes";

// SINK_FAILING, written by the daemon's sink watchdog (and kReason above).
inline constexpr char kSink[] = "sink";
inline constexpr char kSinkType[] = "sink_type";  // v1::SinkType name
inline constexpr char kDetail[] = "detail";
inline constexpr char kRefusedAlert[] = "refused_alert";  // an alert key string

}  // namespace depositd::watchers::evidence

#endif  // DEPOSITD_WATCHERS_EVIDENCE_KEYS_H_
