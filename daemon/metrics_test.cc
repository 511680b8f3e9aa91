#include "daemon/metrics.h"

#include <string>
#include <vector>

#include "daemon/engine_metrics.h"
#include "daemon/metrics_histogram.h"
#include "depositd/v1/alerts.pb.h"
#include "gtest/gtest.h"
#include "prometheus/text_serializer.h"

namespace depositd::daemon {
namespace {

std::string Text(const MetricsSnapshot& s) {
  return prometheus::TextSerializer().Serialize(BuildMetricFamilies(s));
}

MetricsSnapshot Sample() {
  MetricsSnapshot s;
  s.version = "0.1.0";
  s.revision = "abc123";
  s.engine.set_events_applied(7);
  s.engine.set_events_duplicate(2);
  s.engine.set_events_rejected(1);
  s.engine.set_shops(10);
  s.engine.set_packed_shops(4);
  s.engine.set_shards(2);
  s.engine.set_log_position(50);
  s.engine.set_checkpoint_position(45);
  s.engine.set_alert_sequence(12);
  s.engine.set_pending_deadlines(3);
  s.engine.set_dedupe_ids(9);
  s.engine.set_store_live_bytes(4096);
  s.alerts_firing = 5;
  return s;
}

TEST(MetricsTest, EngineFiguresAsFamilies) {
  const std::string text = Text(Sample());
  for (const char* line : {
           "# TYPE depositd_events_total counter",
           "depositd_events_total{outcome=\"applied\"} 7",
           "depositd_events_total{outcome=\"duplicate\"} 2",
           "depositd_events_total{outcome=\"rejected\"} 1",
           "depositd_build_info{revision=\"abc123\",version=\"0.1.0\"} 1",
           "depositd_shops{state=\"live\"} 6",
           "depositd_shops{state=\"packed\"} 4",
           "depositd_shards 2",
           "depositd_log_records_not_checkpointed 5",
           "depositd_alerts_firing 5",
           "depositd_deadlines_pending 3",
           "depositd_dedupe_ids 9",
           "depositd_store_live_bytes 4096",
           "depositd_store_writable 1",
       }) {
    EXPECT_NE(text.find(std::string(line) + "\n"), std::string::npos)
        << "missing line: " << line << "\nin:\n"
        << text;
  }
}

TEST(MetricsTest, StoreNotWritableIsZero) {
  MetricsSnapshot s = Sample();
  s.store_writable = false;
  EXPECT_NE(Text(s).find("depositd_store_writable 0\n"), std::string::npos);
}

TEST(MetricsTest, CheckpointAheadOfLogNeverNegative) {
  MetricsSnapshot s = Sample();
  s.engine.set_checkpoint_position(60);  // e.g. read in between
  EXPECT_NE(Text(s).find("depositd_log_records_not_checkpointed 0\n"),
            std::string::npos);
}

TEST(MetricsTest, SinkLagCountsFromTheCursor) {
  MetricsSnapshot s = Sample();  // alert sequence 12
  SinkFigures caught_up;
  caught_up.name = "pager";
  caught_up.cursor = 13;  // next to deliver: nothing left
  caught_up.delivered = 12;
  SinkFigures behind;
  behind.name = "chat";
  behind.cursor = 3;  // 3..12 left
  behind.retries = 4;
  s.sinks = {caught_up, behind};
  const std::string text = Text(s);
  EXPECT_NE(text.find("depositd_sink_lag_transitions{sink=\"pager\"} 0\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("depositd_sink_lag_transitions{sink=\"chat\"} 10\n"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find("depositd_sink_deliveries_total{result=\"delivered\",sink="
                "\"pager\"} 12\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("depositd_sink_retries_total{sink=\"chat\"} 4\n"),
            std::string::npos)
      << text;
}

TEST(MetricsTest, NoSinksNoSinkFamilies) {
  EXPECT_EQ(Text(Sample()).find("depositd_sink_"), std::string::npos);
}

TEST(MetricsTest, ProcessFamiliesOnlyWhenRead) {
  MetricsSnapshot s = Sample();
  EXPECT_EQ(Text(s).find("process_"), std::string::npos);
  ProcessFigures p;
  p.cpu_seconds = 1.5;
  p.resident_bytes = 1 << 20;
  p.open_fds = 12;
  s.process = p;
  const std::string text = Text(s);
  EXPECT_NE(text.find("process_cpu_seconds_total 1.5\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("process_resident_memory_bytes 1048576\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("process_open_fds 12\n"), std::string::npos) << text;
}

TEST(MetricsTest, NamesFollowConventions) {
  MetricsSnapshot s = Sample();
  s.process = ProcessFigures{};
  s.sinks = {SinkFigures{"x"}};
  for (const prometheus::MetricFamily& f : BuildMetricFamilies(s)) {
    EXPECT_TRUE(f.name.rfind("depositd_", 0) == 0 ||
                f.name.rfind("process_", 0) == 0)
        << f.name;
    const bool total = f.name.size() > 6 &&
                       f.name.compare(f.name.size() - 6, 6, "_total") == 0;
    EXPECT_EQ(f.type == prometheus::MetricType::Counter, total) << f.name;
    EXPECT_FALSE(f.help.empty()) << f.name;
    for (const prometheus::ClientMetric& m : f.metric) {
      for (const auto& l : m.label) {
        EXPECT_NE(l.name, "tenant") << f.name;
        EXPECT_NE(l.name, "shop") << f.name;
      }
    }
  }
}

// Two writers' cells (as two shards) merge into one histogram with
// cumulative buckets; le is an inclusive upper bound.
TEST(MetricsTest, HistogramCellsMergeIntoCumulativeBuckets) {
  HistogramCell a({0.01, 0.1, 1});
  HistogramCell b({0.01, 0.1, 1});
  struct Case {
    HistogramCell* cell;
    double value;
  };
  for (const Case& c : std::vector<Case>{{&a, 0.005},
                                         {&a, 0.01},
                                         {&a, 0.5},
                                         {&b, 0.1},
                                         {&b, 7},
                                         {&b, 0.02}}) {
    c.cell->Observe(c.value);
  }
  HistogramSnapshot merged;
  merged.Merge(a.Snapshot());
  merged.Merge(b.Snapshot());
  EXPECT_EQ(merged.counts, (std::vector<uint64_t>{2, 2, 1, 1}));
  EXPECT_EQ(merged.count(), 6u);
  EXPECT_DOUBLE_EQ(merged.sum, 0.005 + 0.01 + 0.5 + 0.1 + 7 + 0.02);

  MetricsSnapshot s = Sample();
  s.hot.ack_latency_seconds = merged;
  const std::string text = Text(s);
  for (const char* line : {
           "# TYPE depositd_ack_latency_seconds histogram",
           "depositd_ack_latency_seconds_count 6",
           "depositd_ack_latency_seconds_bucket{le=\"0.01\"} 2",
           "depositd_ack_latency_seconds_bucket{le=\"0.1\"} 4",
           "depositd_ack_latency_seconds_bucket{le=\"1\"} 5",
           "depositd_ack_latency_seconds_bucket{le=\"+Inf\"} 6",
       }) {
    EXPECT_NE(text.find(std::string(line) + "\n"), std::string::npos)
        << line << "\n"
        << text;
  }
}

// Transitions and refusals recorded by the engine's cells reach their
// families: kind and change as the proto names them (as the alerts and
// deploy/prometheus/ rules do), reason in lower case.
TEST(MetricsTest, EngineCellsAsCountersByLabel) {
  EngineMetrics engine(2);
  engine.committer()->CountTransition(v1::CLOSURE_BLOCKED, v1::OPENED);
  engine.committer()->CountTransition(v1::CLOSURE_BLOCKED, v1::OPENED);
  engine.committer()->CountTransition(v1::INACTIVITY, v1::CLEARED);
  engine.committer()->CountBatch();
  engine.CountRefusal(IngestRefusal::kStoreUnwritable);
  engine.shard(0)->deadline_lateness_seconds.Observe(0.002);
  engine.shard(1)->deadline_lateness_seconds.Observe(30);
  engine.shard(1)->checkpoint_round_bytes.Observe(5000);

  MetricsSnapshot s = Sample();
  s.hot = engine.Snapshot();
  s.watch_subscribers = 3;
  const std::string text = Text(s);
  for (const char* line : {
           "depositd_alert_transitions_total{change=\"OPENED\",kind=\"CLOSURE_"
           "BLOCKED\"} 2",
           "depositd_alert_transitions_total{change=\"CLEARED\",kind=\""
           "INACTIVITY\"} 1",
           "depositd_batches_total 1",
           "depositd_admission_rejections_total{reason=\"store_unwritable\"} 1",
           "depositd_admission_rejections_total{reason=\"undecodable\"} 0",
           "depositd_deadline_lateness_seconds_count 2",
           "depositd_deadline_lateness_seconds_bucket{le=\"0.005\"} 1",
           "depositd_checkpoint_round_bytes_bucket{le=\"16384\"} 1",
           "depositd_watch_subscribers 3",
       }) {
    EXPECT_NE(text.find(std::string(line) + "\n"), std::string::npos)
        << line << "\n"
        << text;
  }
  EXPECT_EQ(text.find("kind=\"DISPUTE_RESPONSE_DUE\""), std::string::npos);
}

}  // namespace
}  // namespace depositd::daemon
