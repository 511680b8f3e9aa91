// Input limits of the domain core (issue 5, "bad input"): how long ids and
// texts may be, which times and amounts an event may carry, how many parts
// a ledger record may collect, and how sums of money are kept from
// overflowing. ValidateEvent (shop_state.h) enforces the per-event limits and
// names the field, the value and the limit in its reason, e.g.
//   "order_status_changed.order_id: 300 bytes, the limit is 128"
// Limits at the gRPC edge (message size, events per batch) live in daemon/.
//
// Why these numbers:
//   - ids: real platform ids are under 64 bytes (TikTok order ids are 18
//     digits, Douyin 19); 128 leaves room for derived ids such as
//     "shopee:<ordersn>:<status>:<update_time>". They are stored per order,
//     so they bound memory (1,000,000 orders per shop).
//   - free text is evidence for people (a reason, a statement): 4 KiB is a
//     long paragraph, and bounds a batch of 10,000 events.
//   - times: no platform event predates 2000; nothing is scheduled after
//     2100. Inside these bounds Unix nanoseconds fit int64 with room to add
//     any configured period (int64 nanoseconds overflow in 2262).
//   - amounts: 10^15 minor units is 10 trillion dollars; a larger amount is
//     a unit mistake (micros sent as cents) or an attack on the sums.
//   - sums of money (balances, outstanding fees, claims) saturate at
//     ±10^18 minor units, so that the difference of two sums (balance vs.
//     required) never overflows int64.
//
// Pure constants and arithmetic; safe from any thread.
#ifndef DEPOSITD_WATCHERS_LIMITS_H_
#define DEPOSITD_WATCHERS_LIMITS_H_

#include <cstddef>
#include <cstdint>

#include "absl/time/time.h"

namespace depositd::watchers {

// --- lengths, in bytes (UTF-8) -----------------------------------------------

// Event.event_id.
inline constexpr size_t kMaxEventIdBytes = 128;
// Event.tenant.
inline constexpr size_t kMaxTenantBytes = 64;
// Event.shop_id.
inline constexpr size_t kMaxShopIdBytes = 128;
// Ids of things inside a shop: order, payment, deduction, refund, fee,
// dispute and violation ids, accounts, legal entity ids.
inline constexpr size_t kMaxRecordIdBytes = 128;
// Short names: profile, payment channel, platform status, violation kind.
inline constexpr size_t kMaxNameBytes = 64;
// ShopRegistered.site ("US", "SEA", …).
inline constexpr size_t kMaxSiteBytes = 32;
// Free text kept as evidence: source, reasons, descriptions, statements.
inline constexpr size_t kMaxFreeTextBytes = 4096;

// --- times -------------------------------------------------------------------

// Every timestamp in an event must lie in [kEarliestEventTime,
// kLatestEventTime): 2000-01-01T00:00:00Z .. 2100-01-01T00:00:00Z.
inline constexpr int64_t kEarliestEventUnixSeconds = 946684800;
inline constexpr int64_t kLatestEventUnixSeconds = 4102444800;
// How far an event's occurred_at may lie ahead of the receiving server's
// clock (ValidateEventTime): a day covers time zones mistaken for UTC and
// skewed clocks; more is a wrong date.
inline constexpr absl::Duration kMaxFutureSkew = absl::Hours(24);

// --- money -------------------------------------------------------------------

// |minor_units| of any amount in an event.
inline constexpr int64_t kMaxMinorUnits = 1000000000000000;  // 10^15
// Sums of money saturate at ±kMaxMoneyTotal (see MoneyAdd).
inline constexpr int64_t kMaxMoneyTotal = 1000000000000000000;  // 10^18

// --- repeated parts of one record -------------------------------------------

// Payments (FeePaid with distinct payment ids) collected by one fee.
inline constexpr int kMaxPaymentsPerFee = 1000;
// Payments (RefundPaid events) collected by one refund.
inline constexpr int kMaxPaymentsPerRefund = 1000;

// --- configuration (watchers/profiles.h) ------------------------------------

// Day counts of a platform profile (waiting, review, windows, grace, leads):
// ten years. Hour counts (response deadlines, repeats, leads): the same.
// Larger values are typos, and would overflow "24 * days" in int.
inline constexpr int kMaxConfigDays = 3650;
inline constexpr int kMaxConfigHours = 24 * kMaxConfigDays;

// a + b clamped to [-kMaxMoneyTotal, kMaxMoneyTotal]. Never overflows for
// any int64 inputs.
inline int64_t MoneyAdd(int64_t a, int64_t b) {
  int64_t sum;
  if (__builtin_add_overflow(a, b, &sum)) {
    return b > 0 ? kMaxMoneyTotal : -kMaxMoneyTotal;
  }
  if (sum > kMaxMoneyTotal) return kMaxMoneyTotal;
  if (sum < -kMaxMoneyTotal) return -kMaxMoneyTotal;
  return sum;
}

// a - b, clamped like MoneyAdd.
inline int64_t MoneySub(int64_t a, int64_t b) {
  int64_t diff;
  if (__builtin_sub_overflow(a, b, &diff)) {
    return b < 0 ? kMaxMoneyTotal : -kMaxMoneyTotal;
  }
  return MoneyAdd(diff, 0);
}

// t + d for Unix nanoseconds, saturating at the int64 range instead of
// overflowing (a deadline beyond 2262 reads as "never").
inline int64_t NanosAddSaturating(int64_t t, int64_t d) {
  int64_t sum;
  if (__builtin_add_overflow(t, d, &sum)) return d > 0 ? INT64_MAX : INT64_MIN;
  return sum;
}

}  // namespace depositd::watchers

#endif  // DEPOSITD_WATCHERS_LIMITS_H_
