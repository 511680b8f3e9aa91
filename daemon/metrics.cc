#include "daemon/metrics.h"

#include <algorithm>
#include <utility>

namespace depositd::daemon {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

MetricFamily Family(std::string name, std::string help, MetricType type) {
  MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = type;
  return f;
}

void Add(MetricFamily* f, double value,
         std::vector<ClientMetric::Label> labels = {}) {
  ClientMetric m;
  m.label = std::move(labels);
  if (f->type == MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  f->metric.push_back(std::move(m));
}

MetricFamily Gauge(std::string name, std::string help, double value) {
  MetricFamily f = Family(std::move(name), std::move(help), MetricType::Gauge);
  Add(&f, value);
  return f;
}

MetricFamily Counter(std::string name, std::string help, double value) {
  MetricFamily f =
      Family(std::move(name), std::move(help), MetricType::Counter);
  Add(&f, value);
  return f;
}

}  // namespace

std::vector<MetricFamily> BuildMetricFamilies(const MetricsSnapshot& s) {
  std::vector<MetricFamily> out;
  const v1::StatsResponse& e = s.engine;

  MetricFamily build =
      Family("depositd_build_info",
             "Always 1; the labels name the running depositd's version and git "
             "revision.",
             MetricType::Gauge);
  Add(&build, 1, {{"revision", s.revision}, {"version", s.version}});
  out.push_back(std::move(build));

  MetricFamily events =
      Family("depositd_events_total",
             "Events answered since this process started, by outcome "
             "(applied, duplicate, rejected).",
             MetricType::Counter);
  Add(&events, static_cast<double>(e.events_applied()),
      {{"outcome", "applied"}});
  Add(&events, static_cast<double>(e.events_duplicate()),
      {{"outcome", "duplicate"}});
  Add(&events, static_cast<double>(e.events_rejected()),
      {{"outcome", "rejected"}});
  out.push_back(std::move(events));

  MetricFamily shops = Family(
      "depositd_shops",
      "Shops known, by how they are held: live (state in memory) or packed "
      "(idle, kept as snapshot bytes).",
      MetricType::Gauge);
  const int64_t packed = e.packed_shops();
  Add(&shops, static_cast<double>(std::max<int64_t>(0, e.shops() - packed)),
      {{"state", "live"}});
  Add(&shops, static_cast<double>(packed), {{"state", "packed"}});
  out.push_back(std::move(shops));

  out.push_back(
      Gauge("depositd_shards", "Shard threads owning shop state.", e.shards()));
  out.push_back(Gauge("depositd_deadlines_pending",
                      "Deadlines scheduled and not yet fired, all shops.",
                      static_cast<double>(e.pending_deadlines())));
  out.push_back(Gauge("depositd_dedupe_ids",
                      "Event ids remembered for deduplication.",
                      static_cast<double>(e.dedupe_ids())));
  out.push_back(Gauge("depositd_alerts_firing", "Alerts firing now.",
                      static_cast<double>(s.alerts_firing)));
  out.push_back(
      Gauge("depositd_alert_log_last_sequence",
            "Sequence of the last alert transition committed to the alert log.",
            static_cast<double>(e.alert_sequence())));
  out.push_back(Gauge("depositd_log_last_position",
                      "Position of the last event-log record written.",
                      static_cast<double>(e.log_position())));
  out.push_back(Gauge("depositd_checkpoint_position",
                      "Last event-log position covered by a checkpoint.",
                      static_cast<double>(e.checkpoint_position())));
  const uint64_t behind = e.log_position() > e.checkpoint_position()
                              ? e.log_position() - e.checkpoint_position()
                              : 0;
  out.push_back(Gauge("depositd_log_records_not_checkpointed",
                      "Event-log records a restart would replay: written "
                      "after the last checkpoint.",
                      static_cast<double>(behind)));
  out.push_back(Gauge("depositd_store_live_bytes",
                      "RocksDB's estimate of the live data size.",
                      static_cast<double>(e.store_live_bytes())));
  out.push_back(Gauge("depositd_store_keys",
                      "RocksDB's estimate of the number of keys.",
                      static_cast<double>(e.store_estimated_keys())));
  out.push_back(Gauge(
      "depositd_store_writable",
      "1 when the store accepts writes; 0 after a failed write (e.g. disk "
      "full) until a retry succeeds, while ingest is refused.",
      s.store_writable ? 1 : 0));

  if (!s.sinks.empty()) {
    MetricFamily deliveries =
        Family("depositd_sink_deliveries_total",
               "Alert transitions handled by each sink since this process "
               "started, by result (delivered, dropped, silenced).",
               MetricType::Counter);
    MetricFamily retries =
        Family("depositd_sink_retries_total",
               "Failed delivery attempts that were retried, by sink.",
               MetricType::Counter);
    MetricFamily lag =
        Family("depositd_sink_lag_transitions",
               "Alert transitions committed and not yet handled by each sink.",
               MetricType::Gauge);
    for (const SinkFigures& k : s.sinks) {
      Add(&deliveries, static_cast<double>(k.delivered),
          {{"result", "delivered"}, {"sink", k.name}});
      Add(&deliveries, static_cast<double>(k.dropped),
          {{"result", "dropped"}, {"sink", k.name}});
      Add(&deliveries, static_cast<double>(k.silenced),
          {{"result", "silenced"}, {"sink", k.name}});
      Add(&retries, static_cast<double>(k.retries), {{"sink", k.name}});
      // The cursor is the next sequence to deliver: everything up to
      // alert_sequence is committed.
      const uint64_t next = e.alert_sequence() + 1;
      Add(&lag, static_cast<double>(next > k.cursor ? next - k.cursor : 0),
          {{"sink", k.name}});
    }
    out.push_back(std::move(deliveries));
    out.push_back(std::move(retries));
    out.push_back(std::move(lag));
  }

  if (s.process.has_value()) {
    const ProcessFigures& p = *s.process;
    out.push_back(Counter("process_cpu_seconds_total",
                          "User and system CPU time spent, in seconds.",
                          p.cpu_seconds));
    out.push_back(Gauge("process_resident_memory_bytes",
                        "Resident memory size in bytes.", p.resident_bytes));
    out.push_back(Gauge("process_virtual_memory_bytes",
                        "Virtual memory size in bytes.", p.virtual_bytes));
    out.push_back(
        Gauge("process_open_fds", "Open file descriptors.", p.open_fds));
    out.push_back(Gauge("process_max_fds",
                        "Limit on open file descriptors (RLIMIT_NOFILE).",
                        p.max_fds));
    out.push_back(Gauge("process_start_time_seconds",
                        "Start time of the process since the Unix epoch, in "
                        "seconds.",
                        p.start_time_seconds));
  }
  return out;
}

}  // namespace depositd::daemon
