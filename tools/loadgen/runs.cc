#include "tools/loadgen/runs.h"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <deque>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "depositd/v1/service.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "tools/grpc_health_v1.grpc.pb.h"
#include "tools/loadgen/histogram.h"
#include "tools/loadgen/workload.h"

namespace depositd::loadgen {
namespace {

// --- small helpers -----------------------------------------------------------

absl::Status FromGrpc(const grpc::Status& s) {
  if (s.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                      s.error_message());
}

std::string IdPrefix(const LoadgenOptions& o) {
  return o.run_id.empty() ? absl::StrCat("s", o.seed) : o.run_id;
}

double Ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }

void SetTime(absl::Time t, google::protobuf::Timestamp* ts) {
  const int64_t ns = absl::ToUnixNanos(t);
  ts->set_seconds(ns / 1000000000LL);
  ts->set_nanos(static_cast<int32_t>(ns % 1000000000LL));
}

absl::Time FromTs(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

std::string Thousands(int64_t v) {
  std::string digits = absl::StrCat(v < 0 ? -v : v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return v < 0 ? "-" + out : out;
}

std::string LatencyLine(const LatencyHistogram& h) {
  return absl::StrFormat(
      "p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  mean %.3f (n=%s)",
      Ms(h.ValueAtPercentile(50)), Ms(h.ValueAtPercentile(90)),
      Ms(h.ValueAtPercentile(99)), Ms(h.ValueAtPercentile(99.9)), Ms(h.max()),
      h.mean() / 1e6, Thousands(h.count()));
}

std::vector<std::shared_ptr<grpc::Channel>> MakeChannels(
    const std::string& target, int n) {
  std::vector<std::shared_ptr<grpc::Channel>> out;
  for (int i = 0; i < std::max(1, n); ++i) {
    grpc::ChannelArguments args;
    // A distinct argument per channel keeps gRPC from sharing one
    // connection between them.
    args.SetInt("depositd.loadgen.connection", i);
    args.SetMaxReceiveMessageSize(64 << 20);
    args.SetMaxSendMessageSize(64 << 20);
    out.push_back(grpc::CreateCustomChannel(
        target, grpc::InsecureChannelCredentials(), args));
  }
  return out;
}

absl::Status Connect(const std::vector<std::shared_ptr<grpc::Channel>>& chans,
                     const std::string& target) {
  for (const auto& c : chans) {
    if (!c->WaitForConnected(
            absl::ToChronoTime(absl::Now() + absl::Seconds(10)))) {
      return absl::UnavailableError(
          absl::StrCat("cannot connect to ", target, " within 10 s"));
    }
  }
  return absl::OkStatus();
}

// The 1-minute load average (/proc/loadavg), or "" where there is none: the
// machine is shared, so results carry it.
std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string first;
  in >> first;
  return first;
}

void AppendCsv(const LoadgenOptions& o, absl::string_view mode, int64_t count,
               double per_s, const LatencyHistogram& h, int64_t applied,
               int64_t duplicates, int64_t rejected, int64_t errors,
               absl::string_view extra) {
  if (o.csv.empty()) return;
  struct stat st;
  const bool fresh = stat(o.csv.c_str(), &st) != 0 || st.st_size == 0;
  std::ofstream out(o.csv, std::ios::app);
  if (fresh) {
    out << "mode,label,target,shops,concurrency,batch,rate_target,duration_s,"
           "count,per_s,p50_ms,p90_ms,p99_ms,p999_ms,max_ms,mean_ms,applied,"
           "duplicates,rejected,errors,load1,extra\n";
  }
  out << absl::StrFormat(
      "%s,%s,%s,%d,%d,%d,%.0f,%.3f,%d,%.1f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%d,"
      "%d,%d,%d,%s,%s\n",
      mode, o.label, o.target, o.shops, o.concurrency, o.batch, o.rate,
      absl::ToDoubleSeconds(o.duration), count, per_s,
      Ms(h.ValueAtPercentile(50)), Ms(h.ValueAtPercentile(90)),
      Ms(h.ValueAtPercentile(99)), Ms(h.ValueAtPercentile(99.9)), Ms(h.max()),
      h.mean() / 1e6, applied, duplicates, rejected, errors, LoadAverage(),
      extra);
  if (!out) std::fprintf(stderr, "loadgen: cannot write %s\n", o.csv.c_str());
}

void WriteCurve(const std::string& path, const LatencyHistogram& h) {
  if (path.empty()) return;
  std::ofstream out(path, std::ios::trunc);
  out << "percentile,value_ms,one_over_one_minus_p\n";
  for (const LatencyHistogram::Point& p : h.PercentileCurve(5)) {
    // The last point (100%) has no finite 1/(1-p); plots put it at the
    // sample count.
    const double x = p.percentile >= 100.0 ? static_cast<double>(h.count())
                                           : 1.0 / (1.0 - p.percentile / 100.0);
    out << absl::StrFormat("%.6f,%.4f,%.3f\n", p.percentile, Ms(p.value), x);
  }
  if (!out) std::fprintf(stderr, "loadgen: cannot write %s\n", path.c_str());
}

// --- streaming ingest engine -------------------------------------------------

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

// One stream's shared state between its writer and reader threads.
struct StreamState {
  struct Pending {
    uint64_t seq;
    absl::Time sent;
    int events;
  };
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReaderWriter<v1::EventBatch, v1::IngestAck>>
      stream;
  absl::Mutex mu;
  std::deque<Pending> pending ABSL_GUARDED_BY(mu);
  bool reader_done ABSL_GUARDED_BY(mu) = false;
  std::atomic<int64_t> acked{0};
  // Reader thread only, read after join.
  StreamResult result;
  absl::Time first_send = absl::InfiniteFuture();
  absl::Time last_ack = absl::InfinitePast();
  // Writer thread only, read after join.
  int64_t writer_bytes = 0;
  int64_t writer_events = 0;
};

StreamResult RunStreams(
    const std::vector<std::shared_ptr<grpc::Channel>>& chans,
    const StreamPlan& plan, std::vector<EventSource> sources,
    const SentHook& on_sent = nullptr) {
  const int n = static_cast<int>(sources.size());
  StreamResult total;
  if (plan.batch < 1 || plan.batch > 10000) {
    total.status = absl::InvalidArgumentError("--batch must be 1..10000");
    return total;
  }
  const int64_t per_stream_max =
      plan.max_events > 0 ? (plan.max_events + n - 1) / n : 0;

  // Pre-generated batches (before the clock starts).
  std::vector<std::vector<v1::EventBatch>> pre(n);
  if (plan.pregenerate) {
    const absl::Time now = absl::Now();
    for (int k = 0; k < n; ++k) {
      int64_t made = 0;
      bool more = true;
      while (more && (per_stream_max == 0 || made < per_stream_max)) {
        v1::EventBatch b;
        while (b.events_size() < plan.batch &&
               (per_stream_max == 0 || made < per_stream_max)) {
          v1::Event* e = b.add_events();
          if (!sources[k](now, e)) {
            b.mutable_events()->RemoveLast();
            more = false;
            break;
          }
          ++made;
        }
        if (b.events_size() > 0) pre[k].push_back(std::move(b));
      }
    }
  }

  std::vector<std::unique_ptr<v1::EventIngest::Stub>> stubs;
  std::vector<std::unique_ptr<StreamState>> states;
  for (int k = 0; k < n; ++k) {
    stubs.push_back(v1::EventIngest::NewStub(chans[k % chans.size()]));
    states.push_back(std::make_unique<StreamState>());
  }
  const absl::Time t0 = absl::Now();
  const bool bounded = plan.duration != absl::InfiniteDuration();
  const absl::Time measure_from = bounded ? t0 + plan.warmup : t0;
  const absl::Time stop_at =
      bounded ? measure_from + plan.duration : absl::InfiniteFuture();
  // Time between batches of one stream under a rate limit.
  const absl::Duration interval =
      plan.rate > 0 ? absl::Seconds(plan.batch * n / plan.rate)
                    : absl::ZeroDuration();
  for (int k = 0; k < n; ++k) {
    states[k]->stream = stubs[k]->Stream(&states[k]->context);
  }

  std::vector<std::thread> threads;
  for (int k = 0; k < n; ++k) {
    StreamState* st = states[k].get();
    // Writer.
    threads.emplace_back([&, k, st] {
      v1::EventBatch local;
      int64_t sent_events = 0;
      uint64_t seq = 0;
      size_t pre_i = 0;
      bool more = true;
      // Streams start staggered across one interval under a rate limit.
      const absl::Time start = t0 + interval * k / n;
      while (more) {
        v1::EventBatch* b = &local;
        if (plan.pregenerate) {
          if (pre_i >= pre[k].size()) break;
          b = &pre[k][pre_i++];
        } else {
          const absl::Time now = absl::Now();
          int filled = 0;
          while (
              filled < plan.batch &&
              (per_stream_max == 0 || sent_events + filled < per_stream_max)) {
            v1::Event* e = filled < local.events_size()
                               ? local.mutable_events(filled)
                               : local.add_events();
            if (!sources[k](now, e)) {
              more = false;
              break;
            }
            ++filled;
          }
          while (local.events_size() > filled) {
            local.mutable_events()->RemoveLast();
          }
          if (filled == 0) break;
        }
        ++seq;
        b->set_batch_seq(seq);
        absl::Time intended = absl::InfinitePast();
        if (interval > absl::ZeroDuration()) {
          intended = start + interval * static_cast<double>(seq - 1);
          const absl::Duration wait = intended - absl::Now();
          if (wait > absl::ZeroDuration()) absl::SleepFor(wait);
        }
        if (absl::Now() >= stop_at) break;
        {
          absl::MutexLock lock(&st->mu);
          auto room = [&]() ABSL_SHARED_LOCKS_REQUIRED(st->mu) {
            return st->reader_done ||
                   st->pending.size() < static_cast<size_t>(plan.in_flight);
          };
          st->mu.Await(absl::Condition(&room));
          if (st->reader_done) break;
          const absl::Time now = absl::Now();
          st->pending.push_back(
              {seq, interval > absl::ZeroDuration() ? intended : now,
               b->events_size()});
        }
        if (on_sent) on_sent(*b, absl::Now());
        st->writer_bytes += static_cast<int64_t>(b->ByteSizeLong());
        if (!st->stream->Write(*b)) break;
        sent_events += b->events_size();
        if (per_stream_max > 0 && sent_events >= per_stream_max) break;
      }
      st->writer_events = sent_events;
      st->stream->WritesDone();
    });
    // Reader.
    threads.emplace_back([&, st] {
      StreamResult& r = st->result;
      v1::IngestAck ack;
      absl::Status protocol;
      while (st->stream->Read(&ack)) {
        const absl::Time now = absl::Now();
        StreamState::Pending p;
        {
          absl::MutexLock lock(&st->mu);
          if (st->pending.empty() ||
              st->pending.front().seq != ack.batch_seq()) {
            protocol = absl::InternalError(absl::StrCat(
                "ack for batch ", ack.batch_seq(), " but expected ",
                st->pending.empty() ? std::string("none")
                                    : absl::StrCat(st->pending.front().seq)));
            break;
          }
          p = st->pending.front();
          st->pending.pop_front();
        }
        if (ack.results_size() != p.events) {
          protocol = absl::InternalError(absl::StrCat(
              "ack for batch ", ack.batch_seq(), " has ", ack.results_size(),
              " results for ", p.events, " events"));
          break;
        }
        r.applied += ack.applied();
        r.duplicates += ack.duplicates();
        r.rejected += ack.rejected();
        if (ack.rejected() > 0 && r.rejects.size() < 5) {
          for (const v1::EventResult& er : ack.results()) {
            if (er.outcome() == v1::REJECTED && r.rejects.size() < 5) {
              r.rejects.push_back(er.reason());
            }
          }
        }
        r.total_events += p.events;
        ++r.batches;
        st->acked.fetch_add(p.events, std::memory_order_relaxed);
        st->first_send = std::min(st->first_send, p.sent);
        st->last_ack = now;
        if (p.sent >= measure_from && p.sent < stop_at) {
          r.latency.Record(absl::ToInt64Nanoseconds(now - p.sent));
        }
        if (now >= measure_from && now <= stop_at) r.window_events += p.events;
      }
      if (!protocol.ok()) st->context.TryCancel();
      {
        absl::MutexLock lock(&st->mu);
        st->reader_done = true;
      }
      r.status = protocol;
    });
  }

  // Progress, until every reader is done.
  std::atomic<bool> finished{false};
  std::thread progress;
  if (plan.progress) {
    progress = std::thread([&] {
      absl::Time next = absl::Now() + absl::Seconds(10);
      while (!finished.load()) {
        absl::SleepFor(absl::Milliseconds(100));
        if (absl::Now() < next) continue;
        next += absl::Seconds(10);
        int64_t acked = 0;
        for (const auto& s : states) acked += s->acked.load();
        std::fprintf(stderr, "loadgen: %s events acked after %.0f s\n",
                     Thousands(acked).c_str(),
                     absl::ToDoubleSeconds(absl::Now() - t0));
      }
    });
  }
  for (std::thread& t : threads) t.join();
  finished = true;
  if (progress.joinable()) progress.join();

  absl::Time first = absl::InfiniteFuture(), last = absl::InfinitePast();
  for (auto& s : states) {
    grpc::Status fs = s->stream->Finish();
    StreamResult& r = s->result;
    if (total.status.ok()) {
      if (!r.status.ok()) {
        total.status = r.status;
      } else if (!fs.ok()) {
        total.status = FromGrpc(fs);
      }
    }
    total.latency.Merge(r.latency);
    total.window_events += r.window_events;
    total.total_events += r.total_events;
    total.batches += r.batches;
    total.bytes_sent += s->writer_bytes;
    total.events_sent += s->writer_events;
    total.applied += r.applied;
    total.duplicates += r.duplicates;
    total.rejected += r.rejected;
    for (std::string& why : r.rejects) {
      if (total.rejects.size() < 5) total.rejects.push_back(std::move(why));
    }
    first = std::min(first, s->first_send);
    last = std::max(last, s->last_ack);
  }
  if (bounded) {
    total.window = plan.duration;
  } else {
    total.window_events = total.total_events;
    total.window = last > first ? last - first : absl::ZeroDuration();
  }
  return total;
}

absl::Status CheckRejects(const StreamResult& r) {
  if (r.rejected == 0) return absl::OkStatus();
  for (const std::string& why : r.rejects) {
    std::fprintf(stderr, "loadgen: rejected: %s\n", why.c_str());
  }
  return absl::FailedPreconditionError(
      absl::StrCat(r.rejected,
                   " events of a valid workload were rejected (first reasons "
                   "above)"));
}

void PrintStreamResult(const char* what, const StreamResult& r) {
  std::printf(
      "  %s: %s events in %.2f s = %s events/s (applied %s, duplicate %s, "
      "rejected %s)\n",
      what, Thousands(r.window_events).c_str(), absl::ToDoubleSeconds(r.window),
      Thousands(static_cast<int64_t>(r.rate())).c_str(),
      Thousands(r.applied).c_str(), Thousands(r.duplicates).c_str(),
      Thousands(r.rejected).c_str());
}

// The ingest mix on `streams` streams, one generator per stream.
std::vector<EventSource> MixSources(const LoadgenOptions& o, int streams,
                                    const std::string& prefix,
                                    absl::Status* status) {
  std::vector<EventSource> sources;
  for (int k = 0; k < streams; ++k) {
    WorkloadOptions w;
    w.tenant = o.tenant;
    w.shops = o.shops;
    w.zipf_exponent = o.zipf;
    w.seed = o.seed;
    w.id_prefix = prefix;
    w.partition = k;
    w.partitions = streams;
    auto gen = WorkloadGenerator::Create(w);
    if (!gen.ok()) {
      *status = gen.status();
      return {};
    }
    std::shared_ptr<WorkloadGenerator> g = *std::move(gen);
    sources.push_back([g](absl::Time now, v1::Event* e) {
      g->Next(now, e);
      return true;
    });
  }
  return sources;
}

std::vector<EventSource> PopulationSources(const LoadgenOptions& o, int streams,
                                           int64_t open_orders,
                                           const std::string& prefix,
                                           int64_t* total_events,
                                           absl::Status* status) {
  std::vector<EventSource> sources;
  *total_events = 0;
  for (int k = 0; k < streams; ++k) {
    PopulationOptions p;
    p.tenant = o.tenant;
    p.shops = o.shops;
    p.open_orders = open_orders;
    p.zipf_exponent = o.zipf;
    p.seed = o.seed;
    p.id_prefix = prefix;
    p.partition = k;
    p.partitions = streams;
    auto gen = PopulationGenerator::Create(p);
    if (!gen.ok()) {
      *status = gen.status();
      return {};
    }
    std::shared_ptr<PopulationGenerator> g = *std::move(gen);
    *total_events += g->total_events();
    sources.push_back(
        [g](absl::Time now, v1::Event* e) { return g->Next(now, e); });
  }
  return sources;
}

int StreamsFor(const LoadgenOptions& o) {
  return static_cast<int>(
      std::max<int64_t>(1, std::min<int64_t>(o.concurrency, o.shops)));
}

// --- Watch -------------------------------------------------------------------

// Reads Alerts.Watch on its own thread and hands each alert, with its
// arrival time, to `on_alert`. As the API asks of clients, a Watch ended with
// RESOURCE_EXHAUSTED (it fell too far behind, e.g. a burst of thousands of
// alerts in one commit) is resumed from the last sequence received + 1, so
// nothing is lost; resumes() counts them. Thread-safety: Stop() from the
// owning thread; on_alert runs on the watch thread.
class AlertWatch {
 public:
  using Handler = std::function<void(const v1::Alert&, absl::Time)>;
  AlertWatch(const std::shared_ptr<grpc::Channel>& channel,
             const v1::WatchAlertsRequest& request, Handler on_alert)
      : stub_(v1::Alerts::NewStub(channel)) {
    thread_ = std::thread([this, request, on_alert] {
      uint64_t next = request.from_sequence();
      for (;;) {
        grpc::ClientContext* ctx;
        {
          absl::MutexLock lock(&mu_);
          if (stopping_) return;
          context_ = std::make_unique<grpc::ClientContext>();
          ctx = context_.get();
        }
        v1::WatchAlertsRequest r = request;
        r.set_from_sequence(next);
        auto reader = stub_->Watch(ctx, r);
        v1::Alert alert;
        while (reader->Read(&alert)) {
          next = alert.sequence() + 1;
          on_alert(alert, absl::Now());
        }
        absl::Status s = FromGrpc(reader->Finish());
        if (s.code() == absl::StatusCode::kResourceExhausted && next > 0) {
          resumes_.fetch_add(1);
          continue;
        }
        absl::MutexLock lock(&mu_);
        status_ = s;
        return;
      }
    });
  }
  // Cancels the call and joins; the call's own status unless we cancelled.
  absl::Status Stop() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
      if (context_ != nullptr) context_->TryCancel();
    }
    thread_.join();
    absl::MutexLock lock(&mu_);
    if (status_.code() == absl::StatusCode::kCancelled) return absl::OkStatus();
    return status_;
  }
  int64_t resumes() const { return resumes_.load(); }

