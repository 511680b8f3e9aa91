#include "daemon/services.h"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "daemon/backup.h"
#include "daemon/log_throttle.h"
#include "edge/event_batch_decoder.h"
#include "google/protobuf/arena.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/proto_buffer_reader.h"
#include "watchers/timestamps.h"

namespace depositd::daemon {
namespace {

const char kShuttingDown[] =
    "depositd is shutting down; resend unacknowledged batches to another "
    "connection";

// The caller of an rpc holding one of `roles` (auth == nullptr: everyone
// may do everything), or UNAUTHENTICATED / PERMISSION_DENIED.
absl::StatusOr<Principal> Authorize(const Authorizer* auth,
                                    const grpc::CallbackServerContext* ctx,
                                    std::initializer_list<Role> roles,
                                    absl::string_view rpc) {
  if (auth == nullptr) return Principal::Unrestricted();
  absl::StatusOr<Principal> p = auth->Authenticate(*ctx);
  if (!p.ok()) return p.status();
  if (absl::Status s = RequireRole(*p, roles, rpc); !s.ok()) return s;
  return p;
}

// A request's tenant: an empty one becomes the caller's own (tenant tokens;
// operators keep "any"); another tenant is PERMISSION_DENIED before anything
// is looked up, so the answer never tells whether a shop exists.
absl::Status ScopeToTenant(const Principal& p, std::string* tenant,
                           absl::string_view rpc) {
  if (tenant->empty() && !p.all_tenants()) *tenant = p.tenant;
  return RequireTenant(p, *tenant, rpc);
}

// Ends a call at once with `status` (authentication or authorization
// failed) and deletes itself.
template <typename Reactor>
class DeniedReactor final : public Reactor {
 public:
  explicit DeniedReactor(const absl::Status& status) {
    this->Finish(ToGrpc(status));
  }
  void OnDone() override { delete this; }
};

// Wraps `done` so that the ack the engine gives for the events it was
// handed gets the events rejected before it back at their places:
// reasons[i] non-empty: event i of the batch as sent was REJECTED with it;
// empty: event i is the engine's next result.
std::function<void(v1::IngestAck)> RestoreRejections(
    std::vector<std::string> reasons, int rejected,
    std::function<void(v1::IngestAck)> done) {
  return [reasons = std::move(reasons), rejected,
          done = std::move(done)](v1::IngestAck ack) {
    v1::IngestAck out;
    out.set_batch_seq(ack.batch_seq());
    out.mutable_results()->Reserve(static_cast<int>(reasons.size()));
    int next = 0;
    for (const std::string& reason : reasons) {
      v1::EventResult* r = out.add_results();
      if (reason.empty()) {
        r->Swap(ack.mutable_results(next++));
      } else {
        r->set_outcome(v1::REJECTED);
        r->set_reason(reason);
      }
    }
    out.set_applied(ack.applied());
    out.set_duplicates(ack.duplicates());
    out.set_rejected(ack.rejected() + static_cast<uint32_t>(rejected));
    done(std::move(out));
  };
}

// Ingest by a tenant token: events of another tenant are REJECTED one by
// one (the rest of the batch goes on), never handed to the engine. Moves
// the caller's own events into a smaller batch when needed and returns the
// `done` to give the engine: it puts the rejections back at their places
// in the ack. Events with no tenant go on (validation rejects them). A
// batch over kMaxEventsPerBatch is left whole (the engine rejects it all).
std::function<void(v1::IngestAck)> RejectOtherTenants(
    const Principal& p, v1::EventBatch* batch,
    std::function<void(v1::IngestAck)> done) {
  if (p.all_tenants() || batch->events_size() > kMaxEventsPerBatch) {
    return done;
  }
  auto foreign = [&p](const v1::Event& e) {
    return !e.tenant().empty() && e.tenant() != p.tenant;
  };
  if (std::none_of(batch->events().begin(), batch->events().end(), foreign)) {
    return done;
  }
  const int total = batch->events_size();
  // reasons[i]: empty for an event handed to the engine.
  std::vector<std::string> reasons(total);
  // On the batch's arena (if any), so the swaps below move, not copy.
  google::protobuf::Arena* arena = batch->GetArena();
  v1::EventBatch heap_own;
  v1::EventBatch& own =
      arena != nullptr
          ? *google::protobuf::Arena::CreateMessage<v1::EventBatch>(arena)
          : heap_own;
  own.set_batch_seq(batch->batch_seq());
  int rejected = 0;
  for (int i = 0; i < total; ++i) {
    v1::Event* e = batch->mutable_events(i);
    if (foreign(*e)) {
      reasons[i] = absl::StrCat(
          "PERMISSION_DENIED: event tenant \"", e->tenant(),
          "\" is not this token's tenant \"", p.tenant, "\" (token \"", p.name,
          "\"): send each tenant's events with that tenant's token");
      ++rejected;
    } else {
      own.add_events()->Swap(e);
    }
  }
  batch->Swap(&own);
  return RestoreRejections(std::move(reasons), rejected, std::move(done));
}

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

// The wire form of a response (as gRPC's own serializer would write it).
template <typename Message>
void SerializeMessage(const Message& message, grpc::ByteBuffer* out) {
  out->Clear();  // the serializer writes only into an empty buffer
  bool own_buffer;
  // Fails only past 2 GiB; a response is far below.
  if (!grpc::SerializationTraits<Message>::Serialize(message, out, &own_buffer)
           .ok()) {
    out->Clear();
  }
}

void SerializeAck(const v1::IngestAck& ack, grpc::ByteBuffer* out) {
  SerializeMessage(ack, out);
}

// Parses a raw request (owned by its call, consumed here) into `message`;
// INVALID_ARGUMENT naming the rpc and the type when it is not one.
template <typename Message>
absl::Status ParseRequest(const grpc::ByteBuffer* request,
                          absl::string_view rpc, Message* message) {
  bool parsed;
  if (!request->Valid()) {  // no bytes at all: the empty message
    parsed = message->ParseFromString("");
  } else {
    grpc::ProtoBufferReader reader(const_cast<grpc::ByteBuffer*>(request));
    parsed = reader.status().ok() && message->ParseFromZeroCopyStream(&reader);
  }
  if (parsed) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      rpc, ": request is not a valid ", Message::descriptor()->full_name()));
}

