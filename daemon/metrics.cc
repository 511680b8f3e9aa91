#include "daemon/metrics.h"

#include <algorithm>
#include <limits>
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

// A histogram family of one series from `h` (per-bucket counts, +Inf
// last): cumulative buckets, _count their total.
MetricFamily Histogram(std::string name, std::string help,
                       const HistogramSnapshot& h) {
  MetricFamily f =
      Family(std::move(name), std::move(help), MetricType::Histogram);
  ClientMetric m;
  uint64_t cumulative = 0;
  for (size_t i = 0; i < h.counts.size(); ++i) {
    cumulative += h.counts[i];
    ClientMetric::Bucket b;
    b.cumulative_count = cumulative;
    b.upper_bound = i < h.bounds.size()
                        ? h.bounds[i]
                        : std::numeric_limits<double>::infinity();
    m.histogram.bucket.push_back(b);
  }
  m.histogram.sample_count = cumulative;
  m.histogram.sample_sum = h.sum;
  f.metric.push_back(std::move(m));
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

  const HotPathFigures& h = s.hot;
  out.push_back(Counter("depositd_batches_total",
                        "Client batches acknowledged since this process "
                        "started.",
                        static_cast<double>(h.batches)));
  out.push_back(Histogram(
      "depositd_ack_latency_seconds",
      "Time from a batch's arrival at the engine to its acknowledgement "
      "(its events durable).",
      h.ack_latency_seconds));
  out.push_back(
      Histogram("depositd_commit_group_events",
                "Events logged per group commit (one synced write), for "
                "groups that logged events.",
                h.commit_group_events));
  out.push_back(
      Histogram("depositd_commit_fsync_seconds",
                "Duration of each group commit's synced write to the event log "
                "(RocksDB write with its fsync under --sync fsync).",
                h.commit_fsync_seconds));
  out.push_back(Histogram(
      "depositd_checkpoint_round_seconds",
      "Duration of each shard's checkpoint round, from its start to its last "
      "slice written.",
      h.checkpoint_round_seconds));
  out.push_back(Histogram("depositd_checkpoint_round_bytes",
                          "Bytes written by each shard's checkpoint round.",
                          h.checkpoint_round_bytes));
  out.push_back(Gauge("depositd_log_bytes_not_checkpointed",
                      "Bytes of event-log records written by this process "
                      "after the last checkpoint's cut.",
                      static_cast<double>(h.log_bytes_not_checkpointed)));
  out.push_back(Histogram(
      "depositd_deadline_lateness_seconds",
      "How late each deadline fired after its due time (engine clock); "
      "deadlines due while depositd was down fire late at start.",
      h.deadline_lateness_seconds));
  MetricFamily transitions =
      Family("depositd_alert_transitions_total",
             "Alert transitions committed since this process started, by kind "
             "and change (only pairs seen).",
             MetricType::Counter);
  for (const HotPathFigures::Transitions& t : h.transitions) {
    Add(&transitions, static_cast<double>(t.count),
        {{"change", t.change}, {"kind", t.kind}});
  }
  if (!transitions.metric.empty()) out.push_back(std::move(transitions));
  MetricFamily rejections =
      Family("depositd_admission_rejections_total",
             "Ingest calls refused before their batch was taken, by reason "
             "(undecodable, batch_too_large, store_unwritable).",
             MetricType::Counter);
  for (const auto& [reason, count] : h.refusals) {
    Add(&rejections, static_cast<double>(count), {{"reason", reason}});
  }
  out.push_back(std::move(rejections));
  out.push_back(Gauge("depositd_watch_subscribers",
                      "Alerts.Watch streams subscribed now.",
                      static_cast<double>(s.watch_subscribers)));

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
