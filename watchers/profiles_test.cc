#include "watchers/profiles.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "watchers/test_events.h"

namespace depositd::watchers {
namespace {

TEST(ProfileRegistry, BuiltInDefaults) {
  auto reg = testing::BuiltIns();
  for (const char* name :
       {"tiktok_shop_cross_border", "douyin", "shopee", "temu", "generic"}) {
    EXPECT_TRUE(reg->HasProfile(name)) << name;
  }
  auto tt = reg->Resolve("t", "s", "tiktok_shop_cross_border");
  ASSERT_TRUE(tt.ok());
  const v1::PlatformProfile& p = (*tt)->settings;
  EXPECT_EQ(p.closure_waiting_days(), 30);
  EXPECT_EQ(p.review().days(), 15);
  EXPECT_EQ(p.review().counting(), v1::WORKING_DAYS);
  EXPECT_EQ(p.manual_review_extra_working_days(), 3);
  EXPECT_EQ(p.post_closure_dispute_grace_days(), 0);
  EXPECT_EQ(p.return_window_days(), 7);
  EXPECT_EQ(p.not_received_response_hours(), 72);
  EXPECT_DOUBLE_EQ(p.health().min_fulfilment_rate_pct(), 98.5);
  EXPECT_DOUBLE_EQ(p.health().max_return_rate_pct(), 8.2);
  EXPECT_DOUBLE_EQ(p.health().min_dsr(), 4.7);
  EXPECT_EQ(p.reopen_cooling_off_days(), 90);
  ASSERT_GE(p.site_minimums_size(), 1);
  EXPECT_EQ(p.site_minimums(0).site(), "US");
  EXPECT_EQ(p.site_minimums(0).minimum(0).minor_units(), 50000);
  EXPECT_EQ(p.site_minimums(0).minimum(0).currency(), "USD");
  EXPECT_EQ(p.inactivity().limit_days(), 0);  // "—": off
  ASSERT_NE((*tt)->calendar, nullptr);
  EXPECT_EQ((*tt)->calendar->zone().name(), "Asia/Shanghai");

  auto douyin = reg->Resolve("t", "s", "douyin");
  ASSERT_TRUE(douyin.ok());
  EXPECT_EQ((*douyin)->settings.review().days(), 3);
  // "6 months" is 6 calendar months, not 180 days (issue 13 point 5), and
  // the review counts from the refund request (point 2).
  EXPECT_EQ((*douyin)->settings.reopen_cooling_off_months(), 6);
  EXPECT_EQ((*douyin)->settings.reopen_cooling_off_days(), 0);
  EXPECT_TRUE((*douyin)->settings.review_starts_at_refund_request());
  EXPECT_FALSE(p.review_starts_at_refund_request());
  auto shopee = reg->Resolve("t", "s", "shopee");
  EXPECT_EQ((*shopee)->settings.review().days(), 21);
  EXPECT_EQ((*shopee)->settings.post_closure_dispute_grace_days(), 30);
  auto temu = reg->Resolve("t", "s", "temu");
  EXPECT_EQ((*temu)->settings.review().days(), 30);
  EXPECT_EQ((*temu)->settings.review().counting(), v1::NATURAL_DAYS);
  EXPECT_EQ((*temu)->settings.post_closure_dispute_grace_days(), 60);
  auto generic = reg->Resolve("t", "s", "");
  ASSERT_TRUE(generic.ok());
  EXPECT_EQ((*generic)->settings.name(), "generic");
  EXPECT_EQ((*generic)->settings.inactivity().limit_days(), 90);
  EXPECT_EQ((*generic)->settings.inactivity().deduction_percent(), 50);
  EXPECT_EQ((*generic)->settings.appeal_window_days(), 7);
  // Every resolved profile has the lead times filled in.
  EXPECT_EQ((*generic)->settings.dispute_lead_hours_size(), 2);
  EXPECT_EQ((*generic)->settings.inactivity().lead_days_size(), 4);
  EXPECT_EQ((*generic)->language, "en");

  EXPECT_EQ(reg->Resolve("t", "s", "nope").status().code(),
            absl::StatusCode::kNotFound);
}

constexpr char kConfig[] = R"pb(
  calendars {
    name: "CN"
    holidays: [ "2026-10-01", "2026-10-02" ]
    working_days: "2026-09-27"
  }
  calendars { name: "EU" time_zone: "Europe/Berlin" }
  profiles { name: "tiktok_shop_cross_border" return_window_days: 10 }
  profiles {
    name: "my_market"
    base: "shopee"
    calendar: "EU"
    review { days: 5 }
  }
  tenants {
    tenant: "acme"
    language: "zh-CN"
    profile { closure_waiting_days: 45 }
    shops {
      shop_id: "shop-9"
      profile {
        closure_waiting_days: 60
        dispute_lead_hours: [ 48 ]
        health { min_dsr: 4.9 }
      }
    }
  }
)pb";

TEST(ProfileRegistry, OverridesPerConfigTenantAndShop) {
  auto config = ProfileRegistry::ParseConfigText(kConfig, "depositd.textproto");
  ASSERT_TRUE(config.ok()) << config.status();
  auto reg = ProfileRegistry::Create(*config);
  ASSERT_TRUE(reg.ok()) << reg.status();

  struct Case {
    const char* tenant;
    const char* shop;
    int waiting;
    int return_window;
    int first_lead;
    double min_dsr;
    const char* language;
  } cases[] = {
      {"other", "x", 30, 10, 24, 4.7, "en"},    // config profile override only
      {"acme", "x", 45, 10, 24, 4.7, "zh-CN"},  // + tenant
      {"acme", "shop-9", 60, 10, 48, 4.9, "zh-CN"},  // + shop: repeated
                                                     // replaced, message merged
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrCat(c.tenant, "/", c.shop));
    auto r = (*reg)->Resolve(c.tenant, c.shop, "tiktok_shop_cross_border");
    ASSERT_TRUE(r.ok());
    const v1::PlatformProfile& p = (*r)->settings;
    EXPECT_EQ(p.closure_waiting_days(), c.waiting);
    EXPECT_EQ(p.return_window_days(), c.return_window);
    ASSERT_EQ(p.dispute_lead_hours_size(), c.first_lead == 48 ? 1 : 2);
    EXPECT_EQ(p.dispute_lead_hours(0), c.first_lead);
    EXPECT_DOUBLE_EQ(p.health().min_dsr(), c.min_dsr);
    EXPECT_DOUBLE_EQ(p.health().min_fulfilment_rate_pct(),
                     98.5);  // merged, kept
    EXPECT_EQ(p.review().days(), 15);
    EXPECT_EQ((*r)->language, c.language);
  }

