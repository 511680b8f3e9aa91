#include "daemon/partition_plan.h"

#include <algorithm>
#include <tuple>
#include <utility>

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

namespace {

// Sorted, unique node ids.
std::vector<std::string> Normalize(std::vector<std::string> nodes) {
  std::sort(nodes.begin(), nodes.end());
  nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
  return nodes;
}

// Fills the partitions of `owner` still -1 by rendezvous order, each node
// up to floor(P/N), P mod N of them one more (`at_extra` already have it),
// counting the `load` each node has already.
void AssignByScore(int partitions, const std::vector<uint64_t>& node_hash,
                   std::vector<int>* load, int at_extra,
                   std::vector<int>* owner) {
  const int n = static_cast<int>(node_hash.size());
  // Every (score, partition, node) pair of an unassigned partition, best
  // first; ties (vanishingly rare) broken by partition then node so the
  // order is total.
  struct Pair {
    uint64_t score;
    int partition;
    int node;
  };
  std::vector<Pair> pairs;
  int left = 0;
  for (int p = 0; p < partitions; ++p) {
    if ((*owner)[p] >= 0) continue;
    ++left;
    for (int i = 0; i < n; ++i) pairs.push_back({Score(node_hash[i], p), p, i});
  }
  std::sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) {
    return std::tie(b.score, a.partition, a.node) <
           std::tie(a.score, b.partition, b.node);
  });
  const int base = partitions / n;
  const int extra = partitions % n;
  for (const Pair& pair : pairs) {
    if (left == 0) break;
    if ((*owner)[pair.partition] >= 0) continue;
    int& l = (*load)[pair.node];
    if (l < base) {
      ++l;
    } else if (l == base && at_extra < extra) {
      ++l;
      ++at_extra;
    } else {
      continue;
    }
    (*owner)[pair.partition] = pair.node;
    --left;
  }
}

std::vector<uint64_t> NodeHashes(const std::vector<std::string>& nodes) {
  std::vector<uint64_t> hashes;
  for (const std::string& node : nodes) hashes.push_back(Fnv1a64(node));
  return hashes;
}

std::vector<std::string> Owners(const std::vector<std::string>& nodes,
                                const std::vector<int>& owner) {
  std::vector<std::string> owners(owner.size());
  for (size_t p = 0; p < owner.size(); ++p) {
    if (owner[p] >= 0) owners[p] = nodes[owner[p]];
  }
  return owners;
}

}  // namespace

std::vector<std::string> PlanPartitions(int partitions,
                                        std::vector<std::string> nodes) {
  nodes = Normalize(std::move(nodes));
  if (nodes.empty() || partitions <= 0) {
    return std::vector<std::string>(std::max(partitions, 0));
  }
  std::vector<int> load(nodes.size(), 0);
  std::vector<int> owner(partitions, -1);
  AssignByScore(partitions, NodeHashes(nodes), &load, 0, &owner);
  return Owners(nodes, owner);
}

std::vector<std::string> RebalancePartitions(
    int partitions, std::vector<std::string> nodes,
    const std::vector<std::string>& current) {
  nodes = Normalize(std::move(nodes));
  if (nodes.empty() || partitions <= 0) {
    return std::vector<std::string>(std::max(partitions, 0));
  }
  const int n = static_cast<int>(nodes.size());
  const std::vector<uint64_t> node_hash = NodeHashes(nodes);
  // What each live node holds now.
  std::vector<std::vector<int>> held(n);
  for (int p = 0; p < partitions && p < static_cast<int>(current.size()); ++p) {
    auto it = std::lower_bound(nodes.begin(), nodes.end(), current[p]);
    if (it != nodes.end() && *it == current[p]) {
      held[it - nodes.begin()].push_back(p);
    }
  }
  // The larger capacities go to nodes holding more than floor(P/N) (each
  // keeps one partition more by it), the first by id when there are more
  // of them than larger capacities. Not "the ones holding the most": while
  // a move is under way the counts change, and the choice must not.
  const int base = partitions / n;
  const int extra = partitions % n;
  std::vector<int> capacity(n, partitions);  // no limit below floor(P/N)
  int at_extra = 0;
  for (int i = 0; i < n; ++i) {
    if (static_cast<int>(held[i].size()) <= base) continue;
    capacity[i] = at_extra < extra ? base + 1 : base;
    if (at_extra < extra) ++at_extra;
  }
  std::vector<int> load(n, 0);
  std::vector<int> owner(partitions, -1);
  for (int i = 0; i < n; ++i) {
    std::vector<int>& mine = held[i];
    // A node over capacity keeps the partitions it scores highest.
    std::stable_sort(mine.begin(), mine.end(), [&](int a, int b) {
      return Score(node_hash[i], a) > Score(node_hash[i], b);
    });
    for (int p : mine) {
      if (load[i] == capacity[i]) break;
      owner[p] = i;
      ++load[i];
    }
  }
  AssignByScore(partitions, node_hash, &load, at_extra, &owner);
  return Owners(nodes, owner);
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
