// Alert routing: which sinks an alert transition goes to, and how often an
// unacknowledged firing alert repeats. Built once from DaemonConfig.routes and
// DaemonConfig.sinks (validated here, so a bad sink name or URL is a config
// error at start-up, not a silent drop at 3 a.m.).
//
// Example:
//   absl::StatusOr<AlertRouter> router = AlertRouter::Create(config);
//   if (!router.ok()) return router.status();   // "routes[2].sinks[0]: ..."
//   for (const std::string& name : router->SinksFor(alert)) {
//     const v1::Sink* sink = router->FindSink(name);   // never nullptr here
//     ...
//   }
//
// Pure: no I/O, no clock.
#ifndef DEPOSITD_NOTIFIER_ROUTING_H_
#define DEPOSITD_NOTIFIER_ROUTING_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "depositd/v1/alerts.pb.h"
#include "depositd/v1/config.pb.h"

namespace depositd::notifier {

// The repeat interval of a route that does not set repeat_interval_minutes.
inline constexpr int kDefaultRepeatIntervalMinutes = 240;

// Routes alert transitions to named sinks.
//
// A route matches an alert when every set matcher matches: the alert's tenant
// is in `route.tenants` (or tenants is empty), its kind is in `route.kinds`
// (or kinds is empty), and alert.severity() >= route.min_severity.
//
// Thread-safety: immutable after Create; const methods are safe to call
// concurrently.
class AlertRouter {
 public:
  // Validates config.routes() and config.sinks(). INVALID_ARGUMENT naming the
  // field path, e.g. `routes[2].sinks[0]: unknown sink "x" (defined: ops, am)`
  // or `sinks[1].url: "ftp://x" is not an http:// or https:// URL`. Rules:
  // sink names non-empty, unique, [A-Za-z0-9_.-]+; type set; url non-empty
  // http(s); timeout_ms in [1, 600000] when set; pace limits with messages
  // and per_ms >= 1; digest_max >= 1 when set; each route names >= 1 defined
  // sink; repeat_interval_minutes >= 1 when set; kinds / min_severity valid
  // enum values (kinds not UNSPECIFIED).
  static absl::StatusOr<AlertRouter> Create(const v1::DaemonConfig& config);

  // No routes, no sinks: SinksFor is always empty.
  AlertRouter() = default;

  // Names of the sinks whose routes match `alert`, deduplicated, in the order
  // of config.sinks. Empty when no route matches.
  std::vector<std::string> SinksFor(const v1::Alert& alert) const;

  // True if a route matching `alert` names `sink_name`.
  bool Routes(const v1::Alert& alert, absl::string_view sink_name) const;

  // Smallest repeat interval (route.repeat_interval_minutes, default 240)
  // among the routes matching `alert`; absl::InfiniteDuration() when no route
  // matches.
  absl::Duration RepeatInterval(const v1::Alert& alert) const;

  // All sinks, in config order.
  const std::vector<v1::Sink>& sinks() const { return sinks_; }

  // The sink named `name`, or nullptr. The pointer lives as long as this
  // router (and is invalidated by moving or assigning it).
  const v1::Sink* FindSink(absl::string_view name) const;

  // True when there are no routes.
  bool empty() const { return routes_.empty(); }

 private:
  struct CompiledRoute {
    std::vector<std::string> tenants;  // empty: any
    std::vector<int> kinds;            // empty: any
    int min_severity = 0;
    std::vector<size_t> sinks;  // indexes into sinks_
    absl::Duration repeat_interval;
  };
  bool Matches(const CompiledRoute& route, const v1::Alert& alert) const;

  std::vector<v1::Sink> sinks_;
  std::vector<CompiledRoute> routes_;
};

}  // namespace depositd::notifier

#endif  // DEPOSITD_NOTIFIER_ROUTING_H_