  // A new profile based on shopee, with its own calendar; review.days set,
  // review.counting kept from the base (message merge).
  auto mine = (*reg)->Resolve("other", "x", "my_market");
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ((*mine)->settings.review().days(), 5);
  EXPECT_EQ((*mine)->settings.review().counting(), v1::WORKING_DAYS);
  EXPECT_EQ((*mine)->settings.post_closure_dispute_grace_days(), 30);
  EXPECT_EQ((*mine)->calendar->zone().name(), "Europe/Berlin");

  // The configured CN calendar keeps its built-in zone and has the holidays.
  auto douyin = (*reg)->Resolve("other", "x", "douyin");
  ASSERT_TRUE(douyin.ok());
  EXPECT_EQ((*douyin)->calendar->zone().name(), "Asia/Shanghai");
  EXPECT_FALSE((*douyin)->calendar->IsWorkingDay(absl::CivilDay(2026, 10, 1)));
  EXPECT_TRUE((*douyin)->calendar->IsWorkingDay(
      absl::CivilDay(2026, 9, 27)));  // Sunday
}

TEST(ProfileRegistry, TypoGivesFileLineAndColumn) {
  const char* text =
      "profiles {\n"
      "  name: \"x\"\n"
      "  retrun_window_days: 7\n"
      "}\n";
  auto r = ProfileRegistry::ParseConfigText(text, "depositd.textproto");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("depositd.textproto:3:"),
            std::string::npos)
      << r.status();
  EXPECT_NE(r.status().message().find("retrun_window_days"), std::string::npos);

  auto syntax = ProfileRegistry::ParseConfigText("profiles { name: }", "a.txt");
  ASSERT_FALSE(syntax.ok());
  EXPECT_NE(syntax.status().message().find("a.txt:1:"), std::string::npos);
}

TEST(ProfileRegistry, SemanticErrorsNameProfileFieldAndLine) {
  struct Case {
    const char* text;
    const char* want1;
    const char* want2;
    // "file:line:" where the offending value stands; empty: no line.
    const char* want_at;
  } cases[] = {
      {"profiles {\n  name: \"x\"\n  return_window_days: -1\n}",
       "profile \"x\"", "return_window_days", "x.textproto:3:"},
      {"profiles { name: \"x\"\n calendar: \"MARS\" }", "profile \"x\"",
       "calendar", "x.textproto:2:"},
      {"profiles { name: \"x\" base: \"nope\" }", "profile \"x\"", "base",
       "x.textproto:1:"},
      {"profiles { name: \"a\" base: \"b\" } profiles { name: \"b\" base: "
       "\"a\" }",
       "profile", "cycle", "x.textproto:1:"},
      {"\nprofiles { name: \"x\"\n\n refund_batch_day_of_month: 31 }",
       "profile \"x\"", "refund_batch_day_of_month", "x.textproto:4:"},
      {"profiles { name: \"Bad-Name\" }", "Bad-Name", "name", "x.textproto:1:"},
      {"calendars {\n  name: \"C\"\n  holidays: \"2026-13-01\"\n}",
       "calendar \"C\"", "2026-13-01", "x.textproto:3:"},
      {"tenants { tenant: \"t\"\n shops { shop_id: \"s\"\n profile {\n "
       "inactivity {\n deduction_percent: 150 } } } }",
       "shop \"s\"", "inactivity.deduction_percent", "x.textproto:5:"},
      {"tenants { tenant: \"t\"\n profile { return_window_days: -2 }\n "
       "shops { shop_id: \"s\" } }",
       "tenant \"t\"", "return_window_days", "x.textproto:2:"},
      {"tenants {\n tenant: \"t\"\n language: \"fr\" }", "tenant \"t\"",
       "language", "x.textproto:3:"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    // Create names the profile and field ...
    v1::DaemonConfig config;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(c.text, &config));
    auto reg = ProfileRegistry::Create(config);
    ASSERT_FALSE(reg.ok());
    EXPECT_EQ(reg.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(reg.status().message().find(c.want1), std::string::npos)
        << reg.status();
    EXPECT_NE(reg.status().message().find(c.want2), std::string::npos)
        << reg.status();
    // ... and reading the file adds where it stands.
    auto parsed = ProfileRegistry::ParseConfigText(c.text, "x.textproto");
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StartsWith(parsed.status().message(), c.want_at))
        << parsed.status();
    EXPECT_NE(parsed.status().message().find(c.want2), std::string::npos)
        << parsed.status();
  }
}

