// Server TLS credentials from PEM files, checked before the server starts so
// that a wrong path or a key that does not match the certificate is one
// clear line naming the file, not a failed bind.
//
//   --tls-cert FILE --tls-key FILE          TLS (server certificate)
//   --tls-client-ca FILE                    mutual TLS: clients must present
//                                           a certificate signed by this CA
#ifndef DEPOSITD_DAEMON_TLS_H_
#define DEPOSITD_DAEMON_TLS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/security/server_credentials.h"

namespace depositd::daemon {

struct ServerTlsOptions {
  // PEM server certificate chain and its private key; both or neither.
  std::string cert_file;
  std::string key_file;
  // PEM CA bundle; set: require and verify client certificates.
  std::string client_ca_file;
};

// Insecure credentials when no file is set; TLS ones otherwise.
// INVALID_ARGUMENT naming the flag and file when a file is unreadable, not
// PEM, the key does not match the certificate, or the flags are combined
// wrongly (a key without a certificate, a client CA without TLS).
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsOptions& options);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_TLS_H_
