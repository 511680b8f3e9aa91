#include "daemon/event_apply.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "daemon/stable_hash.h"
#include "daemon/store_keys.h"

namespace depositd::daemon {

EventOutcome ApplyEvent(ShardState& s, const v1::Event& ev, uint64_t shop_hash,
                        absl::Time at, ApplyMode mode, uint64_t group_seq,
                        absl::Status* rejection) {
  const bool live = mode == ApplyMode::kLive;
  const DedupeKey dk{shop_hash, EventIdHash(shop_hash, ev.event_id())};
  if (live && s.dedupe.Contains(dk)) return EventOutcome::kDuplicate;
  ShopEntry* e = s.shops.Find(ev.tenant(), ev.shop_id());
  if (!live && e != nullptr && group_seq != 0 && e->covered_seq >= group_seq) {
    // The shop's checkpoint was written after this group (a later slice
    // of the round): the event is already in its state.
    s.dedupe.Insert(dk, at);
    return EventOutcome::kCovered;
  }
  absl::Status st;
  if (e != nullptr) {
    watchers::ShopState& state = s.Live(e)->state;
    st = live ? state.ApplyValidated(ev, *e->profile)
              : state.Apply(ev, *e->profile);
  } else {
    absl::StatusOr<const watchers::ResolvedProfile*> profile =
        s.ctx.registry->Resolve(ev.tenant(), ev.shop_id(), "");
    if (!profile.ok()) {
      st = profile.status();
    } else {
      watchers::ShopState state(ev.tenant(), ev.shop_id());
      st = live ? state.ApplyValidated(ev, **profile)
                : state.Apply(ev, **profile);
      if (st.ok()) {
        e = s.shops.Insert(ShopKey(ev.tenant(), ev.shop_id()), shop_hash,
                           std::move(state), *profile, "");
      }
    }
  }
  if (!st.ok()) {
    *rejection = std::move(st);
    return EventOutcome::kRejected;
  }
  if (ev.body_case() == v1::Event::kShopRegistered) s.ReResolveProfile(e);
  s.dedupe.Insert(dk, at);
  s.Touch(e);
  return EventOutcome::kApplied;
}

bool ApplyHeartbeat(ShardState& s, absl::string_view tenant, bool if_missing,
                    absl::Time at, LogRecordWriter* log) {
  ShopEntry* e = s.shops.Find(tenant, "");
  if (e == nullptr) {
    absl::StatusOr<const watchers::ResolvedProfile*> profile =
        s.ctx.registry->Resolve(tenant, "", "");
    if (!profile.ok()) return false;
    e = s.shops.Insert(ShopKey(tenant, ""), ShopHash(tenant, ""),
                       watchers::ShopState(std::string(tenant), ""), *profile,
                       "");
    e->feed = true;
  } else if (if_missing || !e->feed) {
    return false;
  }
  e->feed_heard = absl::ToUnixNanos(at);
  if (log != nullptr) log->AddHeartbeat(tenant);
  s.Touch(e);
  return true;
}

absl::StatusOr<std::optional<v1::Alert>> ApplyAck(
    ShardState& s, const store::v1::AlertAck& ack, absl::Time at,
    ShopEntry** shop) {
  const v1::AlertKey& key = ack.key();
  ShopEntry* e = s.shops.Find(key.tenant(), key.shop_id());
  *shop = e;
  if (e == nullptr) {
    return absl::NotFoundError(absl::StrCat(
        "no alert is firing for tenant \"", key.tenant(), "\" shop \"",
        key.shop_id(),
        "\": depositd has no such shop; list the firing alerts with "
        "Alerts.List"));
  }
  return e->alerts.Acknowledge(key, ack.by(), at);
}

}  // namespace depositd::daemon
