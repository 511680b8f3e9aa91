// The gRPC layer: thin `final` adapters from the depositd.v1 services to the
// Engine, using the callback API (a reactor per call). Only this file and
// depositd_main.cc include grpcpp.
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
#ifndef DEPOSITD_DAEMON_SERVICES_H_
#define DEPOSITD_DAEMON_SERVICES_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "daemon/engine.h"
#include "depositd/v1/service.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace depositd::daemon {

inline constexpr int kMaxInflightBatches = 4;
inline constexpr uint64_t kMaxWatchLag = 4096;

// absl::Status → grpc::Status (same code, same message).
grpc::Status ToGrpc(const absl::Status& s);

// Tracks live streams so shutdown can end them. Thread-safe.
class StreamRegistry;

// All services share one engine (borrowed; outlives the server).
class Services {
 public:
  explicit Services(Engine* engine);
  ~Services();

  // Register every service on `builder`.
  void Register(grpc::ServerBuilder& builder);

  // Ends open Stream and Watch calls (after in-flight acks) with
  // UNAVAILABLE. Call before Server::Shutdown.
  void BeginShutdown();
  // Waits until every Stream and Watch call has ended (true) or `timeout`.
  bool WaitForStreams(absl::Duration timeout);

 private:
  class IngestService;
  class ReadinessService;
  class AlertsService;
  class AdminService;
  std::unique_ptr<StreamRegistry> streams_;
  std::unique_ptr<IngestService> ingest_;
  std::unique_ptr<ReadinessService> readiness_;
  std::unique_ptr<AlertsService> alerts_;
  std::unique_ptr<AdminService> admin_;
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_SERVICES_H_
