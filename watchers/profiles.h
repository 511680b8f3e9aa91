// Platform profiles: the settings that make a rule concrete (domain.md §6),
// resolved per shop from built-in defaults, configuration, tenant and shop
// overrides; and the business calendars they count days on.
#ifndef DEPOSITD_WATCHERS_PROFILES_H_
#define DEPOSITD_WATCHERS_PROFILES_H_

#include <memory>
#include <string>
#include <vector>

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

// Built-in defaults (domain.md §6; where the seeds say nothing the rule is
// off): every built-in sets every optional field. Common: return window 7
// days, dispute leads 24/6 h, appeal leads 3/1 days, inactivity leads
// 30/14/7/1 days, unpaid-fee age 7 days, CLOSURE_BLOCKED repeat 24 h, payout
// transit 3 working days, refund overdue grace 7 days, no batches, review
// from when every condition holds, grace-end leads 7/1 days.
//   tiktok_shop_cross_border: CN calendar, 30 natural days waiting, review
//     15 working days (+3 with complaint history), no post-closure grace,
//     72 h not-received deadline, 7-day appeal window, health 98.5/8.2/4.7,
//     90 days cooling-off, site minimums US USD 500, SEA and ME CNY 30,000
//     (the UK minimum is not a number in the seeds: configure it).
//   douyin: CN, review 3 working days counted from the refund request
//     (review_starts_at_refund_request), 6 calendar months cooling-off,
//     appeal window set by each notice.
//   shopee: SEA, review 21 working days, 30 days post-closure grace.
//   temu: CN, review 30 natural days, 60 days post-closure grace.
//   generic: UTC, review 14 natural days, 7-day appeal window, inactivity
//     90 days -> 50% deducted.
// Tenant overrides apply to every profile for that tenant's shops, then
// shop overrides; merge rules are in config.proto's header comment.
//
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

  // Every profile name (built-ins and configured), sorted; Resolve gives
  // each one's effective settings for a tenant and shop.
  std::vector<std::string> ProfileNames() const;
  // Every calendar, sorted by name: the built-ins (CN, US, UK, SEA, UTC)
  // merged with the configured `calendars` (time zone filled in).
  std::vector<v1::Calendar> Calendars() const;

  ~ProfileRegistry();

 private:
  ProfileRegistry();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace depositd::watchers

#endif  // DEPOSITD_WATCHERS_PROFILES_H_
