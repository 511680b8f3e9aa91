// depositd-loadgen --mode getshop: Readiness.GetShop over uniformly chosen
// shops with --concurrency calls in flight (or at --rate queries/s), after a
// prefill that gives every shop a registration, a deposit and orders;
// reports queries/s and the call latency.
//
// Failure contract (see modes.h): the prefill's stream status or rejects;
// INVALID_ARGUMENT for --concurrency < 1; FAILED_PRECONDITION when GetShop
// calls failed (the first error is in the message).
//
// Thread-safety: GetShopLoad's callbacks run on gRPC threads; its state is
// behind its mutex.
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "depositd/v1/service.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "tools/loadgen/channels.h"
#include "tools/loadgen/histogram.h"
#include "tools/loadgen/modes.h"
#include "tools/loadgen/report.h"
#include "tools/loadgen/stream_driver.h"
#include "tools/loadgen/workload.h"

namespace depositd::loadgen {

namespace {

// Keeps `concurrency` GetShop calls in flight (or issues them at a rate)
// with the callback API. Thread-safe: callbacks run on gRPC threads.
class GetShopLoad {
 public:
  GetShopLoad(const std::vector<std::shared_ptr<grpc::Channel>>& chans,
              const LoadgenOptions& o)
      : o_(o) {
    for (const auto& c : chans) stubs_.push_back(v1::Readiness::NewStub(c));
  }

  void Run() {
    t0_ = absl::Now();
    measure_from_ = t0_ + o_.warmup;
    stop_at_ = measure_from_ + o_.duration;
    if (o_.rate <= 0) {
      {
        absl::MutexLock lock(&mu_);
        outstanding_ = o_.concurrency;
      }
      for (int i = 0; i < o_.concurrency; ++i) Issue(absl::Now());
    } else {
      // One dispatcher: call k is due at t0 + k / rate; at most
      // `concurrency` in flight (latency counts from the due time).
      const absl::Duration gap = absl::Seconds(1.0 / o_.rate);
      for (int64_t k = 0;; ++k) {
        const absl::Time due = t0_ + gap * static_cast<double>(k);
        if (due >= stop_at_) break;
        const absl::Duration wait = due - absl::Now();
        if (wait > absl::ZeroDuration()) absl::SleepFor(wait);
        {
          absl::MutexLock lock(&mu_);
          auto room = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
            return outstanding_ < o_.concurrency;
          };
          mu_.Await(absl::Condition(&room));
          ++outstanding_;
        }
        Issue(due);
      }
    }
    absl::MutexLock lock(&mu_);
    auto idle = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return outstanding_ == 0;
    };
    mu_.Await(absl::Condition(&idle));
  }

  LatencyHistogram latency() {
    absl::MutexLock lock(&mu_);
    return latency_;
  }
  int64_t ok() {
    absl::MutexLock lock(&mu_);
    return ok_;
  }
  int64_t errors() {
    absl::MutexLock lock(&mu_);
    return errors_;
  }
  std::string first_error() {
    absl::MutexLock lock(&mu_);
    return first_error_;
  }

 private:
  struct Call {
    grpc::ClientContext context;
    v1::GetShopRequest request;
    v1::ReadinessReport response;
    absl::Time start;
  };

  static uint64_t Mix(uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
  }

