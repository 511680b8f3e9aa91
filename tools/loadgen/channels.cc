#include "tools/loadgen/channels.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace depositd::loadgen {

absl::Status FromGrpc(const grpc::Status& s) {
  if (s.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                      s.error_message());
}

std::vector<std::shared_ptr<grpc::Channel>> MakeChannels(
    const std::string& target, int n) {
  std::vector<std::shared_ptr<grpc::Channel>> out;
  for (int i = 0; i < std::max(1, n); ++i) {
    grpc::ChannelArguments args;
    // A distinct argument per channel keeps gRPC from sharing one
    // connection between them.
    args.SetInt("depositd.loadgen.connection", i);
    args.SetMaxReceiveMessageSize(64 << 20);
    args.SetMaxSendMessageSize(64 << 20);
    out.push_back(grpc::CreateCustomChannel(
        target, grpc::InsecureChannelCredentials(), args));
  }
  return out;
}

absl::Status Connect(const std::vector<std::shared_ptr<grpc::Channel>>& chans,
                     const std::string& target) {
  for (const auto& c : chans) {
    if (!c->WaitForConnected(
            absl::ToChronoTime(absl::Now() + absl::Seconds(10)))) {
      return absl::UnavailableError(
          absl::StrCat("cannot connect to ", target, " within 10 s"));
    }
  }
  return absl::OkStatus();
}

}  // namespace depositd::loadgen
