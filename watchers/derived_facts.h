// Private to watchers/: the facts derived from a shop's records (balance,
// refundable, required, the closure episode, deadlines, what is open) that
// the readiness rules, the projection and the risk watchers share, and
// DerivedFacts, the running sums Apply keeps so that they cost O(what is
// open) rather than O(the shop's history).
#ifndef DEPOSITD_WATCHERS_DERIVED_FACTS_H_
#define DEPOSITD_WATCHERS_DERIVED_FACTS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/time/time.h"
#include "depositd/store/v1/shop_snapshot.pb.h"
#include "depositd/v1/events.pb.h"
#include "depositd/v1/readiness.pb.h"
#include "watchers/currency.h"
#include "watchers/limits.h"
#include "watchers/profiles.h"
#include "watchers/projection.h"

namespace depositd::watchers {

struct ShopStateInternals;

// An exact running sum of int64 terms that can also give terms back, for
// the sums that Balance and Required take with the saturating MoneyAdd.
// While the sum of |term| is at most kMaxMoneyTotal no partial sum can
// saturate, whatever the order, so the saturating sum equals value(); past
// that (exact() false: never for real money) readers recompute from the
// records. 24 bytes. Not thread-safe.
class ExactSum {
 public:
  void Add(int64_t v) { Put(static_cast<uint64_t>(v), Abs(v), +1); }
  void Sub(int64_t v) { Put(0 - static_cast<uint64_t>(v), Abs(v), +1); }
  // Give back a term added with Add / Sub.
  void UndoAdd(int64_t v) { Put(0 - static_cast<uint64_t>(v), Abs(v), -1); }
  void UndoSub(int64_t v) { Put(static_cast<uint64_t>(v), Abs(v), -1); }

  bool exact() const { return abs_ <= static_cast<uint64_t>(kMaxMoneyTotal); }
  // The sum; meaningful only when exact().
  int64_t value() const { return static_cast<int64_t>(sum_); }
  // Sum of |term| (saturated: UINT64_MAX once it overflowed, for good).
  uint64_t abs() const { return abs_; }
  // Terms added and not given back.
  int64_t terms() const { return terms_; }

