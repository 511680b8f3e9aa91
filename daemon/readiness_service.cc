#include "daemon/readiness_service.h"

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
#include "daemon/api_calls.h"
#include "daemon/rpc_support.h"
#include "depositd/v1/service.grpc.pb.h"

namespace depositd::daemon {
namespace {

// Every rpc takes raw bytes (AuthorizedUnary: the caller is authenticated
// before the request is parsed); the descriptor, hence reflection, is
// depositd.v1.Readiness's.
class ReadinessService final
    : public v1::Readiness::WithRawCallbackMethod_GetShop<
          v1::Readiness::WithRawCallbackMethod_ListShops<
              v1::Readiness::WithRawCallbackMethod_Explain<
                  v1::Readiness::WithRawCallbackMethod_CountShops<
                      v1::Readiness::Service>>>> {
 public:
  ReadinessService(Engine* engine, const Authorizer* auth)
      : engine_(engine), auth_(auth) {}

  grpc::ServerUnaryReactor* GetShop(grpc::CallbackServerContext* ctx,
                                    const grpc::ByteBuffer* request,
                                    grpc::ByteBuffer* response) override {
    return ScopedQuery(ctx, request, response, "Readiness.GetShop",
                       &ScopedGetShop);
  }

  grpc::ServerUnaryReactor* ListShops(grpc::CallbackServerContext* ctx,
                                      const grpc::ByteBuffer* request,
                                      grpc::ByteBuffer* response) override {
    return ScopedQuery(ctx, request, response, "Readiness.ListShops",
                       &ScopedListShops);
  }

  grpc::ServerUnaryReactor* Explain(grpc::CallbackServerContext* ctx,
                                    const grpc::ByteBuffer* request,
                                    grpc::ByteBuffer* response) override {
    return ScopedQuery(ctx, request, response, "Readiness.Explain",
                       &ScopedExplain);
  }

  grpc::ServerUnaryReactor* CountShops(grpc::CallbackServerContext* ctx,
                                       const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* response) override {
    return ScopedQuery(ctx, request, response, "Readiness.CountShops",
                       &ScopedCountShops);
  }

 private:
  // The three queries: authenticated with role read here (before the
  // request is parsed), then scoped and asked through api_calls.h, which
  // answers on a shard thread.
  template <typename Request, typename Response>
  grpc::ServerUnaryReactor* ScopedQuery(
      grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response, absl::string_view rpc,
      void (*query)(Engine*, const Principal&, Request*,
                    std::function<void(absl::StatusOr<Response>)>)) {
    return AuthorizedUnary<Request, Response>(
        auth_, ctx, kReadRoles, rpc, request, response,
        [this, query](const Principal& p, Request* scoped, Response* out,
                      UnaryDone done) {
          query(engine_, p, scoped,
                [out, done = std::move(done)](absl::StatusOr<Response> r) {
                  if (r.ok()) *out = *std::move(r);
                  done(ToGrpc(r.status()));
                });
        });
  }

  Engine* const engine_;
  const Authorizer* const auth_;
};

}  // namespace

std::unique_ptr<grpc::Service> NewReadinessService(Engine* engine,
                                                   const Authorizer* auth) {
  return std::make_unique<ReadinessService>(engine, auth);
}

}  // namespace depositd::daemon