 private:
  std::unique_ptr<v1::Alerts::Stub> stub_;
  std::thread thread_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::unique_ptr<grpc::ClientContext> context_ ABSL_GUARDED_BY(mu_);
  absl::Status status_ ABSL_GUARDED_BY(mu_);
  std::atomic<int64_t> resumes_{0};
};

// Sends probe disputes (due within the lead, so they fire at once) until one
// comes back on the watch, so that measurements start with a live Watch.
absl::Status ProbeWatch(const std::shared_ptr<grpc::Channel>& channel,
                        const LoadgenOptions& o, absl::Time clock_now,
                        const std::string& prefix,
                        const std::atomic<bool>& seen) {
  auto ingest = v1::EventIngest::NewStub(channel);
  const absl::Time give_up = absl::Now() + absl::Seconds(20);
  for (int k = 0; !seen.load(); ++k) {
    if (absl::Now() > give_up) {
      return absl::DeadlineExceededError(
          "no probe alert arrived on Alerts.Watch within 20 s");
    }
    v1::EventBatch batch;
    batch.set_batch_seq(k + 1);
    MakeDisputeOpened(o.tenant, absl::StrCat("probe-", prefix),
                      absl::StrCat("probe-", prefix, "-", k),
                      absl::StrCat("probe-", prefix, "-", k),
                      clock_now + absl::Hours(1), absl::Now(),
                      batch.add_events());
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    v1::IngestAck ack;
    grpc::Status s = ingest->Publish(&ctx, batch, &ack);
    if (!s.ok()) return FromGrpc(s);
    if (ack.rejected() > 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the probe event was rejected: ", ack.results(0).reason()));
    }
    for (int i = 0; i < 50 && !seen.load(); ++i) {
      absl::SleepFor(absl::Milliseconds(10));
    }
  }
  return absl::OkStatus();
}

