// Private to watchers/: the representation behind ShopState, read by the
// risk watchers. Not a stable interface.
//
// Scaling (issue #2): a shop may hold a million open orders. Orders therefore
// live in OrderBook, not in one heap object each:
//   - `slots`: a vector of fixed-size OrderRecord (milestone times as int64
//     seconds, derived status byte, id as a string_view into `arena`);
//   - `arena`: an append-only chunked string arena (chunks never move, so
//     the views stay valid when the book or the ShopState moves);
//   - `by_id`: flat_hash_map<string_view, slot>, keyed by arena views;
//   - `in_flight`: an ordered set of the ids of orders in PLACED, SHIPPED or
//     IN_TRANSIT, plus a counter per status: R1's count is O(1) and its first
//     20 ids O(20). An ordered set (rather than an intrusive list in arrival
//     order) keeps the evidence identical whatever order events arrive in.
//     Its keys (OrderKey) carry 8 bytes of the id after the prefix all ids
//     share, so comparisons seldom read ids from the arena;
//   - `delivered`: an ordered set of (delivery time, id) for every delivered,
//     not cancelled order. A return window ends at delivery time + the
//     profile's return_window_days, applied at evaluation time (so a profile
//     change needs no re-index). R2 reads the latest end in O(1) and walks
//     down only over the k orders whose window is still open at as_of:
//     O(k) per evaluation, never O(n) in all orders.
// Applying an order event is one hash lookup plus O(log n) set updates.
//
// Everything else in a shop is small (disputes, fees, ledger lines) and is
// held as store-format records (depositd/store/v1/shop_snapshot.proto) in
// ordered maps keyed by id, so iteration (and thus every report) is
// deterministic, and a snapshot is a plain copy.
//
// Times in records are Unix nanoseconds, 0 meaning unset; order milestones
// are Unix seconds (event times are truncated to the second for orders).
#ifndef DEPOSITD_WATCHERS_SHOP_STATE_INTERNALS_H_
#define DEPOSITD_WATCHERS_SHOP_STATE_INTERNALS_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "depositd/store/v1/shop_snapshot.pb.h"
#include "depositd/v1/common.pb.h"
#include "depositd/v1/events.pb.h"
#include "watchers/currency.h"
#include "watchers/limits.h"
#include "watchers/shop_state.h"

namespace depositd::watchers {

// Append-only storage for short strings. Views returned by Store stay valid
// for the arena's lifetime, including across moves of the arena object.
// Chunks start small and double up to kMaxChunk, so a shop with a handful
// of ids costs a few hundred bytes, not a whole chunk (most shops are
// small). Not thread-safe.
class StringArena {
 public:
  absl::string_view Store(absl::string_view s);
  size_t bytes_reserved() const { return reserved_; }

 private:
  static constexpr size_t kFirstChunk = 256;
  static constexpr size_t kMaxChunk = 64 * 1024;
  std::vector<std::unique_ptr<char[]>> chunks_;
  size_t used_ = 0;  // bytes used in the current (last) chunk
  size_t cap_ = 0;   // its size
  size_t reserved_ = 0;
};

// One order, fixed size. at_s[k] is the first time (Unix seconds) the order
// was seen at status k+1 (PLACED..CANCELLED); 0: not seen.
struct OrderRecord {
  absl::string_view id;
  int64_t at_s[7] = {0, 0, 0, 0, 0, 0, 0};
  uint8_t status = 0;  // derived v1::OrderStatus

  int64_t at(v1::OrderStatus s) const { return at_s[s - 1]; }
  // Earliest of DELIVERED, RECEIPT_CONFIRMED, COMPLETED: when the buyer had
  // the goods (a feed may skip DELIVERED). 0: not delivered.
  int64_t delivered_s() const;
};

// An order in an ordered index, ordered by id without reading the id for
// most comparisons (ids live in the arena: a likely cache miss each).
// Every id in a book starts with the same book.common_prefix bytes, so the
// next 8 bytes (`chunk`: big-endian, zero-padded) order two ids whenever
// they differ; only equal chunks read the ids, through `slot`.
struct OrderKey {
  uint64_t chunk;
  uint32_t slot;
};
// A delivered order: by delivery time (Unix seconds), then by id.
struct DeliveredKey {
  int64_t at_s;
  uint64_t chunk;
  uint32_t slot;
};

// The order of OrderKey and DeliveredKey; reads ids from the book's slots.
class OrderIdLess {
 public:
  explicit OrderIdLess(const std::vector<OrderRecord>* slots) : slots_(slots) {}
  bool operator()(const OrderKey& a, const OrderKey& b) const {
    if (a.chunk != b.chunk) return a.chunk < b.chunk;
    return a.slot != b.slot && (*slots_)[a.slot].id < (*slots_)[b.slot].id;
  }
  bool operator()(const DeliveredKey& a, const DeliveredKey& b) const {
    if (a.at_s != b.at_s) return a.at_s < b.at_s;
    if (a.chunk != b.chunk) return a.chunk < b.chunk;
    return a.slot != b.slot && (*slots_)[a.slot].id < (*slots_)[b.slot].id;
  }

