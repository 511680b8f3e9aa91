// depositd-loadgen --mode stats: Admin.GetStats printed on one line of
// key=value pairs (the bench scripts read it).
//
// Failure contract: the GetStats call's status (30 s deadline).
//
// Thread-safety: one call from the calling thread.
#include <cstdio>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "depositd/v1/service.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "tools/loadgen/channels.h"
#include "tools/loadgen/modes.h"

namespace depositd::loadgen {

absl::Status RunStats(const LoadgenOptions& o) {
  auto channel =
      grpc::CreateChannel(o.target, grpc::InsecureChannelCredentials());
  auto admin = v1::Admin::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  v1::StatsResponse stats;
  grpc::Status s = admin->GetStats(&ctx, v1::GetStatsRequest(), &stats);
  if (!s.ok()) return FromGrpc(s);
  std::printf(
      "shops=%lld events_applied=%lld log_position=%llu "
      "checkpoint_position=%llu alert_sequence=%llu pending_deadlines=%lld "
      "shards=%d store_live_bytes=%lld dedupe_ids=%lld packed_shops=%lld\n",
      static_cast<long long>(stats.shops()),
      static_cast<long long>(stats.events_applied()),
      static_cast<unsigned long long>(stats.log_position()),
      static_cast<unsigned long long>(stats.checkpoint_position()),
      static_cast<unsigned long long>(stats.alert_sequence()),
      static_cast<long long>(stats.pending_deadlines()), stats.shards(),
      static_cast<long long>(stats.store_live_bytes()),
      static_cast<long long>(stats.dedupe_ids()),
      static_cast<long long>(stats.packed_shops()));
  return absl::OkStatus();
}

}  // namespace depositd::loadgen
