// RiskView: what the risk watchers (watchers/risk_watchers.cc) read of a
// shop, and nothing else: a few facts, the records their findings name,
// and the derived facts of watchers/derived_facts.h. It borrows from the
// ShopState, so it is valid while that lives and is not changed.
//
// The facts are const members named as in the shop's state, so a watcher
// reads `view.last_sale_at` or `view.fees.find(id)`; what is computed is a
// method (`view.lifecycle()`, `view.balance(true)`).
//
// Not thread-safe (like the ShopState it views).
#ifndef DEPOSITD_WATCHERS_RISK_VIEW_H_
#define DEPOSITD_WATCHERS_RISK_VIEW_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "depositd/store/v1/shop_snapshot.pb.h"
#include "depositd/v1/common.pb.h"
#include "watchers/derived_facts.h"
#include "watchers/profiles.h"
#include "watchers/shop_state.h"

namespace depositd::watchers {

class RiskView {
 public:
  explicit RiskView(const ShopState& shop);

  // Registration (Unix nanos; 0: unknown) and the last sale.
  const std::string& legal_entity_id;
  const int64_t registered_at;
  const int64_t entity_last_closed_at;
  const int64_t last_sale_at;

  // The records findings name, by id.
  const absl::btree_map<std::string, store::v1::PaymentRecord>& payments;
  const absl::btree_map<std::string, store::v1::DeductionRecord>& deductions;
  const absl::btree_map<std::string, store::v1::FeeRecord>& fees;
  const absl::btree_map<std::string, store::v1::DisputeRecord>& disputes;
  // Metric name -> (value, event time).
  const absl::btree_map<std::string, std::pair<double, int64_t>>& metrics;

  // The refund account (empty and 0 until RefundAccountSet).
  const std::string& refund_channel;
  const std::string& refund_account;
  const std::string& refund_currency;
  const int64_t refund_account_set_at;

  // The feed's authorization (v1::FeedAuthorization) and its times.
  const int32_t feed_state;
  const int64_t feed_state_at;
  const int64_t feed_expires_at;

  // Derived facts: see the functions of the same name in
  // watchers/derived_facts.h.
  v1::ShopLifecycle lifecycle() const;  // DeriveLifecycle
  ClosureFacts closure() const;         // GetClosureFacts
  CurrencyAmounts balance(bool after_refunds) const;
  CurrencyAmounts refundable() const;
  CurrencyAmounts required(const v1::PlatformProfile& profile) const;
  bool balance_covers_required(const v1::PlatformProfile& profile) const;
  std::vector<std::string> account_mismatches() const;
  // What is open (fees unpaid, disputes awaiting a response, deductions
  // still appealable), kept up to date by Apply.
  const DerivedFacts::OpenItems& open_items() const;

 private:
  explicit RiskView(const ShopStateInternals& in);

  const ShopStateInternals& in_;
};

}  // namespace depositd::watchers

#endif  // DEPOSITD_WATCHERS_RISK_VIEW_H_
