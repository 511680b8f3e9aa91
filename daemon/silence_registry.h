// SilenceRegistry: the daemon's silences: those of Alerts.Silence,
// persisted, and the configuration file's standing silences, kept apart.
//
// API silences:
// Each silence is written to the store's meta family under "silence/<id>"
// (synced) before Add returns, loaded at start, and deleted once it has
// ended (Expire, called by the engine's timer). Activity is judged by the
// engine clock (the test clock under --test-clock), not by the `now` callers
// pass to SilencedBy, so that silences and alerts share one timeline.
//
// Config silences (DaemonConfig.silences, config_silences.h) are never
// stored here: the engine replaces the whole set whenever a configuration
// version comes into force (start, reload), so an entry removed from the
// file stops silencing then. Expire leaves them alone (one with an ends_at
// simply stops matching). SilencedBy and Active consider both sets.
#ifndef DEPOSITD_DAEMON_SILENCE_REGISTRY_H_
#define DEPOSITD_DAEMON_SILENCE_REGISTRY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "daemon/engine_clock.h"
#include "daemon/store.h"
#include "notifier/silences.h"

namespace depositd::daemon {

// Thread-safe.
class SilenceRegistry : public notifier::AlertSilencer {
 public:
  // Loads the persisted silences. DATA_LOSS if one is corrupt.
  static absl::StatusOr<std::unique_ptr<SilenceRegistry>> Load(
      Store* store, EngineClock* clock);

  // Persists and activates `s` (its id and created_at are assigned here);
  // returns the id.
  absl::StatusOr<std::string> Add(notifier::Silence s);

  // Replaces the configuration file's silences with `silences` (ids
  // "config:<name>"); the API's are untouched.
  void ReplaceConfigured(std::vector<notifier::Silence> silences);

  // Deletes API silences that have ended; returns how many.
  absl::StatusOr<size_t> Expire();

  // notifier::AlertSilencer; `now` is ignored (see above).
  std::string SilencedBy(const v1::Alert& alert, absl::Time now) const override;

  // The silences active now: the API's, then the file's.
  std::vector<notifier::Silence> Active() const;

 private:
  SilenceRegistry(Store* store, EngineClock* clock)
      : store_(store), clock_(clock) {}

  Store* const store_;
  EngineClock* const clock_;
  mutable absl::Mutex mu_;
  notifier::SilenceSet set_ ABSL_GUARDED_BY(mu_);  // API, persisted
  std::vector<notifier::Silence> configured_ ABSL_GUARDED_BY(mu_);  // file
  uint64_t counter_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_SILENCE_REGISTRY_H_
