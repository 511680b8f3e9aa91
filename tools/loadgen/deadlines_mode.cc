// depositd-loadgen --mode deadlines: --shops shops each with a dispute
// deadline far ahead (a pending deadline check each), then --fire of them
// moved so that their 24 h lead falls in a window --fire-after from now
// (real clock) or driven past by Admin.AdvanceTestClock in --advance-steps
// (test clock); reports how late their alerts come on Alerts.Watch.
//
// Failure contract (see modes.h): INVALID_ARGUMENT for a bad --clock or
// --fire; the streams' status or rejects; the Admin calls' and the Watch's
// status; DEADLINE_EXCEEDED when alerts did not arrive within --timeout.
//
// Thread-safety: the Watch handler runs on the watch thread and writes only
// atomics and counters read after Stop().
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/timestamps.h"
#include "depositd/v1/service.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "tools/loadgen/alert_watch.h"
#include "tools/loadgen/channels.h"
#include "tools/loadgen/histogram.h"
#include "tools/loadgen/modes.h"
#include "tools/loadgen/report.h"
#include "tools/loadgen/stream_driver.h"
#include "tools/loadgen/workload.h"

namespace depositd::loadgen {

namespace {}  // namespace

absl::Status RunDeadlines(const LoadgenOptions& o) {
  const bool test_clock = o.clock == "test";
  if (!test_clock && o.clock != "real") {
    return absl::InvalidArgumentError("--clock must be real or test");
  }
  const int64_t k_fire = std::min(o.fire, o.shops);
  if (k_fire < 1) return absl::InvalidArgumentError("--fire must be >= 1");
  auto chans = MakeChannels(o.target, o.connections);
  if (absl::Status s = Connect(chans, o.target); !s.ok()) return s;
  auto admin = v1::Admin::NewStub(chans[0]);
  auto clock_now = [&]() -> absl::StatusOr<absl::Time> {
    if (!test_clock) return absl::Now();
    grpc::ClientContext ctx;
    v1::TestClockResponse r;
    grpc::Status s = admin->GetTestClock(&ctx, v1::GetTestClockRequest(), &r);
    if (!s.ok()) return FromGrpc(s);
    return common::FromTimestamp(r.now());
  };
  const std::string prefix = IdPrefix(o);
  std::printf(
      "depositd-loadgen deadlines -> %s: %s shops with one pending dispute "
      "deadline each; %s of them moved to fire %s after set-up over %s; %s "
      "clock\n",
      o.target.c_str(), Thousands(o.shops).c_str(), Thousands(k_fire).c_str(),
      test_clock ? "1 h (test clock)"
                 : absl::FormatDuration(o.fire_after).c_str(),
      absl::FormatDuration(o.fire_window).c_str(), o.clock.c_str());
  std::fflush(stdout);

  // 1. Set-up: every shop gets a dispute due 30+ days ahead, so its next
  //    check (the 24 h lead) is pending.
  absl::StatusOr<absl::Time> base = clock_now();
  if (!base.ok()) return base.status();
  const int streams = StreamsFor(o);
  std::vector<EventSource> setup;
  for (int k = 0; k < streams; ++k) {
    auto i = std::make_shared<int64_t>(k);
    setup.push_back([&, i, far = *base + absl::Hours(24 * 30)](absl::Time now,
                                                               v1::Event* e) {
      if (*i >= o.shops) return false;
      const std::string id = absl::StrCat("dl-", prefix, "-", *i);
      MakeDisputeOpened(o.tenant, ShopId(*i), id, id,
                        far + absl::Seconds(*i % 100000), now, e);
      *i += streams;
      return true;
    });
  }
  StreamPlan plan = PlanFor(o);
  plan.progress = true;
  StreamResult r = RunStreams(chans, plan, std::move(setup));
  PrintStreamResult("set-up", r);
  if (!r.status.ok()) return r.status;
  if (absl::Status s = CheckRejects(r); !s.ok()) return s;
  {
    grpc::ClientContext ctx;
    v1::StatsResponse stats;
    grpc::Status s = admin->GetStats(&ctx, v1::GetStatsRequest(), &stats);
    if (!s.ok()) return FromGrpc(s);
    std::printf("  daemon: %s shops, %s pending deadlines, %d shards\n",
                Thousands(stats.shops()).c_str(),
                Thousands(stats.pending_deadlines()).c_str(), stats.shards());
  }

  // 2. Watch (checked live with a probe).
  const int64_t stride = o.shops / k_fire;
  std::vector<std::atomic<int64_t>> recv_ns(k_fire), at_ns(k_fire);
  for (int64_t j = 0; j < k_fire; ++j) {
    recv_ns[j] = 0;
    at_ns[j] = 0;
  }
  std::atomic<int64_t> received{0};
  std::atomic<bool> probe_seen{false};
  int64_t wrong_stage = 0;
  const std::string dl_prefix = absl::StrCat("dl-", prefix, "-");
  auto on_deadline = [&](const v1::Alert& a, int64_t i, absl::Time now) {
    if (i < 0 || i % stride != 0 || i / stride >= k_fire) return;
    const int64_t j = i / stride;
    if (recv_ns[j].load() != 0) return;
    if (a.stage() != "24h") ++wrong_stage;
    at_ns[j] = absl::ToUnixNanos(common::FromTimestamp(a.at()));
    recv_ns[j] = absl::ToUnixNanos(now);
    received.fetch_add(1);
  };
  AlertWatch watch(chans[0], DisputeDueAlerts(o.tenant),
                   RunSubjects(prefix, dl_prefix, &probe_seen, on_deadline));
  absl::StatusOr<absl::Time> now_clock = clock_now();
  if (!now_clock.ok()) {
    (void)watch.Stop();
    return now_clock.status();
  }
  if (absl::Status s = ProbeWatch(chans[0], o, *now_clock, prefix, probe_seen);
      !s.ok()) {
    (void)watch.Stop();
    return s;
  }

  // 3. Move k_fire deadlines so that their 24 h lead falls inside the
  //    firing window: warn_j = fire_base + window * j / k_fire.
  now_clock = clock_now();
  if (!now_clock.ok()) {
    (void)watch.Stop();
    return now_clock.status();
  }
  const absl::Time fire_base =
      test_clock ? *now_clock + absl::Hours(1) : absl::Now() + o.fire_after;
  auto warn_at = [&](int64_t j) {
    return fire_base + o.fire_window * (static_cast<double>(j) /
                                        static_cast<double>(k_fire));
  };
  std::vector<EventSource> retarget;
  {
    auto j = std::make_shared<int64_t>(0);
    retarget.push_back([&, j](absl::Time now, v1::Event* e) {
      if (*j >= k_fire) return false;
      const int64_t i = *j * stride;
      const std::string id = absl::StrCat("dl-", prefix, "-", i);
      MakeDisputeDeadlineChanged(o.tenant, ShopId(i),
                                 absl::StrCat("mv-", prefix, "-", i), id,
                                 warn_at(*j) + absl::Hours(24), now, e);
      ++*j;
      return true;
    });
  }
  StreamResult moved = RunStreams(chans, plan, std::move(retarget));
  const absl::Time moved_at = absl::Now();
  PrintStreamResult("deadlines moved", moved);
  if (!moved.status.ok() || moved.rejected > 0) {
    (void)watch.Stop();
    if (!moved.status.ok()) return moved.status;
    return CheckRejects(moved);
  }
  int64_t moved_late = 0;
  if (!test_clock) {
    for (int64_t j = 0; j < k_fire; ++j) {
      if (warn_at(j) < moved_at) ++moved_late;
    }
    if (moved_late > 0) {
      std::printf(
          "  WARNING: %s deadlines were due before the move finished; "
          "raise --fire-after\n",
          Thousands(moved_late).c_str());
    }
  }

  // 4. Let them fire.
  struct Step {
    absl::Time wall_start, wall_end, clock_after;
  };
  std::vector<Step> steps;
  if (test_clock) {
    absl::Time clock = *now_clock;
    const int n = std::max(1, o.advance_steps);
    for (int s = 1; s <= n; ++s) {
      const absl::Time target = fire_base + o.fire_window * s / n;
      v1::AdvanceTestClockRequest areq;
      const absl::Duration by = target - clock;
      areq.mutable_by()->set_seconds(absl::ToInt64Seconds(by));
      areq.mutable_by()->set_nanos(
          static_cast<int32_t>(absl::ToInt64Nanoseconds(
              by - absl::Seconds(absl::ToInt64Seconds(by)))));
      grpc::ClientContext ctx;
      ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(600)));
      v1::TestClockResponse resp;
      Step step;
      step.wall_start = absl::Now();
      grpc::Status gs = admin->AdvanceTestClock(&ctx, areq, &resp);
      step.wall_end = absl::Now();
      if (!gs.ok()) {
        (void)watch.Stop();
        return FromGrpc(gs);
      }
      clock = common::FromTimestamp(resp.now());
      step.clock_after = clock;
      steps.push_back(step);
    }
  }
  const absl::Time give_up =
      (test_clock ? absl::Now() : fire_base + o.fire_window) + o.timeout;
  while (received.load() < k_fire && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  const absl::Status watch_status = watch.Stop();

  // 5. Lateness.
  LatencyHistogram late_recv, late_fire;
  int64_t over_1s = 0;
  std::vector<int64_t> per_step(steps.size(), 0);
  for (int64_t j = 0; j < k_fire; ++j) {
    if (recv_ns[j].load() == 0) continue;
    const absl::Time recv = absl::FromUnixNanos(recv_ns[j].load());
    absl::Time due_wall;
    if (test_clock) {
      // The deadline passed during the first step whose clock reached it.
      size_t s = 0;
      while (s + 1 < steps.size() && steps[s].clock_after < warn_at(j)) ++s;
      due_wall = steps[s].wall_start;
      ++per_step[s];
    } else {
      due_wall = warn_at(j);
      late_fire.Record(at_ns[j].load() - absl::ToUnixNanos(warn_at(j)));
    }
    const int64_t late = absl::ToInt64Nanoseconds(recv - due_wall);
    late_recv.Record(late);
    if (late > 1000000000LL) ++over_1s;
  }
  const int64_t got = received.load();
  std::printf(
      "  alerts received %s of %s (later stage than 24h: %s, Watch resumed "
      "%s times)\n",
      Thousands(got).c_str(), Thousands(k_fire).c_str(),
      Thousands(wrong_stage).c_str(), Thousands(watch.resumes()).c_str());
  if (test_clock) {
    for (size_t s = 0; s < steps.size(); ++s) {
      std::printf(
          "  step %zu: AdvanceTestClock crossed %s deadlines, returned after "
          "%.3f s\n",
          s + 1, Thousands(per_step[s]).c_str(),
          absl::ToDoubleSeconds(steps[s].wall_end - steps[s].wall_start));
    }
    std::printf("  lateness ms (advance call -> alert on Watch): %s\n",
                LatencyLine(late_recv).c_str());
  } else {
    std::printf("  lateness ms (deadline -> alert on Watch): %s\n",
                LatencyLine(late_recv).c_str());
    std::printf("  lateness ms (deadline -> alert's processing time): %s\n",
                LatencyLine(late_fire).c_str());
  }
  std::printf("  later than 1 s: %s\n", Thousands(over_1s).c_str());
  AppendCsv(o, absl::StrCat("deadlines-", o.clock), got, 0, late_recv, 0, 0, 0,
            k_fire - got,
            absl::StrCat("over_1s=", over_1s, ";moved_late=", moved_late));
  WriteCurve(o.latency_csv, late_recv);
  if (!watch_status.ok()) return watch_status;
  if (got < k_fire) {
    return absl::DeadlineExceededError(
        absl::StrCat(k_fire - got, " deadline alerts did not arrive in time"));
  }
  return absl::OkStatus();
}

}  // namespace depositd::loadgen
