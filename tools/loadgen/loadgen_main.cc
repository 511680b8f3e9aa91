// depositd-loadgen: drives depositd (or bench/noop_server) with a realistic
// synthetic workload over its public gRPC API and reports rates and latency
// percentiles from log-linear histograms. See modes.h for the modes and
// workload.h for the event mix.
//
//   depositd-loadgen --target 127.0.0.1:50051 --shops 10000 \
//       --concurrency 2 --batch 1000 --duration 10s
//   depositd-loadgen --mode getshop --target ... --concurrency 32
//   depositd-loadgen --mode alert-latency --target ... --rate 200
//
// Flag names may be written with dashes or underscores (--in-flight).
//
// Exit status: 0 when the measurement is valid, 1 when it failed (a stream
// error, rejected events of a valid workload, alerts that never came), 2 for
// bad flags.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "tools/flag_names.h"
#include "tools/loadgen/modes.h"

ABSL_FLAG(std::string, mode, "ingest",
          "ingest: the event mix over EventIngest.Stream (events/s, ack "
          "latency per batch). getshop: Readiness.GetShop with --concurrency "
          "calls in flight (queries/s, latency). alert-latency: disputes due "
          "inside the alert lead at --rate/s, latency from send to the alert "
          "on Alerts.Watch. deadlines: --shops pending deadlines, --fire of "
          "them made to fire; lateness of the alerts. populate: --shops shops "
          "with --open-orders open orders. serving: wait for --port-file and "
          "SERVING, report time since --since-unix-ns. stats: Admin.GetStats "
          "on one line.");
ABSL_FLAG(std::string, target, "127.0.0.1:50051", "Server host:port.");
ABSL_FLAG(int, connections, 1, "HTTP/2 connections to spread streams over.");
ABSL_FLAG(std::string, tenant, "loadgen", "Tenant of every event and query.");
ABSL_FLAG(int64_t, shops, 1000, "Shops (shop-0 ... shop-N-1).");
ABSL_FLAG(double, zipf, 1.1,
          "Zipf exponent of shop sizes (shop-0 largest); 0 = uniform.");
ABSL_FLAG(uint64_t, seed, 1, "Seed of the workload.");
ABSL_FLAG(std::string, run_id, "",
          "Prefix of generated ids (default s<seed>): use a new one to send "
          "again to the same daemon without duplicates.");
ABSL_FLAG(int, concurrency, 2,
          "Streams (ingest, populate, set-up) or calls in flight (getshop).");
ABSL_FLAG(int, in_flight, 8, "Unacknowledged batches per stream, at most.");
ABSL_FLAG(int, batch, 1000, "Events per batch (1-10000).");
ABSL_FLAG(double, rate, 0,
          "Events/s (ingest), queries/s (getshop) or triggers/s "
          "(alert-latency); 0 = as fast as possible.");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(10), "Measured time.");
ABSL_FLAG(absl::Duration, warmup, absl::Seconds(1),
          "Unmeasured time before it.");
ABSL_FLAG(int64_t, events, 0,
          "ingest: send exactly this many events (no warm-up) instead of "
          "running for --duration.");
ABSL_FLAG(bool, pregenerate, false,
          "ingest with --events: build all batches before the clock starts, "
          "so generation costs nothing during the run.");
ABSL_FLAG(int64_t, open_orders, 5000000, "populate: total open orders.");
ABSL_FLAG(bool, prefill, true,
          "getshop: first register every shop with a deposit and 5 orders.");
ABSL_FLAG(double, background_rate, 0,
          "alert-latency: ingest mix events/s sent meanwhile.");
ABSL_FLAG(int64_t, fire, 10000, "deadlines: how many deadlines to fire.");
ABSL_FLAG(absl::Duration, fire_after, absl::Seconds(20),
          "deadlines (real clock): first firing this long after the set-up.");
ABSL_FLAG(absl::Duration, fire_window, absl::Seconds(30),
          "deadlines: the firings spread evenly over this long.");
ABSL_FLAG(std::string, clock, "real",
          "deadlines: real (daemon on the wall clock) or test (daemon with "
          "--test-clock, moved by Admin.AdvanceTestClock).");
ABSL_FLAG(int, advance_steps, 10,
          "deadlines with --clock=test: AdvanceTestClock calls over the "
          "window.");
ABSL_FLAG(std::string, port_file, "", "serving: the daemon's --port-file.");
ABSL_FLAG(int64_t, since_unix_ns, 0,
          "serving: when the daemon was started (date +%s%N).");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(120),
          "serving, deadlines: how long to wait.");