// The number after the last '-' of `s`, or -1.
int64_t TrailingNumber(absl::string_view s) {
  const size_t dash = s.rfind('-');
  int64_t v;
  if (dash == absl::string_view::npos ||
      !absl::SimpleAtoi(s.substr(dash + 1), &v)) {
    return -1;
  }
  return v;
}

}  // namespace

// --- ingest ------------------------------------------------------------------

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
  StreamPlan plan;
  plan.batch = o.batch;
  plan.in_flight = o.in_flight;
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

// --- populate ----------------------------------------------------------------

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
  StreamPlan plan;
  plan.batch = o.batch;
  plan.in_flight = o.in_flight;
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

// --- getshop -----------------------------------------------------------------

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

// --- alert-latency -----------------------------------------------------------

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
  const std::string probe_prefix = absl::StrCat("probe-", prefix, "-");

  v1::WatchAlertsRequest req;
  req.mutable_filter()->set_tenant(o.tenant);
  req.mutable_filter()->add_kinds(v1::DISPUTE_RESPONSE_DUE);
  AlertWatch watch(chans[0], req, [&](const v1::Alert& a, absl::Time now) {
    if (a.state() != v1::FIRING) return;
    const std::string& subject = a.key().subject();
    if (absl::StartsWith(subject, probe_prefix)) {
      probe_seen = true;
      return;
    }
    if (!absl::StartsWith(subject, trigger_prefix)) return;
    const int64_t n = TrailingNumber(subject);
    if (n < 0 || n >= triggers || sent_ns[n].load() == 0) {
      ++unexpected;
      return;
    }
    latency.Record(absl::ToUnixNanos(now) - sent_ns[n].load());
    samples.push_back({sent_ns[n].load(), absl::ToUnixNanos(now)});
    received.fetch_add(1);
  });
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
    StreamPlan plan;
    plan.batch = o.batch;
    plan.in_flight = o.in_flight;
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

