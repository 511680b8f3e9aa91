#include "daemon/silence_registry.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "daemon/store_keys.h"
#include "depositd/store/v1/checkpoint.pb.h"

namespace depositd::daemon {
namespace {

notifier::Silence FromRecord(const store::v1::SilenceRecord& r) {
  notifier::Silence s;
  s.id = r.id();
  s.tenant = r.tenant();
  s.shop_id = r.shop_id();
  s.kind = r.kind();
  s.severity = r.severity();
  s.ends_at = absl::FromUnixNanos(r.ends_at_nanos());
  s.created_at = absl::FromUnixNanos(r.created_at_nanos());
  s.by = r.by();
  s.comment = r.comment();
  return s;
}

store::v1::SilenceRecord ToRecord(const notifier::Silence& s) {
  store::v1::SilenceRecord r;
  r.set_id(s.id);
  r.set_tenant(s.tenant);
  r.set_shop_id(s.shop_id);
  r.set_kind(s.kind);
  r.set_severity(s.severity);
  r.set_ends_at_nanos(absl::ToUnixNanos(s.ends_at));
  r.set_created_at_nanos(absl::ToUnixNanos(s.created_at));
  r.set_by(s.by);
  r.set_comment(s.comment);
  return r;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SilenceRegistry>> SilenceRegistry::Load(
    Store* store, EngineClock* clock) {
  std::unique_ptr<SilenceRegistry> reg(new SilenceRegistry(store, clock));
  absl::Status bad;
  absl::Status s = store->Scan(
      Family::kMeta, kSilenceKeyPrefix,
      [&](absl::string_view key, absl::string_view v) {
        if (!absl::StartsWith(key, kSilenceKeyPrefix)) return false;
        store::v1::SilenceRecord r;
        if (!r.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
          bad = absl::DataLossError(
              absl::StrCat("silence record ", key, " is corrupt"));
          return false;
        }
        reg->set_.Add(FromRecord(r));
        return true;
      });
  if (!s.ok()) return s;
  if (!bad.ok()) return bad;
  return reg;
}

absl::StatusOr<std::string> SilenceRegistry::Add(notifier::Silence s) {
  const absl::Time now = clock_->Now();
  {
    absl::MutexLock lock(&mu_);
    s.id = absl::StrFormat("sil-%x-%d", absl::ToUnixNanos(now), ++counter_);
  }
  s.created_at = now;
  StoreBatch batch(*store_);
  batch.Put(Family::kMeta, SilenceKey(s.id), ToRecord(s).SerializeAsString());
  absl::Status w = store_->Write(batch, /*sync=*/true);
  if (!w.ok()) return w;
  std::string id = s.id;
  absl::MutexLock lock(&mu_);
  set_.Add(std::move(s));
  return id;
}

void SilenceRegistry::ReplaceConfigured(
    std::vector<notifier::Silence> silences) {
  absl::MutexLock lock(&mu_);
  configured_ = std::move(silences);
}

absl::StatusOr<size_t> SilenceRegistry::Expire() {
  const absl::Time now = clock_->Now();
  std::vector<std::string> ended;
  {
    absl::MutexLock lock(&mu_);
    for (const notifier::Silence& s : set_.silences()) {
      if (now >= s.ends_at) ended.push_back(s.id);
    }
  }
  if (ended.empty()) return 0;
  StoreBatch batch(*store_);
  for (const std::string& id : ended) {
    batch.Delete(Family::kMeta, SilenceKey(id));
  }
  absl::Status w = store_->Write(batch, /*sync=*/false);
  if (!w.ok()) return w;
  absl::MutexLock lock(&mu_);
  set_.Expire(now);
  return ended.size();
}

std::string SilenceRegistry::SilencedBy(const v1::Alert& alert,
                                        absl::Time /*now*/) const {
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  std::string by = set_.SilencedBy(alert, now);
  if (!by.empty()) return by;
  for (const notifier::Silence& s : configured_) {
    if (notifier::SilenceMatches(s, alert, now)) return s.id;
  }
  return "";
}

std::vector<notifier::Silence> SilenceRegistry::Active() const {
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  std::vector<notifier::Silence> out;
  for (const notifier::Silence& s : set_.silences()) {
    if (now < s.ends_at) out.push_back(s);
  }
  for (const notifier::Silence& s : configured_) {
    if (s.starts_at <= now && now < s.ends_at) out.push_back(s);
  }
  return out;
}

}  // namespace depositd::daemon
