// Replay: re-applies one logged processing group's share for a shard at
// its logged processing time, through the same functions the live step
// used (event_apply.h, shop_checks.h), in the order the record holds them:
// events, then heartbeats, then acknowledgements, then the watchers for
// the shops touched and the shops whose logged deadline firing changed an
// alert. A shop whose loaded checkpoint covers the group (covered_seq)
// skips its share. Nothing is logged or published.
//
// Not thread-safe: runs on the one thread replaying the shard (recovery.h),
// before the shard's thread starts.
#ifndef DEPOSITD_DAEMON_SHARD_REPLAY_H_
#define DEPOSITD_DAEMON_SHARD_REPLAY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "daemon/config_versions.h"
#include "daemon/shard_state.h"
#include "depositd/store/v1/log.pb.h"
#include "depositd/v1/events.pb.h"

namespace depositd::daemon {

// A group's share for one shard; the pointers borrow the parsed record.
struct ReplayInput {
  std::vector<const v1::Event*> events;
  std::vector<const store::v1::ShopRef*> fired;
  std::vector<const store::v1::AlertAck*> acks;
  std::vector<const std::string*> heartbeats;
  uint64_t seq = 0;  // the group's ProcessingGroup.seq
  // The configuration version the group ran under (null: version 0, the
  // one in force is kept); with config_change, the group moved the shops
  // of shard `part_shard` of a run of `part_count` shards to it from
  // `previous` (config_change.h).
  const RunningConfig* config = nullptr;
  bool config_change = false;
  const RunningConfig* previous = nullptr;  // with config_change
  uint32_t part_shard = 0;
  uint32_t part_count = 1;
  bool empty() const {
    return events.empty() && fired.empty() && acks.empty() &&
           heartbeats.empty() && !config_change;
  }
  void clear() {
    events.clear();
    fired.clear();
    acks.clear();
    heartbeats.clear();
    config = nullptr;
    config_change = false;
    previous = nullptr;
  }
};

// What ReplayGroup did, added up over a recovery.
struct ReplayCounts {
  int64_t replayed_events = 0;
  // Logged events a shop's checkpoint already held.
  int64_t skipped_events = 0;
};

void ReplayGroup(ShardState& s, absl::Time at, const ReplayInput& in,
                 ReplayCounts* counts);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_SHARD_REPLAY_H_