  void Issue(absl::Time start) {
    const uint64_t k = next_.fetch_add(1, std::memory_order_relaxed);
    auto* call = new Call;
    call->start = start;
    call->request.set_tenant(o_.tenant);
    call->request.set_shop_id(ShopId(static_cast<int64_t>(
        Mix(o_.seed * 1000003 + k) % static_cast<uint64_t>(o_.shops))));
    call->context.set_deadline(
        absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    v1::Readiness::Stub* stub = stubs_[k % stubs_.size()].get();
    stub->async()->GetShop(&call->context, &call->request, &call->response,
                           [this, call](grpc::Status s) { Done(call, s); });
  }

  void Done(Call* call, const grpc::Status& s) {
    const absl::Time now = absl::Now();
    bool again;
    {
      absl::MutexLock lock(&mu_);
      if (call->start >= measure_from_ && call->start < stop_at_) {
        if (s.ok()) {
          ++ok_;
          latency_.Record(absl::ToInt64Nanoseconds(now - call->start));
        } else {
          ++errors_;
          if (first_error_.empty()) {
            first_error_ =
                absl::StrCat("code ", s.error_code(), ": ", s.error_message());
          }
        }
      }
      again = o_.rate <= 0 && now < stop_at_;
      if (!again) --outstanding_;
    }
    delete call;
    if (again) Issue(absl::Now());
  }

  const LoadgenOptions& o_;
  std::vector<std::unique_ptr<v1::Readiness::Stub>> stubs_;
  absl::Time t0_, measure_from_, stop_at_;
  std::atomic<uint64_t> next_{0};
  absl::Mutex mu_;
  int outstanding_ ABSL_GUARDED_BY(mu_) = 0;
  LatencyHistogram latency_ ABSL_GUARDED_BY(mu_);
  int64_t ok_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t errors_ ABSL_GUARDED_BY(mu_) = 0;
  std::string first_error_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

absl::Status RunGetShop(const LoadgenOptions& o) {
  auto chans = MakeChannels(o.target, o.connections);
  if (absl::Status s = Connect(chans, o.target); !s.ok()) return s;
  std::printf(
      "depositd-loadgen getshop -> %s%s: %d calls in flight on %d "
      "connections, rate %s, %s after %s warm-up, %s shops (uniform)\n",
      o.target.c_str(),
      o.label.empty() ? "" : absl::StrCat(" [", o.label, "]").c_str(),
      o.concurrency, static_cast<int>(chans.size()),
      o.rate > 0
          ? absl::StrCat(Thousands(static_cast<int64_t>(o.rate)), " queries/s")
                .c_str()
          : "open",
      absl::FormatDuration(o.duration).c_str(),
      absl::FormatDuration(o.warmup).c_str(), Thousands(o.shops).c_str());
  if (o.prefill) {
    absl::Status status;
    int64_t total = 0;
    std::vector<EventSource> sources =
        PopulationSources(o, StreamsFor(o), o.shops * 5,
                          absl::StrCat("pf", IdPrefix(o)), &total, &status);
    if (!status.ok()) return status;
    StreamPlan plan;
    plan.batch = 1000;
    plan.in_flight = o.in_flight;
    StreamResult r = RunStreams(chans, plan, std::move(sources));
    PrintStreamResult("prefill (registration, deposit, 5 orders a shop)", r);
    if (!r.status.ok()) return r.status;
    if (absl::Status s = CheckRejects(r); !s.ok()) return s;
  }
  std::fflush(stdout);
  if (o.concurrency < 1) {
    return absl::InvalidArgumentError("--concurrency must be >= 1");
  }
  GetShopLoad load(chans, o);
  load.Run();
  const LatencyHistogram h = load.latency();
  const int64_t ok = load.ok(), errors = load.errors();
  const double qps =
      static_cast<double>(ok) / absl::ToDoubleSeconds(o.duration);
  std::printf("  answered %s queries in %.2f s = %s queries/s (errors %s)\n",
              Thousands(ok).c_str(), absl::ToDoubleSeconds(o.duration),
              Thousands(static_cast<int64_t>(qps)).c_str(),
              Thousands(errors).c_str());
  std::printf("  GetShop latency ms: %s\n", LatencyLine(h).c_str());
  AppendCsv(o, "getshop", ok, qps, h, 0, 0, 0, errors, "");
  WriteCurve(o.latency_csv, h);
  if (errors > 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        errors, " GetShop calls failed; first: ", load.first_error()));
  }
  return absl::OkStatus();
}

}  // namespace depositd::loadgen
