#include "daemon/shop_checks.h"

#include <algorithm>
#include <utility>

#include "notifier/finding_text.h"
#include "watchers/risk_watchers.h"

namespace depositd::daemon {

void FireDueDeadlines(ShardState& s, absl::Time now) {
  const int64_t now_nanos = absl::ToUnixNanos(now);
  while (!s.deadlines.empty() && s.deadlines.begin()->first <= now_nanos) {
    ShopEntry* e = s.deadlines.begin()->second;
    s.deadlines.erase(s.deadlines.begin());
    e->next_check = kNoDeadline;
    s.Fire(e);
  }
}

void RunShopChecks(ShardState& s, absl::Time now,
                   std::vector<v1::Alert>* transitions,
                   LogRecordWriter* fired_log) {
  const ShardContext& ctx = s.ctx;
  auto check = [&](ShopEntry* e, bool fired) {
    watchers::WatchResult r;
    if (e->feed) {
      const absl::Duration silence = ctx.feed_silence
                                         ? ctx.feed_silence(e->state.tenant())
                                         : absl::ZeroDuration();
      r = watchers::CheckFeedSilence(
          e->state.tenant(), absl::FromUnixNanos(e->feed_heard), silence, now);
    } else {
      r = ctx.watchers->CheckAll(s.Live(e)->state, *e->profile, now);
    }
    // The watchers' findings carry no text: word them in the tenant's
    // language before the book compares them (a change of words updates).
    notifier::WordFindings(notifier::WordingFor(*e->profile, now), &r.findings);
    std::vector<v1::Alert> t =
        e->alerts.Update(std::move(r.findings), now, ctx.repeat);
    if (!t.empty()) {
      s.MarkDirty(e);
      if (fired && fired_log != nullptr) {
        fired_log->AddFired(e->state.tenant(), e->state.shop_id());
      }
      if (transitions != nullptr) {
        for (v1::Alert& a : t) transitions->push_back(std::move(a));
      }
    }
    s.Schedule(e, std::min(r.next_check, e->alerts.NextRepeat(ctx.repeat)),
               now);
    s.index.Checked(e);  // no-op for a watchdog entry
  };
  for (ShopEntry* e : s.touched) check(e, false);
  for (ShopEntry* e : s.fired) check(e, true);
  s.touched.clear();
  s.fired.clear();
}

}  // namespace depositd::daemon
