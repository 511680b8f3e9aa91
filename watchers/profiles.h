// Platform profiles: the settings that make a rule concrete (domain.md §6),
// resolved per shop from built-in defaults, configuration, tenant and shop
// overrides; and the business calendars they count days on.
#ifndef DEPOSITD_WATCHERS_PROFILES_H_
#define DEPOSITD_WATCHERS_PROFILES_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "depositd/v1/config.pb.h"
#include "watchers/calendar.h"

namespace depositd::watchers {

// The effective settings for one shop: every optional field of `settings` is
// set (built-in defaults filled in), and `calendar` is resolved.
struct ResolvedProfile {
  v1::PlatformProfile settings;
  // Borrowed from the ProfileRegistry that made it; lives as long as it.
  const BusinessCalendar* calendar = nullptr;
  // Alert language of the shop's tenant: "en" or "zh-CN".
  std::string language = "en";
};

// Holds built-in profiles merged with a DaemonConfig. Immutable after
// Create; a configuration reload builds a new registry.
// Thread-safe (const after construction).
class ProfileRegistry {
 public:
  // Parses configuration text (protobuf text format). Errors name the file,
  // line and field: "depositd.textproto:12:3: unknown field
  // \"retrun_window_days\"".
  static absl::StatusOr<v1::DaemonConfig> ParseConfigText(
      absl::string_view text, absl::string_view filename);

  // Builds the registry: built-ins (tiktok_shop_cross_border, douyin, shopee,
  // temu, generic) overridden by `config`. Fails with INVALID_ARGUMENT naming
  // the profile and field for bad values (negative days, unknown calendar or
  // base, bad holiday dates, unknown time zone).
  static absl::StatusOr<std::unique_ptr<ProfileRegistry>> Create(
      const v1::DaemonConfig& config);

  // True if `name` is a known profile.
  bool HasProfile(absl::string_view name) const;

  // The effective profile for a shop. An empty `profile_name` means
  // "generic". NOT_FOUND for an unknown profile name. The pointer stays valid
  // as long as the registry.
  absl::StatusOr<const ResolvedProfile*> Resolve(
      absl::string_view tenant, absl::string_view shop_id,
      absl::string_view profile_name) const;

  const v1::DaemonConfig& config() const;

  ~ProfileRegistry();

 private:
  ProfileRegistry();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace depositd::watchers

#endif  // DEPOSITD_WATCHERS_PROFILES_H_
