#include "daemon/shard_state.h"

namespace depositd::daemon {

void ShardState::Touch(ShopEntry* e) {
  e->last_used = now_nanos;
  if (e->step != step) {
    e->step = step;
    touched.push_back(e);
  }
  MarkDirty(e);
}

void ShardState::MarkDirty(ShopEntry* e) {
  if (!e->dirty) {
    Live(e);
    packed.Drop(e);
    e->dirty = true;
    dirty.push_back(e);
  }
}

void ShardState::Fire(ShopEntry* e) {
  if (e->step != step) {
    e->step = step;
    fired.push_back(e);
  }
}

void ShardState::Schedule(ShopEntry* e, absl::Time next_check, absl::Time now) {
  int64_t next = kNoDeadline;
  if (next_check != absl::InfiniteFuture()) {
    // A watcher asking to look again at or before now would spin; look a
    // second later instead.
    if (next_check <= now) next_check = now + absl::Seconds(1);
    next = absl::ToUnixNanos(next_check);
  }
  if (next == e->next_check) return;
  if (e->next_check != kNoDeadline) deadlines.erase({e->next_check, e});
  e->next_check = next;
  if (next != kNoDeadline) deadlines.insert({next, e});
}

v1::ReadinessReport ShardState::EvaluateShop(ShopEntry* e, absl::Time now) {
  const bool was_packed = !e->live;
  Live(e);
  v1::ReadinessReport r = e->state.Evaluate(now, *e->profile);
  if (was_packed) packed.Pack(e);  // keeps its bytes: no serializing
  return r;
}

void ShardState::ReResolveProfile(ShopEntry* e) {
  if (e->state.profile_name() == e->profile_name) return;
  absl::StatusOr<const watchers::ResolvedProfile*> p = ctx.registry->Resolve(
      e->state.tenant(), e->state.shop_id(), e->state.profile_name());
  if (p.ok()) {
    e->profile = *p;
    e->profile_name = e->state.profile_name();
  }
}

}  // namespace depositd::daemon
