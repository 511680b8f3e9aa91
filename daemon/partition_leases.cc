#include "daemon/partition_leases.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "daemon/partition_plan.h"

namespace depositd::daemon {
namespace {

constexpr char kPartitionsKey[] = "partitions";
constexpr char kActive[] = "active";
constexpr char kDraining[] = "draining";

std::string LeaseKey(int partition) { return absl::StrCat("p.", partition); }

}  // namespace

absl::Status CheckNodeId(absl::string_view node_id) {
  bool ok = !node_id.empty() && node_id.size() <= 64;
  for (char c : node_id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' &&
        c != '_') {
      ok = false;
    }
  }
  if (!ok) {
    return absl::InvalidArgumentError(absl::StrCat(
        "node id \"", node_id,
        "\" is not 1 to 64 letters, digits, '-' or '_' (--cluster-node-id)"));
  }
  return absl::OkStatus();
}

PartitionLeases::PartitionLeases(NatsClient* client,
                                 PartitionLeasesOptions options)
    : client_(client),
      options_(std::move(options)),
      nodes_(client, kNodesBucket),
      leases_(client, kLeasesBucket) {}

absl::StatusOr<std::unique_ptr<PartitionLeases>> PartitionLeases::Join(
    NatsClient* client, PartitionLeasesOptions options) {
  if (absl::Status s = CheckNodeId(options.node_id); !s.ok()) return s;
  if (options.partitions < 1 || options.partitions > kMaxPartitions) {
    return absl::InvalidArgumentError(
        absl::StrCat("--cluster-partitions ", options.partitions,
                     " is not between 1 and ", kMaxPartitions));
  }
  if (options.tick <= absl::ZeroDuration() ||
      options.tick * 3 > options.lease_ttl) {
    return absl::InvalidArgumentError(
        absl::StrCat("lease tick ", absl::FormatDuration(options.tick),
                     " must be positive and at most a third of the lease TTL ",
                     absl::FormatDuration(options.lease_ttl)));
  }
  for (const KvSpec& spec :
       {KvSpec{kClusterBucket, options.replicas, absl::ZeroDuration()},
        KvSpec{kNodesBucket, options.replicas, options.lease_ttl},
        KvSpec{kLeasesBucket, options.replicas, options.lease_ttl}}) {
    if (absl::Status s = client->EnsureKv(spec); !s.ok()) return s;
  }

  // The partition count: recorded by the first node, checked by the rest.
  NatsKv cluster(client, kClusterBucket);
  const std::string want = absl::StrCat(options.partitions);
  absl::StatusOr<uint64_t> created = cluster.Create(kPartitionsKey, want);
  if (!created.ok()) {
    if (!absl::IsAlreadyExists(created.status())) return created.status();
    absl::StatusOr<int> have = ReadPartitionCount(client);
    if (!have.ok()) return have.status();
    if (*have != options.partitions) {
      return absl::FailedPreconditionError(absl::StrCat(
          "this cluster has ", *have,
          " partitions (fixed when it was created), but this node was "
          "started with --cluster-partitions ",
          options.partitions, ": start it with --cluster-partitions ", *have));
    }
  }
  return std::unique_ptr<PartitionLeases>(
      new PartitionLeases(client, std::move(options)));
}

PartitionLeases::~PartitionLeases() { Stop(); }

absl::StatusOr<int> PartitionLeases::ReadPartitionCount(NatsClient* client) {
  NatsKv cluster(client, kClusterBucket);
  absl::StatusOr<KvEntry> entry = cluster.Get(kPartitionsKey);
  if (!entry.ok()) return entry.status();
  int count = 0;
  if (entry->deleted || !absl::SimpleAtoi(entry->value, &count) || count < 1 ||
      count > kMaxPartitions) {
    return absl::DataLossError(absl::StrCat(
        "the cluster record ", kClusterBucket, "/", kPartitionsKey, " holds \"",
        absl::CHexEscape(entry->value),
        "\", not a partition count: was the bucket written by something "
        "else? Inspect it with `nats kv get ",
        kClusterBucket, " ", kPartitionsKey, "`"));
  }
  return count;
}

absl::StatusOr<std::vector<KvEntry>> PartitionLeases::ReadNodes(
    NatsClient* client) {
  return NatsKv(client, kNodesBucket).List();
}

