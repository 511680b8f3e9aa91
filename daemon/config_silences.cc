#include "daemon/config_silences.h"

#include <set>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "watchers/limits.h"

namespace depositd::daemon {
namespace {

// `text` as an RFC 3339 time into `*out`; `field` names it in the error.
absl::Status ParseTimeField(absl::string_view prefix, absl::string_view field,
                            const std::string& text, absl::Time* out) {
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, text, out, &err)) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix, field, " \"", text,
                     "\" is not an RFC 3339 time (e.g. 2026-12-24T00:00:00Z)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<notifier::Silence>> ConfigSilences(
    const v1::DaemonConfig& config) {
  std::vector<notifier::Silence> out;
  std::set<std::string> names;
  for (int i = 0; i < config.silences_size(); ++i) {
    const v1::ConfigSilence& c = config.silences(i);
    const std::string at = absl::StrCat("silences[", i, "]: ");
    if (c.name().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(at,
                       "name is required: it names the silence in "
                       "silenced_by"));
    }
    if (c.name().size() > watchers::kMaxNameBytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          at, "name is longer than ", watchers::kMaxNameBytes, " bytes"));
    }
    if (!names.insert(c.name()).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          at, "name \"", c.name(), "\" is used by an earlier silence"));
    }
    if (c.tenant().empty() && c.shop_id().empty() &&
        c.kind() == v1::ALERT_KIND_UNSPECIFIED &&
        c.severity() == v1::SEVERITY_UNSPECIFIED) {
      return absl::InvalidArgumentError(absl::StrCat(
          at,
          "a silence needs at least one matcher (tenant, shop_id, kind "
          "or severity); refusing to mute every alert"));
    }
    if (!c.shop_id().empty() && c.tenant().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          at,
          "shop_id needs its tenant: shop ids are unique only within a "
          "tenant"));
    }
    if (!v1::AlertKind_IsValid(c.kind())) {
      return absl::InvalidArgumentError(absl::StrCat(
          at, "kind ", static_cast<int>(c.kind()), " is not an alert kind"));
    }
    if (!v1::Severity_IsValid(c.severity())) {
      return absl::InvalidArgumentError(
          absl::StrCat(at, "severity ", static_cast<int>(c.severity()),
                       " is not a severity (INFO, WARNING, CRITICAL)"));
    }
    if (c.tenant().size() > watchers::kMaxTenantBytes ||
        c.shop_id().size() > watchers::kMaxShopIdBytes ||
        c.by().size() > watchers::kMaxNameBytes ||
        c.comment().size() > watchers::kMaxFreeTextBytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          at, "a field is too long: tenant at most ", watchers::kMaxTenantBytes,
          " bytes, shop_id ", watchers::kMaxShopIdBytes, ", by ",
          watchers::kMaxNameBytes, ", comment ", watchers::kMaxFreeTextBytes));
    }
    notifier::Silence s;
    s.id = absl::StrCat(kConfigSilencePrefix, c.name());
    s.tenant = c.tenant();
    s.shop_id = c.shop_id();
    s.kind = c.kind();
    s.severity = c.severity();
    s.starts_at = absl::InfinitePast();
    s.ends_at = absl::InfiniteFuture();
    if (!c.starts_at().empty()) {
      absl::Status p =
          ParseTimeField(at, "starts_at", c.starts_at(), &s.starts_at);
      if (!p.ok()) return p;
    }
    if (!c.ends_at().empty()) {
      absl::Status p = ParseTimeField(at, "ends_at", c.ends_at(), &s.ends_at);
      if (!p.ok()) return p;
    }
    if (s.ends_at <= s.starts_at) {
      return absl::InvalidArgumentError(
          absl::StrCat(at, "ends_at ", c.ends_at(), " is not after starts_at ",
                       c.starts_at(), ": the silence would never be active"));
    }
    s.by = c.by().empty() ? std::string("config") : c.by();
    s.comment = c.comment();
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace depositd::daemon
