// The Admin service (GetStats, GetConfig, the test clock): the role admin
// only (which only tenant=* tokens have), checked before the request is
// parsed.
//
// Thread-safe.
#ifndef DEPOSITD_DAEMON_ADMIN_SERVICE_H_
#define DEPOSITD_DAEMON_ADMIN_SERVICE_H_

#include <memory>

#include "daemon/auth.h"
#include "daemon/engine.h"
#include "grpcpp/grpcpp.h"

namespace depositd::daemon {

// Admin, on raw bytes. `engine`, `auth` (null: no authentication) and
// `sink_stats` (fills StatsResponse.sinks when set; set it before the
// server starts) are borrowed and outlive the service.
std::unique_ptr<grpc::Service> NewAdminService(
    Engine* engine, const Authorizer* auth,
    const std::function<void(v1::StatsResponse*)>* sink_stats);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_ADMIN_SERVICE_H_