 private:
  static uint64_t Abs(int64_t v) {
    return v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  }
  void Put(uint64_t delta, uint64_t abs, int sign) {
    sum_ += delta;  // modulo 2^64: exact whenever the true sum fits int64
    terms_ += sign;
    if (abs_ == UINT64_MAX) return;
    if (sign > 0) {
      abs_ = abs > UINT64_MAX - abs_ ? UINT64_MAX : abs_ + abs;
    } else {
      abs_ -= abs;
    }
  }
  uint64_t sum_ = 0;
  uint64_t abs_ = 0;
  int64_t terms_ = 0;
};

// What a dispute's response deadline depends on (DisputeDueAt).
struct DisputeDeadlineFacts {
  bool opened = false;
  bool due_set = false;
  int32_t kind = 0;
  int64_t due_at = 0;
  int64_t opened_at = 0;
  bool operator==(const DisputeDeadlineFacts& o) const {
    return opened == o.opened && due_set == o.due_set && kind == o.kind &&
           due_at == o.due_at && opened_at == o.opened_at;
  }
};

// What a deduction's appeal deadline depends on (AppealDeadline).
struct AppealDeadlineFacts {
  bool known = false;
  int64_t appeal_deadline = 0;
  int64_t notified_at = 0;
  bool operator==(const AppealDeadlineFacts& o) const {
    return known == o.known && appeal_deadline == o.appeal_deadline &&
           notified_at == o.notified_at;
  }
};

// Facts derived from a shop's records, kept up to date by ShopState::Apply
// and rebuilt by ShopState::Parse (never stored in snapshots), so that what
// runs after every processing group (the risk watchers) costs O(what is
// open) rather than O(the shop's whole history). DeriveFacts(in) computes
// them from scratch; Apply keeps them equal to it through CountSubject
// (shop_state_test checks).
struct DerivedFacts {
  struct CurrencySums {
    std::string currency;
    // Balance's terms before refunds: payments and top-ups (+), known
    // deductions (-) and what their appeals returned (+).
    ExactSum held;
    // Refund payment lines (each subtracted after refunds).
    ExactSum refunded;
  };
  // Sorted by currency; a currency without terms is dropped. Inline: most
  // shops hold one currency, read after every group.
  absl::InlinedVector<CurrencySums, 1> ledger;
  struct DepositSums {
    int32_t kind;
    std::string currency;
    ExactSum paid;  // deposit payments (not top-ups) of the kind
  };
  // Sorted by (kind, currency); Required's "amounts paid per kind".
  absl::InlinedVector<DepositSums, 1> deposits;
  // What is open, for the watchers of deadlines. Apart (null while nothing
  // is open, as in most shops) to keep a quiet shop small.
  struct OpenItems {
    // Fees with FeeOutstanding > 0, as (due time, id): the fee's due_at, or
    // its charged_at when it has none (Unix nanos). In due order, so that
    // UNPAID_FEES reads only the fees old enough to fire and one more.
    absl::btree_set<std::pair<int64_t, std::string>> unpaid_fees;
    // Open disputes without a response (what DISPUTE_RESPONSE_DUE watches),
    // by id, with what their deadline depends on: the watcher reads a
    // dispute record only for a finding.
    absl::btree_map<std::string, DisputeDeadlineFacts> awaiting_response;
    // Known deductions with no appeal filed or decided (what
    // APPEAL_WINDOW_CLOSING watches), by id, with what their deadline
    // depends on.
    absl::btree_map<std::string, AppealDeadlineFacts> appealable;
    bool empty() const {
      return unpaid_fees.empty() && awaiting_response.empty() &&
             appealable.empty();
    }
  };
  std::unique_ptr<OpenItems> open;
  // `open`, or an empty set of open items.
  const OpenItems& open_items() const;
  // Payments whose channel, account and currency are the refund account's.
  int64_t payments_on_refund_path = 0;
};

using CurrencyAmounts = absl::btree_map<std::string, int64_t>;

inline absl::Time NanosToTime(int64_t ns) { return absl::FromUnixNanos(ns); }
inline int64_t TimeToNanos(absl::Time t) { return absl::ToUnixNanos(t); }

// The current closure episode (after the last reopen).
struct ClosureFacts {
  int64_t requested_at = 0;     // first closure request after the last reopen
  int64_t closed_at = 0;        // first closure after the last reopen
  int64_t reopened_at = 0;      // last reopen
  int64_t prior_closed_at = 0;  // last closure before the last reopen
  // The earlier of requested_at and closed_at (0: neither).
  int64_t closure_start() const;
};
ClosureFacts GetClosureFacts(const ShopStateInternals& in);

v1::ShopLifecycle DeriveLifecycle(const ShopStateInternals& in);

// The derived facts of `in`'s records, computed from scratch (Parse; tests).
DerivedFacts DeriveFacts(const ShopStateInternals& in);

// paid + top-ups - deductions (+ appeal returns), per currency; refunds paid
// are subtracted when `after_refunds`. O(currencies), from in.derived.
CurrencyAmounts Balance(const ShopStateInternals& in, bool after_refunds);
// The same from the records, O(ledger lines): the definition Balance must
// match (sums saturate, taken in record order).
CurrencyAmounts BalanceFromRecords(const ShopStateInternals& in,
                                   bool after_refunds);
// What comes back (domain.md §3 "Money"): the balance after refunds, never
// below zero. A deduction already left the balance: never subtracted again.
CurrencyAmounts Refundable(const ShopStateInternals& in);
// What an appeal may still return beyond the balance, per currency: known
// deductions that are not for counterfeit goods, not decided, and whose
// appeal is filed or whose appeal window (AppealDeadline) is open at
// `as_of`. A counterfeit deduction never counts. Sums saturate.
CurrencyAmounts RecoverableByAppeal(const ShopStateInternals& in,
                                    const v1::PlatformProfile& profile,
                                    absl::Time as_of);
// Required per currency: DepositRequirementSet per kind, else the amounts
// paid for the kind (top-ups excluded); raised to the site minimum.
CurrencyAmounts Required(const ShopStateInternals& in,
                         const v1::PlatformProfile& profile);
// The same from the records: the definition Required must match.
CurrencyAmounts RequiredFromRecords(const ShopStateInternals& in,
                                    const v1::PlatformProfile& profile);
// True when Balance(in, false) covers Required(in, profile) in every
// currency (BALANCE_SHORT has nothing to say), decided from in.derived
// without allocating; false when some currency is short or a sum is not
// exact (then ask Balance and Required).
bool BalanceCoversRequired(const ShopStateInternals& in,
                           const v1::PlatformProfile& profile);
// Outstanding amount of a fee (0 when paid, waived or not charged).
int64_t FeeOutstanding(const store::v1::FeeRecord& fee);
bool DisputeOpen(const store::v1::DisputeRecord& d);
// The response deadline of a dispute: explicit (last writer wins) or the
// profile default for its kind. 0: none.
int64_t DisputeDueAt(const store::v1::DisputeRecord& d,
                     const v1::PlatformProfile& profile);
int64_t DisputeDueAt(const DisputeDeadlineFacts& d,
                     const v1::PlatformProfile& profile);
DisputeDeadlineFacts DeadlineFactsOf(const store::v1::DisputeRecord& d);
// The appeal deadline of a deduction: explicit or notified_at + the
// profile's appeal window. 0: none.
int64_t AppealDeadline(const store::v1::DeductionRecord& d,
                       const v1::PlatformProfile& profile);
int64_t AppealDeadline(const AppealDeadlineFacts& d,
                       const v1::PlatformProfile& profile);
AppealDeadlineFacts DeadlineFactsOf(const store::v1::DeductionRecord& d);
// The end of the post-closure dispute grace (domain.md §3): the closure +
// post_closure_dispute_grace_days natural days in the calendar's zone.
// InfiniteFuture when the shop is not closed or the profile has no grace.
absl::Time PostClosureGraceEnd(const ClosureFacts& closure,
                               const ResolvedProfile& profile);
// The event time (Unix nanos) at which the last blocker that needs an
// action cleared (domain.md §4 step 1): the latest of the closure, the last
// delivery and cancellation of an order, disputes resolved, fees paid or
// waived, violations resolved or rectified, the deposit unfrozen, top-ups,
// appeals decided, requirements set, the refund account set, clawbacks
// paid. A fact of the shop: it never reads the time of asking. Metric
// reports are not counted (a daily report that changes nothing would move
// it every day). 0: none of these facts.
int64_t LastBlockerClearedAt(const ShopStateInternals& in);
// Outstanding discount clawback per currency (R10).
CurrencyAmounts ClawbackOwed(const ShopStateInternals& in);
// Payment / top-up ids whose channel, account or currency differ from the
// refund account (all of them when no refund account is set).
std::vector<std::string> AccountMismatches(const ShopStateInternals& in);

// Counts (+1) or gives back (-1) in `in.derived` the derived facts of the
// one record that `e` names (SubjectRecord). Apply gives them back before
// the event and counts them again after it, so the facts follow whatever
// the event did.
void CountSubject(ShopStateInternals& in, const v1::Event& e, int sign);

// The payments on the refund account's path (channel, account and
// currency), counted from the records: RefundAccountSet recounts with it.
int64_t CountOnRefundPath(const ShopStateInternals& in);

// What ProjectRefund reads of the shop (watchers/projection.h).
ProjectionFacts ProjectionFactsOf(const ShopStateInternals& in);

}  // namespace depositd::watchers

#endif  // DEPOSITD_WATCHERS_DERIVED_FACTS_H_
