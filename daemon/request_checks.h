// Request checks: what the engine verifies in a request before it reaches
// a shard or the store, each an INVALID_ARGUMENT whose message says what to
// send instead. Pure (no engine state; the registry is immutable).
// Thread-safe.
#ifndef DEPOSITD_DAEMON_REQUEST_CHECKS_H_
#define DEPOSITD_DAEMON_REQUEST_CHECKS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "depositd/v1/events.pb.h"
#include "depositd/v1/service.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "watchers/profiles.h"

namespace depositd::daemon {

// One ingested event: watchers::ValidateEvent, its time against `now` (not
// too far in the future), and a ShopRegistered's profile being one the
// registry knows. The only validation of the live path: shards apply the
// events that pass with ShopState::ApplyValidated.
absl::Status CheckIngestEvent(const v1::Event& event, absl::Time now,
                              const watchers::ProfileRegistry& registry);

// A shop named by a query: tenant and shop_id present and not longer than
// any stored one can be.
absl::Status CheckShopRef(absl::string_view tenant, absl::string_view shop_id);

// as_of of GetShop/Explain (null: none): inside the range events may use.
absl::Status CheckAsOf(const google::protobuf::Timestamp* as_of);

// ListShops.page_size: 1 to 1000, or 0 (the default, 100).
absl::Status CheckPageSize(int page_size);

// Alerts.Acknowledge: the key names a firing alert's shape; `by` given;
// lengths within the limits.
absl::Status CheckAcknowledge(const v1::AcknowledgeRequest& request);

// Alerts.Silence at engine time `now`: at least one matcher, a shop with its
// tenant, a known kind and severity, `by`, lengths, and an end in the
// future but within a year.
absl::Status CheckSilence(const v1::SilenceRequest& request, absl::Time now);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_REQUEST_CHECKS_H_
