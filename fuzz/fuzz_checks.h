// Invariant checks shared by the fuzz targets that drive the domain core.
// A broken invariant aborts with a message, which libFuzzer reports as a
// crash (and saves the input); sanitizers catch memory errors and undefined
// behaviour on their own.
//
// What is checked, for any input:
//   - Apply either succeeds or returns INVALID_ARGUMENT / FAILED_PRECONDITION
//     and leaves the shop's snapshot byte-for-byte unchanged;
//   - Evaluate is deterministic and consistent: READY exactly when there is
//     no blocker, READY_AT only when every blocker clears by time (and then
//     ready_at >= as_of), refundable amounts never negative, evidence ids
//     bounded by the count;
//   - Explain carries the same report as Evaluate;
//   - snapshots round-trip (Serialize -> Parse -> Serialize is identical);
//   - the risk watchers' findings name this shop, and feeding the same
//     findings to an AlertBook twice pages nothing the second time.
#ifndef DEPOSITD_FUZZ_FUZZ_CHECKS_H_
#define DEPOSITD_FUZZ_FUZZ_CHECKS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "depositd/v1/events.pb.h"
#include "notifier/alert_book.h"
#include "watchers/profiles.h"
#include "watchers/risk_watchers.h"
#include "watchers/shop_state.h"

namespace depositd::fuzz {

// Aborts with `what` (and `detail`) when `ok` is false.
void Require(bool ok, const char* what, const std::string& detail = "");

// The built-in profiles (no configuration), made once. Thread-compatible.
const watchers::ProfileRegistry& BuiltinRegistry();

// The risk watchers, made once. Thread-safe (stateless).
const watchers::RiskWatchers& Watchers();

// The effective profile for `shop`, the way the daemon resolves it: by the
// registered profile name, falling back to generic when the registry does
// not know that name.
const watchers::ResolvedProfile& ProfileFor(
    const watchers::ProfileRegistry& registry, const watchers::ShopState& shop);

// shop.Apply(event, profile) plus the no-harm check on rejection.
absl::Status ApplyChecked(watchers::ShopState& shop, const v1::Event& event,
                          const watchers::ResolvedProfile& profile);

// Evaluate, Explain, the risk watchers and (if `book` is set) the alert
// book, at `now`, with the invariants above. `twice`: also evaluate and run
// the watchers a second time to check they are deterministic (slower).
void CheckShop(const watchers::ShopState& shop,
               const watchers::ResolvedProfile& profile, absl::Time now,
               notifier::AlertBook* book, bool twice = true);

// Serialize -> Parse -> Serialize gives the same bytes.
void CheckSnapshotRoundTrip(const watchers::ShopState& shop);

// Deterministic serialization (map fields sorted), for comparisons.
std::string DeterministicBytes(const google::protobuf::Message& m);

}  // namespace depositd::fuzz

#endif  // DEPOSITD_FUZZ_FUZZ_CHECKS_H_
