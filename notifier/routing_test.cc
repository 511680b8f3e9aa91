#include "notifier/routing.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace depositd::notifier {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

v1::DaemonConfig Config(const std::string& text) {
  v1::DaemonConfig config;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &config))
      << text;
  return config;
}

v1::Alert MakeAlert(const std::string& tenant, v1::AlertKind kind,
                    v1::Severity severity) {
  v1::Alert a;
  a.mutable_key()->set_tenant(tenant);
  a.mutable_key()->set_shop_id("shop-1");
  a.mutable_key()->set_kind(kind);
  a.set_severity(severity);
  a.set_state(v1::FIRING);
  return a;
}

constexpr char kSinks[] = R"pb(
  sinks { name: "ops" type: WEBHOOK url: "https://ops.example/hook" }
  sinks { name: "am" type: ALERTMANAGER url: "http://127.0.0.1:9093" }
  sinks {
    name: "ding"
    type: DINGTALK
    url: "https://oapi.example/robot/send?access_token=x"
  }
)pb";

TEST(AlertRouterTest, DefaultRouterRoutesNothing) {
  const AlertRouter router;
  EXPECT_TRUE(router.empty());
  EXPECT_THAT(router.SinksFor(MakeAlert("t", v1::INACTIVITY, v1::CRITICAL)),
              IsEmpty());
  EXPECT_EQ(router.RepeatInterval(MakeAlert("t", v1::INACTIVITY, v1::CRITICAL)),
            absl::InfiniteDuration());
  EXPECT_EQ(router.FindSink("ops"), nullptr);
}

TEST(AlertRouterTest, SinksWithoutRoutesAreValidButEmpty) {
  absl::StatusOr<AlertRouter> router = AlertRouter::Create(Config(kSinks));
  ASSERT_TRUE(router.ok()) << router.status();
  EXPECT_TRUE(router->empty());
  EXPECT_EQ(router->sinks().size(), 3u);
  ASSERT_NE(router->FindSink("am"), nullptr);
  EXPECT_EQ(router->FindSink("am")->type(), v1::ALERTMANAGER);
  EXPECT_EQ(router->FindSink("nope"), nullptr);
}

struct MatchCase {
  std::string name;
  std::string routes;
  std::string tenant;
  v1::AlertKind kind;
  v1::Severity severity;
  std::vector<std::string> want;
};

class SinksForTest : public ::testing::TestWithParam<MatchCase> {};

TEST_P(SinksForTest, Matches) {
  const MatchCase& c = GetParam();
  absl::StatusOr<AlertRouter> router =
      AlertRouter::Create(Config(std::string(kSinks) + c.routes));
  ASSERT_TRUE(router.ok()) << router.status();
  const v1::Alert alert = MakeAlert(c.tenant, c.kind, c.severity);
  EXPECT_EQ(router->SinksFor(alert), c.want);
  for (const v1::Sink& s : router->sinks()) {
    const bool want =
        std::find(c.want.begin(), c.want.end(), s.name()) != c.want.end();
    EXPECT_EQ(router->Routes(alert, s.name()), want) << s.name();
  }
  EXPECT_FALSE(router->Routes(alert, "undefined"));
}

