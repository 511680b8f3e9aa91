// ShopState: everything depositd knows about one shop, built by applying
// events, and the readiness report derived from it (domain.md §3, §4).
//
// Order independence: for order, dispute, fee and ledger events, applying any
// permutation of a shop's history, with duplicates, gives the same state and
// readiness as applying it sorted by time. Each fact is kept as a
// commutative, idempotent update (furthest order status wins, ledger lines
// keyed by id, last-writer-wins by event time for movable deadlines).
//
// Scaling: see the representation notes beside the private members.
#ifndef DEPOSITD_WATCHERS_SHOP_STATE_H_
#define DEPOSITD_WATCHERS_SHOP_STATE_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "depositd/v1/events.pb.h"
#include "depositd/v1/readiness.pb.h"
#include "depositd/v1/service.pb.h"
#include "watchers/profiles.h"

namespace depositd::watchers {

// Checks an event on its own, without shop context: ids present and within
// length limits, occurred_at set, exactly one body, amounts non-negative with
// a valid ISO 4217 currency, enums known. INVALID_ARGUMENT with a reason a
// person can act on.
absl::Status ValidateEvent(const v1::Event& event);

// Not thread-safe; owned by one shard.
class ShopState {
 public:
  ShopState(std::string tenant, std::string shop_id);
  ~ShopState();
  ShopState(ShopState&&) noexcept;
  ShopState& operator=(ShopState&&) noexcept;

  const std::string& tenant() const;
  const std::string& shop_id() const;
  // Profile named by ShopRegistered; empty until then (means "generic").
  const std::string& profile_name() const;

  // Validates `event` in this shop's context (ValidateEvent plus: currency
  // matches the deposit's, no shipping after cancellation, fee paid in the
  // fee's currency, …) and applies it. On error nothing changes and the
  // status (INVALID_ARGUMENT or FAILED_PRECONDITION) says why. `profile` is
  // the shop's effective profile (for defaults such as the not-received
  // response deadline). A replayed duplicate is a no-op returning OK.
  absl::Status Apply(const v1::Event& event, const ResolvedProfile& profile);

  // Readiness at `as_of` (past or future): time-dependent rules (return
  // windows, waiting period, projection) are evaluated at `as_of` over every
  // fact known now.
  v1::ReadinessReport Evaluate(absl::Time as_of,
                               const ResolvedProfile& profile) const;

  // Evaluate plus, per blocker, references to the facts behind it.
  v1::ExplainResponse Explain(absl::Time as_of,
                              const ResolvedProfile& profile) const;

  // Snapshot for checkpoints: a compact byte string, and its inverse.
  // Parse fails with DATA_LOSS on corrupt input.
  std::string Serialize() const;
  static absl::StatusOr<ShopState> Parse(absl::string_view bytes);

  // Rough heap footprint, for stats and memory budgeting.
  size_t ApproximateBytes() const;

  // Read access for the risk watchers (see risk_watchers.h).
  struct Internals;
  const Internals& internals() const;

 private:
  std::unique_ptr<Internals> in_;
};

}  // namespace depositd::watchers

#endif  // DEPOSITD_WATCHERS_SHOP_STATE_H_
