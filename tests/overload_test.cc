// Overload tests: the real depositd under more load than it can take.
//
//   - Ingest faster than the disk: 16 streams on 16 connections push
//     batches of 1,000 events as fast as they can, each wanting 64 batches
//     in flight (1,024,000 events), for 15 s against fsync group commits.
//     The daemon admits at most Engine::Options::max_inflight_events
//     (200,000) events that are not yet durable; a stream reads its next
//     batch only when the previous one was admitted, so HTTP/2 flow control
//     holds the rest in the clients. The daemon's peak RSS (VmHWM) must stay
//     under a bound made of what it is allowed to hold (see IngestBound).
//   - 10,000 idle Alerts.Watch streams: RSS per stream is reported and
//     bounded.
//   - A webhook receiver that accepts requests and never answers does not
//     slow ingest: every batch is acknowledged while the sink is stuck, and
//     deliveries resume once the receiver answers again.
//
// No timing is asserted (bench/ measures speed); resource bounds are.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "depositd/v1/service.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"
#include "tests/http_receiver.h"
#include "tests/test_events.h"
#include "tools/stream_sender.h"

namespace depositd::integration {
namespace {

constexpr int64_t kMiB = 1 << 20;

// A field of /proc/PID/status in bytes (VmRSS, VmHWM), or -1.
int64_t ProcStatusBytes(pid_t pid, const std::string& field) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) != 0) continue;
    std::vector<std::string> parts =
        absl::StrSplit(line.substr(field.size() + 1), absl::ByAnyChar(" \t"),
                       absl::SkipEmpty());
    int64_t kb = 0;
    if (!parts.empty() && absl::SimpleAtoi(parts[0], &kb)) return kb * 1024;
  }
  return -1;
}

// A channel on its own TCP connection (a distinct channel argument keeps
// gRPC from sharing the subchannel).
std::shared_ptr<grpc::Channel> OwnChannel(const std::string& address, int i) {
  grpc::ChannelArguments args;
  args.SetInt("depositd.test.connection", i);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(),
                                   args);
}

std::string Mib(int64_t bytes) {
  return absl::StrFormat("%.1f MiB", static_cast<double>(bytes) / kMiB);
}

// Samples a process's VmRSS every 100 ms on a thread until stopped.
class RssSampler {
 public:
  explicit RssSampler(pid_t pid) : pid_(pid) {
    thread_ = std::thread([this] {
      while (!stop_.load()) {
        const int64_t rss = ProcStatusBytes(pid_, "VmRSS");
        {
          absl::MutexLock lock(&mu_);
          max_ = std::max(max_, rss);
          if (samples_ % 20 == 0) series_.push_back(rss);
          ++samples_;
        }
        absl::SleepFor(absl::Milliseconds(100));
      }
    });
  }
  ~RssSampler() { Stop(); }
  void Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
  }
  int64_t max() {
    absl::MutexLock lock(&mu_);
    return max_;
  }
  int samples() {
    absl::MutexLock lock(&mu_);
    return samples_;
  }
  // Every 20th sample (one per 2 s), as "12.3 45.6 ..." MiB.
  std::string Series() {
    absl::MutexLock lock(&mu_);
    std::string out;
    for (int64_t b : series_) {
      absl::StrAppendFormat(&out, "%s%.0f", out.empty() ? "" : " ",
                            static_cast<double>(b) / kMiB);
    }
    return out;
  }

 private:
  const pid_t pid_;
  std::atomic<bool> stop_{false};
  absl::Mutex mu_;
  int64_t max_ ABSL_GUARDED_BY(mu_) = 0;
  int samples_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<int64_t> series_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

v1::Event Metrics(const std::string& tenant, const std::string& shop,
                  const std::string& id, int n) {
  v1::Event e = ShopEvents(tenant, shop).Envelope(id, "2026-02-01T00:00:00Z");
  e.mutable_metrics_reported()->set_fulfilment_rate_pct(50 + n % 50);
  return e;
}

// ---------------------------------------------------------------------------
// Ingest faster than the disk
// ---------------------------------------------------------------------------

