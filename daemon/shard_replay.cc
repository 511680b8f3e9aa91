#include "daemon/shard_replay.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "daemon/config_change.h"
#include "daemon/event_apply.h"
#include "daemon/log.h"
#include "daemon/shop_checks.h"
#include "daemon/stable_hash.h"

namespace depositd::daemon {

void ReplayGroup(ShardState& s, absl::Time at, const ReplayInput& in,
                 ReplayCounts* counts) {
  s.BeginStep(at);
  s.max_seq_seen = std::max(s.max_seq_seen, in.seq);
  // The shop's checkpoint was written after this group (a later slice of
  // the round): its share of the group is already in the state.
  auto covered = [&](const ShopEntry* e) {
    return e != nullptr && in.seq != 0 && e->covered_seq >= in.seq;
  };
  // The group ran under in.config: follow it (a group of another old
  // shard may have run under another version, see config_change.h).
  if (in.config_change && in.config != nullptr && in.previous != nullptr) {
    const uint64_t n = std::max<uint32_t>(1, in.part_count);
    ChangeConfig(s, *in.previous, *in.config, [&](const ShopEntry& e) {
      return e.shop_hash % n == in.part_shard && !covered(&e);
    });
  } else if (in.config != nullptr && in.config != s.ctx.config) {
    UseConfig(s, *in.config);
  }
  for (const v1::Event* ev : in.events) {
    absl::Status rejection;
    switch (ApplyEvent(s, *ev, ShopHash(ev->tenant(), ev->shop_id()), at,
                       ApplyMode::kReplay, in.seq, &rejection)) {
      case EventOutcome::kApplied:
        ++counts->replayed_events;
        break;
      case EventOutcome::kCovered:
        ++counts->skipped_events;
        break;
      case EventOutcome::kRejected:
        LogWarning("recovery",
                   absl::StrCat("replay of logged event ", ev->event_id(),
                                " (shop ", ev->tenant(), "/", ev->shop_id(),
                                ") was rejected: ", rejection.message()));
        break;
      case EventOutcome::kDuplicate:  // not in replay
        break;
    }
  }
  for (const std::string* tenant : in.heartbeats) {
    if (covered(s.shops.Find(*tenant, ""))) continue;
    ApplyHeartbeat(s, *tenant, /*if_missing=*/false, at, /*log=*/nullptr);
  }
  for (const store::v1::AlertAck* ack : in.acks) {
    ShopEntry* e = s.shops.Find(ack->key().tenant(), ack->key().shop_id());
    if (e == nullptr || covered(e)) continue;
    if (ApplyAck(s, *ack, at, &e).ok()) s.Touch(e);
  }
  for (const store::v1::ShopRef* ref : in.fired) {
    ShopEntry* e = s.shops.Find(ref->tenant(), ref->shop_id());
    if (e == nullptr || covered(e)) continue;
    s.Fire(e);
  }
  RunShopChecks(s, at, /*transitions=*/nullptr, /*fired_log=*/nullptr);
}

}  // namespace depositd::daemon
