#include "watchers/shop_state.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <limits>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "depositd/store/v1/shop_snapshot.pb.h"
#include "google/protobuf/arena.h"
#include "watchers/currency.h"
#include "watchers/limits.h"
#include "watchers/projection.h"
#include "watchers/shop_state_internals.h"
#include "watchers/timestamps.h"
#include "watchers/unicode_text.h"
#include "watchers/wire.h"

namespace depositd::watchers {
namespace {

using store::v1::DeductionRecord;
using store::v1::DisputeRecord;
using store::v1::FeeRecord;
using store::v1::MoneyLine;
using store::v1::PaymentRecord;
using store::v1::RefundRecord;
using store::v1::ViolationRecord;

constexpr int kMaxEvidenceIds = 20;
constexpr int kMaxExplainEvents = 50;
constexpr uint32_t kSnapshotVersion = 1;

int64_t TsNanos(const google::protobuf::Timestamp& ts) {
  return ts.seconds() * 1000000000LL + ts.nanos();
}

// Floor division without negation: exact for every int64, INT64_MIN (an
// as_of before 1678, saturated by absl::ToUnixNanos) included.
void SetTs(int64_t ns, google::protobuf::Timestamp* ts) {
  int64_t seconds = ns / 1000000000LL;
  int64_t nanos = ns % 1000000000LL;
  if (nanos < 0) {
    nanos += 1000000000LL;
    --seconds;
  }
  ts->set_seconds(seconds);
  ts->set_nanos(static_cast<int32_t>(nanos));
}

void SetTime(absl::Time t, google::protobuf::Timestamp* ts) {
  SetTs(TimeToNanos(t), ts);
}

absl::Status Invalid(absl::string_view what) {
  return absl::InvalidArgumentError(what);
}

absl::Status Contradiction(absl::string_view what) {
  return absl::FailedPreconditionError(what);
}

bool ValidCurrency(absl::string_view c) { return IsKnownCurrency(c); }

bool Printable(absl::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

// Well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
// above U+10FFFF). Protobuf refuses to parse a proto3 string that is not, so
// a shop holding one could not load its own snapshot.
bool ValidUtf8(absl::string_view s) { return IsWellFormedUtf8(s); }

// True when every byte is printable ASCII (0x20..0x7e), which implies both
// Printable and ValidUtf8: the common case for ids, checked eight bytes at a
// time. False says nothing; the exact checks then decide.
bool PrintableAscii(absl::string_view s) {
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    const uint64_t del = w ^ (0x7f * kOnes);
    // A byte >= 0x80, a byte < 0x20, a byte == 0x7f (exact as booleans).
    if ((w & kHigh) != 0 || ((w - 0x20 * kOnes) & ~w & kHigh) != 0 ||
        ((del - kOnes) & ~del & kHigh) != 0) {
      return false;
    }
  }
  for (; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c >= 0x7f) return false;
  }
  return true;
}

// True when no byte is >= 0x80 (then the text is valid UTF-8).
bool Ascii(absl::string_view s) {
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    if ((w & 0x8080808080808080ULL) != 0) return false;
  }
  for (; i < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) >= 0x80) return false;
  }
  return true;
}

absl::Status NotUtf8(absl::string_view field) {
  return Invalid(
      absl::StrCat(field, " is not valid UTF-8; send text as UTF-8"));
}

// "<field>: 300 bytes, the limit is 128" for ids and names; ids must also be
// printable UTF-8: no Unicode control or format character (categories Cc
// and Cf, see watchers/unicode_text.h).
absl::Status CheckId(absl::string_view value, absl::string_view field,
                     size_t max_len, bool required) {
  if (value.empty()) {
    if (required) return Invalid(absl::StrCat(field, " is required"));
    return absl::OkStatus();
  }
  if (value.size() > max_len) {
    return Invalid(absl::StrCat(field, ": ", value.size(),
                                " bytes, the limit is ", max_len));
  }
  if (PrintableAscii(value)) return absl::OkStatus();
  if (!Printable(value)) {
    return Invalid(absl::StrCat(
        field, " contains control characters; use printable text"));
  }
  if (!ValidUtf8(value)) return NotUtf8(field);
  // Invisible or text-reordering characters (Unicode Cc: C1 controls; Cf:
  // e.g. U+202E, U+200D, U+FEFF) could make one id look like another.
  if (std::optional<char32_t> c = FirstControlOrFormat(value)) {
    return Invalid(absl::StrCat(
        field, " contains control characters (",
        absl::StrFormat("U+%04X", static_cast<uint32_t>(*c)),
        ", a Unicode control or format character: invisible, or it reorders "
        "the text around it, so the id could pass for another); use "
        "printable text"));
  }
  return absl::OkStatus();
}

// Free text (kept as evidence, never interpreted): its length and UTF-8.
absl::Status CheckText(absl::string_view value, absl::string_view field) {
  if (value.size() > kMaxFreeTextBytes) {
    return Invalid(absl::StrCat(field, ": ", value.size(),
                                " bytes, the limit is ", kMaxFreeTextBytes,
                                "; shorten the text"));
  }
  if (!Ascii(value) && !ValidUtf8(value)) return NotUtf8(field);
  return absl::OkStatus();
}

std::string UnixSecondsText(int64_t s) {
  // Years 0..9999 as a date; beyond that only the number means anything.
  if (s < -62167219200LL || s > 253402300799LL) {
    return absl::StrCat(s, " s since 1970");
  }
  return absl::StrCat(
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(s),
                       absl::UTCTimeZone()),
      " (", s, " s since 1970)");
}

// A timestamp inside [2000-01-01, 2100-01-01) with nanos in [0, 1e9).
// `present`: whether the optional field is set; unset passes unless
// `required`.
absl::Status CheckTime(const google::protobuf::Timestamp& ts, bool present,
                       absl::string_view field, bool required) {
  if (!present) {
    if (required) return Invalid(absl::StrCat(field, " is required"));
    return absl::OkStatus();
  }
  if (ts.nanos() < 0 || ts.nanos() > 999999999) {
    return Invalid(absl::StrCat(field, ".nanos is ", ts.nanos(),
                                "; it must be within 0..999999999"));
  }
  if (ts.seconds() < kEarliestEventUnixSeconds) {
    return Invalid(absl::StrCat(field, ": ", UnixSecondsText(ts.seconds()),
                                " is before 2000-01-01; send the real time "
                                "(seconds since 1970, UTC, not milliseconds "
                                "or a local date)"));
  }
  if (ts.seconds() >= kLatestEventUnixSeconds) {
    return Invalid(absl::StrCat(field, ": ", UnixSecondsText(ts.seconds()),
                                " is after 2099-12-31; send the real time "
                                "(seconds since 1970, UTC, not milliseconds)"));
  }
  return absl::OkStatus();
}

// `positive`: amount must be > 0; otherwise >= 0. An unset Money with
// !required passes. |amount| is at most kMaxMinorUnits.
absl::Status CheckMoney(const v1::Money& m, bool present,
                        absl::string_view field, bool required, bool positive) {
  if (!present) {
    if (required) return Invalid(absl::StrCat(field, " is required"));
    return absl::OkStatus();
  }
  if (!ValidCurrency(m.currency())) {
    return Invalid(absl::StrCat(field, ".currency \"",
                                absl::CHexEscape(m.currency().substr(0, 16)),
                                "\" is not an ISO 4217 currency code (such "
                                "as USD, CNY, GBP)"));
  }
  if (m.minor_units() < 0) {
    return Invalid(absl::StrCat(field, ".minor_units is negative (",
                                m.minor_units(),
                                "); amounts are positive minor units"));
  }
  if (m.minor_units() > kMaxMinorUnits) {
    return Invalid(
        absl::StrCat(field, ".minor_units: ", m.minor_units(),
                     ", the limit is ", kMaxMinorUnits,
                     " (10^15 minor units); check the unit (minor units "
                     "such as cents, not micros)"));
  }
  if (positive && m.minor_units() == 0) {
    return Invalid(absl::StrCat(field, ".minor_units must be positive"));
  }
  return absl::OkStatus();
}

template <typename Enum>
absl::Status CheckEnum(int value, bool (*valid)(int), absl::string_view field,
                       bool required) {
  if (!valid(value)) {
    return Invalid(absl::StrCat(field, " has unknown value ", value,
                                "; upgrade the sender or send a known value"));
  }
  if (required && value == 0) {
    return Invalid(absl::StrCat(field, " is required (not UNSPECIFIED)"));
  }
  return absl::OkStatus();
}

#define RETURN_IF_ERROR(expr)  \
  do {                         \
    absl::Status _st = (expr); \
    if (!_st.ok()) return _st; \
  } while (0)

std::string KindName(int kind) {
  return v1::DepositKind_IsValid(kind)
             ? v1::DepositKind_Name(static_cast<v1::DepositKind>(kind))
             : absl::StrCat(kind);
}

}  // namespace

// --- ValidateEvent -----------------------------------------------------------

absl::Status ValidateEvent(const v1::Event& e) {
  RETURN_IF_ERROR(CheckId(e.event_id(), "event_id", kMaxEventIdBytes, true));
  RETURN_IF_ERROR(CheckId(e.tenant(), "tenant", kMaxTenantBytes, true));
  RETURN_IF_ERROR(CheckId(e.shop_id(), "shop_id", kMaxShopIdBytes, true));
  RETURN_IF_ERROR(CheckTime(e.occurred_at(), e.has_occurred_at(), "occurred_at",
                            /*required=*/true));
  RETURN_IF_ERROR(CheckText(e.source(), "source"));
  constexpr size_t kId = kMaxRecordIdBytes;
  constexpr size_t kName = kMaxNameBytes;
  switch (e.body_case()) {
    case v1::Event::BODY_NOT_SET:
      return Invalid(
          "event has no body; set exactly one of shop_registered, "
          "deposit_paid, order_status_changed, …");
    case v1::Event::kShopRegistered: {
      const auto& b = e.shop_registered();
      RETURN_IF_ERROR(
          CheckId(b.profile(), "shop_registered.profile", kName, false));
      RETURN_IF_ERROR(
          CheckId(b.site(), "shop_registered.site", kMaxSiteBytes, false));
      RETURN_IF_ERROR(CheckId(b.legal_entity_id(),
                              "shop_registered.legal_entity_id", kId, false));
      RETURN_IF_ERROR(
          CheckTime(b.entity_last_closed_at(), b.has_entity_last_closed_at(),
                    "shop_registered.entity_last_closed_at", false));
      break;
    }
    case v1::Event::kClosureRequested:
    case v1::Event::kShopClosed:
    case v1::Event::kShopReopened:
    case v1::Event::kDepositUnfrozen:
      break;
    case v1::Event::kDepositPaid: {
      const auto& b = e.deposit_paid();
      RETURN_IF_ERROR(
          CheckId(b.payment_id(), "deposit_paid.payment_id", kId, true));
      RETURN_IF_ERROR(CheckEnum<v1::DepositKind>(
          b.kind(), v1::DepositKind_IsValid, "deposit_paid.kind", true));
      RETURN_IF_ERROR(CheckMoney(b.amount(), b.has_amount(),
                                 "deposit_paid.amount", true, true));
      RETURN_IF_ERROR(CheckMoney(b.discount(), b.has_discount(),
                                 "deposit_paid.discount", false, false));
      if (b.has_discount() && b.discount().minor_units() > 0 &&
          b.discount().currency() != b.amount().currency()) {
        return Invalid(
            absl::StrCat("deposit_paid.discount is in ",
                         b.discount().currency(), " but the deposit is in ",
                         b.amount().currency(), "; use the same currency"));
      }
      RETURN_IF_ERROR(
          CheckId(b.channel(), "deposit_paid.channel", kName, false));
      RETURN_IF_ERROR(CheckId(b.paying_account(), "deposit_paid.paying_account",
                              kId, false));
      RETURN_IF_ERROR(CheckTime(b.discount_clawback_until(),
                                b.has_discount_clawback_until(),
                                "deposit_paid.discount_clawback_until", false));
      break;
    }
    case v1::Event::kDepositDeducted: {
      const auto& b = e.deposit_deducted();
      RETURN_IF_ERROR(CheckId(b.deduction_id(), "deposit_deducted.deduction_id",
                              kId, true));
      RETURN_IF_ERROR(CheckEnum<v1::DepositKind>(
          b.kind(), v1::DepositKind_IsValid, "deposit_deducted.kind", false));
      RETURN_IF_ERROR(CheckMoney(b.amount(), b.has_amount(),
                                 "deposit_deducted.amount", true, true));
      RETURN_IF_ERROR(CheckText(b.reason(), "deposit_deducted.reason"));
      RETURN_IF_ERROR(CheckTime(b.notified_at(), b.has_notified_at(),
                                "deposit_deducted.notified_at", false));
      RETURN_IF_ERROR(CheckTime(b.appeal_deadline(), b.has_appeal_deadline(),
                                "deposit_deducted.appeal_deadline", false));
      break;
    }
    case v1::Event::kDepositToppedUp: {
      const auto& b = e.deposit_topped_up();
      RETURN_IF_ERROR(
          CheckId(b.payment_id(), "deposit_topped_up.payment_id", kId, true));
      RETURN_IF_ERROR(CheckEnum<v1::DepositKind>(
          b.kind(), v1::DepositKind_IsValid, "deposit_topped_up.kind", true));
      RETURN_IF_ERROR(CheckMoney(b.amount(), b.has_amount(),
                                 "deposit_topped_up.amount", true, true));
      RETURN_IF_ERROR(
          CheckId(b.channel(), "deposit_topped_up.channel", kName, false));
      RETURN_IF_ERROR(CheckId(b.paying_account(),
                              "deposit_topped_up.paying_account", kId, false));
      break;
    }
    case v1::Event::kDepositFrozen:
      RETURN_IF_ERROR(CheckId(e.deposit_frozen().violation_id(),
                              "deposit_frozen.violation_id", kId, false));
      RETURN_IF_ERROR(
          CheckText(e.deposit_frozen().reason(), "deposit_frozen.reason"));
      break;
    case v1::Event::kRefundRequested:
      RETURN_IF_ERROR(CheckId(e.refund_requested().refund_id(),
                              "refund_requested.refund_id", kId, false));
      RETURN_IF_ERROR(CheckMoney(e.refund_requested().amount(),
                                 e.refund_requested().has_amount(),
                                 "refund_requested.amount", false, false));
      break;
    case v1::Event::kRefundPaid:
      RETURN_IF_ERROR(CheckId(e.refund_paid().refund_id(),
                              "refund_paid.refund_id", kId, false));
      RETURN_IF_ERROR(CheckMoney(e.refund_paid().amount(),
                                 e.refund_paid().has_amount(),
                                 "refund_paid.amount", true, true));
      break;
    case v1::Event::kRefundRejected:
      RETURN_IF_ERROR(CheckId(e.refund_rejected().refund_id(),
                              "refund_rejected.refund_id", kId, false));
      RETURN_IF_ERROR(
          CheckText(e.refund_rejected().reason(), "refund_rejected.reason"));
      break;
    case v1::Event::kRefundAccountSet: {
      const auto& b = e.refund_account_set();
      RETURN_IF_ERROR(
          CheckId(b.channel(), "refund_account_set.channel", kName, true));
      RETURN_IF_ERROR(
          CheckId(b.account(), "refund_account_set.account", kId, true));
      if (!ValidCurrency(b.currency())) {
        return Invalid(
            absl::StrCat("refund_account_set.currency \"",
                         absl::CHexEscape(b.currency().substr(0, 16)),
                         "\" is not an ISO 4217 code"));
      }
      break;
    }
    case v1::Event::kDepositRequirementSet: {
      const auto& b = e.deposit_requirement_set();
      RETURN_IF_ERROR(
          CheckEnum<v1::DepositKind>(b.kind(), v1::DepositKind_IsValid,
                                     "deposit_requirement_set.kind", true));
      RETURN_IF_ERROR(CheckMoney(b.required(), b.has_required(),
                                 "deposit_requirement_set.required", true,
                                 false));
      break;
    }
    case v1::Event::kAppealFiled:
      RETURN_IF_ERROR(CheckId(e.appeal_filed().deduction_id(),
                              "appeal_filed.deduction_id", kId, true));
      break;
    case v1::Event::kAppealDecided:
      RETURN_IF_ERROR(CheckId(e.appeal_decided().deduction_id(),
                              "appeal_decided.deduction_id", kId, true));
      RETURN_IF_ERROR(CheckMoney(e.appeal_decided().amount_returned(),
                                 e.appeal_decided().has_amount_returned(),
                                 "appeal_decided.amount_returned", false,
                                 false));
      break;
    case v1::Event::kClawbackPaid:
      RETURN_IF_ERROR(CheckId(e.clawback_paid().payment_id(),
                              "clawback_paid.payment_id", kId, false));
      RETURN_IF_ERROR(CheckMoney(e.clawback_paid().amount(),
                                 e.clawback_paid().has_amount(),
                                 "clawback_paid.amount", true, true));
      break;
    case v1::Event::kOrderStatusChanged: {
      const auto& b = e.order_status_changed();
      RETURN_IF_ERROR(
          CheckId(b.order_id(), "order_status_changed.order_id", kId, true));
      RETURN_IF_ERROR(
          CheckEnum<v1::OrderStatus>(b.status(), v1::OrderStatus_IsValid,
                                     "order_status_changed.status", true));
      RETURN_IF_ERROR(CheckId(b.platform_status(),
                              "order_status_changed.platform_status", kName,
                              false));
      RETURN_IF_ERROR(CheckMoney(b.amount(), b.has_amount(),
                                 "order_status_changed.amount", false, false));
      break;
    }
    case v1::Event::kSaleRecorded:
      RETURN_IF_ERROR(CheckId(e.sale_recorded().order_id(),
                              "sale_recorded.order_id", kId, false));
      break;
    case v1::Event::kDisputeOpened: {
      const auto& b = e.dispute_opened();
      RETURN_IF_ERROR(
          CheckId(b.dispute_id(), "dispute_opened.dispute_id", kId, true));
      RETURN_IF_ERROR(CheckEnum<v1::DisputeKind>(
          b.kind(), v1::DisputeKind_IsValid, "dispute_opened.kind", true));
      RETURN_IF_ERROR(
          CheckId(b.order_id(), "dispute_opened.order_id", kId, false));
      RETURN_IF_ERROR(CheckTime(b.response_due_at(), b.has_response_due_at(),
                                "dispute_opened.response_due_at", false));
      RETURN_IF_ERROR(CheckMoney(b.amount(), b.has_amount(),
                                 "dispute_opened.amount", false, false));
      break;
    }
    case v1::Event::kDisputeDeadlineChanged:
      RETURN_IF_ERROR(CheckId(e.dispute_deadline_changed().dispute_id(),
                              "dispute_deadline_changed.dispute_id", kId,
                              true));
      RETURN_IF_ERROR(
          CheckTime(e.dispute_deadline_changed().response_due_at(),
                    e.dispute_deadline_changed().has_response_due_at(),
                    "dispute_deadline_changed.response_due_at", true));
      break;
    case v1::Event::kDisputeResponded:
      RETURN_IF_ERROR(CheckId(e.dispute_responded().dispute_id(),
                              "dispute_responded.dispute_id", kId, true));
      break;
    case v1::Event::kDisputeResolved:
      RETURN_IF_ERROR(CheckId(e.dispute_resolved().dispute_id(),
                              "dispute_resolved.dispute_id", kId, true));
      RETURN_IF_ERROR(CheckEnum<v1::DisputeOutcome>(
          e.dispute_resolved().outcome(), v1::DisputeOutcome_IsValid,
          "dispute_resolved.outcome", false));
      RETURN_IF_ERROR(CheckMoney(e.dispute_resolved().amount(),
                                 e.dispute_resolved().has_amount(),
                                 "dispute_resolved.amount", false, false));
      break;
    case v1::Event::kFeeCharged: {
      const auto& b = e.fee_charged();
      RETURN_IF_ERROR(CheckId(b.fee_id(), "fee_charged.fee_id", kId, true));
      RETURN_IF_ERROR(CheckEnum<v1::FeeCategory>(
          b.category(), v1::FeeCategory_IsValid, "fee_charged.category", true));
      RETURN_IF_ERROR(CheckMoney(b.amount(), b.has_amount(),
                                 "fee_charged.amount", true, true));
      RETURN_IF_ERROR(
          CheckTime(b.due_at(), b.has_due_at(), "fee_charged.due_at", false));
      break;
    }
    case v1::Event::kFeePaid:
      RETURN_IF_ERROR(
          CheckId(e.fee_paid().fee_id(), "fee_paid.fee_id", kId, true));
      RETURN_IF_ERROR(CheckId(e.fee_paid().payment_id(), "fee_paid.payment_id",
                              kId, false));
      RETURN_IF_ERROR(CheckMoney(e.fee_paid().amount(),
                                 e.fee_paid().has_amount(), "fee_paid.amount",
                                 true, true));
      break;
    case v1::Event::kFeeWaived:
      RETURN_IF_ERROR(
          CheckId(e.fee_waived().fee_id(), "fee_waived.fee_id", kId, true));
      break;
    case v1::Event::kViolationRecorded:
      RETURN_IF_ERROR(CheckId(e.violation_recorded().violation_id(),
                              "violation_recorded.violation_id", kId, true));
      RETURN_IF_ERROR(CheckId(e.violation_recorded().kind(),
                              "violation_recorded.kind", kName, false));
      RETURN_IF_ERROR(CheckText(e.violation_recorded().description(),
                                "violation_recorded.description"));
      break;
    case v1::Event::kViolationResolved:
      RETURN_IF_ERROR(CheckId(e.violation_resolved().violation_id(),
                              "violation_resolved.violation_id", kId, true));
      break;
    case v1::Event::kRectificationFiled:
      RETURN_IF_ERROR(CheckId(e.rectification_filed().violation_id(),
                              "rectification_filed.violation_id", kId, false));
      RETURN_IF_ERROR(CheckText(e.rectification_filed().statement(),
                                "rectification_filed.statement"));
      break;
    case v1::Event::kMetricsReported: {
      const auto& b = e.metrics_reported();
      if (b.has_fulfilment_rate_pct() &&
          !(b.fulfilment_rate_pct() >= 0 && b.fulfilment_rate_pct() <= 100)) {
        return Invalid(absl::StrCat("metrics_reported.fulfilment_rate_pct is ",
                                    b.fulfilment_rate_pct(),
                                    "; it must be within 0..100 (percent)"));
      }
      if (b.has_return_rate_pct() &&
          !(b.return_rate_pct() >= 0 && b.return_rate_pct() <= 100)) {
        return Invalid(absl::StrCat("metrics_reported.return_rate_pct is ",
                                    b.return_rate_pct(),
                                    "; it must be within 0..100 (percent)"));
      }
      if (b.has_dsr() && !(b.dsr() >= 0 && b.dsr() <= 5)) {
        return Invalid(absl::StrCat("metrics_reported.dsr is ", b.dsr(),
                                    "; it must be within 0..5"));
      }
      break;
    }
    case v1::Event::kFeedAuthorizationChanged:
      RETURN_IF_ERROR(CheckEnum<v1::FeedAuthorization>(
          e.feed_authorization_changed().state(), v1::FeedAuthorization_IsValid,
          "feed_authorization_changed.state", true));
      RETURN_IF_ERROR(CheckTime(e.feed_authorization_changed().expires_at(),
                                e.feed_authorization_changed().has_expires_at(),
                                "feed_authorization_changed.expires_at",
                                false));
      break;
  }
  return absl::OkStatus();
}