// Ends a unary call with a status (after the handler filled the response).
using UnaryDone = std::function<void(grpc::Status)>;

// A unary rpc taken as raw bytes: the caller is authenticated (and holds
// one of `roles`) before the request is parsed, so an unauthenticated
// client never gets its bytes decoded (nor protobuf's complaints logged);
// then the request is parsed (INVALID_ARGUMENT when it is not a Request)
// and handed to the typed logic,
//   handler(const Principal&, Request*, Response*, UnaryDone done),
// which fills the response and calls done once; an OK response is
// serialized into `response`.
template <typename Request, typename Response, typename Handler>
grpc::ServerUnaryReactor* AuthorizedUnary(const Authorizer* auth,
                                          grpc::CallbackServerContext* ctx,
                                          std::initializer_list<Role> roles,
                                          absl::string_view rpc,
                                          const grpc::ByteBuffer* request,
                                          grpc::ByteBuffer* response,
                                          Handler handler) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<Principal> p = Authorize(auth, ctx, roles, rpc);
  if (!p.ok()) {
    reactor->Finish(ToGrpc(p.status()));
    return reactor;
  }
  struct Call {
    Request request;
    Response response;
  };
  auto call = std::make_shared<Call>();
  if (absl::Status s = ParseRequest(request, rpc, &call->request); !s.ok()) {
    reactor->Finish(ToGrpc(s));
    return reactor;
  }
  Request* typed_request = &call->request;
  Response* typed_response = &call->response;
  handler(*p, typed_request, typed_response,
          [call = std::move(call), reactor, response](grpc::Status s) {
            if (s.ok()) SerializeMessage(call->response, response);
            reactor->Finish(std::move(s));
          });
  return reactor;
}

}  // namespace

grpc::Status ToGrpc(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()),
                      std::string(s.message()));
}

// Something to end at shutdown.
class ShutdownListener {
 public:
  virtual ~ShutdownListener() = default;
  virtual void OnShutdown() = 0;
};

