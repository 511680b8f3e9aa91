// depositctl's view of one invocation: the daemon's address, the per-call
// deadline, the channel, and how a failed call is told to the user (one line
// on stderr naming what to do) with its exit code.
//
// Exit codes: 0 success; 1 the daemon answered but not with success; 2 usage
// errors and connection errors (daemon unreachable, deadline exceeded).
#ifndef DEPOSITD_TOOLS_CTL_CLIENT_H_
#define DEPOSITD_TOOLS_CTL_CLIENT_H_

#include <iostream>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "tools/grpc_health_v1.grpc.pb.h"

namespace depositd::tools {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

// Shared state of one invocation: the channel and the common options.
class Client {
 public:
  Client(std::string addr, absl::Duration timeout,
         std::shared_ptr<grpc::Channel> channel)
      : addr_(std::move(addr)),
        timeout_(timeout),
        channel_(std::move(channel)) {}

  const std::string& addr() const { return addr_; }
  absl::Duration timeout() const { return timeout_; }
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }

  // A context with the per-call deadline.
  void SetDeadline(grpc::ClientContext* context) const {
    context->set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
  }

  // Prints one line about a failed call and returns the exit code.
  // `was_connected`: the call had reached the daemon (a stream that ended),
  // so UNAVAILABLE means it went away rather than that it is not running.
  int ReportError(const grpc::Status& status, absl::string_view what,
                  bool was_connected = false) const {
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE && was_connected) {
      std::cerr << "depositctl: " << what << ": the stream from depositd at "
                << addr_ << " ended: " << status.error_message() << "\n";
      return kExitUsage;
    }
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
      std::string reason = status.error_message();
      if (absl::StrContains(reason, "Connection refused")) {
        reason = "connection refused";
      } else if (absl::StrContains(reason, "Socket closed") ||
                 absl::StrContains(reason, "andshake") ||
                 absl::StrContains(reason, "SSL") ||
                 absl::StrContains(reason, "certificate")) {
        // The connection ended during set-up: usually TLS on one side only,
        // a certificate not trusted, or no client certificate.
        std::cerr << "depositctl: depositd at " << addr_
                  << " closed the connection during set-up: " << reason
                  << " (if it runs with --tls-cert, pass --tls-ca CA.pem, "
                     "and with --tls-client-ca also --tls-cert/--tls-key; "
                     "if it runs without TLS, drop the --tls options)\n";
        return kExitUsage;
      }
      std::cerr << "depositctl: cannot reach depositd at " << addr_ << ": "
                << reason
                << " (is it running? start it with `depositd --listen " << addr_
                << " --data-dir DIR`, or pass --addr)\n";
      return kExitUsage;
    }
    if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
      std::cerr << "depositctl: " << what << ": depositd at " << addr_
                << " did not answer within " << absl::FormatDuration(timeout_)
                << " (see --timeout)\n";
      return kExitUsage;
    }
    std::cerr << "depositctl: " << what
              << " failed: " << StatusCodeName(status.error_code()) << ": "
              << status.error_message() << "\n";
    return kExitFailed;
  }

  int ReportError(const absl::Status& status, absl::string_view what,
                  bool was_connected = false) const {
    return ReportError(
        grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                     std::string(status.message())),
        what, was_connected);
  }

  static const char* StatusCodeName(grpc::StatusCode code) {
    switch (code) {
      case grpc::StatusCode::CANCELLED:
        return "CANCELLED";
      case grpc::StatusCode::UNKNOWN:
        return "UNKNOWN";
      case grpc::StatusCode::INVALID_ARGUMENT:
        return "INVALID_ARGUMENT";
      case grpc::StatusCode::DEADLINE_EXCEEDED:
        return "DEADLINE_EXCEEDED";
      case grpc::StatusCode::NOT_FOUND:
        return "NOT_FOUND";
      case grpc::StatusCode::ALREADY_EXISTS:
        return "ALREADY_EXISTS";
      case grpc::StatusCode::PERMISSION_DENIED:
        return "PERMISSION_DENIED";
      case grpc::StatusCode::RESOURCE_EXHAUSTED:
        return "RESOURCE_EXHAUSTED";
      case grpc::StatusCode::FAILED_PRECONDITION:
        return "FAILED_PRECONDITION";
      case grpc::StatusCode::ABORTED:
        return "ABORTED";
      case grpc::StatusCode::OUT_OF_RANGE:
        return "OUT_OF_RANGE";
      case grpc::StatusCode::UNIMPLEMENTED:
        return "UNIMPLEMENTED";
      case grpc::StatusCode::INTERNAL:
        return "INTERNAL";
      case grpc::StatusCode::UNAVAILABLE:
        return "UNAVAILABLE";
      case grpc::StatusCode::DATA_LOSS:
        return "DATA_LOSS";
      case grpc::StatusCode::UNAUTHENTICATED:
        return "UNAUTHENTICATED";
      default:
        return "ERROR";
    }
  }

  // A quick health check before long-running streams, so that an absent
  // daemon is reported at once with the connection error. 0 or exit code.
  int CheckReachable() const {
    grpc::health::v1::Health::Stub health(channel_);
    grpc::ClientContext context;
    SetDeadline(&context);
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status status = health.Check(&context, request, &response);
    if (status.ok() || status.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
      return kExitOk;
    }
    return ReportError(status, "health check");
  }

 private:
  std::string addr_;
  absl::Duration timeout_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace depositd::tools

#endif  // DEPOSITD_TOOLS_CTL_CLIENT_H_
