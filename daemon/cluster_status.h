// Cluster status for `depositctl cluster status`: the partition count, the
// live nodes with their heartbeats, who owns which partition, and each
// partition's last log sequence, read from the cluster's KV buckets and
// log stream (NATS only; no depositd node needs to answer), and each
// partition's lag: log records after its checkpoint's cut.
//
// Thread-safety: functions without shared state.
#ifndef DEPOSITD_DAEMON_CLUSTER_STATUS_H_
#define DEPOSITD_DAEMON_CLUSTER_STATUS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "daemon/nats_client.h"
#include "daemon/nats_kv.h"
#include "daemon/partition_leases.h"

namespace depositd::daemon {

struct ClusterStatus {
  int partitions = 0;
  std::vector<KvEntry> nodes;  // key = node id, value = state
  std::vector<PartitionLease> leases;
  // Last sequence of each partition's log (0: empty or no log stream yet).
  std::vector<uint64_t> log_last;
  bool log_stream = false;
  // Per partition: its checkpoint's cut (0: none) and the log records
  // after it, i.e. what a new owner replays. Empty without a log stream.
  std::vector<uint64_t> checkpoint_cut;
  std::vector<uint64_t> lag;
  // Why a partition's checkpoint could not be read ("" when it could or
  // there is none), e.g. a manifest depositd did not write.
  std::vector<std::string> checkpoint_error;
};

absl::StatusOr<ClusterStatus> ReadClusterStatus(NatsClient* client);

// The report as text; heartbeat ages relative to `now`.
std::string FormatClusterStatus(const ClusterStatus& status, absl::Time now);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_CLUSTER_STATUS_H_
