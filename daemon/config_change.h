// Configuration change of one shard: the one place that moves a shard's
// shops to another configuration version, for live steps (Shard's kConfig
// task) and replay (shard_replay.h) alike.
//
// UseConfig points the shard's context (registry, repeat intervals,
// FEED_SILENT watches) at a version and resolves every shop's profile again
// in its registry, by the profile name its entry keeps (a shop whose name
// the version does not define gets its tenant's generic profile). It
// judges nothing: replay uses it to follow the version each logged group
// ran under.
//
// ChangeConfig (a logged group with config_change) judges again the shops
// the change can move, then UseConfig: a shop is touched (its watchers and
// alert book run in the step's checks, shop_checks.h) when its resolved
// profile differs between the two versions (settings or language), when a
// calendar changed, when the routes changed and it has firing alerts (their
// repeat interval), or, for a tenant's watchdog entry, when its
// feed_silence changed. The decision depends only on the two versions and
// the entry's key, profile name and firing alerts, never on whether the
// shop is packed, so replay makes the same one. Touching unpacks a packed
// shop (the packing pass packs it again once it is idle).
//
// Functions on a ShardState: not thread-safe, the shard's thread only.
#ifndef DEPOSITD_DAEMON_CONFIG_CHANGE_H_
#define DEPOSITD_DAEMON_CONFIG_CHANGE_H_

#include <cstdint>
#include <functional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "daemon/config_versions.h"
#include "daemon/shard_state.h"

namespace depositd::daemon {

// Makes `config` the shard's configuration and resolves every shop's
// profile in it. Returns how many shops fell back to their generic
// profile (their profile name is not in the version).
int64_t UseConfig(ShardState& s, const RunningConfig& config);

// What a change from `previous` to `next` can move, computed once per
// change (ChangeConfig asks it for every shop).
class ConfigDelta {
 public:
  ConfigDelta(const RunningConfig& previous, const RunningConfig& next);
  // True when the change can move how `e` (key `tenant`/`shop_id`) is
  // judged (see the header comment).
  bool Moves(const ShopEntry& e, absl::string_view tenant,
             absl::string_view shop_id);

 private:
  const RunningConfig& previous_;
  const RunningConfig& next_;
  bool calendars_changed_;
  bool routes_changed_;
  // Resolved profiles compared so far (few: one per tenant, override and
  // profile name): true when they judge alike.
  absl::flat_hash_map<std::pair<const watchers::ResolvedProfile*,
                                const watchers::ResolvedProfile*>,
                      bool>
      same_;
};

// A configuration change from `previous` to `next` in the current step:
// touches every entry `include` accepts (all when it is empty) that the
// change moves (ChangeMovesShop), then UseConfig(next). Returns how many
// entries were touched; the caller runs the step's checks.
int64_t ChangeConfig(ShardState& s, const RunningConfig& previous,
                     const RunningConfig& next,
                     const std::function<bool(const ShopEntry&)>& include);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_CONFIG_CHANGE_H_
