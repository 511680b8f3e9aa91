// Private to watchers/: the checkpoint slots of the records that grow with
// a shop's history (payments, deductions, refunds, fees, disputes).
#ifndef DEPOSITD_WATCHERS_RECORD_BOOK_H_
#define DEPOSITD_WATCHERS_RECORD_BOOK_H_

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "watchers/dirty_pages.h"
#include "watchers/page_layout.h"

namespace depositd::watchers {

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
// Not thread-safe; owned by one shop.
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

}  // namespace depositd::watchers

#endif  // DEPOSITD_WATCHERS_RECORD_BOOK_H_