absl::Status ValidateEventTime(const v1::Event& e, absl::Time now) {
  if (!e.has_occurred_at()) return absl::OkStatus();  // ValidateEvent's job
  const absl::Time at = FromTimestamp(e.occurred_at());
  if (at > now + kMaxFutureSkew) {
    return Invalid(absl::StrCat(
        "occurred_at ",
        absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", at, absl::UTCTimeZone()), " is ",
        absl::FormatDuration(absl::Trunc(at - now, absl::Minutes(1))),
        " ahead of the server's clock (",
        absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", now, absl::UTCTimeZone()),
        "); the limit is ", absl::FormatDuration(kMaxFutureSkew),
        ": check the sender's clock and that the time is UTC"));
  }
  return absl::OkStatus();
}

// --- arena and orders
// ----------------------------------------------------------

absl::string_view StringArena::Store(absl::string_view s) {
  if (s.empty()) return absl::string_view();
  if (used_ + s.size() > cap_) {
    const size_t next = cap_ == 0 ? kFirstChunk : std::min(cap_ * 2, kMaxChunk);
    if (s.size() > next) {
      // Too big for a chunk: its own allocation, before the current chunk
      // (which stays the last one, still filling).
      std::unique_ptr<char[]> own(new char[s.size()]);
      std::memcpy(own.get(), s.data(), s.size());
      absl::string_view out(own.get(), s.size());
      reserved_ += s.size();
      chunks_.insert(chunks_.empty() ? chunks_.end() : chunks_.end() - 1,
                     std::move(own));
      return out;
    }
    chunks_.emplace_back(new char[next]);  // not zero-filled
    reserved_ += next;
    cap_ = next;
    used_ = 0;
  }
  char* dst = chunks_.back().get() + used_;
  std::memcpy(dst, s.data(), s.size());
  used_ += s.size();
  return absl::string_view(dst, s.size());
}

int64_t OrderRecord::delivered_s() const {
  int64_t best = 0;
  for (int k = v1::DELIVERED; k <= v1::COMPLETED; ++k) {
    const int64_t t = at_s[k - 1];
    if (t != 0 && (best == 0 || t < best)) best = t;
  }
  return best;
}

namespace {

bool InFlight(int status) {
  return status == v1::PLACED || status == v1::SHIPPED ||
         status == v1::IN_TRANSIT;
}

uint8_t DeriveOrderStatus(const OrderRecord& r) {
  if (r.at(v1::CANCELLED) != 0) return v1::CANCELLED;
  for (int k = v1::COMPLETED; k >= v1::PLACED; --k) {
    if (r.at_s[k - 1] != 0) return static_cast<uint8_t>(k);
  }
  return 0;
}

// What decides a record's index entries: its status and delivery time.
struct IndexedAs {
  uint8_t status = 0;
  int64_t delivered_s = 0;
  explicit IndexedAs(const OrderRecord& r)
      : status(r.status), delivered_s(r.delivered_s()) {}
  IndexedAs() = default;
  bool in_flight() const { return InFlight(status); }
  bool delivered() const { return status != v1::CANCELLED && delivered_s != 0; }
};

// Moves the record in `slot` from the index entries for `was` to those for
// `now`, touching only the entries that differ: an order going PLACED →
// SHIPPED → IN_TRANSIT keeps its in-flight entry, one going DELIVERED →
// RECEIPT_CONFIRMED → COMPLETED its delivered entry. `id` is its id (passed
// in so that the chunk comes from a copy the caller has at hand, not from
// the arena).
void Reindex(OrderBook& book, uint32_t slot, absl::string_view id,
             IndexedAs was, IndexedAs now) {
  if (was.status != now.status) {
    if (was.status != 0) --book.count_by_status[was.status];
    if (now.status != 0) ++book.count_by_status[now.status];
  }
  const bool flight_moves = was.in_flight() != now.in_flight();
  const bool delivered_moves =
      was.delivered() != now.delivered() ||
      (now.delivered() && was.delivered_s != now.delivered_s);
  if (!flight_moves && !delivered_moves) return;
  const uint64_t chunk = book.ChunkOf(id);
  if (flight_moves) {
    if (was.in_flight()) book.in_flight.erase(OrderKey{chunk, slot});
    if (now.in_flight()) book.in_flight.insert(OrderKey{chunk, slot});
  }
  if (delivered_moves) {
    if (was.delivered()) {
      book.delivered.erase(DeliveredKey{was.delivered_s, chunk, slot});
    }
    if (now.delivered()) {
      book.delivered.insert(DeliveredKey{now.delivered_s, chunk, slot});
    }
  }
}

size_t CommonPrefix(absl::string_view a, absl::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

// Lowers book.common_prefix to `prefix` and recomputes every chunk. The
// order of each index is the order of the ids, which does not depend on
// the prefix, so the entries are re-added in place (O(n); a book's prefix
// shrinks at most once per byte of its first id).
void ShrinkCommonPrefix(OrderBook& book, size_t prefix) {
  book.common_prefix = prefix;
  absl::btree_set<OrderKey, OrderIdLess> in_flight(book.in_flight.key_comp());
  for (const OrderKey& k : book.in_flight) {
    in_flight.insert(in_flight.end(),
                     OrderKey{book.ChunkOf(book.id(k.slot)), k.slot});
  }
  book.in_flight = std::move(in_flight);
  absl::btree_set<DeliveredKey, OrderIdLess> delivered(
      book.delivered.key_comp());
  for (const DeliveredKey& k : book.delivered) {
    delivered.insert(
        delivered.end(),
        DeliveredKey{k.at_s, book.ChunkOf(book.id(k.slot)), k.slot});
  }
  book.delivered = std::move(delivered);
}

// Adds a record for a new id (no index entries yet); returns its slot.
uint32_t AddOrder(OrderBook& book, absl::string_view id) {
  OrderRecord fresh;
  fresh.id = book.arena.Store(id);
  const uint32_t slot = static_cast<uint32_t>(book.slots.size());
  book.slots.push_back(fresh);
  book.by_id.emplace(fresh.id, slot);
  book.MarkDirty(slot);
  if (slot == 0) {
    book.common_prefix = id.size();
  } else {
    const size_t prefix = CommonPrefix(id, book.slots[0].id);
    if (prefix < book.common_prefix) ShrinkCommonPrefix(book, prefix);
  }
  return slot;
}

// Inserts a fully formed record (used by Parse).
bool InsertOrder(OrderBook& book, absl::string_view id, const int64_t at_s[7]) {
  if (book.by_id.contains(id)) return false;
  const uint32_t slot = AddOrder(book, id);
  OrderRecord& r = book.slots[slot];
  std::copy(at_s, at_s + 7, r.at_s);
  r.status = DeriveOrderStatus(r);
  Reindex(book, slot, id, IndexedAs(), IndexedAs(r));
  book.last_cancelled_s = std::max(book.last_cancelled_s, r.at(v1::CANCELLED));
  return true;
}

std::string SecondsText(int64_t s, const absl::TimeZone& zone) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S %Ez", absl::FromUnixSeconds(s),
                          zone);
}

}  // namespace

// --- derived facts
// ------------------------------------------------------------

int64_t ClosureFacts::closure_start() const {
  if (requested_at == 0) return closed_at;
  if (closed_at == 0) return requested_at;
  return std::min(requested_at, closed_at);
}

ClosureFacts GetClosureFacts(const ShopState::Internals& in) {
  ClosureFacts f;
  for (const auto& [t, type] : in.lifecycle) {
    if (type == kReopened) f.reopened_at = t;
  }
  for (const auto& [t, type] : in.lifecycle) {
    if (f.reopened_at != 0 && t <= f.reopened_at) {
      if (type == kClosed) f.prior_closed_at = t;
      continue;
    }
    if (type == kClosureRequested && f.requested_at == 0) f.requested_at = t;
    if (type == kClosed && f.closed_at == 0) f.closed_at = t;
  }
  return f;
}

v1::ShopLifecycle DeriveLifecycle(const ShopState::Internals& in) {
  const ClosureFacts f = GetClosureFacts(in);
  // Refund facts only count in the current closure episode.
  int64_t last_request = 0, last_reject = 0, paid_lines = 0;
  for (const auto& [id, r] : in.refunds) {
    if (r.requested_at() > f.reopened_at)
      last_request = std::max(last_request, r.requested_at());
    if (r.rejected_at() > f.reopened_at)
      last_reject = std::max(last_reject, r.rejected_at());
    for (int64_t at : r.paid_at()) {
      if (at > f.reopened_at) ++paid_lines;
    }
  }
  if (paid_lines > 0) {
    for (const auto& [cur, amount] : Balance(in, /*after_refunds=*/true)) {
      if (amount > 0) return v1::PARTLY_REFUNDED;
    }
    return v1::REFUNDED;
  }
  if (last_reject != 0 && last_reject >= last_request)
    return v1::REFUND_REJECTED;
  if (last_request != 0) return v1::REFUND_APPLIED;
  if (f.closed_at != 0) return v1::CLOSED;
  if (f.requested_at != 0) return v1::CLOSURE_REQUESTED;
  return v1::OPERATING;
}

// Sums of money here and below saturate at ±kMaxMoneyTotal (limits.h): a
// shop may hold any number of ledger lines of up to 10^15 each.
CurrencyAmounts Balance(const ShopState::Internals& in, bool after_refunds) {
  CurrencyAmounts out;
  for (const DerivedFacts::CurrencySums& c : in.derived.ledger) {
    if (c.held.terms() == 0 && !(after_refunds && c.refunded.terms() > 0)) {
      continue;
    }
    if (!c.held.exact() ||
        (after_refunds &&
         (!c.refunded.exact() || c.held.abs() + c.refunded.abs() >
                                     static_cast<uint64_t>(kMaxMoneyTotal)))) {
      return BalanceFromRecords(in, after_refunds);  // a sum may saturate
    }
    out.emplace_hint(
        out.end(), c.currency,
        after_refunds ? c.held.value() - c.refunded.value() : c.held.value());
  }
  return out;
}

CurrencyAmounts BalanceFromRecords(const ShopState::Internals& in,
                                   bool after_refunds) {
  CurrencyAmounts out;
  for (const auto& [id, p] : in.payments) {
    int64_t& v = out[p.currency()];
    v = MoneyAdd(v, p.amount());
  }
  for (const auto& [id, d] : in.deductions) {
    if (!d.known()) continue;
    int64_t& v = out[d.currency()];
    v = MoneySub(v, d.amount());
    if (d.decided() && d.reversed()) {
      v = MoneyAdd(v, d.returned_set() ? d.returned() : d.amount());
    }
  }
  if (after_refunds) {
    for (const auto& [id, r] : in.refunds) {
      for (const MoneyLine& m : r.paid()) {
        int64_t& v = out[m.currency()];
        v = MoneySub(v, m.minor_units());
      }
    }
  }
  return out;
}

