#include "daemon/partition_plan.h"

#include <algorithm>
#include <tuple>

#include "daemon/stable_hash.h"

namespace depositd::daemon {
namespace {

// The stable score of `node` for `partition`: higher wins.
uint64_t Score(uint64_t node_hash, int partition) {
  return Mix64(node_hash ^ Mix64(static_cast<uint64_t>(partition) + 1));
}

}  // namespace

int PartitionOf(absl::string_view tenant, absl::string_view shop_id,
                int partitions) {
  if (partitions <= 0) return 0;
  return static_cast<int>(ShopHash(tenant, shop_id) %
                          static_cast<uint64_t>(partitions));
}

std::vector<std::string> PlanPartitions(int partitions,
                                        std::vector<std::string> nodes) {
  std::vector<std::string> owners(std::max(partitions, 0));
  std::sort(nodes.begin(), nodes.end());
  nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
  if (nodes.empty() || partitions <= 0) return owners;

  const int n = static_cast<int>(nodes.size());
  std::vector<uint64_t> node_hash(n);
  for (int i = 0; i < n; ++i) node_hash[i] = Fnv1a64(nodes[i]);

  // Every (score, partition, node) pair, best first; ties (vanishingly
  // rare) broken by partition then node so the order is total.
  struct Pair {
    uint64_t score;
    int partition;
    int node;
  };
  std::vector<Pair> pairs;
  pairs.reserve(static_cast<size_t>(partitions) * n);
  for (int p = 0; p < partitions; ++p) {
    for (int i = 0; i < n; ++i) pairs.push_back({Score(node_hash[i], p), p, i});
  }
  std::sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) {
    return std::tie(b.score, a.partition, a.node) <
           std::tie(a.score, b.partition, b.node);
  });

  // Capacities: every node floor(P/N); P mod N of them one more, whichever
  // reach it first.
  const int base = partitions / n;
  const int extra = partitions % n;
  std::vector<int> load(n, 0);
  std::vector<bool> assigned(partitions, false);
  int at_extra = 0;
  int left = partitions;
  for (const Pair& pair : pairs) {
    if (left == 0) break;
    if (assigned[pair.partition]) continue;
    int& l = load[pair.node];
    if (l < base) {
      ++l;
    } else if (l == base && at_extra < extra) {
      ++l;
      ++at_extra;
    } else {
      continue;
    }
    assigned[pair.partition] = true;
    owners[pair.partition] = nodes[pair.node];
    --left;
  }
  return owners;
}

int CountMoves(const std::vector<std::string>& before,
               const std::vector<std::string>& after) {
  int moves = 0;
  for (size_t p = 0; p < before.size() && p < after.size(); ++p) {
    if (before[p] != after[p]) ++moves;
  }
  return moves;
}

}  // namespace depositd::daemon
