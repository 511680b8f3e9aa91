#include "watchers/apply_records.h"

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/currency.h"
#include "watchers/limits.h"

namespace depositd::watchers {

using store::v1::DeductionRecord;
using store::v1::DisputeRecord;
using store::v1::FeeRecord;
using store::v1::MoneyLine;
using store::v1::PaymentRecord;
using store::v1::RefundRecord;

namespace {

// Currencies already used by ledger lines of `kind` (0: every kind).
std::set<std::string> LedgerCurrencies(const ShopStateInternals& in, int kind,
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

absl::Status CheckLedgerCurrency(const ShopStateInternals& in, int kind,
                                 const std::string& currency,
                                 absl::string_view what) {
  const std::set<std::string> used = LedgerCurrencies(in, kind);
  if (!used.empty() && !used.count(currency)) {
    return Contradiction(absl::StrCat(
        what, " is in ", currency, " but the ",
        kind == 0 ? std::string("deposit") : DepositKindName(kind) + " deposit",
        " is held in ", absl::StrJoin(used, ", "),
        "; send the amount in the deposit's currency"));
  }
  return absl::OkStatus();
}

template <typename Msg>
bool SameRecord(const Msg& a, const Msg& b) {
  return a.SerializeAsString() == b.SerializeAsString();
}

}  // namespace

absl::Status ApplyPayment(ShopStateInternals& in, const v1::Event& e,
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
        common::FormatMoney(it->second.amount(), it->second.currency()), " ",
        DepositKindName(it->second.kind()),
        "); use a new payment_id for a different payment"));
  }
  if (absl::Status s = CheckLedgerCurrency(
          in, rec.kind(), rec.currency(),
          absl::StrCat(rec.top_up() ? "top-up " : "deposit payment ",
                       rec.id()));
      !s.ok()) {
    return s;
  }
  in.payments.emplace(rec.id(), std::move(rec));
  *changed = true;
  return absl::OkStatus();
}

absl::Status ApplyDeduction(ShopStateInternals& in, const v1::Event& e,
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
                     common::FormatMoney(old.amount(), old.currency()),
                     "); use a new deduction_id for a different deduction"));
  }
  if (absl::Status s = CheckLedgerCurrency(
          in, rec.kind(), rec.currency(), absl::StrCat("deduction ", rec.id()));
      !s.ok()) {
    return s;
  }
  if (it != in.deductions.end()) {
    // Appeal facts arrived first: check they fit, then merge.
    const DeductionRecord& old = it->second;
    if (old.returned_set() && old.returned() > rec.amount()) {
      return Contradiction(
          absl::StrCat("deduction ", rec.id(), " of ",
                       common::FormatMoney(rec.amount(), rec.currency()),
                       " is smaller than the ",
                       common::FormatMoney(old.returned(), rec.currency()),
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

absl::Status ApplyAppealFiled(ShopStateInternals& in, const v1::Event& e,
                              bool* changed) {
  DeductionRecord& d =
      RecordFor(in.deductions, e.appeal_filed().deduction_id(), changed);
  MinTime(&d, &DeductionRecord::appeal_filed_at,
          &DeductionRecord::set_appeal_filed_at, TsNanos(e.occurred_at()),
          changed);
  return absl::OkStatus();
}

absl::Status ApplyAppealDecided(ShopStateInternals& in, const v1::Event& e,
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
          common::FormatMoney(b.amount_returned().minor_units(), d.currency()),
          ", more than deduction ", d.id(), " (",
          common::FormatMoney(d.amount(), d.currency()), ")"));
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

absl::Status ApplyOrderStatus(ShopStateInternals& in, const v1::Event& e,
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
  SetMilestone(book, slot, order_id, status, t_s);
  if (status == v1::PLACED) {
    in.last_sale_at = std::max(in.last_sale_at, TsNanos(e.occurred_at()));
  }
  *changed = true;
  return absl::OkStatus();
}

absl::Status ApplyDispute(ShopStateInternals& in, const v1::Event& e,
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

absl::Status ApplyFee(ShopStateInternals& in, const v1::Event& e,
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
                           common::FormatMoney(f.amount(), f.currency()),
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
                           common::FormatMoney(m.minor_units(), m.currency()),
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

absl::Status ApplyRefund(ShopStateInternals& in, const v1::Event& e,
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

}  // namespace depositd::watchers
