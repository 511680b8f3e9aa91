// depositd-loadgen --mode alert-latency: disputes due inside the alert lead
// (DISPUTE_RESPONSE_DUE fires at once), one per batch at --rate/s, optionally
// under background ingest; the latency is from each trigger's send to its
// alert on Alerts.Watch.
//
// Failure contract (see modes.h): INVALID_ARGUMENT without --rate; the
// streams' status or rejects; the Watch's status; DEADLINE_EXCEEDED when
// alerts did not arrive within 10 s of the last trigger.
//
// Thread-safety: the Watch handler runs on the watch thread and the
// background ingest on its own; the results are read after both are joined.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tools/loadgen/alert_watch.h"
#include "tools/loadgen/channels.h"
#include "tools/loadgen/histogram.h"
#include "tools/loadgen/modes.h"
#include "tools/loadgen/report.h"
#include "tools/loadgen/stream_driver.h"
#include "tools/loadgen/workload.h"

namespace depositd::loadgen {

absl::Status RunAlertLatency(const LoadgenOptions& o) {
  if (o.rate <= 0) {
    return absl::InvalidArgumentError(
        "alert-latency needs --rate (trigger events/s), e.g. --rate 200");
  }
  auto chans = MakeChannels(o.target, o.connections);
  if (absl::Status s = Connect(chans, o.target); !s.ok()) return s;
  const std::string prefix = IdPrefix(o);
  const int64_t triggers = std::max<int64_t>(
      1, static_cast<int64_t>(o.rate * absl::ToDoubleSeconds(o.duration)));
  std::printf(
      "depositd-loadgen alert-latency -> %s%s: %s disputes due in 1 h (inside "
      "the 6 h lead: DISPUTE_RESPONSE_DUE fires at once) at %s/s over %s, "
      "one event per batch; background ingest %s\n",
      o.target.c_str(),
      o.label.empty() ? "" : absl::StrCat(" [", o.label, "]").c_str(),
      Thousands(triggers).c_str(),
      Thousands(static_cast<int64_t>(o.rate)).c_str(),
      absl::FormatDuration(o.duration).c_str(),
      o.background_rate > 0
          ? absl::StrCat(Thousands(static_cast<int64_t>(o.background_rate)),
                         " events/s on ", StreamsFor(o), " streams, batch ",
                         o.batch)
                .c_str()
          : "none");
  std::fflush(stdout);

  std::vector<std::atomic<int64_t>> sent_ns(triggers);
  for (auto& s : sent_ns) s.store(0);
  std::atomic<bool> probe_seen{false};
  std::atomic<int64_t> received{0};
  LatencyHistogram latency;  // watch thread only until Stop()
  std::vector<std::pair<int64_t, int64_t>> samples;  // (sent, received) ns
  int64_t unexpected = 0;
  const std::string trigger_prefix = absl::StrCat("al-", prefix, "-");

  auto on_trigger = [&](const v1::Alert&, int64_t n, absl::Time now) {
    if (n < 0 || n >= triggers || sent_ns[n].load() == 0) {
      ++unexpected;
      return;
    }
    latency.Record(absl::ToUnixNanos(now) - sent_ns[n].load());
    samples.push_back({sent_ns[n].load(), absl::ToUnixNanos(now)});
    received.fetch_add(1);
  };
  AlertWatch watch(
      chans[0], DisputeDueAlerts(o.tenant),
      RunSubjects(prefix, trigger_prefix, &probe_seen, on_trigger));
  if (absl::Status s = ProbeWatch(chans[0], o, absl::Now(), prefix, probe_seen);
      !s.ok()) {
    (void)watch.Stop();
    return s;
  }

  // Background ingest, if asked, on its own streams.
  StreamResult background;
  std::thread bg;
  if (o.background_rate > 0) {
    absl::Status status;
    std::vector<EventSource> sources =
        MixSources(o, StreamsFor(o), absl::StrCat("bg", prefix), &status);
    if (!status.ok()) {
      (void)watch.Stop();
      return status;
    }
    StreamPlan plan = PlanFor(o);
    plan.rate = o.background_rate;
    plan.warmup = o.warmup;
    plan.duration = o.duration;
    bg = std::thread([&, plan, sources = std::move(sources)]() mutable {
      background = RunStreams(chans, plan, std::move(sources));
    });
    absl::SleepFor(o.warmup);
  }

  // Triggers: one dispute per batch, paced at the rate.
  int64_t next = 0;
  std::vector<EventSource> trigger_source;
  trigger_source.push_back([&](absl::Time now, v1::Event* e) {
    if (next >= triggers) return false;
    const int64_t n = next++;
    const std::string id = absl::StrCat(trigger_prefix, n);
    MakeDisputeOpened(o.tenant, ShopId(n % o.shops), id, id,
                      now + absl::Hours(1), now, e);
    return true;
  });
  StreamPlan plan;
  plan.batch = 1;
  plan.in_flight = 1000;
  plan.rate = o.rate;
  plan.max_events = triggers;
  StreamResult sent = RunStreams({chans[0]}, plan, std::move(trigger_source),
                                 [&](const v1::EventBatch& b, absl::Time at) {
                                   const int64_t n =
                                       TrailingNumber(b.events(0).event_id());
                                   if (n >= 0 && n < triggers)
                                     sent_ns[n].store(absl::ToUnixNanos(at));
                                 });
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (received.load() < triggers && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  if (bg.joinable()) bg.join();
  const absl::Status watch_status = watch.Stop();
  const int64_t got = received.load();

  PrintStreamResult("trigger events", sent);
  if (o.background_rate > 0) PrintStreamResult("background ingest", background);
  std::printf(
      "  alerts received %s of %s (unexpected %s, Watch resumed %s times)\n",
      Thousands(got).c_str(), Thousands(triggers).c_str(),
      Thousands(unexpected).c_str(), Thousands(watch.resumes()).c_str());
  std::printf("  event -> alert on Watch, ms: %s\n",
              LatencyLine(latency).c_str());
  AppendCsv(o, "alert-latency", got, 0, latency, sent.applied, sent.duplicates,
            sent.rejected + background.rejected, triggers - got,
            absl::StrCat("background_rate=", o.background_rate));
  WriteCurve(o.latency_csv, latency);
  if (!o.samples_csv.empty() && !samples.empty()) {
    std::sort(samples.begin(), samples.end());
    std::ofstream out(o.samples_csv, std::ios::trunc);
    out << "sent_s,latency_ms\n";
    for (const auto& [sent_at, recv_at] : samples) {
      out << absl::StrFormat("%.4f,%.3f\n",
                             (sent_at - samples.front().first) / 1e9,
                             (recv_at - sent_at) / 1e6);
    }
  }
  if (!sent.status.ok()) return sent.status;
  if (absl::Status s = CheckRejects(sent); !s.ok()) return s;
  if (o.background_rate > 0) {
    if (!background.status.ok()) return background.status;
    if (absl::Status s = CheckRejects(background); !s.ok()) return s;
  }
  if (!watch_status.ok()) return watch_status;
  if (got < triggers) {
    return absl::DeadlineExceededError(
        absl::StrCat(triggers - got, " alerts did not arrive within 10 s"));
  }
  return absl::OkStatus();
}

}  // namespace depositd::loadgen
