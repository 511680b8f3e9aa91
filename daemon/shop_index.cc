#include "daemon/shop_index.h"

#include <algorithm>
#include <map>
#include <utility>

#include "common/currency.h"
#include "common/timestamps.h"

namespace depositd::daemon {
namespace {

absl::string_view TenantOf(absl::string_view key) {
  return key.substr(0, key.find('\0'));
}

// `minor` of `currency` in millionths of a major unit, saturating.
int64_t MicroMajor(int64_t minor, absl::string_view currency) {
  const int digits = common::CurrencyMinorDigits(currency).value_or(2);
  int64_t scale = 1;
  for (int i = digits; i < 6; ++i) scale *= 10;
  if (minor > INT64_MAX / scale) return INT64_MAX;
  if (minor < INT64_MIN / scale) return INT64_MIN;
  return minor * scale;
}

int VerdictSlot(v1::Verdict v) {
  const int i = static_cast<int>(v);
  return i >= 0 && i < 4 ? i : 0;
}

}  // namespace

ShopStake StakeOf(const notifier::AlertBook& alerts) {
  ShopStake out;
  std::map<std::string, int64_t> largest;
  for (const v1::Alert& a : alerts.active()) {
    if (a.has_due_at()) {
      out.due = std::min(out.due,
                         absl::ToUnixNanos(common::FromTimestamp(a.due_at())));
    }
    const v1::Money& m = a.amount_at_risk();
    if (m.currency().empty() || m.minor_units() <= 0) continue;
    auto [it, inserted] = largest.emplace(m.currency(), m.minor_units());
    if (!inserted) it->second = std::max(it->second, m.minor_units());
  }
  for (const auto& [currency, minor] : largest) {
    v1::Money& m = out.amounts.emplace_back();
    m.set_currency(currency);
    m.set_minor_units(minor);
    out.rank = std::max(out.rank, MicroMajor(minor, currency));
  }
  return out;
}

void ShopIndex::Count(Counts& c, const Facts& f, int64_t sign) {
  c.shops += sign;
  if (f.risks != 0) c.at_risk += sign;
  if (f.verdict != v1::VERDICT_UNSPECIFIED) {
    c.verdicts[VerdictSlot(f.verdict)] += sign;
  }
  for (int k = 1; k < kKinds; ++k) {
    if ((f.risks >> k) & 1u) c.kinds[k] += sign;
  }
}

ShopIndex::Counts& ShopIndex::TenantCounts(absl::string_view key) {
  const absl::string_view t = TenantOf(key);
  auto it = tenants_.find(t);
  if (it == tenants_.end())
    it = tenants_.emplace(std::string(t), Counts()).first;
  return it->second;
}

void ShopIndex::Remove(const ShopEntry* e, const Facts& f) {
  const absl::string_view key = e->key;
  Count(total_, f, -1);
  Counts& tc = TenantCounts(key);
  Count(tc, f, -1);
  if (tc.shops == 0) tenants_.erase(TenantOf(key));
  if (f.verdict != v1::VERDICT_UNSPECIFIED) {
    by_verdict_[VerdictSlot(f.verdict)].erase(key);
  }
  if (f.ready_at != kNoDeadline) {
    ready_at_.erase({f.ready_at, const_cast<ShopEntry*>(e)});
  }
  for (int k = 1; k < kKinds; ++k) {
    if ((f.risks >> k) & 1u) by_kind_[k].erase(key);
  }
  if (f.risks != 0) by_risk_.erase(RiskKey{-f.stake_rank, f.due, key});
  if (f.profile != nullptr) {
    auto it = by_profile_.find(f.profile);
    if (it != by_profile_.end()) {
      it->second.erase(key);
      if (it->second.empty()) by_profile_.erase(it);
    }
  }
}

void ShopIndex::Add(const ShopEntry* e, const Facts& f) {
  const absl::string_view key = e->key;
  Count(total_, f, 1);
  Count(TenantCounts(key), f, 1);
  if (f.verdict != v1::VERDICT_UNSPECIFIED) {
    by_verdict_[VerdictSlot(f.verdict)].insert(key);
  }
  if (f.ready_at != kNoDeadline) {
    ready_at_.insert({f.ready_at, const_cast<ShopEntry*>(e)});
  }
  for (int k = 1; k < kKinds; ++k) {
    if ((f.risks >> k) & 1u) by_kind_[k].insert(key);
  }
  if (f.risks != 0) by_risk_.insert(RiskKey{-f.stake_rank, f.due, key});
  if (f.profile != nullptr) by_profile_[f.profile].insert(key);
}

void ShopIndex::Checked(ShopEntry* e) {
  if (e->feed) return;
  auto [it, inserted] = facts_.try_emplace(e->key);
  Facts& f = it->second;
  f.entry = e;
  if (!inserted) Remove(e, f);
  f.risks = 0;
  for (const v1::Alert& a : e->alerts.active()) {
    const int k = static_cast<int>(a.key().kind());
    if (k > 0 && k < kKinds) f.risks |= 1u << k;
  }
  ShopStake stake = StakeOf(e->alerts);
  f.stake_rank = stake.rank;
  f.due = stake.due;
  f.profile = &*profile_names_.insert(e->profile->settings.name()).first;
  if (inserted || !f.stale) {
    f.stale = true;
    stale_.push_back(e);
  }
  Add(e, f);
}

int64_t ShopIndex::Refresh(absl::Time now, absl::Duration budget) {
  const absl::Time started = absl::Now();
  const int64_t now_nanos = absl::ToUnixNanos(now);
  int64_t n = 0;
  auto spent = [&] {
    return budget != absl::InfiniteDuration() && n % 8 == 0 &&
           absl::Now() - started >= budget;
  };
  auto evaluate = [&](ShopEntry* e) {
    auto it = facts_.find(e->key);
    if (it == facts_.end()) return;
    Facts& f = it->second;
    const v1::ReadinessReport r = evaluate_(e, now);
    Remove(e, f);
    f.verdict = r.verdict();
    f.lifecycle = r.lifecycle();
    f.blocking = 0;
    for (const v1::Blocker& b : r.blockers()) {
      const int c = static_cast<int>(b.condition());
      if (c > 0 && c < 32) f.blocking |= 1u << c;
    }
    f.ready_at = r.verdict() == v1::READY_AT && r.has_ready_at()
                     ? absl::ToUnixNanos(common::FromTimestamp(r.ready_at()))
                     : kNoDeadline;
    // A ready_at already past (evaluated at an earlier time) would come
    // back at once: the verdict at `now` is what counts.
    if (f.ready_at != kNoDeadline && f.ready_at <= now_nanos) {
      f.ready_at = kNoDeadline;
    }
    f.stale = false;
    Add(e, f);
    ++n;
  };
  while (!ready_at_.empty() && ready_at_.begin()->first <= now_nanos) {
    evaluate(ready_at_.begin()->second);
    if (spent()) return n;
  }
  while (!stale_.empty()) {
    ShopEntry* e = stale_.front();
    stale_.pop_front();
    auto it = facts_.find(e->key);
    if (it == facts_.end() || !it->second.stale) continue;
    evaluate(e);
    if (spent()) return n;
  }
  return n;
}

bool ShopIndex::has_work(absl::Time now) const {
  return !stale_.empty() || (!ready_at_.empty() && ready_at_.begin()->first <=
                                                       absl::ToUnixNanos(now));
}

const ShopIndex::Facts* ShopIndex::Find(absl::string_view key) const {
  auto it = facts_.find(key);
  return it == facts_.end() ? nullptr : &it->second;
}

const ShopIndex::Counts* ShopIndex::tenant(absl::string_view t) const {
  auto it = tenants_.find(t);
  return it == tenants_.end() ? nullptr : &it->second;
}

std::vector<absl::string_view> ShopIndex::tenant_names() const {
  std::vector<absl::string_view> out;
  out.reserve(tenants_.size());
  for (const auto& [t, c] : tenants_) out.push_back(t);
  std::sort(out.begin(), out.end());
  return out;
}

const ShopIndex::KeySet& ShopIndex::by_verdict(v1::Verdict v) const {
  return by_verdict_[VerdictSlot(v)];
}

const ShopIndex::KeySet* ShopIndex::by_kind(v1::AlertKind k) const {
  const int i = static_cast<int>(k);
  return i > 0 && i < kKinds ? &by_kind_[i] : nullptr;
}

const ShopIndex::KeySet* ShopIndex::by_profile(
    absl::string_view profile) const {
  auto name = profile_names_.find(profile);
  if (name == profile_names_.end()) return nullptr;
  auto it = by_profile_.find(&*name);
  return it == by_profile_.end() ? nullptr : &it->second;
}

}  // namespace depositd::daemon
