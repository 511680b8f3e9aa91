// Partitions of cluster mode, pure (no I/O, no clock): which partition a
// shop is in, and which live node should own each partition.
//
// A cluster has a fixed number P of virtual partitions, chosen when it is
// created and never changed. A shop's partition is its stable ShopHash
// (daemon/stable_hash.h) mod P, the same in every build, run and node.
//
// PlanPartitions() spreads P partitions evenly over the live nodes: each
// gets floor(P/N) or ceil(P/N). The plan is a function of (P, set of node
// ids) alone, so every node computes the same plan from the same
// membership without talking. It is rendezvous hashing with capacities:
// each (partition, node) pair has a stable score, and pairs are taken in
// score order while the node has room, so a partition stays on the node
// that scores it highest unless that node is full. When a node joins or
// leaves, few partitions move besides the ones that must (the tests measure
// it: see partition_plan_test.cc).
//
// Thread-safety: pure functions.
#ifndef DEPOSITD_DAEMON_PARTITION_PLAN_H_
#define DEPOSITD_DAEMON_PARTITION_PLAN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace depositd::daemon {

// The largest partition count a cluster may have.
inline constexpr int kMaxPartitions = 4096;

// The partition of shop (tenant, shop_id) among `partitions` (> 0).
int PartitionOf(absl::string_view tenant, absl::string_view shop_id,
                int partitions);

// The owner of each of `partitions` partitions (index = partition) among
// `nodes` (ids; order and duplicates do not matter). Empty strings when
// `nodes` is empty.
std::vector<std::string> PlanPartitions(int partitions,
                                        std::vector<std::string> nodes);

// The owner of each partition among `nodes` given the `current` owners
// (index = partition; "" or a node not in `nodes` for a partition nobody
// live holds; missing entries count as ""): the same even spread as
// PlanPartitions (floor or ceil of P/N each), reached by moving as few
// partitions as any even spread can. Every live node keeps what it holds
// up to its capacity (the P mod N larger capacities go to nodes holding
// more than floor(P/N), the first by id; a node over capacity keeps the
// partitions it scores highest); the partitions left (nobody live holds
// them, or over capacity) go in rendezvous order to the nodes with room.
// So a join moves only the newcomer's share, a leave only the leaver's
// partitions; a stable plan maps to itself; with no current owners it is
// PlanPartitions(). Every node computing it from the same view gets the
// same plan.
std::vector<std::string> RebalancePartitions(
    int partitions, std::vector<std::string> nodes,
    const std::vector<std::string>& current);

// How many partitions change owner between two plans of the same size.
int CountMoves(const std::vector<std::string>& before,
               const std::vector<std::string>& after);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_PARTITION_PLAN_H_
