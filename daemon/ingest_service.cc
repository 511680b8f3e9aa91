#include "daemon/ingest_service.h"

#include <cstdio>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "daemon/log_throttle.h"
#include "daemon/rpc_support.h"
#include "daemon/tenant_scope.h"
#include "depositd/v1/service.grpc.pb.h"
#include "edge/event_batch_decoder.h"
#include "google/protobuf/arena.h"

namespace depositd::daemon {
namespace {

// Decodes one ingest request (raw bytes, see edge/event_batch_decoder.h)
// into `batch`; the events rejected in decoding go to `rejected`.
// INVALID_ARGUMENT when the bytes are not an EventBatch at all.
absl::Status DecodeIngestRequest(grpc::ByteBuffer* request,
                                 v1::EventBatch* batch,
                                 std::vector<edge::EventRejection>* rejected) {
  edge::DecodeOptions options;
  options.max_events = kMaxEventsPerBatch;
  return edge::DecodeEventBatch(
      [request]()
          -> std::unique_ptr<google::protobuf::io::ZeroCopyInputStream> {
        return std::make_unique<grpc::ProtoBufferReader>(request);
      },
      batch, rejected, options);
}

// Wraps `done` so the ack carries the events rejected in decoding at their
// places; `decoded` is the number of events decoded (the batch before any
// other filtering).
std::function<void(v1::IngestAck)> RestoreDecodeRejections(
    int decoded, std::vector<edge::EventRejection> rejected,
    std::function<void(v1::IngestAck)> done) {
  if (rejected.empty()) return done;
  std::vector<std::string> reasons(decoded + rejected.size());
  for (edge::EventRejection& r : rejected) {
    reasons[r.index] = std::move(r.reason);
  }
  return RestoreRejections(std::move(reasons),
                           static_cast<int>(rejected.size()), std::move(done));
}

// Counts (and logs, throttled) a request, or events of one, that did not
// decode: `status` is the batch's error, or OK with `rejected` non-empty.
void NoteUndecodable(LogThrottle* log, const grpc::CallbackServerContext* ctx,
                     absl::string_view rpc, const absl::Status& status,
                     const std::vector<edge::EventRejection>& rejected) {
  if (status.ok() && rejected.empty()) return;
  if (!status.ok()) {
    log->Note(
        absl::StrCat(rpc, " from ", ctx->peer(),
                     ": a batch that does not decode: ", status.message()));
  } else {
    log->Note(absl::StrCat(rpc, " from ", ctx->peer(), ": ", rejected.size(),
                           " event(s) of a batch do not decode, the first (",
                           rejected[0].index, "): ", rejected[0].reason));
  }
}

void SerializeAck(const v1::IngestAck& ack, grpc::ByteBuffer* out) {
  SerializeMessage(ack, out);
}

// Arena blocks for one ingest batch. Batches stay in memory until acked
// (up to max_inflight_events of them when each holds one event), so a
// one-event batch must cost about what its event does: blocks start at
// 1 KiB and double to 64 KiB, so a 1,000-event batch (~300 KB parsed)
// wastes at most a block, not the half a large last block would.
google::protobuf::ArenaOptions ArenaOptions() {
  google::protobuf::ArenaOptions o;
  o.start_block_size = 1 << 10;
  o.max_block_size = 64 << 10;
  return o;
}

// One Stream call, on raw bytes: each batch is decoded by
// DecodeIngestRequest (one bad event is REJECTED in its ack; a batch that is
// not an EventBatch ends the stream with INVALID_ARGUMENT naming it, after
// the acks of the batches before it). Deletes itself when gRPC is done with
// it and every engine callback has run. Thread-safe (state under mu_; gRPC
// ops issued outside).
class IngestStreamReactor final
    : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>,
      public ShutdownListener {
 public:
  // `auth` and `ctx` (may be null / borrowed until OnDone) re-authorize the
  // caller at each batch.
  IngestStreamReactor(Engine* engine, StreamRegistry* registry,
                      const Authorizer* auth,
                      const grpc::CallbackServerContext* ctx,
                      LogThrottle* undecodable, Principal principal)
      : engine_(engine),
        registry_(registry),
        auth_(auth),
        ctx_(ctx),
        undecodable_(undecodable),
        principal_(std::move(principal)),
        store_watch_(std::make_shared<StoreWatch>(this)) {
    if (!registry_->Add(this)) {
      absl::MutexLock lock(&mu_);
      registered_ = false;
      shutting_down_ = true;
    }
    engine_->AddWriteErrorListener(store_watch_);
    Pump();
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      {
        absl::MutexLock lock(&mu_);
        reading_ = false;
        read_closed_ = true;
      }
      Pump();
      return;
    }
    if (absl::Status w = engine_->WritableStatus(); !w.ok()) {
      // The store refuses writes (e.g. disk full): end the stream with why.
      // Acks of batches already taken stay pending until their write
      // succeeds; the client resends what was not acknowledged.
      engine_->metrics().CountRefusal(IngestRefusal::kStoreUnwritable);
      {
        absl::MutexLock lock(&mu_);
        reading_ = false;
        read_closed_ = true;
        store_error_ = ToGrpc(w);
      }
      Pump();
      return;
    }
    // Each batch is authorized as it arrives, so a revoked token (or a
    // removed token file) ends an open stream too, after the acks of the
    // batches before; nothing of this batch is decoded.
    if (auth_ != nullptr) {
      absl::StatusOr<Principal> p =
          Authorize(auth_, ctx_, {Role::kIngest}, "EventIngest.Stream");
      if (!p.ok()) {
        read_buffer_.Clear();
        {
          absl::MutexLock lock(&mu_);
          reading_ = false;
          read_closed_ = true;
          end_status_ = ToGrpc(p.status());
        }
        Pump();
        return;
      }
      principal_ = *std::move(p);
    }
    // Each batch is parsed onto its own arena, which the engine keeps until
    // the batch's ack (see Engine::Ingest).
    auto arena = std::make_unique<google::protobuf::Arena>(ArenaOptions());
    v1::EventBatch* batch =
        google::protobuf::Arena::CreateMessage<v1::EventBatch>(arena.get());
    std::vector<edge::EventRejection> rejected;
    absl::Status decoded = DecodeIngestRequest(&read_buffer_, batch, &rejected);
    read_buffer_.Clear();
    NoteUndecodable(undecodable_, ctx_, "EventIngest.Stream", decoded,
                    rejected);
    ++batches_read_;
    if (!decoded.ok()) {
      engine_->metrics().CountRefusal(IngestRefusal::kUndecodable);
      {
        absl::MutexLock lock(&mu_);
        reading_ = false;
        read_closed_ = true;
        end_status_ = grpc::Status(
            grpc::StatusCode::INVALID_ARGUMENT,
            absl::StrCat(
                "EventIngest.Stream: batch ", batches_read_,
                " of this stream (",
                batches_read_ == 1
                    ? std::string("the first")
                    : absl::StrCat("the one after batch_seq ", last_seq_),
                "): ", decoded.message(),
                ". The batches before it were acknowledged; resend from this "
                "one on a new stream"));
      }
      Pump();
      return;
    }
    last_seq_ = batch->batch_seq();
    uint64_t slot;
    {
      absl::MutexLock lock(&mu_);
      reading_ = false;
      slot = next_slot_++;
      slots_.emplace_back();
      accepted_pending_ = true;
      refs_ += 2;  // accepted + done
    }
    std::function<void(v1::IngestAck)> done = [this, slot](v1::IngestAck ack) {
      mu_.Lock();
      slots_[slot - first_slot_] = std::move(ack);
      const bool del = UnrefLocked();
      mu_.Unlock();
      if (del) {
        delete this;
        return;
      }
      Pump();
    };
    done = RestoreDecodeRejections(batch->events_size(), std::move(rejected),
                                   std::move(done));
    done = RejectOtherTenants(principal_, batch, std::move(done));
    engine_->Ingest(
        std::move(arena), batch,
        [this] {
          mu_.Lock();
          accepted_pending_ = false;
          const bool del = UnrefLocked();
          mu_.Unlock();
          if (del) {
            delete this;
            return;
          }
          Pump();
        },
        std::move(done));
  }