CurrencyAmounts Refundable(const ShopState::Internals& in) {
  // domain.md §3 "Money": a deduction left the balance when it was taken, so
  // the balance is what comes back; nothing is subtracted a second time.
  CurrencyAmounts out = Balance(in, /*after_refunds=*/true);
  for (auto& [cur, v] : out) v = std::max<int64_t>(v, 0);
  return out;
}

CurrencyAmounts RecoverableByAppeal(const ShopState::Internals& in,
                                    const v1::PlatformProfile& profile,
                                    absl::Time as_of) {
  CurrencyAmounts out;
  const int64_t now = TimeToNanos(as_of);
  for (const auto& [id, d] : in.deductions) {
    if (!d.known() || d.counterfeit() || d.decided()) continue;
    const int64_t deadline = AppealDeadline(d, profile);
    const bool window_open = deadline != 0 && now < deadline;
    if (d.appeal_filed_at() == 0 && !window_open) continue;
    int64_t& v = out[d.currency()];
    v = MoneyAdd(v, d.amount());
  }
  return out;
}

namespace {

// Raises `out` to the site minimums of the shop's site. `Amounts`:
// CurrencyAmounts or SmallAmounts.
template <typename Amounts>
void RaiseToSiteMinimums(const ShopState::Internals& in,
                         const v1::PlatformProfile& profile, Amounts* out) {
  if (in.site.empty()) return;
  for (const v1::SiteMinimum& m : profile.site_minimums()) {
    if (m.site() != in.site) continue;
    for (const v1::Money& money : m.minimum()) {
      int64_t& v = (*out)[money.currency()];
      v = std::max(v, MoneyAdd(money.minor_units(), 0));
    }
  }
}

// A few amounts by currency, on the stack: the views point at currency
// strings of the shop's records and profile, which outlive it. Sorted by
// currency, like CurrencyAmounts.
class SmallAmounts {
 public:
  int64_t& operator[](const std::string& currency) {
    auto it =
        std::lower_bound(v_.begin(), v_.end(), currency,
                         [](const std::pair<absl::string_view, int64_t>& a,
                            const std::string& c) { return a.first < c; });
    if (it == v_.end() || it->first != currency) {
      it = v_.insert(it, {currency, 0});
    }
    return it->second;
  }
  auto begin() const { return v_.begin(); }
  auto end() const { return v_.end(); }

 private:
  absl::InlinedVector<std::pair<absl::string_view, int64_t>, 4> v_;
};

// Required from in.derived into `out`; false (and `out` partial) when a
// deposit sum is not exact, so the records must decide.
template <typename Amounts>
bool RequiredFromDerived(const ShopState::Internals& in,
                         const v1::PlatformProfile& profile, Amounts* out) {
  const auto& deposits = in.derived.deposits;
  for (const DerivedFacts::DepositSums& d : deposits) {
    if (!d.paid.exact()) return false;
  }
  // Kinds in order: a requirement replaces the amounts paid for its kind.
  auto dep = deposits.begin();
  auto req = in.requirements.begin();
  while (dep != deposits.end() || req != in.requirements.end()) {
    const int32_t kind =
        req == in.requirements.end()
            ? dep->kind
            : (dep == deposits.end() ? req->first
                                     : std::min(dep->kind, req->first));
    if (req != in.requirements.end() && req->first == kind) {
      int64_t& v = (*out)[req->second.currency()];
      v = MoneyAdd(v, req->second.amount());
      ++req;
      while (dep != deposits.end() && dep->kind == kind) ++dep;
    } else {
      for (; dep != deposits.end() && dep->kind == kind; ++dep) {
        int64_t& v = (*out)[dep->currency];
        v = MoneyAdd(v, dep->paid.value());
      }
    }
  }
  RaiseToSiteMinimums(in, profile, out);
  return true;
}

}  // namespace

CurrencyAmounts Required(const ShopState::Internals& in,
                         const v1::PlatformProfile& profile) {
  CurrencyAmounts out;
  if (!RequiredFromDerived(in, profile, &out)) {
    return RequiredFromRecords(in, profile);
  }
  return out;
}

bool BalanceCoversRequired(const ShopState::Internals& in,
                           const v1::PlatformProfile& profile) {
  SmallAmounts required;
  if (!RequiredFromDerived(in, profile, &required)) return false;
  const auto& ledger = in.derived.ledger;
  for (const auto& [currency, need] : required) {
    // Balance(in, false)[currency], or 0 when it has no terms.
    auto it = std::lower_bound(
        ledger.begin(), ledger.end(), currency,
        [](const DerivedFacts::CurrencySums& c, absl::string_view cur) {
          return c.currency < cur;
        });
    int64_t have = 0;
    if (it != ledger.end() && it->currency == currency &&
        it->held.terms() > 0) {
      if (!it->held.exact()) return false;
      have = it->held.value();
    }
    if (have < need) return false;
  }
  return true;
}

CurrencyAmounts RequiredFromRecords(const ShopState::Internals& in,
                                    const v1::PlatformProfile& profile) {
  CurrencyAmounts out;
  absl::btree_map<int32_t, CurrencyAmounts> paid_by_kind;
  for (const auto& [id, p] : in.payments) {
    if (!p.top_up()) {
      int64_t& v = paid_by_kind[p.kind()][p.currency()];
      v = MoneyAdd(v, p.amount());
    }
  }
  std::set<int32_t> kinds;
  for (const auto& [k, v] : paid_by_kind) kinds.insert(k);
  for (const auto& [k, v] : in.requirements) kinds.insert(k);
  for (int32_t k : kinds) {
    auto req = in.requirements.find(k);
    if (req != in.requirements.end()) {
      int64_t& v = out[req->second.currency()];
      v = MoneyAdd(v, req->second.amount());
    } else {
      for (const auto& [cur, paid] : paid_by_kind[k]) {
        int64_t& v = out[cur];
        v = MoneyAdd(v, paid);
      }
    }
  }
  RaiseToSiteMinimums(in, profile, &out);
  return out;
}

int64_t FeeOutstanding(const FeeRecord& fee) {
  if (!fee.charged() || fee.waived_at() != 0) return 0;
  int64_t paid = 0;
  for (const MoneyLine& m : fee.paid()) {
    if (m.currency() == fee.currency()) paid = MoneyAdd(paid, m.minor_units());
  }
  return std::max<int64_t>(MoneySub(fee.amount(), paid), 0);
}

bool DisputeOpen(const DisputeRecord& d) {
  return d.opened() && d.resolved_at() == 0;
}

DisputeDeadlineFacts DeadlineFactsOf(const DisputeRecord& d) {
  DisputeDeadlineFacts f;
  f.opened = d.opened();
  f.due_set = d.due_set();
  f.kind = d.kind();
  f.due_at = d.due_at();
  f.opened_at = d.opened_at();
  return f;
}

int64_t DisputeDueAt(const DisputeRecord& d,
                     const v1::PlatformProfile& profile) {
  return DisputeDueAt(DeadlineFactsOf(d), profile);
}

int64_t DisputeDueAt(const DisputeDeadlineFacts& d,
                     const v1::PlatformProfile& profile) {
  if (d.due_set) return d.due_at;
  if (d.opened && d.kind == v1::NOT_RECEIVED &&
      profile.not_received_response_hours() > 0) {
    return NanosAddSaturating(
        d.opened_at, absl::ToInt64Nanoseconds(
                         absl::Hours(profile.not_received_response_hours())));
  }
  return 0;
}

AppealDeadlineFacts DeadlineFactsOf(const DeductionRecord& d) {
  AppealDeadlineFacts f;
  f.known = d.known();
  f.appeal_deadline = d.appeal_deadline();
  f.notified_at = d.notified_at();
  return f;
}

int64_t AppealDeadline(const DeductionRecord& d,
                       const v1::PlatformProfile& profile) {
  return AppealDeadline(DeadlineFactsOf(d), profile);
}

int64_t AppealDeadline(const AppealDeadlineFacts& d,
                       const v1::PlatformProfile& profile) {
  if (d.appeal_deadline != 0) return d.appeal_deadline;
  if (d.known && profile.appeal_window_days() > 0) {
    return NanosAddSaturating(
        d.notified_at, absl::ToInt64Nanoseconds(absl::Hours(24) *
                                                profile.appeal_window_days()));
  }
  return 0;
}

CurrencyAmounts ClawbackOwed(const ShopState::Internals& in) {
  CurrencyAmounts out;
  const int64_t closure = GetClosureFacts(in).closure_start();
  if (closure == 0) return out;
  for (const auto& [id, p] : in.payments) {
    if (p.discount() > 0 && p.clawback_until() != 0 &&
        closure < p.clawback_until()) {
      int64_t& v = out[p.currency()];
      v = MoneyAdd(v, p.discount());
    }
  }
  for (const auto& [id, m] : in.clawbacks_paid) {
    auto it = out.find(m.currency());
    if (it != out.end()) it->second = MoneySub(it->second, m.minor_units());
  }
  CurrencyAmounts positive;
  for (const auto& [cur, v] : out) {
    if (v > 0) positive[cur] = v;
  }
  return positive;
}

absl::Time PostClosureGraceEnd(const ClosureFacts& closure,
                               const ResolvedProfile& profile) {
  const int days = profile.settings.post_closure_dispute_grace_days();
  if (closure.closed_at == 0 || days <= 0) return absl::InfiniteFuture();
  const absl::Time closed = NanosToTime(closure.closed_at);
  return profile.calendar ? profile.calendar->AddNaturalDays(closed, days)
                          : closed + absl::Hours(24) * days;
}

int64_t LastBlockerClearedAt(const ShopState::Internals& in) {
  int64_t t = 0;
  auto up = [&t](int64_t v) { t = std::max(t, v); };
  constexpr int64_t kNanosPerSecond = 1000000000LL;
  up(GetClosureFacts(in).closed_at);
  if (!in.orders.delivered.empty()) {
    up(in.orders.delivered.rbegin()->at_s * kNanosPerSecond);
  }
  up(in.orders.last_cancelled_s * kNanosPerSecond);
  for (const auto& [id, d] : in.disputes) up(d.resolved_at());
  for (const auto& [id, f] : in.fees) {
    up(f.waived_at());
    for (const MoneyLine& m : f.paid()) up(m.at());
  }
  for (const auto& [id, v] : in.violations) {
    up(v.resolved_at());
    up(v.rectified_at());
  }
  up(in.unfrozen_at);
  for (const auto& [id, p] : in.payments) {
    if (p.top_up()) up(p.at());
  }
  for (const auto& [id, d] : in.deductions) {
    if (d.decided()) up(d.decided_at());
  }
  for (const auto& [kind, r] : in.requirements) up(r.set_at());
  up(in.refund_account_set_at);
  for (const auto& [id, m] : in.clawbacks_paid) up(m.at());
  return t;
}

std::vector<std::string> AccountMismatches(const ShopState::Internals& in) {
  std::vector<std::string> out;
  const bool have_account = in.refund_account_set_at != 0;
  if (have_account && in.derived.payments_on_refund_path ==
                          static_cast<int64_t>(in.payments.size())) {
    return out;  // every payment is on the refund path
  }
  for (const auto& [id, p] : in.payments) {
    if (!have_account || p.channel() != in.refund_channel ||
        p.account() != in.refund_account ||
        p.currency() != in.refund_currency) {
      out.push_back(id);
    }
  }
  return out;
}

// --- derived facts (DerivedFacts)
// --------------------------------------------------------------------------

namespace {

using Internals = ShopState::Internals;

DerivedFacts::CurrencySums& LedgerFor(DerivedFacts& d,
                                      const std::string& currency) {
  auto it =
      std::lower_bound(d.ledger.begin(), d.ledger.end(), currency,
                       [](const DerivedFacts::CurrencySums& c,
                          const std::string& cur) { return c.currency < cur; });
  if (it == d.ledger.end() || it->currency != currency) {
    it = d.ledger.insert(it, DerivedFacts::CurrencySums{currency, {}, {}});
  }
  return *it;
}

// Drops a currency without terms left (as if it had never been seen).
void TrimLedger(DerivedFacts& d, const std::string& currency) {
  auto it =
      std::lower_bound(d.ledger.begin(), d.ledger.end(), currency,
                       [](const DerivedFacts::CurrencySums& c,
                          const std::string& cur) { return c.currency < cur; });
  if (it != d.ledger.end() && it->currency == currency &&
      it->held.terms() == 0 && it->refunded.terms() == 0) {
    d.ledger.erase(it);
  }
}

bool DepositLess(const DerivedFacts::DepositSums& a, int32_t kind,
                 const std::string& currency) {
  return a.kind != kind ? a.kind < kind : a.currency < currency;
}

// `sign` +1 counts the record's terms, -1 gives them back.
DerivedFacts::OpenItems& OpenItemsOf(DerivedFacts& d) {
  if (d.open == nullptr) d.open = std::make_unique<DerivedFacts::OpenItems>();
  return *d.open;
}

// Drops the open items once nothing is open.
void TrimOpenItems(DerivedFacts& d) {
  if (d.open != nullptr && d.open->empty()) d.open.reset();
}

void CountPayment(DerivedFacts& d, const Internals& in, const PaymentRecord& p,
                  int sign) {
  DerivedFacts::CurrencySums& c = LedgerFor(d, p.currency());
  if (sign > 0) {
    c.held.Add(p.amount());
  } else {
    c.held.UndoAdd(p.amount());
    TrimLedger(d, p.currency());
  }
  if (!p.top_up()) {
    auto it = std::lower_bound(
        d.deposits.begin(), d.deposits.end(), p,
        [](const DerivedFacts::DepositSums& a, const PaymentRecord& b) {
          return DepositLess(a, b.kind(), b.currency());
        });
    if (it == d.deposits.end() || it->kind != p.kind() ||
        it->currency != p.currency()) {
      it = d.deposits.insert(
          it, DerivedFacts::DepositSums{p.kind(), p.currency(), {}});
    }
    if (sign > 0) {
      it->paid.Add(p.amount());
    } else {
      it->paid.UndoAdd(p.amount());
      if (it->paid.terms() == 0) d.deposits.erase(it);
    }
  }
  if (p.channel() == in.refund_channel && p.account() == in.refund_account &&
      p.currency() == in.refund_currency) {
    d.payments_on_refund_path += sign;
  }
}

void CountDeduction(DerivedFacts& d, const std::string& id,
                    const DeductionRecord& x, int sign) {
  if (!x.known()) return;
  if (x.appeal_filed_at() == 0 && !x.decided()) {
    if (sign > 0) {
      OpenItemsOf(d).appealable.emplace(id, DeadlineFactsOf(x));
    } else {
      if (d.open != nullptr) d.open->appealable.erase(id);
      TrimOpenItems(d);
    }
  }
  DerivedFacts::CurrencySums& c = LedgerFor(d, x.currency());
  const bool returned = x.decided() && x.reversed();
  const int64_t back = x.returned_set() ? x.returned() : x.amount();
  if (sign > 0) {
    c.held.Sub(x.amount());
    if (returned) c.held.Add(back);
  } else {
    c.held.UndoSub(x.amount());
    if (returned) c.held.UndoAdd(back);
    TrimLedger(d, x.currency());
  }
}

void CountRefund(DerivedFacts& d, const RefundRecord& r, int sign) {
  for (const MoneyLine& m : r.paid()) {
    DerivedFacts::CurrencySums& c = LedgerFor(d, m.currency());
    if (sign > 0) {
      c.refunded.Add(m.minor_units());
    } else {
      c.refunded.UndoAdd(m.minor_units());
      TrimLedger(d, m.currency());
    }
  }
}

void CountFee(DerivedFacts& d, const std::string& id, const FeeRecord& f,
              int sign) {
  if (FeeOutstanding(f) <= 0) return;
  std::pair<int64_t, std::string> key(
      f.due_at() != 0 ? f.due_at() : f.charged_at(), id);
  if (sign > 0) {
    OpenItemsOf(d).unpaid_fees.insert(std::move(key));
  } else {
    if (d.open != nullptr) d.open->unpaid_fees.erase(key);
    TrimOpenItems(d);
  }
}

void CountDispute(DerivedFacts& d, const std::string& id,
                  const DisputeRecord& x, int sign) {
  if (!DisputeOpen(x) || x.responded_at() != 0) return;
  if (sign > 0) {
    OpenItemsOf(d).awaiting_response.emplace(id, DeadlineFactsOf(x));
  } else {
    if (d.open != nullptr) d.open->awaiting_response.erase(id);
    TrimOpenItems(d);
  }
}

int64_t CountOnRefundPath(const Internals& in) {
  int64_t n = 0;
  for (const auto& [id, p] : in.payments) {
    n += p.channel() == in.refund_channel && p.account() == in.refund_account &&
         p.currency() == in.refund_currency;
  }
  return n;
}

// Counts (+1) or gives back (-1) the derived facts of the one record that
// `e` can change. Apply gives them back before the event and counts them
// again after it, so the facts follow whatever the event did.
void CountSubject(Internals& in, const v1::Event& e, int sign) {
  DerivedFacts& d = in.derived;
  auto with = [](auto& records, const std::string& id, auto&& count) {
    auto it = records.find(id);
    if (it != records.end()) count(it->first, it->second);
  };
  switch (e.body_case()) {
    case v1::Event::kDepositPaid:
    case v1::Event::kDepositToppedUp:
      with(in.payments,
           e.has_deposit_paid() ? e.deposit_paid().payment_id()
                                : e.deposit_topped_up().payment_id(),
           [&](const std::string&, const PaymentRecord& p) {
             CountPayment(d, in, p, sign);
           });
      break;
    case v1::Event::kDepositDeducted:
    case v1::Event::kAppealFiled:
    case v1::Event::kAppealDecided: {
      const std::string& id =
          e.has_deposit_deducted() ? e.deposit_deducted().deduction_id()
          : e.has_appeal_filed()   ? e.appeal_filed().deduction_id()
                                   : e.appeal_decided().deduction_id();
      with(in.deductions, id,
           [&](const std::string& key, const DeductionRecord& x) {
             CountDeduction(d, key, x, sign);
           });
      break;
    }
    case v1::Event::kRefundPaid:
      with(in.refunds, e.refund_paid().refund_id(),
           [&](const std::string&, const RefundRecord& r) {
             CountRefund(d, r, sign);
           });
      break;
    case v1::Event::kFeeCharged:
    case v1::Event::kFeePaid:
    case v1::Event::kFeeWaived: {
      const std::string& id = e.has_fee_charged() ? e.fee_charged().fee_id()
                              : e.has_fee_paid()  ? e.fee_paid().fee_id()
                                                  : e.fee_waived().fee_id();
      with(in.fees, id, [&](const std::string& key, const FeeRecord& f) {
        CountFee(d, key, f, sign);
      });
      break;
    }
    case v1::Event::kDisputeOpened:
    case v1::Event::kDisputeDeadlineChanged:
    case v1::Event::kDisputeResponded:
    case v1::Event::kDisputeResolved: {
      const std::string& id =
          e.has_dispute_opened() ? e.dispute_opened().dispute_id()
          : e.has_dispute_deadline_changed()
              ? e.dispute_deadline_changed().dispute_id()
          : e.has_dispute_responded() ? e.dispute_responded().dispute_id()
                                      : e.dispute_resolved().dispute_id();
      with(in.disputes, id,
           [&](const std::string& key, const DisputeRecord& x) {
             CountDispute(d, key, x, sign);
           });
      break;
    }
    default:
      break;  // the other events change no derived fact (RefundAccountSet:
              // see Apply)
  }
}

}  // namespace

