#include "daemon/config_reload.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "daemon/config_loader.h"
#include "daemon/log.h"

namespace depositd::daemon {

std::vector<std::string> SettingsNeedingRestart(const v1::DaemonConfig& running,
                                                const v1::DaemonConfig& next) {
  std::vector<std::string> out;
  const v1::EngineConfig& a = running.engine();
  const v1::EngineConfig& b = next.engine();
  auto differ = [](bool has_a, int32_t va, bool has_b, int32_t vb) {
    return has_a != has_b || va != vb;
  };
  if (differ(a.has_shards(), a.shards(), b.has_shards(), b.shards())) {
    out.push_back("engine.shards");
  }
  if (differ(a.has_checkpoint_interval_seconds(),
             a.checkpoint_interval_seconds(),
             b.has_checkpoint_interval_seconds(),
             b.checkpoint_interval_seconds())) {
    out.push_back("engine.checkpoint_interval_seconds");
  }
  if (differ(a.has_dedupe_window_days(), a.dedupe_window_days(),
             b.has_dedupe_window_days(), b.dedupe_window_days())) {
    out.push_back("engine.dedupe_window_days");
  }
  if (differ(a.has_pack_idle_seconds(), a.pack_idle_seconds(),
             b.has_pack_idle_seconds(), b.pack_idle_seconds())) {
    out.push_back("engine.pack_idle_seconds");
  }
  if (running.feeds().SerializeAsString() != next.feeds().SerializeAsString()) {
    out.push_back("feeds");
  }
  return out;
}

ConfigReloader::ConfigReloader(Options options) : options_(std::move(options)) {
  thread_ = std::thread([this] { Run(); });
}

ConfigReloader::~ConfigReloader() { Stop(); }

void ConfigReloader::Reload(std::string trigger, Done done) {
  {
    absl::MutexLock lock(&mu_);
    if (!stopping_) {
      queue_.emplace_back(std::move(trigger), std::move(done));
      return;
    }
  }
  done(absl::UnavailableError("depositd is stopping; nothing changed"));
}

void ConfigReloader::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void ConfigReloader::Run() {
  for (;;) {
    std::pair<std::string, Done> next;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [](ConfigReloader* r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(r->mu_) {
        return r->stopping_ || !r->queue_.empty();
      };
      mu_.Await(absl::Condition(+ready, this));
      if (stopping_) {
        std::deque<std::pair<std::string, Done>> left;
        left.swap(queue_);
        mu_.Unlock();
        for (auto& [trigger, done] : left) {
          done(absl::UnavailableError("depositd is stopping; nothing changed"));
        }
        mu_.Lock();
        return;
      }
      next = std::move(queue_.front());
      queue_.pop_front();
    }
    next.second(ReloadNow(next.first));
  }
}

absl::StatusOr<v1::ReloadConfigResponse> ConfigReloader::ReloadNow(
    const std::string& trigger) {
  const absl::Time started = absl::Now();
  if (options_.path.empty()) {
    const absl::Status s = absl::FailedPreconditionError(
        "depositd runs without --config: there is no file to reload");
    LogWarning("config", absl::StrCat(trigger, ": ", s.message()));
    return s;
  }
  absl::StatusOr<v1::DaemonConfig> config = LoadDaemonConfig(options_.path);
  if (!config.ok()) {
    // A file that does not read is the caller's to fix, like a bad one.
    const absl::Status s =
        absl::IsInvalidArgument(config.status())
            ? config.status()
            : absl::FailedPreconditionError(config.status().message());
    LogError("config", absl::StrCat(trigger,
                                    ": configuration NOT reloaded, the one in "
                                    "force stays: ",
                                    s.message()));
    return s;
  }
  v1::ReloadConfigResponse out;
  out.set_file(options_.path);
  for (std::string& name :
       SettingsNeedingRestart(options_.started_with, *config)) {
    out.add_needs_restart(std::move(name));
  }
  absl::StatusOr<Engine::ConfigApplied> applied =
      options_.engine->ApplyConfig(*config);
  if (!applied.ok()) {
    LogError("config", absl::StrCat(trigger, ": configuration NOT reloaded: ",
                                    applied.status().message()));
    return applied.status();
  }
  out.set_config_version(applied->version);
  out.set_changed(applied->changed);
  out.set_shops_reevaluated(applied->shops_reevaluated);
  absl::Status delivery = absl::OkStatus();
  if (applied->changed && options_.on_applied) {
    delivery = options_.on_applied(options_.engine->config());
  }
  const absl::Duration took = absl::Now() - started;
  const int64_t nanos = absl::ToInt64Nanoseconds(took);
  out.mutable_took()->set_seconds(nanos / 1000000000);
  out.mutable_took()->set_nanos(static_cast<int32_t>(nanos % 1000000000));
  LogFields fields = {
      {"file", options_.path},
      {"config_version", static_cast<int64_t>(applied->version)},
      {"shops_reevaluated", applied->shops_reevaluated},
      {"took_ms", absl::ToDoubleMilliseconds(took)}};
  if (out.needs_restart_size() > 0) {
    LogWarning("config",
               absl::StrCat(trigger,
                            ": these settings apply only at start "
                            "and wait for a restart: ",
                            absl::StrJoin(out.needs_restart(), ", ")));
  }
  if (!delivery.ok()) {
    LogError("config",
             absl::StrCat(trigger,
                          ": shops are judged under the new configuration, "
                          "but its alert sinks could not start: ",
                          delivery.message()),
             fields);
    return absl::InternalError(absl::StrCat(
        "configuration version ", applied->version,
        " is in force for the shops, but its alert sinks could not start: ",
        delivery.message()));
  }
  LogInfo(
      "config",
      applied->changed
          ? absl::StrCat(trigger, ": configuration reloaded")
          : absl::StrCat(trigger, ": configuration unchanged, nothing to do"),
      fields);
  return out;
}

}  // namespace depositd::daemon
