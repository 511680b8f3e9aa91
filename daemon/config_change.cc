#include "daemon/config_change.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "daemon/log.h"

namespace depositd::daemon {
namespace {

// key: tenant "\0" shop_id (store_keys.h).
std::pair<absl::string_view, absl::string_view> SplitKey(
    absl::string_view key) {
  const size_t nul = key.find('\0');
  if (nul == absl::string_view::npos) return {key, {}};
  return {key.substr(0, nul), key.substr(nul + 1)};
}

// The profile `e` gets in `config`: by the name its entry keeps, else its
// tenant's generic one (*fell_back when the name is not defined there).
const watchers::ResolvedProfile* ResolveIn(const RunningConfig& config,
                                           const ShopEntry& e,
                                           absl::string_view tenant,
                                           absl::string_view shop_id,
                                           bool* fell_back) {
  absl::StatusOr<const watchers::ResolvedProfile*> p =
      config.registry->Resolve(tenant, shop_id, e.profile_name);
  *fell_back = !p.ok();
  if (!p.ok()) p = config.registry->Resolve(tenant, shop_id, "");
  return p.ok() ? *p : nullptr;
}

template <typename Repeated>
bool SameMessages(const Repeated& a, const Repeated& b) {
  if (a.size() != b.size()) return false;
  for (int i = 0; i < a.size(); ++i) {
    if (a.Get(i).SerializeAsString() != b.Get(i).SerializeAsString()) {
      return false;
    }
  }
  return true;
}

}  // namespace

int64_t UseConfig(ShardState& s, const RunningConfig& config) {
  s.ctx.registry = config.registry;
  s.ctx.repeat = config.repeat ? &config.repeat : nullptr;
  const RunningConfig* c = &config;
  s.ctx.feed_silence = [c](absl::string_view tenant) {
    return c->FeedSilence(tenant);
  };
  s.ctx.config = c;
  int64_t fell_back = 0;
  for (const auto& [key, e] : s.shops.ordered()) {
    const auto [tenant, shop_id] = SplitKey(key);
    bool unknown = false;
    const watchers::ResolvedProfile* p =
        ResolveIn(config, *e, tenant, shop_id, &unknown);
    if (p == nullptr) continue;  // the generic profile always resolves
    // The entry keeps the name: a later version may define it again.
    if (unknown) ++fell_back;
    e->profile = p;
  }
  if (fell_back > 0) {
    LogWarning("config",
               absl::StrCat(fell_back, " shops of shard ", s.id,
                            " use a profile that configuration version ",
                            config.version,
                            " does not define; they are judged by their "
                            "tenant's generic profile"));
  }
  return fell_back;
}

ConfigDelta::ConfigDelta(const RunningConfig& previous,
                         const RunningConfig& next)
    : previous_(previous),
      next_(next),
      calendars_changed_(
          !SameMessages(previous.config.calendars(), next.config.calendars())),
      routes_changed_(
          !SameMessages(previous.config.routes(), next.config.routes())) {}

bool ConfigDelta::Moves(const ShopEntry& e, absl::string_view tenant,
                        absl::string_view shop_id) {
  if (calendars_changed_) return true;
  if (routes_changed_ && !e.alerts.active().empty()) {
    return true;  // repeat intervals
  }
  if (e.feed && previous_.FeedSilence(tenant) != next_.FeedSilence(tenant)) {
    return true;
  }
  bool unknown = false;
  const watchers::ResolvedProfile* a =
      ResolveIn(previous_, e, tenant, shop_id, &unknown);
  const watchers::ResolvedProfile* b =
      ResolveIn(next_, e, tenant, shop_id, &unknown);
  if (a == nullptr || b == nullptr) return true;
  auto [it, inserted] = same_.try_emplace({a, b}, false);
  if (inserted) {
    it->second =
        a->language == b->language &&
        a->settings.SerializeAsString() == b->settings.SerializeAsString();
  }
  return !it->second;
}

int64_t ChangeConfig(ShardState& s, const RunningConfig& previous,
                     const RunningConfig& next,
                     const std::function<bool(const ShopEntry&)>& include) {
  int64_t touched = 0;
  ConfigDelta delta(previous, next);
  for (const auto& [key, e] : s.shops.ordered()) {
    if (include && !include(*e)) continue;
    const auto [tenant, shop_id] = SplitKey(key);
    if (!delta.Moves(*e, tenant, shop_id)) continue;
    s.Touch(e);
    ++touched;
  }
  UseConfig(s, next);
  return touched;
}

}  // namespace depositd::daemon
