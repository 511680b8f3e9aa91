// The gRPC layer: thin `final` adapters from the depositd.v1 services to the
// Engine, using the callback API (a reactor per call). Services owns and
// registers them; each lives in its own file (ingest_service.h,
// readiness_service.h, alerts_service.h, admin_service.h), with the tenant
// scoping in tenant_scope.h and the shared call helpers in rpc_support.h.
// Only the gRPC edge (these files, auth.h, tls.h; the depositd_grpc_edge
// library) and depositd_main.cc include grpcpp: the engine links no gRPC.
//
// EventIngest takes its requests as raw bytes: after the caller is
// authenticated, each batch is decoded by edge::DecodeEventBatch
// (edge/event_batch_decoder.h), so an event with a string that is not UTF-8
// (or otherwise undecodable) is REJECTED in its ack with the field named
// while the rest of its batch is applied, and a request that is not an
// EventBatch at all gets INVALID_ARGUMENT: on Publish the call, on Stream
// the stream, which ends with it (naming the batch) after the acks of the
// batches before it. The service's descriptor is depositd.v1.EventIngest's,
// so clients and reflection see no difference.
//
// EventIngest.Stream: a bidi reactor reads a batch, hands it to
// Engine::Ingest and issues the next read only when the batch is queued and
// fewer than kMaxInflightBatches batches await their ack, so a fast client
// is slowed by HTTP/2 flow control. Acks are written in batch order. On
// shutdown the stream stops reading, sends the acks of batches already read
// and ends with UNAVAILABLE.
//
// Alerts.Watch: replays from from_sequence (ring or alert log), then streams
// live; a subscriber more than kMaxWatchLag transitions behind while live is
// ended with RESOURCE_EXHAUSTED naming the sequence to resume from.
//
// Readiness, Alerts and Admin take their requests as raw bytes too
// (WithRawCallbackMethod_*; same descriptors, so reflection and clients see
// no difference): every rpc authenticates the caller and checks its role
// before the request's bytes are parsed, then parses them into the typed
// request (INVALID_ARGUMENT "<rpc>: request is not a valid <type>") and runs
// the typed logic; responses (and Watch's alerts) are serialized back.
//
// Authorization (with an Authorizer; without one every caller may do
// everything, which depositd allows on loopback only). Every rpc first
// authenticates the bearer token (UNAUTHENTICATED), then checks a role and
// the tenant (PERMISSION_DENIED, before anything is looked up, so a denial
// never tells whether a shop exists). A token of tenant T ("tenant token")
// touches only T; a tenant=* token ("operator") touches every tenant.
//   EventIngest.Stream, Publish   ingest. A tenant token's events of another
//                                 tenant are REJECTED one by one with a
//                                 "PERMISSION_DENIED: ..." reason; the rest
//                                 of the batch is applied as usual.
//   Readiness.GetShop, Explain,   read. The request's tenant must be the
//     ListShops                   token's; an empty one means the token's
//                                 (ListShops: its shops only).
//   Alerts.Watch, List            alerts or read; filter.tenant as above, so
//                                 a tenant token sees only its tenant's
//                                 alerts.
//   Alerts.Acknowledge, Silence   alerts; key.tenant / tenant as above (a
//                                 Silence without a tenant from a tenant
//                                 token silences only that tenant).
//   Admin.*                       admin (token file: only with tenant=*).
//   grpc.health.v1.Health, reflection: open.
// A Stream is authorized when it opens and again at each batch, before the
// batch is decoded: a token removed meanwhile (or a removed token file,
// which revokes every token) ends it with UNAUTHENTICATED after the acks of
// the batches before. A Watch keeps the rights it started with until it
// ends.
#ifndef DEPOSITD_DAEMON_SERVICES_H_
#define DEPOSITD_DAEMON_SERVICES_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "daemon/admin_service.h"
#include "daemon/auth.h"
#include "daemon/engine.h"
#include "depositd/v1/service.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace depositd::daemon {

// Tracks live streams so shutdown can end them (rpc_support.h).
class StreamRegistry;
class LogThrottle;

// All services share one engine and authorizer (borrowed; both outlive the
// server). authorizer == nullptr: authentication is off.
class Services {
 public:
  explicit Services(Engine* engine, const Authorizer* authorizer = nullptr);
  ~Services();

  // Fills the sinks' part of Admin.GetStats (StatsResponse.sinks); set once,
  // before Register. Called on gRPC threads: must be thread-safe.
  void SetSinkStats(std::function<void(v1::StatsResponse*)> fill);
  // Admin.ReloadConfig and GetConfig's file part (admin_service.h); set
  // once, before Register. Unset: ReloadConfig is FAILED_PRECONDITION.
  void SetConfigAdmin(ConfigAdmin admin);

  // Register every service on `builder`.
  void Register(grpc::ServerBuilder& builder);

  // Ends open Stream and Watch calls (after in-flight acks) with
  // UNAVAILABLE. Call before Server::Shutdown.
  void BeginShutdown();
  // Waits until every Stream and Watch call has ended (true) or `timeout`.
  bool WaitForStreams(absl::Duration timeout);

  // Ingest requests that did not decode as a whole, plus those with events
  // that did not, since start (each is also logged, at most one line per
  // 10 s with the count).
  uint64_t undecodable_ingest_count() const;

 private:
  std::unique_ptr<StreamRegistry> streams_;
  // Ingest requests that did not decode: counted, logged throttled.
  std::unique_ptr<LogThrottle> undecodable_;
  std::function<void(v1::StatsResponse*)> sink_stats_;
  ConfigAdmin config_admin_;
  std::unique_ptr<grpc::Service> ingest_;
  std::unique_ptr<grpc::Service> readiness_;
  std::unique_ptr<grpc::Service> alerts_;
  std::unique_ptr<grpc::Service> admin_;
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_SERVICES_H_
