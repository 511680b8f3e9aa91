#include "daemon/config_change.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "daemon/log.h"

namespace depositd::daemon {

int64_t UseConfig(ShardState& s, const RunningConfig& config) {
  s.ctx.registry = config.registry;
  s.ctx.repeat = config.repeat ? &config.repeat : nullptr;
  const RunningConfig* c = &config;
  s.ctx.feed_silence = [c](absl::string_view tenant) {
    return c->FeedSilence(tenant);
  };
  s.ctx.config_version = config.version;
  int64_t fell_back = 0;
  for (const auto& [key, e] : s.shops.ordered()) {
    // key: tenant "\0" shop_id (store_keys.h). A packed shop's state is
    // not readable; its entry keeps the name its profile was resolved for.
    const size_t nul = key.find('\0');
    const absl::string_view tenant = key.substr(0, nul);
    const absl::string_view shop_id = nul == absl::string_view::npos
                                          ? absl::string_view()
                                          : key.substr(nul + 1);
    const std::string name = e->live && !e->feed
                                 ? std::string(e->state.profile_name())
                                 : e->profile_name;
    absl::StatusOr<const watchers::ResolvedProfile*> p =
        config.registry->Resolve(tenant, shop_id, name);
    std::string resolved_for = name;
    if (!p.ok()) {
      ++fell_back;
      resolved_for.clear();
      p = config.registry->Resolve(tenant, shop_id, "");
    }
    if (!p.ok()) continue;  // the generic profile always resolves
    e->profile = *p;
    e->profile_name = std::move(resolved_for);
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

int64_t ChangeConfig(ShardState& s, const RunningConfig& config,
                     const std::function<bool(const ShopEntry&)>& include) {
  int64_t touched = 0;
  for (const auto& [key, e] : s.shops.ordered()) {
    if (include && !include(*e)) continue;
    s.Touch(e);
    ++touched;
  }
  UseConfig(s, config);
  return touched;
}

}  // namespace depositd::daemon
