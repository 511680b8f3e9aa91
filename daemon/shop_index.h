// ShopIndex: one shard's query indexes over its shops, so that the
// console's ListShops and CountShops never scan every shop (design.md:
// a filter matching few shops among 1,000,000 took about 1 s as a scan).
//
// For each shop (never a tenant's watchdog entry) it keeps the facts the
// filters and the "at risk" order use, and the shops by each of them, in
// key order:
//   - verdict (READY, NOT_READY, READY_AT) and, for READY_AT, ready_at;
//   - the kinds of its firing alerts (risks);
//   - its profile name;
//   - the risk order of shops with a firing alert: money at stake (the
//     largest amount_at_risk of a currency, compared in major units),
//     then the nearest due_at, then key;
//   - counts by verdict and risk kind, in total and per tenant.
//
// Maintenance, on the shard's thread only (so no lock, and nothing shared
// between shards on the ingest path):
//   - Checked(e, now) after the step's watchers ran for a shop (events,
//     acknowledgements, deadlines, replay: shop_checks.cc): its alert and
//     profile facts are updated at once (they come from the alert book);
//     its verdict, which needs the full readiness evaluation, is marked
//     stale (a flag and a queue entry: the ingest path stays cheap).
//   - Loaded(e) for shops loaded from checkpoints: likewise, stale.
//   - Refresh(now, budget) evaluates stale verdicts, and READY_AT shops
//     whose ready_at has come (they are READY now), oldest first: a slice
//     of kIndexSliceTime between steps (shard.cc), and everything left
//     before any query reads the index, so a query's answer is exact at
//     its time. After a restart the shard builds the verdicts slice by
//     slice; a query asked before that ends finishes it (at about 1 to 5
//     us a shop).
//
// Memory: about 150 bytes a shop (facts and set entries).
//
// Not thread-safe: owned by one ShardState, used on the shard's thread.
#ifndef DEPOSITD_DAEMON_SHOP_INDEX_H_
#define DEPOSITD_DAEMON_SHOP_INDEX_H_

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_set.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "daemon/shop_table.h"
#include "depositd/v1/readiness.pb.h"
#include "depositd/v1/service.pb.h"

namespace depositd::daemon {

// Budget of one background refresh slice.
inline constexpr absl::Duration kIndexSliceTime = absl::Microseconds(500);

// Money at stake and the nearest due time of a shop's firing alerts (see
// ShopSummary.at_stake / nearest_due_at).
struct ShopStake {
  // Largest amount per currency, in currency order.
  std::vector<v1::Money> amounts;
  // The largest of them in millionths of a major unit (no exchange rates):
  // the risk order's first key.
  int64_t rank = 0;
  // Earliest due_at (Unix nanos), kNoDeadline when none.
  int64_t due = kNoDeadline;
};
ShopStake StakeOf(const notifier::AlertBook& alerts);

class ShopIndex {
 public:
  // AlertKind values are below this (checked when built).
  static constexpr int kKinds = 32;

  struct Facts {
    // VERDICT_UNSPECIFIED until first evaluated.
    v1::Verdict verdict = v1::VERDICT_UNSPECIFIED;
    int64_t ready_at = kNoDeadline;  // READY_AT: Unix nanos
    // From the same evaluation: the lifecycle and the blocking conditions
    // (bit c: Condition c), so a page is written without unpacking or
    // evaluating its shops again.
    v1::ShopLifecycle lifecycle = v1::SHOP_LIFECYCLE_UNSPECIFIED;
    uint32_t blocking = 0;
    uint32_t risks = 0;  // bit k: a firing alert of kind k
    int64_t stake_rank = 0;
    int64_t due = kNoDeadline;
    const std::string* profile = nullptr;  // interned
    bool stale = true;
    ShopEntry* entry = nullptr;
  };

  struct Counts {
    int64_t shops = 0;
    int64_t at_risk = 0;
    std::array<int64_t, 4> verdicts{};
    std::array<int64_t, kKinds> kinds{};
  };

  // The risk order's key: stake desc, due asc, shop key asc.
  struct RiskKey {
    int64_t neg_stake;
    int64_t due;
    absl::string_view key;
    bool operator<(const RiskKey& o) const {
      if (neg_stake != o.neg_stake) return neg_stake < o.neg_stake;
      if (due != o.due) return due < o.due;
      return key < o.key;
    }
  };

  using KeySet = absl::btree_set<absl::string_view>;

  // Evaluates a shop's verdict at `now`: unpacks it if needed (the shard
  // packs it again), e.g. state.Evaluate(now, *profile).verdict + ready_at.
  using Evaluator =
      std::function<v1::ReadinessReport(ShopEntry* e, absl::Time now)>;

  explicit ShopIndex(Evaluator evaluate) : evaluate_(std::move(evaluate)) {}
  ShopIndex(const ShopIndex&) = delete;
  ShopIndex& operator=(const ShopIndex&) = delete;

  // See the maintenance notes above.
  void Checked(ShopEntry* e);
  void Loaded(ShopEntry* e) { Checked(e); }
  // Evaluates stale verdicts and due READY_AT shops until `budget` is
  // spent (InfiniteDuration: all). Returns how many it evaluated.
  int64_t Refresh(absl::Time now, absl::Duration budget);
  bool has_work(absl::Time now) const;

  // --- reads (after Refresh(now, infinite)) ---
  // The facts of the shop with `key` (a ShopKey), or null.
  const Facts* Find(absl::string_view key) const;
  const Counts& total() const { return total_; }
  // Null when the tenant has no shop.
  const Counts* tenant(absl::string_view t) const;
  const KeySet& by_verdict(v1::Verdict v) const;
  // Null for an unknown kind or profile.
  const KeySet* by_kind(v1::AlertKind k) const;
  const KeySet* by_profile(absl::string_view profile) const;
  const absl::btree_set<RiskKey>& by_risk() const { return by_risk_; }
  // The tenants with at least one shop, sorted.
  std::vector<absl::string_view> tenant_names() const;
  size_t stale_count() const { return stale_.size(); }

 private:
  void Remove(const ShopEntry* e, const Facts& f);
  void Add(const ShopEntry* e, const Facts& f);
  Counts& TenantCounts(absl::string_view key);
  static void Count(Counts& c, const Facts& f, int64_t sign);

  const Evaluator evaluate_;
  // By shop key (the entry's key: lives as long as the table).
  absl::flat_hash_map<absl::string_view, Facts> facts_;
  std::deque<ShopEntry*> stale_;
  // READY_AT shops by ready_at.
  absl::btree_set<std::pair<int64_t, ShopEntry*>> ready_at_;
  std::array<KeySet, 4> by_verdict_;
  std::array<KeySet, kKinds> by_kind_;
  absl::node_hash_set<std::string> profile_names_;
  absl::flat_hash_map<const std::string*, KeySet> by_profile_;
  absl::btree_set<RiskKey> by_risk_;
  Counts total_;
  absl::flat_hash_map<std::string, Counts> tenants_;
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_SHOP_INDEX_H_
