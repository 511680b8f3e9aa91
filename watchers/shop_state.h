// ShopState: everything depositd knows about one shop, built by applying
// events, and the readiness report derived from it (domain.md §3, §4).
//
// Order independence: for order, dispute, fee and ledger events, applying any
// permutation of a shop's history, with duplicates, gives the same state and
// readiness as applying it sorted by time. Each fact is kept as a
// commutative, idempotent update (furthest order status wins, ledger lines
// keyed by id, last-writer-wins by event time for movable deadlines).
//
// What is order-independent and what is not: order milestones keep their
// first time each (the furthest status wins; CANCELLED ends an order),
// ledger lines (payments, deductions, fee payments, clawback payments) are
// keyed by id (the same id with the same content is a no-op, with different
// content an error), dispute response deadlines and other movable values
// are last-writer-wins by occurred_at with ties broken by the larger value,
// and "first/last seen" facts are min/max. Facts that arrive before the
// thing they refer to (DisputeResolved before DisputeOpened, FeePaid before
// FeeCharged, AppealDecided before DepositDeducted) are accepted and kept
// until it arrives. Only truly contradictory facts are rejected, and then
// which of two contradicting events is rejected depends on arrival order
// (e.g. SHIPPED later than a known CANCELLED, a fee paid in another currency
// than it was charged in). Lifecycle events are kept as an ordered set of
// (time, type) facts, so they too commute. ReadinessReport.events_applied
// counts Apply calls that changed the state, so it may differ between
// permutations; everything else in the report does not.
//
// Readiness choices (domain.md §3): R1 counts PLACED, SHIPPED and IN_TRANSIT
// orders; DELIVERED and later orders are R2 (return window = earliest of
// delivered / receipt-confirmed / completed time + return_window_days,
// 24-hour days). R1–R3 are blockers whenever they hold, with or without a
// post-closure grace; the grace (or "must be finished before closure") is
// said in the blocker's summary. R7 blocks an unclosed shop (not clearing by
// itself). R6 compares the balance before refunds paid with the requirement
// (DepositRequirementSet per kind, else the amounts paid per kind, raised to
// the site minimum). Refundable = balance after refunds, ≥ 0 (a deduction
// is never subtracted twice); recoverable by appeal = non-counterfeit
// deductions with an appeal filed and undecided or a window still open. R9
// checks only thresholds that are set and metrics that were reported. R10 is
// owed when the closure (first request or closure after the last reopen)
// precedes a discount's discount_clawback_until and ClawbackPaid does not cover
// it.
//
// Scaling: a shop may hold 1,000,000 open orders. Orders are not heap
// objects: they are fixed-size records in a slot vector with ids in a
// chunked string arena, found through a flat_hash_map of arena views; R1
// reads counters and an ordered id set (first 20 ids in O(20); its keys
// carry 8 bytes of each id, so inserts seldom read ids); R2 reads an
// ordered (delivery time, id) index from the top, O(k) in the k windows
// still open at as_of and never O(n). Applying an order event is a hash
// lookup plus O(log n) index updates. Snapshots store orders column-wise in
// packed fields (proto/depositd/store/v1/shop_snapshot.proto), about 23
// bytes per order. Details in watchers/order_book.h and
// watchers/shop_state_internals.h.
#ifndef DEPOSITD_WATCHERS_SHOP_STATE_H_
#define DEPOSITD_WATCHERS_SHOP_STATE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "depositd/v1/events.pb.h"
#include "depositd/v1/readiness.pb.h"
#include "depositd/v1/service.pb.h"
#include "watchers/page_layout.h"
#include "watchers/profiles.h"
#include "watchers/validation.h"  // ValidateEvent, for the daemon's callers

namespace depositd::watchers {

struct ShopStateInternals;  // watchers/shop_state_internals.h
class RiskView;             // watchers/risk_view.h
class ShopStateTestPeer;    // watchers/shop_state_test_peer.h

// Where it is done: ValidateEvent in watchers/validation.cc; Apply in
// watchers/apply.cc (the record events in watchers/apply_records.cc);
// Evaluate's driver in watchers/readiness.cc and its rules in
// watchers/readiness_rules.cc (one function per rule R1..R10); Explain in
// watchers/explain.cc; the snapshot and its pages in
// watchers/shop_snapshot.cc.
//
// Not thread-safe; owned by one shard.
class ShopState {
 public:
  ShopState(std::string tenant, std::string shop_id);
  ~ShopState();
  ShopState(ShopState&&) noexcept;
  ShopState& operator=(ShopState&&) noexcept;

  const std::string& tenant() const;
  const std::string& shop_id() const;
  // Profile named by ShopRegistered; empty until then (means "generic").
  const std::string& profile_name() const;

  // Validates `event` in this shop's context (ValidateEvent plus: currency
  // matches the deposit's, no shipping after cancellation, fee paid in the
  // fee's currency, …) and applies it. On error nothing changes and the
  // status (INVALID_ARGUMENT or FAILED_PRECONDITION) says why. `profile` is
  // the shop's effective profile (for defaults such as the not-received
  // response deadline). A replayed duplicate is a no-op returning OK.
  absl::Status Apply(const v1::Event& event, const ResolvedProfile& profile);

