// Private to watchers/: the data of DerivedFacts, the running sums Apply
// keeps (ExactSum, what is open, deadline facts), held by
// ShopStateInternals. The functions that compute and read them are in
// derived_facts.h; this header is apart so that the representation
// (shop_state_internals.h) does not depend on those functions' unit.
#ifndef DEPOSITD_WATCHERS_DERIVED_FACTS_DATA_H_
#define DEPOSITD_WATCHERS_DERIVED_FACTS_DATA_H_

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
#include "watchers/limits.h"

namespace depositd::watchers {

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

}  // namespace depositd::watchers

#endif  // DEPOSITD_WATCHERS_DERIVED_FACTS_DATA_H_
