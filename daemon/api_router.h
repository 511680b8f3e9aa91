// ApiRouter: the console's JSON API under /api/v1 (an HttpHandler given to
// the HTTP edge with HttpEdge::SetHandler("/api/v1/", ...)). README
// "Console API" is the user's reference; in short:
//
//   POST   /api/v1/session                  sign in {"token": "..."}
//   GET    /api/v1/session                  who am I (with the tenant's
//                                           configured language)
//   DELETE /api/v1/session                  sign out
//   GET    /api/v1/overview?tenant=         CountShopsResponse
//   GET    /api/v1/shops?tenant=&verdict=&risk=&profile=&q=&sort=&page_size=
//          &page_token=                     ListShopsResponse
//   GET    /api/v1/shops/T/S?as_of=         ReadinessReport
//   GET    /api/v1/shops/T/S/explain?as_of= ExplainResponse
//   GET    /api/v1/shops/T/S/calendar?from=&to=
//                                           ShopCalendar (api_calendar.h)
//   GET    /api/v1/shops/T/S/alerts         ListAlertsResponse (+ history)
//   GET    /api/v1/alerts?tenant=&kind=&shop=&min_severity=
//                                           ListAlertsResponse
//   POST   /api/v1/alerts/acknowledge       AcknowledgeRequest → {}
//   POST   /api/v1/alerts/silence           SilenceRequest → SilenceResponse
//   GET    /api/v1/alerts/transitions?from_sequence=&limit=&tenant=...
//                                           AlertTransitionsResponse
//
// Authentication: `Authorization: Bearer TOKEN`, or the depositd_session
// cookie of a session (api_sessions.h). Without a token file (auth off)
// every caller is unrestricted, as on gRPC. The calls go through
// api_calls.h: the same roles and tenant scoping as the gRPC services.
// Cookie-authenticated requests that change state (POST, DELETE) must
// carry X-CSRF-Token equal to the session's token (403 otherwise); every
// POST must send Content-Type: application/json (415 otherwise), which a
// cross-site form cannot, so no state changes from another origin even
// when authentication is off.
//
// Errors are JSON (api_json.h): 401 unauthenticated, 403 wrong role or
// tenant or CSRF, 404 unknown path or shop, 405 wrong method (with Allow),
// 413 a body over 64 KiB, 415, and the engine's errors by their codes.
//
// Thread-safety: thread-safe; Handle runs on the edge's worker threads and
// blocks each for at most Options::call_timeout waiting for a shard.
#ifndef DEPOSITD_DAEMON_API_ROUTER_H_
#define DEPOSITD_DAEMON_API_ROUTER_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "daemon/api_sessions.h"
#include "daemon/auth.h"
#include "daemon/engine.h"
#include "daemon/http_handler.h"

namespace depositd::daemon {

inline constexpr char kSessionCookie[] = "depositd_session";
inline constexpr size_t kMaxApiBodyBytes = 64 << 10;

class ApiRouter final : public HttpHandler {
 public:
  struct Options {
    Engine* engine = nullptr;                // borrowed; required
    const Authorizer* authorizer = nullptr;  // borrowed; null: auth off
    ApiSessions::Options sessions;
    // How long a request waits for the shards' answer (504 after).
    absl::Duration call_timeout = absl::Seconds(10);
  };

  explicit ApiRouter(Options options);

  size_t max_body_bytes() const override { return kMaxApiBodyBytes; }
  HttpEdgeResponse Handle(const HttpEdgeRequest& request) override;

  ApiSessions& sessions() { return sessions_; }

 private:
  struct Caller;
  absl::StatusOr<Caller> Authenticate(const HttpEdgeRequest& request) const;
  HttpEdgeResponse Route(const HttpEdgeRequest& request, const Caller& caller);
  HttpEdgeResponse SignIn(const HttpEdgeRequest& request);
  HttpEdgeResponse SessionInfo(const Caller& caller) const;
  // The language configured for `p`'s tenant ("" for an all-tenants
  // caller, or when the tenant resolves to no profile).
  std::string TenantLanguage(const Principal& p) const;
  HttpEdgeResponse SignOut(const HttpEdgeRequest& request,
                           const Caller& caller);

  const Options options_;
  ApiSessions sessions_;
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_API_ROUTER_H_
