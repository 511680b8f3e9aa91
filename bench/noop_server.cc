// depositd-noop-server: the transport ceiling for the benchmarks. A gRPC
// server built from the same proto (depositd.v1) and with the same server
// settings as depositd (callback API, health service, reflection, no port
// reuse, 64 MiB receive limit, at most 4 batches read ahead per ingest
// stream), that does no work:
//
//   - EventIngest.Stream / Publish: every event APPLIED at once (the ack has
//     one result per event, as depositd's), nothing validated or stored;
//   - Readiness.GetShop: a fixed small report (two blockers) naming the shop;
//   - Alerts.Watch: every DisputeOpened event ingested is echoed at once as a
//     FIRING DISPUTE_RESPONSE_DUE alert (subject = dispute id) to the
//     watchers whose tenant filter matches, so alert-latency has a floor.
//
// Whatever depositd does beyond this (validation, sharding, apply, watchers,
// group commit and fsync) is what the ratio depositd / no-op measures.
//
//   depositd-noop-server --listen 127.0.0.1:0 --port-file /tmp/noop.port
//
// With --work-ns-per-event N, every ingested batch first burns N ns of the
// reading thread's CPU time per event: a server with depositd's CPU cost
// and none of its structure (no shards, no group commit, no fsync), for
// telling the two apart in ack latency (bench/RESULTS.md, session 6).
//
// SIGTERM / SIGINT: stops and exits 0.
#include <signal.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <deque>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "depositd/v1/service.grpc.pb.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "tools/flag_names.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:0", "host:port to serve on.");
ABSL_FLAG(std::string, port_file, "",
          "Once serving, write the bound port here (temp file + rename).");
ABSL_FLAG(int64_t, work_ns_per_event, 0,
          "CPU time (ns of the reading thread) to burn per ingested event "
          "before the ack; 0: none.");

namespace depositd::bench {
namespace {

// As in daemon/services.h.
constexpr int kMaxInflightBatches = 4;

// --- Watch: subscribers and the echo -----------------------------------------

class WatchReactor;

// The live Watch calls. Thread-safe.
class Subscribers {
 public:
  void Add(WatchReactor* w) {
    absl::MutexLock lock(&mu_);
    live_.push_back(w);
  }
  void Remove(WatchReactor* w) {
    absl::MutexLock lock(&mu_);
    for (size_t i = 0; i < live_.size(); ++i) {
      if (live_[i] == w) {
        live_[i] = live_.back();
        live_.pop_back();
        break;
      }
    }
  }
  void Publish(const v1::Alert& alert);

 private:
  absl::Mutex mu_;
  std::vector<WatchReactor*> live_ ABSL_GUARDED_BY(mu_);
};

// One Watch call: a queue of alerts written one at a time. Deletes itself
// in OnDone. Thread-safe.
class WatchReactor final : public grpc::ServerWriteReactor<v1::Alert> {
 public:
  WatchReactor(Subscribers* subs, std::string tenant)
      : subs_(subs), tenant_(std::move(tenant)) {
    subs_->Add(this);
  }

  // Called with the subscribers' lock held: must not call back into them.
  void Offer(const v1::Alert& alert) {
    if (!tenant_.empty() && alert.key().tenant() != tenant_) return;
    bool write = false;
    {
      absl::MutexLock lock(&mu_);
      if (ending_) return;
      queue_.push_back(alert);
      write = NextLocked();
    }
    if (write) StartWrite(&current_);
  }

  void OnWriteDone(bool ok) override {
    bool write = false, finish = false;
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      if (!ok) ending_ = true;
      write = NextLocked();
      finish = FinishLocked();
    }
    if (write) StartWrite(&current_);
    if (finish) Finish(grpc::Status::CANCELLED);
  }

  // The client went away, or the server is shutting down.
  void OnCancel() override {
    bool finish = false;
    {
      absl::MutexLock lock(&mu_);
      ending_ = true;
      finish = FinishLocked();
    }
    if (finish) Finish(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    subs_->Remove(this);
    delete this;
  }

 private:
  // Takes the next queued alert for writing; true if the caller must start
  // the write.
  bool NextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (writing_ || ending_ || queue_.empty()) return false;
    current_ = std::move(queue_.front());
    queue_.pop_front();
    writing_ = true;
    return true;
  }
  // True once (the caller must Finish): ending and no write in progress.
  bool FinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!ending_ || writing_ || finished_) return false;
    finished_ = true;
    return true;
  }

  Subscribers* const subs_;
  const std::string tenant_;
  absl::Mutex mu_;
  std::deque<v1::Alert> queue_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool ending_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  v1::Alert current_;
};

