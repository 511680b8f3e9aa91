#include "notifier/alert_book.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/timestamps.h"
#include "google/protobuf/timestamp.pb.h"

namespace depositd::notifier {
namespace {

v1::Alert FiringFrom(v1::Finding& f, absl::Time now, v1::AlertChange change) {
  v1::Alert a;
  a.set_change(change);
  *a.mutable_key() = std::move(*f.mutable_key());
  a.set_state(v1::FIRING);
  a.set_severity(f.severity());
  a.set_summary(std::move(*f.mutable_summary()));
  a.set_action(std::move(*f.mutable_action()));
  if (f.has_due_at()) *a.mutable_due_at() = f.due_at();
  if (f.has_amount_at_risk()) {
    *a.mutable_amount_at_risk() = std::move(*f.mutable_amount_at_risk());
  }
  a.mutable_evidence()->swap(*f.mutable_evidence());
  a.set_stage(std::move(*f.mutable_stage()));
  common::ToTimestamp(now, a.mutable_at());
  return a;
}

// True when `old` says what `f` says: summary, action, due_at, amount at
// risk and evidence (key, stage and severity are compared by the caller).
bool SaysSame(const v1::Finding& f, const v1::Alert& old) {
  if (f.summary() != old.summary() || f.action() != old.action()) return false;
  if (f.has_due_at() != old.has_due_at() ||
      f.due_at().seconds() != old.due_at().seconds() ||
      f.due_at().nanos() != old.due_at().nanos()) {
    return false;
  }
  if (f.has_amount_at_risk() != old.has_amount_at_risk() ||
      f.amount_at_risk().minor_units() != old.amount_at_risk().minor_units() ||
      f.amount_at_risk().currency() != old.amount_at_risk().currency()) {
    return false;
  }
  if (f.evidence().size() != old.evidence().size()) return false;
  for (const auto& [name, value] : f.evidence()) {
    auto it = old.evidence().find(name);
    if (it == old.evidence().end() || it->second != value) return false;
  }
  return true;
}

// When the episode of `a` last paged: `last_paged_at` on transitions that
// do not page (UPDATED, ACKNOWLEDGED), `at` on those that do and on alerts
// written before last_paged_at existed.
const google::protobuf::Timestamp& PagedAt(const v1::Alert& a) {
  return a.has_last_paged_at() ? a.last_paged_at() : a.at();
}

}  // namespace

// When `a` (as last paged) is due to repeat; InfiniteFuture if never.
static absl::Time RepeatDue(const v1::Alert& a, const RepeatPolicy* repeat) {
  if (repeat == nullptr || !*repeat || a.acknowledged()) {
    return absl::InfiniteFuture();
  }
  const absl::Duration d = (*repeat)(a);
  if (d == absl::InfiniteDuration() || d <= absl::ZeroDuration()) {
    return absl::InfiniteFuture();
  }
  return common::FromTimestamp(PagedAt(a)) + d;
}

std::vector<v1::Alert> AlertBook::Update(std::vector<v1::Finding> findings,
                                         absl::Time now,
                                         const RepeatPolicy* repeat) {
  std::vector<v1::Alert> transitions;
  if (findings.empty() && active_.empty()) return transitions;
  auto key_less = [](const v1::Finding& a, const v1::Finding& b) {
    return AlertKeyLess(a.key(), b.key());
  };
  // The watchers report in key order already (kind, then subject); a
  // stable sort would still allocate a buffer.
  if (!std::is_sorted(findings.begin(), findings.end(), key_less)) {
    std::stable_sort(findings.begin(), findings.end(), key_less);
  }
  findings.erase(std::unique(findings.begin(), findings.end(),
                             [](const v1::Finding& a, const v1::Finding& b) {
                               return AlertKeyEqual(a.key(), b.key());
                             }),
                 findings.end());
  // The usual case after a group: the same alerts saying the same, no stage
  // or severity moved, none due to repeat. The general merge below would
  // rebuild active_ as it is; skip it.
  if (findings.size() == active_.size()) {
    bool unchanged = true;
    for (size_t k = 0; k < findings.size() && unchanged; ++k) {
      const v1::Finding& f = findings[k];
      const v1::Alert& a = active_[k];
      unchanged = AlertKeyEqual(f.key(), a.key()) && f.stage() == a.stage() &&
                  f.severity() == a.severity() && now < RepeatDue(a, repeat) &&
                  SaysSame(f, a);
    }
    if (unchanged) return transitions;
  }
  std::vector<v1::Alert> next;
  next.reserve(findings.size());
  size_t i = 0;  // findings
  size_t j = 0;  // active_
  while (i < findings.size() || j < active_.size()) {
    const bool take_finding =
        i < findings.size() &&
        (j >= active_.size() ||
         !AlertKeyLess(active_[j].key(), findings[i].key()));
    const bool take_active =
        j < active_.size() &&
        (i >= findings.size() ||
         !AlertKeyLess(findings[i].key(), active_[j].key()));
    if (take_finding && take_active) {
      // Same key: still firing.
      v1::Alert& old = active_[j];
      v1::Finding& f = findings[i];
      const bool changed =
          f.stage() != old.stage() || f.severity() != old.severity();
      if (changed || now >= RepeatDue(old, repeat)) {
        v1::Alert a =
            FiringFrom(f, now, changed ? v1::ESCALATED : v1::REPEATED);
        a.set_repeat(!changed);
        if (old.has_starts_at()) *a.mutable_starts_at() = old.starts_at();
        // An acknowledgement holds for the episode, across escalations.
        a.set_acknowledged(old.acknowledged());
        a.set_acknowledged_by(old.acknowledged_by());
        transitions.push_back(a);
        next.push_back(std::move(a));
      } else if (!SaysSame(f, old)) {
        // Same stage and severity, new content: not a page. The repeat
        // interval still runs from the last page.
        v1::Alert a = FiringFrom(f, now, v1::UPDATED);
        *a.mutable_last_paged_at() = PagedAt(old);
        if (old.has_starts_at()) *a.mutable_starts_at() = old.starts_at();
        a.set_acknowledged(old.acknowledged());
        a.set_acknowledged_by(old.acknowledged_by());
        transitions.push_back(a);
        next.push_back(std::move(a));
      } else {
        // Unchanged: keep the alert as last written (the alert log's view),
        // so the book depends only on transitions and replays exactly.
        next.push_back(std::move(old));
      }
      ++i;
      ++j;
    } else if (take_finding) {
      v1::Alert a = FiringFrom(findings[i], now, v1::OPENED);
      *a.mutable_starts_at() = a.at();
      transitions.push_back(a);
      next.push_back(std::move(a));
      ++i;
    } else {
      v1::Alert a = std::move(active_[j]);
      a.set_state(v1::RESOLVED);
      common::ToTimestamp(now, a.mutable_at());
      common::ToTimestamp(now, a.mutable_ends_at());
      a.set_repeat(false);
      a.set_change(v1::CLEARED);
      transitions.push_back(std::move(a));
      ++j;
    }
  }
  active_ = std::move(next);
  return transitions;
}

absl::StatusOr<std::optional<v1::Alert>> AlertBook::Acknowledge(
    const v1::AlertKey& key, absl::string_view by, absl::Time now) {
  auto it = std::lower_bound(active_.begin(), active_.end(), key,
                             [](const v1::Alert& a, const v1::AlertKey& k) {
                               return AlertKeyLess(a.key(), k);
                             });
  if (it == active_.end() || !AlertKeyEqual(it->key(), key)) {
    return absl::NotFoundError(absl::StrCat(
        "no alert is firing with key tenant \"", key.tenant(), "\" shop \"",
        key.shop_id(), "\" kind ", v1::AlertKind_Name(key.kind()),
        " subject \"", key.subject(),
        "\"; list the firing alerts with Alerts.List"));
  }
  if (it->acknowledged()) return std::optional<v1::Alert>();
  if (!it->has_last_paged_at()) *it->mutable_last_paged_at() = it->at();
  it->set_acknowledged(true);
  it->set_acknowledged_by(std::string(by));
  it->set_change(v1::ACKNOWLEDGED);
  it->set_repeat(false);
  common::ToTimestamp(now, it->mutable_at());
  return std::optional<v1::Alert>(*it);
}

absl::Time AlertBook::NextRepeat(const RepeatPolicy* repeat) const {
  absl::Time next = absl::InfiniteFuture();
  if (repeat == nullptr || !*repeat) return next;
  for (const v1::Alert& a : active_)
    next = std::min(next, RepeatDue(a, repeat));
  return next;
}

bool AlertBook::HasFiring(v1::AlertKind kind) const {
  for (const v1::Alert& a : active_) {
    if (a.key().kind() == kind) return true;
  }
  return false;
}

void AlertBook::Restore(std::vector<v1::Alert> active) {
  std::sort(active.begin(), active.end(),
            [](const v1::Alert& a, const v1::Alert& b) {
              return AlertKeyLess(a.key(), b.key());
            });
  active_ = std::move(active);
}

}  // namespace depositd::notifier
