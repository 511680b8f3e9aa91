// ClusterNode: a depositd process joining a cluster from its --cluster-*
// flags. For now this is membership and partition leases only (issue 18,
// first step): the node heartbeats, holds its even share of partitions and
// hands them over on SIGTERM, while the engine still runs single-node on
// its own RocksDB store (docs/cluster.md says what is not wired yet).
//
// Start() connects (a one-line error when NATS is unreachable), joins
// (refused when the cluster has another partition count) and starts the
// lease loop; gains and drops are logged. Drain() hands every partition
// over before depositd exits.
//
// Metrics (with a registry): depositd_cluster_partition_owned{partition}
// is 1 while this node holds the partition, else 0;
// depositd_cluster_partitions_owned counts them.
//
// Thread-safety: thread-safe (see PartitionLeases).
#ifndef DEPOSITD_DAEMON_CLUSTER_NODE_H_
#define DEPOSITD_DAEMON_CLUSTER_NODE_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "daemon/nats_client.h"
#include "daemon/partition_leases.h"
#include "prometheus/registry.h"

namespace depositd::daemon {

struct ClusterNodeOptions {
  // --cluster-nats: comma-separated nats://host:port list.
  std::string nats;
  // --cluster-node-id
  std::string node_id;
  // --cluster-partitions
  int partitions = 64;
  // --cluster-replicas: of the KV buckets (3 on a 3-node NATS cluster).
  int replicas = 3;
  // Lease timing (tests shorten them).
  absl::Duration lease_ttl = absl::Seconds(6);
  absl::Duration tick = absl::Seconds(1);
  // Where the per-partition gauges go (the HTTP edge's /metrics); none
  // when null. Must outlive the node.
  prometheus::Registry* registry = nullptr;
};

class ClusterNode {
 public:
  static absl::StatusOr<std::unique_ptr<ClusterNode>> Start(
      const ClusterNodeOptions& options);
  ~ClusterNode();

  // Releases every partition and waits until other nodes hold them.
  absl::Status Drain(absl::Duration timeout);
  // "node n1 in a cluster of 64 partitions via nats://...".
  std::string Summary() const;
  PartitionLeases* leases() const { return leases_.get(); }

 private:
  ClusterNode() = default;
  ClusterNodeOptions options_;
  std::unique_ptr<NatsClient> client_;
  std::unique_ptr<PartitionLeases> leases_;
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_CLUSTER_NODE_H_