ABSL_FLAG(std::string, csv, "",
          "Append one result line (with a header if the file is new).");
ABSL_FLAG(std::string, label, "", "Label column of the CSV line.");
ABSL_FLAG(std::string, samples_csv, "",
          "alert-latency: write every alert's send time (s since the first) "
          "and latency (ms) here.");
ABSL_FLAG(std::string, latency_csv, "",
          "Write the latency percentile curve here (percentile,value_ms,"
          "1/(1-p)).");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "depositd-loadgen: synthetic load and latency measurement for depositd."
      "\n  depositd-loadgen --mode ingest|getshop|alert-latency|deadlines|"
      "populate|serving|stats --target HOST:PORT [flags]");
  std::vector<std::string> storage;
  std::vector<char*> args = depositd::NormalizeFlagNames(argc, argv, &storage);
  absl::ParseCommandLine(static_cast<int>(args.size()), args.data());
  depositd::loadgen::LoadgenOptions o;
  o.target = absl::GetFlag(FLAGS_target);
  o.connections = absl::GetFlag(FLAGS_connections);
  o.tenant = absl::GetFlag(FLAGS_tenant);
  o.shops = absl::GetFlag(FLAGS_shops);
  o.zipf = absl::GetFlag(FLAGS_zipf);
  o.seed = absl::GetFlag(FLAGS_seed);
  o.run_id = absl::GetFlag(FLAGS_run_id);
  o.concurrency = absl::GetFlag(FLAGS_concurrency);
  o.in_flight = absl::GetFlag(FLAGS_in_flight);
  o.batch = absl::GetFlag(FLAGS_batch);
  o.rate = absl::GetFlag(FLAGS_rate);
  o.duration = absl::GetFlag(FLAGS_duration);
  o.warmup = absl::GetFlag(FLAGS_warmup);
  o.events = absl::GetFlag(FLAGS_events);
  o.pregenerate = absl::GetFlag(FLAGS_pregenerate);
  o.open_orders = absl::GetFlag(FLAGS_open_orders);
  o.prefill = absl::GetFlag(FLAGS_prefill);
  o.background_rate = absl::GetFlag(FLAGS_background_rate);
  o.fire = absl::GetFlag(FLAGS_fire);
  o.fire_after = absl::GetFlag(FLAGS_fire_after);
  o.fire_window = absl::GetFlag(FLAGS_fire_window);
  o.clock = absl::GetFlag(FLAGS_clock);
  o.advance_steps = absl::GetFlag(FLAGS_advance_steps);
  o.port_file = absl::GetFlag(FLAGS_port_file);
  o.since_unix_ns = absl::GetFlag(FLAGS_since_unix_ns);
  o.timeout = absl::GetFlag(FLAGS_timeout);
  o.csv = absl::GetFlag(FLAGS_csv);
  o.label = absl::GetFlag(FLAGS_label);
  o.latency_csv = absl::GetFlag(FLAGS_latency_csv);
  o.samples_csv = absl::GetFlag(FLAGS_samples_csv);

  if (o.shops < 1 || o.concurrency < 1 || o.in_flight < 1 || o.batch < 1 ||
      o.batch > 10000 || o.rate < 0 || o.connections < 1 ||
      o.duration <= absl::ZeroDuration() || o.warmup < absl::ZeroDuration()) {
    std::fprintf(stderr,
                 "depositd-loadgen: need --shops, --concurrency, --in-flight, "
                 "--connections >= 1, --batch 1..10000, --rate >= 0, "
                 "--duration > 0\n");
    return 2;
  }
  const std::string mode = absl::GetFlag(FLAGS_mode);
  absl::Status s;
  if (mode == "ingest") {
    s = depositd::loadgen::RunIngest(o);
  } else if (mode == "getshop") {
    s = depositd::loadgen::RunGetShop(o);
  } else if (mode == "alert-latency") {
    s = depositd::loadgen::RunAlertLatency(o);
  } else if (mode == "deadlines") {
    s = depositd::loadgen::RunDeadlines(o);
  } else if (mode == "populate") {
    s = depositd::loadgen::RunPopulate(o);
  } else if (mode == "serving") {
    s = depositd::loadgen::RunServing(o);
  } else if (mode == "stats") {
    s = depositd::loadgen::RunStats(o);
  } else {
    std::fprintf(stderr, "depositd-loadgen: unknown --mode %s\n", mode.c_str());
    return 2;
  }
  std::fflush(stdout);
  if (!s.ok()) {
    std::fprintf(stderr, "depositd-loadgen: %s\n", s.ToString().c_str());
    return s.code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
  }
  return 0;
}
