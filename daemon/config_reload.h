// ConfigReloader: live configuration reload (SIGHUP, Admin.ReloadConfig).
// Re-reads the --config file, checks all of it (config_loader.h) and, when
// it is good and differs from the configuration in force, has the engine
// apply it (Engine::ApplyConfig: a new configuration version, the shops it
// moves judged again, logged so that a replay agrees), then moves alert
// delivery to its routes and sinks (`on_applied`, config_sinks.h). A bad file
// changes nothing: INVALID_ARGUMENT "FILE:LINE:COLUMN: ..." to the caller
// and the log.
//
// Settings read only at start (engine.*, feeds) are not applied; a change
// to them is named in the response (needs_restart) and logged.
//
// Reloads run one at a time, in request order, on the reloader's own
// thread (a reload of many shops takes a while: it must not hold a gRPC
// thread or the signal thread).
//
// Thread-safe.
#ifndef DEPOSITD_DAEMON_CONFIG_RELOAD_H_
#define DEPOSITD_DAEMON_CONFIG_RELOAD_H_

#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "daemon/config_versions.h"
#include "daemon/engine.h"
#include "depositd/v1/config.pb.h"
#include "depositd/v1/service.pb.h"

namespace depositd::daemon {

// The settings of `next` that differ from `running` but apply only at
// start: "engine.shards", "engine.checkpoint_interval_seconds",
// "engine.dedupe_window_days", "engine.pack_idle_seconds", "feeds".
std::vector<std::string> SettingsNeedingRestart(const v1::DaemonConfig& running,
                                                const v1::DaemonConfig& next);

class ConfigReloader {
 public:
  using Done =
      std::function<void(absl::StatusOr<v1::ReloadConfigResponse> result)>;
  struct Options {
    // The --config file; empty: none (a reload is FAILED_PRECONDITION).
    std::string path;
    Engine* engine = nullptr;  // borrowed
    // The configuration the process started with (engine.* and feeds were
    // taken from it).
    v1::DaemonConfig started_with;
    // After the engine applied a new version, on the reloader's thread:
    // moves delivery to it. An error is reported to the caller; the
    // version stays in force for the shops.
    std::function<absl::Status(const RunningConfig* config)> on_applied;
  };

  explicit ConfigReloader(Options options);
  ~ConfigReloader();  // Stop()

  // Queues a reload; `done` runs once, on the reloader's thread (or here
  // with UNAVAILABLE after Stop). `trigger` names the caller in the log.
  void Reload(std::string trigger, Done done);
  const std::string& path() const { return options_.path; }
  // Finishes the reload running, fails the queued ones (UNAVAILABLE) and
  // joins the thread. Call before the engine stops. Idempotent.
  void Stop();

 private:
  void Run();
  absl::StatusOr<v1::ReloadConfigResponse> ReloadNow(
      const std::string& trigger);

  const Options options_;
  absl::Mutex mu_;
  std::deque<std::pair<std::string, Done>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_CONFIG_RELOAD_H_