  void OnWriteDone(bool ok) override {
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      if (!ok) write_failed_ = true;
    }
    Pump();
  }

  void OnShutdown() override {
    {
      absl::MutexLock lock(&mu_);
      shutting_down_ = true;
    }
    Pump();
  }

  void OnDone() override {
    if (registered_) registry_->Remove(this);
    store_watch_->Detach();
    bool del;
    {
      absl::MutexLock lock(&mu_);
      done_ = true;
      del = refs_ == 0;
    }
    if (del) delete this;
  }

  // The store refuses writes: end the stream now with why, even while its
  // reads are held (acks pending), instead of waiting for an ack.
  void OnStoreError(const grpc::Status& status) {
    bool del;
    {
      absl::MutexLock lock(&mu_);
      if (!store_error_.has_value()) store_error_ = status;
      del = UnrefLocked();
    }
    if (del) {
      delete this;
      return;
    }
    Pump();
  }

 private:
  // Drops one engine-callback reference; true when the reactor must delete
  // itself (the last reference after OnDone).
  bool UnrefLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    --refs_;
    return done_ && refs_ == 0;
  }

  // Decides the next gRPC operations under the lock, issues them outside.
  void Pump() {
    bool read = false, write = false, finish = false;
    grpc::Status status;
    {
      absl::MutexLock lock(&mu_);
      if (done_ || finished_) return;
      if (!writing_ && !write_failed_ && !slots_.empty() &&
          slots_.front().has_value()) {
        current_ack_ = std::move(*slots_.front());
        // Serialized below, outside the lock (only one write at a time).
        slots_.pop_front();
        ++first_slot_;
        writing_ = true;
        write = true;
      }
      if (!reading_ && !read_closed_ && !shutting_down_ && !write_failed_ &&
          !accepted_pending_ &&
          static_cast<int>(slots_.size()) + (writing_ ? 1 : 0) <
              kMaxInflightBatches) {
        reading_ = true;
        read = true;
      }
      if (write_failed_ && !writing_) {
        finish = true;
        status = grpc::Status(grpc::StatusCode::CANCELLED,
                              "the client stopped reading acks");
      } else if (store_error_.has_value() && !writing_) {
        finish = true;
        status = *store_error_;
      } else if ((read_closed_ || shutting_down_) && slots_.empty() &&
                 !writing_ && !accepted_pending_) {
        finish = true;
        if (end_status_.has_value()) {
          status = *end_status_;
        } else {
          status =
              shutting_down_ && !read_closed_
                  ? grpc::Status(grpc::StatusCode::UNAVAILABLE, kShuttingDown)
                  : grpc::Status::OK;
        }
      }
      if (finish) finished_ = true;
    }
    if (write) {
      SerializeAck(current_ack_, &ack_buffer_);
      StartWrite(&ack_buffer_);
    }
    if (read) StartRead(&read_buffer_);
    if (finish) Finish(status);
  }

  // Hands the engine's write errors to the reactor while it lives (the
  // engine holds it weakly; OnDone detaches it).
  class StoreWatch final : public Engine::WriteErrorListener {
   public:
    explicit StoreWatch(IngestStreamReactor* r) : reactor_(r) {}
    void OnWriteError(const absl::Status& status) override {
      IngestStreamReactor* r;
      {
        absl::MutexLock lock(&mu_);
        r = reactor_;
        if (r == nullptr) return;
        absl::MutexLock reactor_lock(&r->mu_);
        ++r->refs_;  // keeps it alive until OnStoreError is done
      }
      r->OnStoreError(ToGrpc(status));
    }
    void Detach() {
      absl::MutexLock lock(&mu_);
      reactor_ = nullptr;
    }

   private:
    absl::Mutex mu_;
    IngestStreamReactor* reactor_ ABSL_GUARDED_BY(mu_);
  };

  Engine* const engine_;
  StreamRegistry* const registry_;
  const Authorizer* const auth_;
  const grpc::CallbackServerContext* const ctx_;
  LogThrottle* const undecodable_;
  // The caller as of the batch being read (one read at a time).
  Principal principal_;
  const std::shared_ptr<StoreWatch> store_watch_;
  bool registered_ = true;
  // The batch being read (one read at a time), the number of batches read
  // and the last one's batch_seq (to name a batch that does not decode).
  grpc::ByteBuffer read_buffer_;
  uint64_t batches_read_ = 0;
  uint64_t last_seq_ = 0;
  // The ack being written (one write at a time) and its bytes.
  v1::IngestAck current_ack_;
  grpc::ByteBuffer ack_buffer_;

  absl::Mutex mu_;
  bool reading_ ABSL_GUARDED_BY(mu_) = false;
  bool read_closed_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool write_failed_ ABSL_GUARDED_BY(mu_) = false;
  // Set when the store refused writes: the stream ends with it.
  std::optional<grpc::Status> store_error_ ABSL_GUARDED_BY(mu_);
  // Set when a batch did not decode: after the acks of the batches before
  // it, the stream ends with it.
  std::optional<grpc::Status> end_status_ ABSL_GUARDED_BY(mu_);
  bool accepted_pending_ ABSL_GUARDED_BY(mu_) = false;
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  int refs_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t next_slot_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t first_slot_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<std::optional<v1::IngestAck>> slots_ ABSL_GUARDED_BY(mu_);
};

