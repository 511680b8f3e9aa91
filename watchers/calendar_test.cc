#include "watchers/calendar.h"

#include "gtest/gtest.h"
#include "watchers/test_events.h"

namespace depositd::watchers {
namespace {

using testing::At;

std::unique_ptr<BusinessCalendar> Make(const std::string& zone,
                                       std::vector<std::string> holidays = {},
                                       std::vector<std::string> working = {}) {
  v1::Calendar c;
  c.set_name("test");
  c.set_time_zone(zone);
  for (const auto& h : holidays) c.add_holidays(h);
  for (const auto& w : working) c.add_working_days(w);
  auto cal = BusinessCalendar::Create(c);
  EXPECT_TRUE(cal.ok()) << cal.status();
  return std::move(*cal);
}

TEST(BusinessCalendar, WeekendsAreNotWorkingDays) {
  auto cal = Make("UTC");
  EXPECT_TRUE(cal->IsWorkingDay(absl::CivilDay(2026, 4, 3)));   // Friday
  EXPECT_FALSE(cal->IsWorkingDay(absl::CivilDay(2026, 4, 4)));  // Saturday
  EXPECT_FALSE(cal->IsWorkingDay(absl::CivilDay(2026, 4, 5)));  // Sunday
  EXPECT_TRUE(cal->IsWorkingDay(absl::CivilDay(2026, 4, 6)));   // Monday
}

TEST(BusinessCalendar, ConfiguredWeekendDays) {
  v1::Calendar c;
  c.set_name("fri-sat");
  c.set_time_zone("UTC");
  c.add_weekend_days(5);
  c.add_weekend_days(6);
  auto cal = BusinessCalendar::Create(c);
  ASSERT_TRUE(cal.ok());
  EXPECT_FALSE((*cal)->IsWorkingDay(absl::CivilDay(2026, 4, 3)));  // Friday
  EXPECT_TRUE((*cal)->IsWorkingDay(absl::CivilDay(2026, 4, 5)));   // Sunday
}

TEST(BusinessCalendar, WorkingDaysSkipWeekends) {
  auto cal = Make("UTC");
  // Example 2 of domain.md §7: 2026-04-01 + 15 working days = 2026-04-22.
  EXPECT_EQ(cal->AddWorkingDays(At(2026, 4, 1, 10), 15), At(2026, 4, 22, 10));
  // Friday + 1 working day = Monday.
  EXPECT_EQ(cal->AddWorkingDays(At(2026, 4, 3, 9), 1), At(2026, 4, 6, 9));
  // From a Saturday, the first working day counted is Monday.
  EXPECT_EQ(cal->AddWorkingDays(At(2026, 4, 4, 9), 1), At(2026, 4, 6, 9));
  EXPECT_EQ(cal->AddWorkingDays(At(2026, 4, 4, 9), 0), At(2026, 4, 4, 9));
}

TEST(BusinessCalendar, HolidaysAndMakeUpWorkingDays) {
  // Spring Festival 2026 (illustrative): Feb 16-20 off, Sat Feb 14 and Sat
  // Feb 28 are make-up working days.
  auto cal = Make(
      "Asia/Shanghai",
      {"2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20"},
      {"2026-02-14", "2026-02-28"});
  EXPECT_FALSE(cal->IsWorkingDay(absl::CivilDay(2026, 2, 16)));
  EXPECT_TRUE(cal->IsWorkingDay(absl::CivilDay(2026, 2, 14)));
  // Thu Feb 12 + 1 = Fri 13, +2 = Sat 14 (make-up), +3 = Mon 23.
  const char* z = "Asia/Shanghai";
  EXPECT_EQ(cal->AddWorkingDays(At(2026, 2, 12, 10, 0, z), 2),
            At(2026, 2, 14, 10, 0, z));
  EXPECT_EQ(cal->AddWorkingDays(At(2026, 2, 12, 10, 0, z), 3),
            At(2026, 2, 23, 10, 0, z));
  // Fri Feb 27 + 1 = Sat Feb 28 (make-up).
  EXPECT_EQ(cal->AddWorkingDays(At(2026, 2, 27, 10, 0, z), 1),
            At(2026, 2, 28, 10, 0, z));
}

TEST(BusinessCalendar, NaturalDaysAcrossMonthEnds) {
  auto cal = Make("UTC");
  // Example 2: closure 2026-03-02 + 30 natural days = 2026-04-01.
  EXPECT_EQ(cal->AddNaturalDays(At(2026, 3, 2, 10), 30), At(2026, 4, 1, 10));
  EXPECT_EQ(cal->AddNaturalDays(At(2026, 1, 31, 0), 1), At(2026, 2, 1, 0));
  EXPECT_EQ(cal->AddNaturalDays(At(2028, 2, 28, 0), 1),
            At(2028, 2, 29, 0));  // leap
  EXPECT_EQ(cal->AddNaturalDays(At(2026, 12, 31, 23), 1), At(2027, 1, 1, 23));
}

TEST(BusinessCalendar, DaysCountInTheCalendarTimeZone) {
  // 23:30 Beijing on 2026-03-02 is 15:30 UTC: 30 natural days later is
  // 23:30 Beijing on 2026-04-01, not a day off.
  auto cn = Make("Asia/Shanghai");
  const absl::Time closed = At(2026, 3, 2, 23, 30, "Asia/Shanghai");
  const absl::Time end = cn->AddNaturalDays(closed, 30);
  EXPECT_EQ(end, At(2026, 4, 1, 23, 30, "Asia/Shanghai"));
  EXPECT_EQ(absl::FormatTime("%Y-%m-%d", end, cn->zone()), "2026-04-01");
  // Working days: Saturday 00:30 Beijing is still Friday in UTC. The
  // Beijing calendar sees a Saturday and counts Monday as the first day.
  const absl::Time sat_early = At(2026, 4, 4, 0, 30, "Asia/Shanghai");
  EXPECT_EQ(cn->AddWorkingDays(sat_early, 1),
            At(2026, 4, 6, 0, 30, "Asia/Shanghai"));
  auto utc = Make("UTC");
  // In UTC the same instant is Friday 16:30, so one working day is Monday
  // 16:30 UTC, which is Tuesday 00:30 Beijing: the zone matters.
  EXPECT_EQ(utc->AddWorkingDays(sat_early, 1), At(2026, 4, 6, 16, 30));
}

TEST(BusinessCalendar, DaylightSavingKeepsLocalTime) {
  auto ny = Make("America/New_York");
  // DST starts 2026-03-08 in New York.
  EXPECT_EQ(ny->AddNaturalDays(At(2026, 3, 7, 9, 0, "America/New_York"), 2),
            At(2026, 3, 9, 9, 0, "America/New_York"));
}

TEST(BusinessCalendar, AddByDayCount) {
  auto cal = Make("UTC");
  v1::DayCount c;
  c.set_days(15);
  c.set_counting(v1::WORKING_DAYS);
  EXPECT_EQ(cal->Add(At(2026, 4, 1), c), At(2026, 4, 22));
  c.set_counting(v1::NATURAL_DAYS);
  EXPECT_EQ(cal->Add(At(2026, 4, 1), c), At(2026, 4, 16));
}

TEST(BusinessCalendar, RejectsBadConfiguration) {
  v1::Calendar c;
  c.set_name("bad");
  c.set_time_zone("Mars/Olympus");
  auto r = BusinessCalendar::Create(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("Mars/Olympus"), std::string::npos);

  c.set_time_zone("UTC");
  c.add_holidays("2026-02-30");
  r = BusinessCalendar::Create(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("2026-02-30"), std::string::npos);
  EXPECT_NE(r.status().message().find("\"bad\""), std::string::npos);

  c.clear_holidays();
  c.add_weekend_days(8);
  r = BusinessCalendar::Create(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("8"), std::string::npos);
}

// Issue 13 point 5: months are calendar months in the calendar's zone,
// clamped to the target month's last day; never 30-day blocks.
TEST(BusinessCalendar, AddMonthsCountsCalendarMonthsInTheZone) {
  v1::Calendar config;
  config.set_name("CN");
  config.set_time_zone("Asia/Shanghai");
  auto cal = BusinessCalendar::Create(config);
  ASSERT_TRUE(cal.ok()) << cal.status();
  absl::TimeZone cn;
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Shanghai", &cn));
  auto at = [&](int y, int m, int d, int h, int min) {
    return absl::FromCivil(absl::CivilSecond(y, m, d, h, min, 0), cn);
  };
  struct Case {
    absl::Time from;
    int months;
    absl::Time want;
  } cases[] = {
      // 6 months from 03-02 is 09-02, where 180 days would be 08-29.
      {at(2026, 3, 2, 10, 0), 6, at(2026, 9, 2, 10, 0)},
      // 23:30 Beijing is 15:30 UTC the same day: the local date counts.
      {at(2026, 3, 31, 23, 30), 6, at(2026, 9, 30, 23, 30)},
      {at(2026, 1, 31, 15, 0), 1, at(2026, 2, 28, 15, 0)},
      {at(2028, 1, 31, 15, 0), 1, at(2028, 2, 29, 15, 0)},  // leap year
      {at(2026, 8, 31, 9, 0), 6, at(2027, 2, 28, 9, 0)},    // across a year
      {at(2026, 5, 15, 9, 0), 0, at(2026, 5, 15, 9, 0)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::FormatTime(c.from, cn));
    EXPECT_EQ((*cal)->AddMonths(c.from, c.months), c.want)
        << absl::FormatTime((*cal)->AddMonths(c.from, c.months), cn);
  }
  EXPECT_NE((*cal)->AddMonths(at(2026, 3, 2, 10, 0), 6),
            at(2026, 3, 2, 10, 0) + absl::Hours(24 * 180));
}

}  // namespace
}  // namespace depositd::watchers