class StreamRegistry {
 public:
  // False when shutdown has begun (the caller must end itself).
  bool Add(ShutdownListener* l) {
    absl::MutexLock lock(&mu_);
    if (shutting_down_) return false;
    live_.insert(l);
    return true;
  }
  void Remove(ShutdownListener* l) {
    absl::MutexLock lock(&mu_);
    live_.erase(l);
  }
  // True if every stream ended within `timeout`.
  bool WaitEmpty(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto empty = [](StreamRegistry* r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(r->mu_) {
      return r->live_.empty();
    };
    return mu_.AwaitWithTimeout(absl::Condition(+empty, this), timeout);
  }
  void BeginShutdown() {
    absl::MutexLock lock(&mu_);
    shutting_down_ = true;
    for (ShutdownListener* l : live_) l->OnShutdown();
  }

 private:
  absl::Mutex mu_;
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_set<ShutdownListener*> live_ ABSL_GUARDED_BY(mu_);
};

// ---------------------------------------------------------------------------
// EventIngest
// ---------------------------------------------------------------------------

namespace {

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

}  // namespace

// Both methods take raw bytes (DecodeIngestRequest decodes them after the
// caller is authenticated); the service's name, methods and descriptor,
// hence reflection, are those of depositd.v1.EventIngest.
class Services::IngestService final
    : public v1::EventIngest::WithRawCallbackMethod_Stream<
          v1::EventIngest::WithRawCallbackMethod_Publish<
              v1::EventIngest::Service>> {
 public:
  IngestService(Engine* engine, StreamRegistry* streams, const Authorizer* auth)
      : engine_(engine),
        streams_(streams),
        auth_(auth),
        undecodable_(absl::Seconds(10), [](absl::string_view line) {
          std::fprintf(stderr, "depositd: %.*s\n",
                       static_cast<int>(line.size()), line.data());
          std::fflush(stderr);
        }) {}

  uint64_t undecodable_count() const { return undecodable_.total(); }

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
      reactor->Finish(
          grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                       absl::StrCat("EventIngest.Publish: ", s.message())));
      return reactor;
    }
    const size_t total = batch->events_size() + rejected.size();
    if (total > static_cast<size_t>(kMaxEventsPerBatch)) {
      reactor->Finish(grpc::Status(
          grpc::StatusCode::INVALID_ARGUMENT,
          absl::StrCat("batch has ", total, " events; the limit is ",
                       kMaxEventsPerBatch, " per batch: split it and resend")));
      return reactor;
    }
    if (absl::Status w = engine_->WritableStatus(); !w.ok()) {
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
  LogThrottle undecodable_;
};

// ---------------------------------------------------------------------------
// Readiness
// ---------------------------------------------------------------------------

// Every rpc takes raw bytes (AuthorizedUnary: the caller is authenticated
// before the request is parsed); the descriptor, hence reflection, is
// depositd.v1.Readiness's.
class Services::ReadinessService final
    : public v1::Readiness::WithRawCallbackMethod_GetShop<
          v1::Readiness::WithRawCallbackMethod_ListShops<
              v1::Readiness::WithRawCallbackMethod_Explain<
                  v1::Readiness::Service>>> {
 public:
  ReadinessService(Engine* engine, const Authorizer* auth)
      : engine_(engine), auth_(auth) {}

  grpc::ServerUnaryReactor* GetShop(grpc::CallbackServerContext* ctx,
                                    const grpc::ByteBuffer* request,
                                    grpc::ByteBuffer* response) override {
    return ScopedQuery(ctx, request, response, "Readiness.GetShop",
                       &Engine::GetShop);
  }

  grpc::ServerUnaryReactor* ListShops(grpc::CallbackServerContext* ctx,
                                      const grpc::ByteBuffer* request,
                                      grpc::ByteBuffer* response) override {
    return ScopedQuery(ctx, request, response, "Readiness.ListShops",
                       &Engine::ListShops);
  }

  grpc::ServerUnaryReactor* Explain(grpc::CallbackServerContext* ctx,
                                    const grpc::ByteBuffer* request,
                                    grpc::ByteBuffer* response) override {
    return ScopedQuery(ctx, request, response, "Readiness.Explain",
                       &Engine::Explain);
  }

 private:
  // The three queries: role read, then scope the request to the caller's
  // tenant (see ScopeToTenant), then ask the engine, which answers on a
  // shard thread.
  template <typename Request, typename Response>
  grpc::ServerUnaryReactor* ScopedQuery(
      grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response, absl::string_view rpc,
      void (Engine::*query)(const Request&,
                            std::function<void(absl::StatusOr<Response>)>)) {
    return AuthorizedUnary<Request, Response>(
        auth_, ctx, {Role::kRead}, rpc, request, response,
        [this, rpc, query](const Principal& p, Request* scoped, Response* out,
                           UnaryDone done) {
          if (absl::Status s = ScopeToTenant(p, scoped->mutable_tenant(), rpc);
              !s.ok()) {
            done(ToGrpc(s));
            return;
          }
          (engine_->*query)(*scoped, [out, done = std::move(done)](
                                         absl::StatusOr<Response> r) {
            if (r.ok()) *out = *std::move(r);
            done(ToGrpc(r.status()));
          });
        });
  }

  Engine* const engine_;
  const Authorizer* const auth_;
};