  // Apply for an event that the caller has already checked with
  // ValidateEvent (and not changed since): the same contract and result,
  // without validating the event a second time. For the daemon's ingest
  // path, which validates every event at the edge before it reaches a
  // shard. An event that would fail ValidateEvent is a caller bug (an
  // assert in debug builds); anything read from disk or from a fuzzer goes
  // through Apply.
  absl::Status ApplyValidated(const v1::Event& event,
                              const ResolvedProfile& profile);

  // Readiness at `as_of` (past or future): time-dependent rules (return
  // windows, waiting period, projection) are evaluated at `as_of` over every
  // fact known now. Verdict: READY without blockers; READY_AT when every
  // blocker has clears_at (ready_at = the latest); else NOT_READY. The
  // projection is set for every closed shop (see watchers/projection.h): a
  // fact of the shop with READY / READY_AT, conditional (and marked so)
  // with NOT_READY. Cost: O(k) in the return windows open at as_of
  // plus the small collections (disputes, fees, ledger), never O(orders).
  v1::ReadinessReport Evaluate(absl::Time as_of,
                               const ResolvedProfile& profile) const;

  // Evaluate plus, per blocker, references to the facts behind it.
  v1::ExplainResponse Explain(absl::Time as_of,
                              const ResolvedProfile& profile) const;

  // Snapshot for checkpoints: a compact byte string, and its inverse.
  // Parse fails with DATA_LOSS on corrupt input.
  std::string Serialize() const;
  static absl::StatusOr<ShopState> Parse(absl::string_view bytes);

  // Paged snapshots, for checkpoints that rewrite only what changed. The
  // head is the snapshot without the shop's orders and, once it holds more
  // than kRecordsInHead of them, without its payments, deductions,
  // refunds, fees and disputes (which otherwise grow with its history).
  // Those go in pages, numbered so that their keys sort in page order:
  //   - order pages 0, 1, ...: kOrderPageSlots orders each, page p holding
  //     the orders in arrival order p*kOrderPageSlots onwards;
  //   - record pages kRecordPageBase + r: kRecordPageSlots records each,
  //     in the order the shop first held them.
  // Nothing moves between pages, so a checkpoint rewrites only the pages
  // with a changed order or record.
  //   write: SerializeHead() and SerializePage(p) for each p of
  //          TakeDirtyPages() (every page changed since the last call; all
  //          of them after Parse of an unpaged snapshot, and all record
  //          pages when the records first move out of the head).
  //   read:  Parse(head), then AddPage(PageAt(i), bytes) for i = 0, 1, ...
  //          up to pages_expected() - 1, in order; then ForgetDirtyPages()
  //          (what was read is on disk).
  // AddPage fails with DATA_LOSS on a corrupt, duplicate-id or
  // out-of-order page.
  std::string SerializeHead() const;
  std::string SerializePage(uint32_t page) const;
  std::vector<uint32_t> TakeDirtyPages();
  void ForgetDirtyPages();
  // Every page the shop fills now (what SerializeHead announces), in order.
  std::vector<uint32_t> Pages() const;
  // Pages the parsed head announced, and the number of the index-th.
  uint32_t pages_expected() const;
  uint32_t PageAt(uint32_t index) const;
  absl::Status AddPage(uint32_t page, absl::string_view bytes);
  // What AddPage checks of `page`, without building anything: it is one
  // of the announced pages, it parses, its parts agree, and it is full
  // (all but the last of its kind) or not empty (the last). Duplicate ids
  // are found only by AddPage. For loading a shop that is kept packed: its
  // pages are checked at start-up and indexed only when it is used.
  absl::Status CheckPage(uint32_t page, absl::string_view bytes) const;

  // The order pages alone (benchmarks): page `page` as SerializePage
  // writes it, and the number of pages the orders fill now.
  std::string SerializeOrderPage(uint32_t page) const;
  uint32_t order_pages() const;

  // Rough heap footprint, for stats and memory budgeting.
  size_t ApproximateBytes() const;

 private:
  friend class RiskView;
  friend class ShopStateTestPeer;

  // The order pages alone and the record pages' count (tests, through
  // ShopStateTestPeer): the same checks as AddPage and CheckPage.
  uint32_t order_pages_expected() const;
  // Pages the records fill now (0 while they are in the head).
  uint32_t record_pages() const;
  absl::Status AddOrderPage(uint32_t page, absl::string_view bytes);
  static absl::Status CheckOrderPage(uint32_t page, uint32_t pages_expected,
                                     absl::string_view bytes);

  std::string SerializeImpl(bool paged) const;

  std::unique_ptr<ShopStateInternals> in_;
};

}  // namespace depositd::watchers

#endif  // DEPOSITD_WATCHERS_SHOP_STATE_H_
