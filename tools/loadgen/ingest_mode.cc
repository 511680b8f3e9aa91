// depositd-loadgen --mode ingest: the event mix (workload.h) over
// EventIngest.Stream on --concurrency streams, for --duration after --warmup
// or for --events events; reports events/s, the ack latency per batch and
// the bytes per event on the wire.
//
// Failure contract (see modes.h): the stream's status, else
// FAILED_PRECONDITION when events of the mix were rejected;
// INVALID_ARGUMENT for --pregenerate without --events.
//
// Thread-safety: RunStreams runs the streams on its own threads.
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "tools/loadgen/channels.h"
#include "tools/loadgen/modes.h"
#include "tools/loadgen/report.h"
#include "tools/loadgen/stream_driver.h"

namespace depositd::loadgen {

absl::Status RunIngest(const LoadgenOptions& o) {
  auto chans = MakeChannels(o.target, o.connections);
  if (absl::Status s = Connect(chans, o.target); !s.ok()) return s;
  const int streams = StreamsFor(o);
  absl::Status status;
  std::vector<EventSource> sources =
      MixSources(o, streams, IdPrefix(o), &status);
  if (!status.ok()) return status;
  if (o.pregenerate && o.events <= 0) {
    return absl::InvalidArgumentError("--pregenerate needs --events");
  }
  StreamPlan plan = PlanFor(o);
  plan.rate = o.rate;
  plan.pregenerate = o.pregenerate;
  if (o.events > 0) {
    plan.max_events = o.events;
  } else {
    plan.warmup = o.warmup;
    plan.duration = o.duration;
  }
  plan.progress = o.events > 0;
  std::printf(
      "depositd-loadgen ingest -> %s%s: %d streams on %d connections, batch "
      "%d, %d in flight, rate %s, %s, %s shops (Zipf %.2f), seed %llu, ids "
      "%s\n",
      o.target.c_str(),
      o.label.empty() ? "" : absl::StrCat(" [", o.label, "]").c_str(), streams,
      static_cast<int>(chans.size()), o.batch, o.in_flight,
      o.rate > 0
          ? absl::StrCat(Thousands(static_cast<int64_t>(o.rate)), " events/s")
                .c_str()
          : "open",
      o.events > 0 ? absl::StrCat(Thousands(o.events), " events",
                                  o.pregenerate ? " (pre-generated)" : "")
                         .c_str()
                   : absl::StrCat(absl::FormatDuration(o.duration), " after ",
                                  absl::FormatDuration(o.warmup), " warm-up")
                         .c_str(),
      Thousands(o.shops).c_str(), o.zipf,
      static_cast<unsigned long long>(o.seed), IdPrefix(o).c_str());
  std::fflush(stdout);
  StreamResult r = RunStreams(chans, plan, std::move(sources));
  PrintStreamResult("acked", r);
  std::printf("  ack latency ms (per batch): %s\n",
              LatencyLine(r.latency).c_str());
  if (r.events_sent > 0) {
    std::printf(
        "  %.0f bytes per event on the wire (serialized batches)\n",
        static_cast<double>(r.bytes_sent) / static_cast<double>(r.events_sent));
  }
  AppendCsv(o, "ingest", r.window_events, r.rate(), r.latency, r.applied,
            r.duplicates, r.rejected, 0, "");
  WriteCurve(o.latency_csv, r.latency);
  if (!r.status.ok()) return r.status;
  return CheckRejects(r);
}

}  // namespace depositd::loadgen
