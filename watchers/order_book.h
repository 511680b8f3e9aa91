// Private to watchers/: a shop's orders (OrderBook) and the operations that
// keep its indexes in step.
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
#ifndef DEPOSITD_WATCHERS_ORDER_BOOK_H_
#define DEPOSITD_WATCHERS_ORDER_BOOK_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "depositd/v1/events.pb.h"
#include "watchers/dirty_pages.h"
#include "watchers/page_layout.h"

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

// Not copyable or movable: the indexes point at `slots` (ShopState holds
// its ShopStateInternals by pointer, so they never move).
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

// Adds a record for a new id (no milestones, no index entries yet) and
// marks its page dirty; returns its slot. `id` must not be in the book.
uint32_t AddOrder(OrderBook& book, absl::string_view id);

// Inserts a fully formed record (Parse, AddPage); false when `id` is
// already in the book.
bool InsertOrder(OrderBook& book, absl::string_view id, const int64_t at_s[7]);

// Sets milestone `status` of the order in `slot` (whose id is `id`) to
// `t_s`, rederives its status, moves its index entries and keeps
// last_cancelled_s equal to what Parse rebuilds. Marks its page dirty.
void SetMilestone(OrderBook& book, uint32_t slot, absl::string_view id,
                  v1::OrderStatus status, int64_t t_s);

// The length of the prefix `a` and `b` share.
size_t CommonPrefix(absl::string_view a, absl::string_view b);

// Lowers book.common_prefix to `prefix` and recomputes every index key.
void ShrinkCommonPrefix(OrderBook& book, size_t prefix);

}  // namespace depositd::watchers

#endif  // DEPOSITD_WATCHERS_ORDER_BOOK_H_