// ---------------------------------------------------------------------------
// Alerts
// ---------------------------------------------------------------------------

namespace {

class WatchReactor;

// The state of one Watch call, shared with the hub (weakly) so a publish
// racing with the end of the call is harmless. Thread-safe.
class WatchSession final : public AlertSubscriber,
                           public ShutdownListener,
                           public std::enable_shared_from_this<WatchSession> {
 public:
  WatchSession(AlertHub* hub,
               grpc::ServerWriteReactor<grpc::ByteBuffer>* reactor,
               const v1::WatchAlertsRequest& request)
      : hub_(hub), reactor_(reactor), filter_(request.filter()) {
    if (request.from_sequence() == 0) {
      next_ = hub_->last_sequence() + 1;
      live_ = true;
    } else {
      next_ = request.from_sequence();
    }
  }

  void OnAlertsCommitted() override { Pump(); }
  void OnShutdown() override {
    {
      absl::MutexLock lock(&mu_);
      shutting_down_ = true;
    }
    Pump();
  }
  void OnWriteDone(bool ok) {
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      if (!ok) client_gone_ = true;
    }
    Pump();
  }
  void OnDone() {
    absl::MutexLock lock(&mu_);
    done_ = true;
  }
  void OnClientGone() {
    {
      absl::MutexLock lock(&mu_);
      client_gone_ = true;
    }
    Pump();
  }

  void Pump() {
    const v1::Alert* to_write = nullptr;
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      if (done_ || finished_ || writing_) return;
      if (client_gone_) {
        finish = grpc::Status::CANCELLED;
      } else if (shutting_down_) {
        finish = grpc::Status(grpc::StatusCode::UNAVAILABLE,
                              absl::StrCat("depositd is shutting down; "
                                           "resume with from_sequence=",
                                           next_));
      } else {
        for (;;) {
          while (pos_ < buffer_.size() &&
                 !AlertMatches(buffer_[pos_], filter_)) {
            next_ = buffer_[pos_].sequence() + 1;
            ++pos_;
          }
          if (pos_ < buffer_.size()) {
            current_ = std::move(buffer_[pos_]);
            next_ = current_.sequence() + 1;
            ++pos_;
            to_write = &current_;
            break;
          }
          const uint64_t last = hub_->last_sequence();
          if (next_ > last) {
            live_ = true;  // caught up: from now on lag is bounded
            break;
          }
          if (live_ && last - next_ + 1 > kMaxWatchLag) {
            finish = grpc::Status(
                grpc::StatusCode::RESOURCE_EXHAUSTED,
                absl::StrCat("this Watch fell more than ", kMaxWatchLag,
                             " alerts behind; resume with from_sequence=",
                             next_, " (nothing is lost)"));
            break;
          }
          buffer_.clear();
          pos_ = 0;
          absl::Status s = hub_->Read(next_, 256, &buffer_);
          if (!s.ok()) {
            finish = ToGrpc(s);
            break;
          }
          if (buffer_.empty()) break;
        }
      }
      if (to_write != nullptr) writing_ = true;
      if (finish.has_value()) finished_ = true;
    }
    if (to_write != nullptr) {
      // Serialized outside the lock (only one write at a time).
      SerializeMessage(*to_write, &write_buffer_);
      reactor_->StartWrite(&write_buffer_);
    }
    if (finish.has_value()) reactor_->Finish(*finish);
  }

 private:
  AlertHub* const hub_;
  // valid until done_
  grpc::ServerWriteReactor<grpc::ByteBuffer>* const reactor_;
  const v1::AlertFilter filter_;
  absl::Mutex mu_;
  uint64_t next_ ABSL_GUARDED_BY(mu_);
  bool live_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  bool client_gone_ ABSL_GUARDED_BY(mu_) = false;
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<v1::Alert> buffer_ ABSL_GUARDED_BY(mu_);
  size_t pos_ ABSL_GUARDED_BY(mu_) = 0;
  v1::Alert current_;
  grpc::ByteBuffer write_buffer_;  // current_'s bytes
};

