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

// A channel to `address`. INVALID_ARGUMENT naming the option and file when a
// file cannot be read, or a certificate is given without its key (or the
// reverse). Connecting happens lazily, on the first call.
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeClientChannel(
    const std::string& address, const ClientChannelOptions& options);

}  // namespace depositd::tools

#endif  // DEPOSITD_TOOLS_CLIENT_CHANNEL_H_