void Subscribers::Publish(const v1::Alert& alert) {
  absl::MutexLock lock(&mu_);
  for (WatchReactor* w : live_) w->Offer(alert);
}

// Echoes the batch's DisputeOpened events as alerts, if anyone watches.
void EchoDisputes(const v1::EventBatch& batch, Subscribers* subs,
                  std::atomic<uint64_t>* sequence) {
  for (const v1::Event& e : batch.events()) {
    if (e.body_case() != v1::Event::kDisputeOpened) continue;
    v1::Alert a;
    a.set_sequence(sequence->fetch_add(1) + 1);
    a.mutable_key()->set_tenant(e.tenant());
    a.mutable_key()->set_shop_id(e.shop_id());
    a.mutable_key()->set_kind(v1::DISPUTE_RESPONSE_DUE);
    a.mutable_key()->set_subject(e.dispute_opened().dispute_id());
    a.set_state(v1::FIRING);
    a.set_severity(v1::CRITICAL);
    a.set_stage("6h");
    a.set_change(v1::OPENED);
    subs->Publish(a);
  }
}

int64_t ThreadCpuNanos() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

// Spins until this thread has used `ns` more CPU time (not wall time: a
// descheduled thread burns nothing).
void BurnCpu(int64_t ns) {
  if (ns <= 0) return;
  const int64_t until = ThreadCpuNanos() + ns;
  while (ThreadCpuNanos() < until) {
  }
}

void FillAck(const v1::EventBatch& batch, v1::IngestAck* ack) {
  BurnCpu(absl::GetFlag(FLAGS_work_ns_per_event) * batch.events_size());
  ack->Clear();
  ack->set_batch_seq(batch.batch_seq());
  ack->mutable_results()->Reserve(batch.events_size());
  for (int i = 0; i < batch.events_size(); ++i) {
    ack->add_results()->set_outcome(v1::APPLIED);
  }
  ack->set_applied(static_cast<uint32_t>(batch.events_size()));
}

// --- EventIngest.Stream ------------------------------------------------------

// Reads up to kMaxInflightBatches ahead of the acks it has written, like
// depositd's stream reactor, but each ack is ready as soon as its batch is
// read. Thread-safe (state under mu_, gRPC operations issued outside).
class NoopStreamReactor final
    : public grpc::ServerBidiReactor<v1::EventBatch, v1::IngestAck> {
 public:
  NoopStreamReactor(Subscribers* subs, std::atomic<uint64_t>* sequence)
      : subs_(subs), sequence_(sequence) {
    Pump();
  }

  void OnReadDone(bool ok) override {
    // request_ is used before reading_ is cleared: once it is, another
    // thread's Pump() may start the next read into it.
    v1::IngestAck ack;
    if (ok) {
      FillAck(request_, &ack);
      EchoDisputes(request_, subs_, sequence_);
    }
    {
      absl::MutexLock lock(&mu_);
      reading_ = false;
      if (!ok) {
        read_closed_ = true;
      } else {
        acks_.push_back(std::move(ack));
      }
    }
    Pump();
  }

  void OnWriteDone(bool ok) override {
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      if (!ok) write_failed_ = true;
    }
    Pump();
  }

  void OnDone() override { delete this; }

 private:
  void Pump() {
    bool read = false, write = false, finish = false;
    grpc::Status status;
    {
      absl::MutexLock lock(&mu_);
      if (finished_) return;
      if (!writing_ && !write_failed_ && !acks_.empty()) {
        current_ = std::move(acks_.front());
        acks_.pop_front();
        writing_ = true;
        write = true;
      }
      if (!reading_ && !read_closed_ && !write_failed_ &&
          static_cast<int>(acks_.size()) + (writing_ ? 1 : 0) <
              kMaxInflightBatches) {
        reading_ = true;
        read = true;
      }
      if (write_failed_ && !writing_ && !reading_) {
        finish = true;
        status = grpc::Status(grpc::StatusCode::CANCELLED,
                              "the client stopped reading acks");
      } else if (read_closed_ && acks_.empty() && !writing_) {
        finish = true;
        status = grpc::Status::OK;
      }
      if (finish) finished_ = true;
    }
    if (write) StartWrite(&current_);
    if (read) StartRead(&request_);
    if (finish) Finish(status);
  }

  Subscribers* const subs_;
  std::atomic<uint64_t>* const sequence_;
  v1::EventBatch request_;  // owned by the read in progress
  v1::IngestAck current_;   // owned by the write in progress
  absl::Mutex mu_;
  std::deque<v1::IngestAck> acks_ ABSL_GUARDED_BY(mu_);
  bool reading_ ABSL_GUARDED_BY(mu_) = false;
  bool read_closed_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool write_failed_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

