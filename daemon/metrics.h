// The metrics of /metrics as Prometheus families: a pure mapping from a
// snapshot of the daemon's figures (MetricsSnapshot) to
// prometheus::MetricFamily values that prometheus-cpp's TextSerializer
// writes. No I/O, no threads, no clock: MetricsCollector (metrics_collector.h)
// fills the snapshot from the running engine at scrape time, tests fill it
// by hand.
//
// Names follow Prometheus conventions: the `depositd_` prefix, `_total` on
// counters, base units (`_bytes`, `_seconds`), no tenant or shop labels (a
// scrape never reveals a tenant). The process figures use the standard
// `process_*` names every Prometheus client library exports, so existing
// dashboards and rules work on them unchanged. The families and their
// meaning are listed in README.md, "The HTTP edge".
//
// Counters are "since this process started" (Engine::Stats); Prometheus'
// rate() handles the reset at a restart.
//
// Thread-safety: BuildMetricFamilies is a pure function, safe from any
// thread.
#ifndef DEPOSITD_DAEMON_METRICS_H_
#define DEPOSITD_DAEMON_METRICS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/engine_metrics.h"
#include "depositd/v1/service.pb.h"
#include "prometheus/metric_family.h"

namespace depositd::daemon {

// Figures of the process itself, from /proc/self (process_stats.h).
struct ProcessFigures {
  double cpu_seconds = 0;  // user + system
  double resident_bytes = 0;
  double virtual_bytes = 0;
  double open_fds = 0;
  double max_fds = 0;             // RLIMIT_NOFILE soft limit
  double start_time_seconds = 0;  // since the Unix epoch
};

// One alert sink's delivery figures (SinkDispatcher::SinkStats).
struct SinkFigures {
  std::string name;  // the sink's name in the configuration
  int64_t delivered = 0;
  int64_t dropped = 0;
  int64_t silenced = 0;
  int64_t retries = 0;
  uint64_t cursor = 0;  // next alert sequence it will deliver
};

// Everything one scrape reports, read at one moment.
struct MetricsSnapshot {
  std::string version;   // e.g. "0.1.0"
  std::string revision;  // git revision or "unknown"
  v1::StatsResponse engine;
  // Whether the committer can write the store now (Engine::WritableStatus
  // OK); false after a failed write, e.g. a full disk, until a retry works.
  bool store_writable = true;
  int64_t alerts_firing = 0;
  std::vector<SinkFigures> sinks;
  // What the engine records on its hot path (engine_metrics.h).
  HotPathFigures hot;
  // Alerts.Watch streams subscribed now.
  int64_t watch_subscribers = 0;
  // Absent when /proc could not be read: the process_* families are left
  // out rather than reported as zero.
  std::optional<ProcessFigures> process;
};

// The families of `snapshot`, in a stable order. Label values are copied
// as they are; TextSerializer escapes them.
std::vector<prometheus::MetricFamily> BuildMetricFamilies(
    const MetricsSnapshot& snapshot);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_METRICS_H_