 private:
  const std::vector<OrderRecord>* slots_;
};

// Checkpoint pages changed since they were last taken, each listed once.
struct DirtyPages {
  std::vector<uint32_t> list;
  std::vector<bool> marked;
  void Mark(uint32_t page) {
    if (page >= marked.size()) marked.resize(page + 1, false);
    if (!marked[page]) {
      marked[page] = true;
      list.push_back(page);
    }
  }
  std::vector<uint32_t> Take() {
    std::vector<uint32_t> out;
    out.swap(list);
    for (uint32_t p : out) marked[p] = false;
    return out;
  }
};

// Not copyable or movable: the indexes point at `slots` (ShopState holds
// its Internals by pointer, so they never move).
struct OrderBook {
  OrderBook()
      : in_flight(OrderIdLess(&slots)), delivered(OrderIdLess(&slots)) {}
  OrderBook(const OrderBook&) = delete;
  OrderBook& operator=(const OrderBook&) = delete;

  // The 8 bytes of `id` after common_prefix, big-endian, zero-padded.
  uint64_t ChunkOf(absl::string_view id) const {
    uint64_t v = 0;
    for (size_t i = common_prefix; i < common_prefix + 8; ++i) {
      v = (v << 8) | (i < id.size() ? static_cast<uint8_t>(id[i]) : 0);
    }
    return v;
  }
  absl::string_view id(uint32_t slot) const { return slots[slot].id; }

  StringArena arena;
  std::vector<OrderRecord> slots;
  absl::flat_hash_map<absl::string_view, uint32_t> by_id;
  // Length of the prefix every id in `slots` shares (0 while empty).
  size_t common_prefix = 0;
  absl::btree_set<OrderKey, OrderIdLess> in_flight;
  int64_t count_by_status[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  absl::btree_set<DeliveredKey, OrderIdLess> delivered;
  // Latest cancellation time (Unix seconds) of any order: when an order
  // last left R1 by cancellation (LastBlockerClearedAt). A max, kept by
  // ApplyOrderStatus and InsertOrder (so Parse rebuilds it).
  int64_t last_cancelled_s = 0;
  // Checkpoint pages (kOrderPageSlots slots each) changed since the last
  // TakeDirtyPages.
  DirtyPages dirty;
  // Pages a paged snapshot announced; the next AddOrderPage is for page
  // slots.size() / kOrderPageSlots.
  uint32_t pages_expected = 0;
  void MarkDirty(uint32_t slot) { dirty.Mark(slot / kOrderPageSlots); }
};

// Which of a shop's record maps a record is in (store.v1.RecordPage.kinds).
enum RecordKind : uint8_t {
  kPaymentKind = 1,
  kDeductionKind = 2,
  kRefundKind = 3,
  kFeeKind = 4,
  kDisputeKind = 5,
};

// Checkpoint pages of the records that grow with a shop's history
// (payments, deductions, refunds, fees, disputes; see
// ShopState::SerializeHead). Empty and unused until the shop holds more
// than kRecordsInHead of them; then every record has a slot, in the order
// the shop first held it, and page r holds slots r*kRecordPageSlots
// onwards. Records are never removed, so slots never move.
struct RecordBook {
  std::vector<std::pair<RecordKind, std::string>> slots;
  // Per kind (indexed by RecordKind), id -> slot.
  std::array<absl::flat_hash_map<std::string, uint32_t>, kDisputeKind + 1>
      slot_of;
  // Record pages changed since the last TakeDirtyPages.
  DirtyPages dirty;
  // Record pages a paged snapshot announced; the next AddPage of a record
  // page is for page slots.size() / kRecordPageSlots.
  uint32_t pages_expected = 0;

  // The records are out of the head: announced by a snapshot, or slotted.
  bool paged() const { return pages_expected > 0 || !slots.empty(); }
  // The slot of record (kind, id), the next free one if it has none yet.
  uint32_t SlotOf(RecordKind kind, const std::string& id) {
    auto& of_kind = slot_of[kind];
    if (auto it = of_kind.find(id); it != of_kind.end()) return it->second;
    const auto slot = static_cast<uint32_t>(slots.size());
    of_kind.emplace(id, slot);
    slots.emplace_back(kind, id);
    return slot;
  }
  uint32_t pages() const {
    return static_cast<uint32_t>((slots.size() + kRecordPageSlots - 1) /
                                 kRecordPageSlots);
  }
  void MarkDirty(uint32_t slot) { dirty.Mark(slot / kRecordPageSlots); }
};

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
// them from scratch; Apply keeps them equal to it (shop_state_test checks).
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

// Lifecycle fact types, kept as an ordered set of (time, type).
enum LifecycleType : int32_t {
  kClosureRequested = 1,
  kClosed = 2,
  kReopened = 3,
};

struct ShopState::Internals {
  std::string tenant;
  std::string shop_id;
  int64_t events_applied = 0;

