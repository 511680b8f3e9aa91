// Engine: configuration changes (ApplyConfig, the start-up move to the
// configuration given, the FEED_SILENT watchdog entries of a
// configuration). See engine.h and config_change.h.
#include <atomic>
#include <utility>

#include "absl/synchronization/blocking_counter.h"
#include "daemon/engine.h"
#include "daemon/shard.h"
#include "daemon/stable_hash.h"

namespace depositd::daemon {

int64_t Engine::MoveShardsTo(const RunningConfig* config) {
  std::atomic<int64_t> shops{0};
  absl::BlockingCounter moved(static_cast<int>(shards_.size()));
  for (auto& shard : shards_) {
    ShardTask t;
    t.kind = ShardTask::kConfig;
    t.config = config;
    t.config_shops = &shops;
    t.on_durable = [&moved] { moved.DecrementCount(); };
    shard->Push(std::move(t));
  }
  moved.Wait();
  return shops.load();
}

void Engine::CreateWatchdogEntries(const RunningConfig* config) {
  // Watched tenants never heard from get their watchdog entry now, so a
  // feed that never starts is reported too.
  bool any = false;
  for (const auto& [tenant, silence] : config->feed_silence) {
    if (silence <= absl::ZeroDuration()) continue;
    ShardTask t;
    t.kind = ShardTask::kHeartbeat;
    t.tenant = tenant;
    t.if_missing = true;
    ShardFor(tenant, "")->Push(std::move(t));
    any = true;
  }
  if (!any) return;
  // Serve only once those entries exist: their "last heard" is now, not
  // whenever the shard gets to them (a test clock moved right after would
  // otherwise date them later).
  absl::BlockingCounter created(static_cast<int>(shards_.size()));
  for (auto& shard : shards_) {
    ShardTask b;
    b.kind = ShardTask::kBarrier;
    b.on_durable = [&created] { created.DecrementCount(); };
    shard->Push(std::move(b));
  }
  created.Wait();
}

absl::StatusOr<Engine::ConfigApplied> Engine::ApplyConfig(
    const v1::DaemonConfig& config) {
  if (!options_.config.has_value()) {
    return absl::FailedPreconditionError(
        "this engine was started without a configuration to reload");
  }
  {
    absl::MutexLock lock(&stop_mu_);
    if (stopping_) {
      return absl::UnavailableError("depositd is stopping; nothing changed");
    }
  }
  absl::MutexLock lock(&apply_config_mu_);
  bool is_new = false;
  absl::StatusOr<const RunningConfig*> target =
      configs_->Record(*store_, config, &is_new);
  if (!target.ok()) return target.status();
  ConfigApplied out;
  out.version = (*target)->version;
  if (!is_new && configs_->applied() == out.version) return out;
  out.changed = true;
  // New ingest is checked against the new registry from here on; each
  // shard switches at its kConfig task, in its order of work.
  current_config_.store(*target, std::memory_order_release);
  // The file's standing silences are the new version's from here on.
  silences_->ReplaceConfigured((*target)->silences);
  out.shops_reevaluated = MoveShardsTo(*target);
  absl::Status s = configs_->MarkApplied(*store_, out.version);
  if (!s.ok()) return s;
  CreateWatchdogEntries(*target);
  return out;
}

}  // namespace depositd::daemon
