// MetricsCollector: a prometheus::Collectable that reads the running
// daemon's figures at scrape time and maps them with BuildMetricFamilies
// (metrics.h): Engine::Stats (atomics and RocksDB properties), the
// engine's hot-path cells (Engine::metrics(): per-shard and committer
// histograms merged here, engine_metrics.h), the alert hub's firing and
// Watch counts, the sink dispatcher's per-sink stats and /proc/self.
//
// A scrape never waits on a shard: Engine::Stats reads atomics, the hub
// and dispatcher take their own short locks. If /proc cannot be read the
// process_* families are left out of that scrape.
//
// Thread-safety: thread-safe; Collect may run on several HTTP threads at
// once. The engine and dispatcher are borrowed and must outlive the
// collector's last Collect (stop the HTTP edge before them).
#ifndef DEPOSITD_DAEMON_METRICS_COLLECTOR_H_
#define DEPOSITD_DAEMON_METRICS_COLLECTOR_H_

#include <string>
#include <vector>

#include "daemon/engine.h"
#include "daemon/metrics.h"
#include "daemon/sink_dispatcher.h"
#include "prometheus/collectable.h"

namespace depositd::daemon {

class MetricsCollector : public prometheus::Collectable {
 public:
  struct Options {
    Engine* engine = nullptr;               // required (non-const: alert_hub())
    const SinkDispatcher* sinks = nullptr;  // optional
    std::string version;
    std::string revision;
  };
  explicit MetricsCollector(Options options) : options_(std::move(options)) {}

  // The snapshot a scrape reports now.
  MetricsSnapshot Snapshot() const;
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const Options options_;
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_METRICS_COLLECTOR_H_