TEST(OverloadTest, IngestFasterThanDiskKeepsMemoryBounded) {
  DaemonHarness::Options options;
  options.sync = "";  // fsync before every ack (the default)
  // 4 MiB memtables (tests-only flag): RocksDB's own buffers stay small, so
  // what the bound measures is depositd's queues and state. Event ids are
  // remembered for a day of the test clock, which moves a day a second
  // (below), so remembered ids stay a few seconds' worth.
  options.extra_args = {"--store-test-write-buffer-kb=4096",
                        "--dedupe-window-days=1",
                        "--checkpoint-interval-seconds=1"};
  absl::StatusOr<std::unique_ptr<DaemonHarness>> started =
      DaemonHarness::Start(options);
  ASSERT_TRUE(started.ok()) << started.status();
  DaemonHarness& daemon = **started;

  constexpr int kShops = 1000;
  constexpr int kStreams = 16;
  constexpr int kBatch = 1000;
  constexpr int kInFlight = 64;
  const absl::Duration kPush = absl::Seconds(15);
  // Warm up: every shop exists (state that does not grow after this).
  {
    std::vector<v1::Event> reg;
    for (int s = 0; s < kShops; ++s) {
      reg.push_back(ShopEvents("load", absl::StrCat("shop-", s))
                        .Registered(absl::StrCat("reg-", s),
                                    "2026-01-01T00:00:00Z", "generic", "CN"));
    }
    ASSERT_TRUE(Publish(daemon.channel(), reg).ok());
  }
  absl::SleepFor(absl::Milliseconds(500));
  const int64_t baseline = ProcStatusBytes(daemon.pid(), "VmRSS");
  ASSERT_GT(baseline, 0);

  RssSampler sampler(daemon.pid());
  std::atomic<bool> stop{false};
  // The test clock moves a day each second; the most ids remembered at once.
  std::atomic<int64_t> max_dedupe{0};
  std::thread clock([&] {
    auto admin = v1::Admin::NewStub(daemon.channel());
    while (!stop.load()) {
      absl::SleepFor(absl::Seconds(1));
      grpc::ClientContext ctx;
      ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
      v1::AdvanceTestClockRequest req;
      req.mutable_by()->set_seconds(24 * 3600);
      v1::TestClockResponse resp;
      grpc::Status s = admin->AdvanceTestClock(&ctx, req, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message();
      absl::StatusOr<v1::StatsResponse> st = GetStats(daemon.channel());
      if (st.ok()) {
        max_dedupe.store(std::max(max_dedupe.load(), st->dedupe_ids()));
      }
    }
  });
  std::atomic<int64_t> acked{0};
  std::vector<absl::Status> statuses(kStreams);
  std::vector<std::thread> streams;
  const absl::Time start = absl::Now();
  for (int i = 0; i < kStreams; ++i) {
    streams.emplace_back([&, i] {
      auto channel = OwnChannel(daemon.address(), i);
      auto stub = v1::EventIngest::NewStub(channel);
      tools::StreamSender::Options so;
      so.batch_size = kBatch;
      so.max_in_flight = kInFlight;
      so.deadline = absl::Seconds(120);
      // Sixteen connections open at once on two loaded cores: one attempt
      // failing is retried rather than ending the stream (a CI run once saw
      // UNAVAILABLE "failed to connect to all addresses" on one of them).
      so.wait_for_ready = true;
      tools::StreamSender sender(stub.get(), so);
      int64_t n = 0;
      statuses[i] = sender.Run(
          [&](tools::StreamSender::Item* item) {
            if (stop.load()) return false;
            item->event =
                Metrics("load", absl::StrCat("shop-", (n * 7 + i) % kShops),
                        absl::StrCat("s", i, "-", n), static_cast<int>(n));
            item->tag = n++;
            return true;
          },
          [&](const tools::StreamSender::SentBatch&, const v1::IngestAck& a) {
            acked.fetch_add(a.applied());
          });
    });
  }
  absl::SleepFor(kPush);
  stop.store(true);
  for (std::thread& t : streams) t.join();
  clock.join();
  const absl::Duration took = absl::Now() - start;
  sampler.Stop();
  for (int i = 0; i < kStreams; ++i) {
    EXPECT_TRUE(statuses[i].ok()) << "stream " << i << ": " << statuses[i];
  }
  const int64_t hwm = ProcStatusBytes(daemon.pid(), "VmHWM");
  absl::StatusOr<v1::StatsResponse> stats = GetStats(daemon.channel());
  ASSERT_TRUE(stats.ok()) << stats.status();

  // What the daemon may hold, beyond its baseline:
  //  - in-flight events: at most max_inflight_events (200,000) admitted and
  //    not durable, plus one waiting batch per stream (16 x 1,000); about
  //    600 bytes each in memory (event, result, log record bytes) — 128 MiB;
  //  - per connection: HTTP/2 receive window and one decoded batch, 2 MiB x
  //    16 — 32 MiB;
  //  - dedupe ids remembered at once (a day of test clock): 32 bytes each
  //    (dedupe.h) plus hash-table slack (it doubles) — 96 bytes each;
  //  - RocksDB: 4 MiB memtables (3 for the log family, 2 for the others),
  //    the 8 MiB block cache, compaction buffers — 64 MiB.
  // A daemon that read batches faster than it commits them would hold the
  // clients' 1,024,000 in-flight events (several hundred MiB) on top.
  const int64_t inflight = 128 * kMiB;
  const int64_t transport = 32 * kMiB;
  const int64_t dedupe = std::max(max_dedupe.load(), stats->dedupe_ids()) * 96;
  const int64_t rocksdb = 64 * kMiB;
  const int64_t bound = baseline + inflight + transport + dedupe + rocksdb;
  std::cout << absl::StrFormat(
      "ingest overload: %d streams x %d batches of %d in flight, %s: acked "
      "%d events (%.0f/s); daemon RSS baseline %s, peak sampled %s (%d "
      "samples), VmHWM %s; dedupe ids at most %d; bound %s (in-flight %s + "
      "transport %s + dedupe %s + rocksdb %s)\n",
      kStreams, kInFlight, kBatch, absl::FormatDuration(took), acked.load(),
      acked.load() / absl::ToDoubleSeconds(took), Mib(baseline),
      Mib(sampler.max()), sampler.samples(), Mib(hwm), max_dedupe.load(),
      Mib(bound), Mib(inflight), Mib(transport), Mib(dedupe), Mib(rocksdb));
  std::cout << "daemon RSS every 2 s, MiB: " << sampler.Series() << "\n";
  EXPECT_GT(acked.load(), 0);
  EXPECT_LE(hwm, bound) << "peak RSS " << Mib(hwm) << " over the bound "
                        << Mib(bound);
  EXPECT_TRUE(daemon.Stop().ok()) << daemon.LogTail();
}

// ---------------------------------------------------------------------------
// 10,000 idle Watch streams
// ---------------------------------------------------------------------------

// One Watch call that counts what it receives. Deletes nothing: owned by
// the test. Thread-safe.
class WatchCall final : public grpc::ClientReadReactor<v1::Alert> {
 public:
  void Start(v1::Alerts::Stub* stub, uint64_t from) {
    request_.set_from_sequence(from);
    stub->async()->Watch(&context_, &request_, this);
    StartRead(&alert_);
    StartCall();
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    received_.fetch_add(1);
    StartRead(&alert_);
  }
  void OnDone(const grpc::Status& s) override {
    absl::MutexLock lock(&mu_);
    status_ = s;
    done_ = true;
  }
  void Cancel() { context_.TryCancel(); }
  int received() const { return received_.load(); }
  bool WaitDone(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(absl::Condition(&done_), timeout);
  }

 private:
  grpc::ClientContext context_;
  v1::WatchAlertsRequest request_;
  v1::Alert alert_;
  std::atomic<int> received_{0};
  absl::Mutex mu_;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status status_ ABSL_GUARDED_BY(mu_);
};

// Events that make one refund-account alert fire for `shop` (a douyin shop
// whose refund account differs from the account it paid from).
std::vector<v1::Event> FiringShop(const std::string& shop) {
  const ShopEvents s("watchers", shop);
  return {s.Registered(shop + "-reg", "2026-01-05T00:00:00Z", "douyin", "CN"),
          s.DepositPaid(shop + "-dep", "2026-01-05T01:00:00Z", "dep-1", 3000000,
                        "CNY", "corporate_account", "corp-A"),
          s.RefundAccountSet(shop + "-acct", "2026-01-06T00:00:00Z",
                             "corporate_account", "corp-B", "CNY")};
}

TEST(OverloadTest, TenThousandIdleWatchStreamsHoldBoundedMemory) {
  DaemonHarness::Options options;
  absl::StatusOr<std::unique_ptr<DaemonHarness>> started =
      DaemonHarness::Start(options);
  ASSERT_TRUE(started.ok()) << started.status();
  DaemonHarness& daemon = **started;
  ASSERT_TRUE(Publish(daemon.channel(), FiringShop("w-1")).ok());
  absl::StatusOr<v1::StatsResponse> stats = GetStats(daemon.channel());
  ASSERT_TRUE(stats.ok()) << stats.status();
  ASSERT_GT(stats->alert_sequence(), 0u) << "no alert fired";

  constexpr int kStreams = 10000;
  constexpr int kConnections = 10;
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::vector<std::unique_ptr<v1::Alerts::Stub>> stubs;
  for (int i = 0; i < kConnections; ++i) {
    channels.push_back(OwnChannel(daemon.address(), i));
    stubs.push_back(v1::Alerts::NewStub(channels.back()));
  }
  // Warm up one stream per connection, then take the baseline.
  std::vector<std::unique_ptr<WatchCall>> calls;
  for (int i = 0; i < kConnections; ++i) {
    calls.push_back(std::make_unique<WatchCall>());
    calls.back()->Start(stubs[i].get(), 1);
  }
  auto all_received = [&](absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    for (;;) {
      int missing = 0;
      for (const auto& c : calls) missing += c->received() == 0;
      if (missing == 0) return 0;
      if (absl::Now() > deadline) return missing;
      absl::SleepFor(absl::Milliseconds(50));
    }
  };
  ASSERT_EQ(all_received(absl::Seconds(30)), 0);
  absl::SleepFor(absl::Milliseconds(300));
  const int64_t before = ProcStatusBytes(daemon.pid(), "VmRSS");

  // Each stream replays the alert from sequence 1, so once every stream has
  // received it the server holds all of them.
  const absl::Time opened = absl::Now();
  for (int i = kConnections; i < kStreams; ++i) {
    calls.push_back(std::make_unique<WatchCall>());
    calls.back()->Start(stubs[i % kConnections].get(), 1);
  }
  const int missing = all_received(absl::Seconds(60));
  ASSERT_EQ(missing, 0) << missing << " of " << kStreams
                        << " streams received nothing\n"
                        << daemon.LogTail();
  const absl::Duration open_took = absl::Now() - opened;
  absl::SleepFor(absl::Seconds(1));
  const int64_t with = ProcStatusBytes(daemon.pid(), "VmRSS");
  // Idle for 3 s more: memory does not grow with idle time.
  absl::SleepFor(absl::Seconds(3));
  const int64_t idle = ProcStatusBytes(daemon.pid(), "VmRSS");
  // A new alert still reaches every stream.
  ASSERT_TRUE(Publish(daemon.channel(), FiringShop("w-2")).ok());
  const absl::Time fanout = absl::Now();
  int short_of_two = 0;
  for (;;) {
    short_of_two = 0;
    for (const auto& c : calls) short_of_two += c->received() < 2;
    if (short_of_two == 0 || absl::Now() - fanout > absl::Seconds(60)) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_EQ(short_of_two, 0) << "streams that missed the second alert";
  const int64_t per_stream = (with - before) / (kStreams - kConnections);
  std::cout << absl::StrFormat(
      "watch streams: %d on %d connections, open and replayed in %s; daemon "
      "RSS %s before, %s with them, %s after 3 s idle; %d bytes per stream; "
      "a new alert reached all in %s\n",
      kStreams, kConnections, absl::FormatDuration(open_took), Mib(before),
      Mib(with), Mib(idle), per_stream,
      absl::FormatDuration(absl::Now() - fanout));
  // gRPC's per-call state (call arena, HTTP/2 stream, the reactor) and the
  // session's bounded send buffer: 64 KiB per stream at most.
  EXPECT_LE(per_stream, 64 * 1024);
  // Idle streams cost nothing more over time (allow 8 MiB of noise).
  EXPECT_LE(idle - with, 8 * kMiB);

  for (auto& c : calls) c->Cancel();
  for (auto& c : calls) EXPECT_TRUE(c->WaitDone(absl::Seconds(30)));
  ASSERT_TRUE(GetStats(daemon.channel()).ok());
  EXPECT_TRUE(daemon.Stop().ok()) << daemon.LogTail();
}

// ---------------------------------------------------------------------------
// A stuck webhook receiver
// ---------------------------------------------------------------------------

TEST(OverloadTest, StuckWebhookDoesNotStallIngest) {
  absl::StatusOr<std::unique_ptr<HttpReceiver>> receiver =
      HttpReceiver::Start();
  ASSERT_TRUE(receiver.ok()) << receiver.status();
  HttpReceiver& hook = **receiver;
  hook.Hold(true);  // accept and read every request, answer none

  std::string dir = testing::TempDir();
  if (dir.empty() || dir.back() != '/') dir += '/';
  dir += "depositd-stuck-hook-XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  const std::string config = dir + "/depositd.textproto";
  // A long timeout: the sink's one worker hangs on its first request.
  std::ofstream(config) << absl::StrFormat(
      R"pb(
        tenants { tenant: "watchers" language: "en" }
        sinks { name: "stuck-hook" type: WEBHOOK url: "%s" timeout_ms: 600000 }
        routes { sinks: "stuck-hook" repeat_interval_minutes: 525600 }
      )pb",
      hook.Url("/hook"));
  DaemonHarness::Options options;
  options.extra_args = {"--config", config};
  absl::StatusOr<std::unique_ptr<DaemonHarness>> started =
      DaemonHarness::Start(options);
  ASSERT_TRUE(started.ok()) << started.status();
  DaemonHarness& daemon = **started;

  // 500 shops whose alert fires: 500 transitions for the stuck sink.
  constexpr int kAlertShops = 500;
  {
    std::vector<v1::Event> events;
    for (int s = 0; s < kAlertShops; ++s) {
      for (v1::Event& e : FiringShop(absl::StrCat("hook-", s))) {
        events.push_back(std::move(e));
      }
    }
    absl::StatusOr<v1::IngestAck> ack = Publish(daemon.channel(), events);
    ASSERT_TRUE(ack.ok()) << ack.status();
    EXPECT_EQ(ack->rejected(), 0u);
  }
  ASSERT_TRUE(
      hook.WaitFor([](const auto& r) { return !r.empty(); }, absl::Seconds(30)))
      << "the sink never called the receiver\n"
      << daemon.LogTail();
  const int64_t rss_before = ProcStatusBytes(daemon.pid(), "VmRSS");

  // While the sink hangs: 300,000 more events on one stream, all acked.
  constexpr int64_t kEvents = 300000;
  int64_t applied = 0;
  {
    auto stub = v1::EventIngest::NewStub(daemon.channel());
    tools::StreamSender::Options so;
    so.batch_size = 1000;
    so.max_in_flight = 16;
    so.deadline = absl::Seconds(90);
    tools::StreamSender sender(stub.get(), so);
    int64_t n = 0;
    const absl::Time start = absl::Now();
    absl::Status s = sender.Run(
        [&](tools::StreamSender::Item* item) {
          if (n == kEvents) return false;
          item->event =
              Metrics("watchers", absl::StrCat("hook-", n % kAlertShops),
                      absl::StrCat("m-", n), static_cast<int>(n));
          item->tag = n++;
          return true;
        },
        [&](const tools::StreamSender::SentBatch&, const v1::IngestAck& a) {
          applied += a.applied();
        });
    ASSERT_TRUE(s.ok()) << s << "\n" << daemon.LogTail();
    const absl::Duration took = absl::Now() - start;
    const std::vector<RecordedRequest> held = hook.requests();
    int answered = 0;
    for (const RecordedRequest& r : held) answered += r.status != 0;
    std::cout << absl::StrFormat(
        "stuck webhook: %d events acked in %s (%.0f/s) while the receiver "
        "held %d request(s) unanswered (%d answered); daemon RSS %s before, "
        "%s after\n",
        applied, absl::FormatDuration(took),
        applied / absl::ToDoubleSeconds(took),
        static_cast<int>(held.size()) - answered, answered, Mib(rss_before),
        Mib(ProcStatusBytes(daemon.pid(), "VmRSS")));
    EXPECT_EQ(answered, 0) << "the receiver was supposed to be stuck";
  }
  EXPECT_EQ(applied, kEvents);
  // Reads and the alert log are fine too.
  absl::StatusOr<v1::ReadinessReport> shop =
      GetShop(daemon.channel(), "watchers", "hook-1");
  ASSERT_TRUE(shop.ok()) << shop.status();
  absl::StatusOr<v1::StatsResponse> stats = GetStats(daemon.channel());
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_GE(stats->alert_sequence(), static_cast<uint64_t>(kAlertShops));

  // The receiver answers again: deliveries flow.
  hook.Hold(false);
  EXPECT_TRUE(hook.WaitFor(
      [](const std::vector<RecordedRequest>& r) {
        int ok = 0;
        for (const RecordedRequest& q : r) ok += q.status == 200;
        return ok >= 2;
      },
      absl::Seconds(60)))
      << "no deliveries after the receiver came back\n"
      << daemon.LogTail();
  EXPECT_TRUE(daemon.Stop().ok()) << daemon.LogTail();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace depositd::integration
