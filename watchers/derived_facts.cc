#include "watchers/derived_facts.h"

#include <algorithm>
#include <set>
#include <utility>

#include "watchers/shop_records.h"
#include "watchers/shop_state_internals.h"

namespace depositd::watchers {

using store::v1::DeductionRecord;
using store::v1::DisputeRecord;
using store::v1::FeeRecord;
using store::v1::MoneyLine;
using store::v1::PaymentRecord;
using store::v1::RefundRecord;

int64_t ClosureFacts::closure_start() const {
  if (requested_at == 0) return closed_at;
  if (closed_at == 0) return requested_at;
  return std::min(requested_at, closed_at);
}

ClosureFacts GetClosureFacts(const ShopStateInternals& in) {
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

v1::ShopLifecycle DeriveLifecycle(const ShopStateInternals& in) {
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
CurrencyAmounts Balance(const ShopStateInternals& in, bool after_refunds) {
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

CurrencyAmounts BalanceFromRecords(const ShopStateInternals& in,
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

CurrencyAmounts Refundable(const ShopStateInternals& in) {
  // domain.md §3 "Money": a deduction left the balance when it was taken, so
  // the balance is what comes back; nothing is subtracted a second time.
  CurrencyAmounts out = Balance(in, /*after_refunds=*/true);
  for (auto& [cur, v] : out) v = std::max<int64_t>(v, 0);
  return out;
}

CurrencyAmounts RecoverableByAppeal(const ShopStateInternals& in,
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
void RaiseToSiteMinimums(const ShopStateInternals& in,
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
bool RequiredFromDerived(const ShopStateInternals& in,
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

CurrencyAmounts Required(const ShopStateInternals& in,
                         const v1::PlatformProfile& profile) {
  CurrencyAmounts out;
  if (!RequiredFromDerived(in, profile, &out)) {
    return RequiredFromRecords(in, profile);
  }
  return out;
}

bool BalanceCoversRequired(const ShopStateInternals& in,
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

CurrencyAmounts RequiredFromRecords(const ShopStateInternals& in,
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

CurrencyAmounts ClawbackOwed(const ShopStateInternals& in) {
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

int64_t LastBlockerClearedAt(const ShopStateInternals& in) {
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

std::vector<std::string> AccountMismatches(const ShopStateInternals& in) {
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

ProjectionFacts ProjectionFactsOf(const ShopStateInternals& in) {
  ProjectionFacts f;
  const ClosureFacts closure = GetClosureFacts(in);
  f.closed_at = closure.closed_at;
  f.last_blocker_cleared_at = LastBlockerClearedAt(in);
  if (!in.orders.delivered.empty()) {
    f.any_delivered = true;
    f.last_delivered_s = in.orders.delivered.rbegin()->at_s;
  }
  for (const auto& [id, r] : in.refunds) {
    if (r.requested_at() > closure.reopened_at &&
        r.rejected_at() < r.requested_at()) {
      f.pending_refund_request_at =
          std::max(f.pending_refund_request_at, r.requested_at());
    }
  }
  for (const auto& [id, d] : in.disputes) {
    f.complaint_history |= d.opened() && d.kind() == v1::COMPLAINT;
  }
  return f;
}

// --- DerivedFacts: the running sums Apply keeps --------------------------

namespace {

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

void CountPayment(DerivedFacts& d, const ShopStateInternals& in,
                  const PaymentRecord& p, int sign) {
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

void CountRecord(ShopStateInternals& in, const std::string&,
                 const PaymentRecord& p, int sign) {
  CountPayment(in.derived, in, p, sign);
}
void CountRecord(ShopStateInternals& in, const std::string& id,
                 const DeductionRecord& x, int sign) {
  CountDeduction(in.derived, id, x, sign);
}
void CountRecord(ShopStateInternals& in, const std::string&,
                 const RefundRecord& r, int sign) {
  CountRefund(in.derived, r, sign);
}
void CountRecord(ShopStateInternals& in, const std::string& id,
                 const FeeRecord& f, int sign) {
  CountFee(in.derived, id, f, sign);
}
void CountRecord(ShopStateInternals& in, const std::string& id,
                 const DisputeRecord& x, int sign) {
  CountDispute(in.derived, id, x, sign);
}

}  // namespace

int64_t CountOnRefundPath(const ShopStateInternals& in) {
  int64_t n = 0;
  for (const auto& [id, p] : in.payments) {
    n += p.channel() == in.refund_channel && p.account() == in.refund_account &&
         p.currency() == in.refund_currency;
  }
  return n;
}

void CountSubject(ShopStateInternals& in, const v1::Event& e, int sign) {
  // RefundRequested and RefundRejected name a refund but change none of its
  // paid lines, the only facts derived from a refund; the other events
  // name no record with derived facts (RefundAccountSet: see Apply).
  if (e.has_refund_requested() || e.has_refund_rejected()) return;
  const auto [kind, subject] = SubjectRecord(e);
  if (subject == nullptr) return;
  // A named copy: C++17 lambdas cannot capture a structured binding.
  const auto* const id = subject;
  VisitRecordKind(kind, [&](auto traits) {
    const auto& records = decltype(traits)::Map(in);
    auto it = records.find(*id);
    if (it != records.end()) CountRecord(in, it->first, it->second, sign);
  });
}

const DerivedFacts::OpenItems& DerivedFacts::open_items() const {
  static const OpenItems* const kNone = new OpenItems();
  return open != nullptr ? *open : *kNone;
}

DerivedFacts DeriveFacts(const ShopStateInternals& in) {
  DerivedFacts d;
  for (const auto& [id, p] : in.payments) CountPayment(d, in, p, +1);
  for (const auto& [id, x] : in.deductions) CountDeduction(d, id, x, +1);
  for (const auto& [id, r] : in.refunds) CountRefund(d, r, +1);
  for (const auto& [id, f] : in.fees) CountFee(d, id, f, +1);
  for (const auto& [id, x] : in.disputes) CountDispute(d, id, x, +1);
  return d;
}

}  // namespace depositd::watchers
