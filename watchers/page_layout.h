// How a shop's checkpoint is cut into pages (see ShopState::SerializeHead):
// the numbers the daemon's keys and the snapshot's pages agree on.
#ifndef DEPOSITD_WATCHERS_PAGE_LAYOUT_H_
#define DEPOSITD_WATCHERS_PAGE_LAYOUT_H_

#include <cstddef>
#include <cstdint>

namespace depositd::watchers {

// Orders per checkpoint page (see ShopState::SerializeHead).
inline constexpr uint32_t kOrderPageSlots = 1024;
// Records (payments, deductions, refunds, fees, disputes) per checkpoint
// page, the number of the first record page, and how many such records a
// shop keeps in its head before they move to pages.
inline constexpr uint32_t kRecordPageSlots = 128;
inline constexpr uint32_t kRecordPageBase = 0x80000000u;
inline constexpr size_t kRecordsInHead = 256;

}  // namespace depositd::watchers

#endif  // DEPOSITD_WATCHERS_PAGE_LAYOUT_H_
