// For tests only: reaches what ShopState keeps private (its representation
// and the order-page-only paging methods), so that tests can check
// invariants without widening ShopState's public surface.
#ifndef DEPOSITD_WATCHERS_SHOP_STATE_TEST_PEER_H_
#define DEPOSITD_WATCHERS_SHOP_STATE_TEST_PEER_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "watchers/shop_state.h"
#include "watchers/shop_state_internals.h"

namespace depositd::watchers {

class ShopStateTestPeer {
 public:
  static const ShopStateInternals& internals(const ShopState& shop) {
    return *shop.in_;
  }
  static uint32_t order_pages_expected(const ShopState& shop) {
    return shop.order_pages_expected();
  }
  static uint32_t record_pages(const ShopState& shop) {
    return shop.record_pages();
  }
  static absl::Status AddOrderPage(ShopState& shop, uint32_t page,
                                   absl::string_view bytes) {
    return shop.AddOrderPage(page, bytes);
  }
  static absl::Status CheckOrderPage(uint32_t page, uint32_t pages_expected,
                                     absl::string_view bytes) {
    return ShopState::CheckOrderPage(page, pages_expected, bytes);
  }
};

}  // namespace depositd::watchers

#endif  // DEPOSITD_WATCHERS_SHOP_STATE_TEST_PEER_H_
