#include "daemon/request_checks.h"

#include "absl/strings/str_cat.h"
#include "common/timestamps.h"
#include "watchers/limits.h"
#include "watchers/shop_state.h"

namespace depositd::daemon {
namespace {

std::string KnownProfiles() {
  return "tiktok_shop_cross_border, douyin, shopee, temu, generic, or one "
         "defined in the configuration";
}

}  // namespace

absl::Status CheckIngestEvent(const v1::Event& ev, absl::Time now,
                              const watchers::ProfileRegistry& registry) {
  absl::Status s = watchers::ValidateEvent(ev);
  if (s.ok()) s = watchers::ValidateEventTime(ev, now);
  if (s.ok() && ev.has_shop_registered() &&
      !ev.shop_registered().profile().empty() &&
      !registry.HasProfile(ev.shop_registered().profile())) {
    s = absl::InvalidArgumentError(absl::StrCat(
        "shop_registered.profile \"", ev.shop_registered().profile(),
        "\" is not a known platform profile: use ", KnownProfiles()));
  }
  return s;
}

absl::Status CheckShopRef(absl::string_view tenant, absl::string_view shop_id) {
  if (tenant.empty() || shop_id.empty()) {
    return absl::InvalidArgumentError(
        "tenant and shop_id are both required (the shop's tenant and the "
        "platform's shop id, as sent in its events)");
  }
  if (tenant.size() > watchers::kMaxTenantBytes ||
      shop_id.size() > watchers::kMaxShopIdBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tenant (", tenant.size(), " bytes) or shop_id (", shop_id.size(),
        " bytes) is longer than any stored one can be (limits ",
        watchers::kMaxTenantBytes, " and ", watchers::kMaxShopIdBytes, ")"));
  }
  return absl::OkStatus();
}

absl::Status CheckAsOf(const google::protobuf::Timestamp* as_of) {
  if (as_of == nullptr) return absl::OkStatus();
  const int64_t s = as_of->seconds();
  if (s < watchers::kEarliestEventUnixSeconds ||
      s >= watchers::kLatestEventUnixSeconds) {
    return absl::InvalidArgumentError(
        "as_of must be between 2000-01-01 and 2100-01-01 (UTC)");
  }
  return absl::OkStatus();
}

absl::Status CheckPageSize(int page_size) {
  const int size = page_size == 0 ? 100 : page_size;
  if (size < 1 || size > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size ", page_size,
                     " is out of range: use 1 to 1000 "
                     "(0 means the default, 100)"));
  }
  return absl::OkStatus();
}

absl::Status CheckAcknowledge(const v1::AcknowledgeRequest& request) {
  const v1::AlertKey& key = request.key();
  if (key.tenant().empty()) {
    return absl::InvalidArgumentError(
        "key.tenant is required: copy the key of the alert from Alerts.List "
        "or Alerts.Watch");
  }
  if (key.kind() == v1::ALERT_KIND_UNSPECIFIED ||
      !v1::AlertKind_IsValid(key.kind())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "key.kind ", static_cast<int>(key.kind()),
        " is not an alert kind: copy the key of the alert from Alerts.List"));
  }
  if (key.shop_id().empty() && key.kind() != v1::FEED_SILENT) {
    return absl::InvalidArgumentError(
        "key.shop_id is required (only FEED_SILENT alerts are tenant-wide)");
  }
  if (request.by().empty()) {
    return absl::InvalidArgumentError(
        "`by` is required: who acknowledges, for the record");
  }
  if (key.tenant().size() > watchers::kMaxTenantBytes ||
      key.shop_id().size() > watchers::kMaxShopIdBytes ||
      key.subject().size() > watchers::kMaxRecordIdBytes ||
      request.by().size() > watchers::kMaxNameBytes ||
      request.comment().size() > watchers::kMaxFreeTextBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a field is too long: key ids at most ", watchers::kMaxShopIdBytes,
        " bytes, by at most ", watchers::kMaxNameBytes, ", comment at most ",
        watchers::kMaxFreeTextBytes));
  }
  return absl::OkStatus();
}

absl::Status CheckSilence(const v1::SilenceRequest& request, absl::Time now) {
  if (request.tenant().empty() && request.shop_id().empty() &&
      request.kind() == v1::ALERT_KIND_UNSPECIFIED &&
      request.severity() == v1::SEVERITY_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        "a silence needs at least one matcher (tenant, shop_id, kind or "
        "severity); refusing to mute every alert");
  }
  if (!request.shop_id().empty() && request.tenant().empty()) {
    return absl::InvalidArgumentError(
        "shop_id needs its tenant: shop ids are unique only within a tenant");
  }
  if (!v1::AlertKind_IsValid(request.kind())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "kind ", static_cast<int>(request.kind()), " is not an alert kind"));
  }
  if (!v1::Severity_IsValid(request.severity())) {
    return absl::InvalidArgumentError(
        absl::StrCat("severity ", static_cast<int>(request.severity()),
                     " is not a severity (INFO, WARNING, CRITICAL)"));
  }
  if (request.by().empty()) {
    return absl::InvalidArgumentError(
        "`by` is required: who silences, for the record");
  }
  if (request.tenant().size() > watchers::kMaxTenantBytes ||
      request.shop_id().size() > watchers::kMaxShopIdBytes ||
      request.by().size() > watchers::kMaxNameBytes ||
      request.comment().size() > watchers::kMaxFreeTextBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a field is too long: tenant at most ", watchers::kMaxTenantBytes,
        " bytes, shop_id ", watchers::kMaxShopIdBytes, ", by ",
        watchers::kMaxNameBytes, ", comment ", watchers::kMaxFreeTextBytes));
  }
  if (!request.has_ends_at()) {
    return absl::InvalidArgumentError(
        "ends_at is required: silences always end");
  }
  const absl::Time ends = common::FromTimestamp(request.ends_at());
  if (ends <= now) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ends_at ", absl::FormatTime(ends), " is not in the future (now ",
        absl::FormatTime(now), ")"));
  }
  if (ends > now + absl::Hours(24 * 366)) {
    return absl::InvalidArgumentError(
        "ends_at is more than a year away: silence for less, and renew it");
  }
  return absl::OkStatus();
}

}  // namespace depositd::daemon
