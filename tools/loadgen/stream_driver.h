// The streaming ingest engine of depositd-loadgen: RunStreams drives one
// EventIngest.Stream per event source (spread over the channels), with a
// writer and a reader thread each, batches of StreamPlan::batch events,
// StreamPlan::in_flight batches unacknowledged at the most and an optional
// rate, and returns the acknowledged counts and the per-batch ack latency.
// Next to it: the event sources of the workload generators (the ingest mix,
// a population), how many streams a mode uses, and reporting a result.
//
// Failure contract: RunStreams never throws; it returns its failure in
// StreamResult::status (INVALID_ARGUMENT for a batch size outside 1..10000,
// INTERNAL for an ack out of order or with the wrong result count, the
// stream's gRPC status otherwise). Rejected events are counted, not failed:
// CheckRejects turns them into FAILED_PRECONDITION for a workload that must
// be valid. MixSources and PopulationSources set *status and return no
// sources when a generator cannot be made.
//
// Thread-safety: RunStreams is called from one thread and joins every thread
// it starts. Each EventSource is called on its stream's writer thread only
// (before the clock starts, from the calling thread, with
// StreamPlan::pregenerate); a SentHook is called on every writer thread.
#ifndef DEPOSITD_TOOLS_LOADGEN_STREAM_DRIVER_H_
#define DEPOSITD_TOOLS_LOADGEN_STREAM_DRIVER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "depositd/v1/service.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "tools/loadgen/histogram.h"
#include "tools/loadgen/modes.h"

namespace depositd::loadgen {

// Fills *event with the next event occurring at `now`; false at the end of
// input. Called on one stream's writer thread only.
using EventSource = std::function<bool(absl::Time now, v1::Event* event)>;
// Called on the writer thread just before a batch is written, with the
// wall time of the write.
using SentHook = std::function<void(const v1::EventBatch& batch, absl::Time)>;

struct StreamPlan {
  int batch = 1000;
  int in_flight = 8;
  // Events/s over all streams; 0: open throttle.
  double rate = 0;
  // Unmeasured start, then the measured part; Infinite: until the sources
  // (or max_events) end, all of it measured.
  absl::Duration warmup = absl::ZeroDuration();
  absl::Duration duration = absl::InfiniteDuration();
  // Total events over all streams; 0: no limit.
  int64_t max_events = 0;
  bool pregenerate = false;
  // Print progress to stderr every 10 s.
  bool progress = false;
};

struct StreamResult {
  // Per batch, from its (intended, with a rate) send time to its ack, for
  // batches sent in the measured window.
  LatencyHistogram latency;
  // Events acknowledged inside the measured window, and in all.
  int64_t window_events = 0;
  int64_t total_events = 0;
  int64_t batches = 0;
  // Serialized size of everything written (EventBatch messages).
  int64_t bytes_sent = 0;
  int64_t events_sent = 0;
  int64_t applied = 0;
  int64_t duplicates = 0;
  int64_t rejected = 0;
  std::vector<std::string> rejects;
  absl::Duration window;
  absl::Status status;
  double rate() const {
    const double s = absl::ToDoubleSeconds(window);
    return s > 0 ? static_cast<double>(window_events) / s : 0;
  }
};

// --batch and --in-flight of `o`; the rest of the plan as it defaults.
StreamPlan PlanFor(const LoadgenOptions& o);

// One stream per source, stream k on chans[k % chans.size()], run to the
// end of the plan; `on_sent` (none when null) sees each batch as it goes.
StreamResult RunStreams(
    const std::vector<std::shared_ptr<grpc::Channel>>& chans,
    const StreamPlan& plan, std::vector<EventSource> sources,
    const SentHook& on_sent = nullptr);

// OK when nothing was rejected; else prints the first reasons to stderr and
// returns FAILED_PRECONDITION.
absl::Status CheckRejects(const StreamResult& r);

// One line "  <what>: N events in S s = R events/s (applied …)" on stdout.
void PrintStreamResult(const char* what, const StreamResult& r);

// The prefix of generated ids: --run-id, or "s<seed>".
std::string IdPrefix(const LoadgenOptions& o);

// The ingest mix on `streams` streams, one generator per stream.
std::vector<EventSource> MixSources(const LoadgenOptions& o, int streams,
                                    const std::string& prefix,
                                    absl::Status* status);

// `o.shops` shops with `open_orders` open orders over them, split over
// `streams` streams; *total_events is the number of events of all of them.
std::vector<EventSource> PopulationSources(const LoadgenOptions& o, int streams,
                                           int64_t open_orders,
                                           const std::string& prefix,
                                           int64_t* total_events,
                                           absl::Status* status);

// --concurrency streams, at least 1 and at most one per shop.
int StreamsFor(const LoadgenOptions& o);

}  // namespace depositd::loadgen

#endif  // DEPOSITD_TOOLS_LOADGEN_STREAM_DRIVER_H_
