// The Readiness service (GetShop, ListShops, Explain, CountShops):
// authenticates the caller (role read), scopes the request to its tenant
// (tenant_scope.h), then asks the engine, which answers on the owning shard's
// thread.
//
// Thread-safe.
#ifndef DEPOSITD_DAEMON_READINESS_SERVICE_H_
#define DEPOSITD_DAEMON_READINESS_SERVICE_H_

#include <memory>

#include "daemon/auth.h"
#include "daemon/engine.h"
#include "grpcpp/grpcpp.h"

namespace depositd::daemon {

// Readiness, on raw bytes. `engine` and `auth` (null: no authentication)
// are borrowed and outlive the service.
std::unique_ptr<grpc::Service> NewReadinessService(Engine* engine,
                                                   const Authorizer* auth);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_READINESS_SERVICE_H_
