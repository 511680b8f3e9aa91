// Private to watchers/: how the events about a shop's records (payments,
// deductions and their appeals, orders, disputes, fees, refunds) change
// them. Called by ShopState::ApplyValidated (watchers/apply.cc), which
// keeps the derived facts and the record pages in step around each call.
//
// Each Apply* checks every precondition before its first write, so an
// error (FAILED_PRECONDITION saying which earlier fact the event
// contradicts and what to send instead) leaves the state untouched.
// `changed` is set when anything moved, never cleared. Every update
// commutes (see ShopState): the first time, the furthest status, or the
// last writer by event time with ties broken by the larger value wins.
#ifndef DEPOSITD_WATCHERS_APPLY_RECORDS_H_
#define DEPOSITD_WATCHERS_APPLY_RECORDS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "depositd/v1/events.pb.h"
#include "watchers/shop_state_internals.h"

namespace depositd::watchers {

// An event that contradicts a fact the shop already holds.
inline absl::Status Contradiction(absl::string_view what) {
  return absl::FailedPreconditionError(what);
}

// The record with `id` in `records`, created (and *changed set) if the id
// is new: facts about a record may arrive before the one that opens it.
template <typename Map>
typename Map::mapped_type& RecordFor(Map& records, const std::string& id,
                                     bool* changed) {
  typename Map::mapped_type& r = records[id];
  if (r.id().empty()) {
    r.set_id(id);
    *changed = true;
  }
  return r;
}

// Lowers the time `get`/`set` of *rec to `t` when it is unset or later.
template <typename T>
void MinTime(T* rec, int64_t (T::*get)() const, void (T::*set)(int64_t),
             int64_t t, bool* changed) {
  const int64_t cur = (rec->*get)();
  if (cur == 0 || t < cur) {
    (rec->*set)(t);
    *changed = true;
  }
}

// DepositPaid and DepositToppedUp: a payment line keyed by payment_id.
absl::Status ApplyPayment(ShopStateInternals& in, const v1::Event& e,
                          bool* changed);
// DepositDeducted: a deduction keyed by deduction_id, merged with appeal
// facts that arrived first.
absl::Status ApplyDeduction(ShopStateInternals& in, const v1::Event& e,
                            bool* changed);
absl::Status ApplyAppealFiled(ShopStateInternals& in, const v1::Event& e,
                              bool* changed);
absl::Status ApplyAppealDecided(ShopStateInternals& in, const v1::Event& e,
                                bool* changed);
// OrderStatusChanged: milestone `status` of order `order_id`.
absl::Status ApplyOrderStatus(ShopStateInternals& in, const v1::Event& e,
                              v1::OrderStatus status,
                              absl::string_view order_id, bool* changed);
// DisputeOpened, DisputeDeadlineChanged, DisputeResponded, DisputeResolved.
absl::Status ApplyDispute(ShopStateInternals& in, const v1::Event& e,
                          bool* changed);
// FeeCharged, FeePaid, FeeWaived.
absl::Status ApplyFee(ShopStateInternals& in, const v1::Event& e,
                      bool* changed);
// RefundRequested, RefundPaid, RefundRejected.
absl::Status ApplyRefund(ShopStateInternals& in, const v1::Event& e,
                         bool* changed);

}  // namespace depositd::watchers

#endif  // DEPOSITD_WATCHERS_APPLY_RECORDS_H_