// --- deadlines ---------------------------------------------------------------

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
    return FromTs(r.now());
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
  StreamPlan plan;
  plan.batch = o.batch;
  plan.in_flight = o.in_flight;
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
  const std::string probe_prefix = absl::StrCat("probe-", prefix, "-");
  v1::WatchAlertsRequest req;
  req.mutable_filter()->set_tenant(o.tenant);
  req.mutable_filter()->add_kinds(v1::DISPUTE_RESPONSE_DUE);
  AlertWatch watch(chans[0], req, [&](const v1::Alert& a, absl::Time now) {
    if (a.state() != v1::FIRING) return;
    const std::string& subject = a.key().subject();
    if (absl::StartsWith(subject, probe_prefix)) {
      probe_seen = true;
      return;
    }
    if (!absl::StartsWith(subject, dl_prefix)) return;
    const int64_t i = TrailingNumber(subject);
    if (i < 0 || i % stride != 0 || i / stride >= k_fire) return;
    const int64_t j = i / stride;
    if (recv_ns[j].load() != 0) return;
    if (a.stage() != "24h") ++wrong_stage;
    at_ns[j] = absl::ToUnixNanos(FromTs(a.at()));
    recv_ns[j] = absl::ToUnixNanos(now);
    received.fetch_add(1);
  });
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
      clock = FromTs(resp.now());
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