INSTANTIATE_TEST_SUITE_P(
    Routing, SinksForTest,
    ::testing::Values(
        MatchCase{"catch_all",
                  R"pb(routes { sinks: "ops" })pb",
                  "acme",
                  v1::INACTIVITY,
                  v1::INFO,
                  {"ops"}},
        MatchCase{
            "tenant_match",
            R"pb(routes { tenants: "acme" tenants: "beta" sinks: "ops" })pb",
            "beta",
            v1::INACTIVITY,
            v1::INFO,
            {"ops"}},
        MatchCase{"tenant_mismatch",
                  R"pb(routes { tenants: "acme" sinks: "ops" })pb",
                  "other",
                  v1::INACTIVITY,
                  v1::CRITICAL,
                  {}},
        MatchCase{"kind_match",
                  R"pb(routes {
                         kinds: BALANCE_SHORT
                         kinds: FEED_SILENT
                         sinks: "am"
                       })pb",
                  "acme",
                  v1::FEED_SILENT,
                  v1::WARNING,
                  {"am"}},
        MatchCase{"kind_mismatch",
                  R"pb(routes { kinds: BALANCE_SHORT sinks: "am" })pb",
                  "acme",
                  v1::INACTIVITY,
                  v1::CRITICAL,
                  {}},
        MatchCase{"severity_equal",
                  R"pb(routes { min_severity: WARNING sinks: "ops" })pb",
                  "acme",
                  v1::INACTIVITY,
                  v1::WARNING,
                  {"ops"}},
        MatchCase{"severity_above",
                  R"pb(routes { min_severity: WARNING sinks: "ops" })pb",
                  "acme",
                  v1::INACTIVITY,
                  v1::CRITICAL,
                  {"ops"}},
        MatchCase{"severity_below",
                  R"pb(routes { min_severity: CRITICAL sinks: "ops" })pb",
                  "acme",
                  v1::INACTIVITY,
                  v1::WARNING,
                  {}},
        // Deduplicated, in the order of config.sinks, not of the routes.
        MatchCase{"dedup_config_order",
                  R"pb(routes { sinks: "ding" sinks: "ops" }
                       routes { sinks: "ops" sinks: "am" }
                       routes { tenants: "x" sinks: "am" })pb",
                  "acme",
                  v1::INACTIVITY,
                  v1::INFO,
                  {"ops", "am", "ding"}},
        MatchCase{"only_matching_routes_count",
                  R"pb(routes { min_severity: CRITICAL sinks: "ding" }
                       routes { kinds: INACTIVITY sinks: "ops" })pb",
                  "acme",
                  v1::INACTIVITY,
                  v1::WARNING,
                  {"ops"}},
        MatchCase{"all_matchers",
                  R"pb(routes {
                         tenants: "acme"
                         kinds: DISPUTE_RESPONSE_DUE
                         min_severity: WARNING
                         sinks: "ding"
                       })pb",
                  "acme",
                  v1::DISPUTE_RESPONSE_DUE,
                  v1::CRITICAL,
                  {"ding"}}),
    [](const ::testing::TestParamInfo<MatchCase>& info) {
      return info.param.name;
    });