// Both methods take raw bytes (DecodeIngestRequest decodes them after the
// caller is authenticated); the service's name, methods and descriptor,
// hence reflection, are those of depositd.v1.EventIngest.
class IngestService final
    : public v1::EventIngest::WithRawCallbackMethod_Stream<
          v1::EventIngest::WithRawCallbackMethod_Publish<
              v1::EventIngest::Service>> {
 public:
  IngestService(Engine* engine, StreamRegistry* streams, const Authorizer* auth,
                LogThrottle* undecodable)
      : engine_(engine),
        streams_(streams),
        auth_(auth),
        undecodable_(*undecodable) {}

  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* Stream(
      grpc::CallbackServerContext* ctx) override {
    absl::StatusOr<Principal> p =
        Authorize(auth_, ctx, {Role::kIngest}, "EventIngest.Stream");
    if (!p.ok()) {
      return new DeniedReactor<
          grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>>(
          p.status());
    }
    return new IngestStreamReactor(engine_, streams_, auth_, ctx, &undecodable_,
                                   *std::move(p));
  }

  grpc::ServerUnaryReactor* Publish(grpc::CallbackServerContext* ctx,
                                    const grpc::ByteBuffer* request,
                                    grpc::ByteBuffer* response) override {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    absl::StatusOr<Principal> p =
        Authorize(auth_, ctx, {Role::kIngest}, "EventIngest.Publish");
    if (!p.ok()) {
      reactor->Finish(ToGrpc(p.status()));
      return reactor;
    }
    // The request is owned by this call and not read after decoding.
    auto batch = std::make_unique<v1::EventBatch>();
    std::vector<edge::EventRejection> rejected;
    absl::Status s = DecodeIngestRequest(const_cast<grpc::ByteBuffer*>(request),
                                         batch.get(), &rejected);
    NoteUndecodable(&undecodable_, ctx, "EventIngest.Publish", s, rejected);
    if (!s.ok()) {
      engine_->metrics().CountRefusal(IngestRefusal::kUndecodable);
      reactor->Finish(
          grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                       absl::StrCat("EventIngest.Publish: ", s.message())));
      return reactor;
    }
    const size_t total = batch->events_size() + rejected.size();
    if (total > static_cast<size_t>(kMaxEventsPerBatch)) {
      engine_->metrics().CountRefusal(IngestRefusal::kBatchTooLarge);
      reactor->Finish(grpc::Status(
          grpc::StatusCode::INVALID_ARGUMENT,
          absl::StrCat("batch has ", total, " events; the limit is ",
                       kMaxEventsPerBatch, " per batch: split it and resend")));
      return reactor;
    }
    if (absl::Status w = engine_->WritableStatus(); !w.ok()) {
      engine_->metrics().CountRefusal(IngestRefusal::kStoreUnwritable);
      reactor->Finish(ToGrpc(w));  // e.g. disk full: nothing was taken
      return reactor;
    }
    std::function<void(v1::IngestAck)> done = [reactor,
                                               response](v1::IngestAck ack) {
      SerializeAck(ack, response);
      reactor->Finish(grpc::Status::OK);
    };
    done = RestoreDecodeRejections(batch->events_size(), std::move(rejected),
                                   std::move(done));
    done = RejectOtherTenants(*p, batch.get(), std::move(done));
    engine_->Ingest(std::move(*batch), nullptr, std::move(done));
    return reactor;
  }

 private:
  Engine* const engine_;
  StreamRegistry* const streams_;
  const Authorizer* const auth_;
  // Requests (or events) that did not decode: counted, logged throttled.
  LogThrottle& undecodable_;
};

}  // namespace

std::unique_ptr<grpc::Service> NewIngestService(Engine* engine,
                                                StreamRegistry* streams,
                                                const Authorizer* auth,
                                                LogThrottle* undecodable) {
  return std::make_unique<IngestService>(engine, streams, auth, undecodable);
}

}  // namespace depositd::daemon
