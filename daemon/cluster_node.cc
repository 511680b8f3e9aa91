#include "daemon/cluster_node.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "daemon/log.h"
#include "prometheus/gauge.h"

namespace depositd::daemon {

absl::StatusOr<std::unique_ptr<ClusterNode>> ClusterNode::Start(
    const ClusterNodeOptions& options) {
  if (options.node_id.empty()) {
    return absl::InvalidArgumentError(
        "--cluster-nats needs --cluster-node-id (a name unique in the "
        "cluster, e.g. the host name)");
  }
  if (absl::Status s = CheckNodeId(options.node_id); !s.ok()) return s;
  NatsClientOptions nats;
  for (absl::string_view url :
       absl::StrSplit(options.nats, ',', absl::SkipWhitespace())) {
    nats.servers.emplace_back(absl::StripAsciiWhitespace(url));
  }
  nats.name = absl::StrCat("depositd ", options.node_id);
  std::unique_ptr<ClusterNode> node(new ClusterNode());
  node->options_ = options;
  absl::StatusOr<std::unique_ptr<NatsClient>> client =
      NatsClient::Connect(nats);
  if (!client.ok()) return client.status();
  node->client_ = *std::move(client);

  PartitionLeasesOptions leases;
  leases.node_id = options.node_id;
  leases.partitions = options.partitions;
  leases.replicas = options.replicas;
  leases.lease_ttl = options.lease_ttl;
  leases.tick = options.tick;
  // Per-partition gauges, all present from the start (0 = not here).
  std::vector<prometheus::Gauge*> per_partition;
  prometheus::Gauge* total = nullptr;
  if (options.registry != nullptr) {
    auto& family =
        prometheus::BuildGauge()
            .Name("depositd_cluster_partition_owned")
            .Help("1 while this node holds the partition's lease, else 0.")
            .Register(*options.registry);
    for (int p = 0; p < options.partitions; ++p) {
      per_partition.push_back(&family.Add({{"partition", absl::StrCat(p)}}));
    }
    total = &prometheus::BuildGauge()
                 .Name("depositd_cluster_partitions_owned")
                 .Help("Partitions whose lease this node holds.")
                 .Register(*options.registry)
                 .Add({});
  }
  leases.on_change = [per_partition, total](int partition, bool owned) {
    LogInfo("cluster", owned ? "partition gained" : "partition dropped",
            {{"partition", partition}});
    if (partition >= 0 && partition < static_cast<int>(per_partition.size())) {
      per_partition[partition]->Set(owned ? 1 : 0);
    }
    if (total != nullptr) {
      if (owned) {
        total->Increment();
      } else {
        total->Decrement();
      }
    }
  };
  absl::StatusOr<std::unique_ptr<PartitionLeases>> joined =
      PartitionLeases::Join(node->client_.get(), std::move(leases));
  if (!joined.ok()) return joined.status();
  node->leases_ = *std::move(joined);
  node->leases_->Start();
  return node;
}

ClusterNode::~ClusterNode() {
  if (leases_ != nullptr) leases_->Stop();
}

absl::Status ClusterNode::Drain(absl::Duration timeout) {
  return leases_->Drain(timeout);
}

std::string ClusterNode::Summary() const {
  return absl::StrCat("node ", options_.node_id, " in a cluster of ",
                      options_.partitions, " partitions via NATS ",
                      client_->ConnectedUrl());
}

}  // namespace depositd::daemon
