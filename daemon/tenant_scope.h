// Tenant scoping (see services.h, "Authorization"): a tenant token reads
// and writes only its own tenant. A request's empty tenant becomes the
// caller's; another tenant is PERMISSION_DENIED before anything is looked
// up; in an ingest batch, the events of another tenant are taken out before
// Engine::Ingest and put back into the ack as REJECTED, so they never reach
// a shard, the log or the feed watchdog. The engine stays tenant-agnostic.
//
// Pure functions of their arguments; thread-safe.
#ifndef DEPOSITD_DAEMON_TENANT_SCOPE_H_
#define DEPOSITD_DAEMON_TENANT_SCOPE_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "daemon/auth.h"
#include "depositd/v1/events.pb.h"
#include "depositd/v1/service.pb.h"

namespace depositd::daemon {

// A request's tenant: an empty one becomes the caller's own (tenant tokens;
// operators keep "any"); another tenant is PERMISSION_DENIED before anything
// is looked up, so the answer never tells whether a shop exists.
absl::Status ScopeToTenant(const Principal& p, std::string* tenant,
                           absl::string_view rpc);

// Wraps `done` so that the ack the engine gives for the events it was
// handed gets the events rejected before it back at their places:
// reasons[i] non-empty: event i of the batch as sent was REJECTED with it;
// empty: event i is the engine's next result.
std::function<void(v1::IngestAck)> RestoreRejections(
    std::vector<std::string> reasons, int rejected,
    std::function<void(v1::IngestAck)> done);

// Ingest by a tenant token: events of another tenant are REJECTED one by
// one (the rest of the batch goes on), never handed to the engine. Moves
// the caller's own events into a smaller batch when needed and returns the
// `done` to give the engine: it puts the rejections back at their places
// in the ack. Events with no tenant go on (validation rejects them). A
// batch over kMaxEventsPerBatch is left whole (the engine rejects it all).
std::function<void(v1::IngestAck)> RejectOtherTenants(
    const Principal& p, v1::EventBatch* batch,
    std::function<void(v1::IngestAck)> done);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_TENANT_SCOPE_H_
