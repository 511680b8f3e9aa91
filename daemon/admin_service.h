// The Admin service (GetStats, GetConfig, ReloadConfig, the test clock,
// Backup): the role admin only (which only tenant=* tokens have), checked
// before the request is parsed.
//
// GetConfig: the effective profiles and calendars (Engine::EffectiveConfig),
// the configuration version in force, its file and its text with secrets
// redacted (config_loader.h). ReloadConfig: the daemon's reloader
// (config_reload.h), through ConfigAdmin; the call ends when the reload
// did.
//
// Thread-safe.
#ifndef DEPOSITD_DAEMON_ADMIN_SERVICE_H_
#define DEPOSITD_DAEMON_ADMIN_SERVICE_H_

#include <functional>
#include <memory>
#include <string>

#include "daemon/auth.h"
#include "daemon/engine.h"
#include "grpcpp/grpcpp.h"

namespace depositd::daemon {

// What the daemon gives Admin for configuration (set before the server
// starts).
struct ConfigAdmin {
  // The --config file ("" when none).
  std::string file;
  // Re-reads and applies the file; calls `done` once, on any thread.
  // Unset: ReloadConfig is FAILED_PRECONDITION.
  std::function<void(
      std::function<void(absl::StatusOr<v1::ReloadConfigResponse>)> done)>
      reload;
};

// Admin, on raw bytes. `engine`, `auth` (null: no authentication),
// `sink_stats` (fills StatsResponse.sinks when set) and `config_admin` are
// borrowed, set before the server starts and outlive the service.
std::unique_ptr<grpc::Service> NewAdminService(
    Engine* engine, const Authorizer* auth,
    const std::function<void(v1::StatsResponse*)>* sink_stats,
    const ConfigAdmin* config_admin);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_ADMIN_SERVICE_H_
