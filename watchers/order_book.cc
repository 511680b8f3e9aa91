#include "watchers/order_book.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace depositd::watchers {

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

}  // namespace

size_t CommonPrefix(absl::string_view a, absl::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

// Recomputes every chunk. The
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

void SetMilestone(OrderBook& book, uint32_t slot, absl::string_view id,
                  v1::OrderStatus status, int64_t t_s) {
  OrderRecord& r = book.slots[slot];
  const IndexedAs was(r);
  const int64_t was_cancelled_s = r.at(v1::CANCELLED);
  r.at_s[status - 1] = t_s;
  book.MarkDirty(slot);
  r.status = DeriveOrderStatus(r);
  Reindex(book, slot, id, was, IndexedAs(r));
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
}

}  // namespace depositd::watchers
