// Client channels to depositd with its security options: a bearer token on
// every call and TLS (optionally with a client certificate for mutual TLS).
// Used by depositctl and by the integration tests.
//
//   ClientChannelOptions options;
//   options.token = std::getenv("DEPOSITD_TOKEN");
//   options.tls_ca_file = "ca.pem";
//   absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
//       MakeClientChannel("depositd.example:50051", options);
//
// The token is added by a client interceptor as the metadata
// "authorization: Bearer <token>", so it also works on a plaintext loopback
// channel (gRPC's own call credentials refuse insecure channels).
#ifndef DEPOSITD_TOOLS_CLIENT_CHANNEL_H_
#define DEPOSITD_TOOLS_CLIENT_CHANNEL_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/support/channel_arguments.h"

namespace depositd::tools {

struct ClientChannelOptions {
  // Bearer token for every call; empty: none.
  std::string token;
  // TLS is used when any of these is set (or `tls` is true).
  bool tls = false;
  // PEM CA certificate(s) to verify the server; empty: the system's roots.
  std::string tls_ca_file;
  // PEM client certificate and key (mutual TLS); both or neither.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Extra channel arguments (e.g. its own connection in tests).
  grpc::ChannelArguments args;
};

// The whole file an option names (--tls-ca, --secret-file, ...);
// INVALID_ARGUMENT naming the option, the path and why otherwise.
absl::StatusOr<std::string> ReadOptionFile(const std::string& option,
                                           const std::string& path);

// A channel to `address`. INVALID_ARGUMENT naming the option and file when a
// file cannot be read, or a certificate is given without its key (or the
// reverse). Connecting happens lazily, on the first call.
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeClientChannel(
    const std::string& address, const ClientChannelOptions& options);

// Connects `channel` now and waits (at most `budget`) until it is READY,
// or until a failed attempt is not followed by a successful retry within
// 400 ms. For one-shot clients whose calls
// fail fast: gRPC 1.51 (Debian 12) sometimes fails a connect() to loopback
// that is in progress with a stale errno ("ipv4:127.0.0.1:PORT: No such
// file or directory"); the channel retries after its reconnect backoff
// (100 ms on channels from MakeClientChannel), so a spurious failure costs
// ~100 ms here instead of failing the command, while a daemon that is not
// running is reported ~0.4 s later by the call itself.
// Returns whether the channel is READY.
bool ConnectEarly(const std::shared_ptr<grpc::Channel>& channel,
                  absl::Duration budget);

}  // namespace depositd::tools

#endif  // DEPOSITD_TOOLS_CLIENT_CHANNEL_H_
