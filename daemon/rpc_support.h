// Pieces every depositd.v1 service adapter uses (private to the gRPC edge):
// authorizing a call, parsing a raw request and serializing a response, the
// unary-call wrapper that authenticates before it parses, a reactor that
// only refuses, and the registry of open streams that shutdown ends.
//
// Functions are thread-safe; StreamRegistry is thread-safe.
#ifndef DEPOSITD_DAEMON_RPC_SUPPORT_H_
#define DEPOSITD_DAEMON_RPC_SUPPORT_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "daemon/auth.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/proto_buffer_reader.h"

namespace depositd::daemon {

// Flow control of the services (services.h tells how they are used).
inline constexpr int kMaxInflightBatches = 4;
inline constexpr uint64_t kMaxWatchLag = 4096;

// absl::Status → grpc::Status (same code, same message).
grpc::Status ToGrpc(const absl::Status& s);

inline constexpr char kShuttingDown[] =
    "depositd is shutting down; resend unacknowledged batches to another "
    "connection";

// The caller of an rpc holding one of `roles` (auth == nullptr: everyone
// may do everything), or UNAUTHENTICATED / PERMISSION_DENIED.
absl::StatusOr<Principal> Authorize(const Authorizer* auth,
                                    const grpc::CallbackServerContext* ctx,
                                    std::initializer_list<Role> roles,
                                    absl::string_view rpc);

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

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_RPC_SUPPORT_H_