// --- serving -----------------------------------------------------------------

absl::Status RunServing(const LoadgenOptions& o) {
  if (o.port_file.empty() || o.since_unix_ns <= 0) {
    return absl::InvalidArgumentError(
        "serving needs --port_file and --since_unix_ns (the launch time)");
  }
  const absl::Time since = absl::FromUnixNanos(o.since_unix_ns);
  const absl::Time give_up = absl::Now() + o.timeout;
  std::string port;
  while (port.empty()) {
    std::ifstream in(o.port_file);
    if (in) std::getline(in, port);
    if (!port.empty()) break;
    if (absl::Now() > give_up) {
      return absl::DeadlineExceededError("no port file within the timeout");
    }
    absl::SleepFor(absl::Milliseconds(2));
  }
  const absl::Time port_at = absl::Now();
  const std::string target = absl::StrCat("127.0.0.1:", port);
  auto channel =
      grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  for (;;) {
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(1)));
    grpc::health::v1::HealthCheckRequest req;
    grpc::health::v1::HealthCheckResponse resp;
    grpc::Status s = health->Check(&ctx, req, &resp);
    if (s.ok() &&
        resp.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
      break;
    }
    if (absl::Now() > give_up) {
      return absl::DeadlineExceededError("not SERVING within the timeout");
    }
    absl::SleepFor(absl::Milliseconds(2));
  }
  const absl::Time healthy_at = absl::Now();
  // A readiness answer for a real shop (NOT_FOUND counts: it is an answer).
  auto readiness = v1::Readiness::NewStub(channel);
  for (;;) {
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    v1::GetShopRequest req;
    req.set_tenant(o.tenant);
    req.set_shop_id(ShopId(0));
    v1::ReadinessReport resp;
    grpc::Status s = readiness->GetShop(&ctx, req, &resp);
    if (s.ok() || s.error_code() == grpc::StatusCode::NOT_FOUND) break;
    if (absl::Now() > give_up) return FromGrpc(s);
    absl::SleepFor(absl::Milliseconds(2));
  }
  const absl::Time answered_at = absl::Now();
  std::printf(
      "serving: port file after %.3f s, health SERVING after %.3f s, first "
      "GetShop answered after %.3f s\n",
      absl::ToDoubleSeconds(port_at - since),
      absl::ToDoubleSeconds(healthy_at - since),
      absl::ToDoubleSeconds(answered_at - since));
  LatencyHistogram h;
  h.Record(absl::ToInt64Nanoseconds(answered_at - since));
  AppendCsv(o, "serving", 1, 0, h, 0, 0, 0, 0,
            absl::StrFormat("port_s=%.3f;health_s=%.3f",
                            absl::ToDoubleSeconds(port_at - since),
                            absl::ToDoubleSeconds(healthy_at - since)));
  return absl::OkStatus();
}

