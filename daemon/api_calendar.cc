#include "daemon/api_calendar.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/timestamps.h"
#include "daemon/api_calls.h"
#include "daemon/api_json.h"
#include "daemon/config_versions.h"

namespace depositd::daemon {
namespace {

// `text` (YYYY-MM-DD) into *day, or `fallback` when empty.
absl::Status ParseDay(absl::string_view name, absl::string_view text,
                      absl::CivilDay fallback, absl::CivilDay* day) {
  if (text.empty()) {
    *day = fallback;
    return absl::OkStatus();
  }
  absl::CivilDay parsed;
  if (!absl::ParseCivilTime(text, &parsed) ||
      absl::FormatCivilTime(parsed) != text) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, "=", text, " is not a date: write YYYY-MM-DD, e.g. 2026-04-01"));
  }
  *day = parsed;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::ShopCalendar> BuildShopCalendar(
    const watchers::ProfileRegistry& registry,
    const v1::ReadinessReport& report, absl::string_view from,
    absl::string_view to) {
  absl::StatusOr<const watchers::ResolvedProfile*> profile =
      registry.Resolve(report.tenant(), report.shop_id(), report.profile());
  if (!profile.ok()) return profile.status();
  const watchers::BusinessCalendar& calendar = *(*profile)->calendar;
  const std::string& name = (*profile)->settings.calendar();
  absl::flat_hash_set<std::string> holidays;
  for (const v1::Calendar& c : registry.Calendars()) {
    if (c.name() != name) continue;
    holidays.insert(c.holidays().begin(), c.holidays().end());
  }

  const absl::TimeZone& zone = calendar.zone();
  const absl::CivilDay today =
      absl::ToCivilDay(common::FromTimestamp(report.as_of()), zone);
  const absl::CivilDay paid =
      report.projection().has_expected_paid_at()
          ? absl::ToCivilDay(
                common::FromTimestamp(report.projection().expected_paid_at()),
                zone)
          : today + 30;
  absl::CivilDay first;
  absl::CivilDay last;
  if (absl::Status s = ParseDay("from", from, today, &first); !s.ok()) return s;
  if (absl::Status s = ParseDay("to", to, std::max(paid, first), &last);
      !s.ok()) {
    return s;
  }
  if (last < first) {
    return absl::InvalidArgumentError(
        absl::StrCat("to=", absl::FormatCivilTime(last),
                     " is before from=", absl::FormatCivilTime(first)));
  }
  if (last - first >= kMaxCalendarDays) {
    return absl::InvalidArgumentError(
        absl::StrCat("from=", absl::FormatCivilTime(first),
                     " to=", absl::FormatCivilTime(last), " spans more than ",
                     kMaxCalendarDays, " days: ask for a shorter range"));
  }

  v1::ShopCalendar out;
  out.set_tenant(report.tenant());
  out.set_shop_id(report.shop_id());
  out.set_calendar(name);
  out.set_time_zone(zone.name());
  out.set_from(absl::FormatCivilTime(first));
  out.set_to(absl::FormatCivilTime(last));
  for (absl::CivilDay d = first; d <= last; ++d) {
    if (calendar.IsWorkingDay(d)) continue;
    v1::NonWorkingDay* day = out.add_non_working_days();
    day->set_date(absl::FormatCivilTime(d));
    day->set_reason(holidays.contains(day->date())
                        ? v1::NonWorkingDay::HOLIDAY
                        : v1::NonWorkingDay::WEEKEND);
  }
  return out;
}

HttpEdgeResponse ApiShopCalendar(const ApiContext& ctx,
                                 const std::string& tenant,
                                 const std::string& shop_id) {
  if (absl::Status s = ctx.CheckParams({"from", "to"}); !s.ok()) {
    return ErrorResponse(s);
  }
  // The report gives the shop's profile, now and the expected payment, and
  // checks the caller's role and tenant.
  v1::GetShopRequest request;
  request.set_tenant(tenant);
  request.set_shop_id(shop_id);
  absl::StatusOr<v1::ReadinessReport> report =
      Await<v1::ReadinessReport>(ctx.timeout, [&](auto done) {
        ScopedGetShop(ctx.engine, ctx.principal, &request, std::move(done));
      });
  if (!report.ok()) return ErrorResponse(report.status());
  absl::StatusOr<v1::ShopCalendar> calendar =
      BuildShopCalendar(*ctx.engine->config()->registry, *report,
                        ctx.Param("from"), ctx.Param("to"));
  if (!calendar.ok()) return ErrorResponse(calendar.status());
  return MessageResponse(*calendar);
}

}  // namespace depositd::daemon
