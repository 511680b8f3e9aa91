#include "tools/loadgen/stream_driver.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <deque>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "tools/loadgen/channels.h"
#include "tools/loadgen/report.h"
#include "tools/loadgen/workload.h"

namespace depositd::loadgen {
namespace {

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

// The options every workload generator has, for stream `k` of `streams`.
template <typename GeneratorOptions>
GeneratorOptions ForStream(const LoadgenOptions& o, const std::string& prefix,
                           int k, int streams) {
  GeneratorOptions g;
  g.tenant = o.tenant;
  g.shops = o.shops;
  g.zipf_exponent = o.zipf;
  g.seed = o.seed;
  g.id_prefix = prefix;
  g.partition = k;
  g.partitions = streams;
  return g;
}

}  // namespace

StreamPlan PlanFor(const LoadgenOptions& o) {
  StreamPlan plan;
  plan.batch = o.batch;
  plan.in_flight = o.in_flight;
  return plan;
}

StreamResult RunStreams(
    const std::vector<std::shared_ptr<grpc::Channel>>& chans,
    const StreamPlan& plan, std::vector<EventSource> sources,
    const SentHook& on_sent) {
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

std::string IdPrefix(const LoadgenOptions& o) {
  return o.run_id.empty() ? absl::StrCat("s", o.seed) : o.run_id;
}

std::vector<EventSource> MixSources(const LoadgenOptions& o, int streams,
                                    const std::string& prefix,
                                    absl::Status* status) {
  std::vector<EventSource> sources;
  for (int k = 0; k < streams; ++k) {
    auto gen = WorkloadGenerator::Create(
        ForStream<WorkloadOptions>(o, prefix, k, streams));
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
    PopulationOptions p = ForStream<PopulationOptions>(o, prefix, k, streams);
    p.open_orders = open_orders;
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
}  // namespace depositd::loadgen
