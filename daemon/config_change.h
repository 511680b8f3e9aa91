// Configuration change of one shard: the one place that moves a shard's
// shops to another configuration version, for live steps (Shard's kConfig
// task) and replay (shard_replay.h) alike.
//
// UseConfig points the shard's context (registry, repeat intervals,
// FEED_SILENT watches) at a version and resolves every shop's profile again
// in its registry (a shop whose profile name the version no longer defines
// gets its tenant's generic profile). It judges nothing: replay uses it to
// follow the version each logged group ran under.
//
// A configuration change (a logged group with config_change) is UseConfig
// plus every shop touched, so that the step's checks (shop_checks.h) judge
// each shop under the new version: its projection and alerts move, and the
// transitions are logged with the group. Touching unpacks a packed shop
// (the packing pass packs it again once it is idle).
//
// Functions on a ShardState: not thread-safe, the shard's thread only.
#ifndef DEPOSITD_DAEMON_CONFIG_CHANGE_H_
#define DEPOSITD_DAEMON_CONFIG_CHANGE_H_

#include <cstdint>
#include <functional>

#include "daemon/config_versions.h"
#include "daemon/shard_state.h"

namespace depositd::daemon {

// Makes `config` the shard's configuration and resolves every shop's
// profile in it. Returns how many shops fell back to their generic
// profile (their profile name is not in the version).
int64_t UseConfig(ShardState& s, const RunningConfig& config);

// A configuration change to `config` in the current step: touches every
// entry for which `include` is true (all when it is empty), then
// UseConfig. Returns how many entries were touched; the caller runs the
// step's checks.
int64_t ChangeConfig(ShardState& s, const RunningConfig& config,
                     const std::function<bool(const ShopEntry&)>& include);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_CONFIG_CHANGE_H_
