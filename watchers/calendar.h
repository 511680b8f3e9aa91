// A business calendar: which days are working days in a time zone, and day
// arithmetic on it (domain.md §4 step 2).
#ifndef DEPOSITD_WATCHERS_CALENDAR_H_
#define DEPOSITD_WATCHERS_CALENDAR_H_

#include <memory>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "depositd/v1/config.pb.h"

namespace depositd::watchers {

// Thread-safe (immutable after Create).
class BusinessCalendar {
 public:
  // INVALID_ARGUMENT for an unknown time zone, a bad date ("2026-02-30"),
  // or a weekend day outside 1..7, naming the calendar and the value.
  static absl::StatusOr<std::unique_ptr<BusinessCalendar>> Create(
      const v1::Calendar& config);

  const absl::TimeZone& zone() const { return zone_; }
  bool IsWorkingDay(absl::CivilDay day) const;
  // `t` plus `days` calendar days, same local time of day in the zone.
  absl::Time AddNaturalDays(absl::Time t, int days) const;
  // `t` plus `months` calendar months in the zone, same local time of day;
  // a day past the target month's end is clamped to its last day
  // (01-31 + 1 month = 02-28, or 02-29 in a leap year). Not 30-day months.
  absl::Time AddMonths(absl::Time t, int months) const;
  // `t` plus `days` working days: each counted day is a working day; the
  // result keeps the local time of day. 0 days returns t.
  absl::Time AddWorkingDays(absl::Time t, int days) const;
  // Adds per a DayCount (natural or working).
  absl::Time Add(absl::Time t, const v1::DayCount& count) const;

 private:
  BusinessCalendar() = default;
  absl::TimeZone zone_;
  bool weekend_[8] = {};  // index 1..7, Monday..Sunday
  absl::flat_hash_set<absl::CivilDay> holidays_;
  absl::flat_hash_set<absl::CivilDay> working_days_;
};

}  // namespace depositd::watchers

#endif  // DEPOSITD_WATCHERS_CALENDAR_H_