absl::StatusOr<std::vector<PartitionLease>> PartitionLeases::ReadLeases(
    NatsClient* client, int partitions) {
  NatsKv leases(client, kLeasesBucket);
  std::vector<PartitionLease> out;
  for (int p = 0; p < partitions; ++p) {
    PartitionLease lease;
    lease.partition = p;
    absl::StatusOr<KvEntry> entry = leases.Get(LeaseKey(p));
    if (entry.ok() && !entry->deleted) {
      lease.owner = entry->value;
      lease.revision = entry->revision;
    } else if (!entry.ok() && !absl::IsNotFound(entry.status())) {
      return entry.status();
    }
    out.push_back(std::move(lease));
  }
  return out;
}

void PartitionLeases::DropLocked(int partition,
                                 std::vector<std::pair<int, bool>>* changes) {
  if (held_.erase(partition) > 0) changes->emplace_back(partition, false);
}

void PartitionLeases::Notify(const std::vector<std::pair<int, bool>>& changes) {
  if (!options_.on_change) return;
  for (const auto& [partition, owned] : changes) {
    options_.on_change(partition, owned);
  }
}

absl::Status PartitionLeases::Tick() {
  absl::MutexLock round(&round_mu_);
  std::vector<std::pair<int, bool>> changes;
  absl::Status first_error = absl::OkStatus();
  auto note = [&first_error](const absl::Status& s) {
    if (first_error.ok() && !s.ok()) first_error = s;
  };

  bool draining;
  std::map<int, Held> held;
  {
    absl::MutexLock lock(&mu_);
    draining = draining_;
    // Leases not renewed for TTL - tick may have expired: drop them first,
    // whatever NATS answers below.
    const absl::Time now = absl::Now();
    std::vector<int> stale;
    for (const auto& [p, h] : held_) {
      if (now - h.renewed_at >= options_.lease_ttl - options_.tick) {
        stale.push_back(p);
      }
    }
    for (int p : stale) DropLocked(p, &changes);
    held = held_;
  }
  Notify(changes);
  changes.clear();

  note(nodes_.Put(options_.node_id, draining ? kDraining : kActive).status());
  std::vector<std::string> live;
  absl::StatusOr<std::vector<KvEntry>> nodes = nodes_.List();
  if (nodes.ok()) {
    for (const KvEntry& node : *nodes) {
      if (node.value == kActive) live.push_back(node.key);
    }
  } else {
    note(nodes.status());
  }
  if (!draining) live.push_back(options_.node_id);

  // Who holds what now, so the plan moves only what an even spread needs
  // (RebalancePartitions); this node's own leases are what it holds.
  std::vector<std::string> current(options_.partitions);
  absl::StatusOr<std::vector<KvEntry>> leases =
      nodes.ok() ? leases_.List() : absl::StatusOr<std::vector<KvEntry>>();
  if (nodes.ok() && leases.ok()) {
    for (const KvEntry& lease : *leases) {
      int p = -1;
      absl::string_view key = lease.key;
      if (absl::ConsumePrefix(&key, "p.") && absl::SimpleAtoi(key, &p) &&
          p >= 0 && p < options_.partitions) {
        current[p] = lease.value;
      }
    }
    for (const auto& [p, h] : held) current[p] = options_.node_id;
  } else if (nodes.ok()) {
    note(leases.status());
  }

  // Without a membership and lease view, only renew: neither release nor
  // claim.
  const bool have_plan = nodes.ok() && leases.ok();
  const std::vector<std::string> plan =
      have_plan ? RebalancePartitions(options_.partitions, live, current)
                : std::vector<std::string>();

  for (int p = 0; p < options_.partitions; ++p) {
    const std::string key = LeaseKey(p);
    const bool mine_by_plan =
        !draining && have_plan && plan[p] == options_.node_id;
    auto it = held.find(p);
    if (it != held.end()) {
      const uint64_t revision = it->second.revision;
      if (mine_by_plan || (!have_plan && !draining)) {
        const absl::Time sent = absl::Now();
        absl::StatusOr<uint64_t> renewed =
            leases_.Update(key, options_.node_id, revision);
        absl::MutexLock lock(&mu_);
        if (renewed.ok()) {
          auto h = held_.find(p);
          if (h != held_.end()) h->second = Held{*renewed, sent};
        } else if (absl::IsFailedPrecondition(renewed.status())) {
          DropLocked(p, &changes);  // another node holds it now
        } else {
          note(renewed.status());
        }
      } else {
        // Stop owning (and say so) before the release is visible.
        {
          absl::MutexLock lock(&mu_);
          DropLocked(p, &changes);
        }
        Notify(changes);
        changes.clear();
        absl::Status released = leases_.Delete(key, revision);
        if (!released.ok() && !absl::IsFailedPrecondition(released)) {
          note(released);  // it will expire after the TTL instead
        }
      }
      continue;
    }
    if (!mine_by_plan) continue;
    // Planned here and not held: claim it when free, or adopt it when an
    // earlier run of this node id holds it.
    absl::StatusOr<KvEntry> entry = leases_.Get(key);
    if (!entry.ok() && !absl::IsNotFound(entry.status())) {
      note(entry.status());
      continue;
    }
    const absl::Time sent = absl::Now();
    absl::StatusOr<uint64_t> claimed;
    if (!entry.ok() || entry->deleted) {
      claimed = leases_.Create(key, options_.node_id);
    } else if (entry->value == options_.node_id) {
      claimed = leases_.Update(key, options_.node_id, entry->revision);
    } else {
      continue;  // held by another node until it releases or expires
    }
    if (claimed.ok()) {
      absl::MutexLock lock(&mu_);
      if (!draining_) {
        held_[p] = Held{*claimed, sent};
        changes.emplace_back(p, true);
      }
    } else if (!absl::IsAlreadyExists(claimed.status()) &&
               !absl::IsFailedPrecondition(claimed.status())) {
      note(claimed.status());
    }
  }
  Notify(changes);
  return first_error;
}

