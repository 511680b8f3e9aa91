#include "daemon/admin_service.h"

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
#include "common/timestamps.h"
#include "daemon/backup.h"
#include "daemon/config_loader.h"
#include "daemon/rpc_support.h"
#include "daemon/tenant_scope.h"
#include "depositd/v1/service.grpc.pb.h"

namespace depositd::daemon {
namespace {

// Every rpc takes raw bytes and needs the role admin (which only tenant=*
// tokens have), checked before the request is parsed (AuthorizedUnary);
// the descriptor, hence reflection, is depositd.v1.Admin's.
class AdminService final
    : public v1::Admin::WithRawCallbackMethod_GetStats<
          v1::Admin::WithRawCallbackMethod_GetConfig<
              v1::Admin::WithRawCallbackMethod_GetTestClock<
                  v1::Admin::WithRawCallbackMethod_SetTestClock<
                      v1::Admin::WithRawCallbackMethod_AdvanceTestClock<
                          v1::Admin::WithRawCallbackMethod_Backup<
                              v1::Admin::WithRawCallbackMethod_ReloadConfig<
                                  v1::Admin::Service>>>>>>> {
 public:
  AdminService(Engine* engine, const Authorizer* auth,
               const std::function<void(v1::StatsResponse*)>* sink_stats,
               const ConfigAdmin* config_admin)
      : engine_(engine),
        auth_(auth),
        sink_stats_(*sink_stats),
        config_admin_(*config_admin) {}

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
          const absl::Status s =
              engine_->EffectiveConfig(req->tenant(), req->shop_id(), out);
          if (s.ok()) {
            out->set_config_file(config_admin_.file);
            *out->mutable_file_config() =
                RedactSecrets(engine_->config()->config);
          }
          done(ToGrpc(s));
        });
  }

  // Admin.ReloadConfig: config_reload.h, on the reloader's thread.
  grpc::ServerUnaryReactor* ReloadConfig(grpc::CallbackServerContext* ctx,
                                         const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* response) override {
    return AuthorizedUnary<v1::ReloadConfigRequest, v1::ReloadConfigResponse>(
        auth_, ctx, {Role::kAdmin}, "Admin.ReloadConfig", request, response,
        [this](const Principal&, v1::ReloadConfigRequest*,
               v1::ReloadConfigResponse* out, UnaryDone done) {
          if (!config_admin_.reload) {
            done(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                              "this depositd cannot reload its configuration"));
            return;
          }
          config_admin_.reload([out, done = std::move(done)](
                                   absl::StatusOr<v1::ReloadConfigResponse> r) {
            if (r.ok()) *out = *std::move(r);
            done(ToGrpc(r.status()));
          });
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
          if (now.ok()) common::ToTimestamp(*now, out->mutable_now());
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
          engine_->SetTestClock(common::FromTimestamp(req->now()),
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

 private:
  void Done(const absl::Status& s, v1::TestClockResponse* response,
            const UnaryDone& done) {
    if (s.ok()) {
      absl::StatusOr<absl::Time> now = engine_->TestClockNow();
      if (now.ok()) common::ToTimestamp(*now, response->mutable_now());
    }
    done(ToGrpc(s));
  }

  Engine* const engine_;
  const Authorizer* const auth_;
  // Set before the server starts (read unsynchronized after).
  const std::function<void(v1::StatsResponse*)>& sink_stats_;
  const ConfigAdmin& config_admin_;
};

}  // namespace

std::unique_ptr<grpc::Service> NewAdminService(
    Engine* engine, const Authorizer* auth,
    const std::function<void(v1::StatsResponse*)>* sink_stats,
    const ConfigAdmin* config_admin) {
  return std::make_unique<AdminService>(engine, auth, sink_stats, config_admin);
}

}  // namespace depositd::daemon
