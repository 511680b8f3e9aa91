// The EventIngest service (Stream, Publish): a thin adapter from raw request
// bytes to Engine::Ingest (see services.h for the decoding, flow-control,
// shutdown and authorization contracts). One IngestStreamReactor per Stream
// call: it reads a batch, hands it to the engine, and reads the next only
// when the batch is queued and fewer than kMaxInflightBatches await their
// ack; acks are written in batch order.
//
// Thread-safe (gRPC callback threads; each reactor's state under its mutex).
#ifndef DEPOSITD_DAEMON_INGEST_SERVICE_H_
#define DEPOSITD_DAEMON_INGEST_SERVICE_H_

#include <memory>

#include "daemon/auth.h"
#include "daemon/engine.h"
#include "grpcpp/grpcpp.h"

namespace depositd::daemon {

class LogThrottle;
class StreamRegistry;

// EventIngest, on raw bytes. `engine`, `streams`, `auth` (null: no
// authentication) and `undecodable` (counts and logs requests that do not
// decode) are borrowed and outlive the service.
std::unique_ptr<grpc::Service> NewIngestService(Engine* engine,
                                                StreamRegistry* streams,
                                                const Authorizer* auth,
                                                LogThrottle* undecodable);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_INGEST_SERVICE_H_