// Issue 13 point 5: a configuration written before months existed still
// loads; setting the days replaces the built-in months (and the reverse).
TEST(ProfileRegistry, CoolingOffInDaysOrMonths) {
  struct Case {
    const char* text;
    int want_days;
    int want_months;
  } cases[] = {
      {R"pb(profiles { name: "douyin" reopen_cooling_off_days: 180 })pb", 180,
       0},
      {R"pb(profiles { name: "douyin" })pb", 0, 6},
      {R"pb(profiles {
              name: "tiktok_shop_cross_border"
              reopen_cooling_off_months: 3
            })pb",
       0, 3},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    auto config = ProfileRegistry::ParseConfigText(c.text, "t.textproto");
    ASSERT_TRUE(config.ok()) << config.status();
    auto reg = ProfileRegistry::Create(*config);
    ASSERT_TRUE(reg.ok()) << reg.status();
    const std::string name = config->profiles(0).name();
    auto p = (*reg)->Resolve("t", "s", name);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ((*p)->settings.reopen_cooling_off_days(), c.want_days);
    EXPECT_EQ((*p)->settings.reopen_cooling_off_months(), c.want_months);
  }
  auto bad = ProfileRegistry::ParseConfigText(
      R"pb(profiles { name: "douyin" reopen_cooling_off_months: -1 })pb",
      "t.textproto");
  // Rejected, naming the field (ParseConfigText checks the values too).
  absl::Status status = bad.status();
  if (bad.ok()) status = ProfileRegistry::Create(*bad).status();
  EXPECT_FALSE(status.ok());
  EXPECT_TRUE(absl::StrContains(status.message(), "reopen_cooling_off_months"))
      << status;
}

// Issue 13 point 6: the effective configuration is visible: every profile
// name and every calendar with its zone, a configured built-in calendar
// keeping its zone.
TEST(ProfileRegistry, ProfileNamesAndCalendarsAreVisible) {
  auto config = ProfileRegistry::ParseConfigText(
      R"pb(calendars { name: "SEA" holidays: "2026-08-10" })pb", "t.textproto");
  ASSERT_TRUE(config.ok()) << config.status();
  auto reg = ProfileRegistry::Create(*config);
  ASSERT_TRUE(reg.ok()) << reg.status();
  const std::vector<std::string> names = (*reg)->ProfileNames();
  for (const char* name :
       {"tiktok_shop_cross_border", "douyin", "shopee", "temu", "generic"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  }
  struct Case {
    const char* calendar;
    const char* zone;
  } cases[] = {{"CN", "Asia/Shanghai"},
               {"US", "America/New_York"},
               {"UK", "Europe/London"},
               {"SEA", "Asia/Singapore"},
               {"UTC", "UTC"}};
  const std::vector<v1::Calendar> calendars = (*reg)->Calendars();
  for (const Case& c : cases) {
    auto it = std::find_if(
        calendars.begin(), calendars.end(),
        [&](const v1::Calendar& x) { return x.name() == c.calendar; });
    ASSERT_NE(it, calendars.end()) << c.calendar;
    EXPECT_EQ(it->time_zone(), c.zone);
  }
  auto sea =
      std::find_if(calendars.begin(), calendars.end(),
                   [](const v1::Calendar& x) { return x.name() == "SEA"; });
  ASSERT_NE(sea, calendars.end());
  ASSERT_EQ(sea->holidays_size(), 1);
  // Each built-in profile's calendar (config.proto's header comment).
  struct ProfileCalendar {
    const char* profile;
    const char* calendar;
  } built_ins[] = {{"tiktok_shop_cross_border", "CN"},
                   {"douyin", "CN"},
                   {"shopee", "SEA"},
                   {"temu", "CN"},
                   {"generic", "UTC"}};
  for (const ProfileCalendar& b : built_ins) {
    auto p = (*reg)->Resolve("t", "s", b.profile);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ((*p)->settings.calendar(), b.calendar) << b.profile;
  }
}

}  // namespace
}  // namespace depositd::watchers
