#include "daemon/api_calls.h"

#include <utility>
#include <vector>

#include "daemon/tenant_scope.h"

namespace depositd::daemon {
namespace {

// Role, then tenant scope of `tenant` (in place); the first error.
absl::Status Admit(const Principal& p, std::initializer_list<Role> roles,
                   std::string* tenant, absl::string_view rpc) {
  if (absl::Status s = RequireRole(p, roles, rpc); !s.ok()) return s;
  return ScopeToTenant(p, tenant, rpc);
}

}  // namespace

void ScopedGetShop(
    Engine* engine, const Principal& p, v1::GetShopRequest* request,
    std::function<void(absl::StatusOr<v1::ReadinessReport>)> done) {
  absl::Status s =
      Admit(p, kReadRoles, request->mutable_tenant(), "Readiness.GetShop");
  if (!s.ok()) return done(s);
  engine->GetShop(*request, std::move(done));
}

void ScopedExplain(
    Engine* engine, const Principal& p, v1::ExplainRequest* request,
    std::function<void(absl::StatusOr<v1::ExplainResponse>)> done) {
  absl::Status s =
      Admit(p, kReadRoles, request->mutable_tenant(), "Readiness.Explain");
  if (!s.ok()) return done(s);
  engine->Explain(*request, std::move(done));
}

void ScopedListShops(
    Engine* engine, const Principal& p, v1::ListShopsRequest* request,
    std::function<void(absl::StatusOr<v1::ListShopsResponse>)> done) {
  absl::Status s =
      Admit(p, kReadRoles, request->mutable_tenant(), "Readiness.ListShops");
  if (!s.ok()) return done(s);
  engine->ListShops(*request, std::move(done));
}

absl::StatusOr<v1::ListAlertsResponse> ScopedListAlerts(
    Engine* engine, const Principal& p, v1::ListAlertsRequest* request) {
  absl::Status s =
      Admit(p, kAlertReadRoles, request->mutable_filter()->mutable_tenant(),
            "Alerts.List");
  if (!s.ok()) return s;
  return engine->ListAlerts(*request);
}

void ScopedAcknowledge(Engine* engine, const Principal& p,
                       v1::AcknowledgeRequest* request,
                       std::function<void(absl::Status)> done) {
  absl::Status s =
      Admit(p, kAlertWriteRoles, request->mutable_key()->mutable_tenant(),
            "Alerts.Acknowledge");
  if (!s.ok()) return done(s);
  engine->Acknowledge(*request, std::move(done));
}

absl::StatusOr<v1::SilenceResponse> ScopedSilence(Engine* engine,
                                                  const Principal& p,
                                                  v1::SilenceRequest* request) {
  absl::Status s =
      Admit(p, kAlertWriteRoles, request->mutable_tenant(), "Alerts.Silence");
  if (!s.ok()) return s;
  return engine->Silence(*request);
}

void ScopedCountShops(
    Engine* engine, const Principal& p, v1::CountShopsRequest* request,
    std::function<void(absl::StatusOr<v1::CountShopsResponse>)> done) {
  absl::Status s =
      Admit(p, kReadRoles, request->mutable_tenant(), "Readiness.CountShops");
  if (!s.ok()) return done(s);
  engine->CountShops(*request, std::move(done));
}

absl::StatusOr<v1::AlertTransitionsResponse> ScopedTransitions(
    Engine* engine, const Principal& p, uint64_t from_sequence, int limit,
    v1::AlertFilter* filter) {
  absl::Status s =
      Admit(p, kAlertReadRoles, filter->mutable_tenant(), "Alerts.Watch");
  if (!s.ok()) return s;
  AlertHub* hub = engine->alert_hub();
  v1::AlertTransitionsResponse out;
  const uint64_t last = hub->last_sequence();
  if (from_sequence == 0 || from_sequence > last) {
    out.set_next_sequence(from_sequence == 0 ? last + 1 : from_sequence);
    return out;
  }
  std::vector<v1::Alert> read;
  if (absl::Status r =
          hub->Read(from_sequence, static_cast<size_t>(limit), &read);
      !r.ok()) {
    return r;
  }
  uint64_t next = from_sequence;
  for (v1::Alert& a : read) {
    next = a.sequence() + 1;
    if (AlertMatches(a, *filter)) *out.add_alerts() = std::move(a);
  }
  out.set_next_sequence(next);
  return out;
}

absl::Status ScopeWatch(const Principal& p, v1::WatchAlertsRequest* request) {
  return Admit(p, kAlertReadRoles, request->mutable_filter()->mutable_tenant(),
               "Alerts.Watch");
}

}  // namespace depositd::daemon
