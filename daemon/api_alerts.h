// The alert endpoints of the console API (api_router.h routes to them):
// the firing alerts, acknowledge, silence, and the poll of the alert log.
// Each parses its query or JSON body, calls api_calls.h (same roles and
// tenant checks as gRPC) and answers JSON (api_json.h).
//
// Thread-safe.
#ifndef DEPOSITD_DAEMON_API_ALERTS_H_
#define DEPOSITD_DAEMON_API_ALERTS_H_

#include <string>

#include "daemon/api_context.h"
#include "daemon/http_handler.h"

namespace depositd::daemon {

// Largest `limit` of a transitions poll (and its default).
inline constexpr int kMaxTransitionsPerPoll = 1000;

// GET /api/v1/alerts?tenant=&kind=A,B&shop=&min_severity=
HttpEdgeResponse ApiListAlerts(const ApiContext& ctx);
// POST /api/v1/alerts/acknowledge with an AcknowledgeRequest.
HttpEdgeResponse ApiAcknowledge(const ApiContext& ctx, const std::string& body);
// POST /api/v1/alerts/silence with a SilenceRequest.
HttpEdgeResponse ApiSilence(const ApiContext& ctx, const std::string& body);
// GET /api/v1/alerts/transitions?from_sequence=N&limit=&tenant=&kind=&shop=
// &min_severity=: committed transitions from N (0: none, only the cursor
// of "now") that pass the filter, and the sequence to poll from next.
HttpEdgeResponse ApiTransitions(const ApiContext& ctx);

// The filter of a GET's tenant=, shop=, kind= (comma-separated names),
// min_severity= parameters; INVALID_ARGUMENT for an unknown name.
absl::Status ParseAlertFilter(const ApiContext& ctx, v1::AlertFilter* filter);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_API_ALERTS_H_
