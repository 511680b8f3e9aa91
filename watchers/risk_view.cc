#include "watchers/risk_view.h"

#include "watchers/shop_state_internals.h"

namespace depositd::watchers {

RiskView::RiskView(const ShopState& shop) : RiskView(*shop.in_) {}

RiskView::RiskView(const ShopStateInternals& in)
    : legal_entity_id(in.legal_entity_id),
      registered_at(in.registered_at),
      entity_last_closed_at(in.entity_last_closed_at),
      last_sale_at(in.last_sale_at),
      payments(in.payments),
      deductions(in.deductions),
      fees(in.fees),
      disputes(in.disputes),
      metrics(in.metrics),
      refund_channel(in.refund_channel),
      refund_account(in.refund_account),
      refund_currency(in.refund_currency),
      refund_account_set_at(in.refund_account_set_at),
      feed_state(in.feed_state),
      feed_state_at(in.feed_state_at),
      feed_expires_at(in.feed_expires_at),
      in_(in) {}

v1::ShopLifecycle RiskView::lifecycle() const { return DeriveLifecycle(in_); }
ClosureFacts RiskView::closure() const { return GetClosureFacts(in_); }
CurrencyAmounts RiskView::balance(bool after_refunds) const {
  return Balance(in_, after_refunds);
}
CurrencyAmounts RiskView::refundable() const { return Refundable(in_); }
CurrencyAmounts RiskView::required(const v1::PlatformProfile& profile) const {
  return Required(in_, profile);
}
bool RiskView::balance_covers_required(
    const v1::PlatformProfile& profile) const {
  return BalanceCoversRequired(in_, profile);
}
std::vector<std::string> RiskView::account_mismatches() const {
  return AccountMismatches(in_);
}
const DerivedFacts::OpenItems& RiskView::open_items() const {
  return in_.derived.open_items();
}

}  // namespace depositd::watchers