class WatchReactor final : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  WatchReactor(AlertHub* hub, StreamRegistry* registry,
               const v1::WatchAlertsRequest& request)
      : registry_(registry),
        session_(std::make_shared<WatchSession>(hub, this, request)) {
    registered_ = registry_->Add(session_.get());
    hub->Subscribe(session_);
    if (!registered_) session_->OnShutdown();
    session_->Pump();
  }
  void OnWriteDone(bool ok) override { session_->OnWriteDone(ok); }
  void OnDone() override {
    if (registered_) registry_->Remove(session_.get());
    session_->OnDone();
    delete this;
  }
  // The client went away while the call waited for alerts: end it now.
  void OnCancel() override { session_->OnClientGone(); }

 private:
  StreamRegistry* const registry_;
  std::shared_ptr<WatchSession> session_;
  bool registered_ = false;
};

}  // namespace

// Every rpc takes raw bytes: the caller is authenticated before the
// request is parsed (AuthorizedUnary; Watch likewise), the descriptor,
// hence reflection, is depositd.v1.Alerts's.
class Services::AlertsService final
    : public v1::Alerts::WithRawCallbackMethod_Watch<
          v1::Alerts::WithRawCallbackMethod_List<
              v1::Alerts::WithRawCallbackMethod_Acknowledge<
                  v1::Alerts::WithRawCallbackMethod_Silence<
                      v1::Alerts::Service>>>> {
 public:
  AlertsService(Engine* engine, StreamRegistry* streams, const Authorizer* auth)
      : engine_(engine), streams_(streams), auth_(auth) {}

  grpc::ServerWriteReactor<grpc::ByteBuffer>* Watch(
      grpc::CallbackServerContext* ctx,
      const grpc::ByteBuffer* request) override {
    using Denied = DeniedReactor<grpc::ServerWriteReactor<grpc::ByteBuffer>>;
    absl::StatusOr<Principal> p =
        Authorize(auth_, ctx, {Role::kAlerts, Role::kRead}, "Alerts.Watch");
    if (!p.ok()) return new Denied(p.status());
    v1::WatchAlertsRequest scoped;
    if (absl::Status s = ParseRequest(request, "Alerts.Watch", &scoped);
        !s.ok()) {
      return new Denied(s);
    }
    if (absl::Status s = ScopeToTenant(
            *p, scoped.mutable_filter()->mutable_tenant(), "Alerts.Watch");
        !s.ok()) {
      return new Denied(s);
    }
    return new WatchReactor(engine_->alert_hub(), streams_, scoped);
  }

  grpc::ServerUnaryReactor* List(grpc::CallbackServerContext* ctx,
                                 const grpc::ByteBuffer* request,
                                 grpc::ByteBuffer* response) override {
    return AuthorizedUnary<v1::ListAlertsRequest, v1::ListAlertsResponse>(
        auth_, ctx, {Role::kAlerts, Role::kRead}, "Alerts.List", request,
        response,
        [this](const Principal& p, v1::ListAlertsRequest* scoped,
               v1::ListAlertsResponse* out, UnaryDone done) {
          if (absl::Status s = ScopeToTenant(
                  p, scoped->mutable_filter()->mutable_tenant(), "Alerts.List");
              !s.ok()) {
            done(ToGrpc(s));
            return;
          }
          absl::StatusOr<v1::ListAlertsResponse> r =
              engine_->ListAlerts(*scoped);
          if (r.ok()) *out = *std::move(r);
          done(ToGrpc(r.status()));
        });
  }

  grpc::ServerUnaryReactor* Acknowledge(grpc::CallbackServerContext* ctx,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override {
    return AuthorizedUnary<v1::AcknowledgeRequest, v1::AcknowledgeResponse>(
        auth_, ctx, {Role::kAlerts}, "Alerts.Acknowledge", request, response,
        [this](const Principal& p, v1::AcknowledgeRequest* scoped,
               v1::AcknowledgeResponse*, UnaryDone done) {
          if (absl::Status s =
                  ScopeToTenant(p, scoped->mutable_key()->mutable_tenant(),
                                "Alerts.Acknowledge");
              !s.ok()) {
            done(ToGrpc(s));
            return;
          }
          engine_->Acknowledge(
              *scoped,
              [done = std::move(done)](absl::Status s) { done(ToGrpc(s)); });
        });
  }

  grpc::ServerUnaryReactor* Silence(grpc::CallbackServerContext* ctx,
                                    const grpc::ByteBuffer* request,
                                    grpc::ByteBuffer* response) override {
    return AuthorizedUnary<v1::SilenceRequest, v1::SilenceResponse>(
        auth_, ctx, {Role::kAlerts}, "Alerts.Silence", request, response,
        [this](const Principal& p, v1::SilenceRequest* scoped,
               v1::SilenceResponse* out, UnaryDone done) {
          if (absl::Status s =
                  ScopeToTenant(p, scoped->mutable_tenant(), "Alerts.Silence");
              !s.ok()) {
            done(ToGrpc(s));
            return;
          }
          absl::StatusOr<v1::SilenceResponse> r = engine_->Silence(*scoped);
          if (r.ok()) *out = *std::move(r);
          done(ToGrpc(r.status()));
        });
  }

 private:
  Engine* const engine_;
  StreamRegistry* const streams_;
  const Authorizer* const auth_;
};

// ---------------------------------------------------------------------------
// Admin
// ---------------------------------------------------------------------------

// Every rpc takes raw bytes and needs the role admin (which only tenant=*
// tokens have), checked before the request is parsed (AuthorizedUnary);
// the descriptor, hence reflection, is depositd.v1.Admin's.
class Services::AdminService final
    : public v1::Admin::WithRawCallbackMethod_GetStats<
          v1::Admin::WithRawCallbackMethod_GetConfig<
              v1::Admin::WithRawCallbackMethod_GetTestClock<
                  v1::Admin::WithRawCallbackMethod_SetTestClock<
                      v1::Admin::WithRawCallbackMethod_AdvanceTestClock<
                          v1::Admin::WithRawCallbackMethod_Backup<
                              v1::Admin::Service>>>>>> {
 public:
  AdminService(Engine* engine, const Authorizer* auth)
      : engine_(engine), auth_(auth) {}

  // Before the server starts (not synchronized).
  void SetSinkStats(std::function<void(v1::StatsResponse*)> fill) {
    sink_stats_ = std::move(fill);
  }

  grpc::ServerUnaryReactor* GetStats(grpc::CallbackServerContext* ctx,
                                     const grpc::ByteBuffer* request,
                                     grpc::ByteBuffer* response) override {
    return AuthorizedUnary<v1::GetStatsRequest, v1::StatsResponse>(
        auth_, ctx, {Role::kAdmin}, "Admin.GetStats", request, response,
        [this](const Principal&, v1::GetStatsRequest*, v1::StatsResponse* out,
               UnaryDone done) {
          *out = engine_->Stats();
          if (sink_stats_) sink_stats_(out);
          done(grpc::Status::OK);
        });
  }

  grpc::ServerUnaryReactor* GetConfig(grpc::CallbackServerContext* ctx,
                                      const grpc::ByteBuffer* request,
                                      grpc::ByteBuffer* response) override {
    return AuthorizedUnary<v1::GetConfigRequest, v1::GetConfigResponse>(
        auth_, ctx, {Role::kAdmin}, "Admin.GetConfig", request, response,
        [this](const Principal&, v1::GetConfigRequest* req,
               v1::GetConfigResponse* out, UnaryDone done) {
          done(ToGrpc(
              engine_->EffectiveConfig(req->tenant(), req->shop_id(), out)));
        });
  }

  // Admin.Backup: daemon/backup.h (runs on this gRPC thread).
  grpc::ServerUnaryReactor* Backup(grpc::CallbackServerContext* ctx,
                                   const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override {
    return AuthorizedUnary<v1::BackupRequest, v1::BackupResponse>(
        auth_, ctx, {Role::kAdmin}, "Admin.Backup", request, response,
        [this](const Principal&, v1::BackupRequest* req,
               v1::BackupResponse* out, UnaryDone done) {
          absl::StatusOr<v1::BackupResponse> r =
              BackUpStore(*engine_->store(), req->directory());
          if (r.ok()) *out = *std::move(r);
          done(ToGrpc(r.status()));
        });
  }

  grpc::ServerUnaryReactor* GetTestClock(grpc::CallbackServerContext* ctx,
                                         const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* response) override {
    return AuthorizedUnary<v1::GetTestClockRequest, v1::TestClockResponse>(
        auth_, ctx, {Role::kAdmin}, "Admin.GetTestClock", request, response,
        [this](const Principal&, v1::GetTestClockRequest*,
               v1::TestClockResponse* out, UnaryDone done) {
          absl::StatusOr<absl::Time> now = engine_->TestClockNow();
          if (now.ok()) watchers::ToTimestamp(*now, out->mutable_now());
          done(ToGrpc(now.status()));
        });
  }

  grpc::ServerUnaryReactor* SetTestClock(grpc::CallbackServerContext* ctx,
                                         const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* response) override {
    return AuthorizedUnary<v1::SetTestClockRequest, v1::TestClockResponse>(
        auth_, ctx, {Role::kAdmin}, "Admin.SetTestClock", request, response,
        [this](const Principal&, v1::SetTestClockRequest* req,
               v1::TestClockResponse* out, UnaryDone done) {
          if (!req->has_now()) {
            done(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                              "SetTestClock needs `now`"));
            return;
          }
          engine_->SetTestClock(watchers::FromTimestamp(req->now()),
                                [this, out, done = std::move(done)](
                                    absl::Status s) { Done(s, out, done); });
        });
  }

  grpc::ServerUnaryReactor* AdvanceTestClock(
      grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override {
    return AuthorizedUnary<v1::AdvanceTestClockRequest, v1::TestClockResponse>(
        auth_, ctx, {Role::kAdmin}, "Admin.AdvanceTestClock", request, response,
        [this](const Principal&, v1::AdvanceTestClockRequest* req,
               v1::TestClockResponse* out, UnaryDone done) {
          const absl::Duration by = absl::Seconds(req->by().seconds()) +
                                    absl::Nanoseconds(req->by().nanos());
          engine_->AdvanceTestClock(
              by, [this, out, done = std::move(done)](absl::Status s) {
                Done(s, out, done);
              });
        });
  }

 private:
  void Done(const absl::Status& s, v1::TestClockResponse* response,
            const UnaryDone& done) {
    if (s.ok()) {
      absl::StatusOr<absl::Time> now = engine_->TestClockNow();
      if (now.ok()) watchers::ToTimestamp(*now, response->mutable_now());
    }
    done(ToGrpc(s));
  }

  Engine* const engine_;
  const Authorizer* const auth_;
  std::function<void(v1::StatsResponse*)> sink_stats_;
};

// ---------------------------------------------------------------------------

Services::Services(Engine* engine, const Authorizer* authorizer)
    : streams_(std::make_unique<StreamRegistry>()),
      ingest_(
          std::make_unique<IngestService>(engine, streams_.get(), authorizer)),
      readiness_(std::make_unique<ReadinessService>(engine, authorizer)),
      alerts_(
          std::make_unique<AlertsService>(engine, streams_.get(), authorizer)),
      admin_(std::make_unique<AdminService>(engine, authorizer)) {}

Services::~Services() = default;

void Services::SetSinkStats(std::function<void(v1::StatsResponse*)> fill) {
  admin_->SetSinkStats(std::move(fill));
}

void Services::Register(grpc::ServerBuilder& builder) {
  builder.RegisterService(ingest_.get());
  builder.RegisterService(readiness_.get());
  builder.RegisterService(alerts_.get());
  builder.RegisterService(admin_.get());
}

void Services::BeginShutdown() { streams_->BeginShutdown(); }

uint64_t Services::undecodable_ingest_count() const {
  return ingest_->undecodable_count();
}

bool Services::WaitForStreams(absl::Duration timeout) {
  return streams_->WaitEmpty(timeout);
}

}  // namespace depositd::daemon
