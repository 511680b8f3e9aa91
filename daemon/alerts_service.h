// The Alerts service: Watch (a resumable stream: replays from
// from_sequence out of the hub's ring or the alert log, then streams live;
// a subscriber more than kMaxWatchLag transitions behind is ended with
// RESOURCE_EXHAUSTED naming the sequence to resume from), List,
// Acknowledge and Silence, each scoped to the caller's tenant.
//
// Thread-safe (each Watch call's state is a WatchSession under its mutex,
// shared weakly with the hub).
#ifndef DEPOSITD_DAEMON_ALERTS_SERVICE_H_
#define DEPOSITD_DAEMON_ALERTS_SERVICE_H_

#include <memory>

#include "daemon/auth.h"
#include "daemon/engine.h"
#include "grpcpp/grpcpp.h"

namespace depositd::daemon {

class StreamRegistry;

// Alerts, on raw bytes. `engine`, `streams` and `auth` (null: no
// authentication) are borrowed and outlive the service.
std::unique_ptr<grpc::Service> NewAlertsService(Engine* engine,
                                                StreamRegistry* streams,
                                                const Authorizer* auth);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_ALERTS_SERVICE_H_
