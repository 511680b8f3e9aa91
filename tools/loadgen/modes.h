// The measurement modes of depositd-loadgen, each a function from options to
// a printed report (stdout) and an optional CSV line. loadgen_main.cc maps
// flags onto LoadgenOptions; see its usage text for what each mode does.
//
// Every mode talks to a server through the public gRPC API only, so it works
// against depositd and against bench/noop_server (the transport ceiling).
//
// Failure contract: each Run* returns OK when the measurement is complete
// and valid, FAILED_PRECONDITION when the server rejected events of a
// workload that must be valid (the reasons are printed), DEADLINE_EXCEEDED
// when alerts did not arrive in time, and the gRPC status otherwise.
//
// Thread-safety: each Run* is called once from main; they start and join
// their own threads.
//
// One file per mode: ingest_mode.cc, getshop_mode.cc, alert_latency_mode.cc,
// deadlines_mode.cc, populate_mode.cc, serving_mode.cc, stats_mode.cc. What
// they share: channels.h (connections), stream_driver.h (the streaming
// ingest engine and its event sources), alert_watch.h (Alerts.Watch with
// resume and the probe) and report.h (printed numbers, CSV, latency curve).
#ifndef DEPOSITD_TOOLS_LOADGEN_MODES_H_
#define DEPOSITD_TOOLS_LOADGEN_MODES_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace depositd::loadgen {

struct LoadgenOptions {
  // host:port of the server.
  std::string target;
  // Connections (HTTP/2 channels) the streams or calls spread over.
  int connections = 1;
  std::string tenant = "loadgen";
  int64_t shops = 1000;
  double zipf = 1.1;
  uint64_t seed = 1;
  // Prefix of generated ids (default "s<seed>").
  std::string run_id;
  // ingest: streams; getshop: calls in flight; populate/setup: streams.
  int concurrency = 2;
  // Batches written but not yet acknowledged, per stream.
  int in_flight = 8;
  int batch = 1000;
  // ingest: events/s over all streams; getshop: queries/s;
  // alert-latency: trigger events/s. 0: as fast as possible (not allowed
  // for alert-latency).
  double rate = 0;
  absl::Duration duration = absl::Seconds(10);
  // Not measured: the first `warmup` of the run.
  absl::Duration warmup = absl::Seconds(1);
  // ingest: stop after this many events instead of after `duration`.
  int64_t events = 0;
  // ingest: build every batch before the clock starts (needs `events`).
  bool pregenerate = false;
  // populate: total open orders over `shops`.
  int64_t open_orders = 5000000;
  // getshop: first send every shop its registration, deposit and orders.
  bool prefill = true;
  // alert-latency: ingest mix events/s sent meanwhile on `concurrency`
  // streams (0: none).
  double background_rate = 0;
  // deadlines: how many of the `shops` pending deadlines to make fire, how
  // long after the set-up the first fires, and over how long they spread.
  int64_t fire = 10000;
  absl::Duration fire_after = absl::Seconds(20);
  absl::Duration fire_window = absl::Seconds(30);
  // deadlines: "real" (the daemon's wall clock) or "test" (the daemon runs
  // with --test-clock; Admin.AdvanceTestClock moves it in `advance_steps`).
  std::string clock = "real";
  int advance_steps = 10;
  // serving: the port file to wait for and the launch time (Unix ns) the
  // time-to-serving is measured from.
  std::string port_file;
  int64_t since_unix_ns = 0;
  absl::Duration timeout = absl::Seconds(120);
  // Append one CSV line (header when the file is new) to this file.
  std::string csv;
  // Free text for the CSV's label column (e.g. "depositd" or "noop").
  std::string label;
  // Write the latency percentile curve (percentile, ms) to this file.
  std::string latency_csv;
  // alert-latency: one line per alert (seconds since the first trigger,
  // latency in ms), to line latency spikes up with e.g. checkpoints.
  std::string samples_csv;
};

absl::Status RunIngest(const LoadgenOptions& options);
absl::Status RunGetShop(const LoadgenOptions& options);
absl::Status RunAlertLatency(const LoadgenOptions& options);
absl::Status RunDeadlines(const LoadgenOptions& options);
absl::Status RunPopulate(const LoadgenOptions& options);
absl::Status RunServing(const LoadgenOptions& options);
absl::Status RunStats(const LoadgenOptions& options);

}  // namespace depositd::loadgen

#endif  // DEPOSITD_TOOLS_LOADGEN_MODES_H_
