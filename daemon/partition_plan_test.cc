// Table tests of daemon/partition_plan.h: shops to partitions, partitions
// spread evenly over nodes, and how many move when a node joins or leaves.
#include "daemon/partition_plan.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace depositd::daemon {
namespace {

std::vector<std::string> Nodes(int n, int first = 0) {
  std::vector<std::string> nodes;
  for (int i = first; i < first + n; ++i)
    nodes.push_back(absl::StrCat("node-", i));
  return nodes;
}

TEST(PartitionOfTest, StableAndInRange) {
  // Pinned values: a change here moves every shop of every cluster.
  EXPECT_EQ(PartitionOf("acme", "tts-us-001", 64), 21);
  EXPECT_EQ(PartitionOf("acme", "tts-us-001", 4096), 1877);
  std::map<int, int> counts;
  for (int i = 0; i < 6400; ++i) {
    const int p = PartitionOf("tenant", absl::StrCat("shop-", i), 64);
    ASSERT_GE(p, 0);
    ASSERT_LT(p, 64);
    ++counts[p];
  }
  EXPECT_EQ(counts.size(), 64u);
  for (const auto& [p, n] : counts) {
    EXPECT_GT(n, 50) << "partition " << p;
    EXPECT_LT(n, 150) << "partition " << p;
  }
  // Tenant and shop are separate fields: ("ab","c") is not ("a","bc").
  EXPECT_NE(PartitionOf("ab", "c", 4096), PartitionOf("a", "bc", 4096));
  EXPECT_EQ(PartitionOf("t", "s", 0), 0);
}

TEST(PlanPartitionsTest, EvenForEveryPartitionAndNodeCount) {
  for (int partitions : {1, 2, 7, 16, 64, 100, 256}) {
    for (int n = 1; n <= 9; ++n) {
      const std::vector<std::string> plan =
          PlanPartitions(partitions, Nodes(n));
      ASSERT_EQ(static_cast<int>(plan.size()), partitions);
      std::map<std::string, int> load;
      for (const std::string& owner : plan) {
        ASSERT_FALSE(owner.empty());
        ++load[owner];
      }
      const int low = partitions / n;
      const int high = (partitions + n - 1) / n;
      for (const auto& [node, count] : load) {
        EXPECT_GE(count, low) << partitions << " over " << n << ": " << node;
        EXPECT_LE(count, high) << partitions << " over " << n << ": " << node;
      }
      EXPECT_EQ(static_cast<int>(load.size()), std::min(n, partitions));
    }
  }
}

TEST(PlanPartitionsTest, SameForAnyOrderOfTheSameNodes) {
  std::vector<std::string> nodes = Nodes(5);
  const std::vector<std::string> plan = PlanPartitions(64, nodes);
  std::reverse(nodes.begin(), nodes.end());
  nodes.push_back("node-2");  // duplicates do not count
  EXPECT_EQ(PlanPartitions(64, nodes), plan);
}

TEST(PlanPartitionsTest, NoNodesNoOwners) {
  const std::vector<std::string> plan = PlanPartitions(8, {});
  ASSERT_EQ(plan.size(), 8u);
  for (const std::string& owner : plan) EXPECT_EQ(owner, "");
}

// A join must move at least floor(P/(N+1)) partitions (the newcomer's
// share) and a leave at least the leaver's share. The stateless plan moves
// more, as the capacity limits shift partitions among the others too; the
// measured worst over this table is 1.8 times the minimum (P=64, 7 -> 6
// nodes: 16 moves for 9), so the bound is twice the minimum plus two.
struct MovesCase {
  int partitions;
  int nodes;
};
class PlanMovesTest : public ::testing::TestWithParam<MovesCase> {};

TEST_P(PlanMovesTest, JoinAndLeaveMoveFewPartitions) {
  const auto [partitions, n] = GetParam();
  const std::vector<std::string> before = PlanPartitions(partitions, Nodes(n));
  const std::vector<std::string> joined =
      PlanPartitions(partitions, Nodes(n + 1));
  const int join_min = partitions / (n + 1);
  const int join_moves = CountMoves(before, joined);
  EXPECT_GE(join_moves, join_min);
  EXPECT_LE(join_moves, 2 * join_min + 2)
      << partitions << " partitions, " << n << " -> " << n + 1 << " nodes";

  // node-0 leaves the n+1.
  const std::vector<std::string> left = PlanPartitions(partitions, Nodes(n, 1));
  const int leave_min = static_cast<int>(
      std::count(joined.begin(), joined.end(), std::string("node-0")));
  const int leave_moves = CountMoves(joined, left);
  EXPECT_GE(leave_moves, leave_min);
  EXPECT_LE(leave_moves, 2 * leave_min + 2)
      << partitions << " partitions, " << n + 1 << " -> " << n << " nodes";
  // Every partition the leaver had now has a live owner.
  for (const std::string& owner : left) EXPECT_NE(owner, "node-0");
}

INSTANTIATE_TEST_SUITE_P(
    Table, PlanMovesTest,
    ::testing::Values(MovesCase{64, 1}, MovesCase{64, 2}, MovesCase{64, 3},
                      MovesCase{64, 4}, MovesCase{64, 5}, MovesCase{64, 6},
                      MovesCase{64, 7}, MovesCase{64, 8}, MovesCase{256, 2},
                      MovesCase{256, 3}, MovesCase{256, 5}, MovesCase{256, 8}),
    [](const ::testing::TestParamInfo<MovesCase>& info) {
      return absl::StrCat("P", info.param.partitions, "N", info.param.nodes);
    });

// The fewest partitions any even spread over `nodes` must move from
// `current`: all but those a live node can keep, where each keeps up to
// floor(P/N) and P mod N of those holding more keep one more.
int MinimumMoves(int partitions, const std::vector<std::string>& nodes,
                 const std::vector<std::string>& current) {
  std::vector<int> counts;
  for (const std::string& node : nodes) {
    counts.push_back(
        static_cast<int>(std::count(current.begin(), current.end(), node)));
  }
  std::sort(counts.rbegin(), counts.rend());
  const int n = static_cast<int>(nodes.size());
  int kept = 0;
  for (int i = 0; i < n; ++i) {
    kept += std::min(counts[i], partitions / n + (i < partitions % n ? 1 : 0));
  }
  return partitions - kept;
}

void ExpectEven(int partitions, int n, const std::vector<std::string>& plan,
                const std::string& where) {
  std::map<std::string, int> load;
  for (const std::string& owner : plan) {
    ASSERT_FALSE(owner.empty()) << where;
    ++load[owner];
  }
  for (const auto& [node, count] : load) {
    EXPECT_GE(count, partitions / n) << where << ": " << node;
    EXPECT_LE(count, (partitions + n - 1) / n) << where << ": " << node;
  }
  EXPECT_EQ(static_cast<int>(load.size()), std::min(n, partitions)) << where;
}

TEST(RebalancePartitionsTest, WithNoOwnersItIsThePlan) {
  for (int partitions : {1, 7, 64, 256}) {
    for (int n = 1; n <= 9; ++n) {
      EXPECT_EQ(RebalancePartitions(partitions, Nodes(n), {}),
                PlanPartitions(partitions, Nodes(n)));
    }
  }
  EXPECT_EQ(RebalancePartitions(4, {}, {"a", "b", "a", "b"}),
            std::vector<std::string>(4));
}

// Join and leave from an even spread: exactly the newcomer's share moves
// (floor(P/(N+1))), exactly the leaver's partitions move, every plan is
// even, and a plan is stable (rebalancing it again moves nothing).
class RebalanceMovesTest : public ::testing::TestWithParam<MovesCase> {};

TEST_P(RebalanceMovesTest, JoinAndLeaveMoveTheMinimum) {
  const auto [partitions, n] = GetParam();
  const std::vector<std::string> before = PlanPartitions(partitions, Nodes(n));
  EXPECT_EQ(RebalancePartitions(partitions, Nodes(n), before), before);

  // node-<n> joins.
  const std::vector<std::string> joined =
      RebalancePartitions(partitions, Nodes(n + 1), before);
  ExpectEven(partitions, n + 1, joined, absl::StrCat("join to ", n + 1));
  EXPECT_EQ(CountMoves(before, joined), partitions / (n + 1))
      << partitions << " partitions, " << n << " -> " << n + 1 << " nodes";
  EXPECT_EQ(RebalancePartitions(partitions, Nodes(n + 1), joined), joined);

  // node-0 leaves.
  const std::vector<std::string> left =
      RebalancePartitions(partitions, Nodes(n, 1), joined);
  ExpectEven(partitions, n, left, absl::StrCat("leave to ", n));
  EXPECT_EQ(CountMoves(joined, left),
            std::count(joined.begin(), joined.end(), std::string("node-0")))
      << partitions << " partitions, " << n + 1 << " -> " << n << " nodes";
  for (const std::string& owner : left) EXPECT_NE(owner, "node-0");
}

INSTANTIATE_TEST_SUITE_P(
    Table, RebalanceMovesTest,
    ::testing::Values(MovesCase{64, 1}, MovesCase{64, 2}, MovesCase{64, 3},
                      MovesCase{64, 4}, MovesCase{64, 5}, MovesCase{64, 6},
                      MovesCase{64, 7}, MovesCase{64, 8}, MovesCase{256, 2},
                      MovesCase{256, 3}, MovesCase{256, 5}, MovesCase{256, 8},
                      MovesCase{7, 3}, MovesCase{12, 5}),
    [](const ::testing::TestParamInfo<MovesCase>& info) {
      return absl::StrCat("P", info.param.partitions, "N", info.param.nodes);
    });

// A long run of joins and leaves (several at once too), from owners that
// are not even (a partition held by a node that is gone, one held by
// nobody): every step is even and moves exactly the minimum.
TEST(RebalancePartitionsTest, EveryStepOfAChurnMovesTheMinimum) {
  struct Step {
    std::vector<int> nodes;
  };
  const std::vector<Step> steps = {
      {{0}},
      {{0, 1}},
      {{0, 1, 2}},
      {{0, 1, 2, 3, 4}},
      {{1, 2, 3, 4}},
      {{1, 3}},
      {{1, 3, 5, 6}},
      {{3, 5, 6, 7, 8}},
      {{8}},
      {{8, 9, 10}},
      {{2, 8, 9, 10, 11, 12, 13}},
  };
  for (int partitions : {16, 64, 100}) {
    std::vector<std::string> owners(partitions);
    for (int p = 0; p < partitions; ++p) {
      owners[p] = p % 5 == 0 ? "" : (p % 7 == 0 ? "gone" : "node-0");
    }
    for (size_t s = 0; s < steps.size(); ++s) {
      std::vector<std::string> nodes;
      for (int i : steps[s].nodes) nodes.push_back(absl::StrCat("node-", i));
      const std::vector<std::string> next =
          RebalancePartitions(partitions, nodes, owners);
      const std::string where = absl::StrCat("P=", partitions, " step ", s);
      ExpectEven(partitions, static_cast<int>(nodes.size()), next, where);
      EXPECT_EQ(CountMoves(owners, next),
                MinimumMoves(partitions, nodes, owners))
          << where;
      // Any order of the same nodes gives the same plan.
      std::reverse(nodes.begin(), nodes.end());
      EXPECT_EQ(RebalancePartitions(partitions, nodes, owners), next) << where;
      owners = next;
    }
  }
}

TEST(RebalancePartitionsTest, ShortOrOversizedCurrentIsReadAsUnowned) {
  const std::vector<std::string> plan =
      RebalancePartitions(6, {"a", "b"}, {"a", "a", "a", "a"});
  ExpectEven(6, 2, plan, "short current");
  EXPECT_EQ(std::count(plan.begin(), plan.begin() + 4, std::string("a")), 3);
  EXPECT_EQ(RebalancePartitions(2, {"a"}, {"b", "a", "a", "a"}),
            (std::vector<std::string>{"a", "a"}));
}

// The lease loop gets there step by step: the old owners release what
// the plan moves, then the new owners claim one partition at a time. The
// plan computed from every intermediate view is the same target, so no
// partition moves twice.
TEST(RebalancePartitionsTest, IntermediateViewsOfAMoveKeepTheTarget) {
  for (const auto& [partitions, n] :
       std::vector<MovesCase>{{64, 3}, {64, 7}, {100, 6}, {7, 3}, {256, 5}}) {
    const std::vector<std::string> before =
        PlanPartitions(partitions, Nodes(n));
    for (const std::vector<std::string>& nodes :
         {Nodes(n + 1), Nodes(n - 1, 1), Nodes(n + 2)}) {
      const std::vector<std::string> target =
          RebalancePartitions(partitions, nodes, before);
      std::vector<int> moving;
      for (int p = 0; p < partitions; ++p) {
        if (before[p] != target[p]) moving.push_back(p);
      }
      const std::string where =
          absl::StrCat("P=", partitions, " ", n, " -> ", nodes.size());
      for (bool reverse_claims : {false, true}) {
        std::vector<std::string> view = before;
        for (int p : moving) {  // releases
          view[p] = "";
          EXPECT_EQ(RebalancePartitions(partitions, nodes, view), target)
              << where << " after releasing " << p;
        }
        if (reverse_claims) std::reverse(moving.begin(), moving.end());
        for (int p : moving) {  // claims
          view[p] = target[p];
          EXPECT_EQ(RebalancePartitions(partitions, nodes, view), target)
              << where << " after claiming " << p;
        }
      }
    }
  }
}

}  // namespace
}  // namespace depositd::daemon