  // Registration, last writer wins by event time (tie: larger profile name).
  std::string profile;
  std::string site;
  std::string legal_entity_id;
  int64_t entity_last_closed_at = 0;
  int64_t registered_at = 0;

  absl::btree_set<std::pair<int64_t, int32_t>> lifecycle;
  // The event_id of each lifecycle fact (the smallest, so it commutes);
  // facts from old snapshots may have none.
  absl::btree_map<std::pair<int64_t, int32_t>, std::string> lifecycle_event_ids;
  int64_t last_sale_at = 0;

  OrderBook orders;
  absl::btree_map<std::string, store::v1::PaymentRecord> payments;
  absl::btree_map<std::string, store::v1::DeductionRecord> deductions;
  absl::btree_map<std::string, store::v1::RefundRecord> refunds;
  absl::btree_map<std::string, store::v1::FeeRecord> fees;
  absl::btree_map<std::string, store::v1::DisputeRecord> disputes;
  absl::btree_map<std::string, store::v1::ViolationRecord> violations;
  // Keyed by DepositKind.
  absl::btree_map<int32_t, store::v1::RequirementRecord> requirements;
  absl::btree_map<std::string, store::v1::MoneyLine> clawbacks_paid;
  RecordBook records;

  std::string refund_channel;
  std::string refund_account;
  std::string refund_currency;
  int64_t refund_account_set_at = 0;

  int64_t frozen_at = 0;
  int64_t unfrozen_at = 0;
  std::string freeze_violation_id;
  std::string freeze_reason;

  // Metric name -> (value, event time); last writer wins.
  absl::btree_map<std::string, std::pair<double, int64_t>> metrics;

  int32_t feed_state = 0;
  int64_t feed_expires_at = 0;
  int64_t feed_state_at = 0;

  // Derived from everything above; see DerivedFacts.
  DerivedFacts derived;
};

// --- derived facts shared by ShopState::Evaluate and the risk watchers -----

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
ClosureFacts GetClosureFacts(const ShopState::Internals& in);

v1::ShopLifecycle DeriveLifecycle(const ShopState::Internals& in);

// The derived facts of `in`'s records, computed from scratch (Parse; tests).
DerivedFacts DeriveFacts(const ShopState::Internals& in);

// paid + top-ups - deductions (+ appeal returns), per currency; refunds paid
// are subtracted when `after_refunds`. O(currencies), from in.derived.
CurrencyAmounts Balance(const ShopState::Internals& in, bool after_refunds);
// The same from the records, O(ledger lines): the definition Balance must
// match (sums saturate, taken in record order).
CurrencyAmounts BalanceFromRecords(const ShopState::Internals& in,
                                   bool after_refunds);
// What comes back (domain.md §3 "Money"): the balance after refunds, never
// below zero. A deduction already left the balance: never subtracted again.
CurrencyAmounts Refundable(const ShopState::Internals& in);
// What an appeal may still return beyond the balance, per currency: known
// deductions that are not for counterfeit goods, not decided, and whose
// appeal is filed or whose appeal window (AppealDeadline) is open at
// `as_of`. A counterfeit deduction never counts. Sums saturate.
CurrencyAmounts RecoverableByAppeal(const ShopState::Internals& in,
                                    const v1::PlatformProfile& profile,
                                    absl::Time as_of);
// Required per currency: DepositRequirementSet per kind, else the amounts
// paid for the kind (top-ups excluded); raised to the site minimum.
CurrencyAmounts Required(const ShopState::Internals& in,
                         const v1::PlatformProfile& profile);
// The same from the records: the definition Required must match.
CurrencyAmounts RequiredFromRecords(const ShopState::Internals& in,
                                    const v1::PlatformProfile& profile);
// True when Balance(in, false) covers Required(in, profile) in every
// currency (BALANCE_SHORT has nothing to say), decided from in.derived
// without allocating; false when some currency is short or a sum is not
// exact (then ask Balance and Required).
bool BalanceCoversRequired(const ShopState::Internals& in,
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
int64_t LastBlockerClearedAt(const ShopState::Internals& in);
// Outstanding discount clawback per currency (R10).
CurrencyAmounts ClawbackOwed(const ShopState::Internals& in);
// Payment / top-up ids whose channel, account or currency differ from the
// refund account (all of them when no refund account is set).
std::vector<std::string> AccountMismatches(const ShopState::Internals& in);

}  // namespace depositd::watchers

#endif  // DEPOSITD_WATCHERS_SHOP_STATE_INTERNALS_H_