// --- stats -------------------------------------------------------------------

absl::Status RunStats(const LoadgenOptions& o) {
  auto channel =
      grpc::CreateChannel(o.target, grpc::InsecureChannelCredentials());
  auto admin = v1::Admin::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  v1::StatsResponse stats;
  grpc::Status s = admin->GetStats(&ctx, v1::GetStatsRequest(), &stats);
  if (!s.ok()) return FromGrpc(s);
  std::printf(
      "shops=%lld events_applied=%lld log_position=%llu "
      "checkpoint_position=%llu alert_sequence=%llu pending_deadlines=%lld "
      "shards=%d store_live_bytes=%lld dedupe_ids=%lld packed_shops=%lld\n",
      static_cast<long long>(stats.shops()),
      static_cast<long long>(stats.events_applied()),
      static_cast<unsigned long long>(stats.log_position()),
      static_cast<unsigned long long>(stats.checkpoint_position()),
      static_cast<unsigned long long>(stats.alert_sequence()),
      static_cast<long long>(stats.pending_deadlines()), stats.shards(),
      static_cast<long long>(stats.store_live_bytes()),
      static_cast<long long>(stats.dedupe_ids()),
      static_cast<long long>(stats.packed_shops()));
  return absl::OkStatus();
}

}  // namespace depositd::loadgen