const DerivedFacts::OpenItems& DerivedFacts::open_items() const {
  static const OpenItems* const kNone = new OpenItems();
  return open != nullptr ? *open : *kNone;
}

DerivedFacts DeriveFacts(const ShopState::Internals& in) {
  DerivedFacts d;
  for (const auto& [id, p] : in.payments) CountPayment(d, in, p, +1);
  for (const auto& [id, x] : in.deductions) CountDeduction(d, id, x, +1);
  for (const auto& [id, r] : in.refunds) CountRefund(d, r, +1);
  for (const auto& [id, f] : in.fees) CountFee(d, id, f, +1);
  for (const auto& [id, x] : in.disputes) CountDispute(d, id, x, +1);
  return d;
}

// --- ShopState
// -----------------------------------------------------------------

ShopState::ShopState(std::string tenant, std::string shop_id)
    : in_(std::make_unique<Internals>()) {
  in_->tenant = std::move(tenant);
  in_->shop_id = std::move(shop_id);
}
ShopState::~ShopState() = default;
ShopState::ShopState(ShopState&&) noexcept = default;
ShopState& ShopState::operator=(ShopState&&) noexcept = default;

const std::string& ShopState::tenant() const { return in_->tenant; }
const std::string& ShopState::shop_id() const { return in_->shop_id; }
const std::string& ShopState::profile_name() const { return in_->profile; }
const ShopState::Internals& ShopState::internals() const { return *in_; }