TEST(AlertRouterTest, RepeatIntervalIsSmallestAmongMatchingRoutes) {
  absl::StatusOr<AlertRouter> router =
      AlertRouter::Create(Config(std::string(kSinks) + R"pb(
        routes { sinks: "ops" repeat_interval_minutes: 60 }
        routes { kinds: INACTIVITY sinks: "am" repeat_interval_minutes: 15 }
        routes { tenants: "other" sinks: "ding" repeat_interval_minutes: 1 }
      )pb"));
  ASSERT_TRUE(router.ok()) << router.status();
  EXPECT_EQ(router->RepeatInterval(MakeAlert("acme", v1::INACTIVITY, v1::INFO)),
            absl::Minutes(15));
  EXPECT_EQ(
      router->RepeatInterval(MakeAlert("acme", v1::BALANCE_SHORT, v1::INFO)),
      absl::Minutes(60));
  EXPECT_EQ(
      router->RepeatInterval(MakeAlert("other", v1::BALANCE_SHORT, v1::INFO)),
      absl::Minutes(1));
}

TEST(AlertRouterTest, RepeatIntervalDefaultAndNoMatch) {
  absl::StatusOr<AlertRouter> router =
      AlertRouter::Create(Config(std::string(kSinks) + R"pb(
        routes { tenants: "acme" sinks: "ops" }
        routes {
          tenants: "acme"
          kinds: INACTIVITY
          sinks: "am"
          repeat_interval_minutes: 300
        }
      )pb"));
  ASSERT_TRUE(router.ok()) << router.status();
  EXPECT_EQ(router->RepeatInterval(MakeAlert("acme", v1::INACTIVITY, v1::INFO)),
            absl::Minutes(kDefaultRepeatIntervalMinutes));
  EXPECT_EQ(router->RepeatInterval(MakeAlert("beta", v1::INACTIVITY, v1::INFO)),
            absl::InfiniteDuration());
}

struct InvalidCase {
  std::string name;
  std::string config;
  std::string want;  // the whole message
};

class InvalidConfigTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidConfigTest, NamesTheField) {
  const InvalidCase& c = GetParam();
  absl::StatusOr<AlertRouter> router = AlertRouter::Create(Config(c.config));
  ASSERT_FALSE(router.ok());
  EXPECT_EQ(router.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(router.status().message(), c.want);
}

INSTANTIATE_TEST_SUITE_P(
    Validation, InvalidConfigTest,
    ::testing::Values(
        InvalidCase{"empty_name",
                    R"pb(sinks { type: WEBHOOK url: "http://x" })pb",
                    "sinks[0].name: must not be empty"},
        InvalidCase{
            "bad_name",
            R"pb(sinks { name: "ops" type: WEBHOOK url: "http://x" }
                 sinks { name: "on call" type: WEBHOOK url: "http://x" })pb",
            "sinks[1].name: \"on call\" may only contain A-Z a-z 0-9 _ . -"},
        InvalidCase{
            "duplicate_name",
            R"pb(sinks { name: "ops" type: WEBHOOK url: "http://x" }
                 sinks { name: "ops" type: SLACK url: "https://y" })pb",
            "sinks[1].name: duplicate sink name \"ops\" (also sinks[0])"},
        InvalidCase{"type_unset",
                    R"pb(sinks { name: "ops" url: "http://x" })pb",
                    "sinks[0].type: must be one of WEBHOOK, SLACK, DINGTALK, "
                    "FEISHU, WECOM, ALERTMANAGER"},
        InvalidCase{"url_empty", R"pb(sinks { name: "ops" type: WEBHOOK })pb",
                    "sinks[0].url: must not be empty"},
        InvalidCase{
            "url_ftp",
            R"pb(sinks { name: "ops" type: WEBHOOK url: "http://x" }
                 sinks { name: "b" type: WEBHOOK url: "ftp://x" })pb",
            "sinks[1].url: \"ftp://x\" is not an http:// or https:// URL"},
        InvalidCase{
            "url_no_host",
            R"pb(sinks { name: "b" type: WEBHOOK url: "https://" })pb",
            "sinks[0].url: \"https://\" is not an http:// or https:// URL"},
        InvalidCase{"timeout_zero", R"pb(sinks {
                                           name: "b"
                                           type: WEBHOOK
                                           url: "http://x"
                                           timeout_ms: 0
                                         })pb",
                    "sinks[0].timeout_ms: 0 is not in [1, 600000]"},
        InvalidCase{"timeout_big", R"pb(sinks {
                                          name: "b"
                                          type: WEBHOOK
                                          url: "http://x"
                                          timeout_ms: 600001
                                        })pb",
                    "sinks[0].timeout_ms: 600001 is not in [1, 600000]"},
        InvalidCase{
            "unknown_sink",
            std::string(kSinks) +
                R"pb(routes { sinks: "ops" }
                     routes { sinks: "am" }
                     routes { sinks: "x" })pb",
            "routes[2].sinks[0]: unknown sink \"x\" (defined: ops, am, ding)"},
        InvalidCase{"unknown_sink_none_defined", R"pb(routes { sinks: "x" })pb",
                    "routes[0].sinks[0]: unknown sink \"x\" (defined: none)"},
        InvalidCase{
            "route_without_sinks",
            std::string(kSinks) + R"pb(routes { tenants: "acme" })pb",
            "routes[0].sinks: must name at least one sink (defined: ops, "
            "am, ding)"},
        InvalidCase{"repeat_zero",
                    std::string(kSinks) + R"pb(routes {
                                                 sinks: "ops"
                                                 repeat_interval_minutes: 0
                                               })pb",
                    "routes[0].repeat_interval_minutes: 0 must be at least 1"},
        InvalidCase{"kind_unspecified",
                    std::string(kSinks) + R"pb(routes {
                                                 kinds: INACTIVITY
                                                 kinds: ALERT_KIND_UNSPECIFIED
                                                 sinks: "ops"
                                               })pb",
                    "routes[0].kinds[1]: 0 is not an alert kind"},
        InvalidCase{
            "kind_out_of_range",
            std::string(kSinks) + R"pb(routes { kinds: 99 sinks: "ops" })pb",
            "routes[0].kinds[0]: 99 is not an alert kind"},
        InvalidCase{
            "severity_out_of_range",
            std::string(kSinks) +
                R"pb(routes { min_severity: 7 sinks: "ops" })pb",
            "routes[0].min_severity: 7 is not a severity (INFO, WARNING, "
            "CRITICAL)"}),
    [](const ::testing::TestParamInfo<InvalidCase>& info) {
      return info.param.name;
    });

TEST(AlertRouterTest, ValidEdgeValuesAccepted) {
  absl::StatusOr<AlertRouter> router = AlertRouter::Create(Config(R"pb(
    sinks {
      name: "a.b_c-1"
      type: SLACK
      url: "HTTPS://hooks.example/x"
      timeout_ms: 1
    }
    sinks {
      name: "B"
      type: FEISHU
      url: "http://127.0.0.1:8080/"
      timeout_ms: 600000
    }
    routes { sinks: "B" repeat_interval_minutes: 1 min_severity: CRITICAL }
  )pb"));
  ASSERT_TRUE(router.ok()) << router.status();
  EXPECT_THAT(router->SinksFor(MakeAlert("t", v1::FEED_SILENT, v1::CRITICAL)),
              ElementsAre("B"));
}

}  // namespace
}  // namespace depositd::notifier
