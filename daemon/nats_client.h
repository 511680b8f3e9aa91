// NatsClient: depositd's edge to a NATS server cluster (libnats): one
// connection with its JetStream context, and the creation or verification
// of the streams and KV buckets cluster mode keeps its state in.
//
// Contract:
// - Connect() tries the server list once, within connect_timeout per server;
//   when none answers it fails with one line naming the servers and the
//   flag they came from ("cannot reach NATS at nats://127.0.0.1:4222
//   (--cluster-nats): ..."). Once connected the client reconnects by itself
//   for ever (any server of the list or discovered from the cluster).
// - Every JetStream request and publish waits at most request_timeout;
//   none blocks longer. Failures are absl::Status: UNAVAILABLE when NATS or
//   JetStream cannot answer now (no server, no quorum, timeout; retrying
//   later may work), FAILED_PRECONDITION for a conflict (a stream or bucket
//   that exists with other settings, a wrong expected sequence),
//   NOT_FOUND, INTERNAL for the rest; messages name the stream/bucket and
//   libnats' reason.
// - EnsureStream()/EnsureKv() create what is missing and verify what
//   exists (replicas, subjects, TTL): a mismatch is refused with what to do,
//   never silently changed.
//
// Thread-safety: thread-safe (libnats' connection and JetStream context are;
// this class adds no mutable state after Connect()).
#ifndef DEPOSITD_DAEMON_NATS_CLIENT_H_
#define DEPOSITD_DAEMON_NATS_CLIENT_H_

#include <nats/nats.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace depositd::daemon {

struct NatsClientOptions {
  // nats://host:port of each server to try (at least one).
  std::vector<std::string> servers;
  // The flag the servers came from, named in the connect error.
  std::string flag = "--cluster-nats";
  // Connection name shown by the servers' monitoring (/connz).
  std::string name = "depositd";
  // Per server, for the first connect.
  absl::Duration connect_timeout = absl::Seconds(2);
  // Every JetStream request and publish.
  absl::Duration request_timeout = absl::Seconds(2);
  // Pause between reconnect attempts to one server.
  absl::Duration reconnect_wait = absl::Milliseconds(250);
};

// A stream: created with these settings, or verified to have them.
struct StreamSpec {
  std::string name;
  std::vector<std::string> subjects;
  int replicas = 1;
  // Window in which a repeated Nats-Msg-Id is dropped as a duplicate.
  absl::Duration duplicate_window = absl::Minutes(2);
};

// A KV bucket: created with these settings, or verified to have them.
struct KvSpec {
  std::string bucket;
  int replicas = 1;
  // Entries expire this long after their last write; zero: never.
  absl::Duration ttl = absl::ZeroDuration();
};

// The status for a libnats result `s` (with JetStream's `js_error` when the
// call has one, else 0) of the operation described by `what`.
absl::Status NatsStatus(natsStatus s, int js_error, absl::string_view what);

class NatsClient {
 public:
  static absl::StatusOr<std::unique_ptr<NatsClient>> Connect(
      const NatsClientOptions& options);
  ~NatsClient();
  NatsClient(const NatsClient&) = delete;
  NatsClient& operator=(const NatsClient&) = delete;

  absl::Status EnsureStream(const StreamSpec& spec);
  absl::Status EnsureKv(const KvSpec& spec);

  // The server this connection is on now ("" while disconnected).
  std::string ConnectedUrl() const;

  natsConnection* connection() const { return conn_; }
  jsCtx* jetstream() const { return js_; }
  const NatsClientOptions& options() const { return options_; }
  // request_timeout in milliseconds, for libnats' options.
  int64_t request_timeout_ms() const;

 private:
  NatsClient() = default;

  NatsClientOptions options_;
  natsConnection* conn_ = nullptr;
  jsCtx* js_ = nullptr;
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_NATS_CLIENT_H_
