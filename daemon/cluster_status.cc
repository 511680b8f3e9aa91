#include "daemon/cluster_status.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "daemon/jetstream_checkpoints.h"
#include "daemon/jetstream_log.h"

namespace depositd::daemon {

absl::StatusOr<ClusterStatus> ReadClusterStatus(NatsClient* client) {
  ClusterStatus status;
  absl::StatusOr<int> partitions = PartitionLeases::ReadPartitionCount(client);
  if (absl::IsNotFound(partitions.status())) {
    return absl::NotFoundError(
        "no depositd cluster on this NATS (no cluster record): start a "
        "depositd with --cluster-nats first");
  }
  if (!partitions.ok()) return partitions.status();
  status.partitions = *partitions;
  absl::StatusOr<std::vector<KvEntry>> nodes =
      PartitionLeases::ReadNodes(client);
  if (!nodes.ok()) return nodes.status();
  status.nodes = *std::move(nodes);
  absl::StatusOr<std::vector<PartitionLease>> leases =
      PartitionLeases::ReadLeases(client, status.partitions);
  if (!leases.ok()) return leases.status();
  status.leases = *std::move(leases);

  status.log_last.assign(status.partitions, 0);
  jsStreamInfo* info = nullptr;
  if (js_GetStreamInfo(&info, client->jetstream(), kLogStream, nullptr,
                       nullptr) == NATS_OK) {
    jsStreamInfo_Destroy(info);
    status.log_stream = true;
    for (int p = 0; p < status.partitions; ++p) {
      natsMsg* msg = nullptr;
      const std::string subject = JetStreamLog::Subject(p);
      if (js_GetLastMsg(&msg, client->jetstream(), kLogStream, subject.c_str(),
                        nullptr, nullptr) == NATS_OK) {
        status.log_last[p] = natsMsg_GetSequence(msg);
        natsMsg_Destroy(msg);
      }
    }
    status.checkpoint_cut.assign(status.partitions, 0);
    status.lag.assign(status.partitions, 0);
    status.checkpoint_error.assign(status.partitions, "");
    for (int p = 0; p < status.partitions; ++p) {
      absl::StatusOr<CheckpointManifest> manifest =
          JetStreamCheckpoints::ReadManifest(client, p);
      if (manifest.ok()) {
        status.checkpoint_cut[p] = manifest->cut;
      } else if (absl::IsDataLoss(manifest.status())) {
        status.checkpoint_error[p] = std::string(manifest.status().message());
      } else if (!absl::IsNotFound(manifest.status())) {
        return manifest.status();
      }
      if (status.log_last[p] <= status.checkpoint_cut[p]) continue;
      absl::StatusOr<uint64_t> lag =
          JetStreamLog::CountAfter(client, p, status.checkpoint_cut[p]);
      if (!lag.ok()) return lag.status();
      status.lag[p] = *lag;
    }
  }
  return status;
}

std::string FormatClusterStatus(const ClusterStatus& status, absl::Time now) {
  std::map<std::string, std::vector<int>> owned;
  std::vector<int> free;
  for (const PartitionLease& lease : status.leases) {
    if (lease.owner.empty()) {
      free.push_back(lease.partition);
    } else {
      owned[lease.owner].push_back(lease.partition);
    }
  }
  std::string out = absl::StrCat("partitions: ", status.partitions, "\n");
  absl::StrAppend(&out, "nodes: ", status.nodes.size(), "\n");
  for (const KvEntry& node : status.nodes) {
    const auto it = owned.find(node.key);
    const size_t count = it == owned.end() ? 0 : it->second.size();
    absl::StrAppend(&out, "  ", node.key, "  ", node.value, ", heartbeat ",
                    absl::FormatDuration(absl::Trunc(now - node.written,
                                                     absl::Milliseconds(100))),
                    " ago, ", count, " partitions", count == 0 ? "" : ": ",
                    it == owned.end() ? "" : absl::StrJoin(it->second, " "),
                    "\n");
  }
  // Owners without a heartbeat: a node that died while its leases last.
  for (const auto& [owner, partitions] : owned) {
    bool live = false;
    for (const KvEntry& node : status.nodes) live = live || node.key == owner;
    if (!live) {
      absl::StrAppend(&out, "  ", owner, "  no heartbeat (leases expiring), ",
                      partitions.size(),
                      " partitions: ", absl::StrJoin(partitions, " "), "\n");
    }
  }
  absl::StrAppend(&out, "unowned partitions: ",
                  free.empty() ? "none" : absl::StrJoin(free, " "), "\n");
  if (!status.log_stream) {
    absl::StrAppend(&out, "log: no ", kLogStream,
                    " stream yet (the engine does not write to the cluster "
                    "log yet)\n");
  } else {
    absl::StrAppend(&out, "log last sequence per partition:");
    for (int p = 0; p < status.partitions; ++p) {
      absl::StrAppend(&out, p % 8 == 0 ? "\n " : "", " ", p, ":",
                      status.log_last[p]);
    }
    absl::StrAppend(&out, "\n");
    // What a new owner would replay: records after the checkpoint's cut.
    absl::StrAppend(&out,
                    "lag per partition (log records after the last "
                    "checkpoint's cut; * = no checkpoint yet):");
    for (int p = 0;
         p < status.partitions && p < static_cast<int>(status.lag.size());
         ++p) {
      absl::StrAppend(&out, p % 8 == 0 ? "\n " : "", " ", p, ":", status.lag[p],
                      status.checkpoint_cut[p] == 0 ? "*" : "");
    }
    absl::StrAppend(&out, "\n");
    for (int p = 0; p < static_cast<int>(status.checkpoint_error.size()); ++p) {
      if (!status.checkpoint_error[p].empty()) {
        absl::StrAppend(&out, "checkpoint of partition ", p,
                        " unreadable: ", status.checkpoint_error[p], "\n");
      }
    }
  }
  return out;
}

}  // namespace depositd::daemon
