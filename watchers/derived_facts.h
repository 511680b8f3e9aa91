// Private to watchers/: the facts derived from a shop's records (balance,
// refundable, required, the closure episode, deadlines, what is open) that
// the readiness rules, the projection and the risk watchers share, and
// DerivedFacts, the running sums Apply keeps so that they cost O(what is
// open) rather than O(the shop's history).
#ifndef DEPOSITD_WATCHERS_DERIVED_FACTS_H_
#define DEPOSITD_WATCHERS_DERIVED_FACTS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/time/time.h"
#include "common/currency.h"
#include "depositd/store/v1/shop_snapshot.pb.h"
#include "depositd/v1/events.pb.h"
#include "depositd/v1/readiness.pb.h"
#include "watchers/derived_facts_data.h"
#include "watchers/limits.h"
#include "watchers/profiles.h"
#include "watchers/projection.h"

namespace depositd::watchers {

struct ShopStateInternals;

// The current closure episode (after the last reopen).
struct ClosureFacts {
  int64_t requested_at = 0;     // first closure request after the last reopen
  int64_t closed_at = 0;        // first closure after the last reopen
  int64_t reopened_at = 0;      // last reopen
  int64_t prior_closed_at = 0;  // last closure before the last reopen
  // The earlier of requested_at and closed_at (0: neither).
  int64_t closure_start() const;
};
ClosureFacts GetClosureFacts(const ShopStateInternals& in);

v1::ShopLifecycle DeriveLifecycle(const ShopStateInternals& in);

// The derived facts of `in`'s records, computed from scratch (Parse; tests).
DerivedFacts DeriveFacts(const ShopStateInternals& in);

// paid + top-ups - deductions (+ appeal returns), per currency; refunds paid
// are subtracted when `after_refunds`. O(currencies), from in.derived.
CurrencyAmounts Balance(const ShopStateInternals& in, bool after_refunds);
// The same from the records, O(ledger lines): the definition Balance must
// match (sums saturate, taken in record order).
CurrencyAmounts BalanceFromRecords(const ShopStateInternals& in,
                                   bool after_refunds);
// What comes back (domain.md §3 "Money"): the balance after refunds, never
// below zero. A deduction already left the balance: never subtracted again.
CurrencyAmounts Refundable(const ShopStateInternals& in);
// What an appeal may still return beyond the balance, per currency: known
// deductions that are not for counterfeit goods, not decided, and whose
// appeal is filed or whose appeal window (AppealDeadline) is open at
// `as_of`. A counterfeit deduction never counts. Sums saturate.
CurrencyAmounts RecoverableByAppeal(const ShopStateInternals& in,
                                    const v1::PlatformProfile& profile,
                                    absl::Time as_of);
// Required per currency: DepositRequirementSet per kind, else the amounts
// paid for the kind (top-ups excluded); raised to the site minimum.
CurrencyAmounts Required(const ShopStateInternals& in,
                         const v1::PlatformProfile& profile);
// The same from the records: the definition Required must match.
CurrencyAmounts RequiredFromRecords(const ShopStateInternals& in,
                                    const v1::PlatformProfile& profile);
// True when Balance(in, false) covers Required(in, profile) in every
// currency (BALANCE_SHORT has nothing to say), decided from in.derived
// without allocating; false when some currency is short or a sum is not
// exact (then ask Balance and Required).
bool BalanceCoversRequired(const ShopStateInternals& in,
                           const v1::PlatformProfile& profile);
// Outstanding amount of a fee (0 when paid, waived or not charged).
int64_t FeeOutstanding(const store::v1::FeeRecord& fee);
bool DisputeOpen(const store::v1::DisputeRecord& d);
// The response deadline of a dispute: explicit (last writer wins) or the
// profile default for its kind. 0: none.
int64_t DisputeDueAt(const store::v1::DisputeRecord& d,
                     const v1::PlatformProfile& profile);
int64_t DisputeDueAt(const DisputeDeadlineFacts& d,
                     const v1::PlatformProfile& profile);
DisputeDeadlineFacts DeadlineFactsOf(const store::v1::DisputeRecord& d);
// The appeal deadline of a deduction: explicit or notified_at + the
// profile's appeal window. 0: none.
int64_t AppealDeadline(const store::v1::DeductionRecord& d,
                       const v1::PlatformProfile& profile);
int64_t AppealDeadline(const AppealDeadlineFacts& d,
                       const v1::PlatformProfile& profile);
AppealDeadlineFacts DeadlineFactsOf(const store::v1::DeductionRecord& d);
// The end of the post-closure dispute grace (domain.md §3): the closure +
// post_closure_dispute_grace_days natural days in the calendar's zone.
// InfiniteFuture when the shop is not closed or the profile has no grace.
absl::Time PostClosureGraceEnd(const ClosureFacts& closure,
                               const ResolvedProfile& profile);
// The event time (Unix nanos) at which the last blocker that needs an
// action cleared (domain.md §4 step 1): the latest of the closure, the last
// delivery and cancellation of an order, disputes resolved, fees paid or
// waived, violations resolved or rectified, the deposit unfrozen, top-ups,
// appeals decided, requirements set, the refund account set, clawbacks
// paid. A fact of the shop: it never reads the time of asking. Metric
// reports are not counted (a daily report that changes nothing would move
// it every day). 0: none of these facts.
int64_t LastBlockerClearedAt(const ShopStateInternals& in);
// Outstanding discount clawback per currency (R10).
CurrencyAmounts ClawbackOwed(const ShopStateInternals& in);
// Payment / top-up ids whose channel, account or currency differ from the
// refund account (all of them when no refund account is set).
std::vector<std::string> AccountMismatches(const ShopStateInternals& in);

// Counts (+1) or gives back (-1) in `in.derived` the derived facts of the
// one record that `e` names (SubjectRecord). Apply gives them back before
// the event and counts them again after it, so the facts follow whatever
// the event did.
void CountSubject(ShopStateInternals& in, const v1::Event& e, int sign);

// The payments on the refund account's path (channel, account and
// currency), counted from the records: RefundAccountSet recounts with it.
int64_t CountOnRefundPath(const ShopStateInternals& in);

// What ProjectRefund reads of the shop (watchers/projection.h).
ProjectionFacts ProjectionFactsOf(const ShopStateInternals& in);

}  // namespace depositd::watchers

#endif  // DEPOSITD_WATCHERS_DERIVED_FACTS_H_