namespace {

// Each Apply* checks every precondition before its first write, so an error
// leaves the state untouched. `changed` reports whether anything moved.

// Currencies already used by ledger lines of `kind` (0: every kind).
std::set<std::string> LedgerCurrencies(const ShopState::Internals& in, int kind,
                                       absl::string_view skip_payment = {}) {
  std::set<std::string> out;
  for (const auto& [id, p] : in.payments) {
    if ((kind == 0 || p.kind() == kind) && id != skip_payment)
      out.insert(p.currency());
  }
  for (const auto& [id, d] : in.deductions) {
    if (d.known() && (kind == 0 || d.kind() == kind || d.kind() == 0)) {
      out.insert(d.currency());
    }
  }
  return out;
}

absl::Status CheckLedgerCurrency(const ShopState::Internals& in, int kind,
                                 const std::string& currency,
                                 absl::string_view what) {
  const std::set<std::string> used = LedgerCurrencies(in, kind);
  if (!used.empty() && !used.count(currency)) {
    return Contradiction(absl::StrCat(
        what, " is in ", currency, " but the ",
        kind == 0 ? std::string("deposit") : KindName(kind) + " deposit",
        " is held in ", absl::StrJoin(used, ", "),
        "; send the amount in the deposit's currency"));
  }
  return absl::OkStatus();
}

template <typename Msg>
bool SameRecord(const Msg& a, const Msg& b) {
  return a.SerializeAsString() == b.SerializeAsString();
}

absl::Status ApplyPayment(ShopState::Internals& in, const v1::Event& e,
                          bool* changed) {
  PaymentRecord rec;
  rec.set_at(TsNanos(e.occurred_at()));
  rec.set_event_id(e.event_id());
  if (e.has_deposit_paid()) {
    const auto& b = e.deposit_paid();
    rec.set_id(b.payment_id());
    rec.set_kind(b.kind());
    rec.set_amount(b.amount().minor_units());
    rec.set_currency(b.amount().currency());
    rec.set_channel(b.channel());
    rec.set_account(b.paying_account());
    rec.set_discount(b.discount().minor_units());
    if (b.has_discount_clawback_until()) {
      rec.set_clawback_until(TsNanos(b.discount_clawback_until()));
    }
  } else {
    const auto& b = e.deposit_topped_up();
    rec.set_id(b.payment_id());
    rec.set_kind(b.kind());
    rec.set_amount(b.amount().minor_units());
    rec.set_currency(b.amount().currency());
    rec.set_channel(b.channel());
    rec.set_account(b.paying_account());
    rec.set_top_up(true);
  }
  auto it = in.payments.find(rec.id());
  if (it != in.payments.end()) {
    PaymentRecord a = it->second, b = rec;
    a.clear_event_id();
    b.clear_event_id();
    a.clear_at();
    b.clear_at();
    if (SameRecord(a, b)) {
      // Same payment seen again: keep the earliest report of it.
      if (rec.at() < it->second.at()) {
        it->second.set_at(rec.at());
        it->second.set_event_id(rec.event_id());
        *changed = true;
      }
      return absl::OkStatus();
    }
    return Contradiction(absl::StrCat(
        "payment ", rec.id(), " was already recorded with different details (",
        FormatMoney(it->second.amount(), it->second.currency()), " ",
        KindName(it->second.kind()),
        "); use a new payment_id for a different payment"));
  }
  RETURN_IF_ERROR(CheckLedgerCurrency(
      in, rec.kind(), rec.currency(),
      absl::StrCat(rec.top_up() ? "top-up " : "deposit payment ", rec.id())));
  in.payments.emplace(rec.id(), std::move(rec));
  *changed = true;
  return absl::OkStatus();
}

absl::Status ApplyDeduction(ShopState::Internals& in, const v1::Event& e,
                            bool* changed) {
  const auto& b = e.deposit_deducted();
  DeductionRecord rec;
  rec.set_id(b.deduction_id());
  rec.set_known(true);
  rec.set_kind(b.kind());
  rec.set_amount(b.amount().minor_units());
  rec.set_currency(b.amount().currency());
  rec.set_reason(b.reason());
  rec.set_counterfeit(b.counterfeit());
  rec.set_notified_at(b.has_notified_at() ? TsNanos(b.notified_at())
                                          : TsNanos(e.occurred_at()));
  if (b.has_appeal_deadline())
    rec.set_appeal_deadline(TsNanos(b.appeal_deadline()));
  rec.set_at(TsNanos(e.occurred_at()));
  rec.set_event_id(e.event_id());

  auto it = in.deductions.find(rec.id());
  if (it != in.deductions.end() && it->second.known()) {
    const DeductionRecord& old = it->second;
    if (old.kind() == rec.kind() && old.amount() == rec.amount() &&
        old.currency() == rec.currency() &&
        old.counterfeit() == rec.counterfeit() &&
        old.reason() == rec.reason() &&
        old.appeal_deadline() == rec.appeal_deadline() &&
        old.notified_at() == rec.notified_at()) {
      return absl::OkStatus();
    }
    return Contradiction(
        absl::StrCat("deduction ", rec.id(),
                     " was already recorded with different details (",
                     FormatMoney(old.amount(), old.currency()),
                     "); use a new deduction_id for a different deduction"));
  }
  RETURN_IF_ERROR(CheckLedgerCurrency(in, rec.kind(), rec.currency(),
                                      absl::StrCat("deduction ", rec.id())));
  if (it != in.deductions.end()) {
    // Appeal facts arrived first: check they fit, then merge.
    const DeductionRecord& old = it->second;
    if (old.returned_set() && old.returned() > rec.amount()) {
      return Contradiction(absl::StrCat(
          "deduction ", rec.id(), " of ",
          FormatMoney(rec.amount(), rec.currency()), " is smaller than the ",
          FormatMoney(old.returned(), rec.currency()),
          " already returned on appeal"));
    }
    if (old.returned_set() && !old.currency().empty() &&
        old.currency() != rec.currency()) {
      return Contradiction(
          absl::StrCat("deduction ", rec.id(), " is in ", rec.currency(),
                       " but its appeal returned ", old.currency()));
    }
    rec.set_appeal_filed_at(old.appeal_filed_at());
    rec.set_decided(old.decided());
    rec.set_reversed(old.reversed());
    rec.set_returned(old.returned());
    rec.set_returned_set(old.returned_set());
    rec.set_decided_at(old.decided_at());
  }
  in.deductions[rec.id()] = std::move(rec);
  *changed = true;
  return absl::OkStatus();
}

// The record with `id` in `records`, created (and *changed set) if the id
// is new: facts about a record may arrive before the one that opens it.
template <typename Map>
typename Map::mapped_type& RecordFor(Map& records, const std::string& id,
                                     bool* changed) {
  typename Map::mapped_type& r = records[id];
  if (r.id().empty()) {
    r.set_id(id);
    *changed = true;
  }
  return r;
}

template <typename T>
void MinTime(T* rec, int64_t (T::*get)() const, void (T::*set)(int64_t),
             int64_t t, bool* changed) {
  const int64_t cur = (rec->*get)();
  if (cur == 0 || t < cur) {
    (rec->*set)(t);
    *changed = true;
  }
}

absl::Status ApplyAppealFiled(ShopState::Internals& in, const v1::Event& e,
                              bool* changed) {
  DeductionRecord& d =
      RecordFor(in.deductions, e.appeal_filed().deduction_id(), changed);
  MinTime(&d, &DeductionRecord::appeal_filed_at,
          &DeductionRecord::set_appeal_filed_at, TsNanos(e.occurred_at()),
          changed);
  return absl::OkStatus();
}

absl::Status ApplyAppealDecided(ShopState::Internals& in, const v1::Event& e,
                                bool* changed) {
  const auto& b = e.appeal_decided();
  const int64_t t = TsNanos(e.occurred_at());
  auto it = in.deductions.find(b.deduction_id());
  const bool known = it != in.deductions.end() && it->second.known();
  if (b.has_amount_returned() && known) {
    const DeductionRecord& d = it->second;
    if (b.amount_returned().currency() != d.currency()) {
      return Contradiction(absl::StrCat("appeal_decided.amount_returned is in ",
                                        b.amount_returned().currency(),
                                        " but deduction ", d.id(), " is in ",
                                        d.currency()));
    }
    if (b.amount_returned().minor_units() > d.amount()) {
      return Contradiction(absl::StrCat(
          "appeal_decided returns ",
          FormatMoney(b.amount_returned().minor_units(), d.currency()),
          ", more than deduction ", d.id(), " (",
          FormatMoney(d.amount(), d.currency()), ")"));
    }
  }
  DeductionRecord& d = in.deductions[b.deduction_id()];
  if (d.id().empty()) d.set_id(b.deduction_id());
  // Last decision wins by event time; a tie keeps the larger return.
  const int64_t returned =
      b.has_amount_returned() ? b.amount_returned().minor_units() : -1;
  const int64_t old_returned = d.returned_set() ? d.returned() : -1;
  if (d.decided() &&
      (t < d.decided_at() ||
       (t == d.decided_at() &&
        std::make_pair(static_cast<int>(b.reversed()), returned) <=
            std::make_pair(static_cast<int>(d.reversed()), old_returned)))) {
    return absl::OkStatus();
  }
  d.set_decided(true);
  d.set_decided_at(t);
  d.set_reversed(b.reversed());
  d.set_returned_set(b.has_amount_returned());
  d.set_returned(b.has_amount_returned() ? b.amount_returned().minor_units()
                                         : 0);
  if (b.has_amount_returned() && !known)
    d.set_currency(b.amount_returned().currency());
  *changed = true;
  return absl::OkStatus();
}

absl::Status ApplyOrderStatus(ShopState::Internals& in, const v1::Event& e,
                              v1::OrderStatus status,
                              absl::string_view order_id, bool* changed) {
  OrderBook& book = in.orders;
  const int64_t t_s = std::max<int64_t>(e.occurred_at().seconds(), 1);
  auto found = book.by_id.find(order_id);
  if (found != book.by_id.end()) {
    const OrderRecord& r = book.slots[found->second];
    const int64_t cancelled = r.at(v1::CANCELLED);
    if (status != v1::CANCELLED && cancelled != 0 && t_s > cancelled) {
      return Contradiction(
          absl::StrCat("order ", order_id, " was cancelled at ",
                       absl::FormatTime(absl::FromUnixSeconds(cancelled)),
                       "; it cannot be ", v1::OrderStatus_Name(status),
                       " later (", absl::FormatTime(absl::FromUnixSeconds(t_s)),
                       "). Check the event time or the order id"));
    }
    if (status == v1::CANCELLED) {
      for (int k = v1::PLACED; k <= v1::COMPLETED; ++k) {
        if (r.at_s[k - 1] > t_s) {
          return Contradiction(absl::StrCat(
              "order ", order_id, " was ",
              v1::OrderStatus_Name(static_cast<v1::OrderStatus>(k)), " at ",
              absl::FormatTime(absl::FromUnixSeconds(r.at_s[k - 1])),
              ", after this cancellation (",
              absl::FormatTime(absl::FromUnixSeconds(t_s)),
              "). Check the event time or the order id"));
        }
      }
    }
    if (r.at(status) != 0 && r.at(status) <= t_s) {
      if (status == v1::PLACED) {
        // The sale is known; only last_sale_at may move.
        const int64_t ns = TsNanos(e.occurred_at());
        if (ns > in.last_sale_at) {
          in.last_sale_at = ns;
          *changed = true;
        }
      }
      return absl::OkStatus();
    }
  }
  const uint32_t slot =
      found == book.by_id.end() ? AddOrder(book, order_id) : found->second;
  OrderRecord& r = book.slots[slot];
  const IndexedAs was(r);
  const int64_t was_cancelled_s = r.at(v1::CANCELLED);
  r.at_s[status - 1] = t_s;
  book.MarkDirty(slot);
  r.status = DeriveOrderStatus(r);
  Reindex(book, slot, order_id, was, IndexedAs(r));
  if (was_cancelled_s != 0 && was_cancelled_s == book.last_cancelled_s &&
      r.at(v1::CANCELLED) < was_cancelled_s) {
    // The latest cancellation moved earlier (an earlier CANCELLED for the
    // same order): recompute the max so that it equals what Parse rebuilds
    // and does not depend on arrival order. Rare; O(orders).
    book.last_cancelled_s = 0;
    for (const OrderRecord& o : book.slots) {
      book.last_cancelled_s =
          std::max(book.last_cancelled_s, o.at(v1::CANCELLED));
    }
  } else {
    book.last_cancelled_s =
        std::max(book.last_cancelled_s, r.at(v1::CANCELLED));
  }
  if (status == v1::PLACED) {
    in.last_sale_at = std::max(in.last_sale_at, TsNanos(e.occurred_at()));
  }
  *changed = true;
  return absl::OkStatus();
}

absl::Status ApplyDispute(ShopState::Internals& in, const v1::Event& e,
                          bool* changed) {
  const int64_t t = TsNanos(e.occurred_at());
  auto set_due = [&](DisputeRecord& d, int64_t due) {
    if (!d.due_set() || t > d.due_set_at() ||
        (t == d.due_set_at() && due > d.due_at())) {
      d.set_due_set(true);
      d.set_due_set_at(t);
      d.set_due_at(due);
      *changed = true;
    }
  };
  switch (e.body_case()) {
    case v1::Event::kDisputeOpened: {
      const auto& b = e.dispute_opened();
      auto it = in.disputes.find(b.dispute_id());
      if (it != in.disputes.end() && it->second.opened()) {
        const DisputeRecord& d = it->second;
        if (d.kind() != b.kind()) {
          return Contradiction(absl::StrCat(
              "dispute ", b.dispute_id(), " was opened as ",
              v1::DisputeKind_Name(static_cast<v1::DisputeKind>(d.kind())),
              "; it cannot also be ", v1::DisputeKind_Name(b.kind()),
              ". Use a new dispute_id"));
        }
      }
      DisputeRecord& d = in.disputes[b.dispute_id()];
      if (!d.opened() || t < d.opened_at()) {
        d.set_id(b.dispute_id());
        d.set_opened(true);
        d.set_kind(b.kind());
        d.set_opened_at(t);
        d.set_event_id(e.event_id());
        if (!b.order_id().empty()) d.set_order_id(b.order_id());
        if (b.has_amount()) *d.mutable_amount() = b.amount();
        *changed = true;
      }
      if (b.has_response_due_at()) set_due(d, TsNanos(b.response_due_at()));
      break;
    }
    case v1::Event::kDisputeDeadlineChanged: {
      const auto& b = e.dispute_deadline_changed();
      DisputeRecord& d = RecordFor(in.disputes, b.dispute_id(), changed);
      set_due(d, TsNanos(b.response_due_at()));
      break;
    }
    case v1::Event::kDisputeResponded: {
      DisputeRecord& d =
          RecordFor(in.disputes, e.dispute_responded().dispute_id(), changed);
      MinTime(&d, &DisputeRecord::responded_at,
              &DisputeRecord::set_responded_at, t, changed);
      break;
    }
    case v1::Event::kDisputeResolved: {
      const auto& b = e.dispute_resolved();
      DisputeRecord& d = RecordFor(in.disputes, b.dispute_id(), changed);
      // The first resolution wins; a tie keeps the larger outcome value.
      if (d.resolved_at() == 0 || t < d.resolved_at() ||
          (t == d.resolved_at() && b.outcome() > d.outcome())) {
        d.set_resolved_at(t);
        d.set_outcome(b.outcome());
        if (b.has_amount()) {
          *d.mutable_resolved_amount() = b.amount();
        } else {
          d.clear_resolved_amount();
        }
        *changed = true;
      }
      break;
    }
    default:
      break;
  }
  return absl::OkStatus();
}

absl::Status ApplyFee(ShopState::Internals& in, const v1::Event& e,
                      bool* changed) {
  const int64_t t = TsNanos(e.occurred_at());
  switch (e.body_case()) {
    case v1::Event::kFeeCharged: {
      const auto& b = e.fee_charged();
      auto it = in.fees.find(b.fee_id());
      const int64_t due = b.has_due_at() ? TsNanos(b.due_at()) : t;
      if (it != in.fees.end()) {
        const FeeRecord& f = it->second;
        if (f.charged()) {
          if (f.category() == b.category() &&
              f.amount() == b.amount().minor_units() &&
              f.currency() == b.amount().currency() && f.due_at() == due) {
            return absl::OkStatus();
          }
          return Contradiction(
              absl::StrCat("fee ", b.fee_id(),
                           " was already charged with different details (",
                           FormatMoney(f.amount(), f.currency()),
                           "); use a new fee_id for a different fee"));
        }
        for (const MoneyLine& m : f.paid()) {
          if (m.currency() != b.amount().currency()) {
            return Contradiction(absl::StrCat(
                "fee ", b.fee_id(), " is charged in ", b.amount().currency(),
                " but a payment of it (", m.id(), ") is in ", m.currency()));
          }
        }
      }
      FeeRecord& f = in.fees[b.fee_id()];
      f.set_id(b.fee_id());
      f.set_charged(true);
      f.set_category(b.category());
      f.set_amount(b.amount().minor_units());
      f.set_currency(b.amount().currency());
      f.set_charged_at(t);
      f.set_due_at(due);
      f.set_event_id(e.event_id());
      *changed = true;
      break;
    }
    case v1::Event::kFeePaid: {
      const auto& b = e.fee_paid();
      const std::string pay_id =
          b.payment_id().empty() ? e.event_id() : b.payment_id();
      auto it = in.fees.find(b.fee_id());
      if (it != in.fees.end()) {
        const FeeRecord& f = it->second;
        if (f.charged() && f.currency() != b.amount().currency()) {
          return Contradiction(
              absl::StrCat("fee ", b.fee_id(), " is owed in ", f.currency(),
                           " but this payment is in ", b.amount().currency(),
                           "; pay the fee in its own currency"));
        }
        for (MoneyLine& m : *it->second.mutable_paid()) {
          if (m.id() != pay_id) continue;
          if (m.minor_units() == b.amount().minor_units() &&
              m.currency() == b.amount().currency()) {
            if (m.at() == 0 || t < m.at()) {  // the earliest time: commutes
              m.set_at(t);
              *changed = true;
            }
            return absl::OkStatus();
          }
          return Contradiction(
              absl::StrCat("payment ", pay_id, " of fee ", b.fee_id(),
                           " was already recorded as ",
                           FormatMoney(m.minor_units(), m.currency()),
                           "; use a new payment_id for another payment"));
        }
        if (f.paid_size() >= kMaxPaymentsPerFee) {
          return Contradiction(absl::StrCat(
              "fee ", b.fee_id(), " already has ", f.paid_size(),
              " payments, the limit per fee is ", kMaxPaymentsPerFee,
              "; send the remaining amount as one payment"));
        }
      }
      FeeRecord& f = in.fees[b.fee_id()];
      f.set_id(b.fee_id());
      // Keep payments sorted by id so the record is order-independent.
      MoneyLine line;
      line.set_id(pay_id);
      line.set_minor_units(b.amount().minor_units());
      line.set_currency(b.amount().currency());
      line.set_at(t);
      auto* paid = f.mutable_paid();
      paid->Add(std::move(line));
      std::sort(paid->begin(), paid->end(),
                [](const MoneyLine& a, const MoneyLine& b) {
                  return a.id() < b.id();
                });
      *changed = true;
      break;
    }
    case v1::Event::kFeeWaived: {
      FeeRecord& f = RecordFor(in.fees, e.fee_waived().fee_id(), changed);
      MinTime(&f, &FeeRecord::waived_at, &FeeRecord::set_waived_at, t, changed);
      break;
    }
    default:
      break;
  }
  return absl::OkStatus();
}

absl::Status ApplyRefund(ShopState::Internals& in, const v1::Event& e,
                         bool* changed) {
  const int64_t t = TsNanos(e.occurred_at());
  switch (e.body_case()) {
    case v1::Event::kRefundRequested: {
      const auto& b = e.refund_requested();
      RefundRecord& r = in.refunds[b.refund_id()];
      r.set_id(b.refund_id());
      if (r.requested_at() == 0 || t < r.requested_at()) {
        r.set_requested_at(t);
        r.set_amount_set(b.has_amount());
        r.set_amount(b.amount().minor_units());
        r.set_currency(b.amount().currency());
        *changed = true;
      }
      break;
    }
    case v1::Event::kRefundPaid: {
      const auto& b = e.refund_paid();
      const std::set<std::string> used = LedgerCurrencies(in, 0);
      if (!used.empty() && !used.count(b.amount().currency())) {
        return Contradiction(absl::StrCat(
            "refund ", b.refund_id(), " was paid in ", b.amount().currency(),
            " but the deposit is held in ", absl::StrJoin(used, ", ")));
      }
      auto it = in.refunds.find(b.refund_id());
      if (it != in.refunds.end()) {
        for (const MoneyLine& m : it->second.paid()) {
          if (m.id() == e.event_id()) return absl::OkStatus();
        }
        if (it->second.paid_size() >= kMaxPaymentsPerRefund) {
          return Contradiction(absl::StrCat(
              "refund ", b.refund_id(), " already has ", it->second.paid_size(),
              " payments, the limit per refund is ", kMaxPaymentsPerRefund,
              "; send the remaining amount as one payment"));
        }
      }
      RefundRecord& r = in.refunds[b.refund_id()];
      r.set_id(b.refund_id());
      // Lines sorted by (time, event id) for order independence.
      std::vector<std::pair<std::pair<int64_t, std::string>, MoneyLine>> lines;
      for (int i = 0; i < r.paid_size(); ++i) {
        lines.push_back({{r.paid_at(i), r.paid(i).id()}, r.paid(i)});
      }
      MoneyLine line;
      line.set_id(e.event_id());
      line.set_minor_units(b.amount().minor_units());
      line.set_currency(b.amount().currency());
      lines.push_back({{t, e.event_id()}, line});
      std::sort(lines.begin(), lines.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      r.clear_paid();
      r.clear_paid_at();
      for (auto& [key, m] : lines) {
        r.add_paid_at(key.first);
        *r.add_paid() = m;
      }
      *changed = true;
      break;
    }
    case v1::Event::kRefundRejected: {
      const auto& b = e.refund_rejected();
      RefundRecord& r = in.refunds[b.refund_id()];
      r.set_id(b.refund_id());
      if (t > r.rejected_at() ||
          (t == r.rejected_at() && b.reason() > r.reject_reason())) {
        r.set_rejected_at(t);
        r.set_reject_reason(b.reason());
        *changed = true;
      }
      break;
    }
    default:
      break;
  }
  return absl::OkStatus();
}

// The record of the five paged maps that `e` can change, if any: every
// change to them is made by an event of its own record (ApplyPayment,
// ApplyDeduction, ApplyAppealFiled/Decided, ApplyRefund, ApplyDispute,
// ApplyFee), named by the event's id field.
std::pair<RecordKind, const std::string*> SubjectRecord(const v1::Event& e) {
  switch (e.body_case()) {
    case v1::Event::kDepositPaid:
      return {kPaymentKind, &e.deposit_paid().payment_id()};
    case v1::Event::kDepositToppedUp:
      return {kPaymentKind, &e.deposit_topped_up().payment_id()};
    case v1::Event::kDepositDeducted:
      return {kDeductionKind, &e.deposit_deducted().deduction_id()};
    case v1::Event::kAppealFiled:
      return {kDeductionKind, &e.appeal_filed().deduction_id()};
    case v1::Event::kAppealDecided:
      return {kDeductionKind, &e.appeal_decided().deduction_id()};
    case v1::Event::kRefundRequested:
      return {kRefundKind, &e.refund_requested().refund_id()};
    case v1::Event::kRefundPaid:
      return {kRefundKind, &e.refund_paid().refund_id()};
    case v1::Event::kRefundRejected:
      return {kRefundKind, &e.refund_rejected().refund_id()};
    case v1::Event::kFeeCharged:
      return {kFeeKind, &e.fee_charged().fee_id()};
    case v1::Event::kFeePaid:
      return {kFeeKind, &e.fee_paid().fee_id()};
    case v1::Event::kFeeWaived:
      return {kFeeKind, &e.fee_waived().fee_id()};
    case v1::Event::kDisputeOpened:
      return {kDisputeKind, &e.dispute_opened().dispute_id()};
    case v1::Event::kDisputeDeadlineChanged:
      return {kDisputeKind, &e.dispute_deadline_changed().dispute_id()};
    case v1::Event::kDisputeResponded:
      return {kDisputeKind, &e.dispute_responded().dispute_id()};
    case v1::Event::kDisputeResolved:
      return {kDisputeKind, &e.dispute_resolved().dispute_id()};
    default:
      return {kPaymentKind, nullptr};
  }
}

size_t PagedRecordCount(const ShopState::Internals& in) {
  return in.payments.size() + in.deductions.size() + in.refunds.size() +
         in.fees.size() + in.disputes.size();
}

bool HasRecord(const ShopState::Internals& in, RecordKind kind,
               const std::string& id) {
  switch (kind) {
    case kPaymentKind:
      return in.payments.contains(id);
    case kDeductionKind:
      return in.deductions.contains(id);
    case kRefundKind:
      return in.refunds.contains(id);
    case kFeeKind:
      return in.fees.contains(id);
    case kDisputeKind:
      return in.disputes.contains(id);
  }
  return false;
}

// Gives every record without a slot one (kind by kind, in id order) and
// marks every record page dirty.
void SlotAllRecords(ShopState::Internals& in) {
  RecordBook& rb = in.records;
  auto add = [&](RecordKind kind, const auto& records) {
    for (const auto& [id, rec] : records) rb.MarkDirty(rb.SlotOf(kind, id));
  };
  add(kPaymentKind, in.payments);
  add(kDeductionKind, in.deductions);
  add(kRefundKind, in.refunds);
  add(kFeeKind, in.fees);
  add(kDisputeKind, in.disputes);
}

// After `e` was applied: marks the page of the record it changed dirty
// (giving a new record its slot), and moves the records out of the head
// once there are more than kRecordsInHead of them.
void NoteRecordChange(ShopState::Internals& in, const v1::Event& e) {
  const auto [kind, id] = SubjectRecord(e);
  if (id == nullptr) return;
  RecordBook& rb = in.records;
  if (!rb.paged()) {
    if (PagedRecordCount(in) > kRecordsInHead) SlotAllRecords(in);
    return;
  }
  if (HasRecord(in, kind, *id)) rb.MarkDirty(rb.SlotOf(kind, *id));
  // Every record has its slot (only the events above add records); the
  // check is O(1) and would repair a missed one rather than lose it.
  assert(rb.slots.size() == PagedRecordCount(in));
  if (rb.slots.size() != PagedRecordCount(in)) SlotAllRecords(in);
}

}  // namespace

namespace {

// Records lifecycle fact (t, type) and its event id (the smallest id of the
// events stating it, so the result does not depend on arrival order).
// True when anything changed.
bool AddLifecycleFact(ShopState::Internals& in, int64_t t, int32_t type,
                      const std::string& event_id) {
  bool changed = in.lifecycle.insert({t, type}).second;
  if (!event_id.empty()) {
    auto [it, inserted] =
        in.lifecycle_event_ids.try_emplace({t, type}, event_id);
    if (!inserted && event_id < it->second) {
      it->second = event_id;
      inserted = true;
    }
    changed |= inserted;
  }
  return changed;
}

}  // namespace

absl::Status ShopState::Apply(const v1::Event& e,
                              const ResolvedProfile& profile) {
  RETURN_IF_ERROR(ValidateEvent(e));
  return ApplyValidated(e, profile);
}

absl::Status ShopState::ApplyValidated(const v1::Event& e,
                                       const ResolvedProfile& profile) {
  (void)profile;  // defaults that depend on the profile apply at evaluation
  assert(ValidateEvent(e).ok() && "ApplyValidated needs a validated event");
  if (e.tenant() != in_->tenant || e.shop_id() != in_->shop_id) {
    return Invalid(absl::StrCat("event for ", e.tenant(), "/", e.shop_id(),
                                " sent to shop ", in_->tenant, "/",
                                in_->shop_id));
  }
  Internals& in = *in_;
  const int64_t t = TsNanos(e.occurred_at());
  bool changed = false;
  absl::Status s;
  CountSubject(in, e, -1);  // counted again below, whatever happens
  switch (e.body_case()) {
    case v1::Event::kShopRegistered: {
      const auto& b = e.shop_registered();
      if (t > in.registered_at ||
          (t == in.registered_at &&
           std::tie(b.profile(), b.site(), b.legal_entity_id()) >
               std::tie(in.profile, in.site, in.legal_entity_id))) {
        in.registered_at = t;
        in.profile = b.profile();
        in.site = b.site();
        in.legal_entity_id = b.legal_entity_id();
        in.entity_last_closed_at = b.has_entity_last_closed_at()
                                       ? TsNanos(b.entity_last_closed_at())
                                       : 0;
        changed = true;
      }
      break;
    }
    case v1::Event::kClosureRequested:
      changed = AddLifecycleFact(in, t, kClosureRequested, e.event_id());
      break;
    case v1::Event::kShopClosed:
      changed = AddLifecycleFact(in, t, kClosed, e.event_id());
      break;
    case v1::Event::kShopReopened:
      changed = AddLifecycleFact(in, t, kReopened, e.event_id());
      break;
    case v1::Event::kDepositPaid:
    case v1::Event::kDepositToppedUp:
      s = ApplyPayment(in, e, &changed);
      break;
    case v1::Event::kDepositDeducted:
      s = ApplyDeduction(in, e, &changed);
      break;
    case v1::Event::kDepositFrozen:
      if (t > in.frozen_at ||
          (t == in.frozen_at &&
           e.deposit_frozen().violation_id() > in.freeze_violation_id)) {
        in.frozen_at = t;
        in.freeze_violation_id = e.deposit_frozen().violation_id();
        in.freeze_reason = e.deposit_frozen().reason();
        changed = true;
      }
      break;
    case v1::Event::kDepositUnfrozen:
      if (t > in.unfrozen_at) {
        in.unfrozen_at = t;
        changed = true;
      }
      break;
    case v1::Event::kRefundRequested:
    case v1::Event::kRefundPaid:
    case v1::Event::kRefundRejected:
      s = ApplyRefund(in, e, &changed);
      break;
    case v1::Event::kRefundAccountSet: {
      const auto& b = e.refund_account_set();
      if (t > in.refund_account_set_at ||
          (t == in.refund_account_set_at &&
           std::tie(b.channel(), b.account(), b.currency()) >
               std::tie(in.refund_channel, in.refund_account,
                        in.refund_currency))) {
        in.refund_account_set_at = t;
        in.refund_channel = b.channel();
        in.refund_account = b.account();
        in.refund_currency = b.currency();
        in.derived.payments_on_refund_path = CountOnRefundPath(in);
        changed = true;
      }
      break;
    }
    case v1::Event::kDepositRequirementSet: {
      const auto& b = e.deposit_requirement_set();
      auto it = in.requirements.find(b.kind());
      if (it == in.requirements.end() || t > it->second.set_at() ||
          (t == it->second.set_at() &&
           std::make_pair(b.required().minor_units(), b.required().currency()) >
               std::make_pair(it->second.amount(), it->second.currency()))) {
        store::v1::RequirementRecord& r = in.requirements[b.kind()];
        r.set_kind(b.kind());
        r.set_amount(b.required().minor_units());
        r.set_currency(b.required().currency());
        r.set_set_at(t);
        changed = true;
      }
      break;
    }
    case v1::Event::kAppealFiled:
      s = ApplyAppealFiled(in, e, &changed);
      break;
    case v1::Event::kAppealDecided:
      s = ApplyAppealDecided(in, e, &changed);
      break;
    case v1::Event::kClawbackPaid: {
      const auto& b = e.clawback_paid();
      const std::string id =
          b.payment_id().empty() ? e.event_id() : b.payment_id();
      auto it = in.clawbacks_paid.find(id);
      if (it != in.clawbacks_paid.end()) {
        if (it->second.minor_units() == b.amount().minor_units() &&
            it->second.currency() == b.amount().currency()) {
          if (it->second.at() == 0 || t < it->second.at()) {  // earliest
            it->second.set_at(t);
            changed = true;
          }
          break;
        }
        s = Contradiction(
            absl::StrCat("clawback payment ", id,
                         " was already recorded with a different amount"));
        break;
      }
      MoneyLine& m = in.clawbacks_paid[id];
      m.set_id(id);
      m.set_minor_units(b.amount().minor_units());
      m.set_currency(b.amount().currency());
      m.set_at(t);
      changed = true;
      break;
    }
    case v1::Event::kOrderStatusChanged:
      s = ApplyOrderStatus(in, e, e.order_status_changed().status(),
                           e.order_status_changed().order_id(), &changed);
      break;
    case v1::Event::kSaleRecorded:
      if (t > in.last_sale_at) {
        in.last_sale_at = t;
        changed = true;
      }
      break;
    case v1::Event::kDisputeOpened:
    case v1::Event::kDisputeDeadlineChanged:
    case v1::Event::kDisputeResponded:
    case v1::Event::kDisputeResolved:
      s = ApplyDispute(in, e, &changed);
      break;
    case v1::Event::kFeeCharged:
    case v1::Event::kFeePaid:
    case v1::Event::kFeeWaived:
      s = ApplyFee(in, e, &changed);
      break;
    case v1::Event::kViolationRecorded: {
      const auto& b = e.violation_recorded();
      ViolationRecord& v = in.violations[b.violation_id()];
      if (!v.recorded() || t < v.recorded_at()) {
        v.set_id(b.violation_id());
        v.set_recorded(true);
        v.set_recorded_at(t);
        v.set_kind(b.kind());
        v.set_description(b.description());
        changed = true;
      }
      break;
    }
    case v1::Event::kViolationResolved: {
      ViolationRecord& v = RecordFor(
          in.violations, e.violation_resolved().violation_id(), &changed);
      MinTime(&v, &ViolationRecord::resolved_at,
              &ViolationRecord::set_resolved_at, t, &changed);
      break;
    }
    case v1::Event::kRectificationFiled: {
      const auto& b = e.rectification_filed();
      ViolationRecord& v = in.violations[b.violation_id()];
      v.set_id(b.violation_id());
      if (v.rectified_at() == 0 || t < v.rectified_at() ||
          (t == v.rectified_at() && b.statement() > v.statement())) {
        v.set_rectified_at(t);
        v.set_statement(b.statement());
        changed = true;
      }
      break;
    }
    case v1::Event::kMetricsReported: {
      const auto& b = e.metrics_reported();
      auto put = [&](const char* name, bool has, double value) {
        if (!has) return;
        auto it = in.metrics.find(name);
        if (it == in.metrics.end() || t > it->second.second ||
            (t == it->second.second && value > it->second.first)) {
          in.metrics[name] = {value, t};
          changed = true;
        }
      };
      put("fulfilment_rate_pct", b.has_fulfilment_rate_pct(),
          b.fulfilment_rate_pct());
      put("return_rate_pct", b.has_return_rate_pct(), b.return_rate_pct());
      put("dsr", b.has_dsr(), b.dsr());
      break;
    }
    case v1::Event::kFeedAuthorizationChanged: {
      const auto& b = e.feed_authorization_changed();
      if (t >= in.feed_state_at) {
        in.feed_state_at = t;
        in.feed_state = b.state();
        in.feed_expires_at = b.has_expires_at() ? TsNanos(b.expires_at()) : 0;
        changed = true;
      }
      break;
    }
    case v1::Event::BODY_NOT_SET:
      break;
  }
  CountSubject(in, e, +1);
  NoteRecordChange(in, e);
  if (!s.ok()) return s;
  if (changed) ++in.events_applied;
  return absl::OkStatus();
}

// --- Evaluate
// ----------------------------------------------------------------------

namespace {

void AddAmounts(const CurrencyAmounts& amounts, v1::Blocker* b) {
  for (const auto& [cur, v] : amounts) {
    v1::Money* m = b->add_amounts();
    m->set_currency(cur);
    m->set_minor_units(v);
  }
}

std::string AmountsText(const CurrencyAmounts& amounts) {
  std::vector<std::string> parts;
  for (const auto& [cur, v] : amounts) parts.push_back(FormatMoney(v, cur));
  return absl::StrJoin(parts, " + ");
}

template <typename Range>
void AddIds(const Range& ids, int64_t count, v1::Blocker* b) {
  int n = 0;
  for (const auto& id : ids) {
    if (n == kMaxEvidenceIds) break;
    b->add_ids(std::string(id));
    ++n;
  }
  b->set_count(count);
  b->set_ids_truncated(count > n);
}

std::string TimeText(absl::Time t, const ResolvedProfile& profile) {
  const absl::TimeZone zone =
      profile.calendar ? profile.calendar->zone() : absl::UTCTimeZone();
  return absl::FormatTime("%Y-%m-%d %H:%M %Ez", t, zone);
}

}  // namespace

v1::ReadinessReport ShopState::Evaluate(absl::Time as_of,
                                        const ResolvedProfile& profile) const {
  const Internals& in = *in_;
  const v1::PlatformProfile& p = profile.settings;
  v1::ReadinessReport r;
  r.set_tenant(in.tenant);
  r.set_shop_id(in.shop_id);
  r.set_profile(p.name());
  SetTime(as_of, r.mutable_as_of());
  r.set_lifecycle(DeriveLifecycle(in));
  r.set_events_applied(in.events_applied);
  if (in.last_sale_at != 0) SetTs(in.last_sale_at, r.mutable_last_sale_at());
  for (const auto& [cur, v] : Balance(in, true)) {
    v1::Money* m = r.add_balance();
    m->set_currency(cur);
    m->set_minor_units(v);
  }
  for (const auto& [cur, v] : Refundable(in)) {
    v1::Money* m = r.add_refundable();
    m->set_currency(cur);
    m->set_minor_units(v);
  }
  for (const auto& [cur, v] : RecoverableByAppeal(in, p, as_of)) {
    v1::Money* m = r.add_recoverable_by_appeal();
    m->set_currency(cur);
    m->set_minor_units(v);
  }

  const ClosureFacts closure = GetClosureFacts(in);
  const int grace_days = p.post_closure_dispute_grace_days();
  std::string grace_note;
  if (closure.closed_at != 0) {
    if (grace_days > 0) {
      // domain.md §3: a grace period ends; once passed the blocker says so.
      const absl::Time grace_end = PostClosureGraceEnd(closure, profile);
      grace_note =
          as_of < grace_end
              ? absl::StrCat("; the platform allows finishing it until ",
                             TimeText(grace_end, profile))
              : absl::StrCat("; the ", grace_days,
                             "-day post-closure grace ended ",
                             TimeText(grace_end, profile),
                             ": the refund may be rejected");
    } else {
      grace_note = "; the platform requires this finished before closure";
    }
  }

  // R1
  const OrderBook& book = in.orders;
  const int64_t placed = book.count_by_status[v1::PLACED];
  const int64_t shipped = book.count_by_status[v1::SHIPPED];
  const int64_t transit = book.count_by_status[v1::IN_TRANSIT];
  if (placed + shipped + transit > 0) {
    v1::Blocker* b = r.add_blockers();
    b->set_condition(v1::R1_ORDERS_IN_FLIGHT);
    std::vector<absl::string_view> ids;
    for (const OrderKey& k : book.in_flight) {
      if (ids.size() == kMaxEvidenceIds) break;
      ids.push_back(book.id(k.slot));
    }
    AddIds(ids, placed + shipped + transit, b);
    b->set_summary(absl::StrCat(placed + shipped + transit,
                                " orders not finished: ", placed,
                                " unshipped, ", shipped, " shipped, ", transit,
                                " in transit", grace_note));
    b->set_action(
        "Ship, deliver or cancel these orders and wait for delivery; their "
        "status events clear this.");
  }
  // R2
  if (p.return_window_days() > 0 && !book.delivered.empty()) {
    const int64_t window_s = int64_t{p.return_window_days()} * 86400;
    const int64_t as_of_s = absl::ToUnixSeconds(as_of);
    int64_t count = 0;
    int64_t latest_end = 0;
    std::vector<absl::string_view> ids;
    for (auto it = book.delivered.rbegin(); it != book.delivered.rend(); ++it) {
      const int64_t end = it->at_s + window_s;
      if (end <= as_of_s) break;
      if (count == 0) latest_end = end;
      if (ids.size() < kMaxEvidenceIds) ids.push_back(book.id(it->slot));
      ++count;
    }
    if (count > 0) {
      v1::Blocker* b = r.add_blockers();
      b->set_condition(v1::R2_RETURN_WINDOWS_OPEN);
      AddIds(ids, count, b);
      SetTime(absl::FromUnixSeconds(latest_end), b->mutable_clears_at());
      b->set_summary(absl::StrCat(
          count, " delivered orders inside their ", p.return_window_days(),
          "-day return window; the last one ends ",
          TimeText(absl::FromUnixSeconds(latest_end), profile)));
      b->set_action(
          "Nothing to do: this clears by itself when the windows end.");
    }
  }
  // R3
  {
    int64_t count = 0;
    std::vector<std::string> ids;
    CurrencyAmounts amounts;
    bool complaint = false;
    for (const auto& [id, d] : in.disputes) {
      if (!DisputeOpen(d)) continue;
      ++count;
      if (ids.size() < kMaxEvidenceIds) ids.push_back(id);
      if (d.has_amount() && d.amount().minor_units() > 0) {
        int64_t& v = amounts[d.amount().currency()];
        v = MoneyAdd(v, d.amount().minor_units());
      }
      complaint |= d.kind() == v1::COMPLAINT;
    }
    if (count > 0) {
      v1::Blocker* b = r.add_blockers();
      b->set_condition(v1::R3_OPEN_DISPUTES);
      AddIds(ids, count, b);
      AddAmounts(amounts, b);
      b->set_summary(absl::StrCat(
          count, " open disputes, claims or after-sales requests", grace_note));
      b->set_action(
          "Respond to and settle each open dispute; a DisputeResolved event "
          "clears it.");
    }
  }
  // R4
  {
    int64_t count = 0;
    std::vector<std::string> ids;
    CurrencyAmounts amounts;
    for (const auto& [id, f] : in.fees) {
      const int64_t owed = FeeOutstanding(f);
      if (owed <= 0) continue;
      ++count;
      if (ids.size() < kMaxEvidenceIds) ids.push_back(id);
      int64_t& v = amounts[f.currency()];
      v = MoneyAdd(v, owed);
    }
    if (count > 0) {
      v1::Blocker* b = r.add_blockers();
      b->set_condition(v1::R4_UNPAID_FEES);
      AddIds(ids, count, b);
      AddAmounts(amounts, b);
      b->set_summary(
          absl::StrCat(count, " unpaid fees: ", AmountsText(amounts)));
      b->set_action(
          "Pay the fees (fines, service fees, ads, logistics, order refunds).");
    }
  }
  // R5
  {
    int64_t count = 0;
    std::vector<std::string> ids;
    for (const auto& [id, v] : in.violations) {
      if (v.recorded() && v.resolved_at() == 0) {
        ++count;
        if (ids.size() < kMaxEvidenceIds) ids.push_back(id);
      }
    }
    const bool frozen = in.frozen_at > in.unfrozen_at;
    bool rectified = false;
    if (frozen) {
      auto it = in.violations.find(in.freeze_violation_id);
      rectified = it != in.violations.end() && it->second.rectified_at() != 0;
      if (in.freeze_violation_id.empty()) {
        for (const auto& [id, v] : in.violations)
          rectified |= v.rectified_at() != 0;
      }
    }
    const bool freeze_blocks = frozen && !rectified;
    if (count > 0 || freeze_blocks) {
      v1::Blocker* b = r.add_blockers();
      b->set_condition(v1::R5_PENDING_VIOLATIONS);
      if (freeze_blocks && ids.size() < kMaxEvidenceIds) {
        ids.push_back(in.freeze_violation_id.empty() ? "deposit-frozen"
                                                     : in.freeze_violation_id);
      }
      AddIds(ids, count + (freeze_blocks ? 1 : 0), b);
      std::string summary = absl::StrCat(count, " pending violations");
      if (freeze_blocks) {
        absl::StrAppend(
            &summary,
            "; the deposit is frozen without a rectification statement");
      }
      b->set_summary(summary);
      b->set_action(
          "Resolve the violations; for a frozen deposit file a rectification "
          "statement (RectificationFiled).");
    }
  }
  // R6
  {
    const CurrencyAmounts balance = Balance(in, /*after_refunds=*/false);
    CurrencyAmounts shortfall;
    for (const auto& [cur, need] : Required(in, p)) {
      auto it = balance.find(cur);
      const int64_t have = it == balance.end() ? 0 : it->second;
      if (have < need) shortfall[cur] = MoneySub(need, have);
    }
    if (!shortfall.empty()) {
      v1::Blocker* b = r.add_blockers();
      b->set_condition(v1::R6_BALANCE_SHORT);
      b->set_count(static_cast<int64_t>(shortfall.size()));
      AddAmounts(shortfall, b);
      b->set_summary(
          absl::StrCat("deposit balance is short by ", AmountsText(shortfall)));
      b->set_action("Top up the deposit to the required amount.");
    }
  }
  // R7
  {
    if (closure.closed_at == 0) {
      v1::Blocker* b = r.add_blockers();
      b->set_condition(v1::R7_WAITING_PERIOD);
      b->set_count(1);
      b->set_summary(
          closure.requested_at != 0
              ? absl::StrCat(
                    "closure requested ",
                    TimeText(NanosToTime(closure.requested_at), profile),
                    "; the platform has not closed the shop yet")
              : "the shop is not closed");
      b->set_action(absl::StrCat(
          closure.requested_at != 0 ? "Wait for or chase the platform's closure"
                                    : "Request closure",
          p.closure_waiting_days() > 0
              ? absl::StrCat(
                    "; a ", p.closure_waiting_days(),
                    "-day waiting period starts when the shop is closed.")
              : "."));
    } else if (p.closure_waiting_days() > 0) {
      const absl::Time end = profile.calendar->AddNaturalDays(
          NanosToTime(closure.closed_at), p.closure_waiting_days());
      if (end > as_of) {
        v1::Blocker* b = r.add_blockers();
        b->set_condition(v1::R7_WAITING_PERIOD);
        b->set_count(1);
        SetTime(end, b->mutable_clears_at());
        b->set_summary(absl::StrCat(
            "closed ", TimeText(NanosToTime(closure.closed_at), profile),
            "; the ", p.closure_waiting_days(), "-day waiting period ends ",
            TimeText(end, profile)));
        b->set_action("Nothing to do: this clears by itself.");
      }
    }
  }
  // R8
  if (!in.payments.empty()) {
    const std::vector<std::string> bad = AccountMismatches(in);
    if (!bad.empty()) {
      v1::Blocker* b = r.add_blockers();
      b->set_condition(v1::R8_REFUND_ACCOUNT);
      AddIds(bad, static_cast<int64_t>(bad.size()), b);
      if (in.refund_account_set_at == 0) {
        b->set_summary("no refund account on file");
        b->set_action(
            "Set the refund account to the paying channel, account and "
            "currency "
            "of the deposit (refunds go back by the original path).");
      } else {
        b->set_summary(absl::StrCat(
            bad.size(), " deposit payments differ from the refund account ",
            in.refund_channel, "/", in.refund_account, " ",
            in.refund_currency));
        b->set_action(
            "Change the refund account to the channel, account and currency "
            "the "
            "deposit was paid from.");
      }
    }
  }
  // R9
  {
    const v1::HealthThresholds& h = p.health();
    std::vector<std::string> ids;
    std::vector<std::string> parts;
    auto check = [&](const char* name, bool has_threshold, double threshold,
                     bool minimum) {
      if (!has_threshold) return;
      auto it = in.metrics.find(name);
      if (it == in.metrics.end()) return;
      const double v = it->second.first;
      if (minimum ? v < threshold : v > threshold) {
        ids.push_back(name);
        parts.push_back(absl::StrFormat("%s %.2f %s %.2f", name, v,
                                        minimum ? "<" : ">", threshold));
      }
    };
    check("fulfilment_rate_pct", h.has_min_fulfilment_rate_pct(),
          h.min_fulfilment_rate_pct(), true);
    check("return_rate_pct", h.has_max_return_rate_pct(),
          h.max_return_rate_pct(), false);
    check("dsr", h.has_min_dsr(), h.min_dsr(), true);
    if (!ids.empty()) {
      v1::Blocker* b = r.add_blockers();
      b->set_condition(v1::R9_HEALTH_METRICS);
      AddIds(ids, static_cast<int64_t>(ids.size()), b);
      b->set_summary(absl::StrCat("health below thresholds: ",
                                  absl::StrJoin(parts, ", ")));
      b->set_action(
          "Improve the metrics until the platform reports them within "
          "thresholds.");
    }
  }
  // R10
  {
    const CurrencyAmounts owed = ClawbackOwed(in);
    if (!owed.empty()) {
      v1::Blocker* b = r.add_blockers();
      b->set_condition(v1::R10_DISCOUNT_CLAWBACK);
      std::vector<std::string> ids;
      const int64_t closure_start = closure.closure_start();
      for (const auto& [id, pay] : in.payments) {
        if (pay.discount() > 0 && pay.clawback_until() > closure_start)
          ids.push_back(id);
      }
      AddIds(ids, static_cast<int64_t>(ids.size()), b);
      AddAmounts(owed, b);
      b->set_summary(
          absl::StrCat("discount clawback owed: ", AmountsText(owed)));
      b->set_action("Pay back the deposit discount (ClawbackPaid).");
    }
  }

  // Verdict.
  bool only_time = true;
  absl::Time ready_at = as_of;
  for (const v1::Blocker& b : r.blockers()) {
    if (!b.has_clears_at()) {
      only_time = false;
    } else {
      ready_at = std::max(ready_at, NanosToTime(TsNanos(b.clears_at())));
    }
  }
  if (r.blockers_size() == 0) {
    r.set_verdict(v1::READY);
  } else if (only_time) {
    r.set_verdict(v1::READY_AT);
    SetTime(ready_at, r.mutable_ready_at());
  } else {
    r.set_verdict(v1::NOT_READY);
  }
  // domain.md §4 step 1: a fact with READY / READY_AT, conditional (and
  // marked so) while blockers needing an action remain.
  if (closure.closed_at != 0) {
    *r.mutable_projection() =
        ProjectRefund(*this, profile, as_of,
                      /*action_blockers_remain=*/r.verdict() == v1::NOT_READY);
  }
  return r;
}

// --- Explain
// -------------------------------------------------------------------------

v1::ExplainResponse ShopState::Explain(absl::Time as_of,
                                       const ResolvedProfile& profile) const {
  const Internals& in = *in_;
  const v1::PlatformProfile& p = profile.settings;
  v1::ExplainResponse out;
  *out.mutable_report() = Evaluate(as_of, profile);
  const absl::TimeZone zone =
      profile.calendar ? profile.calendar->zone() : absl::UTCTimeZone();
  for (const v1::Blocker& b : out.report().blockers()) {
    v1::BlockerExplanation* x = out.add_explanations();
    *x->mutable_blocker() = b;
    auto add = [&](absl::string_view event_id, int64_t at_ns,
                   absl::string_view type, absl::string_view subject,
                   std::string detail) {
      if (x->events_size() >= kMaxExplainEvents) return;
      v1::EvidenceEvent* ev = x->add_events();
      ev->set_event_id(std::string(event_id));
      if (at_ns != 0) SetTs(at_ns, ev->mutable_occurred_at());
      ev->set_type(std::string(type));
      ev->set_subject(std::string(subject));
      ev->set_detail(std::move(detail));
    };
    switch (b.condition()) {
      case v1::R1_ORDERS_IN_FLIGHT:
      case v1::R2_RETURN_WINDOWS_OPEN:
        for (const std::string& id : b.ids()) {
          auto it = in.orders.by_id.find(id);
          if (it == in.orders.by_id.end()) continue;
          const OrderRecord& o = in.orders.slots[it->second];
          const int64_t at_s = o.at_s[o.status - 1];
          std::string detail = absl::StrCat(
              "order ", id, " ",
              v1::OrderStatus_Name(static_cast<v1::OrderStatus>(o.status)),
              " since ", SecondsText(at_s, zone));
          if (b.condition() == v1::R2_RETURN_WINDOWS_OPEN) {
            absl::StrAppend(
                &detail, "; delivered ", SecondsText(o.delivered_s(), zone),
                "; return window ends ",
                SecondsText(
                    o.delivered_s() + int64_t{p.return_window_days()} * 86400,
                    zone));
          }
          add("", at_s * 1000000000LL, "order_status_changed", id, detail);
        }
        break;
      case v1::R3_OPEN_DISPUTES:
        for (const std::string& id : b.ids()) {
          auto it = in.disputes.find(id);
          if (it == in.disputes.end()) continue;
          const DisputeRecord& d = it->second;
          const int64_t due = DisputeDueAt(d, p);
          add(d.event_id(), d.opened_at(), "dispute_opened", id,
              absl::StrCat(
                  v1::DisputeKind_Name(static_cast<v1::DisputeKind>(d.kind())),
                  " ", id, d.order_id().empty() ? "" : " on order ",
                  d.order_id(),
                  due != 0 ? absl::StrCat("; response due ",
                                          TimeText(NanosToTime(due), profile))
                           : "",
                  d.responded_at() != 0 ? "; responded" : "; not responded"));
        }
        break;
      case v1::R4_UNPAID_FEES:
        for (const std::string& id : b.ids()) {
          auto it = in.fees.find(id);
          if (it == in.fees.end()) continue;
          const FeeRecord& f = it->second;
          add(f.event_id(), f.charged_at(), "fee_charged", id,
              absl::StrCat(v1::FeeCategory_Name(
                               static_cast<v1::FeeCategory>(f.category())),
                           " fee ", id, ": ",
                           FormatMoney(FeeOutstanding(f), f.currency()),
                           " unpaid of ",
                           FormatMoney(f.amount(), f.currency())));
        }
        break;
      case v1::R5_PENDING_VIOLATIONS:
        for (const std::string& id : b.ids()) {
          auto it = in.violations.find(id);
          if (it != in.violations.end() && it->second.recorded()) {
            add("", it->second.recorded_at(), "violation_recorded", id,
                absl::StrCat("violation ", id, " (", it->second.kind(), ") ",
                             it->second.description()));
          }
        }
        if (in.frozen_at > in.unfrozen_at) {
          add("", in.frozen_at, "deposit_frozen", in.freeze_violation_id,
              absl::StrCat("deposit frozen: ", in.freeze_reason));
        }
        break;
      case v1::R6_BALANCE_SHORT:
      case v1::R8_REFUND_ACCOUNT:
      case v1::R10_DISCOUNT_CLAWBACK:
        for (const auto& [id, pay] : in.payments) {
          add(pay.event_id(), pay.at(),
              pay.top_up() ? "deposit_topped_up" : "deposit_paid", id,
              absl::StrCat(
                  KindName(pay.kind()), " ",
                  FormatMoney(pay.amount(), pay.currency()), " from ",
                  pay.channel(), "/", pay.account(),
                  pay.discount() > 0
                      ? absl::StrCat(", discount ", FormatMoney(pay.discount(),
                                                                pay.currency()))
                      : ""));
        }
        if (b.condition() == v1::R6_BALANCE_SHORT) {
          for (const auto& [id, d] : in.deductions) {
            if (!d.known()) continue;
            add(d.event_id(), d.at(), "deposit_deducted", id,
                absl::StrCat("deducted ", FormatMoney(d.amount(), d.currency()),
                             ": ", d.reason()));
          }
        }
        if (b.condition() == v1::R8_REFUND_ACCOUNT &&
            in.refund_account_set_at != 0) {
          add("", in.refund_account_set_at, "refund_account_set",
              in.refund_account,
              absl::StrCat("refund account ", in.refund_channel, "/",
                           in.refund_account, " ", in.refund_currency));
        }
        break;
      case v1::R7_WAITING_PERIOD: {
        const ClosureFacts f = GetClosureFacts(in);
        auto event_id = [&](int64_t t, int32_t type) -> std::string {
          auto it = in.lifecycle_event_ids.find({t, type});
          return it == in.lifecycle_event_ids.end() ? "" : it->second;
        };
        if (f.requested_at != 0) {
          add(event_id(f.requested_at, kClosureRequested), f.requested_at,
              "closure_requested", "", "closure requested");
        }
        if (f.closed_at != 0) {
          add(event_id(f.closed_at, kClosed), f.closed_at, "shop_closed", "",
              "shop closed");
        }
        break;
      }
      case v1::R9_HEALTH_METRICS:
        for (const std::string& id : b.ids()) {
          auto it = in.metrics.find(id);
          if (it == in.metrics.end()) continue;
          add("", it->second.second, "metrics_reported", id,
              absl::StrFormat("%s = %.2f", id, it->second.first));
        }
        break;
      default:
        break;
    }
  }
  return out;
}

// --- Serialize / Parse
// ---------------------------------------------------------------

namespace {

// Orders [begin, end) of `book` as columns.
void FillOrderColumns(const OrderBook& book, size_t begin, size_t end,
                      store::v1::OrderColumns* oc) {
  const int n = static_cast<int>(end - begin);
  std::string* ids = oc->mutable_ids();
  size_t total = 0;
  for (size_t i = begin; i < end; ++i) total += book.slots[i].id.size();
  ids->reserve(total);
  oc->mutable_id_lengths()->Reserve(n);
  for (size_t i = begin; i < end; ++i) {
    const OrderRecord& r = book.slots[i];
    ids->append(r.id.data(), r.id.size());
    oc->add_id_lengths(static_cast<uint32_t>(r.id.size()));
  }
  for (int k = 0; k < 7; ++k) {
    auto* col = oc->add_milestones()->mutable_at_s();
    col->Reserve(n);
    for (size_t i = begin; i < end; ++i) col->Add(book.slots[i].at_s[k]);
  }
}

// The columns of `oc` agree: seven milestone columns as long as the ids,
// and id lengths that are non-zero and add up to the id bytes.
absl::Status CheckOrderColumns(const store::v1::OrderColumns& oc) {
  const int n = oc.id_lengths_size();
  if (n > 0 && oc.milestones_size() != 7) {
    return absl::DataLossError(
        "shop snapshot: order milestone columns missing");
  }
  for (int k = 0; k < oc.milestones_size(); ++k) {
    if (oc.milestones(k).at_s_size() != n) {
      return absl::DataLossError(
          "shop snapshot: order columns differ in length");
    }
  }
  size_t total = 0;
  for (int i = 0; i < n; ++i) {
    const uint32_t len = oc.id_lengths(i);
    if (len == 0 || len > oc.ids().size() - total) {
      return absl::DataLossError(
          "shop snapshot: order id lengths do not fit the ids");
    }
    total += len;
  }
  if (total != oc.ids().size()) {
    return absl::DataLossError("shop snapshot: trailing order id bytes");
  }
  return absl::OkStatus();
}

// Adds the orders of `oc` (a snapshot's or a page's) after those of `in`.
absl::Status AddOrderColumns(ShopState::Internals& in,
                             const store::v1::OrderColumns& oc) {
  const int n = oc.id_lengths_size();
  if (absl::Status s = CheckOrderColumns(oc); !s.ok()) return s;
  // Grow the slots geometrically: a big shop arrives as hundreds of pages,
  // and an exact reserve per page would copy its orders once per page.
  const size_t need = in.orders.slots.size() + static_cast<size_t>(n);
  if (need > in.orders.slots.capacity()) {
    in.orders.slots.reserve(std::max(need, 2 * in.orders.slots.capacity()));
  }
  in.orders.by_id.reserve(need);  // absl rounds up to a power of two
  // The prefix all ids share, known up front so that no insertion below
  // has to shrink it (CheckOrderColumns proved the lengths fit the ids).
  const absl::string_view ids = oc.ids();
  size_t prefix = std::numeric_limits<size_t>::max();
  for (size_t i = 0, at = 0; i < static_cast<size_t>(n); ++i) {
    const uint32_t len = oc.id_lengths(static_cast<int>(i));
    prefix = std::min(prefix, CommonPrefix(ids.substr(at, len),
                                           ids.substr(0, oc.id_lengths(0))));
    at += len;
  }
  const bool first = in.orders.slots.empty();
  size_t offset = 0;
  for (int i = 0; i < n; ++i) {
    const uint32_t len = oc.id_lengths(i);
    int64_t at[7];
    for (int k = 0; k < 7; ++k) at[k] = oc.milestones(k).at_s(i);
    if (!InsertOrder(in.orders, ids.substr(offset, len), at)) {
      return absl::DataLossError("shop snapshot: duplicate order id");
    }
    if (first && i == 0 && prefix < in.orders.common_prefix) {
      ShrinkCommonPrefix(in.orders, prefix);  // one order: O(1)
    }
    offset += len;
  }
  return absl::OkStatus();
}

}  // namespace

std::string ShopState::Serialize() const { return SerializeImpl(false); }
std::string ShopState::SerializeHead() const { return SerializeImpl(true); }

using wire::PutVarint;
using wire::VarintSize;
using wire::ZigZag;

// store.v1.OrderColumns written directly, byte for byte what the message's
// own serializer writes (field order; packed varints; an empty field left
// out; seven Milestones always present), sized first and then written
// into place: a checkpoint slice writes every changed page of a busy shop.
std::string ShopState::SerializeOrderPage(uint32_t page) const {
  const OrderBook& book = in_->orders;
  const size_t begin =
      std::min<size_t>(size_t{page} * kOrderPageSlots, book.slots.size());
  const size_t end = std::min(begin + kOrderPageSlots, book.slots.size());
  size_t ids_len = 0;
  size_t lengths_len = 0;
  size_t column_len[7] = {0, 0, 0, 0, 0, 0, 0};
  for (size_t i = begin; i < end; ++i) {
    const OrderRecord& r = book.slots[i];
    ids_len += r.id.size();
    lengths_len += VarintSize(r.id.size());
    for (int k = 0; k < 7; ++k) column_len[k] += VarintSize(ZigZag(r.at_s[k]));
  }
  size_t total = 0;
  if (ids_len > 0) total += 1 + VarintSize(ids_len) + ids_len;
  if (lengths_len > 0) total += 1 + VarintSize(lengths_len) + lengths_len;
  size_t message_len[7];
  for (int k = 0; k < 7; ++k) {
    message_len[k] =
        column_len[k] > 0 ? 1 + VarintSize(column_len[k]) + column_len[k] : 0;
    total += 1 + VarintSize(message_len[k]) + message_len[k];
  }
  std::string out(total, '\0');
  char* p = out.data();
  if (ids_len > 0) {
    *p++ = 0x0a;  // ids = 1, bytes
    p = PutVarint(p, ids_len);
    for (size_t i = begin; i < end; ++i) {
      const absl::string_view id = book.slots[i].id;
      std::memcpy(p, id.data(), id.size());
      p += id.size();
    }
  }
  if (lengths_len > 0) {
    *p++ = 0x12;  // id_lengths = 2, packed
    p = PutVarint(p, lengths_len);
    for (size_t i = begin; i < end; ++i) {
      p = PutVarint(p, book.slots[i].id.size());
    }
  }
  for (int k = 0; k < 7; ++k) {
    *p++ = 0x1a;  // milestones = 3, a Milestones message
    p = PutVarint(p, message_len[k]);
    if (column_len[k] == 0) continue;
    *p++ = 0x0a;  // at_s = 1, packed sint64
    p = PutVarint(p, column_len[k]);
    for (size_t i = begin; i < end; ++i) {
      p = PutVarint(p, ZigZag(book.slots[i].at_s[k]));
    }
  }
  assert(p == out.data() + out.size());
  return out;
}

// store.v1.RecordPage of slots r*kRecordPageSlots onwards.
std::string SerializeRecordPage(const ShopState::Internals& in, uint32_t r) {
  const RecordBook& rb = in.records;
  const size_t begin =
      std::min<size_t>(size_t{r} * kRecordPageSlots, rb.slots.size());
  const size_t end = std::min(begin + kRecordPageSlots, rb.slots.size());
  google::protobuf::Arena arena;
  auto& page =
      *google::protobuf::Arena::CreateMessage<store::v1::RecordPage>(&arena);
  for (size_t i = begin; i < end; ++i) {
    const auto& [kind, id] = rb.slots[i];
    page.add_kinds(kind);
    switch (kind) {
      case kPaymentKind:
        *page.add_payments() = in.payments.at(id);
        break;
      case kDeductionKind:
        *page.add_deductions() = in.deductions.at(id);
        break;
      case kRefundKind:
        *page.add_refunds() = in.refunds.at(id);
        break;
      case kFeeKind:
        *page.add_fees() = in.fees.at(id);
        break;
      case kDisputeKind:
        *page.add_disputes() = in.disputes.at(id);
        break;
    }
  }
  return page.SerializeAsString();
}

std::string ShopState::SerializePage(uint32_t page) const {
  return page >= kRecordPageBase
             ? SerializeRecordPage(*in_, page - kRecordPageBase)
             : SerializeOrderPage(page);
}

std::vector<uint32_t> ShopState::TakeDirtyPages() {
  std::vector<uint32_t> out = in_->orders.dirty.Take();
  for (uint32_t r : in_->records.dirty.Take()) {
    out.push_back(kRecordPageBase + r);
  }
  return out;
}

void ShopState::ForgetDirtyPages() { (void)TakeDirtyPages(); }

std::vector<uint32_t> ShopState::Pages() const {
  std::vector<uint32_t> out;
  const uint32_t orders = order_pages();
  const uint32_t records = record_pages();
  out.reserve(orders + records);
  for (uint32_t p = 0; p < orders; ++p) out.push_back(p);
  for (uint32_t r = 0; r < records; ++r) out.push_back(kRecordPageBase + r);
  return out;
}

uint32_t ShopState::pages_expected() const {
  return in_->orders.pages_expected + in_->records.pages_expected;
}

uint32_t ShopState::PageAt(uint32_t index) const {
  const uint32_t orders = in_->orders.pages_expected;
  return index < orders ? index : kRecordPageBase + (index - orders);
}

uint32_t ShopState::order_pages_expected() const {
  return in_->orders.pages_expected;
}

uint32_t ShopState::order_pages() const {
  return static_cast<uint32_t>(
      (in_->orders.slots.size() + kOrderPageSlots - 1) / kOrderPageSlots);
}

uint32_t ShopState::record_pages() const { return in_->records.pages(); }

namespace {

// Parses page `page` of a shop with `pages_expected` pages onto `arena`
// and checks its order count (full pages but the last, which is not empty).
absl::StatusOr<const store::v1::OrderColumns*> ParseOrderPage(
    uint32_t page, uint32_t pages_expected, absl::string_view bytes,
    google::protobuf::Arena* arena) {
  auto* oc =
      google::protobuf::Arena::CreateMessage<store::v1::OrderColumns>(arena);
  if (!oc->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError(
        absl::StrCat("order page ", page, " does not parse"));
  }
  const bool last = page + 1 == pages_expected;
  if (oc->id_lengths_size() == 0 ||
      (!last && oc->id_lengths_size() != static_cast<int>(kOrderPageSlots)) ||
      oc->id_lengths_size() > static_cast<int>(kOrderPageSlots)) {
    return absl::DataLossError(absl::StrCat("order page ", page, " holds ",
                                            oc->id_lengths_size(), " orders"));
  }
  return oc;
}

// Parses record page `r` of a shop with `pages_expected` record pages onto
// `arena` and checks that its lists agree with its kinds and its record
// count (full pages but the last, which is not empty).
absl::StatusOr<const store::v1::RecordPage*> ParseRecordPage(
    uint32_t r, uint32_t pages_expected, absl::string_view bytes,
    google::protobuf::Arena* arena) {
  if (r >= pages_expected) {
    return absl::DataLossError(absl::StrCat(
        "record page ", r, " of a shop with ", pages_expected, " pages"));
  }
  auto* page =
      google::protobuf::Arena::CreateMessage<store::v1::RecordPage>(arena);
  if (!page->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError(
        absl::StrCat("record page ", r, " does not parse"));
  }
  int count[6] = {0, 0, 0, 0, 0, 0};
  for (uint32_t kind : page->kinds()) {
    if (kind < kPaymentKind || kind > kDisputeKind) {
      return absl::DataLossError(absl::StrCat(
          "record page ", r, " names an unknown record kind ", kind));
    }
    ++count[kind];
  }
  if (count[kPaymentKind] != page->payments_size() ||
      count[kDeductionKind] != page->deductions_size() ||
      count[kRefundKind] != page->refunds_size() ||
      count[kFeeKind] != page->fees_size() ||
      count[kDisputeKind] != page->disputes_size()) {
    return absl::DataLossError(absl::StrCat(
        "record page ", r, ": its record lists disagree with its kinds"));
  }
  const int n = page->kinds_size();
  const bool last = r + 1 == pages_expected;
  if (n == 0 || (!last && n != static_cast<int>(kRecordPageSlots)) ||
      n > static_cast<int>(kRecordPageSlots)) {
    return absl::DataLossError(
        absl::StrCat("record page ", r, " holds ", n, " records"));
  }
  return page;
}

template <typename Map, typename Record>
absl::Status AddRecord(ShopState::Internals& in, Map& records, RecordKind kind,
                       const Record& rec) {
  if (!records.try_emplace(rec.id(), rec).second) {
    return absl::DataLossError(
        absl::StrCat("record page: record ", rec.id(), " appears twice"));
  }
  in.records.SlotOf(kind, rec.id());  // a new one: the next slot
  return absl::OkStatus();
}

absl::Status AddRecordPage(ShopState::Internals& in, uint32_t r,
                           absl::string_view bytes) {
  RecordBook& rb = in.records;
  if (r >= rb.pages_expected ||
      rb.slots.size() != size_t{r} * kRecordPageSlots) {
    return absl::DataLossError(
        absl::StrCat("record page ", r, " of a shop with ", rb.pages_expected,
                     " pages arrived after ", rb.slots.size(), " records"));
  }
  google::protobuf::Arena arena;
  absl::StatusOr<const store::v1::RecordPage*> parsed =
      ParseRecordPage(r, rb.pages_expected, bytes, &arena);
  if (!parsed.ok()) return parsed.status();
  const store::v1::RecordPage& page = **parsed;
  int next[6] = {0, 0, 0, 0, 0, 0};
  for (uint32_t kind : page.kinds()) {
    const int i = next[kind]++;
    absl::Status s;
    switch (kind) {
      case kPaymentKind:
        s = AddRecord(in, in.payments, kPaymentKind, page.payments(i));
        break;
      case kDeductionKind:
        s = AddRecord(in, in.deductions, kDeductionKind, page.deductions(i));
        break;
      case kRefundKind:
        s = AddRecord(in, in.refunds, kRefundKind, page.refunds(i));
        break;
      case kFeeKind:
        s = AddRecord(in, in.fees, kFeeKind, page.fees(i));
        break;
      case kDisputeKind:
        s = AddRecord(in, in.disputes, kDisputeKind, page.disputes(i));
        break;
    }
    if (!s.ok()) return s;
  }
  // The derived facts count every record: complete with the last page.
  if (r + 1 == rb.pages_expected) in.derived = DeriveFacts(in);
  return absl::OkStatus();
}

}  // namespace

absl::Status ShopState::AddPage(uint32_t page, absl::string_view bytes) {
  return page >= kRecordPageBase
             ? AddRecordPage(*in_, page - kRecordPageBase, bytes)
             : AddOrderPage(page, bytes);
}

absl::Status ShopState::CheckPage(uint32_t page,
                                  absl::string_view bytes) const {
  if (page < kRecordPageBase) {
    return CheckOrderPage(page, in_->orders.pages_expected, bytes);
  }
  google::protobuf::Arena arena;
  return ParseRecordPage(page - kRecordPageBase, in_->records.pages_expected,
                         bytes, &arena)
      .status();
}

absl::Status ShopState::AddOrderPage(uint32_t page, absl::string_view bytes) {
  Internals& in = *in_;
  const size_t have = in.orders.slots.size();
  if (page >= in.orders.pages_expected ||
      have != size_t{page} * kOrderPageSlots) {
    return absl::DataLossError(absl::StrCat(
        "order page ", page, " of a shop with ", in.orders.pages_expected,
        " pages arrived after ", have, " orders"));
  }
  google::protobuf::Arena arena;
  absl::StatusOr<const store::v1::OrderColumns*> oc =
      ParseOrderPage(page, in.orders.pages_expected, bytes, &arena);
  if (!oc.ok()) return oc.status();
  return AddOrderColumns(in, **oc);
}

absl::Status ShopState::CheckOrderPage(uint32_t page, uint32_t pages_expected,
                                       absl::string_view bytes) {
  if (page >= pages_expected) {
    return absl::DataLossError(absl::StrCat(
        "order page ", page, " of a shop with ", pages_expected, " pages"));
  }
  google::protobuf::Arena arena;
  absl::StatusOr<const store::v1::OrderColumns*> oc =
      ParseOrderPage(page, pages_expected, bytes, &arena);
  if (!oc.ok()) return oc.status();
  return CheckOrderColumns(**oc);
}

std::string ShopState::SerializeImpl(bool paged) const {
  const Internals& in = *in_;
  store::v1::ShopSnapshot s;
  s.set_version(kSnapshotVersion);
  s.set_tenant(in.tenant);
  s.set_shop_id(in.shop_id);
  s.set_events_applied(in.events_applied);
  s.set_profile(in.profile);
  s.set_site(in.site);
  s.set_legal_entity_id(in.legal_entity_id);
  s.set_entity_last_closed_at(in.entity_last_closed_at);
  s.set_registered_at(in.registered_at);
  for (const auto& [t, type] : in.lifecycle) {
    s.add_lifecycle_at(t);
    s.add_lifecycle_type(type);
    auto id = in.lifecycle_event_ids.find({t, type});
    s.add_lifecycle_event_id(id == in.lifecycle_event_ids.end() ? ""
                                                                : id->second);
  }
  s.set_last_sale_at(in.last_sale_at);
  if (paged) {
    s.set_order_pages(order_pages());
  } else {
    FillOrderColumns(in.orders, 0, in.orders.slots.size(), s.mutable_orders());
  }
  if (paged && in.records.paged()) {
    s.set_record_pages(record_pages());
  } else {
    for (const auto& [id, v] : in.payments) *s.add_payments() = v;
    for (const auto& [id, v] : in.deductions) *s.add_deductions() = v;
    for (const auto& [id, v] : in.refunds) *s.add_refunds() = v;
    for (const auto& [id, v] : in.fees) *s.add_fees() = v;
    for (const auto& [id, v] : in.disputes) *s.add_disputes() = v;
  }
  for (const auto& [id, v] : in.violations) *s.add_violations() = v;
  for (const auto& [id, v] : in.requirements) *s.add_requirements() = v;
  for (const auto& [id, v] : in.clawbacks_paid) *s.add_clawbacks_paid() = v;
  s.set_refund_channel(in.refund_channel);
  s.set_refund_account(in.refund_account);
  s.set_refund_currency(in.refund_currency);
  s.set_refund_account_set_at(in.refund_account_set_at);
  s.set_frozen_at(in.frozen_at);
  s.set_unfrozen_at(in.unfrozen_at);
  s.set_freeze_violation_id(in.freeze_violation_id);
  s.set_freeze_reason(in.freeze_reason);
  for (const auto& [name, v] : in.metrics) {
    store::v1::MetricRecord* m = s.add_metrics();
    m->set_name(name);
    m->set_value(v.first);
    m->set_at(v.second);
  }
  s.set_feed_state(in.feed_state);
  s.set_feed_expires_at(in.feed_expires_at);
  s.set_feed_state_at(in.feed_state_at);
  return s.SerializeAsString();
}

absl::StatusOr<ShopState> ShopState::Parse(absl::string_view bytes) {
  // On an arena: a snapshot is many small strings and records that are all
  // dropped at the end of Parse, and a start parses every shop (without it,
  // malloc, free and the destructor were half of the time).
  google::protobuf::Arena arena;
  store::v1::ShopSnapshot& s =
      *google::protobuf::Arena::CreateMessage<store::v1::ShopSnapshot>(&arena);
  if (!s.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError("shop snapshot does not parse");
  }
  if (s.version() != kSnapshotVersion) {
    return absl::DataLossError(absl::StrCat(
        "shop snapshot version ", s.version(), " is not ", kSnapshotVersion));
  }
  if (s.lifecycle_at_size() != s.lifecycle_type_size()) {
    return absl::DataLossError(
        "shop snapshot: lifecycle columns differ in length");
  }
  ShopState state(s.tenant(), s.shop_id());
  Internals& in = *state.in_;
  in.events_applied = s.events_applied();
  in.profile = s.profile();
  in.site = s.site();
  in.legal_entity_id = s.legal_entity_id();
  in.entity_last_closed_at = s.entity_last_closed_at();
  in.registered_at = s.registered_at();
  const bool lifecycle_ids =
      s.lifecycle_event_id_size() == s.lifecycle_at_size();
  for (int i = 0; i < s.lifecycle_at_size(); ++i) {
    in.lifecycle.insert({s.lifecycle_at(i), s.lifecycle_type(i)});
    if (lifecycle_ids && !s.lifecycle_event_id(i).empty()) {
      in.lifecycle_event_ids[{s.lifecycle_at(i), s.lifecycle_type(i)}] =
          s.lifecycle_event_id(i);
    }
  }
  in.last_sale_at = s.last_sale_at();
  if (s.order_pages() > 0 && s.orders().id_lengths_size() > 0) {
    return absl::DataLossError(
        "shop snapshot: both inline orders and order pages");
  }
  in.orders.pages_expected = s.order_pages();
  if (absl::Status o = AddOrderColumns(in, s.orders()); !o.ok()) return o;
  if (s.record_pages() > 0) {
    if (s.payments_size() + s.deductions_size() + s.refunds_size() +
            s.fees_size() + s.disputes_size() >
        0) {
      return absl::DataLossError(
          "shop snapshot: both inline records and record pages");
    }
    in.records.pages_expected = s.record_pages();
  }
  for (const auto& v : s.payments()) in.payments[v.id()] = v;
  for (const auto& v : s.deductions()) in.deductions[v.id()] = v;
  for (const auto& v : s.refunds()) in.refunds[v.id()] = v;
  for (const auto& v : s.fees()) in.fees[v.id()] = v;
  for (const auto& v : s.disputes()) in.disputes[v.id()] = v;
  for (const auto& v : s.violations()) in.violations[v.id()] = v;
  for (const auto& v : s.requirements()) in.requirements[v.kind()] = v;
  for (const auto& v : s.clawbacks_paid()) in.clawbacks_paid[v.id()] = v;
  in.refund_channel = s.refund_channel();
  in.refund_account = s.refund_account();
  in.refund_currency = s.refund_currency();
  in.refund_account_set_at = s.refund_account_set_at();
  in.frozen_at = s.frozen_at();
  in.unfrozen_at = s.unfrozen_at();
  in.freeze_violation_id = s.freeze_violation_id();
  in.freeze_reason = s.freeze_reason();
  for (const auto& m : s.metrics()) in.metrics[m.name()] = {m.value(), m.at()};
  in.feed_state = s.feed_state();
  in.feed_expires_at = s.feed_expires_at();
  in.feed_state_at = s.feed_state_at();
  in.derived = DeriveFacts(in);
  if (!in.records.paged() && PagedRecordCount(in) > kRecordsInHead) {
    // An unpaged snapshot of a shop with many records: the next checkpoint
    // moves them to pages.
    SlotAllRecords(in);
  }
  return state;
}

size_t ShopState::ApproximateBytes() const {
  const Internals& in = *in_;
  const OrderBook& b = in.orders;
  size_t bytes =
      sizeof(Internals) + in.tenant.capacity() + in.shop_id.capacity();
  bytes += b.arena.bytes_reserved();
  bytes += b.slots.capacity() * sizeof(OrderRecord);
  bytes +=
      b.by_id.capacity() * (sizeof(std::pair<absl::string_view, uint32_t>) + 1);
  // btree nodes hold ~ 1.2x their values with node overhead.
  bytes += b.in_flight.size() * sizeof(OrderKey) * 6 / 5;
  bytes += b.delivered.size() * sizeof(DeliveredKey) * 6 / 5;
  auto small = [](const auto& map) {
    size_t s = 0;
    for (const auto& [k, v] : map) s += 64 + v.SpaceUsedLong();
    return s;
  };
  bytes += small(in.payments) + small(in.deductions) + small(in.refunds) +
           small(in.fees) + small(in.disputes) + small(in.violations) +
           small(in.requirements) + small(in.clawbacks_paid);
  bytes += in.metrics.size() * 64;
  bytes += in.lifecycle_event_ids.size() * 64;
  // A paged record's key is held twice (slots and slot_of); ids are
  // mostly short (inline in the string), the map has its control byte.
  bytes += in.records.slots.capacity() * sizeof(in.records.slots[0]);
  for (const auto& of_kind : in.records.slot_of) {
    bytes +=
        of_kind.capacity() * (sizeof(std::pair<std::string, uint32_t>) + 1);
  }
  const DerivedFacts& d = in.derived;
  // Beyond the one inline entry each.
  bytes += (d.ledger.size() > 1 ? d.ledger.capacity() : 0) *
               sizeof(DerivedFacts::CurrencySums) +
           (d.deposits.size() > 1 ? d.deposits.capacity() : 0) *
               sizeof(DerivedFacts::DepositSums);
  bytes += sizeof(DerivedFacts::OpenItems) * (d.open != nullptr) +
           d.open_items().unpaid_fees.size() *
               sizeof(std::pair<int64_t, std::string>) * 6 / 5 +
           d.open_items().awaiting_response.size() *
               (sizeof(std::string) + sizeof(DisputeDeadlineFacts)) * 6 / 5 +
           d.open_items().appealable.size() *
               (sizeof(std::string) + sizeof(AppealDeadlineFacts)) * 6 / 5;
  return bytes;
}

}  // namespace depositd::watchers
