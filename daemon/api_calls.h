// The depositd.v1 query and alert calls as every edge makes them (the gRPC
// services and the HTTP API under /api/v1): the roles each needs, the
// request scoped to the caller's tenant (tenant_scope.h), then the engine.
// One place, so a token sees exactly the same through either edge.
//
// Authentication stays with the edge (bearer metadata, bearer header or a
// session cookie); each function takes the authenticated Principal, checks
// the role (PERMISSION_DENIED naming it), scopes the request in place and
// answers through `done`, possibly on a shard thread.
//
// Thread-safe (the engine is).
#ifndef DEPOSITD_DAEMON_API_CALLS_H_
#define DEPOSITD_DAEMON_API_CALLS_H_

#include <cstdint>
#include <functional>
#include <initializer_list>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "daemon/auth.h"
#include "daemon/engine.h"
#include "depositd/v1/service.pb.h"

namespace depositd::daemon {

// Roles of each call (one of them is enough).
inline constexpr std::initializer_list<Role> kReadRoles = {Role::kRead};
inline constexpr std::initializer_list<Role> kAlertReadRoles = {Role::kAlerts,
                                                                Role::kRead};
inline constexpr std::initializer_list<Role> kAlertWriteRoles = {Role::kAlerts};

// Readiness.GetShop / Explain / ListShops (role read).
void ScopedGetShop(
    Engine* engine, const Principal& p, v1::GetShopRequest* request,
    std::function<void(absl::StatusOr<v1::ReadinessReport>)> done);
void ScopedExplain(
    Engine* engine, const Principal& p, v1::ExplainRequest* request,
    std::function<void(absl::StatusOr<v1::ExplainResponse>)> done);
void ScopedListShops(
    Engine* engine, const Principal& p, v1::ListShopsRequest* request,
    std::function<void(absl::StatusOr<v1::ListShopsResponse>)> done);

// Alerts.List (role alerts or read), Acknowledge and Silence (role alerts).
absl::StatusOr<v1::ListAlertsResponse> ScopedListAlerts(
    Engine* engine, const Principal& p, v1::ListAlertsRequest* request);
void ScopedAcknowledge(Engine* engine, const Principal& p,
                       v1::AcknowledgeRequest* request,
                       std::function<void(absl::Status)> done);
absl::StatusOr<v1::SilenceResponse> ScopedSilence(Engine* engine,
                                                  const Principal& p,
                                                  v1::SilenceRequest* request);

// Readiness.CountShops (role read).
void ScopedCountShops(
    Engine* engine, const Principal& p, v1::CountShopsRequest* request,
    std::function<void(absl::StatusOr<v1::CountShopsResponse>)> done);

// The alert log from `from_sequence` (0: nothing, only the cursor of now),
// at most `limit` transitions read, those passing `filter` returned (role
// alerts or read; the filter's tenant scoped): Alerts.Watch's read as one
// poll, for the console.
absl::StatusOr<v1::AlertTransitionsResponse> ScopedTransitions(
    Engine* engine, const Principal& p, uint64_t from_sequence, int limit,
    v1::AlertFilter* filter);

// Alerts.Watch's scoping (role alerts or read): the filter's tenant.
absl::Status ScopeWatch(const Principal& p, v1::WatchAlertsRequest* request);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_API_CALLS_H_
