#include "daemon/metrics_collector.h"

#include "daemon/alert_hub.h"
#include "daemon/process_stats.h"

namespace depositd::daemon {

MetricsSnapshot MetricsCollector::Snapshot() const {
  MetricsSnapshot s;
  s.version = options_.version;
  s.revision = options_.revision;
  s.engine = options_.engine->Stats();
  s.store_writable = options_.engine->WritableStatus().ok();
  s.hot = options_.engine->metrics().Snapshot();
  if (const AlertHub* hub = options_.engine->alert_hub(); hub != nullptr) {
    s.alerts_firing = static_cast<int64_t>(hub->firing_count());
    s.watch_subscribers = static_cast<int64_t>(hub->watch_subscribers());
  }
  if (options_.sinks != nullptr) {
    for (const SinkDispatcher::SinkStats& k : options_.sinks->Stats()) {
      SinkFigures f;
      f.name = k.name;
      f.delivered = k.delivered;
      f.dropped = k.dropped;
      f.silenced = k.silenced;
      f.retries = k.retries;
      f.cursor = k.cursor;
      s.sinks.push_back(std::move(f));
    }
  }
  absl::StatusOr<ProcessFigures> p = ReadProcessFigures();
  if (p.ok()) s.process = *p;
  return s;
}

std::vector<prometheus::MetricFamily> MetricsCollector::Collect() const {
  return BuildMetricFamilies(Snapshot());
}

}  // namespace depositd::daemon