void PartitionLeases::Start() {
  absl::MutexLock lock(&mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void PartitionLeases::Loop() {
  while (true) {
    Tick().IgnoreError();  // the next round retries; Owned() tells the rest
    absl::MutexLock lock(&mu_);
    auto stopping = [this]()
                        ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_; };
    mu_.AwaitWithTimeout(absl::Condition(&stopping), options_.tick);
    if (stop_) return;
  }
}

void PartitionLeases::Stop() {
  std::thread thread;
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
    thread = std::move(thread_);
  }
  if (thread.joinable()) thread.join();
}

absl::Status PartitionLeases::Drain(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  Stop();
  std::map<int, Held> released;
  std::vector<std::pair<int, bool>> changes;
  {
    absl::MutexLock lock(&mu_);
    draining_ = true;
  }
  // Tell the others first, so that their next plan leaves this node out.
  absl::StatusOr<uint64_t> heartbeat = nodes_.Put(options_.node_id, kDraining);
  {
    absl::MutexLock round(&round_mu_);
    {
      absl::MutexLock lock(&mu_);
      released = held_;
      for (const auto& [p, held] : released) DropLocked(p, &changes);
    }
    Notify(changes);
    for (const auto& [p, held] : released) {
      // When the delete fails, the lease expires after the TTL instead.
      leases_.Delete(LeaseKey(p), held.revision).IgnoreError();
    }
  }

  // Hand-over: wait until another node holds each released partition,
  // unless no other active node is there to take them.
  absl::Status result = absl::OkStatus();
  std::set<int> waiting;
  for (const auto& [p, held] : released) waiting.insert(p);
  absl::StatusOr<std::vector<KvEntry>> members = nodes_.List();
  bool others = !members.ok();  // unknown: wait (bounded by the timeout)
  if (members.ok()) {
    for (const KvEntry& member : *members) {
      if (member.key != options_.node_id && member.value == kActive) {
        others = true;
      }
    }
  }
  if (!others) waiting.clear();
  while (!waiting.empty()) {
    for (auto it = waiting.begin(); it != waiting.end();) {
      absl::StatusOr<KvEntry> entry = leases_.Get(LeaseKey(*it));
      if (entry.ok() && !entry->deleted && entry->value != options_.node_id) {
        it = waiting.erase(it);
      } else {
        ++it;
      }
    }
    if (waiting.empty()) break;
    if (absl::Now() > deadline) {
      result = absl::DeadlineExceededError(absl::StrCat(
          waiting.size(), " of ", released.size(),
          " released partitions have no new owner after ",
          absl::FormatDuration(timeout),
          " (no other live node?); they are free for the next node"));
      break;
    }
    absl::SleepFor(std::min(options_.tick / 4, absl::Milliseconds(100)));
  }
  // Leave the membership.
  if (heartbeat.ok()) nodes_.Delete(options_.node_id, *heartbeat).IgnoreError();
  return result;
}

std::vector<int> PartitionLeases::Owned() const {
  absl::MutexLock lock(&mu_);
  std::vector<int> out;
  for (const auto& [p, held] : held_) out.push_back(p);
  return out;
}

uint64_t PartitionLeases::LeaseRevision(int partition) const {
  absl::MutexLock lock(&mu_);
  auto it = held_.find(partition);
  return it == held_.end() ? 0 : it->second.revision;
}

}  // namespace depositd::daemon
