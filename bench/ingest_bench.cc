// ingest_bench: a first end-to-end ingest measurement. Starts the real
// depositd (durable acks, --sync=fsync unless told otherwise) on a loopback
// port in a temporary data dir, streams pre-built order-lifecycle events for
// many shops over EventIngest.Stream and reports events/s and per-batch ack
// latency percentiles. The full load generator with a realistic mix and the
// no-op ceiling is tools/loadgen (a later issue).
//
//   build/bench/depositd_ingest_bench --events 1000000 --batch 1000
//
// Events are built before the clock starts, so the figure is the daemon's
// and the transport's, not the generator's.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "depositd/v1/service.grpc.pb.h"
#include "tests/daemon_harness.h"
#include "tools/stream_sender.h"

ABSL_FLAG(int64_t, events, 1000000, "events to send");
ABSL_FLAG(int, shops, 1000, "distinct shops the events spread over");
ABSL_FLAG(int, batch, 1000, "events per batch");
ABSL_FLAG(int, in_flight, 8, "batches in flight on the stream");
ABSL_FLAG(std::string, sync, "fsync", "daemon --sync mode: fsync or os");

namespace depositd {
namespace {

// Order lifecycles: each order goes PLACED, SHIPPED, DELIVERED, COMPLETED.
std::vector<tools::StreamSender::Item> BuildEvents(int64_t n, int shops) {
  static constexpr v1::OrderStatus kSteps[] = {v1::PLACED, v1::SHIPPED,
                                               v1::DELIVERED, v1::COMPLETED};
  const absl::Time base =
      absl::FromCivil(absl::CivilSecond(2026, 1, 5), absl::UTCTimeZone());
  std::vector<tools::StreamSender::Item> items(n);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t order = i / 4;
    const int step = static_cast<int>(i % 4);
    v1::Event& e = items[i].event;
    e.set_event_id(absl::StrCat("b-", i));
    e.set_tenant("bench");
    e.set_shop_id(absl::StrCat("shop-", order % shops));
    const absl::Time t = base + absl::Seconds(order) + absl::Hours(24 * step);
    e.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(t));
    auto* o = e.mutable_order_status_changed();
    o->set_order_id(absl::StrCat("o-", order));
    o->set_status(kSteps[step]);
    items[i].tag = i;
  }
  return items;
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(p * v.size()));
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[k];
}

int Main() {
  const int64_t n = absl::GetFlag(FLAGS_events);
  const int batch = absl::GetFlag(FLAGS_batch);
  std::vector<tools::StreamSender::Item> items =
      BuildEvents(n, absl::GetFlag(FLAGS_shops));

  integration::DaemonHarness::Options options;
  options.sync = absl::GetFlag(FLAGS_sync);
  options.test_clock = false;
  auto daemon = integration::DaemonHarness::Start(options);
  if (!daemon.ok()) {
    std::fprintf(stderr, "ingest_bench: %s\n",
                 std::string(daemon.status().message()).c_str());
    return 2;
  }
  auto stub = v1::EventIngest::NewStub((*daemon)->channel());

  tools::StreamSender::Options sender_options;
  sender_options.batch_size = batch;
  sender_options.max_in_flight = absl::GetFlag(FLAGS_in_flight);
  sender_options.wait_for_ready = true;
  tools::StreamSender sender(stub.get(), sender_options);

  std::vector<absl::Time> produced_at(n);
  std::vector<double> latency_ms;
  latency_ms.reserve(n / batch + 1);
  int64_t next = 0, applied = 0, rejected = 0;
  const absl::Time start = absl::Now();
  absl::Status status = sender.Run(
      [&](tools::StreamSender::Item* item) {
        if (next >= n) return false;
        produced_at[next] = absl::Now();
        *item = std::move(items[next]);
        ++next;
        return true;
      },
      [&](const tools::StreamSender::SentBatch& b, const v1::IngestAck& ack) {
        latency_ms.push_back(absl::ToDoubleMilliseconds(
            absl::Now() - produced_at[b.tags.back()]));
        applied += ack.applied();
        rejected += ack.rejected();
      });
  const absl::Duration elapsed = absl::Now() - start;
  if (!status.ok()) {
    std::fprintf(stderr, "ingest_bench: stream failed: %s\n",
                 status.ToString().c_str());
    return 1;
  }
  const absl::Status stopped = (*daemon)->Stop();
  std::printf(
      "events %lld  applied %lld  rejected %lld  batch %d  in-flight %d  "
      "sync %s\n",
      static_cast<long long>(n), static_cast<long long>(applied),
      static_cast<long long>(rejected), batch, absl::GetFlag(FLAGS_in_flight),
      options.sync.c_str());
  std::printf("elapsed %.2f s  rate %.0f events/s\n",
              absl::ToDoubleSeconds(elapsed),
              n / absl::ToDoubleSeconds(elapsed));
  std::printf("ack latency ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n",
              Percentile(latency_ms, 0.50), Percentile(latency_ms, 0.90),
              Percentile(latency_ms, 0.99), Percentile(latency_ms, 1.0));
  if (!stopped.ok()) {
    std::fprintf(stderr, "ingest_bench: daemon stop: %s\n",
                 stopped.ToString().c_str());
    return 1;
  }
  return applied == n ? 0 : 1;
}

}  // namespace
}  // namespace depositd

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return depositd::Main();
}
