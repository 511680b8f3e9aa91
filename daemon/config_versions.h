// Configuration versions: the configuration (profiles, calendars, tenant
// and shop overrides, FEED_SILENT watches, routes) as the engine uses it,
// one immutable RunningConfig per version, and the record of every version
// in the store.
//
// A version is recorded (meta family, ConfigVersionKey(v): the
// DaemonConfig) before any shard uses it, so a replay can rebuild the
// config a logged group ran under (ProcessingGroup.config_version).
// Version 0 is the configuration the engine was given (Engine::Options) and
// is never recorded: logs written before versions existed replay under it.
// Once every shard has applied a version, "config_applied" says so;
// recovery starts each shard at that version (replay then follows the
// versions in the log).
//
// RunningConfigs are never freed while the engine runs: shops hold
// pointers into their registry until the shard switches them, and a reload
// is rare (a version costs the size of its registry, kilobytes).
//
// Thread-safety: ConfigVersions is thread-safe; a RunningConfig is
// immutable once built.
#ifndef DEPOSITD_DAEMON_CONFIG_VERSIONS_H_
#define DEPOSITD_DAEMON_CONFIG_VERSIONS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "depositd/v1/config.pb.h"
#include "notifier/alert_book.h"
#include "notifier/routing.h"
#include "notifier/silences.h"
#include "watchers/profiles.h"

namespace depositd::daemon {

class Store;

struct RunningConfig {
  uint64_t version = 0;
  // The configuration as written (for recorded versions; empty for a
  // version 0 built from borrowed parts).
  v1::DaemonConfig config;
  // The registry shops resolve their profile in; owned unless borrowed
  // (version 0 of an engine given only a registry).
  const watchers::ProfileRegistry* registry = nullptr;
  std::unique_ptr<const watchers::ProfileRegistry> owned_registry;
  notifier::AlertRouter router;
  // Repeat intervals from the routes; unset: no repeats (no route).
  notifier::RepeatPolicy repeat;
  // FEED_SILENT: watched tenants and their silence.
  std::map<std::string, absl::Duration> feed_silence;
  // The file's standing silences (config_silences.h); the engine hands
  // them to its SilenceRegistry when this version comes into force.
  std::vector<notifier::Silence> silences;

  // The tenant's FEED_SILENT silence; zero: not watched.
  absl::Duration FeedSilence(absl::string_view tenant) const;
};

// Builds the engine's view of `config` as `version`. INVALID_ARGUMENT for
// a configuration the registry or the router refuse, a negative
// feed_silence_minutes or a bad silence (the message names the field;
// config_loader.h adds the file and line).
absl::StatusOr<std::unique_ptr<RunningConfig>> BuildRunningConfig(
    const v1::DaemonConfig& config, uint64_t version);

// Checks everything BuildRunningConfig checks, without keeping it.
absl::Status ValidateDaemonConfig(const v1::DaemonConfig& config);

class ConfigVersions {
 public:
  // Version 0 is `base`; every recorded version is read from `store` and
  // built (DATA_LOSS when one does not parse or build).
  static absl::StatusOr<std::unique_ptr<ConfigVersions>> Load(
      const Store& store, std::unique_ptr<RunningConfig> base);

  // The version, or null when unknown.
  const RunningConfig* Get(uint64_t version) const;
  // The newest version (the base when none is recorded).
  const RunningConfig* latest() const;
  // The version every shard applied, per the store (0 when never written).
  uint64_t applied() const;

  // `config` as a version: the latest when it is the same configuration
  // (byte-equal serialization), else a new version (latest + 1), recorded
  // in `store` (synced) before it is returned. *is_new says which. Calls
  // must not overlap (the engine makes them one at a time).
  absl::StatusOr<const RunningConfig*> Record(Store& store,
                                              const v1::DaemonConfig& config,
                                              bool* is_new);
  // Stores "config_applied" = version (synced).
  absl::Status MarkApplied(Store& store, uint64_t version);

 private:
  ConfigVersions() = default;

  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<RunningConfig>> versions_ ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, const RunningConfig*> by_version_ ABSL_GUARDED_BY(mu_);
  uint64_t applied_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_CONFIG_VERSIONS_H_
