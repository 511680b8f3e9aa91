// depositd-loadgen --mode populate: fills the server with --shops shops and
// --open-orders open orders over them (PopulationGenerator), as fast as the
// streams go, with progress on stderr; reports events/s and the ack latency.
//
// Failure contract (see modes.h): the stream's status, else
// FAILED_PRECONDITION when population events were rejected.
//
// Thread-safety: RunStreams runs the streams on its own threads.
#include <cstdint>
#include <cstdio>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tools/loadgen/channels.h"
#include "tools/loadgen/modes.h"
#include "tools/loadgen/report.h"
#include "tools/loadgen/stream_driver.h"

namespace depositd::loadgen {

absl::Status RunPopulate(const LoadgenOptions& o) {
  auto chans = MakeChannels(o.target, o.connections);
  if (absl::Status s = Connect(chans, o.target); !s.ok()) return s;
  const int streams = StreamsFor(o);
  absl::Status status;
  int64_t total = 0;
  std::vector<EventSource> sources = PopulationSources(
      o, streams, o.open_orders, IdPrefix(o), &total, &status);
  if (!status.ok()) return status;
  std::printf(
      "depositd-loadgen populate -> %s: %s shops, %s open orders, %s events "
      "on %d streams, batch %d\n",
      o.target.c_str(), Thousands(o.shops).c_str(),
      Thousands(o.open_orders).c_str(), Thousands(total).c_str(), streams,
      o.batch);
  std::fflush(stdout);
  StreamPlan plan = PlanFor(o);
  plan.progress = true;
  StreamResult r = RunStreams(chans, plan, std::move(sources));
  PrintStreamResult("populated", r);
  std::printf("  ack latency ms (per batch): %s\n",
              LatencyLine(r.latency).c_str());
  AppendCsv(o, "populate", r.window_events, r.rate(), r.latency, r.applied,
            r.duplicates, r.rejected, 0,
            absl::StrCat("open_orders=", o.open_orders));
  if (!r.status.ok()) return r.status;
  return CheckRejects(r);
}

}  // namespace depositd::loadgen
