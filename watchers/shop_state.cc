// ShopState itself: construction, identity, and the forwarding of Evaluate
// and Explain to watchers/readiness.cc and watchers/explain.cc. Apply is in
// watchers/apply.cc, the snapshot forms in watchers/shop_snapshot.cc.
#include "watchers/shop_state.h"

#include <memory>
#include <string>
#include <utility>

#include "watchers/explain.h"
#include "watchers/readiness.h"
#include "watchers/shop_state_internals.h"

namespace depositd::watchers {

ShopState::ShopState(std::string tenant, std::string shop_id)
    : in_(std::make_unique<ShopStateInternals>()) {
  in_->tenant = std::move(tenant);
  in_->shop_id = std::move(shop_id);
}
ShopState::~ShopState() = default;
ShopState::ShopState(ShopState&&) noexcept = default;
ShopState& ShopState::operator=(ShopState&&) noexcept = default;

const std::string& ShopState::tenant() const { return in_->tenant; }
const std::string& ShopState::shop_id() const { return in_->shop_id; }
const std::string& ShopState::profile_name() const { return in_->profile; }

v1::ReadinessReport ShopState::Evaluate(absl::Time as_of,
                                        const ResolvedProfile& profile) const {
  return EvaluateReadiness(*in_, as_of, profile);
}

v1::ExplainResponse ShopState::Explain(absl::Time as_of,
                                       const ResolvedProfile& profile) const {
  return ExplainReadiness(*in_, as_of, profile);
}

size_t ShopState::ApproximateBytes() const {
  const ShopStateInternals& in = *in_;
  const OrderBook& b = in.orders;
  size_t bytes =
      sizeof(ShopStateInternals) + in.tenant.capacity() + in.shop_id.capacity();
  bytes += b.arena.bytes_reserved();
  bytes += b.slots.capacity() * sizeof(OrderRecord);
  bytes +=
      b.by_id.capacity() * (sizeof(std::pair<absl::string_view, uint32_t>) + 1);
  // btree nodes hold ~ 1.2x their values with node overhead.
  bytes += b.in_flight.size() * sizeof(OrderKey) * 6 / 5;
  bytes += b.delivered.size() * sizeof(DeliveredKey) * 6 / 5;
  auto small = [](const auto& map) {
    size_t s = 0;
    for (const auto& [k, v] : map) s += 64 + v.SpaceUsedLong();
    return s;
  };
  bytes += small(in.payments) + small(in.deductions) + small(in.refunds) +
           small(in.fees) + small(in.disputes) + small(in.violations) +
           small(in.requirements) + small(in.clawbacks_paid);
  bytes += in.metrics.size() * 64;
  bytes += in.lifecycle_event_ids.size() * 64;
  // A paged record's key is held twice (slots and slot_of); ids are
  // mostly short (inline in the string), the map has its control byte.
  bytes += in.records.slots.capacity() * sizeof(in.records.slots[0]);
  for (const auto& of_kind : in.records.slot_of) {
    bytes +=
        of_kind.capacity() * (sizeof(std::pair<std::string, uint32_t>) + 1);
  }
  const DerivedFacts& d = in.derived;
  // Beyond the one inline entry each.
  bytes += (d.ledger.size() > 1 ? d.ledger.capacity() : 0) *
               sizeof(DerivedFacts::CurrencySums) +
           (d.deposits.size() > 1 ? d.deposits.capacity() : 0) *
               sizeof(DerivedFacts::DepositSums);
  bytes += sizeof(DerivedFacts::OpenItems) * (d.open != nullptr) +
           d.open_items().unpaid_fees.size() *
               sizeof(std::pair<int64_t, std::string>) * 6 / 5 +
           d.open_items().awaiting_response.size() *
               (sizeof(std::string) + sizeof(DisputeDeadlineFacts)) * 6 / 5 +
           d.open_items().appealable.size() *
               (sizeof(std::string) + sizeof(AppealDeadlineFacts)) * 6 / 5;
  return bytes;
}

}  // namespace depositd::watchers
