// depositd-loadgen --mode serving: the time from a daemon's launch
// (--since-unix-ns) to its port file, to health SERVING and to the first
// GetShop answer, for start-up and recovery benchmarks.
//
// Failure contract: INVALID_ARGUMENT without --port-file and
// --since-unix-ns; DEADLINE_EXCEEDED when the port file or SERVING does not
// come within --timeout; the last GetShop status when no answer came.
//
// Thread-safety: polls from the calling thread.
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "depositd/v1/service.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "tools/grpc_health_v1.grpc.pb.h"
#include "tools/loadgen/channels.h"
#include "tools/loadgen/histogram.h"
#include "tools/loadgen/modes.h"
#include "tools/loadgen/report.h"
#include "tools/loadgen/workload.h"

namespace depositd::loadgen {

absl::Status RunServing(const LoadgenOptions& o) {
  if (o.port_file.empty() || o.since_unix_ns <= 0) {
    return absl::InvalidArgumentError(
        "serving needs --port_file and --since_unix_ns (the launch time)");
  }
  const absl::Time since = absl::FromUnixNanos(o.since_unix_ns);
  const absl::Time give_up = absl::Now() + o.timeout;
  std::string port;
  while (port.empty()) {
    std::ifstream in(o.port_file);
    if (in) std::getline(in, port);
    if (!port.empty()) break;
    if (absl::Now() > give_up) {
      return absl::DeadlineExceededError("no port file within the timeout");
    }
    absl::SleepFor(absl::Milliseconds(2));
  }
  const absl::Time port_at = absl::Now();
  const std::string target = absl::StrCat("127.0.0.1:", port);
  auto channel =
      grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  for (;;) {
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(1)));
    grpc::health::v1::HealthCheckRequest req;
    grpc::health::v1::HealthCheckResponse resp;
    grpc::Status s = health->Check(&ctx, req, &resp);
    if (s.ok() &&
        resp.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
      break;
    }
    if (absl::Now() > give_up) {
      return absl::DeadlineExceededError("not SERVING within the timeout");
    }
    absl::SleepFor(absl::Milliseconds(2));
  }
  const absl::Time healthy_at = absl::Now();
  // A readiness answer for a real shop (NOT_FOUND counts: it is an answer).
  auto readiness = v1::Readiness::NewStub(channel);
  for (;;) {
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    v1::GetShopRequest req;
    req.set_tenant(o.tenant);
    req.set_shop_id(ShopId(0));
    v1::ReadinessReport resp;
    grpc::Status s = readiness->GetShop(&ctx, req, &resp);
    if (s.ok() || s.error_code() == grpc::StatusCode::NOT_FOUND) break;
    if (absl::Now() > give_up) return FromGrpc(s);
    absl::SleepFor(absl::Milliseconds(2));
  }
  const absl::Time answered_at = absl::Now();
  std::printf(
      "serving: port file after %.3f s, health SERVING after %.3f s, first "
      "GetShop answered after %.3f s\n",
      absl::ToDoubleSeconds(port_at - since),
      absl::ToDoubleSeconds(healthy_at - since),
      absl::ToDoubleSeconds(answered_at - since));
  LatencyHistogram h;
  h.Record(absl::ToInt64Nanoseconds(answered_at - since));
  AppendCsv(o, "serving", 1, 0, h, 0, 0, 0, 0,
            absl::StrFormat("port_s=%.3f;health_s=%.3f",
                            absl::ToDoubleSeconds(port_at - since),
                            absl::ToDoubleSeconds(healthy_at - since)));
  return absl::OkStatus();
}

}  // namespace depositd::loadgen
