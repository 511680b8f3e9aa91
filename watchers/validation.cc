#include "watchers/validation.h"

#include <cstring>
#include <optional>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/currency.h"
#include "common/timestamps.h"
#include "common/utf8.h"
#include "watchers/limits.h"
#include "watchers/unicode_text.h"

namespace depositd::watchers {
namespace {

absl::Status Invalid(absl::string_view what) {
  return absl::InvalidArgumentError(what);
}

bool ValidCurrency(absl::string_view c) { return common::IsKnownCurrency(c); }

bool Printable(absl::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

// Well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
// above U+10FFFF). Protobuf refuses to parse a proto3 string that is not, so
// a shop holding one could not load its own snapshot.
bool ValidUtf8(absl::string_view s) { return common::IsWellFormedUtf8(s); }

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

}  // namespace

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
  const absl::Time at = common::FromTimestamp(e.occurred_at());
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

#undef RETURN_IF_ERROR

}  // namespace depositd::watchers
