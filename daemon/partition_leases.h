// PartitionLeases: one node's membership in a depositd cluster and its
// leases on partitions, kept in JetStream KV buckets.
//
// Buckets (created by the first node, verified by the others):
//   depositd_cluster  "partitions" = P, written once when the cluster is
//                     created; a node started with another P is refused.
//   depositd_nodes    one heartbeat per node (key = node id, value "active"
//                     or "draining"), rewritten every tick, expiring after
//                     the lease TTL: a node that stops is gone a TTL later.
//   depositd_leases   "p.<partition>" = owner node id; claimed with a KV
//                     create, renewed with a revision-checked update every
//                     tick, expiring after the lease TTL, released with a
//                     revision-checked delete.
//
// Every tick the node heartbeats, reads the live active nodes and the
// leases, computes the even plan that moves the fewest partitions from the
// current owners (RebalancePartitions, daemon/partition_plan.h; the same on
// every node that sees the same buckets), renews the
// leases the plan leaves it, releases those the plan gives to another
// node, and claims the free ones the plan gives it. A node that sees its
// renewal refused (another node holds the lease), or that could not renew
// for longer than TTL minus one tick (it may have expired), drops the
// partition at once: it stops owning before anyone else can start. Drain()
// (SIGTERM) marks the node draining, releases every lease and returns once
// other nodes hold them (or the timeout passes).
//
// Leases alone do not make writes safe (a paused process may still believe
// it owns); the partition log's expected-sequence check does
// (daemon/jetstream_log.h). Owned() is this node's belief, conservative.
//
// Thread-safety: thread-safe. Tick() runs on the caller's thread or on the
// internal thread (Start()); the change callback runs on that thread,
// without locks held, and reports a drop before the release is written.
#ifndef DEPOSITD_DAEMON_PARTITION_LEASES_H_
#define DEPOSITD_DAEMON_PARTITION_LEASES_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "daemon/nats_client.h"
#include "daemon/nats_kv.h"

namespace depositd::daemon {

inline constexpr char kClusterBucket[] = "depositd_cluster";
inline constexpr char kNodesBucket[] = "depositd_nodes";
inline constexpr char kLeasesBucket[] = "depositd_leases";

struct PartitionLeasesOptions {
  // This node's id: letters, digits, - and _, at most 64; unique per node.
  std::string node_id;
  // The cluster's partition count (1..kMaxPartitions).
  int partitions = 64;
  // Replicas of the buckets: 3 on a 3-node NATS cluster, 1 on one server.
  int replicas = 3;
  // Heartbeats and leases expire this long after their last write.
  absl::Duration lease_ttl = absl::Seconds(6);
  // How often Tick() runs under Start(); at most a third of lease_ttl.
  absl::Duration tick = absl::Seconds(1);
  // Called with (partition, owned) whenever this node gains or drops one.
  std::function<void(int, bool)> on_change;
};

// A partition's lease as read from the bucket (for status and tests).
struct PartitionLease {
  int partition = 0;
  std::string owner;  // "" when free
  uint64_t revision = 0;
};

// The node id check (letters, digits, - and _, 1..64 bytes).
absl::Status CheckNodeId(absl::string_view node_id);

class PartitionLeases {
 public:
  // Creates or verifies the buckets, records or checks the partition count.
  // `client` must outlive the result.
  static absl::StatusOr<std::unique_ptr<PartitionLeases>> Join(
      NatsClient* client, PartitionLeasesOptions options);
  ~PartitionLeases();  // Stop()s; does not release (use Drain()).

  // One round (see above). Errors are NATS' (UNAVAILABLE mostly); the next
  // round retries. Partitions are dropped even when NATS cannot answer.
  absl::Status Tick() ABSL_LOCKS_EXCLUDED(mu_);
  // Runs Tick() every options.tick on an internal thread until Stop().
  void Start();
  // Stops the thread; the leases stay until they expire (like a crash).
  void Stop();
  // Marks this node draining, releases every lease and waits until other
  // nodes hold them or `timeout` passes (DEADLINE_EXCEEDED); with no other
  // active node it returns at once. Stops the thread first; the node owns
  // nothing afterwards.
  absl::Status Drain(absl::Duration timeout);

  // The partitions this node holds now, ascending.
  std::vector<int> Owned() const ABSL_LOCKS_EXCLUDED(mu_);
  // The revision of this node's lease on `partition`, 0 when not held.
  uint64_t LeaseRevision(int partition) const ABSL_LOCKS_EXCLUDED(mu_);

  const PartitionLeasesOptions& options() const { return options_; }

  // Every partition's lease as the bucket has it now.
  static absl::StatusOr<std::vector<PartitionLease>> ReadLeases(
      NatsClient* client, int partitions);
  // The live nodes' heartbeats (key = node id, value = state).
  static absl::StatusOr<std::vector<KvEntry>> ReadNodes(NatsClient* client);
  // The partition count recorded in the cluster.
  static absl::StatusOr<int> ReadPartitionCount(NatsClient* client);

 private:
  struct Held {
    uint64_t revision = 0;
    absl::Time renewed_at;  // taken before the write that renewed it
  };
  PartitionLeases(NatsClient* client, PartitionLeasesOptions options);
  // Drops `partition` (callback queued in `changes`).
  void DropLocked(int partition, std::vector<std::pair<int, bool>>* changes)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Notify(const std::vector<std::pair<int, bool>>& changes);
  void Loop();

  NatsClient* client_;
  PartitionLeasesOptions options_;
  NatsKv nodes_;
  NatsKv leases_;

  // Serializes Tick() and Drain() (rounds never overlap).
  absl::Mutex round_mu_;
  mutable absl::Mutex mu_;
  std::map<int, Held> held_ ABSL_GUARDED_BY(mu_);
  bool draining_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_PARTITION_LEASES_H_
