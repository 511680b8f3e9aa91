#include "daemon/alerts_service.h"

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
#include "daemon/alert_hub.h"
#include "daemon/api_calls.h"
#include "daemon/rpc_support.h"
#include "depositd/v1/service.grpc.pb.h"

namespace depositd::daemon {
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
    hub->Subscribe(session_, /*watch_stream=*/true);
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

// Every rpc takes raw bytes: the caller is authenticated before the
// request is parsed (AuthorizedUnary; Watch likewise), the descriptor,
// hence reflection, is depositd.v1.Alerts's.
class AlertsService final
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
        Authorize(auth_, ctx, kAlertReadRoles, "Alerts.Watch");
    if (!p.ok()) return new Denied(p.status());
    v1::WatchAlertsRequest scoped;
    if (absl::Status s = ParseRequest(request, "Alerts.Watch", &scoped);
        !s.ok()) {
      return new Denied(s);
    }
    if (absl::Status s = ScopeWatch(*p, &scoped); !s.ok()) {
      return new Denied(s);
    }
    return new WatchReactor(engine_->alert_hub(), streams_, scoped);
  }

  grpc::ServerUnaryReactor* List(grpc::CallbackServerContext* ctx,
                                 const grpc::ByteBuffer* request,
                                 grpc::ByteBuffer* response) override {
    return AuthorizedUnary<v1::ListAlertsRequest, v1::ListAlertsResponse>(
        auth_, ctx, kAlertReadRoles, "Alerts.List", request, response,
        [this](const Principal& p, v1::ListAlertsRequest* scoped,
               v1::ListAlertsResponse* out, UnaryDone done) {
          absl::StatusOr<v1::ListAlertsResponse> r =
              ScopedListAlerts(engine_, p, scoped);
          if (r.ok()) *out = *std::move(r);
          done(ToGrpc(r.status()));
        });
  }

  grpc::ServerUnaryReactor* Acknowledge(grpc::CallbackServerContext* ctx,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override {
    return AuthorizedUnary<v1::AcknowledgeRequest, v1::AcknowledgeResponse>(
        auth_, ctx, kAlertWriteRoles, "Alerts.Acknowledge", request, response,
        [this](const Principal& p, v1::AcknowledgeRequest* scoped,
               v1::AcknowledgeResponse*, UnaryDone done) {
          ScopedAcknowledge(
              engine_, p, scoped,
              [done = std::move(done)](absl::Status s) { done(ToGrpc(s)); });
        });
  }

  grpc::ServerUnaryReactor* Silence(grpc::CallbackServerContext* ctx,
                                    const grpc::ByteBuffer* request,
                                    grpc::ByteBuffer* response) override {
    return AuthorizedUnary<v1::SilenceRequest, v1::SilenceResponse>(
        auth_, ctx, kAlertWriteRoles, "Alerts.Silence", request, response,
        [this](const Principal& p, v1::SilenceRequest* scoped,
               v1::SilenceResponse* out, UnaryDone done) {
          absl::StatusOr<v1::SilenceResponse> r =
              ScopedSilence(engine_, p, scoped);
          if (r.ok()) *out = *std::move(r);
          done(ToGrpc(r.status()));
        });
  }

 private:
  Engine* const engine_;
  StreamRegistry* const streams_;
  const Authorizer* const auth_;
};

}  // namespace

std::unique_ptr<grpc::Service> NewAlertsService(Engine* engine,
                                                StreamRegistry* streams,
                                                const Authorizer* auth) {
  return std::make_unique<AlertsService>(engine, streams, auth);
}

}  // namespace depositd::daemon
