// ConfigSinks: the alert sinks of the configuration in force. Holds the
// SinkDispatcher (sink_dispatcher.h) built from a configuration version's
// routes and sinks, and replaces it when a reload changes them: the running
// dispatcher stops (saving every sink's cursor), and a new one starts from
// the persisted cursors, so a sink kept across the reload loses and repeats
// nothing beyond what at-least-once allows (a delivery aborted by the stop
// is sent again); a new sink starts at the end of the alert log; a removed
// one stops (its cursor stays in the store, and is used again if it comes
// back).
//
// A replaced dispatcher is kept, stopped, until ConfigSinks is destroyed:
// /metrics collectors and stats callers may still hold it (a reload is
// rare, and a stopped dispatcher holds no thread).
//
// Thread-safe.
#ifndef DEPOSITD_DAEMON_CONFIG_SINKS_H_
#define DEPOSITD_DAEMON_CONFIG_SINKS_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "daemon/config_versions.h"
#include "daemon/sink_dispatcher.h"
#include "depositd/v1/service.pb.h"

namespace depositd::daemon {

class ConfigSinks {
 public:
  // `base` holds everything but the router (store, hub, silencer, clock,
  // language); `config`'s router is added. Creates and starts the first
  // dispatcher; the dispatcher's errors.
  static absl::StatusOr<std::unique_ptr<ConfigSinks>> Start(
      SinkDispatcher::Options base, const RunningConfig* config);
  ~ConfigSinks();

  // Moves delivery to `config`'s routes and sinks; nothing happens when they
  // are the ones in use. On error the previous dispatcher is restarted from
  // its cursors, and the error returned.
  absl::Status Use(const RunningConfig* config);

  // The dispatcher in use (for /metrics; see the header comment for its
  // lifetime).
  const SinkDispatcher* current() const;
  // Admin.GetStats' sinks, from the dispatcher in use.
  void FillStats(v1::StatsResponse* response) const;
  // Stops delivery (before the engine stops). Idempotent.
  void Stop();

 private:
  ConfigSinks() = default;
  absl::StatusOr<std::unique_ptr<SinkDispatcher>> Make(
      const RunningConfig* config) const;

  SinkDispatcher::Options base_;
  mutable absl::Mutex mu_;
  const RunningConfig* config_ ABSL_GUARDED_BY(mu_) = nullptr;
  SinkDispatcher* current_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::vector<std::unique_ptr<SinkDispatcher>> all_ ABSL_GUARDED_BY(mu_);
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
};

// True when `a` and `b` route and deliver alike (same routes and sinks).
bool SameDelivery(const v1::DaemonConfig& a, const v1::DaemonConfig& b);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_CONFIG_SINKS_H_
