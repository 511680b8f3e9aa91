#include "watchers/calendar.h"

#include <algorithm>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace depositd::watchers {
namespace {

int IsoWeekday(absl::CivilDay day) {
  switch (absl::GetWeekday(day)) {
    case absl::Weekday::monday:
      return 1;
    case absl::Weekday::tuesday:
      return 2;
    case absl::Weekday::wednesday:
      return 3;
    case absl::Weekday::thursday:
      return 4;
    case absl::Weekday::friday:
      return 5;
    case absl::Weekday::saturday:
      return 6;
    case absl::Weekday::sunday:
      return 7;
  }
  return 1;
}

// Parses "YYYY-MM-DD" strictly: a date that does not exist ("2026-02-30")
// is rejected rather than normalized.
absl::Status ParseDay(const std::string& text, const std::string& calendar,
                      const char* field, absl::CivilDay* out) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(text, &day) || absl::FormatCivilTime(day) != text) {
    return absl::InvalidArgumentError(
        absl::StrCat("calendar \"", calendar, "\": ", field, " \"", text,
                     "\" is not a valid date (want YYYY-MM-DD)"));
  }
  *out = day;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<BusinessCalendar>> BusinessCalendar::Create(
    const v1::Calendar& config) {
  std::unique_ptr<BusinessCalendar> cal(new BusinessCalendar());
  const std::string zone_name =
      config.time_zone().empty() ? "UTC" : config.time_zone();
  if (!absl::LoadTimeZone(zone_name, &cal->zone_)) {
    return absl::InvalidArgumentError(
        absl::StrCat("calendar \"", config.name(), "\": time_zone \"",
                     zone_name, "\" is not a known IANA time zone"));
  }
  if (config.weekend_days().empty()) {
    cal->weekend_[6] = cal->weekend_[7] = true;
  }
  for (int d : config.weekend_days()) {
    if (d < 1 || d > 7) {
      return absl::InvalidArgumentError(
          absl::StrCat("calendar \"", config.name(), "\": weekend_days value ",
                       d, " is outside 1 (Monday) .. 7 (Sunday)"));
    }
    cal->weekend_[d] = true;
  }
  for (const std::string& h : config.holidays()) {
    absl::CivilDay day;
    absl::Status s = ParseDay(h, config.name(), "holidays", &day);
    if (!s.ok()) return s;
    cal->holidays_.insert(day);
  }
  for (const std::string& w : config.working_days()) {
    absl::CivilDay day;
    absl::Status s = ParseDay(w, config.name(), "working_days", &day);
    if (!s.ok()) return s;
    cal->working_days_.insert(day);
  }
  return cal;
}

bool BusinessCalendar::IsWorkingDay(absl::CivilDay day) const {
  if (working_days_.contains(day)) return true;
  if (holidays_.contains(day)) return false;
  return !weekend_[IsoWeekday(day)];
}

absl::Time BusinessCalendar::AddNaturalDays(absl::Time t, int days) const {
  if (t == absl::InfiniteFuture() || t == absl::InfinitePast()) return t;
  const absl::CivilSecond local = absl::ToCivilSecond(t, zone_);
  const absl::CivilDay day = absl::CivilDay(local) + days;
  const absl::CivilSecond moved(day.year(), day.month(), day.day(),
                                local.hour(), local.minute(), local.second());
  // In a DST gap or overlap the earlier mapping is used.
  const absl::Duration subsecond = t - absl::FromCivil(local, zone_);
  return zone_.At(moved).pre + subsecond;
}

absl::Time BusinessCalendar::AddMonths(absl::Time t, int months) const {
  if (t == absl::InfiniteFuture() || t == absl::InfinitePast()) return t;
  const absl::CivilSecond local = absl::ToCivilSecond(t, zone_);
  const absl::CivilMonth month = absl::CivilMonth(local) + months;
  // The last day of the target month: the day before the next month's first.
  const int last_day = (absl::CivilDay(month + 1) - 1).day();
  const absl::CivilSecond moved(month.year(), month.month(),
                                std::min(local.day(), last_day), local.hour(),
                                local.minute(), local.second());
  // In a DST gap or overlap the earlier mapping is used.
  const absl::Duration subsecond = t - absl::FromCivil(local, zone_);
  return zone_.At(moved).pre + subsecond;
}

absl::Time BusinessCalendar::AddWorkingDays(absl::Time t, int days) const {
  if (t == absl::InfiniteFuture() || t == absl::InfinitePast()) return t;
  if (days <= 0) return t;
  const absl::CivilSecond local = absl::ToCivilSecond(t, zone_);
  absl::CivilDay day(local);
  int counted = 0;
  // Bounded: a calendar with no working day at all would loop forever, so
  // stop after 20 years and treat the end as "never".
  for (int guard = 0; counted < days; ++guard) {
    if (guard > 366 * 20) return absl::InfiniteFuture();
    ++day;
    if (IsWorkingDay(day)) ++counted;
  }
  const absl::CivilSecond moved(day.year(), day.month(), day.day(),
                                local.hour(), local.minute(), local.second());
  const absl::Duration subsecond = t - absl::FromCivil(local, zone_);
  return zone_.At(moved).pre + subsecond;
}

absl::Time BusinessCalendar::Add(absl::Time t,
                                 const v1::DayCount& count) const {
  const int days = count.has_days() ? count.days() : 0;
  if (count.counting() == v1::WORKING_DAYS) return AddWorkingDays(t, days);
  return AddNaturalDays(t, days);
}

}  // namespace depositd::watchers
