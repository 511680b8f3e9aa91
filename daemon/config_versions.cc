#include "daemon/config_versions.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "daemon/config_silences.h"
#include "daemon/store.h"
#include "daemon/store_keys.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace depositd::daemon {
namespace {

std::string Serialized(const v1::DaemonConfig& config) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  config.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

}  // namespace

absl::Duration RunningConfig::FeedSilence(absl::string_view tenant) const {
  auto it = feed_silence.find(std::string(tenant));
  return it == feed_silence.end() ? absl::ZeroDuration() : it->second;
}

absl::StatusOr<std::unique_ptr<RunningConfig>> BuildRunningConfig(
    const v1::DaemonConfig& config, uint64_t version) {
  auto out = std::make_unique<RunningConfig>();
  out->version = version;
  out->config = config;
  absl::StatusOr<std::unique_ptr<watchers::ProfileRegistry>> registry =
      watchers::ProfileRegistry::Create(config);
  if (!registry.ok()) return registry.status();
  out->owned_registry = *std::move(registry);
  out->registry = out->owned_registry.get();
  absl::StatusOr<notifier::AlertRouter> router =
      notifier::AlertRouter::Create(config);
  if (!router.ok()) return router.status();
  out->router = *std::move(router);
  if (!out->router.empty()) {
    // `out` is on the heap and never moves: the policy may point into it.
    const notifier::AlertRouter* r = &out->router;
    out->repeat = [r](const v1::Alert& a) { return r->RepeatInterval(a); };
  }
  for (const v1::TenantConfig& t : config.tenants()) {
    if (!t.has_feed_silence_minutes()) continue;
    if (t.feed_silence_minutes() < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("tenant \"", t.tenant(),
                       "\": field \"feed_silence_minutes\" must be >= 0 "
                       "(0: off)"));
    }
    if (t.feed_silence_minutes() > 0) {
      out->feed_silence[t.tenant()] = absl::Minutes(t.feed_silence_minutes());
    }
  }
  absl::StatusOr<std::vector<notifier::Silence>> silences =
      ConfigSilences(config);
  if (!silences.ok()) return silences.status();
  out->silences = *std::move(silences);
  return out;
}

absl::Status ValidateDaemonConfig(const v1::DaemonConfig& config) {
  return BuildRunningConfig(config, 0).status();
}

absl::StatusOr<std::unique_ptr<ConfigVersions>> ConfigVersions::Load(
    const Store& store, std::unique_ptr<RunningConfig> base) {
  // Read without holding mu_ (no lock is held across store calls).
  std::vector<std::unique_ptr<RunningConfig>> versions;
  base->version = 0;
  versions.push_back(std::move(base));
  absl::Status error;
  absl::Status scan = store.Scan(
      Family::kMeta, kConfigVersionKeyPrefix,
      [&](absl::string_view key, absl::string_view value) {
        if (!absl::ConsumePrefix(&key, kConfigVersionKeyPrefix)) return false;
        const uint64_t version = DecodeBigEndian64(key);
        v1::DaemonConfig config;
        if (version == 0 || !config.ParseFromArray(
                                value.data(), static_cast<int>(value.size()))) {
          error = absl::DataLossError(absl::StrCat(
              "the recorded configuration \"", kConfigVersionKeyPrefix, version,
              "\" does not parse"));
          return false;
        }
        absl::StatusOr<std::unique_ptr<RunningConfig>> built =
            BuildRunningConfig(config, version);
        if (!built.ok()) {
          error = absl::DataLossError(
              absl::StrCat("the recorded configuration version ", version,
                           " is no longer valid: ", built.status().message()));
          return false;
        }
        versions.push_back(*std::move(built));
        return true;
      });
  if (!scan.ok()) return scan;
  if (!error.ok()) return error;
  uint64_t applied_version = 0;
  absl::StatusOr<std::string> applied =
      store.Get(Family::kMeta, kConfigAppliedKey);
  if (applied.ok()) {
    applied_version = DecodeBigEndian64(*applied);
  } else if (!absl::IsNotFound(applied.status())) {
    return applied.status();
  }
  std::unique_ptr<ConfigVersions> out(new ConfigVersions());
  absl::MutexLock lock(&out->mu_);
  for (auto& v : versions) {
    out->by_version_[v->version] = v.get();
    out->versions_.push_back(std::move(v));
  }
  out->applied_ = applied_version;
  if (out->by_version_.count(applied_version) == 0) {
    return absl::DataLossError(
        absl::StrCat("\"", kConfigAppliedKey, "\" names configuration version ",
                     applied_version, ", which is not recorded"));
  }
  return out;
}

const RunningConfig* ConfigVersions::Get(uint64_t version) const {
  absl::MutexLock lock(&mu_);
  auto it = by_version_.find(version);
  return it == by_version_.end() ? nullptr : it->second;
}

const RunningConfig* ConfigVersions::latest() const {
  absl::MutexLock lock(&mu_);
  return by_version_.rbegin()->second;
}

uint64_t ConfigVersions::applied() const {
  absl::MutexLock lock(&mu_);
  return applied_;
}

absl::StatusOr<const RunningConfig*> ConfigVersions::Record(
    Store& store, const v1::DaemonConfig& config, bool* is_new) {
  const RunningConfig* latest = this->latest();
  const std::string bytes = Serialized(config);
  // Version 0 is never reused: what it was is not recorded.
  if (latest->version != 0 && Serialized(latest->config) == bytes) {
    *is_new = false;
    return latest;
  }
  const uint64_t version = latest->version + 1;
  absl::StatusOr<std::unique_ptr<RunningConfig>> built =
      BuildRunningConfig(config, version);
  if (!built.ok()) return built.status();
  StoreBatch batch(store);
  batch.Put(Family::kMeta, ConfigVersionKey(version), bytes);
  absl::Status w = store.Write(batch, /*sync=*/true);
  if (!w.ok()) return w;
  const RunningConfig* out = built->get();
  absl::MutexLock lock(&mu_);
  by_version_[version] = out;
  versions_.push_back(*std::move(built));
  *is_new = true;
  return out;
}

absl::Status ConfigVersions::MarkApplied(Store& store, uint64_t version) {
  StoreBatch batch(store);
  batch.Put(Family::kMeta, kConfigAppliedKey, EncodeBigEndian64(version));
  absl::Status w = store.Write(batch, /*sync=*/true);
  if (!w.ok()) return w;
  absl::MutexLock lock(&mu_);
  if (version > applied_) applied_ = version;
  return absl::OkStatus();
}

}  // namespace depositd::daemon
