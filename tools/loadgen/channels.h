// The gRPC connections of depositd-loadgen: the channels a mode spreads its
// streams and calls over, the wait until they are connected, and gRPC status
// as absl::Status.
//
// Failure contract: MakeChannels cannot fail (gRPC connects lazily); Connect
// returns UNAVAILABLE when a channel is not connected within 10 s.
//
// Thread-safety: free functions without shared state; the channels are
// gRPC's and may be used from any thread.
#ifndef DEPOSITD_TOOLS_LOADGEN_CHANNELS_H_
#define DEPOSITD_TOOLS_LOADGEN_CHANNELS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "grpcpp/grpcpp.h"

namespace depositd::loadgen {

absl::Status FromGrpc(const grpc::Status& s);

// `n` (at least 1) channels to `target`, each on its own HTTP/2 connection.
std::vector<std::shared_ptr<grpc::Channel>> MakeChannels(
    const std::string& target, int n);

// Waits until every channel is connected.
absl::Status Connect(const std::vector<std::shared_ptr<grpc::Channel>>& chans,
                     const std::string& target);

}  // namespace depositd::loadgen

#endif  // DEPOSITD_TOOLS_LOADGEN_CHANNELS_H_