class IngestService final : public v1::EventIngest::CallbackService {
 public:
  IngestService(Subscribers* subs, std::atomic<uint64_t>* sequence)
      : subs_(subs), sequence_(sequence) {}

  grpc::ServerBidiReactor<v1::EventBatch, v1::IngestAck>* Stream(
      grpc::CallbackServerContext*) override {
    return new NoopStreamReactor(subs_, sequence_);
  }

  grpc::ServerUnaryReactor* Publish(grpc::CallbackServerContext* ctx,
                                    const v1::EventBatch* request,
                                    v1::IngestAck* response) override {
    FillAck(*request, response);
    EchoDisputes(*request, subs_, sequence_);
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

 private:
  Subscribers* const subs_;
  std::atomic<uint64_t>* const sequence_;
};

class ReadinessService final : public v1::Readiness::CallbackService {
 public:
  ReadinessService() {
    // About the size of a real report for a small operating shop.
    canned_.set_profile("tiktok_shop_cross_border");
    canned_.set_lifecycle(v1::OPERATING);
    canned_.set_verdict(v1::NOT_READY);
    v1::Blocker* b = canned_.add_blockers();
    b->set_condition(v1::R1_ORDERS_IN_FLIGHT);
    b->set_summary("3 orders not yet delivered");
    b->set_count(3);
    b->add_ids("s1-0000000000000001");
    b->add_ids("s1-0000000000000002");
    b->add_ids("s1-0000000000000003");
    b->set_action("Ship and deliver every order before closing.");
    b = canned_.add_blockers();
    b->set_condition(v1::R7_WAITING_PERIOD);
    b->set_summary("the shop is not closed yet");
    b->set_action("Request closure.");
    v1::Money* m = canned_.add_balance();
    m->set_minor_units(50000);
    m->set_currency("USD");
    *canned_.add_refundable() = *m;
    canned_.set_events_applied(12);
  }

  grpc::ServerUnaryReactor* GetShop(grpc::CallbackServerContext* ctx,
                                    const v1::GetShopRequest* request,
                                    v1::ReadinessReport* response) override {
    *response = canned_;
    response->set_tenant(request->tenant());
    response->set_shop_id(request->shop_id());
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

 private:
  v1::ReadinessReport canned_;
};

class AlertsService final : public v1::Alerts::CallbackService {
 public:
  explicit AlertsService(Subscribers* subs) : subs_(subs) {}

  grpc::ServerWriteReactor<v1::Alert>* Watch(
      grpc::CallbackServerContext*,
      const v1::WatchAlertsRequest* request) override {
    return new WatchReactor(subs_, request->filter().tenant());
  }

 private:
  Subscribers* const subs_;
};

int Main() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  Subscribers subs;
  std::atomic<uint64_t> sequence{0};
  IngestService ingest(&subs, &sequence);
  ReadinessService readiness;
  AlertsService alerts(&subs);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  const std::string listen = absl::GetFlag(FLAGS_listen);
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(64 << 20);
  builder.RegisterService(&ingest);
  builder.RegisterService(&readiness);
  builder.RegisterService(&alerts);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::fprintf(stderr, "depositd-noop-server: cannot listen on %s\n",
                 listen.c_str());
    return 1;
  }
  const std::string port_file = absl::GetFlag(FLAGS_port_file);
  if (!port_file.empty()) {
    const std::string tmp = port_file + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << port << "\n";
    }
    if (std::rename(tmp.c_str(), port_file.c_str()) != 0) {
      std::fprintf(stderr, "depositd-noop-server: cannot write %s\n",
                   port_file.c_str());
      return 1;
    }
  }
  std::fprintf(stderr, "depositd-noop-server: listening on port %d\n", port);
  int sig = 0;
  sigwait(&signals, &sig);
  server->Shutdown(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(250));
  server->Wait();
  std::fprintf(stderr, "depositd-noop-server: stopped\n");
  std::fflush(stderr);
  std::_Exit(0);
}

}  // namespace
}  // namespace depositd::bench

int main(int argc, char** argv) {
  std::vector<std::string> storage;
  std::vector<char*> args = depositd::NormalizeFlagNames(argc, argv, &storage);
  absl::ParseCommandLine(static_cast<int>(args.size()), args.data());
  return depositd::bench::Main();
}
