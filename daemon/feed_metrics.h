// FeedMetrics: the native feeds' counters on /metrics, per platform (no
// tenant or shop labels):
//
//   depositd_feed_requests_received_total{platform}
//   depositd_feed_requests_verified_total{platform}       signature held
//   depositd_feed_requests_rejected_total{platform,reason} 4xx: too_large,
//       malformed, signature, unknown_app, stale, unauthorized, other
//   depositd_feed_requests_unavailable_total{platform,reason} 5xx (the
//       platform retries): not_writable, timeout
//   depositd_feed_events_total{platform}                  events produced
//   depositd_feed_event_outcomes_total{platform,outcome}  applied,
//       duplicate, rejected (from the ingest ack)
//   depositd_feed_unknown_types_total{platform}           messages of a type
//       depositd does not use (accepted and ignored)
//
// Recorded into a prometheus::Registry that the HTTP edge serializes.
// Thread-safe (prometheus-cpp's families and counters are).
#ifndef DEPOSITD_DAEMON_FEED_METRICS_H_
#define DEPOSITD_DAEMON_FEED_METRICS_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/registry.h"

namespace depositd::daemon {

class FeedMetrics {
 public:
  // Registers the families in `registry` (borrowed; must outlive this).
  explicit FeedMetrics(prometheus::Registry* registry);

  void Received(absl::string_view platform);
  void Verified(absl::string_view platform);
  void Rejected(absl::string_view platform, absl::string_view reason);
  void Unavailable(absl::string_view platform, absl::string_view reason);
  void Events(absl::string_view platform, int64_t n);
  void Outcomes(absl::string_view platform, int64_t applied, int64_t duplicates,
                int64_t rejected);
  void UnknownTypes(absl::string_view platform, int64_t n);

 private:
  prometheus::Family<prometheus::Counter>& received_;
  prometheus::Family<prometheus::Counter>& verified_;
  prometheus::Family<prometheus::Counter>& rejected_;
  prometheus::Family<prometheus::Counter>& unavailable_;
  prometheus::Family<prometheus::Counter>& events_;
  prometheus::Family<prometheus::Counter>& outcomes_;
  prometheus::Family<prometheus::Counter>& unknown_;
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_FEED_METRICS_H_
